// The dashboard's build: one page, its script and styles into dist/,
// which the gateway serves (`--static dashboard/dist`).
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
});
