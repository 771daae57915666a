// Engine handles: every JS wrapper (context, node, param, PeriodicWave) keeps
// the id of its entry in the extension's handle table (ops/src/handles.rs)
// in a private field and registers here. The id is released when, and only
// when, the wrapper is collected, so it is never reused while JS can hold
// it; releasing it drops the engine handle (the render side then frees the
// node once it can no longer make sound).

(function () {
const { core, primordials } = __bootstrap;
const { op_webaudio_handle_release } = core.ops;
const { SafeFinalizationRegistry } = primordials;

const registry = new SafeFinalizationRegistry(op_webaudio_handle_release);

/** Ties handle `id` to `wrapper`'s lifetime; returns `id`. */
function trackHandle(wrapper, id) {
  registry.register(wrapper, id);
  return id;
}

return { trackHandle };
})();
