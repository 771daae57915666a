//! BaseAudioContext, AudioContext and OfflineAudioContext.

use std::cell::{OnceCell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use deno_core::{OpState, op2, v8};
use serde::Serialize;
use webaudio_engine::context::{
    Context, ContextState, LatencyHint, OfflineOptions, RealtimeOptions, SinkChoice,
};
use webaudio_engine::message::EngineEvent;
use webaudio_engine::node::audio_listener::AudioListener;

use super::node::NodeResource;
use crate::error::WebAudioError;
use crate::handles::{CLONE_BYTES, Handle, create, handles};

/// A context as JS holds it.
pub struct ContextResource {
    pub ctx: Context,
    rendered: RefCell<Option<Vec<Box<[f32]>>>>,
    listener: OnceCell<AudioListener>,
    pub(crate) worklet: OnceCell<super::worklet::WorkletMain>,
}

impl ContextResource {
    fn new(ctx: Context) -> Self {
        Self {
            ctx,
            rendered: RefCell::new(None),
            listener: OnceCell::new(),
            worklet: OnceCell::new(),
        }
    }
}

/// Native memory a context holds besides its nodes (render thread, queues,
/// pools), for the GC pressure estimate.
const CONTEXT_BYTES: usize = 2 << 20;

#[op2(nofast)]
#[smi]
pub fn op_audio_context_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[string] latency_category: &str,
    latency_seconds: f64,
    sample_rate: f64,
    sink_none: bool,
) -> Result<u32, WebAudioError> {
    let latency_hint = match latency_category {
        "balanced" => LatencyHint::Balanced,
        "playback" => LatencyHint::Playback,
        "interactive" => LatencyHint::Interactive,
        _ if latency_seconds >= 0.0 => LatencyHint::Seconds(latency_seconds),
        _ => LatencyHint::Interactive,
    };
    let options = RealtimeOptions {
        sample_rate: (sample_rate > 0.0).then_some(sample_rate as f32),
        latency_hint,
        sink: if sink_none {
            SinkChoice::None
        } else {
            SinkChoice::Default
        },
    };
    create(&state, isolate, |_| {
        let ctx = Context::new_realtime(options)?;
        live_contexts().push(ctx.clone());
        Ok((Handle::Context(ContextResource::new(ctx)), CONTEXT_BYTES))
    })
}

/// Realtime contexts not yet closed, so they can be closed without a click
/// when the process exits (from any thread: a signal handler included).
static LIVE_CONTEXTS: Mutex<Vec<Context>> = Mutex::new(Vec::new());

fn live_contexts() -> MutexGuard<'static, Vec<Context>> {
    LIVE_CONTEXTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Closes every open realtime context, letting the device play the
/// fade-out quantum before returning. Called when the process exits.
pub fn close_all_realtime_contexts() {
    let contexts = std::mem::take(&mut *live_contexts());
    let mut wait = Duration::ZERO;
    for ctx in &contexts {
        if ctx.state() != ContextState::Closed && ctx.close().is_ok() && ctx.has_device_sink() {
            let latency = ctx.base_latency() + ctx.output_latency();
            wait = wait.max(Duration::from_secs_f64(latency.clamp(0.0, 0.5)));
        }
    }
    if !wait.is_zero() {
        std::thread::sleep(wait + Duration::from_millis(10));
    }
}

#[op2(fast)]
pub fn op_audio_context_resume(state: &OpState, #[smi] res: u32) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.resume()?)
}

#[op2(fast)]
pub fn op_audio_context_suspend(state: &OpState, #[smi] res: u32) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.suspend()?)
}

#[op2(fast)]
pub fn op_audio_context_close(state: &OpState, #[smi] res: u32) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    res.ctx.close()?;
    live_contexts().retain(|c| !c.same_context(&res.ctx));
    Ok(())
}

#[op2(fast)]
pub fn op_audio_context_base_latency(
    state: &OpState,
    #[smi] res: u32,
) -> Result<f64, WebAudioError> {
    Ok(handles(state).context(res)?.ctx.base_latency())
}

#[op2(fast)]
pub fn op_audio_context_output_latency(
    state: &OpState,
    #[smi] res: u32,
) -> Result<f64, WebAudioError> {
    Ok(handles(state).context(res)?.ctx.output_latency())
}

