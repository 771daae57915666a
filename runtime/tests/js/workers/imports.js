// A module worker importing a module next to it.
import { add } from "./lib/add.js";
postMessage(add(2, 3));
