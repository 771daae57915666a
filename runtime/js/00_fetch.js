// `fetch`, with the parts of Headers and Response scripts use: `file:` URLs
// (within the read permission), `data:` and `blob:` URLs always, and
// `http:`/`https:` URLs with `--allow-net`. Relative URLs resolve against the
// module that calls fetch (falling back to the main module), so
// `fetch("./sound.wav")` works from any module.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_fetch_cancel_handle,
  op_fetch_data_url,
  op_fetch_http,
  op_fetch_read_file,
  op_runtime_main_module,
} = core.ops;

const {
  ArrayBufferIsView,
  ArrayBufferPrototypeSlice,
  ArrayPrototypePush,
  ArrayPrototypeSort,
  Error,
  JSONParse,
  MapPrototypeDelete,
  MapPrototypeForEach,
  MapPrototypeGet,
  MapPrototypeHas,
  MapPrototypeSet,
  ObjectPrototypeIsPrototypeOf,
  Promise,
  PromiseReject,
  RangeError,
  RegExpPrototypeExec,
  SafeMap,
  StringPrototypeToLowerCase,
  StringPrototypeTrim,
  Symbol,
  SymbolFor,
  SymbolIterator,
  SymbolToStringTag,
  TypeError,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  Uint8Array,
  ArrayBuffer,
  ArrayBufferPrototype,
  StringPrototypeToUpperCase,
} = primordials;

const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const { TextDecoder, TextEncoder } = core.loadExtScript(
  "ext:deno_web/08_text_encoding.js",
);
const { URL } = core.loadExtScript("ext:deno_web/00_url.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");

const FILE_URL_IN_STACK = /(file:\/\/[^\s)]+?):\d+:\d+/;

/**
 * The URL of the nearest user module on the call stack, else the main
 * module (a worker's own script).
 */
function callerBaseUrl() {
  const stack = new Error().stack ?? "";
  const match = RegExpPrototypeExec(FILE_URL_IN_STACK, stack);
  return match ? match[1] : op_runtime_main_module();
}

const _map = Symbol("headers map");

class Headers {
  [_map] = new SafeMap();

