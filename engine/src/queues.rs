//! The lock-free queues between the control thread, the render thread and
//! the housekeeping service, and the signals that wake each of them.
//!
//! A context's queues live in one [`Link`], made when its render thread
//! starts and released when that thread is done (an offline context that
//! finished, a closed realtime context): a finished context keeps no queue,
//! no thread and no render memory.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::thread::Thread;
use std::time::Instant;

use atomic_waker::AtomicWaker;
use crossbeam_queue::ArrayQueue;

use crate::message::EngineEvent;
use crate::render::CommandQueue;

/// Anything the render thread is done with. It is moved to the
/// housekeeping service to be dropped there, so the render thread never
/// frees memory.
pub type Trash = Box<dyn std::any::Any + Send>;

/// Render-to-control events.
pub type EventQueue = ArrayQueue<EngineEvent>;

/// Render-to-housekeeping payloads.
pub type GarbageQueue = ArrayQueue<Trash>;

const COMMAND_QUEUE: usize = 8192;
const EVENT_QUEUE: usize = 8192;
const GARBAGE_QUEUE: usize = 65536;

/// Wakes a render thread that waits for work (suspended, not started, or
/// done rendering but keeping an AudioWorklet scope), without a lock: a
/// flag, a thread unpark and a task waker for hosts that wait in their own
/// event loop.
#[derive(Default)]
pub struct RenderWake {
    idle: AtomicBool,
    woken: AtomicBool,
    thread: OnceLock<Thread>,
    waker: AtomicWaker,
}

impl RenderWake {
    /// Wakes the render thread if it waits (cheap otherwise).
    pub(crate) fn wake(&self) {
        if self.idle.load(Ordering::SeqCst) {
            self.force();
        }
    }

    /// Wakes the render thread whether or not it waits.
    pub(crate) fn force(&self) {
        self.woken.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.get() {
            t.unpark();
        }
        self.waker.wake();
    }

    /// Render thread: records the thread to unpark (once).
    pub(crate) fn bind_current_thread(&self) {
        let _ = self.thread.set(std::thread::current());
    }

    /// Render thread: marks it as waiting; `false` if a wake came already.
    pub(crate) fn begin_idle(&self) -> bool {
        self.idle.store(true, Ordering::SeqCst);
        if self.woken.swap(false, Ordering::SeqCst) {
            self.idle.store(false, Ordering::SeqCst);
            return false;
        }
        true
    }

    pub(crate) fn end_idle(&self) {
        self.idle.store(false, Ordering::SeqCst);
    }

    /// Render thread: whether a wake came since the last call.
    pub fn take(&self) -> bool {
        self.woken.swap(false, Ordering::SeqCst)
    }

    /// Registers the waker of a host that waits in its own event loop.
    pub fn register(&self, waker: &std::task::Waker) {
        self.waker.register(waker);
    }
}

/// The control side's housekeeping, run by the service on behalf of a
/// context (it holds no reference that keeps the context alive).
pub(crate) trait Chores: Send + Sync {
    /// Sends a batch the host did not send itself once it is old enough;
    /// returns when to look again while one is held.
    fn flush(&self) -> Option<Instant>;
    /// The render side is gone: detaches the link from the control side.
    fn detach(&self, link: &Arc<Link>);
}

/// What one context's control side, render thread and the housekeeping
/// service share while it renders.
pub struct Link {
    pub(crate) commands: Arc<CommandQueue>,
    pub(crate) events: EventQueue,
    pub(crate) garbage: GarbageQueue,
    pub(crate) waker: Arc<AtomicWaker>,
    pub(crate) render: RenderWake,
    pub(crate) chores: Weak<dyn Chores>,
    /// Set by the render thread when it left work for the service.
    pub(crate) pending: AtomicBool,
    /// Set when the render side is gone for good.
    pub(crate) retired: AtomicBool,
    /// Commands wait in the control side's overflow (the queue was full):
    /// the render thread asks the service to push them once it drained.
    pub(crate) overflowing: AtomicBool,
    /// When the service should next run `chores.flush` (ns since the
    /// service's epoch; 0 = not needed).
    pub(crate) deadline: AtomicU64,
}

impl Link {
    pub(crate) fn new(waker: Arc<AtomicWaker>, chores: Weak<dyn Chores>) -> Arc<Self> {
        let link = Arc::new(Self {
            commands: Arc::new(ArrayQueue::new(COMMAND_QUEUE)),
            events: ArrayQueue::new(EVENT_QUEUE),
            garbage: ArrayQueue::new(GARBAGE_QUEUE),
            waker,
            render: RenderWake::default(),
            chores,
            pending: AtomicBool::new(false),
            retired: AtomicBool::new(false),
            overflowing: AtomicBool::new(false),
            deadline: AtomicU64::new(0),
        });
        crate::service::register(link.clone());
        link
    }

    /// Render thread: asks the service to drain garbage and deliver events
    /// (no lock, no allocation: a flag and at most one unpark).
    pub(crate) fn signal_service(&self) {
        if !self.pending.swap(true, Ordering::AcqRel) {
            crate::service::wake();
        }
    }

    /// Control side: asks the service to run the chores' flush at `at`.
    pub(crate) fn flush_at(&self, at: Instant) {
        let nanos = crate::service::nanos_since_epoch(at).max(1);
        let old = self.deadline.load(Ordering::Acquire);
        if old == 0 || nanos < old {
            self.deadline.store(nanos, Ordering::Release);
            crate::service::wake();
        }
    }

    /// The render side is done with this link: the service drains it one
    /// last time and the control side lets it go.
    pub(crate) fn retire(&self) {
        self.retired.store(true, Ordering::Release);
        self.pending.store(true, Ordering::Release);
        crate::service::wake();
    }
}
