//! Helpers shared by the integration tests that run the `webaudio-run` binary.
//! (Each test crate compiles its own copy and uses only part of it.)
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What a run of `webaudio-run` left: its output, and whether it had to be
/// killed for running longer than the limit.
pub struct TimedRun {
    pub output: Output,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// Runs `webaudio-run <flags> <script>` with `NO_COLOR=1` and no stdin; a
/// run longer than `limit` is killed.
pub fn run_script_with_timeout(script: &Path, flags: &[&str], limit: Duration) -> TimedRun {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .args(flags)
        .arg(script)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run webaudio-run");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for webaudio-run") {
            break status;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for killed webaudio-run");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    TimedRun {
        output: Output {
            status,
            stdout: out_reader.join().unwrap_or_default(),
            stderr: err_reader.join().unwrap_or_default(),
        },
        timed_out,
        elapsed: start.elapsed(),
    }
}
