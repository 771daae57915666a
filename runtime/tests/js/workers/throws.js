// An exception nobody in the worker handles.
postMessage("before");
throw new RangeError("boom in worker");
