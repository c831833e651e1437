import { defineConfig } from "vite";

// The console is built into the Python package (src/deconfliction/web/static), which
// `deconflict serve` serves at `/`; built files are generated, never committed.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/deconfliction/web/static",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      "/v1": { target: "http://127.0.0.1:8080", changeOrigin: false },
      "/.well-known": { target: "http://127.0.0.1:8080", changeOrigin: false },
    },
  },
});
