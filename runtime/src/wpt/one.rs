//! `webaudio-run __wpt-one`: runs one test page in this process and prints
//! its results as one JSON line (`RESULT_MARKER` + JSON) on stdout.
//!
//! Steps, as a browser loads a page: each classic script in document order
//! with a microtask checkpoint after it, `DOMContentLoaded`, `load`, then the
//! event loop. When the loop has nothing left to do and the harness has not
//! reported, the harness is told to time out (nothing can happen any more);
//! it is also told so when the time limit is near.

use deno_core::{JsRuntime, PollEventLoopOptions};

use super::host::{HostState, webaudio_run_wpt};
use super::{RESULT_MARKER, WptOneArgs, page};
use crate::errors;
use crate::ext::{ProcessShared, RuntimeInfo};
use crate::worker::{create_runtime_with, flush_stdio};
use std::sync::Arc;
use webaudio_ops::permissions::{Grant, Permissions};

/// Exit code of a child whose runtime failed (the parent reports CRASH).
const EXIT_BROKEN: i32 = 70;

pub fn run_one(args: WptOneArgs) -> i32 {
    let page = match page::load(&args.root, &args.test) {
        Ok(page) => page,
        Err(message) => {
            print_error_result(&message);
            return 0;
        }
    };
    let mut json = match serde_json::to_value(&page) {
        Ok(v) => v,
        Err(e) => {
            print_error_result(&format!("cannot serialise the page: {e}"));
            return 0;
        }
    };
    json["timeoutMs"] = args.timeout_ms.into();
    let script_count = page.scripts.len();
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the event loop: {e}");
            return EXIT_BROKEN;
        }
    };
    let main_module = deno_core::url::Url::from_file_path(args.root.join(&args.test))
        .map(|u| u.to_string())
        .unwrap_or_default();
    // A page reads the files of the test server, the WPT root, and nothing
    // else; it writes nothing and has no network.
    let root = std::path::absolute(&args.root).unwrap_or_else(|_| args.root.clone());
    let permissions = Permissions::new(
        Grant::Only(vec![root.clone()]),
        Grant::default(),
        Grant::default(),
        &root,
    );
    let info = RuntimeInfo {
        args: Vec::new(),
        main_module,
        shared: ProcessShared {
            permissions: Arc::new(permissions),
            blobs: Default::default(),
        },
        worker: None,
    };
    let host = HostState {
        root: args.root.clone(),
        page_json: json.to_string(),
    };
    let code = tokio.block_on(async move {
        let mut runtime = create_runtime_with(info, vec![webaudio_run_wpt::init(host)]);
        match drive(&mut runtime, script_count).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {}", errors::format_core_error(&e));
                EXIT_BROKEN
            }
        }
    });
    flush_stdio();
    code
}

async fn drive(
    runtime: &mut JsRuntime,
    script_count: usize,
) -> Result<(), deno_core::error::CoreError> {
    step(runtime, "\"install\"")?;
    for index in 0..script_count {
        step(runtime, &index.to_string())?;
        microtask_checkpoint(runtime);
    }
    step(runtime, "\"domcontentloaded\"")?;
    microtask_checkpoint(runtime);
    step(runtime, "\"load\"")?;
    microtask_checkpoint(runtime);
    // The page either reports (and the host exits the process) or runs
    // out of things to do.
    if let Err(e) = runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await
    {
        eprintln!("error: {}", errors::format_core_error(&e));
    }
    step(runtime, "\"idle\"")?;
    if let Err(e) = runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await
    {
        eprintln!("error: {}", errors::format_core_error(&e));
    }
    step(runtime, "\"finish\"")?;
    runtime
        .run_event_loop(PollEventLoopOptions::default())
        .await
}

/// Runs one step of the host's driver. The host catches what the page
/// throws; an error here is the host's own, and ends the child (CRASH). Its
/// stack is printed whole because the usual report hides `ext:` frames.
fn step(runtime: &mut JsRuntime, what: &str) -> Result<(), deno_core::error::CoreError> {
    runtime.execute_script(
        "ext:webaudio_run_wpt/step.js",
        format!("try {{ globalThis[Symbol.for(\"webaudio-run.wpt\")].step({what}) }} catch (e) {{ console.error(String(e.stack)); throw e; }}"),
    )?;
    Ok(())
}

fn microtask_checkpoint(runtime: &mut JsRuntime) {
    deno_core::scope!(scope, runtime);
    scope.perform_microtask_checkpoint();
}

/// The result of a page that could not be built: a harness error.
fn print_error_result(message: &str) {
    let result = serde_json::json!({
        "status": 1,
        "message": message,
        "stack": null,
        "tests": [],
    });
    println!("{RESULT_MARKER}{result}");
    flush_stdio();
}
