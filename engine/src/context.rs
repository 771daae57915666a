//! The control side of a context: what the `ops` crate calls from the JS
//! thread.
//!
//! A [`Context`] is a cheap, cloneable handle (`Arc` inside; `Send + Sync`).
//! Nodes are created from a [`NodeSpec`] and a boxed [`Processor`] and come
//! back as a [`NodeHandle`]; node-specific wrappers (`node::gain::GainNode`,
//! ...) are built on top of it. Every call validates synchronously and
//! returns a typed [`Error`]; accepted calls become commands for the render
//! thread. No call ever waits for the render thread.
//!
//! Asynchronous outcomes (state changes, `ended`, offline completion) come
//! back as [`EngineEvent`]s: read them with [`Context::try_event`], the
//! `async` [`Context::next_event`], or the blocking [`Context::wait_event`].
//! Reading events also advances the control thread's view of the context
//! state ([`Context::state`]), as the spec's `[[control thread state]]`.

use std::collections::{BTreeSet, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;

use crate::error::{Error, ErrorKind};
use crate::graph::{
    DelayRole, EdgeDest, FreedIds, Mirror, MirrorNode, ParamSlot, Patch, RenderNode, Target,
};
use crate::message::{EngineEvent, NodeId, NodeMessage};
use crate::mixing::{ChannelConfig, ChannelCountMode, ChannelInterpretation};
use crate::node::delay::DelayMessage;
use crate::node::destination::DestinationProcessor;
use crate::param::{AutomationRate, ParamCommand, ParamControl, ParamDescriptor, ParamError};
use crate::processor::Processor;
use crate::queues::{Chores, Link};
use crate::render::{Command, MAX_PARAMS, NodeTable, Renderer, Shared};
use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

pub use crate::render::ContextState;

/// The spec's required sample-rate range.
pub const MIN_SAMPLE_RATE: f32 = 3000.0;
pub const MAX_SAMPLE_RATE: f32 = 768_000.0;

// ---------------------------------------------------------------------------
// Channel rules

/// How `channelCount` may be set on a node kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountRule {
    /// 1..=`max`; anything else throws `error` (NotSupportedError by
    /// default, IndexSizeError for a realtime destination).
    Range { max: usize, error: ErrorKind },
    /// Cannot change (setting the current value is allowed).
    Fixed { error: ErrorKind },
}

/// How `channelCountMode` may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeRule {
    Any,
    /// "max" is rejected (ConvolverNode, PannerNode, ...).
    NotMax {
        error: ErrorKind,
    },
    Fixed {
        error: ErrorKind,
    },
}

/// The per-node-kind channel constraints of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelConstraints {
    pub count: CountRule,
    pub mode: ModeRule,
    /// `Some(error)`: channelInterpretation cannot change.
    pub interpretation_fixed: Option<ErrorKind>,
}

impl Default for ChannelConstraints {
    fn default() -> Self {
        Self {
            count: CountRule::Range {
                max: MAX_CHANNELS,
                error: ErrorKind::NotSupported,
            },
            mode: ModeRule::Any,
            interpretation_fixed: None,
        }
    }
}

impl ChannelConstraints {
    pub fn check_count(&self, current: usize, n: usize) -> Result<(), Error> {
        match self.count {
            CountRule::Range { max, error } => {
                if n == 0 || n > max {
                    return Err(
                        error.error(format!("channelCount {n} is outside the range [1, {max}]"))
                    );
                }
            }
            CountRule::Fixed { error } => {
                if n != current {
                    return Err(error.error("channelCount cannot be changed on this node"));
                }
            }
        }
        if n == 0 || n > MAX_CHANNELS {
            return Err(Error::NotSupported(format!(
                "channelCount {n} is outside the range [1, {MAX_CHANNELS}]"
            )));
        }
        Ok(())
    }

    pub fn check_mode(
        &self,
        current: ChannelCountMode,
        mode: ChannelCountMode,
    ) -> Result<(), Error> {
        match self.mode {
            ModeRule::Any => Ok(()),
            ModeRule::NotMax { error } if mode == ChannelCountMode::Max => {
                Err(error.error("channelCountMode cannot be \"max\" on this node"))
            }
            ModeRule::NotMax { .. } => Ok(()),
            ModeRule::Fixed { error } if mode != current => {
                Err(error.error("channelCountMode cannot be changed on this node"))
            }
            ModeRule::Fixed { .. } => Ok(()),
        }
    }

    pub fn check_interpretation(
        &self,
        current: ChannelInterpretation,
        value: ChannelInterpretation,
    ) -> Result<(), Error> {
        match self.interpretation_fixed {
            Some(error) if value != current => {
                Err(error.error("channelInterpretation cannot be changed on this node"))
            }
            _ => Ok(()),
        }
    }
}

/// What the graph needs to know about a node kind.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub number_of_inputs: usize,
    pub number_of_outputs: usize,
    /// Initial channel attributes (already validated by the node's
    /// constructor against `constraints`).
    pub channel_config: ChannelConfig,
    pub constraints: ChannelConstraints,
    /// The node's AudioParams; `ProcessIo::params` follows this order.
    pub params: Vec<ParamDescriptor>,
    /// Join the graph with the next processing order (the end of the JS
    /// task that made it, with the connections made in that task) rather
    /// than at once: for processors that observe their inputs from the
    /// first quantum, such as an AudioWorkletProcessor.
    pub wait_for_edges: bool,
}

impl NodeSpec {
    /// A node with the default channel attributes (2, max, speakers).
    pub fn new(inputs: usize, outputs: usize, params: Vec<ParamDescriptor>) -> Self {
        Self {
            number_of_inputs: inputs,
            number_of_outputs: outputs,
            channel_config: ChannelConfig::default(),
            constraints: ChannelConstraints::default(),
            params,
            wait_for_edges: false,
        }
    }
}

// ---------------------------------------------------------------------------
// Options

/// `AudioContextLatencyCategory` or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum LatencyHint {
    #[default]
    Interactive,
    Balanced,
    Playback,
    Seconds(f64),
}

/// Where a realtime context's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SinkChoice {
    /// The default output device; falls back to [`SinkChoice::None`] (with
    /// one warning on stderr) when no device can be opened.
    #[default]
    Default,
    /// No device: a thread renders one quantum per quantum of wall time
    /// (`AudioSinkInfo { type: "none" }`).
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RealtimeOptions {
    /// `None`: the device's rate (48000 without a device).
    pub sample_rate: Option<f32>,
    pub latency_hint: LatencyHint,
    pub sink: SinkChoice,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfflineOptions {
    pub number_of_channels: usize,
    pub length: usize,
    pub sample_rate: f32,
}

/// `AudioTimestamp`: a context time and the wall-clock instant at which the
/// sample at that time is (predicted to be) played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutputTimestamp {
    pub context_time: f64,
    pub instant: Instant,
}

// ---------------------------------------------------------------------------
// Shared internals

/// Timing data the sink publishes (f64 values as bits).
#[derive(Debug, Default)]
pub(crate) struct Timing {
    pub base_latency: AtomicU64,
    pub output_latency: AtomicU64,
    /// Frame and nanoseconds since `Inner::epoch` of the last callback.
    pub stamp_frame: AtomicU64,
    pub stamp_nanos: AtomicU64,
    /// Render load of a realtime context: quanta rendered, the time spent
    /// rendering them (commands included) and the longest one, in ns.
    pub load_quanta: AtomicU64,
    pub load_nanos: AtomicU64,
    pub load_peak_nanos: AtomicU64,
}

impl Timing {
    /// Counts one rendered quantum that took `nanos` (render thread).
    pub(crate) fn record_render(&self, nanos: u64) {
        self.load_quanta.fetch_add(1, Ordering::Relaxed);
        self.load_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.load_peak_nanos.fetch_max(nanos, Ordering::Relaxed);
    }
}

