//! The AudioWorkletGlobalScope realm: a `JsRuntime` living on a context's
//! render thread.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::OnceLock;
use std::task::Poll;

use deno_core::error::{CoreError, CoreErrorKind, JsError};
use deno_core::{
    JsRuntime, ModuleSpecifier, PollEventLoopOptions, RuntimeOptions, TransferredResource, v8,
};
use tokio::sync::oneshot;
use webaudio_engine::context::Context;
use webaudio_engine::host::{HostAccess, RenderHost, RenderWake};

use super::ParamDescriptorData;
use super::ext::{CallFrame, RealmState, webaudio_worklet};

/// Called with `true` when the render thread enters the worklet's JS engine
/// (a `process()` call, module evaluation, message delivery) and `false` when
/// it leaves; the ops that copy audio in and out leave it while they run
/// (calls nest: count them). Allocation tests use it to tell the JS
/// engine's own allocations from the render path's.
pub static JS_ENGINE_SECTION_HOOK: OnceLock<fn(bool)> = OnceLock::new();

/// Marks the time spent in the JS engine (see [`JS_ENGINE_SECTION_HOOK`]).
pub(crate) struct EngineSection;

/// Marks Rust code called back from the JS engine as outside it.
pub(crate) struct OutsideEngine;

impl OutsideEngine {
    pub(crate) fn enter() -> Self {
        if let Some(hook) = JS_ENGINE_SECTION_HOOK.get() {
            hook(false);
        }
        OutsideEngine
    }
}

impl Drop for OutsideEngine {
    fn drop(&mut self) {
        if let Some(hook) = JS_ENGINE_SECTION_HOOK.get() {
            hook(true);
        }
    }
}

impl EngineSection {
    fn enter() -> Self {
        if let Some(hook) = JS_ENGINE_SECTION_HOOK.get() {
            hook(true);
        }
        EngineSection
    }
}

impl Drop for EngineSection {
    fn drop(&mut self) {
        if let Some(hook) = JS_ENGINE_SECTION_HOOK.get() {
            hook(false);
        }
    }
}

/// A processor name and its parameter descriptors, as `registerProcessor`
/// recorded them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegisteredProcessor {
    pub name: String,
    pub descriptors: Vec<ParamDescriptorData>,
}

/// Why `addModule` failed, with the class the promise rejects with.
#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum ModuleError {
    /// The module or one it imports could not be fetched, or the context's
    /// render thread is gone.
    #[class("DOMExceptionAbortError")]
    #[error("{0}")]
    Abort(String),
    /// The module graph failed to parse or link ("error to rethrow").
    #[class(syntax)]
    #[error("{0}")]
    Syntax(String),
    #[class(type)]
    #[error("{0}")]
    Type(String),
    #[class(reference)]
    #[error("{0}")]
    Reference(String),
}

/// An exception thrown in the realm, as the control thread's `ErrorEvent`
/// reports it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ErrorInfo {
    pub message: String,
    pub filename: String,
    pub lineno: u32,
    pub colno: u32,
}

impl ErrorInfo {
    fn from_js(e: &JsError) -> Self {
        let frame = e.frames.first();
        Self {
            message: e.exception_message.clone(),
            filename: frame.and_then(|f| f.file_name.clone()).unwrap_or_default(),
            lineno: frame.and_then(|f| f.line_number).unwrap_or(0) as u32,
            colno: frame.and_then(|f| f.column_number).unwrap_or(0) as u32,
        }
    }
}

/// What the realm tells the control side outside `addModule` replies.
#[derive(Debug)]
pub enum RealmReport {
    /// The exception behind node `0`'s `processorerror` event.
    Error(u32, ErrorInfo),
    /// `registerProcessor` succeeded (during a module's evaluation or any
    /// time later): the control side adds it to its name-to-descriptors map.
    Registered(RegisteredProcessor),
}

/// Where the realm sends its reports; the control side drains them when a
/// `processorerror` event arrives or a processor name is looked up.
pub type ReportSender = std::sync::mpsc::Sender<RealmReport>;

/// The JS functions Rust calls, taken from the bootstrap.
struct Hooks {
    process: v8::Global<v8::Function>,
    construct: v8::Global<v8::Function>,
    remove: v8::Global<v8::Function>,
}

