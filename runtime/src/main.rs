//! `webaudio-run`: a JavaScript runtime whose global scope is a browser's
//! audio world.

mod cli;
mod errors;
mod ext;
mod fetch;
mod web_worker;
mod worker;
mod wpt;

use std::process::ExitCode;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = cli::parse();
    let code = match cli.command {
        Some(cli::Command::Run(run)) => run_args(run),
        Some(cli::Command::Wpt(args)) => wpt::run(args.root, args.paths, args.options),
        Some(cli::Command::WptOne(args)) => wpt::run_one(args),
        None => run_args(cli.run),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn run_args(run: cli::RunArgs) -> i32 {
    if run.expose_gc {
        webaudio_ops::realm_globals::set_expose_gc(true);
        deno_core::v8_set_flags(vec![String::new(), "--expose-gc".into()]);
    }
    match run.script {
        Some(script) => worker::run_script(&script, run.args, &run.permissions),
        None => {
            eprintln!("error: no script given (see `webaudio-run --help`)");
            2
        }
    }
}

/// A bug in the runtime is reported as one line, never a Rust backtrace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error in webaudio-run: {message}{location} (please report this bug)"
        );
    }));
}
