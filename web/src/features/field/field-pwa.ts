import { registerSW } from "virtual:pwa-register";

let registered = false;

/**
 * Installs the service worker of the field app (built by vite-plugin-pwa with Workbox): it keeps the app shell and
 * the base map's tiles on the phone, so the app opens and draws with no network. Only field workers' phones get it.
 *
 * A new version never reloads the page under the worker's hands: vite-plugin-pwa's own answer to a new worker
 * taking over is `location.reload()` at once, which would throw away a half-filled hazard form (and fires too when a
 * worker installed by an earlier tab of the same version takes over). The reload waits for a moment when nothing is
 * lost: the app is in the background (`visibilitychange` → hidden) and `busy()` says no sheet is open. Otherwise the
 * new version takes over at the next start. What waits in the queue is in IndexedDB and survives either way.
 */
export function registerFieldApp(busy: () => boolean): void {
  if (registered || !("serviceWorker" in navigator)) return;
  registered = true;
  let pending = false;
  const reloadIfIdle = () => {
    if (pending && document.visibilityState === "hidden" && !busy()) location.reload();
  };
  document.addEventListener("visibilitychange", reloadIfIdle);
  registerSW({
    immediate: true,
    onNeedReload: () => {
      pending = true;
      reloadIfIdle();
    },
  });
}
