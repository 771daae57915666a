// Sends back every message, with its ports.
self.onmessage = (e) => postMessage(e.data, e.ports);
