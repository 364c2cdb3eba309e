import { useEffect, useState } from "preact/hooks";

let message: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(m: string | null) => void>();

function emit(m: string | null): void {
  message = m;
  for (const l of listeners) l(m);
}

/** A short message near the bottom, e.g. "Saved on this phone…". */
export function toast(text: string, ms = 4_000): void {
  clearTimeout(timer);
  emit(text);
  timer = setTimeout(() => emit(null), ms);
}

export function Toast() {
  const [m, setM] = useState(message);
  useEffect(() => {
    listeners.add(setM);
    return () => {
      listeners.delete(setM);
    };
  }, []);
  return m ? (
    <div class="toast" role="status" aria-live="polite">
      {m}
    </div>
  ) : null;
}
