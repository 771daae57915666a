//! State that lives on a context's render thread and is made there: the
//! AudioWorklet realm of the `ops` crate. The engine knows nothing of what it
//! is; it keeps it, hands it to processors through
//! [`crate::processor::RenderScope::host`], tells it when a quantum starts,
//! and runs control-side tasks on it.
//!
//! A host need not be `Send` (a JS runtime is not): it is created by a task
//! on the render thread, only ever touched there, and dropped there when the
//! render thread lets its renderer go. Were it dropped on another thread it
//! is leaked instead.

use std::any::Any;
use std::cell::{RefCell, RefMut};
use std::thread::ThreadId;

pub use crate::queues::RenderWake;

/// A render-thread resident made by a [`HostTask`].
pub trait RenderHost: Any {
    /// Called on the render thread each time it applies the control side's
    /// commands: before every rendered quantum, and periodically while the
    /// context is suspended or done rendering (so the host can deliver its
    /// messages then too). `frame` is the context's current frame.
    fn service(&mut self, frame: u64);

    /// For downcasting to the concrete host.
    fn as_any_mut(&mut self) -> &mut dyn Any;

    /// Called when the render thread has nothing to render (the context is
    /// suspended, not started, or finished while the host lives on): wait
    /// until `wake.take()` returns true, doing the host's own work (such as
    /// delivering port messages) meanwhile. Register a task waker with
    /// `wake.register` to be woken from an event loop. The default parks
    /// the thread.
    fn idle(&mut self, wake: &RenderWake) {
        while !wake.take() {
            std::thread::park();
        }
    }
}

/// What a host task sees: the slot (empty until a task fills it) and the
/// render state of the moment.
pub struct HostAccess<'a> {
    pub slot: &'a mut Option<Box<dyn RenderHost>>,
    pub frame: u64,
    pub sample_rate: f32,
}

/// Work the control side sends to run on the render thread, between quanta
/// (any `FnMut(&mut HostAccess) + Send` closure is one). It runs once; its
/// box then goes to the garbage thread, so the render thread frees nothing.
pub trait HostJob: Any + Send {
    fn run(&mut self, access: &mut HostAccess<'_>);
}

impl<F: FnMut(&mut HostAccess<'_>) + Send + 'static> HostJob for F {
    fn run(&mut self, access: &mut HostAccess<'_>) {
        self(access)
    }
}

/// A boxed [`HostJob`].
pub type HostTask = Box<dyn HostJob>;

/// The renderer's slot for its host.
pub(crate) struct HostSlot {
    cell: RefCell<Option<Box<dyn RenderHost>>>,
    /// The thread the host was made on; set with the host.
    thread: Option<ThreadId>,
}

// SAFETY: the host inside is only created, borrowed and dropped on the thread
// recorded in `thread` (every access checks it); the slot moves between
// threads only while it is empty, before the renderer starts rendering.
unsafe impl Send for HostSlot {}

impl HostSlot {
    pub(crate) fn new() -> Self {
        Self {
            cell: RefCell::new(None),
            thread: None,
        }
    }

    fn on_own_thread(&self) -> bool {
        self.thread.is_none_or(|t| t == std::thread::current().id())
    }

    /// Runs `task` with the slot; the first task to fill it pins the host
    /// to this thread.
    pub(crate) fn run(&mut self, task: &mut HostTask, frame: u64, sample_rate: f32) {
        if !self.on_own_thread() {
            return;
        }
        let slot = self.cell.get_mut();
        let was_empty = slot.is_none();
        task.run(&mut HostAccess {
            slot,
            frame,
            sample_rate,
        });
        if was_empty && slot.is_some() {
            self.thread = Some(std::thread::current().id());
        }
    }

    pub(crate) fn service(&mut self, frame: u64) {
        if self.thread.is_some()
            && self.on_own_thread()
            && let Some(host) = self.cell.get_mut()
        {
            host.service(frame);
        }
    }

    /// Lets the host wait for work (see [`RenderHost::idle`]); false when
    /// there is no host on this thread.
    pub(crate) fn idle(&mut self, wake: &RenderWake) -> bool {
        if self.thread.is_none() || !self.on_own_thread() {
            return false;
        }
        match self.cell.get_mut() {
            Some(host) => {
                host.idle(wake);
                true
            }
            None => false,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.thread.is_none()
    }

    /// The host, for a processor on the render thread; `None` when there is
    /// none, on another thread, or while it is already borrowed.
    pub(crate) fn borrow(&self) -> Option<RefMut<'_, dyn RenderHost>> {
        if self.thread.is_none() || !self.on_own_thread() {
            return None;
        }
        let guard = self.cell.try_borrow_mut().ok()?;
        RefMut::filter_map(guard, |h| h.as_deref_mut()).ok()
    }
}

impl Drop for HostSlot {
    fn drop(&mut self) {
        if !self.on_own_thread()
            && let Some(host) = self.cell.get_mut().take()
        {
            // Not the thread it lives on: dropping it here would be unsound.
            std::mem::forget(host);
        }
    }
}
