// What the bootstrap of every realm (the window's and each AudioWorklet
// scope's) applies to its global object so that scripts see a browser's
// global scope: the engine's own helpers are removed, and deno_web's
// EventTarget checks the argument of dispatchEvent as WebIDL says.

(function () {
const { core, primordials } = __bootstrap;
const { op_realm_expose_gc } = core.ops;
const {
  ArrayPrototypeIncludes,
  FunctionPrototypeCall,
  ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetOwnPropertyNames,
  ObjectPrototypeIsPrototypeOf,
  ReflectApply,
  StringPrototypeStartsWith,
  SymbolFor,
  TypeError,
} = primordials;

/** Globals of QuickJS and its V8-shaped facade that no browser has. */
const ENGINE_GLOBALS = ["gc", "InternalError", "ShadowRealm"];
/** The facade's helpers are all named `__v8x...`. */
const ENGINE_PREFIX = "__v8x";
/** Registered symbols the facade's Temporal polyfill leaves on the global. */
const ENGINE_SYMBOLS = [
  SymbolFor("@@Temporal__GetSlots"),
  SymbolFor("@@Temporal__CreateSlots"),
];

/**
 * Removes the engine's globals from `global`; with `--expose-gc` the
 * engine's `gc()` stays (non-enumerable), for tests.
 */
function removeEngineGlobals(global) {
  const gc = global.gc;
  for (const name of ObjectGetOwnPropertyNames(global)) {
    if (
      StringPrototypeStartsWith(name, ENGINE_PREFIX) ||
      ArrayPrototypeIncludes(ENGINE_GLOBALS, name)
    ) {
      delete global[name];
    }
  }
  for (let i = 0; i < ENGINE_SYMBOLS.length; i++) {
    delete global[ENGINE_SYMBOLS[i]];
  }
  if (op_realm_expose_gc() && typeof gc === "function") {
    ObjectDefineProperty(global, "gc", {
      __proto__: null,
      value: gc,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
}

/**
 * Makes `EventTarget.prototype.dispatchEvent` throw WebIDL's TypeError for
 * an argument that is not an Event, where deno_web would fail inside with
 * "Cannot set properties of undefined".
 */
function checkDispatchEventArgument(eventModule) {
  const { Event, EventTarget } = eventModule;
  const EventPrototype = Event.prototype;
  const eventPhase = ObjectGetOwnPropertyDescriptor(EventPrototype, "eventPhase").get;
  const dispatchEvent = EventTarget.prototype.dispatchEvent;
  /**
   * An Event made by its constructor (its getters find their slots), not a
   * Proxy of one: platform objects are never proxies.
   */
  function isEvent(value) {
    try {
      return !core.isProxy(value) &&
        ObjectPrototypeIsPrototypeOf(EventPrototype, value) &&
        typeof FunctionPrototypeCall(eventPhase, value) === "number";
    } catch {
      return false;
    }
  }
  const checked = {
    dispatchEvent(event) {
      if (arguments.length > 0 && !isEvent(event)) {
        throw new TypeError(
          "Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.",
        );
      }
      return ReflectApply(dispatchEvent, this, arguments);
    },
  };
  ObjectDefineProperty(EventTarget.prototype, "dispatchEvent", {
    __proto__: null,
    value: checked.dispatchEvent,
  });
}

return { checkDispatchEventArgument, removeEngineGlobals };
})();
