import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In development the API runs on its own port (`npm start` or the server's dev script); Vite forwards to it. */
const apiTarget = process.env.GRIDATLAS_API ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": apiTarget },
  },
  build: {
    // MapLibre alone is about 1 MB minified and the map is the whole app, so one large chunk is expected.
    chunkSizeWarningLimit: 1600,
  },
});
