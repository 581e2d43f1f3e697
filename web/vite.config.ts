import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin, transformWithOxc } from "vite";
import { VitePWA } from "vite-plugin-pwa";

/** In development the API runs on its own port (`npm start` or the server's dev script); Vite forwards to it. */
const apiTarget = process.env.GRIDATLAS_API ?? "http://localhost:8080";

/**
 * Writes a gzip and a brotli copy beside every text file of the build, which the server sends to browsers that
 * accept them (serveStatic's `precompressed`): on a phone's slow link MapLibre and the app are a third of their size.
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "gridatlas-precompress",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const p = path.join(dir, e.name);
          return e.isDirectory() ? walk(p) : [p];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|mjs|css|html|svg|json|webmanifest)$/.test(file) || fs.statSync(file).size < 1024) continue;
        const body = fs.readFileSync(file);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body));
      }
    },
  };
}

/**
 * Builds MapLibre from its TypeScript sources (shipped in the package) with the app, its worker as a second entry of
 * the same build. The package's prebuilt files are two separate bundles, and the worker's repeats what it shares
 * with the map (style expressions, buckets, tile parsing): a phone downloaded and compiled that code twice, 145 kB
 * gzip of the field app's first load (issue 15). Here the shared code lands in one chunk that the page and its
 * worker both import, fetched once. Development keeps the prebuilt files.
 */
function maplibreFromSource(): Plugin {
  const require = createRequire(import.meta.url);
  const src = path.join(path.dirname(require.resolve("maplibre-gl/package.json")), "src");
  const worker = path.join(src, "source", "worker.ts");
  const urlModule = "\0maplibre-worker-url";
  let build = false;
  return {
    name: "gridatlas-maplibre-from-source",
    enforce: "pre",
    config() {
      // The chunk the map and the worker share is named after MapLibre, not after whichever module rolldown picks.
      const shared = (c: { moduleIds: string[]; facadeModuleId: string | null }) =>
        c.facadeModuleId !== worker &&
        c.moduleIds.some((id) => id.startsWith(src)) &&
        c.moduleIds.every((id) => id.includes("/node_modules/"));
      return {
        build: {
          rollupOptions: {
            output: {
              chunkFileNames: (c) => (shared(c) ? "assets/maplibre-gl-shared-[hash].js" : "assets/[name]-[hash].js"),
            },
          },
        },
      };
    },
    configResolved(config) {
      build = config.command === "build";
    },
    resolveId(id) {
      if (id === "virtual:maplibre-worker-url") return urlModule;
      if (build && id === "maplibre-gl") return path.join(src, "index.ts");
      return null;
    },
    // MapLibre's classes declare fields that their constructors' super() calls fill (StructArray's typed views):
    // compiled as TypeScript with useDefineForClassFields false, as MapLibre's own build does, or they are reset.
    transform: {
      filter: { id: /\/maplibre-gl\/src\/.+\.ts$/ },
      async handler(code, id) {
        if (!build) return null;
        const out = await transformWithOxc(code, id, {
          lang: "ts",
          tsconfig: false,
          typescript: { removeClassFieldsWithoutInitializer: true },
          assumptions: { setPublicClassFields: true },
        });
        return { code: out.code, map: out.map };
      },
    },
    load(id) {
      if (id !== urlModule) return null;
      if (!build) return 'export { default } from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";';
      const ref = this.emitFile({
        type: "chunk",
        id: worker,
        name: "maplibre-gl-worker",
      });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    maplibreFromSource(),
    precompress(),
    // The field app is installable and works offline (issue 15): a web app manifest, and a Workbox service worker
    // that precaches the app shell and keeps the base map's tiles. The field app registers it (field-pwa.ts).
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: false,
      includeAssets: ["icons/app-icon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        name: "网格一张图 · 我的网格",
        short_name: "我的网格",
        description: "网格员、网情员的走访、隐患与场所排查 / Visits, hazards and inspections in the field",
        lang: "zh-CN",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0a4bd6",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // .mjs: MapLibre's worker, without which no map draws.
        globPatterns: ["**/*.{js,mjs,css,html,svg,png,webmanifest}"],
        // The office's pages with their charts are not the field's: a worker's phone does not keep them.
        // (chunks are named after their module; ECharts comes as installCanvasRenderer). A name missed costs only space.
        globIgnores: [
          "glyphs/**",
          "**/installCanvasRenderer-*",
          "**/month-chart-*",
          "**/{leader-map,cameras-page,data-page,accounts-page,audit-page,plans-page,map-screen}-*",
          "**/{plan-editor,plan-screens,workspace-page,workspace-screen}-*",
        ],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: "index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/tiles\//, /^\/glyphs\//],
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            // Versioned tile URLs never change: the cache answers first (field-tiles.ts fills it ahead).
            urlPattern: /\/tiles\/[a-z]+\/v\d+\/\d+\/\d+\/\d+\.pbf$/,
            handler: "CacheFirst",
            options: {
              cacheName: "gridatlas-tiles",
              cacheableResponse: { statuses: [200, 204] },
              matchOptions: { ignoreVary: true },
              expiration: { maxEntries: 20_000 },
            },
          },
          {
            // Which version is current: from the network when there is one, else the last answer.
            urlPattern: /\/tiles\/([a-z]+\/tile\.json|versions)$/,
            handler: "NetworkFirst",
            options: { cacheName: "gridatlas-tilejson", networkTimeoutSeconds: 5, matchOptions: { ignoreVary: true } },
          },
          {
            urlPattern: /\/glyphs\/.+\.pbf$/,
            handler: "CacheFirst",
            options: { cacheName: "gridatlas-glyphs", cacheableResponse: { statuses: [200] } },
          },
        ],
      },
    }),
  ],
  server: {
    proxy: { "/api": apiTarget },
  },
  build: {
    // MapLibre alone is about 1 MB minified and the map is the whole app, so one large chunk is expected.
    chunkSizeWarningLimit: 1600,
  },
});
