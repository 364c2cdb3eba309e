import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { consoleApi, errorMessage, has } from "./api";
import { Poller, POLL_MS } from "./poll";
import type { BranchPublic, UserPublic } from "./types";

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  /** When the data last arrived (epoch ms). */
  at: number | null;
  reload: () => Promise<void>;
}

/**
 * Load once per `deps` change; `reload()` again on demand. Keeps the last data on error, and
 * with `keep` also while the next load runs (no flash of emptiness).
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], keep = false): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean; at: number | null }>({
    data: undefined,
    error: null,
    loading: true,
    at: null,
  });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current();
      if (mine === seq.current) setState({ data, error: null, loading: false, at: Date.now() });
    } catch (err) {
      if (mine === seq.current) setState((s) => ({ ...s, error: errorMessage(err), loading: false }));
    }
  }, []);
  useEffect(() => {
    if (!keep) setState({ data: undefined, error: null, loading: true, at: null });
    void reload();
  }, deps);
  return { ...state, reload };
}

/** Like useLoad, and polled: every POLL_MS, on focus and when the page is visible again. */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = POLL_MS): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean; at: number | null }>({
    data: undefined,
    error: null,
    loading: true,
    at: null,
  });
  const pollerRef = useRef<Poller | null>(null);
  useEffect(() => {
    let alive = true;
    setState({ data: undefined, error: null, loading: true, at: null });
    const poller = new Poller({
      intervalMs,
      win: window,
      doc: document,
      run: async () => {
        try {
          const data = await load();
          if (alive) setState({ data, error: null, loading: false, at: Date.now() });
        } catch (err) {
          if (alive) setState((s) => ({ ...s, error: errorMessage(err), loading: false }));
        }
      },
    });
    pollerRef.current = poller;
    poller.start();
    return () => {
      alive = false;
      poller.stop();
    };
  }, deps);
  const reload = useCallback(async () => {
    await pollerRef.current?.now();
  }, []);
  return { ...state, reload };
}

// ---- Shared, slowly changing data: loaded once per console session --------------------------

let usersCache: Promise<UserPublic[]> | null = null;
let branchCache: Promise<BranchPublic> | null = null;

export function resetCaches(): void {
  usersCache = null;
  branchCache = null;
}

export function useUsers(): UserPublic[] | undefined {
  const [users, setUsers] = useState<UserPublic[] | undefined>(undefined);
  useEffect(() => {
    usersCache ??= consoleApi.users().catch((err: unknown) => {
      usersCache = null;
      throw err;
    });
    usersCache.then(setUsers, () => setUsers([]));
  }, []);
  return users;
}

export function useBranch(): BranchPublic | undefined {
  const [branch, setBranch] = useState<BranchPublic | undefined>(undefined);
  useEffect(() => {
    branchCache ??= consoleApi.branch().catch((err: unknown) => {
      branchCache = null;
      throw err;
    });
    branchCache.then(setBranch, () => undefined);
  }, []);
  return branch;
}

/** Whether the server has an endpoint (undefined while asking). */
export function useHas(method: string, path: string): boolean | undefined {
  const [yes, setYes] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void has(method, path).then(setYes);
  }, [method, path]);
  return yes;
}

/** Run an action with a busy flag and an error message. */
export function useAction(): {
  busy: boolean;
  error: string | null;
  run: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}
