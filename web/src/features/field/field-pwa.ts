import { registerSW } from "virtual:pwa-register";

let registered = false;

/**
 * Installs the service worker of the field app (built by vite-plugin-pwa with Workbox): it keeps the app shell and
 * the base map's tiles on the phone, so the app opens and draws with no network. Only field workers' phones get it;
 * a new version takes over at the next start.
 */
export function registerFieldApp(): void {
  if (registered || !("serviceWorker" in navigator)) return;
  registered = true;
  registerSW({ immediate: true });
}
