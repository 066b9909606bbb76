// Two pages: index.html imports the wasm with `?url`, url.html with
// new URL(…, import.meta.url).
import { defineConfig } from "vite";

export default defineConfig({
  build: { rollupOptions: { input: ["index.html", "url.html"] } },
});
