//! A global allocator for tests that proves the render thread never
//! allocates or frees: every allocation, reallocation and free made on a
//! thread that entered rendering (through [`crate::RENDER_THREAD_HOOK`]) while
//! the check is armed counts as a violation, unless the thread is inside an
//! excused section (the AudioWorklet's JS engine, which allocates by design).
//!
//! A test binary installs it with
//! `#[global_allocator] static A: RenderAllocCheck = RenderAllocCheck;`, calls
//! [`RenderAllocCheck::install`] once, then [`RenderAllocCheck::arm`] and
//! [`RenderAllocCheck::violations`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

thread_local! {
    static ON_RENDER_THREAD: Cell<bool> = const { Cell::new(false) };
    static EXCUSED: Cell<i32> = const { Cell::new(0) };
}
static ARMED: AtomicBool = AtomicBool::new(false);
static VIOLATIONS: AtomicUsize = AtomicUsize::new(0);

/// The checking allocator (forwards to the system allocator).
pub struct RenderAllocCheck;

impl RenderAllocCheck {
    /// Marks every thread that starts rendering from now on.
    pub fn install() {
        let _ = crate::RENDER_THREAD_HOOK.set(|| ON_RENDER_THREAD.with(|f| f.set(true)));
    }

    /// Starts (`true`) or stops counting.
    pub fn arm(armed: bool) {
        ARMED.store(armed, Ordering::SeqCst);
    }

    /// Enters (`true`) or leaves an excused section on this thread; sections
    /// nest, and leaving one that was not entered un-excuses nested code.
    pub fn excuse(enter: bool) {
        EXCUSED.with(|d| d.set(d.get() + if enter { 1 } else { -1 }));
    }

    /// Allocations and frees counted while armed.
    pub fn violations() -> usize {
        VIOLATIONS.load(Ordering::SeqCst)
    }

    fn check() {
        if ARMED.load(Ordering::Relaxed)
            && ON_RENDER_THREAD.try_with(Cell::get).unwrap_or(false)
            && EXCUSED.try_with(Cell::get).unwrap_or(0) <= 0
        {
            VIOLATIONS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for RenderAllocCheck {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::check();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::check();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
