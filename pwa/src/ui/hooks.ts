import type { Observable } from "dexie";
import { useEffect, useState } from "preact/hooks";
import { engine, type SyncState } from "../data";

/**
 * Subscribe to a live query from the data layer. `undefined` while the first result is
 * loading; re-subscribes when `deps` change.
 */
export function useLive<T>(factory: () => Observable<T>, deps: readonly unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    setValue(undefined);
    const sub = factory().subscribe({
      next: (v) => setValue(() => v),
      error: (err: unknown) => console.error("live query failed", err),
    });
    return () => sub.unsubscribe();
  }, deps);
  return value;
}

export function useSyncState(): SyncState {
  const [state, setState] = useState<SyncState>(engine.state);
  useEffect(() => engine.subscribe(setState), []);
  return state;
}

export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    setOnline(navigator.onLine); // an event may have fired between render and this effect
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  }, []);
  return online;
}

// ---- Open forms: an app update never reloads the page while one is open. ----------------
let openForms = 0;
const formListeners = new Set<(n: number) => void>();

function setOpenForms(n: number): void {
  openForms = n;
  for (const l of formListeners) l(n);
}

/** Mark the calling screen as a form with unsaved input. */
export function useFormGuard(): void {
  useEffect(() => {
    setOpenForms(openForms + 1);
    return () => setOpenForms(openForms - 1);
  }, []);
}

export function useFormOpen(): boolean {
  const [n, setN] = useState(openForms);
  useEffect(() => {
    formListeners.add(setN);
    setN(openForms);
    return () => {
      formListeners.delete(setN);
    };
  }, []);
  return n > 0;
}

/** A clock that ticks every `ms`, for "missed window" and relative times. */
export function useNow(ms = 60_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
