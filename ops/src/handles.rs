//! The engine handles JS holds: a per-runtime table of typed entries, each
//! named by a small integer id that its JS wrapper keeps in a private field.
//!
//! Every wrapper owns exactly one id. The id is released only by the
//! wrapper's `FinalizationRegistry` callback (`02_handles.js`), that is once
//! JS can no longer reach the wrapper, so an id is never reused while JS can
//! hold it. Releasing an entry drops its engine handle: the render side then
//! frees the node once it can no longer make sound. A slot's generation is
//! part of its id, so a stale id (a bug) is a TypeError instead of reaching
//! whatever reuses the slot.
//!
//! The table also decides when to ask the JS engine for a garbage
//! collection ([`Pressure`]): wrappers caught in reference cycles (the
//! ubiquitous `src.onended = () => src.disconnect()`) only go with a
//! collection, and the native memory behind them is invisible to the JS
//! engine's own allocation threshold.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deno_core::{OpState, op2, v8};
use webaudio_engine::context::ParamHandle;
use webaudio_engine::node::periodic_wave::PeriodicWave;

use crate::error::WebAudioError;
use crate::ops::context::ContextResource;
use crate::ops::node::NodeResource;

/// Bits of an id that index the slot; the bits above hold its generation.
const INDEX_BITS: u32 = 22;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Generations wrap at 256: ids stay below 2^30 (a small integer in every
/// JS engine).
const GENERATION_MASK: u32 = 0xff;

/// The native memory counted for an entry that shares its engine object
/// with another (a param's handle, a context's destination).
pub(crate) const CLONE_BYTES: usize = 64;

/// What one id stands for.
pub(crate) enum Handle {
    Context(ContextResource),
    Node(NodeResource),
    Param(ParamHandle),
    PeriodicWave(Arc<PeriodicWave>),
}

struct Slot {
    generation: u32,
    /// The native memory estimate counted for the entry (see [`Pressure`]).
    bytes: usize,
    handle: Option<Handle>,
}

/// AudioBuffer content being acquired (the spec's "acquire the content"),
/// channel by channel, on its way into a node. At most one exists: it is
/// staged and consumed within one synchronous JS call.
pub(crate) struct StagedBuffer {
    pub sample_rate: f32,
    pub length: usize,
    pub channels: Vec<Box<[f32]>>,
}

#[derive(Default)]
pub struct HandleTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    native_bytes: usize,
    pressure: Pressure,
    staged: Option<StagedBuffer>,
}

fn illegal_invocation(what: &str) -> WebAudioError {
    WebAudioError::Type(format!("Illegal invocation: not {what}"))
}

impl HandleTable {
    /// Adds an entry whose engine side holds about `bytes` of native memory.
    pub(crate) fn insert(&mut self, handle: Handle, bytes: usize) -> Result<u32, WebAudioError> {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = self.slots.len() as u32;
                if index > INDEX_MASK {
                    return Err(WebAudioError::NotSupported(format!(
                        "too many live Web Audio objects (at most {})",
                        INDEX_MASK as u64 + 1
                    )));
                }
                self.slots.push(Slot {
                    generation: 0,
                    bytes: 0,
                    handle: None,
                });
                index
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.handle = Some(handle);
        slot.bytes = bytes;
        self.live += 1;
        self.native_bytes += bytes;
        self.pressure.made_since += 1;
        Ok(index | (slot.generation << INDEX_BITS))
    }

    /// Removes the entry of `id` (nothing if the id is stale).
    pub(crate) fn release(&mut self, id: u32) -> Option<Handle> {
        let index = id & INDEX_MASK;
        let slot = self.slots.get_mut(index as usize)?;
        if slot.generation != id >> INDEX_BITS {
            return None;
        }
        let handle = slot.handle.take()?;
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        self.live -= 1;
        self.native_bytes -= slot.bytes;
        self.free.push(index);
        self.pressure.released(self.native_bytes);
        Some(handle)
    }

