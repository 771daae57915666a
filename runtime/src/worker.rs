//! Runs one script in a fresh JS runtime: the main entry of `webaudio-run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use deno_core::{JsRuntime, ModuleSpecifier, PollEventLoopOptions, RuntimeOptions, v8};

use crate::errors;
use crate::ext::{RuntimeInfo, webaudio_run};
use webaudio_ops::loader::FileModuleLoader;

/// Exit code of a script that threw, or failed to load.
pub const EXIT_FAILURE: i32 = 1;

pub fn flush_stdio() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// Ends the process: open audio contexts fade out first (no click).
pub fn exit_process(code: i32) -> ! {
    webaudio_ops::close_all_realtime_contexts();
    flush_stdio();
    std::process::exit(code);
}

/// Exit code of a process stopped by Ctrl-C (128 + SIGINT).
const EXIT_INTERRUPTED: i32 = 130;

/// Builds a runtime with the browser globals installed.
pub fn create_runtime(info: RuntimeInfo) -> JsRuntime {
    create_runtime_with(info, Vec::new())
}

/// Like [`create_runtime`], with `host` extensions (the WPT runner's page
/// host) whose JS runs before the bootstrap hides `__bootstrap`.
pub fn create_runtime_with(info: RuntimeInfo, host: Vec<deno_core::Extension>) -> JsRuntime {
    let mut extensions = vec![
        deno_webidl::deno_webidl::init(),
        deno_web::deno_web::init(
            Arc::new(deno_web::BlobStore::default()),
            None,
            false,
            deno_web::InMemoryBroadcastChannel::default(),
        ),
        webaudio_ops::webaudio::init(),
    ];
    extensions.extend(host);
    extensions.push(webaudio_run::init(info));
    JsRuntime::new(RuntimeOptions {
        module_loader: Some(Rc::new(FileModuleLoader)),
        shared_array_buffer_store: Some(webaudio_ops::worklet::shared_array_buffer_store()),
        extensions,
        ..Default::default()
    })
}

/// `webaudio-run <script> [args]`: returns the process exit code.
pub fn run_script(script: &Path, args: Vec<String>) -> i32 {
    let (path, source) = match read_script(script) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_FAILURE;
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
    };
    let code = tokio.block_on(async move {
        tokio::spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                exit_process(EXIT_INTERRUPTED);
            }
        });
        let mut runtime = create_runtime(info);
        match execute_main(&mut runtime, &specifier, source).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {}", errors::format_core_error(&e));
                EXIT_FAILURE
            }
        }
    });
    webaudio_ops::close_all_realtime_contexts();
    flush_stdio();
    code
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

/// Runs the main script as an ES module, or as a classic script when it
/// parses as one (no `import`/`export`/top-level `await`), then drives the
/// event loop until no timers, ops or promises remain.
async fn execute_main(
    runtime: &mut JsRuntime,
    specifier: &ModuleSpecifier,
    source: String,
) -> Result<(), deno_core::error::CoreError> {
    if is_classic_script(runtime, &source)? {
        runtime.execute_script(specifier.to_string(), source)?;
    } else {
        let id = runtime
            .load_main_es_module_from_code(specifier, source)
            .await?;
        let evaluation = runtime.mod_evaluate(id);
        runtime
            .run_event_loop(PollEventLoopOptions::default())
            .await?;
        evaluation.await?;
    }
    runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await
}

fn is_classic_script(
    runtime: &mut JsRuntime,
    source: &str,
) -> Result<bool, deno_core::error::CoreError> {
    let quoted = serde_json::to_string(source).unwrap_or_else(|_| "\"\"".to_string());
    let result = runtime.execute_script(
        "ext:webaudio_run/detect.js",
        format!(
            "(() => {{ const detect = globalThis.__webaudioRunIsClassicScript; \
             delete globalThis.__webaudioRunIsClassicScript; return detect({quoted}); }})()"
        ),
    )?;
    deno_core::scope!(scope, runtime);
    let value = v8::Local::new(scope, result);
    Ok(value.is_true())
}