/// The realm, as kept in the render thread's host slot.
pub(crate) struct WorkletRealm {
    // Field order is drop order: handles before their isolate, the isolate
    // before the tokio runtime its ops may use.
    hooks: Option<Hooks>,
    js: Option<JsRuntime>,
    tokio: Option<tokio::runtime::Runtime>,
    frame: Rc<Cell<u64>>,
    errors: ReportSender,
}

impl Drop for WorkletRealm {
    fn drop(&mut self) {
        let _section = EngineSection::enter();
        let _guard = self.tokio.as_ref().map(|t| t.enter());
        self.hooks = None;
        self.js = None;
    }
}

impl RenderHost for WorkletRealm {
    fn service(&mut self, frame: u64) {
        self.frame.set(frame);
        let _section = EngineSection::enter();
        let (Some(js), Some(tokio)) = (self.js.as_mut(), self.tokio.as_ref()) else {
            return;
        };
        // deno_core completes async ops (a port's receive) in a task on the
        // tokio runtime: let that run, then take what completed.
        {
            deno_core::scope!(scope, js);
            scope.perform_microtask_checkpoint();
        }
        tokio.block_on(async {
            tokio::task::yield_now().await;
            std::future::poll_fn(|cx| {
                if let Poll::Ready(Err(e)) = js.poll_event_loop(cx, PollEventLoopOptions::default())
                {
                    report_uncaught(&e);
                }
                Poll::Ready(())
            })
            .await;
        });
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }

