// fetch of data: and blob: URLs always works; other schemes, revoked blob:
// URLs and aborted fetches reject.
const data = await fetch("data:text/plain;base64,aGVsbG8=");
console.log(data.status, data.headers.get("content-type"), await data.text());
console.log(await (await fetch("data:application/json,%7B%22a%22%3A1%7D")).json());

const url = URL.createObjectURL(new Blob(["blob body"], { type: "text/x-test" }));
const blob = await fetch(url);
console.log(blob.status, blob.url === url, blob.headers.get("content-type"), blob.headers.get("content-length"));
console.log(await blob.text());
URL.revokeObjectURL(url);

async function attempt(what, action) {
  try {
    await action();
    console.log(what, "resolved");
  } catch (e) {
    console.log(what, e.name);
  }
}
await attempt("revoked blob:", () => fetch(url));
await attempt("POST to a blob:", () => fetch(URL.createObjectURL(new Blob(["x"])), { method: "POST" }));
await attempt("ftp:", () => fetch("ftp://example.com/"));
const controller = new AbortController();
controller.abort();
await attempt("aborted", () => fetch("data:,x", { signal: controller.signal }));
