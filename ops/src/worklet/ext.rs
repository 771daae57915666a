//! The `webaudio_worklet` extension: the ops and bootstrap JS of the
//! AudioWorkletGlobalScope realm.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use deno_core::{OpState, TransferredResource, op2};
use serde::Serialize;
use webaudio_engine::block::AudioBlock;
use webaudio_engine::processor::ParamBlock;
use webaudio_engine::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

use super::ParamDescriptorData;
use super::processor::Construction;
use super::realm::{OutsideEngine, RealmReport, RegisteredProcessor, ReportSender};

/// Realm state the ops read.
pub(crate) struct RealmState {
    sample_rate: f32,
    frame: Rc<Cell<u64>>,
    global_port: Option<Box<dyn TransferredResource>>,
    /// Processor construction data waiting for its constructor, by slot.
    pub pending: HashMap<u32, Construction>,
    reports: ReportSender,
}

impl RealmState {
    pub(crate) fn new(
        sample_rate: f32,
        frame: Rc<Cell<u64>>,
        global_port: Option<Box<dyn TransferredResource>>,
        reports: ReportSender,
    ) -> Self {
        Self {
            sample_rate,
            frame,
            global_port,
            pending: HashMap::new(),
            reports,
        }
    }
}

/// The buffers of the `process()` call under way.
pub(crate) struct CallFrame<'a> {
    pub inputs: &'a [AudioBlock],
    /// Bit `i`: a node is connected to input `i`.
    pub connected_inputs: u64,
    pub outputs: &'a mut [AudioBlock],
    /// Channels of each output this quantum.
    pub output_channels: &'a [usize],
    pub params: &'a [ParamBlock<'a>],
}

impl CallFrame<'_> {
    fn input_channels(&self, i: usize) -> usize {
        if i < 64 && self.connected_inputs & (1 << i) != 0 {
            self.inputs.get(i).map_or(0, |b| b.number_of_channels())
        } else {
            0
        }
    }

    fn header_len(&self) -> usize {
        self.inputs.len() + self.outputs.len() + self.params.len()
    }
}

thread_local! {
    static CURRENT: Cell<*mut CallFrame<'static>> = const { Cell::new(std::ptr::null_mut()) };
}

/// Runs `f` with `frame` readable by the data ops.
pub(crate) fn with_call_frame<R>(frame: &mut CallFrame<'_>, f: impl FnOnce() -> R) -> R {
    let ptr: *mut CallFrame<'static> = std::ptr::from_mut(frame).cast();
    let previous = CURRENT.with(|c| c.replace(ptr));
    let result = f();
    CURRENT.with(|c| c.set(previous));
    result
}

/// The frame of the call under way, if any.
fn with_current<R>(f: impl FnOnce(&mut CallFrame<'_>) -> R) -> Option<R> {
    let ptr = CURRENT.with(|c| c.get());
    if ptr.is_null() {
        return None;
    }
    // SAFETY: set by `with_call_frame` from a live `&mut CallFrame` that its
    // caller does not touch while `f` runs; cleared before it returns.
    Some(f(unsafe { &mut *ptr }))
}

/// Where each part of a node's exchange buffer starts: the layout header
/// (one count per input, per output and per param), then each input's
/// channels, each output's, and 128 values per param. Inputs and outputs get
/// room for [`MAX_CHANNELS`] channels each, so the regions never move.
struct Regions {
    inputs: usize,
    outputs: usize,
    params: usize,
    end: usize,
}

impl CallFrame<'_> {
    fn regions(&self) -> Regions {
        let q = RENDER_QUANTUM_SIZE;
        let inputs = self.header_len();
        let outputs = inputs + self.inputs.len() * MAX_CHANNELS * q;
        let params = outputs + self.outputs.len() * MAX_CHANNELS * q;
        Regions {
            inputs,
            outputs,
            params,
            end: params + self.params.len() * q,
        }
    }
}

/// Fills the node's exchange buffer for this call: the layout header (the
/// channels of each input, 0 when nothing feeds it; of each output; the
/// length, 1 or 128, of each param's values), the inputs' samples and the
/// params' values. One buffer per call keeps the op cheap on every engine.
/// False outside a call or when the buffer is too small.
#[op2(fast)]
fn op_worklet_read(#[buffer] exchange: &mut [f32]) -> bool {
    let _rust = OutsideEngine::enter();
    with_current(|frame| {
        let q = RENDER_QUANTUM_SIZE;
        let regions = frame.regions();
        if exchange.len() < regions.end {
            return false;
        }
        let mut k = 0;
        for i in 0..frame.inputs.len() {
            exchange[k] = frame.input_channels(i) as f32;
            k += 1;
        }
        for &channels in frame.output_channels {
            exchange[k] = channels as f32;
            k += 1;
        }
        for p in frame.params {
            exchange[k] = p.as_slice().len() as f32;
            k += 1;
        }
        let mut at = regions.inputs;
        for i in 0..frame.inputs.len() {
            let block = &frame.inputs[i];
            for c in 0..frame.input_channels(i) {
                exchange[at..at + q].copy_from_slice(block.channel(c));
                at += q;
            }
        }
        for (k, p) in frame.params.iter().enumerate() {
            let values = p.as_slice();
            let start = regions.params + k * q;
            exchange[start..start + values.len()].copy_from_slice(values);
        }
        true
    })
    .unwrap_or(false)
}

