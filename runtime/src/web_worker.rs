//! Web Workers: `new Worker(url)` runs the script on a thread of its own, in
//! a `JsRuntime` of its own with a dedicated worker's global scope. Parent
//! and worker talk through a pair of entangled deno_web `MessagePort`s
//! (structured clone, transfer, SharedArrayBuffers through the process's
//! one store); errors and the worker's end travel on a separate channel of
//! [`WorkerEvent`]s.
//!
//! Lifetime, as in Deno: the parent's event loop stays alive while one of
//! its workers runs (the pending `op_worker_recv_event`), and a worker runs
//! while it has work pending or a `message` listener, until it calls
//! `close()` or its parent calls `terminate()` (which also interrupts a
//! busy script).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use deno_core::{
    AsyncRefCell, CancelFuture, CancelHandle, JsRuntime, ModuleSpecifier, OpState,
    PollEventLoopOptions, RcRef, Resource, ResourceId, TransferredResource, op2, v8,
};
use tokio::sync::mpsc;

use crate::ext::{ProcessShared, RuntimeInfo};
use webaudio_ops::loader::FileModuleLoader;
use webaudio_ops::permissions::PermissionError;

/// What a worker's realm knows about itself.
pub struct WorkerScope {
    pub name: String,
    /// A classic script (the HTML default), not a module.
    pub classic: bool,
    /// The worker end of the parent's port, until the bootstrap takes it.
    port: Option<deno_web::MessagePort>,
    control: Arc<WorkerControl>,
}

/// Shared by a worker's thread and its parent: how to stop it.
#[derive(Default)]
struct WorkerControl {
    state: Mutex<ControlState>,
    wake: tokio::sync::Notify,
}

#[derive(Default)]
struct ControlState {
    /// The worker's isolate while it exists, to interrupt a busy script.
    isolate: Option<v8::IsolateHandle>,
    terminated: bool,
    /// `close()` was called in the worker.
    closing: bool,
}

impl WorkerControl {
    fn lock(&self) -> std::sync::MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records the worker's isolate; false when it was terminated already.
    fn attach(&self, isolate: v8::IsolateHandle) -> bool {
        let mut state = self.lock();
        state.isolate = Some(isolate);
        !state.terminated
    }

    fn detach(&self) {
        self.lock().isolate = None;
    }

    fn terminate(&self) {
        let mut state = self.lock();
        state.terminated = true;
        if let Some(isolate) = &state.isolate {
            isolate.terminate_execution();
        }
        drop(state);
        self.wake.notify_one();
    }

    fn close(&self) {
        self.lock().closing = true;
        self.wake.notify_one();
    }

    fn is_terminated(&self) -> bool {
        self.lock().terminated
    }

    fn should_stop(&self) -> bool {
        let state = self.lock();
        state.terminated || state.closing
    }
}

/// What the parent hears from a worker besides its messages.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerEvent {
    /// `"error"`: an exception nobody handled ended the worker (the
    /// parent's `error` event).
    kind: &'static str,
    message: String,
    filename: String,
    lineno: u32,
    colno: u32,
    stack: Option<String>,
    /// The exception's `name` and `message`, when it was an Error.
    error_name: Option<String>,
    error_message: Option<String>,
}

impl WorkerEvent {
    fn from_error(e: &deno_core::error::CoreError, url: &ModuleSpecifier) -> Self {
        match e.as_kind() {
            deno_core::error::CoreErrorKind::Js(js) => {
                let frame = js.frames.first();
                Self {
                    kind: "error",
                    message: js.exception_message.clone(),
                    filename: frame
                        .and_then(|f| f.file_name.clone())
                        .unwrap_or_else(|| url.to_string()),
                    lineno: frame.and_then(|f| f.line_number).unwrap_or(0) as u32,
                    colno: frame.and_then(|f| f.column_number).unwrap_or(0) as u32,
                    stack: js.stack.clone(),
                    error_name: js.name.clone(),
                    error_message: js.message.clone(),
                }
            }
            _ => Self::plain(e.to_string(), url),
        }
    }

    fn plain(message: String, url: &ModuleSpecifier) -> Self {
        Self {
            kind: "error",
            message,
            filename: url.to_string(),
            lineno: 0,
            colno: 0,
            stack: None,
            error_name: None,
            error_message: None,
        }
    }
}

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum WorkerError {
    #[class("DOMExceptionSyntaxError")]
    #[error("Failed to construct 'Worker': '{0}' is not a valid URL.")]
    Url(String),
    #[class("DOMExceptionNotSupportedError")]
    #[error(
        "Failed to construct 'Worker': cannot load a worker from '{0}': only file:, blob: and data: URLs are supported"
    )]
    Scheme(String),
    #[class(generic)]
    #[error("Failed to construct 'Worker': cannot start a thread: {0}")]
    Thread(String),
    #[class(inherit)]
    #[error(transparent)]
    Permission(#[from] PermissionError),
}

/// The parent's handle on one worker.
struct WorkerResource {
    control: Arc<WorkerControl>,
    events: AsyncRefCell<mpsc::UnboundedReceiver<WorkerEvent>>,
    cancel: CancelHandle,
}

