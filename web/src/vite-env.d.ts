/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

declare module "virtual:maplibre-worker-url" {
  /** The URL of MapLibre's worker module (src/map/maplibre-worker.ts as built). */
  const url: string;
  export default url;
}
