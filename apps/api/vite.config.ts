import { defineConfig } from "vite";

// The admin console: a static single-page app served by the API at <base>/ui/ (see src/console.ts).
// Asset URLs are relative, so the same build works wherever the API is mounted (basePath).
export default defineConfig({
  root: "ui",
  base: "./",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/ui",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
});
