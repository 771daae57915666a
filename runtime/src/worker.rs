//! Runs one script in a fresh JS runtime: the main entry of `webaudio-run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use deno_core::{JsRuntime, ModuleSpecifier, PollEventLoopOptions, RuntimeOptions, v8};

use crate::errors;
use crate::ext::{ProcessShared, RuntimeInfo, webaudio_run};
use webaudio_ops::loader::FileModuleLoader;
use webaudio_ops::permissions::{Grant, NetTarget, Permissions};

/// Exit code of a script that threw, or failed to load.
pub const EXIT_FAILURE: i32 = 1;

pub fn flush_stdio() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// Held by the thread that is ending the process, so that one exit
/// (`WebAudioRun.exit` or Ctrl-C) runs at a time.
static EXITING: Mutex<()> = Mutex::new(());
/// Set once `std::process::exit` is under way.
static EXIT_STARTED: AtomicBool = AtomicBool::new(false);
/// Set by the first Ctrl-C.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ends the process: open audio contexts fade out first (no click).
pub fn exit_process(code: i32) -> ! {
    let _exiting = EXITING.lock().unwrap_or_else(|e| e.into_inner());
    webaudio_ops::close_all_realtime_contexts();
    exit_now(code)
}

fn exit_now(code: i32) -> ! {
    flush_stdio();
    EXIT_STARTED.store(true, Ordering::SeqCst);
    std::process::exit(code);
}

/// Exit code of a process stopped by Ctrl-C (128 + SIGINT).
const EXIT_INTERRUPTED: i32 = 130;

/// Ctrl-C ends the process promptly whatever JS is doing (a busy loop, a
/// long synchronous op): a thread of its own waits for SIGINT, stops the
/// script, fades out open realtime contexts and exits with 130. A second
/// Ctrl-C during the fade exits at once.
fn watch_ctrl_c(isolate: v8::IsolateHandle) {
    let signals = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("warning: Ctrl-C will not stop the script: {e}");
            return;
        }
    };
    // Installed here, before the script runs, so that no early SIGINT is
    // missed.
    let registered = {
        let _context = signals.enter();
        sigint_stream()
    };
    let mut sigint = match registered {
        Ok(sigint) => sigint,
        Err(e) => {
            eprintln!("warning: Ctrl-C will not stop the script: {e}");
            return;
        }
    };
    let watcher = move || {
        signals.block_on(async move {
            if sigint.recv().await.is_none() {
                return;
            }
            INTERRUPTED.store(true, Ordering::SeqCst);
            isolate.terminate_execution();
            let fade = std::thread::Builder::new()
                .name("exit".into())
                .spawn(|| exit_process(EXIT_INTERRUPTED));
            if (fade.is_err() || sigint.recv().await.is_some())
                && !EXIT_STARTED.load(Ordering::SeqCst)
            {
                exit_now(EXIT_INTERRUPTED);
            }
        });
    };
    if let Err(e) = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(watcher)
    {
        eprintln!("warning: Ctrl-C will not stop the script: {e}");
    }
}

#[cfg(unix)]
fn sigint_stream() -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
}

#[cfg(windows)]
fn sigint_stream() -> std::io::Result<tokio::signal::windows::CtrlC> {
    tokio::signal::windows::ctrl_c()
}

/// After Ctrl-C the watcher ends the process; the JS thread, stopped, waits
/// for it rather than report the termination or exit on its own.
fn wait_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// Builds a realm with the browser globals installed: a window's, or a
/// dedicated worker's when `info.worker` is set.
pub fn try_create_runtime(info: RuntimeInfo) -> Result<JsRuntime, String> {
    JsRuntime::try_new(runtime_options(info, Vec::new())).map_err(|e| e.to_string())
}

/// Builds the main realm, with `host` extensions (the WPT runner's page
/// host) whose JS runs before the bootstrap hides `__bootstrap`.
pub fn create_runtime_with(info: RuntimeInfo, host: Vec<deno_core::Extension>) -> JsRuntime {
    JsRuntime::new(runtime_options(info, host))
}

fn runtime_options(info: RuntimeInfo, host: Vec<deno_core::Extension>) -> RuntimeOptions {
    let shared = info.shared.clone();
    let mut extensions = vec![
        deno_webidl::deno_webidl::init(),
        deno_web::deno_web::init(
            shared.blobs.clone(),
            None,
            false,
            deno_web::InMemoryBroadcastChannel::default(),
        ),
        deno_crypto::deno_crypto::init(None),
        webaudio_ops::webaudio::init(),
    ];
    extensions.extend(host);
    extensions.push(webaudio_run::init(info));
    RuntimeOptions {
        module_loader: Some(Rc::new(FileModuleLoader::new(
            shared.permissions,
            Some(shared.blobs),
        ))),
        shared_array_buffer_store: Some(webaudio_ops::worklet::shared_array_buffer_store()),
        extensions,
        ..Default::default()
    }
}

