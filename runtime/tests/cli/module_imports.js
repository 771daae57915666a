import { add, here } from "./lib/math.js";
import data from "./lib/data.json" with { type: "json" };
const url = new URL("./lib/math.js", import.meta.url);
console.log(add(2, 3), here === url.href);
console.log(import.meta.url.endsWith("/tests/cli/module_imports.js"));
const viaFileUrl = await import(url.href);
const viaRelative = await import("./lib/math.js");
console.log(viaFileUrl === viaRelative, viaRelative.add(1, 1));
console.log(data.answer, data.list);
