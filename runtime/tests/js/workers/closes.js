// close() ends the worker once the running task returns: what it posted
// before arrives, a timer it set never runs.
postMessage("a");
close();
postMessage("b");
setTimeout(() => postMessage("never"), 0);