impl Resource for WorkerResource {
    fn name(&self) -> std::borrow::Cow<'_, str> {
        "worker".into()
    }

    fn close(self: Rc<Self>) {
        self.cancel.cancel();
    }
}

/// A worker whose parent realm goes away (a terminated worker's own
/// workers) is terminated with it, as in browsers.
impl Drop for WorkerResource {
    fn drop(&mut self) {
        self.control.terminate();
    }
}

/// Starts a worker running `url` (already resolved): returns its handle and
/// the parent's end of its port.
#[op2]
#[serde]
pub fn op_worker_create(
    state: &mut OpState,
    #[string] url: String,
    classic: bool,
    #[string] name: String,
) -> Result<(ResourceId, ResourceId), WorkerError> {
    let url = ModuleSpecifier::parse(&url).map_err(|_| WorkerError::Url(url.clone()))?;
    let shared = {
        let info = state.borrow::<RuntimeInfo>();
        info.shared.clone()
    };
    match url.scheme() {
        "file" => {
            let path = url
                .to_file_path()
                .map_err(|()| WorkerError::Url(url.to_string()))?;
            shared.permissions.check_read(&path)?;
        }
        "blob" | "data" => {}
        _ => return Err(WorkerError::Scheme(url.to_string())),
    }
    let (parent_port, worker_port) = deno_web::create_entangled_message_port();
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let control = Arc::new(WorkerControl::default());
    let scope = WorkerScope {
        name: name.clone(),
        classic,
        port: Some(worker_port),
        control: control.clone(),
    };
    std::thread::Builder::new()
        .name(format!("worker {name}"))
        .spawn(move || run_worker(url, classic, scope, shared, events_tx))
        .map_err(|e| WorkerError::Thread(e.to_string()))?;
    let port = state
        .resource_table
        .add_rc_dyn(Box::new(parent_port).receive());
    let handle = state.resource_table.add(WorkerResource {
        control,
        events: AsyncRefCell::new(events_rx),
        cancel: CancelHandle::new(),
    });
    Ok((handle, port))
}

/// The next event of a worker, or `None` once it has ended.
#[op2]
#[serde]
pub async fn op_worker_recv_event(
    state: Rc<RefCell<OpState>>,
    #[smi] rid: ResourceId,
) -> Option<WorkerEvent> {
    let resource = state
        .borrow()
        .resource_table
        .get::<WorkerResource>(rid)
        .ok()?;
    let cancel = RcRef::map(resource.clone(), |r| &r.cancel);
    let mut events = RcRef::map(resource.clone(), |r| &r.events)
        .borrow_mut()
        .await;
    events.recv().or_cancel(cancel).await.ok().flatten()
}

/// `worker.terminate()`: stops the worker at once, even a busy one.
#[op2(fast)]
pub fn op_worker_terminate(state: &mut OpState, #[smi] rid: ResourceId) {
    if let Ok(resource) = state.resource_table.get::<WorkerResource>(rid) {
        resource.control.terminate();
    }
}

/// In a worker: its end of the parent's port, once.
#[op2]
pub fn op_worker_take_port(state: &mut OpState) -> Option<u32> {
    let port = state
        .borrow_mut::<RuntimeInfo>()
        .worker
        .as_mut()
        .and_then(|w| w.port.take())?;
    Some(state.resource_table.add_rc_dyn(Box::new(port).receive()))
}

/// In a worker: `close()`; the worker ends once the running task returns.
#[op2(fast)]
pub fn op_worker_close(state: &mut OpState) {
    if let Some(worker) = &state.borrow::<RuntimeInfo>().worker {
        worker.control.close();
    }
}

/// In a worker: `[self.name, whether it runs a classic script]`.
#[op2]
#[serde]
pub fn op_worker_info(state: &mut OpState) -> (String, bool) {
    state
        .borrow::<RuntimeInfo>()
        .worker
        .as_ref()
        .map(|w| (w.name.clone(), w.classic))
        .unwrap_or_default()
}

/// In a classic worker: the source of one `importScripts` URL (already
/// resolved), read as the worker's own script was.
#[op2]
#[string]
pub fn op_worker_import_script(
    state: &mut OpState,
    #[string] url: String,
) -> Result<String, deno_core::error::ModuleLoaderError> {
    let specifier = ModuleSpecifier::parse(&url).map_err(|_| {
        deno_error::JsErrorBox::new(
            "DOMExceptionSyntaxError",
            format!("Failed to execute 'importScripts': '{url}' is not a valid URL."),
        )
    })?;
    let shared = state.borrow::<RuntimeInfo>().shared.clone();
    let (_, bytes) = loader(&shared).read_resource(&specifier, "")?;
    String::from_utf8(bytes).map_err(|_| {
        deno_error::JsErrorBox::new(
            "DOMExceptionNetworkError",
            format!("Failed to execute 'importScripts': '{url}' is not valid UTF-8."),
        )
    })
}

