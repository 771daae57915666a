// Fetches from the local test server at WebAudioRun.args[0] (see
// tests/fetch_http.rs) and prints what came back.
const base = WebAudioRun.args[0];

async function attempt(what, action) {
  try {
    console.log(what, await action());
  } catch (e) {
    console.log(what, e.name, e.name === "NotCapable" ? e.message : "");
  }
}

await attempt("GET", async () => {
  const r = await fetch(`${base}/hello`);
  return [r.status, r.ok, r.statusText, r.headers.get("x-test"), r.redirected, await r.text()].join("|");
});
await attempt("POST", async () => {
  const r = await fetch(`${base}/echo`, {
    method: "POST",
    body: JSON.stringify({ n: 1 }),
    headers: { "content-type": "application/json", "x-client": "webaudio-run" },
  });
  return [r.status, r.headers.get("x-received-type"), r.headers.get("x-received-client"), await r.text()].join("|");
});
await attempt("404", async () => {
  const r = await fetch(`${base}/missing`);
  return [r.status, r.ok].join("|");
});
await attempt("redirect", async () => {
  const r = await fetch(`${base}/redirect-ok`);
  return [r.status, r.redirected, r.url === `${base}/hello`, await r.text()].join("|");
});
await attempt("redirect elsewhere", () => fetch(`${base}/redirect-out`));
await attempt("decode", async () => {
  const bytes = await (await fetch(`${base}/tone.wav`)).arrayBuffer();
  const ctx = new OfflineAudioContext(1, 1, 8000);
  const buffer = await ctx.decodeAudioData(bytes);
  return [buffer.length, buffer.sampleRate, buffer.numberOfChannels].join("|");
});
