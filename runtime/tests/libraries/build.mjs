// Bundles every scenarios/*.js into dist/<name>.js with esbuild, as a user
// would for a browser: `--bundle --platform=browser --format=esm`.
// Used by the cargo test (runtime/tests/libraries.rs) and by record.mjs.
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entryPoints = readdirSync(join(here, "scenarios"))
  .filter((f) => f.endsWith(".js"))
  .sort()
  .map((f) => join(here, "scenarios", f));

await build({
  entryPoints,
  outdir: join(here, "dist"),
  bundle: true,
  platform: "browser",
  format: "esm",
  logLevel: "warning",
});
console.log(`bundled ${entryPoints.length} scenarios into dist/`);
