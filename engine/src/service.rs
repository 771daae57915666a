//! The housekeeping service: one thread for the whole process that drops
//! what render threads discard, wakes the control side when events arrive,
//! sends a batch of graph changes a host left unsent, and lets go of the
//! [`Link`] of a context whose render side is done.
//!
//! It parks until a render thread or the control side signals work (or
//! until the deadline of a held batch): idle and finished contexts cost no
//! CPU, and no context has a housekeeping thread of its own.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crate::queues::Link;

static LINKS: Mutex<Vec<Arc<Link>>> = Mutex::new(Vec::new());
static THREAD: OnceLock<Thread> = OnceLock::new();
static EPOCH: OnceLock<Instant> = OnceLock::new();

fn links() -> MutexGuard<'static, Vec<Arc<Link>>> {
    LINKS.lock().unwrap_or_else(|e| e.into_inner())
}

fn epoch() -> Instant {
    *EPOCH.get_or_init(Instant::now)
}

pub(crate) fn nanos_since_epoch(at: Instant) -> u64 {
    at.saturating_duration_since(epoch()).as_nanos() as u64
}

/// Wakes the service (from any thread, render threads included: an atomic
/// swap, and a futex wake only when it is parked).
pub(crate) fn wake() {
    if let Some(t) = THREAD.get() {
        t.unpark();
    }
}

/// Hands a new link to the service, starting the service on first use.
pub(crate) fn register(link: Arc<Link>) {
    epoch();
    links().push(link);
    let thread = THREAD.get_or_init(|| {
        std::thread::Builder::new()
            .name("webaudio-housekeeping".into())
            .spawn(run)
            .expect("spawn the housekeeping thread")
            .thread()
            .clone()
    });
    thread.unpark();
}

/// Links currently registered (for tests: finished contexts leave none).
pub fn registered_links() -> usize {
    links().len()
}

fn run() {
    loop {
        let next = tick(Instant::now());
        match next {
            Some(at) => std::thread::park_timeout(at.saturating_duration_since(Instant::now())),
            None => std::thread::park(),
        }
    }
}

/// One pass over every link; returns the earliest deadline still ahead.
fn tick(now: Instant) -> Option<Instant> {
    let snapshot: Vec<Arc<Link>> = links().clone();
    let mut next: Option<Instant> = None;
    let mut done: Vec<*const Link> = Vec::new();
    for link in &snapshot {
        let retired = link.retired.load(Ordering::Acquire);
        if link.pending.swap(false, Ordering::AcqRel) || retired {
            while let Some(trash) = link.garbage.pop() {
                drop(trash);
            }
            if !link.events.is_empty() {
                link.waker.wake();
            }
        }
        let chores = link.chores.upgrade();
        if retired {
            if let Some(chores) = &chores {
                chores.detach(link);
            }
            link.waker.wake();
            done.push(Arc::as_ptr(link));
            continue;
        }
        let due = link.deadline.load(Ordering::Acquire);
        let overflowing = link.overflowing.load(Ordering::Acquire);
        if due == 0 && !overflowing {
            continue;
        }
        let at = epoch() + Duration::from_nanos(due);
        if due != 0 && at > now && !overflowing {
            next = Some(next.map_or(at, |n| n.min(at)));
            continue;
        }
        link.deadline.store(0, Ordering::Release);
        if let Some(again) = chores.and_then(|c| c.flush()) {
            let nanos = nanos_since_epoch(again).max(1);
            link.deadline.store(nanos, Ordering::Release);
            next = Some(next.map_or(again, |n| n.min(again)));
        }
    }
    if !done.is_empty() {
        links().retain(|l| !done.contains(&Arc::as_ptr(l)));
    }
    // The last references to retired links usually go here, with their
    // queues.
    drop(snapshot);
    next
}
