const json = await fetch("./lib/data.json");
console.log(json.ok, json.status, json.headers.get("content-type"), await json.json());
const text = await fetch(new URL("./lib/note.txt", import.meta.url));
console.log(JSON.stringify(await text.text()), text.bodyUsed);
const bytes = await (await fetch("lib/note.txt")).arrayBuffer();
console.log(bytes instanceof ArrayBuffer, bytes.byteLength);
// Relative to the calling module, not the working directory:
const { loadNote } = await import("./lib/fetcher.js");
console.log(JSON.stringify(await loadNote()));
try {
  await fetch("./lib/missing.wav");
} catch (e) {
  console.log(e instanceof TypeError, e.message);
}
try {
  await text.text();
} catch (e) {
  console.log(e.constructor.name, e.message);
}