/// Takes the outputs `process()` wrote, packed in the outputs region of the
/// exchange buffer (each output's channels in turn).
#[op2(fast)]
fn op_worklet_write(#[buffer] exchange: &[f32]) -> bool {
    let _rust = OutsideEngine::enter();
    with_current(|frame| {
        let q = RENDER_QUANTUM_SIZE;
        let regions = frame.regions();
        if exchange.len() < regions.end {
            return false;
        }
        let mut at = regions.outputs;
        for (o, block) in frame.outputs.iter_mut().enumerate() {
            let channels = frame.output_channels.get(o).copied().unwrap_or(1);
            block.make_silent_with_channels(channels);
            let src = &exchange[at..at + channels * q];
            at += channels * q;
            if src.iter().all(|&s| s == 0.0) {
                continue;
            }
            for (c, chunk) in src.chunks_exact(q).enumerate() {
                block.channel_mut(c).copy_from_slice(chunk);
            }
        }
        true
    })
    .unwrap_or(false)
}

#[op2(fast)]
fn op_worklet_sample_rate(state: &mut OpState) -> f32 {
    state.borrow::<RealmState>().sample_rate
}

#[op2(fast)]
fn op_worklet_current_frame(state: &mut OpState) -> f64 {
    state.borrow::<RealmState>().frame.get() as f64
}

/// Records a processor `registerProcessor` accepted.
#[op2]
fn op_worklet_register(
    state: &mut OpState,
    #[string] name: String,
    #[serde] descriptors: Vec<ParamDescriptorData>,
) {
    let _ = state
        .borrow::<RealmState>()
        .reports
        .send(RealmReport::Registered(RegisteredProcessor {
            name,
            descriptors,
        }));
}

/// What the processor constructor of `slot` needs, with its port made a
/// resource of this realm.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConstructionInfo {
    name: String,
    port: Option<u32>,
    number_of_inputs: u32,
    number_of_outputs: u32,
    max_channels: u32,
    parameters: Vec<String>,
}

#[op2]
#[serde]
fn op_worklet_construction(state: &mut OpState, slot: u32) -> Option<ConstructionInfo> {
    let realm = state.borrow_mut::<RealmState>();
    let data = realm.pending.get_mut(&slot)?;
    let name = data.name.clone();
    let port = data.port.take();
    let info = ConstructionInfo {
        name,
        port: None,
        number_of_inputs: data.number_of_inputs,
        number_of_outputs: data.number_of_outputs,
        max_channels: MAX_CHANNELS as u32,
        parameters: data.param_names.clone(),
    };
    let port = port.map(|p| state.resource_table.add_rc_dyn(p.receive()));
    Some(ConstructionInfo { port, ..info })
}

/// The serialized AudioWorkletNodeOptions of `slot`'s construction.
#[op2]
#[buffer]
fn op_worklet_construction_options(state: &mut OpState, slot: u32) -> Vec<u8> {
    state
        .borrow_mut::<RealmState>()
        .pending
        .get_mut(&slot)
        .map(|d| std::mem::take(&mut d.options))
        .unwrap_or_default()
}

/// The scope's own port (paired with `AudioWorklet.port`), as a resource.
#[op2]
fn op_worklet_global_port(state: &mut OpState) -> Option<u32> {
    let port = state.borrow_mut::<RealmState>().global_port.take()?;
    Some(state.resource_table.add_rc_dyn(port.receive()))
}

deno_core::extension!(
    webaudio_worklet,
    deps = [deno_webidl, deno_web],
    ops = [
        crate::realm_globals::op_realm_expose_gc,
        op_worklet_read,
        op_worklet_write,
        op_worklet_sample_rate,
        op_worklet_current_frame,
        op_worklet_register,
        op_worklet_construction,
        op_worklet_construction_options,
        op_worklet_global_port,
    ],
    // Shared with the window's realm (there `ext:webaudio/...`).
    lazy_loaded_js = [dir "js", "02_realm_globals.js"],
    js = [dir "worklet_js", "00_audio_worklet_global_scope.js"],
    options = { state: RealmState },
    state = |state, options| {
        state.put(options.state);
    },
);