/// `[contextTime, seconds since the frame at contextTime was played]`
/// (negative when it is still to be played); `[0, 0]` before the first quantum.
#[op2]
#[serde]
pub fn op_audio_context_output_timestamp(
    state: &OpState,
    #[smi] res: u32,
) -> Result<(f64, f64), WebAudioError> {
    let stamp = handles(state).context(res)?.ctx.output_timestamp();
    if stamp.context_time == 0.0 {
        return Ok((0.0, 0.0));
    }
    let now = Instant::now();
    let ago = if now >= stamp.instant {
        now.duration_since(stamp.instant).as_secs_f64()
    } else {
        -stamp.instant.duration_since(now).as_secs_f64()
    };
    Ok((stamp.context_time, ago))
}

#[op2(nofast)]
#[smi]
pub fn op_offline_audio_context_new(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    number_of_channels: u32,
    length: u32,
    sample_rate: f32,
) -> Result<u32, WebAudioError> {
    create(&state, isolate, |_| {
        let ctx = Context::new_offline(OfflineOptions {
            number_of_channels: number_of_channels as usize,
            length: length as usize,
            sample_rate,
        })?;
        // The rendered audio is held until the context goes.
        let rendered = number_of_channels as usize * length as usize * 4;
        Ok((
            Handle::Context(ContextResource::new(ctx)),
            CONTEXT_BYTES + rendered,
        ))
    })
}

#[op2(fast)]
pub fn op_offline_audio_context_start_rendering(
    state: &OpState,
    #[smi] res: u32,
) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.start_rendering()?)
}

/// Returns the quantum-aligned frame the rendering will pause at.
#[op2(fast)]
#[number]
pub fn op_offline_audio_context_suspend(
    state: &OpState,
    #[smi] res: u32,
    suspend_time: f64,
) -> Result<u64, WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.suspend_at(suspend_time)?)
}

#[op2(fast)]
pub fn op_offline_audio_context_resume(
    state: &OpState,
    #[smi] res: u32,
) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.resume()?)
}

/// Copies rendered channel `channel` into `out` (after `complete`).
#[op2(fast)]
pub fn op_offline_audio_context_copy_rendered(
    state: &OpState,
    #[smi] res: u32,
    channel: u32,
    #[buffer] out: &mut [f32],
) -> Result<(), WebAudioError> {
    let res = handles(state).context(res)?;
    let mut rendered = res.rendered.borrow_mut();
    if rendered.is_none() {
        *rendered = res.ctx.take_rendered();
    }
    let data = rendered
        .as_mut()
        .and_then(|channels| channels.get_mut(channel as usize))
        .ok_or_else(|| WebAudioError::InvalidState("no rendered audio for that channel".into()))?;
    let n = data.len().min(out.len());
    out[..n].copy_from_slice(&data[..n]);
    // JS holds the audio now; the engine's copy goes at once.
    *data = Box::default();
    Ok(())
}

#[op2(fast)]
pub fn op_base_audio_context_sample_rate(
    state: &OpState,
    #[smi] res: u32,
) -> Result<f64, WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.sample_rate() as f64)
}

#[op2(fast)]
pub fn op_base_audio_context_current_time(
    state: &OpState,
    #[smi] res: u32,
) -> Result<f64, WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.current_time())
}

#[op2(fast)]
pub fn op_base_audio_context_may_make_sound(
    state: &OpState,
    #[smi] res: u32,
) -> Result<bool, WebAudioError> {
    let res = handles(state).context(res)?;
    Ok(res.ctx.may_make_sound())
}

#[op2(nofast)]
#[smi]
pub fn op_base_audio_context_destination(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] res: u32,
) -> Result<u32, WebAudioError> {
    create(&state, isolate, |table| {
        let ctx = &table.context(res)?.ctx;
        Ok((
            Handle::Node(NodeResource::destination(ctx.destination())),
            CLONE_BYTES,
        ))
    })
}

impl ContextResource {
    /// The context's AudioListener, made on first use (by `listener` or by
    /// the first PannerNode, which is ordered after it).
    pub(crate) fn listener(&self) -> Result<&AudioListener, WebAudioError> {
        Ok(match self.listener.get() {
            Some(listener) => listener,
            None => {
                let listener = AudioListener::new(&self.ctx)?;
                self.listener.get_or_init(|| listener)
            }
        })
    }
}

