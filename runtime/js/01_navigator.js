// `navigator`: a `Navigator` in a window, a `WorkerNavigator` in a worker
// (HTML's NavigatorID, NavigatorLanguage, NavigatorOnLine,
// NavigatorConcurrentHardware; a window's also NavigatorCookies). The
// attributes are getters on the interface's prototype and check the brand.

(function () {
const { core, primordials } = __bootstrap;
const { op_navigator_info } = core.ops;
const {
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectPrototypeIsPrototypeOf,
  StringPrototypeStartsWith,
  StringPrototypeSlice,
  Symbol,
  SymbolFor,
  SymbolToStringTag,
} = primordials;
const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const { createFilteredInspectProxy } = core.loadExtScript("ext:deno_web/01_console.js");

const info = op_navigator_info();
// The same frozen array on every read, as [SameObject] would have it.
const languages = ObjectFreeze([...info.languages]);
const key = Symbol("navigator");

/** The getters both interfaces share, checking `prototype`'s brand. */
function defineNavigatorAttributes(prototype, extra) {
  const attributes = {
    __proto__: null,
    appCodeName: () => "Mozilla",
    appName: () => "Netscape",
    appVersion: () =>
      StringPrototypeStartsWith(info.userAgent, "Mozilla/")
        ? StringPrototypeSlice(info.userAgent, 8)
        : info.userAgent,
    platform: () => info.platform,
    product: () => "Gecko",
    userAgent: () => info.userAgent,
    language: () => languages[0],
    languages: () => languages,
    onLine: () => true,
    hardwareConcurrency: () => info.hardwareConcurrency,
    ...extra,
  };
  for (const name in attributes) {
    const value = attributes[name];
    ObjectDefineProperty(prototype, name, {
      __proto__: null,
      get() {
        webidl.assertBranded(this, prototype);
        return value();
      },
      enumerable: true,
      configurable: true,
    });
  }
  ObjectDefineProperty(prototype, SymbolFor("Deno.privateCustomInspect"), {
    __proto__: null,
    value(inspect, inspectOptions) {
      return inspect(
        createFilteredInspectProxy({
          object: this,
          evaluate: ObjectPrototypeIsPrototypeOf(prototype, this),
          keys: ["userAgent", "platform", "language", "languages", "hardwareConcurrency", "onLine"],
        }),
        inspectOptions,
      );
    },
  });
}

class Navigator {
  constructor(k = undefined) {
    if (k !== key) webidl.illegalConstructor();
    this[webidl.brand] = webidl.brand;
  }

  get [SymbolToStringTag]() {
    return "Navigator";
  }
}
defineNavigatorAttributes(Navigator.prototype, {
  productSub: () => "20030107",
  vendor: () => "",
  vendorSub: () => "",
  cookieEnabled: () => false,
  maxTouchPoints: () => 0,
});

class WorkerNavigator {
  constructor(k = undefined) {
    if (k !== key) webidl.illegalConstructor();
    this[webidl.brand] = webidl.brand;
  }

  get [SymbolToStringTag]() {
    return "WorkerNavigator";
  }
}
defineNavigatorAttributes(WorkerNavigator.prototype, {});

let windowGlobals = null;
let workerGlobals = null;

return {
  window: () => (windowGlobals ??= { Navigator, navigator: new Navigator(key) }),
  worker: () => (workerGlobals ??= { WorkerNavigator, navigator: new WorkerNavigator(key) }),
};
})();
