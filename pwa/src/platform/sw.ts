// Service worker registration with registerType "prompt": an update waits until the
// officer taps "Reload" (never forced, never while a form is open).
import { registerSW } from "virtual:pwa-register";

type Listener = (needRefresh: boolean) => void;

let needRefresh = false;
let updateSW: ((reload?: boolean) => Promise<void>) | null = null;
let registration: ServiceWorkerRegistration | undefined;
const listeners = new Set<Listener>();

export function initServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  updateSW = registerSW({
    immediate: true,
    onNeedRefresh() {
      needRefresh = true;
      for (const l of listeners) l(true);
    },
    onRegisteredSW(_url, reg) {
      registration = reg;
      // Look for a new version now and then; installing it is still up to the officer.
      if (reg) setInterval(() => void reg.update().catch(() => undefined), 30 * 60_000);
    },
  });
}

export function onNeedRefresh(listener: Listener): () => void {
  listeners.add(listener);
  listener(needRefresh);
  return () => listeners.delete(listener);
}

/** Activate the waiting version and reload (the outbox lives in IndexedDB: nothing lost). */
export function applyUpdate(): void {
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  };
  // workbox-window reloads only when the page started under a service worker; do it here
  // too, and reload anyway if no new worker takes over (nothing was actually waiting).
  navigator.serviceWorker?.addEventListener("controllerchange", reload);
  setTimeout(reload, 4_000);
  if (updateSW) void updateSW(true);
  else reload();
}

/** After a 426: look for a newer version at once. */
export function checkForUpdate(): void {
  void registration?.update().catch(() => undefined);
}
