//! AudioWorklet and AudioWorkletNode on the control thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use deno_core::{OpState, TransferredResource, op2, v8};

use super::node::{NodeKind, create_node};
use crate::error::WebAudioError;
use crate::handles::handles;
use crate::worklet::{
    self, ErrorInfo, ModuleError, ParamDescriptorData, RealmReport, RegisteredProcessor,
    WorkletNode, WorkletNodeOptions,
};

/// The control side's view of a context's AudioWorkletGlobalScope.
pub(crate) struct WorkletMain {
    reports: std::sync::mpsc::Receiver<RealmReport>,
    /// Errors read from the channel whose events have not been fired yet.
    waiting: RefCell<HashMap<u32, ErrorInfo>>,
    /// Registrations read from the channel and not yet taken by JS.
    registered: RefCell<Vec<RegisteredProcessor>>,
}

impl WorkletMain {
    fn drain(&self) {
        while let Ok(report) = self.reports.try_recv() {
            match report {
                RealmReport::Error(id, info) => {
                    self.waiting.borrow_mut().insert(id, info);
                }
                RealmReport::Registered(r) => self.registered.borrow_mut().push(r),
            }
        }
    }
}

/// Takes a MessagePort resource (its JS object already gave up its id) so
/// it can move to the render thread.
fn take_port(state: &mut OpState, rid: u32) -> Result<Box<dyn TransferredResource>, WebAudioError> {
    let resource = state
        .resource_table
        .take_any(rid)
        .map_err(|e| WebAudioError::Type(e.to_string()))?;
    resource
        .transfer()
        .map_err(|e| WebAudioError::Type(e.to_string()))
}

/// Starts the context's AudioWorkletGlobalScope on its render thread, with
/// the scope end of `AudioWorklet.port`.
#[op2(fast)]
pub fn op_audio_worklet_init(
    state: &mut OpState,
    #[smi] ctx: u32,
    port: u32,
) -> Result<(), WebAudioError> {
    if handles(state).context(ctx)?.worklet.get().is_some() {
        return Err(WebAudioError::InvalidState(
            "the AudioWorklet scope is already started".into(),
        ));
    }
    let port = take_port(state, port)?;
    let ctx = handles(state).context(ctx)?;
    let (tx, rx) = std::sync::mpsc::channel();
    // The scope imports what the main realm may read; a runtime that set
    // no permissions grants none.
    let permissions = state
        .try_borrow::<std::sync::Arc<crate::permissions::Permissions>>()
        .cloned()
        .unwrap_or_default();
    worklet::init_realm(&ctx.ctx, port, tx, permissions);
    let _ = ctx.worklet.set(WorkletMain {
        reports: rx,
        waiting: RefCell::new(HashMap::new()),
        registered: RefCell::new(Vec::new()),
    });
    Ok(())
}

/// Evaluates a fetched module in the scope; what it registered is then
/// taken with `op_audio_worklet_take_registrations`.
#[op2]
pub fn op_audio_worklet_add_module(
    state: &OpState,
    #[smi] ctx: u32,
    #[string] url: String,
    #[string] source: String,
) -> impl Future<Output = Result<(), ModuleError>> + use<> {
    let reply = handles(state)
        .context(ctx)
        .map(|ctx| worklet::add_module(&ctx.ctx, url, source));
    async move {
        let reply = reply.map_err(|e| ModuleError::Type(e.to_string()))?;
        reply.await.unwrap_or_else(|_| {
            Err(ModuleError::Abort(
                "the context stopped rendering before the module could run".into(),
            ))
        })
    }
}

/// Creates an AudioWorkletNode's engine node; its processor is constructed
/// on the render thread when the node joins the graph.
#[op2]
#[smi]
#[allow(clippy::too_many_arguments)]
pub fn op_audio_worklet_node_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] ctx: u32,
    #[string] name: String,
    number_of_inputs: u32,
    number_of_outputs: u32,
    #[serde] output_channel_count: Option<Vec<u32>>,
    #[serde] descriptors: Vec<ParamDescriptorData>,
    #[buffer] serialized_options: &[u8],
    port: u32,
) -> Result<u32, WebAudioError> {
    let port = {
        let mut state = state.borrow_mut();
        if handles(&state).context(ctx)?.worklet.get().is_none() {
            return Err(WebAudioError::InvalidState(
                "the context's AudioWorklet has no module loaded".into(),
            ));
        }
        take_port(&mut state, port)?
    };
    create_node(&state, isolate, ctx, |ctx| {
        let node = WorkletNode::new(
            &ctx.ctx,
            WorkletNodeOptions {
                name,
                number_of_inputs: number_of_inputs as usize,
                number_of_outputs: number_of_outputs as usize,
                output_channel_count: output_channel_count
                    .map(|v| v.into_iter().map(|c| c as usize).collect()),
                descriptors,
                serialized_options: serialized_options.to_vec(),
                port,
            },
        )?;
        Ok(NodeKind::AudioWorklet(node))
    })
}

/// The exception behind a `processorerror` event of node `node`, if known.
#[op2]
#[serde]
pub fn op_audio_worklet_take_error(
    state: &OpState,
    #[smi] ctx: u32,
    node: u32,
) -> Result<Option<ErrorInfo>, WebAudioError> {
    let Some(main) = handles(state).context(ctx)?.worklet.get() else {
        return Ok(None);
    };
    main.drain();
    Ok(main.waiting.borrow_mut().remove(&node))
}

/// Processors registered in the scope since the last call (a module's, or
/// later ones: `registerProcessor` may run at any time).
#[op2]
#[serde]
pub fn op_audio_worklet_take_registrations(
    state: &OpState,
    #[smi] ctx: u32,
) -> Result<Vec<RegisteredProcessor>, WebAudioError> {
    let Some(main) = handles(state).context(ctx)?.worklet.get() else {
        return Ok(Vec::new());
    };
    main.drain();
    Ok(std::mem::take(&mut *main.registered.borrow_mut()))
}
