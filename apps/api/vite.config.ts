import { defineConfig } from "vite";

// The admin console: a static single-page app served by the API at /ui (see src/console.ts).
export default defineConfig({
  root: "ui",
  base: "/ui/",
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