/// The permissions of `webaudio-run <script>`: the flags given, and
/// reading under the script's folder and the current directory.
pub fn permissions_from_args(
    args: &crate::cli::PermissionArgs,
    script: &Path,
) -> Result<Permissions, String> {
    if args.allow_all {
        return Ok(Permissions::allow_all());
    }
    let cwd = std::env::current_dir().map_err(|e| {
        format!(
            "cannot read the current directory: {}",
            errors::io_reason(&e)
        )
    })?;
    let paths = |given: &Option<Vec<PathBuf>>| match given {
        None => Grant::Only(Vec::new()),
        Some(list) if list.iter().all(|p| p.as_os_str().is_empty()) => Grant::All,
        Some(list) => Grant::Only(
            list.iter()
                .filter(|p| !p.as_os_str().is_empty())
                .cloned()
                .collect(),
        ),
    };
    let mut read = paths(&args.allow_read);
    if let Grant::Only(list) = &mut read {
        list.push(cwd.clone());
        if let Some(folder) = script.parent() {
            list.push(folder.to_path_buf());
        }
    }
    let net = match &args.allow_net {
        None => Grant::Only(Vec::new()),
        Some(list) if list.iter().all(String::is_empty) => Grant::All,
        Some(list) => Grant::Only(
            list.iter()
                .filter(|h| !h.is_empty())
                .map(|h| NetTarget::parse(h))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Permissions::new(read, paths(&args.allow_write), net, &cwd))
}

/// `webaudio-run <script> [args]`: runs the script, then ends the process
/// with its exit code (through [`exit_process`], so that an exit already
/// under way, Ctrl-C's, finishes first).
pub fn run_script(script: &Path, args: Vec<String>, permissions: &crate::cli::PermissionArgs) -> ! {
    let code = run(script, args, permissions);
    exit_process(code)
}

fn run(script: &Path, args: Vec<String>, permissions: &crate::cli::PermissionArgs) -> i32 {
    let (path, source) = match read_script(script) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_FAILURE;
        }
    };
    let permissions = match permissions_from_args(permissions, &path) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let specifier = match ModuleSpecifier::from_file_path(&path) {
        Ok(s) => s,
        Err(()) => {
            eprintln!("error: cannot make a file URL of '{}'", path.display());
            return EXIT_FAILURE;
        }
    };
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the event loop: {e}");
            return EXIT_FAILURE;
        }
    };
    let info = RuntimeInfo {
        args,
        main_module: specifier.to_string(),
        shared: ProcessShared {
            permissions: Arc::new(permissions),
            blobs: Default::default(),
        },
        worker: None,
    };
    tokio.block_on(async move {
        let mut runtime = create_runtime_with(info, Vec::new());
        watch_ctrl_c(runtime.v8_isolate().thread_safe_handle());
        let result = execute_main(&mut runtime, &specifier, source).await;
        wait_if_interrupted();
        match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {}", errors::format_core_error(&e));
                EXIT_FAILURE
            }
        }
    })
}

fn read_script(script: &Path) -> Result<(PathBuf, String), String> {
    let absolute = std::path::absolute(script).map_err(|e| {
        format!(
            "cannot resolve '{}': {}",
            script.display(),
            errors::io_reason(&e)
        )
    })?;
    let bytes = std::fs::read(&absolute).map_err(|e| {
        format!(
            "cannot read script '{}': {}",
            script.display(),
            errors::io_reason(&e)
        )
    })?;
    let source = String::from_utf8(bytes)
        .map_err(|_| format!("script '{}' is not valid UTF-8", script.display()))?;
    Ok((absolute, source))
}

/// Runs the main script as an ES module, then drives the event loop until
/// no timers, ops or promises remain.
async fn execute_main(
    runtime: &mut JsRuntime,
    specifier: &ModuleSpecifier,
    source: String,
) -> Result<(), deno_core::error::CoreError> {
    let id = runtime
        .load_main_es_module_from_code(specifier, source)
        .await?;
    let evaluation = runtime.mod_evaluate(id);
    runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await?;
    evaluation.await?;
    runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await
}