/// How busy a realtime context's render thread has been: see
/// [`Context::render_load`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RenderLoad {
    /// Quanta rendered since the context started (or the last reset).
    pub quanta: u64,
    /// Mean time per quantum over the quantum's duration (1.0 = the whole
    /// real-time budget).
    pub average: f64,
    /// The longest quantum over the quantum's duration.
    pub peak: f64,
}

/// The control side's end of the command queue.
///
/// Commands the queue cannot take yet wait in `overflow`, in order (never
/// lost, never blocking); so do all commands while no render thread is
/// attached yet (an offline context that has not started). While the
/// graph's edges have changed but the new processing order is not computed
/// yet, commands are *held* in `overflow` too: the topology is computed once
/// per batch ([`Context::flush`], or the housekeeping service a few
/// milliseconds later) and inserted where the hold began, so the render
/// thread never sees a command that depends on an edge before the order
/// that contains it.
pub(crate) struct Outbox {
    state: Mutex<OutboxState>,
    sent: AtomicU64,
    /// Nothing drains the queue any more (the render side is gone):
    /// commands are dropped here instead of piling up.
    closed: AtomicBool,
}

struct OutboxState {
    /// The render side's queues, while it runs.
    link: Option<Arc<Link>>,
    overflow: VecDeque<Command>,
    /// Where the held batch starts in `overflow`.
    hold_at: Option<usize>,
    /// When the held batch started.
    held_since: Option<Instant>,
    /// Events still unread when the render side went away.
    late_events: VecDeque<EngineEvent>,
}

/// How long the housekeeping service leaves a held batch for the host's
/// own [`Context::flush`] (the end of the JS task that made the changes)
/// before it sends the batch itself; longer when computing the order is
/// slow, so that it never takes more than a tenth of the time.
const HOUSEKEEPING_GRACE: Duration = Duration::from_millis(5);

impl OutboxState {
    /// Moves waiting commands into the queue while it has room (none while
    /// a batch is held).
    fn push_overflow(&mut self) {
        let Some(link) = &self.link else {
            return;
        };
        if self.hold_at.is_none() {
            let mut pushed = false;
            while let Some(cmd) = self.overflow.pop_front() {
                if let Err(cmd) = link.commands.push(cmd) {
                    self.overflow.push_front(cmd);
                    break;
                }
                pushed = true;
            }
            if pushed {
                wake_render(link);
            }
        }
        link.overflowing
            .store(!self.overflow.is_empty(), Ordering::Release);
        if self.overflow.is_empty() && self.overflow.capacity() > 256 {
            // A burst's room goes with it.
            self.overflow = VecDeque::new();
        }
    }
}

/// Wakes the render thread if it waits for commands. The fence pairs with
/// the one in `Renderer::wait_for_work`.
fn wake_render(link: &Link) {
    std::sync::atomic::fence(Ordering::SeqCst);
    link.render.wake();
}

impl Outbox {
    fn new() -> Self {
        Self {
            state: Mutex::new(OutboxState {
                link: None,
                overflow: VecDeque::new(),
                hold_at: None,
                held_since: None,
                late_events: VecDeque::new(),
            }),
            sent: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        }
    }

