// Polling for the live screens: run now, then every `intervalMs`, and at once when the window
// gets focus or the page becomes visible again; never two runs at a time; no timer runs while
// the page is hidden (the browser would throttle them anyway; focus catches up).

export interface PollTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface PollerOptions {
  intervalMs: number;
  run: () => Promise<void>;
  win?: PollTarget;
  doc?: PollTarget & { visibilityState?: string };
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (id: unknown) => void;
}

export const POLL_MS = 12_000;

export class Poller {
  private readonly opts: PollerOptions;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private detach: (() => void) | null = null;
  runs = 0;

  constructor(opts: PollerOptions) {
    this.opts = opts;
  }

  private hidden(): boolean {
    return this.opts.doc?.visibilityState === "hidden";
  }

  /** Run now (a run in progress is followed by exactly one more). */
  now(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        this.runs += 1;
        try {
          await this.opts.run();
        } catch (err) {
          console.warn("poll failed", err);
        }
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  start(): void {
    this.stop();
    const setI = this.opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    const clearI = this.opts.clearInterval ?? ((id) => clearInterval(id as ReturnType<typeof setInterval>));
    this.timer = setI(() => {
      if (!this.hidden() && !this.running) void this.now();
    }, this.opts.intervalMs);
    const onFocus = () => void this.now();
    const onVisible = () => {
      if (!this.hidden()) void this.now();
    };
    this.opts.win?.addEventListener("focus", onFocus);
    this.opts.doc?.addEventListener("visibilitychange", onVisible);
    this.detach = () => {
      clearI(this.timer);
      this.timer = null;
      this.opts.win?.removeEventListener("focus", onFocus);
      this.opts.doc?.removeEventListener("visibilitychange", onVisible);
    };
    void this.now();
  }

  stop(): void {
    this.detach?.();
    this.detach = null;
  }
}