    /// Counts `bytes` more native memory for the entry of `id` (content a
    /// node acquired after it was made).
    pub(crate) fn add_bytes(&mut self, id: u32, bytes: usize) {
        let Some(slot) = self.slots.get_mut((id & INDEX_MASK) as usize) else {
            return;
        };
        if slot.generation == id >> INDEX_BITS && slot.handle.is_some() {
            slot.bytes += bytes;
            self.native_bytes += bytes;
        }
    }

    fn get(&self, id: u32) -> Option<&Handle> {
        let slot = self.slots.get((id & INDEX_MASK) as usize)?;
        if slot.generation != id >> INDEX_BITS {
            return None;
        }
        slot.handle.as_ref()
    }

    pub(crate) fn context(&self, id: u32) -> Result<&ContextResource, WebAudioError> {
        match self.get(id) {
            Some(Handle::Context(c)) => Ok(c),
            _ => Err(illegal_invocation("a BaseAudioContext")),
        }
    }

    pub(crate) fn node(&self, id: u32) -> Result<&NodeResource, WebAudioError> {
        match self.get(id) {
            Some(Handle::Node(n)) => Ok(n),
            _ => Err(illegal_invocation("an AudioNode")),
        }
    }

    pub(crate) fn param(&self, id: u32) -> Result<&ParamHandle, WebAudioError> {
        match self.get(id) {
            Some(Handle::Param(p)) => Ok(p),
            _ => Err(illegal_invocation("an AudioParam")),
        }
    }

    pub(crate) fn periodic_wave(&self, id: u32) -> Result<&Arc<PeriodicWave>, WebAudioError> {
        match self.get(id) {
            Some(Handle::PeriodicWave(w)) => Ok(w),
            _ => Err(illegal_invocation("a PeriodicWave")),
        }
    }

    /// Starts staging AudioBuffer content (replacing any left over by a
    /// call that threw half-way).
    pub(crate) fn stage_buffer(&mut self, sample_rate: f32, length: usize, channels: usize) {
        self.staged = Some(StagedBuffer {
            sample_rate,
            length,
            channels: Vec::with_capacity(channels),
        });
    }

    pub(crate) fn staged_buffer(&mut self) -> Option<&mut StagedBuffer> {
        self.staged.as_mut()
    }

    /// Takes the staged content (for the op that hands it to a node).
    pub(crate) fn take_staged_buffer(&mut self) -> Option<StagedBuffer> {
        self.staged.take()
    }

    /// Whether a collection should run now (see [`Pressure`]).
    fn collection_due(&self, now: Instant) -> bool {
        self.pressure.due(self.native_bytes, now)
    }
}

/// The table in `state`.
pub(crate) fn handles(state: &OpState) -> &HandleTable {
    state.borrow::<HandleTable>()
}

// ---------------------------------------------------------------------------
// GC pressure

/// Native memory growth (bytes live in the table beyond the low-water mark
/// since the last collection) that always triggers a collection.
const GROWTH_MIN: usize = 16 << 20;
/// How soon after a collection the time rule may run another.
const TIME_BOUND: Duration = Duration::from_millis(500);
/// The time rule never spends more than 1/20 of the wall time collecting.
const COST_FACTOR: u32 = 20;

/// When to ask the JS engine for a full collection. Two rules, both cheap to
/// evaluate on every handle made:
///
/// - growth: the native bytes live in the table grew, since the last
///   collection, by more than what was live then (and at least
///   [`GROWTH_MIN`]). A collection costs about what is live, so its cost is
///   amortised over as many bytes made (the rule V8 and QuickJS use for
///   their own heaps).
/// - time: [`TIME_BOUND`] has passed since the last collection (or 20 times
///   what it took, if longer), and since then either handles were made and
///   native memory grew, or sources ended (each may have become garbage
///   held by a cycle: its node, its `onended` closure). A realtime app
///   making a few nodes per note never waits much more than half a second
///   for its ended, unreachable nodes to leave the render graph.
///
/// The low-water mark follows releases down, so garbage freed by reference
/// counting (wrappers in no cycle, the common case) never counts as growth.
struct Pressure {
    baseline: usize,
    made_since: usize,
    ended_since: usize,
    last: Instant,
    last_cost: Duration,
    collections: u64,
    total_cost: Duration,
}

