// The defaults, made explicit: an ES module bundle in dist/assets.
import path from "node:path";

export default {
  mode: "production",
  entry: "./main.js",
  output: { path: path.resolve(import.meta.dirname, "dist/assets"), filename: "main.js", module: true, clean: true },
  experiments: { outputModule: true },
  performance: { hints: false },
};