    fn send(&self, cmd: Command) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let mut st = lock(&self.state);
        self.sent.fetch_add(1, Ordering::AcqRel);
        st.push_overflow();
        if st.hold_at.is_some() || !st.overflow.is_empty() || st.link.is_none() {
            st.overflow.push_back(cmd);
        } else if let Some(link) = &st.link {
            match link.commands.push(cmd) {
                Ok(()) => wake_render(link),
                Err(cmd) => st.overflow.push_back(cmd),
            }
        }
        if let Some(link) = &st.link {
            link.overflowing
                .store(!st.overflow.is_empty(), Ordering::Release);
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Connects the render side's queues (commands waiting go in first).
    fn attach(&self, link: Arc<Link>) {
        let mut st = lock(&self.state);
        st.link = Some(link);
        self.closed.store(false, Ordering::Release);
        st.push_overflow();
    }

    /// The render side behind `link` is gone: keeps its unread events,
    /// drops what waits for it and closes the outbox.
    fn detach(&self, link: &Arc<Link>) {
        let mut st = lock(&self.state);
        if !st.link.as_ref().is_some_and(|l| Arc::ptr_eq(l, link)) {
            return;
        }
        self.closed.store(true, Ordering::Release);
        while let Some(e) = link.events.pop() {
            st.late_events.push_back(e);
        }
        st.link = None;
        st.hold_at = None;
        st.held_since = None;
        let overflow = std::mem::take(&mut st.overflow);
        drop(st);
        drop(overflow);
        while link.commands.pop().is_some() {}
    }

    /// The render side's wake signal, while one is attached.
    fn wake_render_now(&self) {
        if let Some(link) = &lock(&self.state).link {
            link.render.force();
        }
    }

    /// Pushes waiting commands into the queue (unless a batch is held).
    pub(crate) fn flush(&self) {
        lock(&self.state).push_overflow();
    }

    /// Whether commands wait for room in the queue.
    pub(crate) fn overflowing(&self) -> bool {
        !lock(&self.state).overflow.is_empty()
    }

    fn hold(&self, grace: Duration) {
        let mut st = lock(&self.state);
        if st.hold_at.is_none() {
            let now = Instant::now();
            st.hold_at = Some(st.overflow.len());
            st.held_since = Some(now);
            if let Some(link) = &st.link {
                link.flush_at(now + grace);
            }
        }
    }

    /// When the held batch started, if one is held.
    fn held_since(&self) -> Option<Instant> {
        lock(&self.state).held_since
    }

    /// Ends a hold: `first` goes before the held commands.
    fn release(&self, first: Vec<Command>) {
        let mut st = lock(&self.state);
        let at = st.hold_at.take().unwrap_or(st.overflow.len());
        st.held_since = None;
        self.sent.fetch_add(first.len() as u64, Ordering::AcqRel);
        for (k, c) in first.into_iter().enumerate() {
            st.overflow.insert(at + k, c);
        }
        st.push_overflow();
    }

    fn pending(&self) -> bool {
        !lock(&self.state).overflow.is_empty()
    }

    fn pop_event(&self) -> Option<EngineEvent> {
        let mut st = lock(&self.state);
        match &st.link {
            Some(link) => link.events.pop(),
            None => st.late_events.pop_front(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Control {
    mirror: Mirror,
    /// Render-side node table capacity (the control side grows it).
    table_cap: usize,
    /// Edges or nodes changed since the last topology was sent; commands are
    /// held in the outbox until it is (see [`Outbox`]).
    dirty: bool,
    /// How long the housekeeping service waits before sending a held
    /// batch itself (see [`HOUSEKEEPING_GRACE`]).
    grace: Duration,
    /// The `state` attribute: follows the render thread as events are read.
    state: ContextState,
    /// The spec's `[[control thread state]]`: set synchronously by
    /// resume/suspend/close, used to validate them.
    control_state: ContextState,
    configs: Vec<(ChannelConfig, ChannelConstraints)>,
    offline_started: bool,
}

pub(crate) struct OfflineShared {
    pub number_of_channels: usize,
    pub length: usize,
    /// Suspend frames (quantum multiples) not yet reached.
    pub suspends: Mutex<BTreeSet<u64>>,
    /// The output channels, allocated (fallibly) by `start_rendering` with
    /// room for every frame; the render thread appends to them.
    pub output: Mutex<Option<Vec<Vec<f32>>>>,
    pub result: Mutex<Option<Vec<Vec<f32>>>>,
}

/// The control-side state the housekeeping service also works on.
pub(crate) struct Core {
    control: Mutex<Control>,
    outbox: Arc<Outbox>,
    freed: FreedIds,
}

impl Chores for Core {
    fn flush(&self) -> Option<Instant> {
        let mut ctl = lock(&self.control);
        reclaim(&mut ctl, &self.freed, &self.outbox);
        // A fresh batch is the host's to send when its task ends.
        if let Some(since) = self.outbox.held_since()
            && since.elapsed() < ctl.grace
        {
            return Some(since + ctl.grace);
        }
        flush_graph(&mut ctl, &self.outbox);
        drop(ctl);
        self.outbox.flush();
        None
    }

    fn detach(&self, link: &Arc<Link>) {
        self.outbox.detach(link);
    }
}

struct Inner {
    sample_rate: f32,
    core: Arc<Core>,
    shared: Arc<Shared>,
    waker: Arc<AtomicWaker>,
    timing: Arc<Timing>,
    epoch: Instant,
    max_channel_count: usize,
    sink_is_device: bool,
    offline: Option<Arc<OfflineShared>>,
    /// The destination's channel attributes at creation (a render side made
    /// later starts from them; later changes are commands).
    destination_config: ChannelConfig,
    /// The render thread was started (offline contexts start it late).
    render_started: AtomicBool,
    stop: Arc<AtomicBool>,
    /// The render thread, joined when the context goes.
    render_thread: Mutex<Option<JoinHandle<()>>>,
    sink_keepalive: Mutex<Option<crate::sink::DeviceSink>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.core.outbox.wake_render_now();
        drop(lock(&self.sink_keepalive).take());
        if let Some(t) = lock(&self.render_thread).take()
            && t.thread().id() != std::thread::current().id()
        {
            let _ = t.join();
        }
    }
}

/// A realtime (`AudioContext`) or offline (`OfflineAudioContext`) context.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("sample_rate", &self.inner.sample_rate)
            .field("offline", &self.inner.offline.is_some())
            .finish()
    }
}

fn check_sample_rate(sr: f32) -> Result<(), Error> {
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sr) {
        return Err(Error::NotSupported(format!(
            "sampleRate {sr} is outside the range [{MIN_SAMPLE_RATE}, {MAX_SAMPLE_RATE}]"
        )));
    }
    Ok(())
}

const INITIAL_TABLE: usize = 64;

impl Context {
    fn build(
        sample_rate: f32,
        destination: (ChannelConfig, ChannelConstraints),
        max_channel_count: usize,
        offline: Option<Arc<OfflineShared>>,
    ) -> Self {
        // The renderer starts with the destination alone in its order.
        let mirror = Mirror::with_destination();
        let core = Arc::new(Core {
            control: Mutex::new(Control {
                mirror,
                table_cap: INITIAL_TABLE,
                dirty: false,
                grace: HOUSEKEEPING_GRACE,
                state: ContextState::Suspended,
                control_state: ContextState::Suspended,
                configs: vec![destination],
                offline_started: false,
            }),
            outbox: Arc::new(Outbox::new()),
            freed: Arc::new(Mutex::new(Vec::new())),
        });
        let inner = Inner {
            sample_rate,
            core,
            shared: Arc::new(Shared::default()),
            waker: Arc::new(AtomicWaker::new()),
            timing: Arc::new(Timing::default()),
            epoch: Instant::now(),
            max_channel_count,
            sink_is_device: false,
            offline,
            destination_config: destination.0,
            render_started: AtomicBool::new(false),
            stop: Arc::new(AtomicBool::new(false)),
            render_thread: Mutex::new(None),
            sink_keepalive: Mutex::new(None),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Makes the render side's queues and a renderer whose table holds the
    /// destination (id 0); commands sent so far go into its queue first.
    fn attach_renderer(&self) -> Renderer {
        let chores: Arc<dyn Chores> = self.inner.core.clone();
        let link = Link::new(self.inner.waker.clone(), Arc::downgrade(&chores));
        let mut table: NodeTable = (0..INITIAL_TABLE).map(|_| None).collect();
        table[0] = Some(Box::new(RenderNode::new(
            NodeId(0),
            Box::new(DestinationProcessor),
            self.inner.destination_config,
            (1, 1),
            Vec::new(),
            self.inner.core.freed.clone(),
        )));
        let mut r = Renderer::new(
            self.inner.sample_rate,
            Box::new(table),
            link.clone(),
            self.inner.shared.clone(),
        );
        r.install_destination();
        self.inner.core.outbox.attach(link);
        r
    }

    fn set_render_thread(&self, handle: JoinHandle<()>) {
        *lock(&self.inner.render_thread) = Some(handle);
        self.inner.render_started.store(true, Ordering::Release);
    }

    /// `new AudioContext(options)`. The context starts running at once (the
    /// runtime is always "allowed to start"); its state becomes "running"
    /// when the [`EngineEvent::StateChange`] is read.
    pub fn new_realtime(options: RealtimeOptions) -> Result<Self, Error> {
        if let Some(sr) = options.sample_rate {
            check_sample_rate(sr)?;
        }
        if let LatencyHint::Seconds(s) = options.latency_hint
            && !s.is_finite()
        {
            return Err(Error::Type("latencyHint must be finite".into()));
        }
        let device = match options.sink {
            SinkChoice::Default => match crate::sink::probe_device(options.sample_rate) {
                Ok(d) => Some(d),
                Err(e) => {
                    eprintln!(
                        "webaudio-run: no audio output device ({e}); rendering without output"
                    );
                    None
                }
            },
            SinkChoice::None => None,
        };
        let sample_rate = device
            .as_ref()
            .map(|d| d.sample_rate)
            .or(options.sample_rate)
            .unwrap_or(48_000.0);
        let max_channel_count = device.as_ref().map_or(2, |d| d.channels).min(MAX_CHANNELS);
        let destination = (
            ChannelConfig {
                count: 2.min(max_channel_count),
                mode: ChannelCountMode::Explicit,
                interpretation: ChannelInterpretation::Speakers,
            },
            ChannelConstraints {
                count: CountRule::Range {
                    max: max_channel_count,
                    error: ErrorKind::IndexSize,
                },
                ..Default::default()
            },
        );
        let mut ctx = Self::build(sample_rate, destination, max_channel_count, None);
        let hint_frames = latency_frames(options.latency_hint, sample_rate);
        let mut device_sink = None;
        if let Some(d) = device {
            match crate::sink::start_device(
                d,
                ctx.attach_renderer(),
                hint_frames,
                ctx.inner.timing.clone(),
                ctx.inner.epoch,
            ) {
                Ok(s) => device_sink = Some(s),
                Err(e) => {
                    eprintln!(
                        "webaudio-run: cannot open the output device ({e}); rendering without output"
                    )
                }
            }
        }
        if let Some(s) = device_sink {
            let inner = Arc::get_mut(&mut ctx.inner).expect("fresh context");
            inner.sink_is_device = true;
            *lock(&inner.sink_keepalive) = Some(s);
            inner.render_started.store(true, Ordering::Release);
        } else {
            let timing = &ctx.inner.timing;
            let base = RENDER_QUANTUM_SIZE as f64 / sample_rate as f64;
            timing.base_latency.store(base.to_bits(), Ordering::Relaxed);
            timing
                .output_latency
                .store(0f64.to_bits(), Ordering::Relaxed);
            let handle = crate::sink::spawn_null(
                ctx.attach_renderer(),
                ctx.inner.stop.clone(),
                ctx.inner.timing.clone(),
                ctx.inner.epoch,
            );
            ctx.set_render_thread(handle);
        }
        // Always "allowed to start": request running right away.
        ctx.request_state(ContextState::Running);
        Ok(ctx)
    }

    /// `new OfflineAudioContext(options)`. Nothing renders before
    /// [`Context::start_rendering`], and nothing is allocated for rendering
    /// before then either (no thread, no queue, no output).
    pub fn new_offline(options: OfflineOptions) -> Result<Self, Error> {
        let OfflineOptions {
            number_of_channels,
            length,
            sample_rate,
        } = options;
        if number_of_channels == 0 || number_of_channels > MAX_CHANNELS {
            return Err(Error::NotSupported(format!(
                "numberOfChannels {number_of_channels} is outside the range [1, {MAX_CHANNELS}]"
            )));
        }
        if length == 0 {
            return Err(Error::NotSupported("length must be at least 1".into()));
        }
        check_sample_rate(sample_rate)?;
        let offline = Arc::new(OfflineShared {
            number_of_channels,
            length,
            suspends: Mutex::new(BTreeSet::new()),
            output: Mutex::new(None),
            result: Mutex::new(None),
        });
        let destination = (
            ChannelConfig {
                count: number_of_channels,
                mode: ChannelCountMode::Explicit,
                interpretation: ChannelInterpretation::Speakers,
            },
            ChannelConstraints {
                count: CountRule::Fixed {
                    error: ErrorKind::InvalidState,
                },
                ..Default::default()
            },
        );
        Ok(Self::build(
            sample_rate,
            destination,
            number_of_channels,
            Some(offline),
        ))
    }

    pub fn is_offline(&self) -> bool {
        self.inner.offline.is_some()
    }

    pub fn sample_rate(&self) -> f32 {
        self.inner.sample_rate
    }

    /// Frames rendered so far (the render thread's position).
    pub fn current_frame(&self) -> u64 {
        self.inner.shared.current_frame.load(Ordering::Acquire)
    }

    /// The render load of a realtime context since it started or since the
    /// last call with `reset`: the fraction of each quantum's real-time
    /// budget spent rendering it (commands, every node, the sink copy).
    /// Offline contexts render as fast as they can and report zeros.
    pub fn render_load(&self, reset: bool) -> RenderLoad {
        let t = &self.inner.timing;
        let (quanta, nanos, peak) = if reset {
            (
                t.load_quanta.swap(0, Ordering::Relaxed),
                t.load_nanos.swap(0, Ordering::Relaxed),
                t.load_peak_nanos.swap(0, Ordering::Relaxed),
            )
        } else {
            (
                t.load_quanta.load(Ordering::Relaxed),
                t.load_nanos.load(Ordering::Relaxed),
                t.load_peak_nanos.load(Ordering::Relaxed),
            )
        };
        let budget = crate::RENDER_QUANTUM_SIZE as f64 / self.inner.sample_rate as f64 * 1e9;
        RenderLoad {
            quanta,
            average: if quanta == 0 {
                0.0
            } else {
                nanos as f64 / quanta as f64 / budget
            },
            peak: peak as f64 / budget,
        }
    }

    /// `currentTime`.
    pub fn current_time(&self) -> f64 {
        self.current_frame() as f64 / self.inner.sample_rate as f64
    }

    /// The render thread's state (ahead of [`Context::state`] until the
    /// `StateChange` event is read).
    pub fn render_state(&self) -> ContextState {
        ContextState::from_u8(self.inner.shared.state.load(Ordering::Acquire))
    }

    /// The control thread's state (`BaseAudioContext.state`).
    pub fn state(&self) -> ContextState {
        lock(&self.inner.core.control).state
    }

    /// `AudioDestinationNode.maxChannelCount`.
    pub fn max_channel_count(&self) -> usize {
        self.inner.max_channel_count
    }

    /// `AudioContext.baseLatency` in seconds.
    pub fn base_latency(&self) -> f64 {
        f64::from_bits(self.inner.timing.base_latency.load(Ordering::Relaxed))
    }

    /// `AudioContext.outputLatency` in seconds (as last measured).
    pub fn output_latency(&self) -> f64 {
        f64::from_bits(self.inner.timing.output_latency.load(Ordering::Relaxed))
    }

    /// `AudioContext.getOutputTimestamp()` data.
    pub fn output_timestamp(&self) -> OutputTimestamp {
        let t = &self.inner.timing;
        let frame = t.stamp_frame.load(Ordering::Acquire);
        let nanos = t.stamp_nanos.load(Ordering::Acquire);
        OutputTimestamp {
            context_time: frame as f64 / self.inner.sample_rate as f64,
            instant: self.inner.epoch + Duration::from_nanos(nanos),
        }
    }

    /// Whether the output goes to a real device (`sinkId` is "" rather than
    /// `{type: "none"}`).
    /// True when both handles are the same context.
    pub fn same_context(&self, other: &Context) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub fn has_device_sink(&self) -> bool {
        self.inner.sink_is_device
    }

    /// True while anything may still make sound: a source playing or
    /// scheduled, a tail ringing, or commands not yet applied. A running
    /// realtime context with this false has nothing left to do (the runtime
    /// may exit when JS has nothing pending either).
    pub fn may_make_sound(&self) -> bool {
        if self.inner.core.outbox.closed.load(Ordering::Acquire) {
            return false;
        }
        let sent = self.inner.core.outbox.sent.load(Ordering::Acquire);
        let applied = self.inner.shared.applied.load(Ordering::Acquire);
        applied < sent
            || self.inner.core.outbox.pending()
            || self.inner.shared.active_nodes.load(Ordering::Acquire) > 0
    }

    /// Nodes the render thread currently holds (destination included).
    pub fn render_node_count(&self) -> usize {
        self.inner.shared.render_nodes.load(Ordering::Acquire)
    }

    /// Nodes the control side still tracks (destination included).
    pub fn node_count(&self) -> usize {
        let mut ctl = lock(&self.inner.core.control);
        self.reclaim(&mut ctl);
        ctl.mirror.live
    }

    // --- events --------------------------------------------------------------

    fn observe(&self, e: EngineEvent) -> EngineEvent {
        if let EngineEvent::StateChange(s) = e {
            let mut ctl = lock(&self.inner.core.control);
            ctl.state = s;
            // The render side closes an offline context by itself.
            if s == ContextState::Closed {
                ctl.control_state = s;
            }
            drop(ctl);
            // A closed context lets its device go at once (unless an
            // AudioWorklet scope lives on the device's thread).
            if s == ContextState::Closed && !self.inner.shared.has_host.load(Ordering::Acquire) {
                drop(lock(&self.inner.sink_keepalive).take());
            }
        }
        e
    }

    /// Sets `[[control thread state]]` and queues the control message
    /// (after everything sent before it).
    fn request_state(&self, state: ContextState) {
        lock(&self.inner.core.control).control_state = state;
        self.flush();
        self.inner.core.outbox.send(Command::SetState(state));
    }

    /// The next event, if any.
    pub fn try_event(&self) -> Option<EngineEvent> {
        self.flush();
        self.inner.core.outbox.pop_event().map(|e| self.observe(e))
    }

    /// Waits (asynchronously) for the next event.
    pub fn next_event(&self) -> impl Future<Output = EngineEvent> + Send + '_ {
        std::future::poll_fn(move |cx| {
            if let Some(e) = self.try_event() {
                return Poll::Ready(e);
            }
            self.inner.waker.register(cx.waker());
            match self.try_event() {
                Some(e) => Poll::Ready(e),
                None => Poll::Pending,
            }
        })
    }

    /// Blocks up to `timeout` for the next event (tests and simple hosts).
    pub fn wait_event(&self, timeout: Duration) -> Option<EngineEvent> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(e) = self.try_event() {
                return Some(e);
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Blocks until an event matching `pred` arrives (true) or `timeout`
    /// passes (false). Events that do not match are consumed and dropped, so
    /// this is for tests and simple blocking hosts, not for the runtime.
    pub fn wait_for(&self, timeout: Duration, mut pred: impl FnMut(&EngineEvent) -> bool) -> bool {
        let end = Instant::now() + timeout;
        while let Some(e) = self.wait_event(end.saturating_duration_since(Instant::now())) {
            if pred(&e) {
                return true;
            }
        }
        false
    }

    // --- state ---------------------------------------------------------------

    /// `AudioContext.resume()` / `OfflineAudioContext.resume()`. Rendering
    /// runs again when [`EngineEvent::StateChange`]`(Running)` arrives (no
    /// event if it was running already).
    pub fn resume(&self) -> Result<(), Error> {
        let ctl = lock(&self.inner.core.control);
        if ctl.control_state == ContextState::Closed {
            return Err(Error::InvalidState("the context is closed".into()));
        }
        if self.is_offline() && !ctl.offline_started {
            return Err(Error::InvalidState(
                "cannot resume an offline context that has not started rendering".into(),
            ));
        }
        drop(ctl);
        self.request_state(ContextState::Running);
        Ok(())
    }

    /// `AudioContext.suspend()` (realtime only; offline contexts use
    /// [`Context::suspend_at`]). Completes with
    /// [`EngineEvent::StateChange`]`(Suspended)` (none if suspended already).
    pub fn suspend(&self) -> Result<(), Error> {
        if self.is_offline() {
            return Err(Error::InvalidState(
                "offline contexts suspend at a time: use suspend_at".into(),
            ));
        }
        if lock(&self.inner.core.control).control_state == ContextState::Closed {
            return Err(Error::InvalidState("the context is closed".into()));
        }
        self.request_state(ContextState::Suspended);
        Ok(())
    }

    /// `AudioContext.close()`: rendering stops; completes with
    /// [`EngineEvent::StateChange`]`(Closed)`.
    pub fn close(&self) -> Result<(), Error> {
        if self.is_offline() {
            return Err(Error::InvalidState(
                "an OfflineAudioContext cannot be closed".into(),
            ));
        }
        if lock(&self.inner.core.control).control_state == ContextState::Closed {
            return Err(Error::InvalidState("the context is already closed".into()));
        }
        self.request_state(ContextState::Closed);
        Ok(())
    }

    /// `OfflineAudioContext.suspend(suspendTime)`: rendering pauses at the
    /// quantum boundary at or after `time` and emits
    /// [`EngineEvent::Suspended`]; continue with [`Context::resume`].
    pub fn suspend_at(&self, time: f64) -> Result<u64, Error> {
        let Some(off) = &self.inner.offline else {
            return Err(Error::InvalidState(
                "suspend_at is for offline contexts".into(),
            ));
        };
        if !time.is_finite() || time < 0.0 {
            return Err(Error::InvalidState(format!(
                "suspend time {time} is negative"
            )));
        }
        let q = RENDER_QUANTUM_SIZE as f64;
        let frame = ((time * self.inner.sample_rate as f64) / q).ceil() * q;
        let frame = frame as u64;
        let current = self.current_frame();
        let started = lock(&self.inner.core.control).offline_started;
        if (started && frame <= current) || frame >= off.length as u64 {
            return Err(Error::InvalidState(format!(
                "cannot suspend at frame {frame} (current {current}, length {})",
                off.length
            )));
        }
        if !lock(&off.suspends).insert(frame) {
            return Err(Error::InvalidState(format!(
                "a suspend is already scheduled at frame {frame}"
            )));
        }
        Ok(frame)
    }

    /// `OfflineAudioContext.startRendering()`: renders on a worker thread;
    /// emits [`EngineEvent::RenderComplete`], then take the result with
    /// [`Context::take_rendered`]. Fails with a RangeError (the spec's
    /// AudioBuffer allocation failure) when the output cannot be allocated;
    /// rendering has then not started.
    pub fn start_rendering(&self) -> Result<(), Error> {
        let Some(off) = self.inner.offline.clone() else {
            return Err(Error::InvalidState(
                "start_rendering is for offline contexts".into(),
            ));
        };
        if lock(&self.inner.core.control).offline_started {
            return Err(Error::InvalidState("rendering has already started".into()));
        }
        // Every channel must fit at once, not only each one alone.
        crate::fallible::check_budget::<f32>(off.number_of_channels as u128 * off.length as u128)
            .map_err(|e| e.range("the rendered buffer"))?;
        let mut output = crate::fallible::try_vec_with_capacity(off.number_of_channels)
            .map_err(|e| e.range("the rendered buffer"))?;
        for _ in 0..off.number_of_channels {
            output.push(
                crate::fallible::try_vec_with_capacity::<f32>(off.length)
                    .map_err(|e| e.range("the rendered buffer"))?,
            );
        }
        *lock(&off.output) = Some(output);
        lock(&self.inner.core.control).offline_started = true;
        self.request_state(ContextState::Running);
        self.ensure_offline_thread(&off);
        Ok(())
    }

    /// Starts the offline render thread if it is not running yet: at
    /// `startRendering`, or earlier when a host task (an AudioWorklet
    /// module) needs the render thread before rendering starts. Until the
    /// context runs, the thread only applies commands.
    fn ensure_offline_thread(&self, off: &Arc<OfflineShared>) {
        let mut thread = lock(&self.inner.render_thread);
        if self.inner.render_started.load(Ordering::Acquire) {
            return;
        }
        let handle = crate::sink::spawn_offline(
            self.attach_renderer(),
            off.clone(),
            self.inner.core.outbox.clone(),
            self.inner.stop.clone(),
        );
        *thread = Some(handle);
        self.inner.render_started.store(true, Ordering::Release);
    }

    /// The rendered channels, once [`EngineEvent::RenderComplete`] was emitted.
    pub fn take_rendered(&self) -> Option<Vec<Box<[f32]>>> {
        let channels = lock(&self.inner.offline.as_ref()?.result).take()?;
        // Filled to capacity: boxing them does not reallocate.
        Some(channels.into_iter().map(Vec::into_boxed_slice).collect())
    }

    /// Starts rendering and blocks until done (tests, benchmarks).
    pub fn render_blocking(&self) -> Result<Vec<Box<[f32]>>, Error> {
        self.start_rendering()?;
        loop {
            match self.wait_event(Duration::from_secs(3600)) {
                Some(EngineEvent::RenderComplete) => break,
                Some(_) => {}
                None => return Err(Error::InvalidState("rendering did not finish".into())),
            }
        }
        self.take_rendered()
            .ok_or_else(|| Error::InvalidState("no rendered result".into()))
    }

    /// Whether the render side has let go of everything (an offline context
    /// that finished, a closed realtime one): no thread, no queues.
    pub fn is_render_released(&self) -> bool {
        self.inner.core.outbox.is_closed()
    }

    // --- nodes ---------------------------------------------------------------

    /// `context.destination`.
    pub fn destination(&self) -> NodeHandle {
        NodeHandle {
            core: Arc::new(NodeCore {
                ctx: self.clone(),
                input: NodeId(0),
                output: NodeId(0),
                inputs: 1,
                outputs: 1,
                params: Vec::new(),
                owned: Vec::new(),
            }),
        }
    }

    fn reclaim(&self, ctl: &mut Control) {
        reclaim(ctl, &self.inner.core.freed, &self.inner.core.outbox);
    }

    fn sync_graph(&self, ctl: &mut Control) {
        sync_graph(ctl, &self.inner.core.outbox);
    }

    /// Sends everything pending now: computes the processing order if edges
    /// changed and releases held commands. Calling it at the end of each JS
    /// task makes each task's changes reach the render thread as one batch;
    /// without it the housekeeping service does it once the batch is a few
    /// milliseconds old.
    pub fn flush(&self) {
        let mut ctl = lock(&self.inner.core.control);
        self.reclaim(&mut ctl);
        flush_graph(&mut ctl, &self.inner.core.outbox);
        drop(ctl);
        self.inner.core.outbox.flush();
    }

    fn build_render_node(
        &self,
        id: NodeId,
        spec: &NodeSpec,
        processor: Box<dyn Processor>,
        published: &[Arc<AtomicU32>],
    ) -> Box<RenderNode> {
        let params = spec
            .params
            .iter()
            .zip(published)
            .map(|(d, p)| ParamSlot::new(d, p.clone()))
            .collect();
        Box::new(RenderNode::new(
            id,
            processor,
            spec.channel_config,
            (spec.number_of_inputs, spec.number_of_outputs),
            params,
            self.inner.core.freed.clone(),
        ))
    }

    fn add_node_locked(
        &self,
        ctl: &mut Control,
        spec: &NodeSpec,
        processor: Box<dyn Processor>,
        delay: DelayRole,
    ) -> Result<(NodeId, Vec<ParamHandleParts>), Error> {
        // The initial channel attributes must obey the node's own rules
        // (constructors pass user options straight through).
        let cfg = spec.channel_config;
        spec.constraints.check_count(cfg.count, cfg.count)?;
        spec.constraints.check_mode(cfg.mode, cfg.mode)?;
        if spec.params.len() > MAX_PARAMS {
            return Err(Error::NotSupported(format!(
                "a node may have at most {MAX_PARAMS} AudioParams"
            )));
        }
        let id = ctl.mirror.allocate_id();
        if id.0 as usize >= ctl.table_cap {
            let cap = (ctl.table_cap * 2).max(id.0 as usize + 1);
            let table: NodeTable = (0..cap).map(|_| None).collect();
            self.inner
                .core
                .outbox
                .send(Command::GrowTable(Box::new(table)));
            ctl.table_cap = cap;
        }
        while ctl.configs.len() <= id.0 as usize {
            ctl.configs
                .push((ChannelConfig::default(), ChannelConstraints::default()));
        }
        ctl.configs[id.0 as usize] = (spec.channel_config, spec.constraints);
        let published: Vec<Arc<AtomicU32>> = spec
            .params
            .iter()
            .map(|_| Arc::new(AtomicU32::new(0)))
            .collect();
        let node = self.build_render_node(id, spec, processor, &published);
        ctl.mirror.insert(id, MirrorNode::new(delay));
        // A node without edges fits any free slot of the current order;
        // otherwise (or when it must see its first connections at once) it
        // waits for the next whole order.
        let slot = if spec.wait_for_edges {
            ctl.mirror.order_due = true;
            None
        } else {
            ctl.mirror.place(id)
        };
        self.sync_graph(ctl);
        self.inner.core.outbox.send(Command::AddNode { node, slot });
        let params = spec
            .params
            .iter()
            .zip(published)
            .enumerate()
            .map(|(i, (d, value))| ParamHandleParts {
                node: id,
                index: i as u32,
                desc: *d,
                value,
            })
            .collect();
        Ok((id, params))
    }

    /// Runs `task` on the render thread before the next quantum (in order
    /// with this context's other commands), for its host (see
    /// [`crate::host`]).
    pub fn run_on_render_thread(&self, task: crate::host::HostTask) {
        self.inner.core.outbox.send(Command::Host(task));
        if let Some(off) = &self.inner.offline {
            self.ensure_offline_thread(off);
        }
    }

    /// Adds a node to the graph. `processor` must honour `spec` (inputs,
    /// outputs, params order).
    pub fn create_node(
        &self,
        spec: NodeSpec,
        processor: Box<dyn Processor>,
    ) -> Result<NodeHandle, Error> {
        let mut ctl = lock(&self.inner.core.control);
        self.reclaim(&mut ctl);
        let (id, params) = self.add_node_locked(&mut ctl, &spec, processor, DelayRole::None)?;
        drop(ctl);
        Ok(self.make_handle(id, id, &spec, &spec, params, vec![id]))
    }

    /// Adds a node that the graph always processes after `first` (when
    /// that is still alive and no cycle forbids it), though no edge joins
    /// them: a PannerNode after its context's AudioListener.
    pub fn create_node_after(
        &self,
        spec: NodeSpec,
        processor: Box<dyn Processor>,
        first: NodeId,
    ) -> Result<NodeHandle, Error> {
        let mut ctl = lock(&self.inner.core.control);
        self.reclaim(&mut ctl);
        let (id, params) = self.add_node_locked(&mut ctl, &spec, processor, DelayRole::None)?;
        if let Some(Some(node)) = ctl.mirror.nodes.get_mut(id.0 as usize) {
            node.after = Some(first);
        }
        // Its slot could be before `first`: recompute the order.
        ctl.mirror.order_due = true;
        self.sync_graph(&mut ctl);
        drop(ctl);
        Ok(self.make_handle(id, id, &spec, &spec, params, vec![id]))
    }

    /// Adds a node made of two graph nodes that share state: `writer` takes
    /// the inputs, `reader` produces the outputs and owns the params. The
    /// graph breaks cycles between them (DelayNode).
    pub(crate) fn create_delay_pair(
        &self,
        writer_spec: NodeSpec,
        writer: Box<dyn Processor>,
        reader_spec: NodeSpec,
        reader: Box<dyn Processor>,
    ) -> Result<NodeHandle, Error> {
        let mut ctl = lock(&self.inner.core.control);
        self.reclaim(&mut ctl);
        let (r, params) =
            self.add_node_locked(&mut ctl, &reader_spec, reader, DelayRole::Reader)?;
        let (w, _) = self.add_node_locked(
            &mut ctl,
            &writer_spec,
            writer,
            DelayRole::Writer { reader: r },
        )?;
        // The writer must be ordered before the reader.
        ctl.mirror.order_due = true;
        self.sync_graph(&mut ctl);
        drop(ctl);
        Ok(self.make_handle(w, r, &writer_spec, &reader_spec, params, vec![w, r]))
    }

    fn make_handle(
        &self,
        input: NodeId,
        output: NodeId,
        in_spec: &NodeSpec,
        out_spec: &NodeSpec,
        params: Vec<ParamHandleParts>,
        owned: Vec<NodeId>,
    ) -> NodeHandle {
        NodeHandle {
            core: Arc::new(NodeCore {
                ctx: self.clone(),
                input,
                output,
                inputs: in_spec.number_of_inputs,
                outputs: out_spec.number_of_outputs,
                params: params
                    .into_iter()
                    .map(|p| ParamState {
                        node: p.node,
                        index: p.index,
                        control: Mutex::new(ParamControl::new(p.desc)),
                        desc: p.desc,
                        value: p.value,
                    })
                    .collect(),
                owned,
            }),
        }
    }
}

/// Sends what the mirror changed (edges one by one, order slots) and holds
/// the batch, with any commands that follow, until the end of the host's
/// task ([`Context::flush`]) or the service's grace: a task's graph changes
/// reach the render thread together, after the whole new order when one
/// is due.
fn sync_graph(ctl: &mut Control, outbox: &Outbox) {
    let patches = ctl.mirror.take_patches();
    // Once the render side is gone there is nothing to tell it.
    if outbox.is_closed() || (patches.is_empty() && !ctl.mirror.order_due) {
        return;
    }
    if !ctl.dirty {
        ctl.dirty = true;
        outbox.hold(ctl.grace);
    }
    for patch in patches {
        outbox.send(match patch {
            Patch::AddEdge { dst, edge, grow_to } => Command::AddEdge {
                dst,
                edge,
                storage: grow_to.map(|n| Box::new(Vec::with_capacity(n))),
            },
            Patch::RemoveEdge { dst, edge } => Command::RemoveEdge { dst, edge },
            Patch::RemoveEdgesFrom { dst, src } => Command::RemoveEdgesFrom { dst, src },
            Patch::Slots(generation, slots) => Command::SetOrderSlots {
                generation,
                slots: Box::new(slots),
            },
        });
    }
}

/// Takes in what the render side let go of: nodes freed or finished there
/// leave the order; those no handle refers to are forgotten (their ids
/// become reusable once the render side dropped their edges).
fn reclaim(ctl: &mut Control, freed: &FreedIds, outbox: &Outbox) {
    let ids = std::mem::take(&mut *lock(freed));
    if ids.is_empty() {
        return;
    }
    for id in ids {
        ctl.mirror.render_released(id);
    }
    sync_graph(ctl, outbox);
}

/// Ends the held batch: computes the whole order first if one is due.
fn flush_graph(ctl: &mut Control, outbox: &Outbox) {
    if !ctl.dirty {
        return;
    }
    ctl.dirty = false;
    if outbox.is_closed() {
        return;
    }
    if !ctl.mirror.order_due {
        outbox.release(Vec::new());
        return;
    }
    let began = Instant::now();
    let spare = (ctl.mirror.live / 2).max(64);
    let computed = ctl.mirror.compute_topology(spare);
    ctl.grace = HOUSEKEEPING_GRACE.max(began.elapsed() * 10);
    outbox.release(vec![Command::SetTopology(computed.topology)]);
    // After the held commands, not with the topology: a delay created since
    // the hold began only exists on the render side once its (held)
    // creation command has run, and a message to a missing node is lost.
    for (reader, in_cycle) in computed.cycle_changes {
        outbox.send(Command::Message {
            node: reader,
            message: NodeMessage::Delay(DelayMessage::InCycle(in_cycle)),
        });
    }
}

struct ParamHandleParts {
    node: NodeId,
    index: u32,
    desc: ParamDescriptor,
    value: Arc<AtomicU32>,
}

fn latency_frames(hint: LatencyHint, sample_rate: f32) -> usize {
    let secs = match hint {
        LatencyHint::Interactive => 0.010,
        LatencyHint::Balanced => 0.020,
        LatencyHint::Playback => 0.080,
        LatencyHint::Seconds(s) => s.max(0.0),
    };
    ((secs * sample_rate as f64) as usize).max(RENDER_QUANTUM_SIZE)
}

// ---------------------------------------------------------------------------
// Node handles

struct NodeCore {
    ctx: Context,
    /// Graph node that receives connections (the writer of a DelayNode).
    input: NodeId,
    /// Graph node that connections leave from and that owns the params.
    output: NodeId,
    inputs: usize,
    outputs: usize,
    params: Vec<ParamState>,
    /// Graph nodes to release when the handle goes (empty: destination).
    owned: Vec<NodeId>,
}

impl Drop for NodeCore {
    fn drop(&mut self) {
        if self.owned.is_empty() {
            return;
        }
        let core = &self.ctx.inner.core;
        let mut ctl = lock(&core.control);
        reclaim(&mut ctl, &core.freed, &core.outbox);
        for &id in &self.owned {
            // Still on the render side: it frees the node once silent.
            // Otherwise the id is free again now.
            if ctl.mirror.release_handle(id) {
                core.outbox.send(Command::HandleDropped(id));
            }
        }
        sync_graph(&mut ctl, &core.outbox);
    }
}

/// The control handle of one AudioNode. Clones share the node; when the
/// last clone (and the last [`ParamHandle`] of the node) is dropped the
/// render side is told, and frees the node once it is silent and
/// unreferenced.
#[derive(Clone)]
pub struct NodeHandle {
    core: Arc<NodeCore>,
}

impl std::fmt::Debug for NodeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeHandle")
            .field("input", &self.core.input)
            .field("output", &self.core.output)
            .finish()
    }
}

/// The destination of a `connect`/`disconnect` call.
enum Dest<'a> {
    Node(&'a NodeHandle, Option<usize>),
    Param(&'a ParamHandle),
}

impl NodeHandle {
    pub fn context(&self) -> &Context {
        &self.core.ctx
    }

    /// The graph id of the node's output side (the id events carry).
    pub fn id(&self) -> NodeId {
        self.core.output
    }

    /// The graph id of the node's input side (differs only for DelayNode).
    pub fn input_id(&self) -> NodeId {
        self.core.input
    }

    pub fn number_of_inputs(&self) -> usize {
        self.core.inputs
    }

    pub fn number_of_outputs(&self) -> usize {
        self.core.outputs
    }

    pub fn number_of_params(&self) -> usize {
        self.core.params.len()
    }

    /// The node's `index`th AudioParam (declaration order). The handle keeps
    /// the node alive. Panics if `index` is out of range (a programming
    /// error: node wrappers know their params).
    pub fn param(&self, index: usize) -> ParamHandle {
        assert!(index < self.core.params.len(), "param index out of range");
        ParamHandle {
            core: self.core.clone(),
            index,
        }
    }

    fn inner(&self) -> &Inner {
        &self.core.ctx.inner
    }

    /// Sends a message to the node's processor (the output side's).
    pub fn send(&self, message: NodeMessage) {
        self.inner().core.outbox.send(Command::Message {
            node: self.core.output,
            message,
        });
    }

    /// Sends a message to the processor of the input side.
    pub fn send_to_input_side(&self, message: NodeMessage) {
        self.inner().core.outbox.send(Command::Message {
            node: self.core.input,
            message,
        });
    }

    fn same_context(&self, other: &Context) -> bool {
        Arc::ptr_eq(&self.core.ctx.inner, &other.inner)
    }

    fn check_output(&self, output: usize) -> Result<(), Error> {
        if output >= self.core.outputs {
            return Err(Error::IndexSize(format!(
                "output {output} is out of range (the node has {} outputs)",
                self.core.outputs
            )));
        }
        Ok(())
    }

    /// `connect(destinationNode, output, input)`.
    pub fn connect(&self, dest: &NodeHandle, output: usize, input: usize) -> Result<(), Error> {
        if !self.same_context(dest.context()) {
            return Err(Error::InvalidAccess(
                "the destination belongs to another context".into(),
            ));
        }
        self.check_output(output)?;
        if input >= dest.core.inputs {
            return Err(Error::IndexSize(format!(
                "input {input} is out of range (the destination has {} inputs)",
                dest.core.inputs
            )));
        }
        self.add_edge(dest.core.input, output, Target::Input(input as u32));
        Ok(())
    }

    /// `connect(destinationParam, output)`.
    pub fn connect_param(&self, dest: &ParamHandle, output: usize) -> Result<(), Error> {
        if !self.same_context(&dest.core.ctx) {
            return Err(Error::InvalidAccess(
                "the AudioParam belongs to another context".into(),
            ));
        }
        self.check_output(output)?;
        self.add_edge(dest.state().node, output, Target::Param(dest.state().index));
        Ok(())
    }

    fn add_edge(&self, dst: NodeId, output: usize, target: Target) {
        let ctx = &self.core.ctx;
        let mut ctl = lock(&ctx.inner.core.control);
        ctx.reclaim(&mut ctl);
        if ctl
            .mirror
            .connect(self.core.output.0, output as u32, dst.0, target)
        {
            ctx.sync_graph(&mut ctl);
        }
    }

    fn disconnect_impl(&self, output: Option<usize>, dest: Option<Dest<'_>>) -> Result<(), Error> {
        if let Some(o) = output {
            self.check_output(o)?;
        }
        if let Some(Dest::Node(d, Some(i))) = &dest
            && *i >= d.core.inputs
        {
            return Err(Error::IndexSize(format!(
                "input {i} is out of range (the destination has {} inputs)",
                d.core.inputs
            )));
        }
        let filter = match &dest {
            None => EdgeDest::Any,
            Some(Dest::Node(d, input)) => EdgeDest::Node {
                node: d.core.input.0,
                input: input.map(|i| i as u32),
            },
            Some(Dest::Param(p)) => EdgeDest::Param {
                node: p.state().node.0,
                index: p.state().index,
            },
        };
        let ctx = &self.core.ctx;
        let mut ctl = lock(&ctx.inner.core.control);
        ctx.reclaim(&mut ctl);
        let removed = ctl
            .mirror
            .disconnect(self.core.output.0, output.map(|o| o as u32), filter);
        if removed > 0 {
            ctx.sync_graph(&mut ctl);
        }
        drop(ctl);
        if dest.is_some() && removed == 0 {
            return Err(Error::InvalidAccess(
                "the node is not connected to that destination".into(),
            ));
        }
        Ok(())
    }

    /// `disconnect()`: every outgoing connection.
    pub fn disconnect(&self) -> Result<(), Error> {
        self.disconnect_impl(None, None)
    }

    /// `disconnect(output)`.
    pub fn disconnect_output(&self, output: usize) -> Result<(), Error> {
        self.disconnect_impl(Some(output), None)
    }

    /// `disconnect(destinationNode)`.
    pub fn disconnect_node(&self, dest: &NodeHandle) -> Result<(), Error> {
        self.disconnect_impl(None, Some(Dest::Node(dest, None)))
    }

    /// `disconnect(destinationNode, output)`.
    pub fn disconnect_node_output(&self, dest: &NodeHandle, output: usize) -> Result<(), Error> {
        self.disconnect_impl(Some(output), Some(Dest::Node(dest, None)))
    }

    /// `disconnect(destinationNode, output, input)`.
    pub fn disconnect_node_output_input(
        &self,
        dest: &NodeHandle,
        output: usize,
        input: usize,
    ) -> Result<(), Error> {
        self.disconnect_impl(Some(output), Some(Dest::Node(dest, Some(input))))
    }

    /// `disconnect(destinationParam)`.
    pub fn disconnect_param(&self, dest: &ParamHandle) -> Result<(), Error> {
        self.disconnect_impl(None, Some(Dest::Param(dest)))
    }

    /// `disconnect(destinationParam, output)`.
    pub fn disconnect_param_output(&self, dest: &ParamHandle, output: usize) -> Result<(), Error> {
        self.disconnect_impl(Some(output), Some(Dest::Param(dest)))
    }

    // --- channel attributes --------------------------------------------------

    pub fn channel_config(&self) -> ChannelConfig {
        let ctl = lock(&self.inner().core.control);
        ctl.configs[self.core.input.0 as usize].0
    }

    fn update_config(
        &self,
        f: impl FnOnce(&mut ChannelConfig, &ChannelConstraints) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut ctl = lock(&self.inner().core.control);
        let (config, constraints) = &mut ctl.configs[self.core.input.0 as usize];
        let mut next = *config;
        f(&mut next, constraints)?;
        if next != *config {
            *config = next;
            drop(ctl);
            self.inner().core.outbox.send(Command::ChannelConfig {
                node: self.core.input,
                config: next,
            });
        }
        Ok(())
    }

    /// `channelCount` setter.
    pub fn set_channel_count(&self, count: usize) -> Result<(), Error> {
        self.update_config(|c, k| {
            k.check_count(c.count, count)?;
            c.count = count;
            Ok(())
        })
    }

    /// `channelCountMode` setter.
    pub fn set_channel_count_mode(&self, mode: ChannelCountMode) -> Result<(), Error> {
        self.update_config(|c, k| {
            k.check_mode(c.mode, mode)?;
            c.mode = mode;
            Ok(())
        })
    }

    /// `channelInterpretation` setter.
    pub fn set_channel_interpretation(&self, value: ChannelInterpretation) -> Result<(), Error> {
        self.update_config(|c, k| {
            k.check_interpretation(c.interpretation, value)?;
            c.interpretation = value;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------
// Param handles

struct ParamState {
    node: NodeId,
    index: u32,
    control: Mutex<ParamControl>,
    desc: ParamDescriptor,
    value: Arc<AtomicU32>,
}

/// The control handle of one AudioParam. Keeps its node alive.
#[derive(Clone)]
pub struct ParamHandle {
    core: Arc<NodeCore>,
    index: usize,
}

impl std::fmt::Debug for ParamHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParamHandle")
            .field("name", &self.state().desc.name)
            .field("node", &self.state().node)
            .finish()
    }
}

impl ParamHandle {
    fn state(&self) -> &ParamState {
        &self.core.params[self.index]
    }

    pub fn descriptor(&self) -> &ParamDescriptor {
        &self.state().desc
    }

    pub fn default_value(&self) -> f32 {
        self.state().desc.default_value
    }

    pub fn min_value(&self) -> f32 {
        self.state().desc.min_value
    }

    pub fn max_value(&self) -> f32 {
        self.state().desc.max_value
    }

    /// The `value` getter: the last value the render thread computed.
    pub fn value(&self) -> f32 {
        f32::from_bits(self.state().value.load(Ordering::Relaxed))
    }

    fn run(
        &self,
        f: impl FnOnce(&mut ParamControl, f64) -> Result<ParamCommand, ParamError>,
    ) -> Result<(), Error> {
        let ctx = &self.core.ctx;
        let now = ctx.current_time();
        let state = self.state();
        let mut control = lock(&state.control);
        control.prune(now);
        let command = f(&mut control, now)?;
        drop(control);
        ctx.inner.core.outbox.send(Command::Param {
            node: state.node,
            index: state.index,
            command,
        });
        Ok(())
    }

    /// The `value` setter.
    pub fn set_value(&self, value: f32) -> Result<(), Error> {
        self.run(|c, now| c.set_value(value, now))?;
        // The getter returns the new [[current value]] at once, not only
        // after the render thread has applied it.
        let state = self.state();
        let current = lock(&state.control).clamp_to_nominal(value);
        state.value.store(current.to_bits(), Ordering::Relaxed);
        Ok(())
    }

    pub fn set_value_at_time(&self, value: f32, start_time: f64) -> Result<(), Error> {
        self.run(|c, _| c.set_value_at_time(value, start_time))
    }

    pub fn linear_ramp_to_value_at_time(&self, value: f32, end_time: f64) -> Result<(), Error> {
        self.run(|c, _| c.linear_ramp_to_value_at_time(value, end_time))
    }

    pub fn exponential_ramp_to_value_at_time(
        &self,
        value: f32,
        end_time: f64,
    ) -> Result<(), Error> {
        self.run(|c, _| c.exponential_ramp_to_value_at_time(value, end_time))
    }

    pub fn cancel_scheduled_values(&self, cancel_time: f64) -> Result<(), Error> {
        self.run(|c, _| c.cancel_scheduled_values(cancel_time))
    }

    pub fn set_target_at_time(
        &self,
        target: f32,
        start_time: f64,
        time_constant: f64,
    ) -> Result<(), Error> {
        self.run(|c, _| c.set_target_at_time(target, start_time, time_constant))
    }

    pub fn set_value_curve_at_time(
        &self,
        values: &[f32],
        start_time: f64,
        duration: f64,
    ) -> Result<(), Error> {
        self.run(|c, _| c.set_value_curve_at_time(values, start_time, duration))
    }

    pub fn cancel_and_hold_at_time(&self, cancel_time: f64) -> Result<(), Error> {
        self.run(|c, _| c.cancel_and_hold_at_time(cancel_time))
    }

    /// `automationRate` getter.
    pub fn automation_rate(&self) -> AutomationRate {
        lock(&self.state().control).automation_rate()
    }

    pub fn set_automation_rate(&self, rate: AutomationRate) -> Result<(), Error> {
        self.run(|c, _| c.set_automation_rate(rate))
    }

    /// Applies any [`ParamControl`] call (for the methods not wrapped above).
    pub fn automate(
        &self,
        f: impl FnOnce(&mut ParamControl, f64) -> Result<ParamCommand, ParamError>,
    ) -> Result<(), Error> {
        self.run(f)
    }
}