impl Default for Pressure {
    fn default() -> Self {
        Self {
            baseline: 0,
            made_since: 0,
            ended_since: 0,
            last: Instant::now(),
            last_cost: Duration::ZERO,
            collections: 0,
            total_cost: Duration::ZERO,
        }
    }
}

impl Pressure {
    fn due(&self, live_bytes: usize, now: Instant) -> bool {
        let growth = live_bytes.saturating_sub(self.baseline);
        if growth >= GROWTH_MIN.max(self.baseline) {
            return true;
        }
        let activity = (growth > 0 && self.made_since > 0) || self.ended_since > 0;
        activity && now.duration_since(self.last) >= TIME_BOUND.max(self.last_cost * COST_FACTOR)
    }

    fn released(&mut self, live_bytes: usize) {
        self.baseline = self.baseline.min(live_bytes);
    }

    fn collected(&mut self, live_bytes: usize, started: Instant, cost: Duration) {
        self.baseline = live_bytes;
        self.made_since = 0;
        self.ended_since = 0;
        self.last = started + cost;
        self.last_cost = cost;
        self.collections += 1;
        self.total_cost += cost;
    }
}

/// Runs a full collection if one is due. Must not be called while the
/// OpState is borrowed (the collection runs finalizers), nor from a fast
/// op: V8's fast calls must not trigger a garbage collection, so every op
/// that can get here is a plain `#[op2]`.
pub(crate) fn collect_if_due(state: &Rc<RefCell<OpState>>, isolate: &mut v8::Isolate) {
    let now = Instant::now();
    if !handles(&state.borrow()).collection_due(now) {
        return;
    }
    isolate.low_memory_notification();
    let cost = now.elapsed();
    let mut state = state.borrow_mut();
    let table = state.borrow_mut::<HandleTable>();
    let live = table.native_bytes;
    table.pressure.collected(live, now, cost);
}

/// Adds the entry `make` builds (from the table as it is) and returns its
/// id, collecting garbage first if the new native memory makes it due.
pub(crate) fn create(
    state: &Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    make: impl FnOnce(&HandleTable) -> Result<(Handle, usize), WebAudioError>,
) -> Result<u32, WebAudioError> {
    let id = {
        let mut state = state.borrow_mut();
        let table = state.borrow_mut::<HandleTable>();
        let (handle, bytes) = make(table)?;
        table.insert(handle, bytes)?
    };
    collect_if_due(state, isolate);
    Ok(id)
}

/// A wrapper was collected: its entry goes (`FinalizationRegistry`
/// callback).
#[op2(fast)]
pub fn op_webaudio_handle_release(state: &mut OpState, #[smi] id: u32) {
    let handle = state.borrow_mut::<HandleTable>().release(id);
    // Dropped here, after the table is updated: dropping the last handle of
    // a context joins its threads.
    drop(handle);
}

/// Called by each context's event pump on every event and tick (at least
/// every 100 ms): applies the time rule while no handle is being made.
/// `ended`: the event was a source's `ended`.
#[op2(nofast)]
pub fn op_webaudio_collect_if_due(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    ended: bool,
) {
    if ended {
        state
            .borrow_mut()
            .borrow_mut::<HandleTable>()
            .pressure
            .ended_since += 1;
    }
    collect_if_due(&state, isolate);
}