/// The listener's AudioParams: positionX/Y/Z, forwardX/Y/Z, upX/Y/Z.
#[op2(nofast)]
#[smi]
pub fn op_base_audio_context_listener_param(
    state: Rc<RefCell<OpState>>,
    isolate: &mut v8::Isolate,
    #[smi] res: u32,
    index: u32,
) -> Result<u32, WebAudioError> {
    create(&state, isolate, |table| {
        let param = table
            .context(res)?
            .listener()?
            .param(index as usize)
            .ok_or_else(|| WebAudioError::IndexSize(format!("no listener param {index}")))?;
        Ok((Handle::Param(param), CLONE_BYTES))
    })
}

/// Sends the graph changes made so far as one batch (called at the end of
/// each JS task that changed the graph).
#[op2(fast)]
pub fn op_base_audio_context_flush(state: &OpState, #[smi] res: u32) -> Result<(), WebAudioError> {
    handles(state).context(res)?.ctx.flush();
    Ok(())
}

/// `[quanta, average, peak]` of the context's render load (see
/// `Context::render_load`); `reset` starts a new measurement.
#[op2]
#[serde]
pub fn op_base_audio_context_render_load(
    state: &OpState,
    #[smi] res: u32,
    reset: bool,
) -> Result<(f64, f64, f64), WebAudioError> {
    let load = handles(state).context(res)?.ctx.render_load(reset);
    Ok((load.quanta as f64, load.average, load.peak))
}

/// An engine event as JS sees it.
#[derive(Serialize)]
pub struct JsEvent {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame: Option<f64>,
}

impl JsEvent {
    fn of(kind: &'static str) -> Self {
        Self {
            kind,
            node: None,
            state: None,
            frame: None,
        }
    }
}

fn state_name(state: ContextState) -> &'static str {
    match state {
        ContextState::Suspended => "suspended",
        ContextState::Running => "running",
        ContextState::Closed => "closed",
    }
}

fn to_js(event: EngineEvent) -> JsEvent {
    match event {
        EngineEvent::Ended(id) => JsEvent {
            node: Some(id.0),
            ..JsEvent::of("ended")
        },
        EngineEvent::ProcessorError(id) => JsEvent {
            node: Some(id.0),
            ..JsEvent::of("processorerror")
        },
        EngineEvent::ProcessorReady(id) => JsEvent {
            node: Some(id.0),
            ..JsEvent::of("processorready")
        },
        EngineEvent::StateChange(state) => JsEvent {
            state: Some(state_name(state)),
            ..JsEvent::of("statechange")
        },
        EngineEvent::Suspended { frame } => JsEvent {
            frame: Some(frame as f64),
            ..JsEvent::of("suspended")
        },
        EngineEvent::RenderComplete => JsEvent::of("complete"),
        EngineEvent::FilterStateNotFinite(id) => JsEvent {
            node: Some(id.0),
            ..JsEvent::of("unstable")
        },
        EngineEvent::AudioProcess(id) => JsEvent {
            node: Some(id.0),
            ..JsEvent::of("audioprocess")
        },
    }
}

/// How long the event pump waits before reporting a `tick`, so JS can
/// re-check whether the context can still make sound (a tail that stops
/// ringing sends no event).
const PUMP_TICK: Duration = Duration::from_millis(100);

/// The next engine event of this context, or `{ type: "tick" }`.
#[op2]
#[serde]
pub fn op_base_audio_context_next_event(
    state: &OpState,
    #[smi] res: u32,
) -> impl Future<Output = Result<JsEvent, WebAudioError>> + use<> {
    let ctx = handles(state).context(res).map(|res| res.ctx.clone());
    async move {
        let ctx = ctx?;
        Ok(
            match tokio::time::timeout(PUMP_TICK, ctx.next_event()).await {
                Ok(event) => to_js(event),
                Err(_) => JsEvent::of("tick"),
            },
        )
    }
}

/// The number of nodes the engine holds for this context, destination
/// included (`WebAudioRun.nodeCount`): those JS can reach, and those still
/// playing or ringing.
#[op2(fast)]
pub fn op_base_audio_context_node_count(
    state: &OpState,
    #[smi] res: u32,
) -> Result<u32, WebAudioError> {
    Ok(handles(state).context(res)?.ctx.node_count() as u32)
}