fn loader(shared: &ProcessShared) -> FileModuleLoader {
    FileModuleLoader::new(shared.permissions.clone(), Some(shared.blobs.clone()))
}

/// The worker thread: builds the realm, runs the script and its event
/// loop, and reports an uncaught exception to the parent.
fn run_worker(
    url: ModuleSpecifier,
    classic: bool,
    scope: WorkerScope,
    shared: ProcessShared,
    events: mpsc::UnboundedSender<WorkerEvent>,
) {
    let control = scope.control.clone();
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = events.send(WorkerEvent::plain(
                format!("cannot start the worker's event loop: {e}"),
                &url,
            ));
            return;
        }
    };
    tokio.block_on(async {
        let info = RuntimeInfo {
            args: Vec::new(),
            main_module: url.to_string(),
            shared: shared.clone(),
            worker: Some(scope),
        };
        let mut runtime = match crate::worker::try_create_runtime(info) {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = events.send(WorkerEvent::plain(e, &url));
                return;
            }
        };
        if !control.attach(runtime.v8_isolate().thread_safe_handle()) {
            control.detach();
            return;
        }
        let result = run_script(&mut runtime, &url, classic, &shared, &control).await;
        control.detach();
        if let Err(e) = result
            && !control.is_terminated()
        {
            let _ = events.send(WorkerEvent::from_error(&e, &url));
        }
        drop(runtime);
    });
}

async fn run_script(
    runtime: &mut JsRuntime,
    url: &ModuleSpecifier,
    classic: bool,
    shared: &ProcessShared,
    control: &WorkerControl,
) -> Result<(), deno_core::error::CoreError> {
    let hooks = take_hooks(runtime)?;
    if classic {
        let (_, bytes) = loader(shared)
            .read_resource(url, "")
            .map_err(deno_core::error::CoreError::from)?;
        let source = String::from_utf8_lossy(&bytes).into_owned();
        runtime.execute_script(url.to_string(), source)?;
        call_hook(runtime, &hooks.started);
    } else {
        let load = runtime.load_main_es_module(url);
        // `biased`: once stopped, the runtime is not polled again (a
        // terminated isolate leaves its evaluation pending).
        let id = tokio::select! {
            biased;
            _ = control.wake.notified() => return Ok(()),
            id = load => id?,
        };
        let evaluation = runtime.mod_evaluate(id);
        call_hook(runtime, &hooks.started);
        let evaluated = runtime.with_event_loop_future(evaluation, PollEventLoopOptions::default());
        tokio::select! {
            biased;
            _ = control.wake.notified() => return Ok(()),
            result = evaluated => result?,
        }
    }
    let event_loop = std::future::poll_fn(|cx| {
        if control.should_stop() {
            return Poll::Ready(Ok(()));
        }
        match runtime.poll_event_loop(cx, PollEventLoopOptions::default()) {
            Poll::Ready(Ok(())) if !control.should_stop() && call_hook(runtime, &hooks.listens) => {
                Poll::Pending
            }
            Poll::Pending if control.should_stop() => Poll::Ready(Ok(())),
            other => other,
        }
    });
    tokio::select! {
        biased;
        _ = control.wake.notified() => Ok(()),
        result = event_loop => result,
    }
}

/// The functions the worker bootstrap leaves for Rust.
struct Hooks {
    /// Says the script has run: messages may be delivered.
    started: v8::Global<v8::Function>,
    /// Whether the worker still listens for messages (a `message` listener
    /// on the global or a started port).
    listens: v8::Global<v8::Function>,
}

fn take_hooks(runtime: &mut JsRuntime) -> Result<Hooks, deno_core::error::CoreError> {
    let value = runtime.execute_script(
        "ext:webaudio_run/worker_hooks.js",
        "(() => { const key = Symbol.for(\"webaudio-run.worker\"); \
         const hooks = globalThis[key]; delete globalThis[key]; return hooks; })()",
    )?;
    deno_core::scope!(scope, runtime);
    let missing = || {
        deno_core::error::CoreError::from(deno_error::JsErrorBox::generic(
            "the worker bootstrap did not install its hooks",
        ))
    };
    let object = v8::Local::new(scope, value);
    let object = v8::Local::<v8::Object>::try_from(object).map_err(|_| missing())?;
    let get = |name: &str| {
        let key = v8::String::new(scope, name).ok_or_else(missing)?;
        let value = object.get(scope, key.into()).ok_or_else(missing)?;
        let function = v8::Local::<v8::Function>::try_from(value).map_err(|_| missing())?;
        Ok::<_, deno_core::error::CoreError>(v8::Global::new(scope, function))
    };
    Ok(Hooks {
        started: get("started")?,
        listens: get("listens")?,
    })
}

/// Calls a hook; returns whether it returned true.
fn call_hook(runtime: &mut JsRuntime, hook: &v8::Global<v8::Function>) -> bool {
    deno_core::scope!(scope, runtime);
    let function = v8::Local::new(scope, hook);
    let recv = v8::undefined(scope).into();
    function.call(scope, recv, &[]).is_some_and(|v| v.is_true())
}
