//! Golden tests of the `webaudio-run` binary: every `tests/cli/<case>.js` is
//! run and its exit code, stdout and stderr compared with
//! `<case>.status` (default 0), `<case>.stdout` and `<case>.stderr` (default
//! empty). `<case>.args` holds extra command-line arguments (one per line),
//! `<case>.flags` flags put before the script (one per line).
//! In expected output `$DIR` stands for the `tests/cli` directory path.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli")
}

fn read_or(path: &Path, default: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|_| default.to_string())
}

struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_case(script: &Path) -> Outcome {
    let args_file = script.with_extension("args");
    let extra: Vec<String> = read_or(&args_file, "")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let flags: Vec<String> = read_or(&script.with_extension("flags"), "")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .current_dir(cases_dir())
        .args(&flags)
        .arg(script.file_name().expect("case file name"))
        .args(&extra)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run webaudio-run");
    Outcome {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn expected(script: &Path, ext: &str, default: &str) -> String {
    let dir = cases_dir();
    read_or(&script.with_extension(ext), default).replace("$DIR", &dir.to_string_lossy())
}

#[test]
fn golden_cases() {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cli exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "js" || e == "mjs"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 10,
        "expected the golden cases to be present"
    );
    let mut failures = Vec::new();
    for script in &scripts {
        let name = script.file_name().unwrap().to_string_lossy().into_owned();
        let got = run_case(script);
        let want_status: i32 = expected(script, "status", "0")
            .trim()
            .parse()
            .expect("status file holds an integer");
        let want_stdout = expected(script, "stdout", "");
        let want_stderr = expected(script, "stderr", "");
        let mut problems = Vec::new();
        if got.status != want_status {
            problems.push(format!("exit code {} (expected {want_status})", got.status));
        }
        if got.stdout != want_stdout {
            problems.push(format!(
                "stdout:\n--- got\n{}--- expected\n{}",
                got.stdout, want_stdout
            ));
        }
        if got.stderr != want_stderr {
            problems.push(format!(
                "stderr:\n--- got\n{}--- expected\n{}",
                got.stderr, want_stderr
            ));
        }
        if problems.is_empty() {
            println!("ok   {name}");
        } else {
            println!("FAIL {name}");
            failures.push(format!("{name}: {}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn run_binary(args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .current_dir(cases_dir())
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run webaudio-run");
    Outcome {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn version_flag_prints_the_version() {
    let out = run_binary(&["--version"]);
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stdout,
        format!("webaudio-run {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_flag_describes_usage() {
    let out = run_binary(&["--help"]);
    assert_eq!(out.status, 0);
    assert!(
        out.stdout
            .contains("Usage: webaudio-run [OPTIONS] <SCRIPT> [ARGS]..."),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("wpt"), "{}", out.stdout);
    for flag in [
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-all",
    ] {
        assert!(out.stdout.contains(flag), "{}", out.stdout);
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = run_binary(&["--bogus"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr
            .starts_with("error: unexpected argument '--bogus' found"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Usage:"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn run_subcommand_runs_a_script() {
    let out = run_binary(&["run", "hello.js"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "hello from webaudio-run\n");
}

#[test]
fn missing_script_is_one_line() {
    let out = run_binary(&["does-not-exist.js"]);
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "error: cannot read script 'does-not-exist.js': No such file or directory\n"
    );
}

#[test]
fn a_directory_is_not_a_script() {
    let out = run_binary(&["lib"]);
    assert_eq!(out.status, 1);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("error: cannot read script 'lib'"),
        "{}",
        out.stderr
    );
}

#[test]
fn ctrl_c_stops_a_context_that_would_play_forever() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/play_forever.js");
    let mut child = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run webaudio-run");
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "a never-stopped source keeps the process alive"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "playing\n");
}

#[test]
fn a_closed_stdout_does_not_make_console_throw() {
    use std::io::{BufRead, BufReader};
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/print_many.js");
    let mut child = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run webaudio-run");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read a line");
    // The reader is gone now, like `webaudio-run x.js | head -1`.
    assert_eq!(first, "line 0 of output that nobody reads\n");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "done\n");
}

/// Starts `script` (with `args`), waits for its "ready" line, sends SIGINT
/// and returns the exit code and how long the process took to end.
fn interrupt_when_ready(script: &str, args: &[&str]) -> (Option<i32>, std::time::Duration) {
    use std::io::{BufRead, BufReader};
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scripts")
        .join(script);
    let mut child = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .arg("--allow-write")
        .arg(&script)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run webaudio-run");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read a line");
    assert_eq!(first, "ready\n");
    // Let the script get into its long work.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().expect("poll").is_none(), "still running");
    let sent = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let deadline = sent + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("poll") {
            return (status.code(), sent.elapsed());
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return (None, sent.elapsed());
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn ctrl_c_stops_a_busy_loop() {
    let (code, took) = interrupt_when_ready("busy_loop.js", &[]);
    assert_eq!(code, Some(130), "after {took:?}");
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
}

#[test]
fn ctrl_c_stops_a_long_synchronous_write_wav() {
    let dir = std::env::temp_dir().join(format!("webaudio-run-sigint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("long.wav");
    let (code, took) = interrupt_when_ready("long_write_wav.js", &[path.to_str().expect("path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(130), "after {took:?}");
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
}