  constructor(init = undefined) {
    if (init === undefined || init === null) return;
    if (ObjectPrototypeIsPrototypeOf(HeadersPrototype, init)) {
      MapPrototypeForEach(init[_map], (v, k) => MapPrototypeSet(this[_map], k, v));
    } else if (typeof init === "object" && typeof init[SymbolIterator] === "function") {
      for (const pair of init) {
        const [name, value] = pair;
        this.append(name, value);
      }
    } else if (typeof init === "object") {
      for (const name in init) this.append(name, init[name]);
    } else {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
  }

  append(name, value) {
    const key = StringPrototypeToLowerCase(`${name}`);
    const v = StringPrototypeTrim(`${value}`);
    const prev = MapPrototypeGet(this[_map], key);
    MapPrototypeSet(this[_map], key, prev === undefined ? v : `${prev}, ${v}`);
  }

  delete(name) {
    MapPrototypeDelete(this[_map], StringPrototypeToLowerCase(`${name}`));
  }

  get(name) {
    return MapPrototypeGet(this[_map], StringPrototypeToLowerCase(`${name}`)) ?? null;
  }

  has(name) {
    return MapPrototypeHas(this[_map], StringPrototypeToLowerCase(`${name}`));
  }

  set(name, value) {
    MapPrototypeSet(this[_map], StringPrototypeToLowerCase(`${name}`), StringPrototypeTrim(`${value}`));
  }

  *entries() {
    const pairs = [];
    MapPrototypeForEach(this[_map], (v, k) => ArrayPrototypePush(pairs, [k, v]));
    ArrayPrototypeSort(pairs, (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    yield* pairs;
  }

  *keys() {
    for (const [k] of this.entries()) yield k;
  }

  *values() {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(callback, thisArg = undefined) {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  [SymbolIterator]() {
    return this.entries();
  }

  get [SymbolToStringTag]() {
    return "Headers";
  }
}
const HeadersPrototype = Headers.prototype;

const _bytes = Symbol("body bytes");
const _used = Symbol("body used");
const _status = Symbol("status");
const _statusText = Symbol("statusText");
const _headers = Symbol("headers");
const _url = Symbol("url");
const _redirected = Symbol("redirected");

function bodyToBytes(body) {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (ObjectPrototypeIsPrototypeOf(ArrayBufferPrototype, body)) {
    return new Uint8Array(ArrayBufferPrototypeSlice(body, 0));
  }
  if (ArrayBufferIsView(body)) {
    const copy = new Uint8Array(body.byteLength);
    copy.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    return copy;
  }
  return new TextEncoder().encode(`${body}`);
}

class Response {
  constructor(body = null, init = {}) {
    const status = init?.status ?? 200;
    if (status < 200 || status > 599) {
      throw new RangeError(`Failed to construct 'Response': The status provided (${status}) is outside the range [200, 599].`);
    }
    this[_bytes] = bodyToBytes(body);
    this[_used] = false;
    this[_status] = status;
    this[_statusText] = `${init?.statusText ?? ""}`;
    this[_headers] = new Headers(init?.headers);
    this[_url] = "";
  }

  get status() {
    return this[_status];
  }
  get ok() {
    return this[_status] >= 200 && this[_status] <= 299;
  }
  get statusText() {
    return this[_statusText];
  }
  get headers() {
    return this[_headers];
  }
  get url() {
    return this[_url];
  }
  get type() {
    return "basic";
  }
  get redirected() {
    return this[_redirected] === true;
  }
  get bodyUsed() {
    return this[_used];
  }

  #consume(method) {
    if (this[_used]) {
      return PromiseReject(new TypeError(`Failed to execute '${method}' on 'Response': body stream already read`));
    }
    this[_used] = true;
    return null;
  }

  arrayBuffer() {
    return this.#consumeBytes("arrayBuffer");
  }

  #consumeBytes(method) {
    const rejected = this.#consume(method);
    if (rejected) return rejected;
    const bytes = this[_bytes];
    if (bytes === null) return Promise.resolve(new ArrayBuffer(0));
    const offset = TypedArrayPrototypeGetByteOffset(bytes);
    const length = TypedArrayPrototypeGetByteLength(bytes);
    const buffer = TypedArrayPrototypeGetBuffer(bytes);
    return Promise.resolve(
      offset === 0 && length === buffer.byteLength
        ? buffer
        : ArrayBufferPrototypeSlice(buffer, offset, offset + length),
    );
  }

  bytes() {
    return this.#consumeBytes("bytes").then((b) => new Uint8Array(b));
  }

  text() {
    return this.#consumeBytes("text").then((b) => new TextDecoder().decode(b));
  }

  json() {
    return this.#consumeBytes("json").then((b) =>
      JSONParse(new TextDecoder().decode(b))
    );
  }

  blob() {
    const { Blob } = core.loadExtScript("ext:deno_web/09_file.js");
    return this.#consumeBytes("blob").then((b) =>
      new Blob([b], { type: this[_headers].get("content-type") ?? "" })
    );
  }

  clone() {
    if (this[_used]) {
      throw new TypeError("Failed to execute 'clone' on 'Response': Response body is already used");
    }
    const copy = new Response(this[_bytes], {
      status: this[_status],
      statusText: this[_statusText],
      headers: this[_headers],
    });
    copy[_url] = this[_url];
    return copy;
  }

  get [SymbolToStringTag]() {
    return "Response";
  }

  [SymbolFor("Deno.privateCustomInspect")](inspect, options) {
    return `Response ${inspect({ url: this.url, status: this.status, ok: this.ok }, options)}`;
  }
}

const CONTENT_TYPES = {
  __proto__: null,
  json: "application/json",
  js: "text/javascript",
  mjs: "text/javascript",
  html: "text/html",
  txt: "text/plain",
  wav: "audio/wav",
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  m4a: "audio/mp4",
};

function contentTypeOf(url) {
  const extension = StringPrototypeToLowerCase(url.pathname.split(".").pop() ?? "");
  return CONTENT_TYPES[extension];
}

/** A Response made here (its body already read). */
function makeResponse(bytes, { status = 200, statusText = "", headers, url, redirected = false }) {
  const response = new Response(null, { status, statusText, headers });
  response[_bytes] = bytes;
  response[_url] = url;
  if (redirected) response[_redirected] = true;
  return response;
}

/**
 * The request body as bytes and the Content-Type it implies (Fetch's
 * "extract a body"), or null.
 */
async function extractBody(body) {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    return [new TextEncoder().encode(body), "text/plain;charset=UTF-8"];
  }
  const { URLSearchParams } = core.loadExtScript("ext:deno_web/00_url.js");
  if (ObjectPrototypeIsPrototypeOf(URLSearchParams.prototype, body)) {
    return [
      new TextEncoder().encode(body.toString()),
      "application/x-www-form-urlencoded;charset=UTF-8",
    ];
  }
  const { BlobPrototype } = core.loadExtScript("ext:deno_web/09_file.js");
  if (ObjectPrototypeIsPrototypeOf(BlobPrototype, body)) {
    return [new Uint8Array(await body.arrayBuffer()), body.type || null];
  }
  if (ObjectPrototypeIsPrototypeOf(ArrayBufferPrototype, body) || ArrayBufferIsView(body)) {
    return [bodyToBytes(body), null];
  }
  return [new TextEncoder().encode(`${body}`), "text/plain;charset=UTF-8"];
}

