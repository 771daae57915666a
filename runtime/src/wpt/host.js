// The page host of the WPT runner: what a browser window gives a
// testharness.js page and this runtime does not otherwise have. A minimal
// `document` built from the parsed HTML, `location`, `XMLHttpRequest` and a
// `fetch` reading files under the WPT root, error
// reporting through window `error`/`unhandledrejection` events, and the
// results hook that replaces testharnessreport.js.
//
// This script runs before the bootstrap hides `__bootstrap`; it only leaves
// a symbol-keyed driver on the global that the Rust side calls step by step
// (`install`, each script, `domcontentloaded`, `load`, `idle`).

(function () {
const { core, primordials } = __bootstrap;
const {
  op_wpt_page,
  op_wpt_map_url,
  op_wpt_read_substituted,
  op_fetch_read_file,
  op_runtime_exit,
} = core.ops;
const {
  ArrayPrototypeFilter,
  ArrayPrototypeIndexOf,
  ArrayPrototypeMap,
  ArrayPrototypePush,
  ArrayPrototypeSplice,
  FunctionPrototypeCall,
  JSONParse,
  JSONStringify,
  ObjectDefineProperty,
  ObjectFreeze,
  Promise,
  PromiseReject,
  StringPrototypeSplit,
  StringPrototypeToLowerCase,
  StringPrototypeToUpperCase,
  StringPrototypeTrim,
  Symbol,
  SymbolFor,
  TypeError,
  Uint8Array,
} = primordials;

const DRIVER = SymbolFor("webaudio-run.wpt");

let page = null;
let scriptElements = [];
let reported = false;
let harnessTimeout = null;

const nonEnumerable = (value) => ({
  __proto__: null,
  value,
  writable: true,
  enumerable: false,
  configurable: true,
});

function install() {
  const event = core.loadExtScript("ext:deno_web/02_event.js");
  const { URL } = core.loadExtScript("ext:deno_web/00_url.js");
  const { TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
  // Called unbound: they check that `this` is the window or undefined.
  const { setTimeout } = core.loadExtScript("ext:deno_web/02_timers.js");
  const { Response } = core.loadExtScript("ext:webaudio_run/00_fetch.js");
  const { EventTarget, Event, ErrorEvent, PromiseRejectionEvent, ProgressEvent } =
    event;

  const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
  // The window is an EventTarget: its methods check this brand.
  if (globalThis[webidl.brand] !== webidl.brand) {
    ObjectDefineProperty(globalThis, webidl.brand, { __proto__: null, value: webidl.brand });
  }
  page = JSONParse(op_wpt_page());
  const pageUrl = new URL(page.url);

  // --- a minimal DOM, enough for testharness.js and the tests' lookups ---

  class Node extends EventTarget {
    constructor() {
      super();
      this.parentNode = null;
      this.childNodes = [];
    }
    get firstChild() {
      return this.childNodes[0] ?? null;
    }
    get lastChild() {
      return this.childNodes[this.childNodes.length - 1] ?? null;
    }
    get ownerDocument() {
      return document;
    }
    appendChild(node) {
      if (node.parentNode) node.parentNode.removeChild(node);
      ArrayPrototypePush(this.childNodes, node);
      node.parentNode = this;
      return node;
    }
    insertBefore(node, ref) {
      if (ref === null || ref === undefined) return this.appendChild(node);
      if (node.parentNode) node.parentNode.removeChild(node);
      const i = ArrayPrototypeIndexOf(this.childNodes, ref);
      ArrayPrototypeSplice(this.childNodes, i < 0 ? this.childNodes.length : i, 0, node);
      node.parentNode = this;
      return node;
    }
    removeChild(node) {
      const i = ArrayPrototypeIndexOf(this.childNodes, node);
      if (i < 0) {
        throw new DOMException("The node to be removed is not a child of this node.", "NotFoundError");
      }
      ArrayPrototypeSplice(this.childNodes, i, 1);
      node.parentNode = null;
      return node;
    }
    remove() {
      if (this.parentNode) this.parentNode.removeChild(this);
    }
    get textContent() {
      let out = "";
      for (const child of this.childNodes) out += child.textContent;
      return out;
    }
    set textContent(value) {
      for (const child of this.childNodes) child.parentNode = null;
      this.childNodes = [];
      if (`${value}` !== "") this.appendChild(new Text(`${value}`));
    }
  }

  class Text extends Node {
    constructor(data) {
      super();
      this.data = data;
    }
    get nodeType() {
      return 3;
    }
    get nodeName() {
      return "#text";
    }
    get textContent() {
      return this.data;
    }
    set textContent(value) {
      this.data = `${value}`;
    }
    get nodeValue() {
      return this.data;
    }
  }

  const _attrs = Symbol("attributes");

  class Element extends Node {
    constructor(localName, attrs = []) {
      super();
      this.localName = StringPrototypeToLowerCase(localName);
      this[_attrs] = attrs;
      this.style = {};
    }
    get nodeType() {
      return 1;
    }
    get tagName() {
      return StringPrototypeToUpperCase(this.localName);
    }
    get nodeName() {
      return this.tagName;
    }
    get children() {
      return ArrayPrototypeFilter(this.childNodes, (n) => n instanceof Element);
    }
    getAttribute(name) {
      const key = StringPrototypeToLowerCase(`${name}`);
      for (const pair of this[_attrs]) if (pair[0] === key) return pair[1];
      return null;
    }
    hasAttribute(name) {
      return this.getAttribute(name) !== null;
    }
    setAttribute(name, value) {
      const key = StringPrototypeToLowerCase(`${name}`);
      for (const pair of this[_attrs]) {
        if (pair[0] === key) {
          pair[1] = `${value}`;
          return;
        }
      }
      ArrayPrototypePush(this[_attrs], [key, `${value}`]);
    }
    removeAttribute(name) {
      const key = StringPrototypeToLowerCase(`${name}`);
      this[_attrs] = ArrayPrototypeFilter(this[_attrs], (p) => p[0] !== key);
    }
    get id() {
      return this.getAttribute("id") ?? "";
    }
    set id(value) {
      this.setAttribute("id", value);
    }
    get className() {
      return this.getAttribute("class") ?? "";
    }
    set className(value) {
      this.setAttribute("class", value);
    }
    get name() {
      return this.getAttribute("name") ?? "";
    }
    get content() {
      return this.getAttribute("content") ?? "";
    }
    get type() {
      return this.getAttribute("type") ?? "";
    }
    set type(value) {
      this.setAttribute("type", value);
    }
    // <script>'s text and resolved src.
    get text() {
      return this.textContent;
    }
    set text(value) {
      this.textContent = value;
    }
    get src() {
      const src = this.getAttribute("src");
      if (src === null) return "";
      try {
        return new URL(src, pageUrl).href;
      } catch {
        return src;
      }
    }
    // Markup is not parsed: the text stands for itself.
    get innerHTML() {
      return this.textContent;
    }
    set innerHTML(value) {
      this.textContent = value;
    }
    // No layout: the rendered text is the text.
    get innerText() {
      return this.textContent;
    }
    set innerText(value) {
      this.textContent = value;
    }
    getElementsByTagName(name) {
      return elementsByTagName(this, name);
    }
    querySelectorAll(selectors) {
      return querySelectorAll(this, selectors);
    }
    querySelector(selectors) {
      return querySelectorAll(this, selectors)[0] ?? null;
    }
    getElementById(id) {
      return descendants(this).find((e) => e.id === `${id}`) ?? null;
    }
  }

  function descendants(root) {
    const out = [];
    const visit = (node) => {
      for (const child of node.childNodes) {
        if (child instanceof Element) {
          ArrayPrototypePush(out, child);
          visit(child);
        }
      }
    };
    visit(root);
    return out;
  }

  function elementsByTagName(root, name) {
    const wanted = StringPrototypeToLowerCase(`${name}`);
    return ArrayPrototypeFilter(
      descendants(root),
      (e) => wanted === "*" || e.localName === wanted,
    );
  }

  // Compound selectors (`tag#id.class[attr=value]`), descendant combinators
  // and selector lists: what tests use to find their own elements.
  function parseCompound(text) {
    const parts = { tag: null, id: null, classes: [], attrs: [] };
    const re = /([a-zA-Z*][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]/y;
    let i = 0;
    while (i < text.length) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (!m) {
        throw new DOMException(`'${text}' is not a valid selector.`, "SyntaxError");
      }
      if (m[1] !== undefined) parts.tag = StringPrototypeToLowerCase(m[1]);
      else if (m[2] !== undefined) parts.id = m[2];
      else if (m[3] !== undefined) ArrayPrototypePush(parts.classes, m[3]);
      else ArrayPrototypePush(parts.attrs, [StringPrototypeToLowerCase(m[4]), m[5] ?? m[6] ?? m[7]]);
      i = re.lastIndex;
    }
    return parts;
  }

  function matchesCompound(e, c) {
    if (c.tag !== null && c.tag !== "*" && e.localName !== c.tag) return false;
    if (c.id !== null && e.id !== c.id) return false;
    const classes = StringPrototypeSplit(e.className, /\s+/);
    for (const cls of c.classes) if (!classes.includes(cls)) return false;
    for (const [name, value] of c.attrs) {
      const v = e.getAttribute(name);
      if (v === null || (value !== undefined && v !== value)) return false;
    }
    return true;
  }

  function matches(e, chain) {
    if (!matchesCompound(e, chain[chain.length - 1])) return false;
    let node = e.parentNode;
    for (let i = chain.length - 2; i >= 0; i--) {
      while (node && !(node instanceof Element && matchesCompound(node, chain[i]))) {
        node = node.parentNode;
      }
      if (!node) return false;
      node = node.parentNode;
    }
    return true;
  }

  function querySelectorAll(root, selectors) {
    const groups = ArrayPrototypeMap(
      StringPrototypeSplit(`${selectors}`, ","),
      (g) => ArrayPrototypeMap(
        ArrayPrototypeFilter(StringPrototypeSplit(StringPrototypeTrim(g), /\s+/), (s) => s !== ""),
        parseCompound,
      ),
    );
    return ArrayPrototypeFilter(
      descendants(root),
      (e) => groups.some((chain) => chain.length > 0 && matches(e, chain)),
    );
  }

  class Document extends Node {
    constructor() {
      super();
      this.readyState = "loading";
      this.currentScript = null;
    }
    get nodeType() {
      return 9;
    }
    get URL() {
      return page.url;
    }
    get documentURI() {
      return page.url;
    }
    get location() {
      return globalThis.location;
    }
    get defaultView() {
      return globalThis;
    }
    get documentElement() {
      return this.children[0] ?? null;
    }
    get children() {
      return ArrayPrototypeFilter(this.childNodes, (n) => n instanceof Element);
    }
    get head() {
      return elementsByTagName(this, "head")[0] ?? null;
    }
    get body() {
      return elementsByTagName(this, "body")[0] ?? null;
    }
    get title() {
      const title = elementsByTagName(this, "title")[0];
      return title ? StringPrototypeTrim(title.textContent.replace(/\s+/g, " ")) : "";
    }
    getElementsByTagName(name) {
      return elementsByTagName(this, name);
    }
    getElementById(id) {
      return descendants(this).find((e) => e.id === `${id}`) ?? null;
    }
    querySelectorAll(selectors) {
      return querySelectorAll(this, selectors);
    }
    querySelector(selectors) {
      return querySelectorAll(this, selectors)[0] ?? null;
    }
    createElement(name) {
      return new Element(`${name}`);
    }
    createElementNS(_namespace, name) {
      return new Element(`${name}`);
    }
    createTextNode(data) {
      return new Text(`${data}`);
    }
  }

  const document = new Document();
  const build = (value, parent) => {
    if (typeof value === "string") {
      parent.appendChild(new Text(value));
      return;
    }
    const [tag, attrs, children, scriptIndex] = value;
    const element = new Element(tag, attrs);
    parent.appendChild(element);
    for (const child of children) build(child, element);
    if (scriptIndex !== undefined) scriptElements[scriptIndex] = element;
  };
  build(page.dom, document);

  // --- location ---

  const location = {};
  for (const key of ["href", "origin", "protocol", "host", "hostname", "port", "pathname", "search", "hash"]) {
    ObjectDefineProperty(location, key, {
      __proto__: null,
      get: () => pageUrl[key],
      enumerable: true,
    });
  }
  location.toString = () => pageUrl.href;
  location.assign = location.replace = location.reload = () => {
    throw new DOMException("Navigation is not supported by the WPT runner.", "NotSupportedError");
  };
  ObjectFreeze(location);

  // --- fetch and XMLHttpRequest of files under the WPT root ---

  /** `[status, bytes, url]` for a GET of `input` resolved against the page. */
  async function serve(input) {
    const url = new URL(`${input}`, pageUrl).href;
    const fileUrl = op_wpt_map_url(url);
    if (fileUrl === "") return [404, new Uint8Array(0), url];
    if (fileUrl.includes(".sub.")) {
      const text = op_wpt_read_substituted(fileUrl);
      if (text !== null) return [200, new TextEncoder().encode(text), url];
    }
    return [200, await op_fetch_read_file(fileUrl), url];
  }

  const CONTENT_TYPES = {
    __proto__: null,
    js: "text/javascript",
    json: "application/json",
    html: "text/html",
    txt: "text/plain",
    wav: "audio/wav",
    mp3: "audio/mpeg",
    ogg: "audio/ogg",
    oga: "audio/ogg",
    flac: "audio/flac",
    m4a: "audio/mp4",
    webm: "audio/webm",
    opus: "audio/ogg",
    idl: "text/plain",
  };
  const contentType = (url) => {
    const path = new URL(url).pathname;
    return CONTENT_TYPES[StringPrototypeToLowerCase(path.split(".").pop() ?? "")] ?? "application/octet-stream";
  };

  function fetch(input, init = undefined) {
    const method = StringPrototypeToUpperCase(`${init?.method ?? "GET"}`);
    if (method !== "GET") {
      return PromiseReject(new TypeError(`Failed to fetch: only GET is supported by the WPT runner, not '${method}'`));
    }
    const target = typeof input === "object" && input !== null && "url" in input ? input.url : input;
    let url;
    try {
      url = new URL(`${target}`, pageUrl).href;
    } catch {
      return PromiseReject(new TypeError(`Failed to execute 'fetch' on 'Window': Invalid URL '${target}'`));
    }
    return serve(url).then(([status, bytes, href]) => {
      const response = new Response(status === 200 ? bytes : null, {
        status,
        statusText: status === 200 ? "OK" : "Not Found",
        headers: status === 200 ? { "content-type": contentType(href), "content-length": `${bytes.byteLength}` } : {},
      });
      ObjectDefineProperty(response, "url", { __proto__: null, value: href });
      return response;
    }, (e) => {
      throw new TypeError(`Failed to fetch: ${e?.message ?? e}`);
    });
  }

  class XMLHttpRequest extends EventTarget {
    static UNSENT = 0;
    static OPENED = 1;
    static HEADERS_RECEIVED = 2;
    static LOADING = 3;
    static DONE = 4;
    #url = null;
    #async = true;
    #bytes = null;
    #sent = false;
    #aborted = false;
    #mime = null;
    #response = undefined;
    #responseFor = "";
    constructor() {
      super();
      this.readyState = 0;
      this.status = 0;
      this.statusText = "";
      this.responseType = "";
      this.responseURL = "";
      this.timeout = 0;
      this.withCredentials = false;
      this.upload = new EventTarget();
    }
    open(method, url, async = true) {
      if (StringPrototypeToUpperCase(`${method}`) !== "GET") {
        throw new DOMException(`Only GET is supported by the WPT runner, not '${method}'.`, "NotSupportedError");
      }
      try {
        this.#url = new URL(`${url}`, pageUrl).href;
      } catch {
        throw new DOMException(`Invalid URL '${url}'.`, "SyntaxError");
      }
      this.#async = async !== false;
      this.#bytes = null;
      this.#response = undefined;
      this.#sent = false;
      this.#aborted = false;
      this.status = 0;
      this.readyState = 1;
      this.#fire("readystatechange");
    }
    setRequestHeader() {}
    overrideMimeType(mime) {
      this.#mime = `${mime}`;
    }
    getResponseHeader(name) {
      if (this.readyState < 2 || this.status !== 200) return null;
      const key = StringPrototypeToLowerCase(`${name}`);
      if (key === "content-type") return this.#mime ?? contentType(this.responseURL);
      if (key === "content-length") return `${this.#bytes.byteLength}`;
      return null;
    }
    getAllResponseHeaders() {
      if (this.readyState < 2 || this.status !== 200) return "";
      return `content-length: ${this.#bytes.byteLength}\r\ncontent-type: ${this.getResponseHeader("content-type")}\r\n`;
    }
    send() {
      if (this.readyState !== 1 || this.#sent) {
        throw new DOMException("The object's state must be OPENED.", "InvalidStateError");
      }
      if (!this.#async) {
        throw new DOMException("Synchronous XMLHttpRequest is not supported by the WPT runner.", "NotSupportedError");
      }
      this.#sent = true;
      this.#fire("loadstart");
      serve(this.#url).then(([status, bytes, href]) => {
        if (this.#aborted) return;
        this.#bytes = bytes;
        this.status = status;
        this.statusText = status === 200 ? "OK" : "Not Found";
        this.responseURL = href;
        this.readyState = 2;
        this.#fire("readystatechange");
        this.readyState = 3;
        this.#fire("readystatechange");
        this.readyState = 4;
        this.#fire("readystatechange");
        this.#fire("load");
        this.#fire("loadend");
      }, () => {
        if (this.#aborted) return;
        this.readyState = 4;
        this.#fire("readystatechange");
        this.#fire("error");
        this.#fire("loadend");
      });
    }
    abort() {
      this.#aborted = true;
      if (this.readyState === 1 && this.#sent) {
        this.readyState = 4;
        this.#fire("readystatechange");
        this.#fire("abort");
        this.#fire("loadend");
      }
      this.readyState = 0;
    }
    // The same object on every read, as in a browser (decodeAudioData
    // detaches the ArrayBuffer it is given).
    get response() {
      if (this.readyState !== 4 || this.#bytes === null) {
        return this.responseType === "" || this.responseType === "text" ? "" : null;
      }
      if (this.#response === undefined || this.#responseFor !== this.responseType) {
        this.#response = this.#makeResponse();
        this.#responseFor = this.responseType;
      }
      return this.#response;
    }
    #makeResponse() {
      switch (this.responseType) {
        case "arraybuffer": {
          const b = this.#bytes;
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        }
        case "json":
          try {
            return JSONParse(new TextDecoder().decode(this.#bytes));
          } catch {
            return null;
          }
        case "blob":
          return new Blob([this.#bytes], { type: this.getResponseHeader("content-type") ?? "" });
        default:
          return new TextDecoder().decode(this.#bytes);
      }
    }
    get responseText() {
      if (this.responseType !== "" && this.responseType !== "text") {
        throw new DOMException("responseText is only available if responseType is '' or 'text'.", "InvalidStateError");
      }
      return this.response;
    }
    #fire(type) {
      const ev = type === "readystatechange" ? new Event(type) : new ProgressEvent(type, {
        lengthComputable: this.#bytes !== null,
        loaded: this.#bytes?.byteLength ?? 0,
        total: this.#bytes?.byteLength ?? 0,
      });
      this.dispatchEvent(ev);
    }
  }
  for (const type of ["readystatechange", "loadstart", "progress", "load", "error", "abort", "loadend", "timeout"]) {
    event.defineEventHandler(XMLHttpRequest.prototype, type);
  }

  const { TextEncoder, Blob, DOMException } = globalThis;

  ObjectDefineProperty(globalThis, "document", nonEnumerable(document));
  // `document` and `location` are unforgeable in a browser.
  ObjectDefineProperty(globalThis, "document", { __proto__: null, writable: false, configurable: false });
  ObjectDefineProperty(globalThis, "location", { __proto__: null, value: location, enumerable: true });
  ObjectDefineProperty(globalThis, "fetch", nonEnumerable(fetch));
  ObjectDefineProperty(globalThis, "XMLHttpRequest", nonEnumerable(XMLHttpRequest));
  // `isSecureContext`, `requestAnimationFrame` and `navigator` are the
  // runtime's own (runtime/js/).
  for (const name of ["parent", "top", "frames"]) {
    ObjectDefineProperty(globalThis, name, { __proto__: null, get: () => globalThis, enumerable: true, configurable: true });
  }
  ObjectDefineProperty(globalThis, "opener", { __proto__: null, value: null, writable: true, enumerable: true, configurable: true });
  ObjectDefineProperty(globalThis, "name", { __proto__: null, value: "", writable: true, enumerable: true, configurable: true });
  ObjectDefineProperty(globalThis, "length", { __proto__: null, value: 0, writable: true, enumerable: true, configurable: true });
  for (const type of ["load", "error", "unhandledrejection", "rejectionhandled", "message"]) {
    event.defineEventHandler(globalThis, type);
  }

  // --- errors: reported as a browser does, never fatal ---

  let reporting = 0;
  function reportException(error) {
    let message = "";
    let filename = "";
    let lineno = 0;
    let colno = 0;
    try {
      const info = core.destructureError(error);
      message = info.exceptionMessage;
      const frame = info.frames?.[0];
      if (frame) {
        filename = frame.fileName ?? "";
        lineno = frame.lineNumber ?? 0;
        colno = frame.columnNumber ?? 0;
      }
    } catch {
      message = `Uncaught ${error}`;
    }
    core.print(`${message}\n${error?.stack ?? ""}\n`, true);
    if (reporting > 0) return;
    reporting++;
    try {
      globalThis.dispatchEvent(new ErrorEvent("error", {
        cancelable: true,
        message,
        filename,
        lineno,
        colno,
        error,
      }));
    } finally {
      reporting--;
    }
  }
  core.setReportExceptionCallback(reportException);
  // deno_web reports an exception thrown by an event listener through the
  // window's `error` event and treats it as fatal unless it is cancelled; a
  // browser only logs it.
  globalThis.addEventListener("error", (e) => e.preventDefault());
  core.setUnhandledPromiseRejectionHandler((promise, reason) => {
    core.print(`Uncaught (in promise) ${reason?.stack ?? reason}\n`, true);
    globalThis.dispatchEvent(new PromiseRejectionEvent("unhandledrejection", {
      cancelable: true,
      promise,
      reason,
    }));
    return true;
  });

  harness.reportException = reportException;
  harness.Event = Event;
  harness.setTimeout = setTimeout;
}

const harness = {};

function emitResult(result) {
  if (reported) return;
  reported = true;
  core.print(`\u001ewebaudio-run-wpt-result ${JSONStringify(result)}\n`, false);
  // Let the remaining completion callbacks run, then end the page.
  const { setTimeout } = harness;
  setTimeout(() => op_runtime_exit(0), 0);
}

function onComplete(tests, status) {
  emitResult({
    status: status.status,
    message: status.message ?? null,
    stack: status.stack ?? null,
    tests: ArrayPrototypeMap(tests, (t) => ({
      name: `${t.name}`,
      status: t.status,
      message: t.message ?? null,
      stack: t.stack ?? null,
    })),
  });
}

/** What testharnessreport.js does for this runner. */
function installReport() {
  // A page whose testharness.js failed to load throws here, as the real
  // testharnessreport.js would.
  globalThis.setup({ output: false, explicit_timeout: true });
  globalThis.add_completion_callback(onComplete);
  harnessTimeout = globalThis.timeout;
  const ms = page.timeoutMs;
  // Unrefed: an idle page ends sooner, through the `idle` step.
  core.createSystemTimer(idle, ms, false);
}

function runScript(index) {
  const script = page.scripts[index];
  const element = scriptElements[index] ?? null;
  if (script === "skip") return;
  if (script === "report") {
    try {
      installReport();
    } catch (e) {
      harness.reportException(e);
    }
    return;
  }
  if (script.loadError) {
    core.print(`Failed to load script ${script.loadError.url}: ${script.loadError.reason}\n`, true);
    element?.dispatchEvent(new harness.Event("error"));
    return;
  }
  const { url, source } = script.source;
  document.currentScript = element;
  const [, error] = core.evalContext(source, url);
  document.currentScript = null;
  if (error) harness.reportException(error.thrown);
}

function idle() {
  if (reported) return;
  if (typeof harnessTimeout === "function") {
    try {
      FunctionPrototypeCall(harnessTimeout, undefined);
    } catch (e) {
      harness.reportException(e);
    }
  }
}

/** Last resort: the harness never reported (it did not load, or broke). */
function finish() {
  emitResult({
    status: 1,
    message: "the page ended without testharness.js reporting results",
    stack: null,
    tests: [],
  });
}

function step(what) {
  switch (what) {
    case "install":
      install();
      return;
    case "domcontentloaded":
      document.readyState = "interactive";
      document.dispatchEvent(new harness.Event("DOMContentLoaded", { bubbles: true }));
      return;
    case "load":
      document.readyState = "complete";
      globalThis.dispatchEvent(new harness.Event("load"));
      return;
    case "idle":
      idle();
      return;
    case "finish":
      finish();
      return;
    default:
      runScript(what);
  }
}

ObjectDefineProperty(globalThis, DRIVER, {
  __proto__: null,
  value: { step, scriptCount: () => page.scripts.length },
  configurable: true,
});
})();
