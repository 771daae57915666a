//! What the bootstrap of every realm (the window's and each AudioWorklet
//! scope's) needs from Rust to give scripts a browser's global scope; the
//! JS side is `js/02_realm_globals.js`.

use std::sync::atomic::{AtomicBool, Ordering};

use deno_core::op2;

static EXPOSE_GC: AtomicBool = AtomicBool::new(false);

/// `--expose-gc`: realms made from now on keep the engine's global `gc()`
/// (for tests, as V8's flag of that name does).
pub fn set_expose_gc(expose: bool) {
    EXPOSE_GC.store(expose, Ordering::Relaxed);
}

#[op2(fast)]
pub fn op_realm_expose_gc() -> bool {
    EXPOSE_GC.load(Ordering::Relaxed)
}
