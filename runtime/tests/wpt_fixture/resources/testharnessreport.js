// Never loaded: the runner replaces testharnessreport.js with its own hook.
throw new Error("the real testharnessreport.js must not run");
