//! The render half of an AudioWorkletNode, and its control-side handle.

use std::collections::HashSet;
use std::sync::Mutex;

use deno_core::TransferredResource;
use webaudio_engine::Error;
use webaudio_engine::context::{Context, NodeHandle, NodeSpec};
use webaudio_engine::message::EngineEvent;
use webaudio_engine::param::{AutomationRate, ParamDescriptor};
use webaudio_engine::processor::{ProcessIo, Processor, RenderScope};
use webaudio_engine::render::MAX_PARAMS;

use super::ParamDescriptorData;
use super::ext::CallFrame;
use super::realm::{ErrorInfo, ProcessOutcome, WorkletRealm};

/// The processor construction data of the spec, on its way to the realm.
pub(crate) struct Construction {
    pub name: String,
    /// The serialized AudioWorkletNodeOptions.
    pub options: Vec<u8>,
    /// The processor's end of the node's MessageChannel.
    pub port: Option<Box<dyn TransferredResource>>,
    pub number_of_inputs: u32,
    pub number_of_outputs: u32,
    pub param_names: Vec<String>,
}

/// What an AudioWorkletNode is made from (checked by its JS constructor).
pub struct WorkletNodeOptions {
    pub name: String,
    pub number_of_inputs: usize,
    pub number_of_outputs: usize,
    /// `outputChannelCount`; `None` lets a 1-in/1-out node follow its
    /// input's channel count, and gives other nodes mono outputs.
    pub output_channel_count: Option<Vec<usize>>,
    pub descriptors: Vec<ParamDescriptorData>,
    pub serialized_options: Vec<u8>,
    pub port: Box<dyn TransferredResource>,
}

/// An AudioWorkletNode's engine node.
pub struct WorkletNode {
    node: NodeHandle,
}

/// Parameter names live as long as the process: each distinct name is kept
/// once.
fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let set = names.get_or_insert_with(HashSet::new);
    if let Some(&existing) = set.get(name) {
        return existing;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

impl WorkletNode {
    pub fn new(ctx: &Context, options: WorkletNodeOptions) -> Result<Self, Error> {
        if options.descriptors.len() > MAX_PARAMS {
            return Err(Error::NotSupported(format!(
                "an AudioWorkletNode can have at most {MAX_PARAMS} AudioParams in webaudio-run, not {}",
                options.descriptors.len()
            )));
        }
        let params = options
            .descriptors
            .iter()
            .map(|d| {
                ParamDescriptor::new(intern(&d.name), d.default_value)
                    .with_range(d.min_value, d.max_value)
                    .with_rate(if d.automation_rate == "k-rate" {
                        AutomationRate::KRate
                    } else {
                        AutomationRate::ARate
                    })
            })
            .collect();
        let outputs = options.number_of_outputs;
        let fixed = options
            .output_channel_count
            .clone()
            .or_else(|| (options.number_of_inputs != 1 || outputs != 1).then(|| vec![1; outputs]))
            .map(Vec::into_boxed_slice);
        let processor = WorkletProcessor {
            construction: Some(Construction {
                name: options.name,
                options: options.serialized_options,
                port: Some(options.port),
                number_of_inputs: options.number_of_inputs as u32,
                number_of_outputs: outputs as u32,
                param_names: options.descriptors.iter().map(|d| d.name.clone()).collect(),
            }),
            fixed_outputs: fixed,
            output_channels: vec![1; outputs].into_boxed_slice(),
            callable: true,
            active_source: true,
        };
        let spec = NodeSpec {
            wait_for_edges: true,
            ..NodeSpec::new(options.number_of_inputs, outputs, params)
        };
        let node = ctx.create_node(spec, Box::new(processor))?;
        Ok(Self { node })
    }

    pub fn node(&self) -> &NodeHandle {
        &self.node
    }
}

/// Calls the processor's `process()` in the realm each quantum.
struct WorkletProcessor {
    construction: Option<Construction>,
    /// Output channel counts when fixed by the options.
    fixed_outputs: Option<Box<[usize]>>,
    /// This quantum's output channel counts.
    output_channels: Box<[usize]>,
    /// The spec's [[callable process]]: false after the constructor or
    /// `process()` threw.
    callable: bool,
    /// The processor's active source flag: the last `process()` result
    /// (initially true).
    active_source: bool,
}

impl WorkletProcessor {
    fn fail(&mut self, realm: &WorkletRealm, scope: &RenderScope<'_>, info: ErrorInfo) {
        self.callable = false;
        realm.report_error(scope.node_id.0, info);
        scope.post_event(EngineEvent::ProcessorError(scope.node_id));
    }
}

impl Processor for WorkletProcessor {
    fn on_add(&mut self, scope: &RenderScope<'_>) {
        let Some(data) = self.construction.take() else {
            return;
        };
        let mut host = scope.host();
        let realm = host
            .as_deref_mut()
            .and_then(|h| h.as_any_mut().downcast_mut::<WorkletRealm>());
        let Some(realm) = realm else {
            // Only reachable if the scope failed to start; nothing to run.
            scope.discard(Box::new(data));
            self.callable = false;
            scope.post_event(EngineEvent::ProcessorError(scope.node_id));
            return;
        };
        match realm.construct(scope.node_id.0, data) {
            Ok(()) => scope.post_event(EngineEvent::ProcessorReady(scope.node_id)),
            Err(info) => self.fail(realm, scope, info),
        }
    }

    fn process(&mut self, io: ProcessIo<'_>, scope: &RenderScope<'_>) -> bool {
        // Not actively processing (its processor said it is done and no
        // input is fed by a node that is): one channel of silence, and no
        // call, as browsers do.
        if !self.callable || (!self.active_source && !scope.inputs_actively_processing()) {
            for o in io.outputs.iter_mut() {
                o.make_silent_with_channels(1);
            }
            return false;
        }
        match &self.fixed_outputs {
            Some(fixed) => self.output_channels.copy_from_slice(fixed),
            None => {
                self.output_channels[0] = io.inputs.first().map_or(1, |b| b.number_of_channels())
            }
        }
        let mut host = scope.host();
        let Some(realm) = host
            .as_deref_mut()
            .and_then(|h| h.as_any_mut().downcast_mut::<WorkletRealm>())
        else {
            for o in io.outputs.iter_mut() {
                o.make_silent_with_channels(1);
            }
            return false;
        };
        let mut frame = CallFrame {
            inputs: io.inputs,
            connected_inputs: scope.connected_inputs(),
            outputs: io.outputs,
            output_channels: &self.output_channels,
            params: io.params,
        };
        match realm.process(scope.node_id.0, &mut frame) {
            ProcessOutcome::Returned(active) => {
                self.active_source = active;
                active
            }
            ProcessOutcome::Threw(info) => {
                for o in frame.outputs.iter_mut() {
                    o.make_silent_with_channels(1);
                }
                self.fail(realm, scope, info);
                false
            }
        }
    }

    fn on_remove(&mut self, scope: &RenderScope<'_>) {
        let mut host = scope.host();
        if let Some(realm) = host
            .as_deref_mut()
            .and_then(|h| h.as_any_mut().downcast_mut::<WorkletRealm>())
        {
            realm.remove(scope.node_id.0);
        }
    }
}