/** The rejection of a fetch aborted by `signal`. */
function abortReason(signal) {
  return signal.reason ?? new DOMException("The fetch was aborted.", "AbortError");
}

async function fetchHttp(url, method, init, signal) {
  const headers = new Headers(init?.headers);
  let body = null;
  if (init?.body !== undefined && init?.body !== null) {
    if (method === "GET" || method === "HEAD") {
      throw new TypeError(`Failed to execute 'fetch' on 'Window': Request with ${method} method cannot have body.`);
    }
    const [bytes, type] = await extractBody(init.body);
    body = bytes;
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  }
  const cancel = op_fetch_cancel_handle();
  const onAbort = () => core.tryClose(cancel);
  signal?.addEventListener("abort", onAbort);
  try {
    const result = await op_fetch_http(
      method,
      url.href,
      [...headers.entries()],
      body ?? new Uint8Array(0),
      body !== null,
      cancel,
    );
    return makeResponse(method === "HEAD" ? null : result.body, {
      status: result.status,
      statusText: result.statusText,
      headers: result.headers,
      url: result.url,
      redirected: result.redirected,
    });
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    core.tryClose(cancel);
  }
}

async function fetchBlob(url, method) {
  if (method !== "GET") {
    throw new TypeError(`Failed to fetch '${url.href}': blob: URLs can only be fetched with GET`);
  }
  const { blobFromObjectUrl } = core.loadExtScript("ext:deno_web/09_file.js");
  const blob = blobFromObjectUrl(url.href);
  if (blob === null) {
    throw new TypeError(`Failed to fetch '${url.href}': no Blob is registered for this URL`);
  }
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return makeResponse(bytes, {
    statusText: "OK",
    headers: { "content-type": blob.type, "content-length": `${bytes.byteLength}` },
    url: url.href,
  });
}

function fetchData(url) {
  const { 0: mime, 1: bytes } = op_fetch_data_url(url.href);
  return makeResponse(bytes, {
    statusText: "OK",
    headers: { "content-type": mime },
    url: url.href,
  });
}

async function fetchFile(url, method) {
  if (method !== "GET" && method !== "HEAD") {
    throw new TypeError(`Failed to fetch '${url.href}': only GET and HEAD are supported for local files, not '${method}'`);
  }
  const bytes = await op_fetch_read_file(url.href);
  const headers = { "content-length": `${bytes.byteLength}` };
  const type = contentTypeOf(url);
  if (type) headers["content-type"] = type;
  return makeResponse(method === "HEAD" ? null : bytes, { headers, url: url.href });
}

/** `fetch(input, init)`: see the top of this file for what it reaches. */
function fetch(input, init = undefined) {
  const prefix = "Failed to execute 'fetch' on 'Window'";
  webidl.requiredArguments(arguments.length, 1, prefix);
  let url;
  try {
    url = new URL(typeof input === "object" && input !== null && "url" in input ? input.url : `${input}`, callerBaseUrl());
  } catch (e) {
    return PromiseReject(new TypeError(`${prefix}: Invalid URL '${input}'`));
  }
  const method = StringPrototypeToUpperCase(`${init?.method ?? input?.method ?? "GET"}`);
  const signal = init?.signal ?? input?.signal ?? null;
  if (signal?.aborted) return PromiseReject(abortReason(signal));
  if (init?.redirect !== undefined && init.redirect !== "follow") {
    return PromiseReject(new DOMException(`${prefix}: redirect mode '${init.redirect}' is not supported (only 'follow')`, "NotSupportedError"));
  }
  const run = async () => {
    switch (url.protocol) {
      case "file:":
        return await fetchFile(url, method);
      case "data:":
        return fetchData(url);
      case "blob:":
        return await fetchBlob(url, method);
      case "http:":
      case "https:":
        return await fetchHttp(url, method, init, signal);
      default:
        throw new TypeError(`${prefix}: unsupported URL scheme '${url.protocol}' in '${url.href}'`);
    }
  };
  return run();
}

return { callerBaseUrl, fetch, Headers, Response };
})();