/// `[live handles, native bytes estimated, collections requested,
/// milliseconds spent in them]`, for `WebAudioRun.handleStats()`.
#[op2]
#[serde]
pub fn op_webaudio_handle_stats(state: &OpState) -> (f64, f64, f64, f64) {
    let table = handles(state);
    (
        table.live as f64,
        table.native_bytes as f64,
        table.pressure.collections as f64,
        table.pressure.total_cost.as_secs_f64() * 1000.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dummy_wave() -> Handle {
        use webaudio_engine::node::periodic_wave::PeriodicWaveOptions;
        let wave = PeriodicWave::new(PeriodicWaveOptions {
            real: None,
            imag: None,
            disable_normalization: false,
        })
        .expect("default wave");
        Handle::PeriodicWave(Arc::new(wave))
    }

    #[test]
    fn ids_are_reused_with_a_new_generation() {
        let mut table = HandleTable::default();
        let a = table.insert(dummy_wave(), 10).unwrap();
        assert!(table.periodic_wave(a).is_ok());
        assert!(table.release(a).is_some());
        assert!(table.periodic_wave(a).is_err(), "stale id");
        assert!(table.release(a).is_none(), "released once");
        let b = table.insert(dummy_wave(), 10).unwrap();
        assert_eq!(a & INDEX_MASK, b & INDEX_MASK, "slot reused");
        assert_ne!(a, b);
        assert!(table.periodic_wave(a).is_err());
        assert!(table.periodic_wave(b).is_ok());
        assert!(b < 1 << 30);
        assert_eq!(table.live, 1);
        assert_eq!(table.native_bytes, 10);
    }

    #[test]
    fn wrong_kind_is_a_type_error() {
        let mut table = HandleTable::default();
        let a = table.insert(dummy_wave(), 0).unwrap();
        assert!(matches!(table.node(a), Err(WebAudioError::Type(_))));
        assert!(matches!(table.param(a), Err(WebAudioError::Type(_))));
        assert!(matches!(table.context(a), Err(WebAudioError::Type(_))));
    }

    #[test]
    fn generations_wrap_below_the_small_integer_range() {
        let mut table = HandleTable::default();
        for _ in 0..1000 {
            let id = table.insert(dummy_wave(), 0).unwrap();
            assert!(id < 1 << 30);
            table.release(id);
        }
    }

    #[test]
    fn growth_rule_is_proportional_to_what_is_live() {
        let now = Instant::now();
        let mut p = Pressure {
            last: now,
            ..Pressure::default()
        };
        assert!(!p.due(GROWTH_MIN - 1, now));
        assert!(p.due(GROWTH_MIN, now));
        p.collected(100 << 20, now, Duration::ZERO);
        assert!(!p.due(150 << 20, now), "50 MB grown over 100 MB live");
        assert!(p.due(200 << 20, now));
        // Memory freed by reference counting lowers the mark.
        p.released(10 << 20);
        assert!(p.due(26 << 20, now));
    }

    #[test]
    fn ended_sources_bring_a_collection_without_growth() {
        let start = Instant::now();
        let mut p = Pressure::default();
        p.collected(1000, start, Duration::ZERO);
        assert!(!p.due(1000, start + TIME_BOUND));
        p.ended_since = 1;
        assert!(!p.due(1000, start + TIME_BOUND / 2));
        assert!(p.due(1000, start + TIME_BOUND));
    }

    #[test]
    fn time_rule_needs_new_handles_and_growth_and_respects_the_cost() {
        let start = Instant::now();
        let mut p = Pressure::default();
        p.collected(1000, start, Duration::ZERO);
        let later = start + TIME_BOUND;
        assert!(!p.due(2000, later), "no handle made since");
        p.made_since = 1;
        assert!(!p.due(1000, later), "no growth");
        assert!(p.due(2000, later));
        assert!(!p.due(2000, start + TIME_BOUND / 2));
        // A slow collection spaces the next ones out.
        p.collected(1000, start, Duration::from_millis(100));
        p.made_since = 1;
        let after = start + Duration::from_millis(100);
        assert!(!p.due(2000, after + TIME_BOUND));
        assert!(p.due(2000, after + Duration::from_secs(2)));
    }
}
