/// <reference lib="webworker" />
// The service worker: precache the app shell (injected by vite-plugin-pwa), answer every
// navigation with the precached index.html, and wait for the officer before updating.
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Client routes (/, /visit/..., anything not under /api) work offline from the shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [/^\/api\//] }));

// registerType "prompt": a new version waits until the page asks (the "Reload" banner).
self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === "SKIP_WAITING") void self.skipWaiting();
});

// The first install takes control at once, so the app works offline after one visit.
clientsClaim();