    /// Nothing to render: run the scope's event loop (port messages and
    /// what they start) until the engine has work again. No polling: the
    /// loop sleeps in tokio until a message or the engine wakes it.
    fn idle(&mut self, wake: &RenderWake) {
        let _section = EngineSection::enter();
        let (Some(js), Some(tokio)) = (self.js.as_mut(), self.tokio.as_ref()) else {
            while !wake.take() {
                std::thread::park();
            }
            return;
        };
        tokio.block_on(std::future::poll_fn(|cx| {
            wake.register(cx.waker());
            if wake.take() {
                return Poll::Ready(());
            }
            if let Poll::Ready(Err(e)) = js.poll_event_loop(cx, PollEventLoopOptions::default()) {
                report_uncaught(&e);
            }
            // The scope may have nothing pending at all: then only the
            // engine's wake (registered above) ends the wait.
            if wake.take() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
    }
}

/// Prints an exception nobody handled in the worklet scope, as a browser's
/// console would.
fn report_uncaught(e: &CoreError) {
    eprintln!("Uncaught (in AudioWorkletGlobalScope) {e}");
}

/// What the outcome of one `process()` call means for the node.
pub(crate) enum ProcessOutcome {
    /// `process()` returned; the active source flag is the value.
    Returned(bool),
    /// It threw (or `process` was not callable).
    Threw(ErrorInfo),
}

impl WorkletRealm {
    fn new(
        sample_rate: f32,
        global_port: Option<Box<dyn TransferredResource>>,
        errors: ReportSender,
        permissions: std::sync::Arc<crate::permissions::Permissions>,
    ) -> Result<Self, String> {
        let _section = EngineSection::enter();
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| e.to_string())?;
        let frame = Rc::new(Cell::new(0));
        let state = RealmState::new(sample_rate, frame.clone(), global_port, errors.clone());
        let guard = tokio.enter();
        let mut js = JsRuntime::try_new(RuntimeOptions {
            module_loader: Some(Rc::new(crate::loader::FileModuleLoader::new(
                permissions,
                None,
            ))),
            shared_array_buffer_store: Some(super::shared_array_buffer_store()),
            extensions: vec![
                deno_webidl::deno_webidl::init(),
                deno_web::deno_web::init(
                    std::sync::Arc::new(deno_web::BlobStore::default()),
                    None,
                    false,
                    deno_web::InMemoryBroadcastChannel::default(),
                ),
                webaudio_worklet::init(state),
            ],
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
        let hooks = take_hooks(&mut js)?;
        drop(guard);
        Ok(Self {
            hooks: Some(hooks),
            js: Some(js),
            tokio: Some(tokio),
            frame,
            errors,
        })
    }

    /// Evaluates one module in the scope, or says why it could not load
    /// (what it registers is reported as `RealmReport::Registered`). An
    /// exception while it runs is reported, as the HTML spec's "run a module
    /// script" does, and does not fail `addModule`.
    fn add_module(&mut self, url: &str, source: String) -> Result<(), ModuleError> {
        let _section = EngineSection::enter();
        let (Some(js), Some(tokio)) = (self.js.as_mut(), self.tokio.as_ref()) else {
            return Err(ModuleError::Abort("the AudioWorklet scope is gone".into()));
        };
        let specifier = ModuleSpecifier::parse(url)
            .map_err(|e| ModuleError::Abort(format!("invalid module URL '{url}': {e}")))?;
        tokio.block_on(async {
            let id = js
                .load_side_es_module_from_code(&specifier, source)
                .await
                .map_err(load_error)?;
            let evaluation = js.mod_evaluate(id);
            if let Err(e) = js
                .with_event_loop_future(evaluation, PollEventLoopOptions::default())
                .await
            {
                report_uncaught(&e);
            }
            Ok(())
        })
    }

    /// Runs the AudioWorkletProcessor construction algorithm for `slot`.
    pub(crate) fn construct(
        &mut self,
        slot: u32,
        data: super::processor::Construction,
    ) -> Result<(), ErrorInfo> {
        let _section = EngineSection::enter();
        let (Some(js), Some(tokio), Some(hooks)) =
            (self.js.as_mut(), self.tokio.as_ref(), self.hooks.as_ref())
        else {
            return Err(ErrorInfo {
                message: "the AudioWorklet scope is gone".into(),
                ..Default::default()
            });
        };
        let _guard = tokio.enter();
        js.op_state()
            .borrow_mut()
            .borrow_mut::<RealmState>()
            .pending
            .insert(slot, data);
        let result = call_hook(js, &hooks.construct, slot, true);
        js.op_state()
            .borrow_mut()
            .borrow_mut::<RealmState>()
            .pending
            .remove(&slot);
        result.map(|_| ())
    }

    /// Calls the processor of `slot` for one quantum.
    pub(crate) fn process(&mut self, slot: u32, frame: &mut CallFrame<'_>) -> ProcessOutcome {
        let _section = EngineSection::enter();
        let (Some(js), Some(tokio), Some(hooks)) =
            (self.js.as_mut(), self.tokio.as_ref(), self.hooks.as_ref())
        else {
            return ProcessOutcome::Threw(ErrorInfo::default());
        };
        let _guard = tokio.enter();
        let result =
            super::ext::with_call_frame(frame, || call_hook(js, &hooks.process, slot, false));
        match result {
            Ok(active) => ProcessOutcome::Returned(active),
            Err(info) => ProcessOutcome::Threw(info),
        }
    }

    /// Forgets the processor of a node leaving the graph.
    pub(crate) fn remove(&mut self, slot: u32) {
        let _section = EngineSection::enter();
        if let (Some(js), Some(tokio), Some(hooks)) =
            (self.js.as_mut(), self.tokio.as_ref(), self.hooks.as_ref())
        {
            let _guard = tokio.enter();
            let _ = call_hook(js, &hooks.remove, slot, true);
        }
    }

    pub(crate) fn report_error(&self, slot: u32, info: ErrorInfo) {
        let _ = self.errors.send(RealmReport::Error(slot, info));
    }
}

/// Calls `hook(slot)`; with `checkpoint`, then runs the microtasks it
/// queued. Returns the truthiness of the result, or the exception.
///
/// `process()` calls skip the checkpoint: the microtasks of one quantum's
/// calls run together between quanta (in `service`), as browsers do.
fn call_hook(
    js: &mut JsRuntime,
    hook: &v8::Global<v8::Function>,
    slot: u32,
    checkpoint: bool,
) -> Result<bool, ErrorInfo> {
    deno_core::scope!(scope, js);
    let result = {
        v8::tc_scope!(let tc, scope);
        let function = v8::Local::new(tc, hook);
        let recv = v8::undefined(tc).into();
        let arg = v8::Integer::new_from_unsigned(tc, slot).into();
        match function.call(tc, recv, &[arg]) {
            Some(value) => Ok(value.boolean_value(tc)),
            None => match tc.exception() {
                Some(exception) => Err(ErrorInfo::from_js(&JsError::from_v8_exception(
                    tc, exception,
                ))),
                None => Err(ErrorInfo {
                    message: "the AudioWorklet scope was terminated".into(),
                    ..Default::default()
                }),
            },
        }
    };
    if checkpoint {
        scope.perform_microtask_checkpoint();
    }
    result
}

/// Reads the functions the worklet bootstrap left for Rust.
fn take_hooks(js: &mut JsRuntime) -> Result<Hooks, String> {
    let value = js
        .execute_script(
            "ext:webaudio_worklet/hooks.js",
            "(() => { const h = globalThis.__webaudioWorkletHooks; \
             delete globalThis.__webaudioWorkletHooks; return h; })()",
        )
        .map_err(|e| e.to_string())?;
    deno_core::scope!(scope, js);
    let missing = || "the AudioWorklet bootstrap did not install its hooks".to_string();
    let object = v8::Local::new(scope, value);
    let object = v8::Local::<v8::Object>::try_from(object).map_err(|_| missing())?;
    let get = |scope: &mut v8::PinScope, name: &str| {
        let key = v8::String::new(scope, name).ok_or_else(missing)?;
        let value = object.get(scope, key.into()).ok_or_else(missing)?;
        let function = v8::Local::<v8::Function>::try_from(value).map_err(|_| missing())?;
        Ok::<_, String>(v8::Global::new(scope, function))
    };
    Ok(Hooks {
        process: get(scope, "process")?,
        construct: get(scope, "construct")?,
        remove: get(scope, "remove")?,
    })
}

/// Maps a module-loading failure to the error `addModule` rejects with: a
/// parse or link error is rethrown with its own class; anything else (a
/// file that cannot be read) is a failed fetch.
fn load_error(e: CoreError) -> ModuleError {
    match e.into_kind() {
        CoreErrorKind::Js(js) => {
            let message = js
                .message
                .clone()
                .unwrap_or_else(|| js.exception_message.clone());
            match js.name.as_deref() {
                Some("SyntaxError") => ModuleError::Syntax(message),
                Some("ReferenceError") => ModuleError::Reference(message),
                Some("TypeError") => ModuleError::Type(message),
                _ => ModuleError::Abort(message),
            }
        }
        other => ModuleError::Abort(other.to_string()),
    }
}

/// Makes the context's AudioWorkletGlobalScope on its render thread (once),
/// with `port` as its `port`, processor errors reported to `errors` and
/// module imports limited to what `permissions` allow.
pub fn init_realm(
    ctx: &Context,
    port: Box<dyn TransferredResource>,
    errors: ReportSender,
    permissions: std::sync::Arc<crate::permissions::Permissions>,
) {
    let mut port = Some(port);
    let mut errors = Some(errors);
    ctx.run_on_render_thread(Box::new(move |access: &mut HostAccess<'_>| {
        if access.slot.is_some() {
            return;
        }
        let (Some(port), Some(errors)) = (port.take(), errors.take()) else {
            return;
        };
        match WorkletRealm::new(access.sample_rate, Some(port), errors, permissions.clone()) {
            Ok(realm) => *access.slot = Some(Box::new(realm)),
            Err(e) => eprintln!("webaudio-run: cannot start the AudioWorklet scope: {e}"),
        }
    }));
}

/// Evaluates `source` (fetched from `url`) in the context's worklet scope.
pub fn add_module(
    ctx: &Context,
    url: String,
    source: String,
) -> oneshot::Receiver<Result<(), ModuleError>> {
    let (tx, rx) = oneshot::channel();
    let mut job = Some((url, source, tx));
    ctx.run_on_render_thread(Box::new(move |access: &mut HostAccess<'_>| {
        let Some((url, source, tx)) = job.take() else {
            return;
        };
        let realm = access
            .slot
            .as_mut()
            .and_then(|h| h.as_any_mut().downcast_mut::<WorkletRealm>());
        let result = match realm {
            Some(realm) => realm.add_module(&url, source),
            None => Err(ModuleError::Abort(
                "the AudioWorklet scope could not be started".into(),
            )),
        };
        let _ = tx.send(result);
    }));
    rx
}
