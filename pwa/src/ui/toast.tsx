import { useEffect, useState } from "preact/hooks";

let message: string | null = null;
let shownAt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(m: string | null) => void>();

function emit(m: string | null): void {
  message = m;
  for (const l of listeners) l(m);
}

/** A short message near the bottom, e.g. "Saved on this phone…". */
export function toast(text: string, ms = 3_500): void {
  clearTimeout(timer);
  shownAt = Date.now();
  emit(text);
  timer = setTimeout(() => emit(null), ms);
}

/** A new screen: drop an old message (one shown just before this navigation stays). */
export function dismissStaleToast(): void {
  if (message && Date.now() - shownAt > 1_000) {
    clearTimeout(timer);
    emit(null);
  }
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
