//! The parent side of `webaudio-run wpt`: runs every test file in its own
//! child process, at most `--jobs` at a time, under a wall-clock limit.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::discover::{TestFile, discover};
use super::expectations::{Expectations, Unexpected};
use super::report::{FileResult, Totals, summary_table};
use super::{RESULT_MARKER, WptOptions};

macro_rules! say_fmt {
    ($($arg:tt)*) => {
        say(&format!($($arg)*))
    };
}

/// Multiple of the timeout given to files marked `timeout=long`.
const LONG_FACTOR: f64 = 6.0;
/// How much of a child's stderr a CRASH line quotes.
const STDERR_TAIL: usize = 600;

pub fn run(root: PathBuf, filters: Vec<String>, options: WptOptions) -> i32 {
    let root = match std::path::absolute(&root) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot resolve '{}': {e}", root.display());
            return 2;
        }
    };
    let tests = match discover(&root, &filters) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if tests.is_empty() {
        eprintln!(
            "error: no test files under '{}' match",
            root.join("webaudio").display()
        );
        return 2;
    }
    if !(options.timeout.is_finite() && options.timeout > 0.0) {
        eprintln!("error: --timeout must be a positive number of seconds");
        return 2;
    }
    if !options.expectations.exists() && !options.update {
        eprintln!(
            "note: no expectations file at '{}': every test is expected to pass",
            options.expectations.display()
        );
    }
    let mut expectations = match Expectations::load(&options.expectations) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find the webaudio-run executable: {e}");
            return 2;
        }
    };
    let jobs = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);

    let started = Instant::now();
    let results = run_all(&exe, &root, &tests, jobs, options.timeout);
    let elapsed = started.elapsed();

    let mut totals = Totals::default();
    for r in &results {
        totals.add(r);
    }
    say("");
    say(summary_table(&results).trim_end());
    say_fmt!(
        "ran {} files in {:.1} s with {jobs} jobs",
        results.len(),
        elapsed.as_secs_f64()
    );

    let unexpected: Vec<Unexpected> = results
        .iter()
        .flat_map(|r| expectations.compare(r))
        .collect();
    let mut code = 0;
    if options.update {
        expectations.update(&results);
        match expectations.save(&options.expectations) {
            Ok(()) => say_fmt!("updated {}", options.expectations.display()),
            Err(e) => {
                eprintln!("error: {e}");
                code = 2;
            }
        }
    } else if !unexpected.is_empty() {
        say_fmt!("\nunexpected results ({}):", unexpected.len());
        for u in &unexpected {
            say_fmt!("  {u}");
        }
        code = 1;
    } else {
        say_fmt!(
            "all results as expected ({})",
            options.expectations.display()
        );
    }
    if let Some(path) = &options.json
        && let Err(e) = write_json(path, &root, &results, &totals, &unexpected, elapsed)
    {
        eprintln!("error: {e}");
        code = 2;
    }
    say_fmt!("{}", totals.last_line());
    code
}

/// Writes a line to stdout; a closed pipe (`| head`) is not an error.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the files on `jobs` threads, printing each file's line in order as
/// soon as it and every file before it are done.
fn run_all(
    exe: &Path,
    root: &Path,
    tests: &[TestFile],
    jobs: usize,
    timeout: f64,
) -> Vec<FileResult> {
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<(usize, FileResult)>();
    let shared: Arc<Vec<TestFile>> = Arc::new(tests.to_vec());
    let mut workers = Vec::new();
    for _ in 0..jobs.min(tests.len()) {
        let next = Arc::clone(&next);
        let tx = tx.clone();
        let tests = Arc::clone(&shared);
        let exe = exe.to_path_buf();
        let root = root.to_path_buf();
        workers.push(std::thread::spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(test) = tests.get(i) else { break };
                let limit = if test.long {
                    timeout * LONG_FACTOR
                } else {
                    timeout
                };
                let result = run_child(&exe, &root, &test.path, Duration::from_secs_f64(limit));
                if tx.send((i, result)).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut slots: Vec<Option<FileResult>> = vec![None; tests.len()];
    let mut printed = 0;
    for (i, result) in rx {
        slots[i] = Some(result);
        while let Some(Some(r)) = slots.get(printed) {
            say_fmt!("{}", r.line());
            printed += 1;
        }
    }
    for w in workers {
        let _ = w.join();
    }
    slots
        .into_iter()
        .zip(tests)
        .map(|(slot, t)| {
            slot.unwrap_or_else(|| {
                FileResult::without_results(&t.path, "CRASH", "the runner lost this file".into(), 0)
            })
        })
        .collect()
}

fn reader<R: Read + Send + 'static>(stream: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut s) = stream {
            let _ = s.read_to_end(&mut out);
        }
        out
    })
}

/// Runs one file in a child process. The harness inside is told to time out
/// a little before `limit` so partial results survive; at `limit` the
/// child is killed.
fn run_child(exe: &Path, root: &Path, test: &str, limit: Duration) -> FileResult {
    let started = Instant::now();
    let margin = (limit / 5).min(Duration::from_secs(2));
    let harness_ms = (limit - margin).as_millis() as u64;
    let spawned = Command::new(exe)
        .arg("__wpt-one")
        .arg("--timeout-ms")
        .arg(harness_ms.to_string())
        .arg(root)
        .arg(test)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child: Child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return FileResult::without_results(test, "CRASH", format!("cannot start: {e}"), 0);
        }
    };
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let mut killed = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                killed = true;
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let duration_ms = started.elapsed().as_millis() as u64;
    let stdout = String::from_utf8_lossy(&stdout);
    let reported = stdout
        .lines()
        .filter_map(|l| l.strip_prefix(RESULT_MARKER))
        .find_map(|json| serde_json::from_str::<Value>(json).ok());
    if let Some(json) = reported {
        return FileResult::from_harness(test, &json, duration_ms);
    }
    if killed {
        return FileResult::without_results(
            test,
            "TIMEOUT",
            format!("killed after {:.1} s without results", limit.as_secs_f64()),
            duration_ms,
        );
    }
    FileResult::without_results(test, "CRASH", describe_exit(status, &stderr), duration_ms)
}

fn describe_exit(status: Option<std::process::ExitStatus>, stderr: &[u8]) -> String {
    let how = match status {
        Some(s) => match s.code() {
            Some(code) => format!("exit code {code}"),
            None => {
                #[cfg(unix)]
                {
                    use std::os::unix::process::ExitStatusExt;
                    format!("killed by signal {}", s.signal().unwrap_or(0))
                }
                #[cfg(not(unix))]
                {
                    "killed".to_string()
                }
            }
        },
        None => "lost track of the process".to_string(),
    };
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    let start = text
        .char_indices()
        .rev()
        .nth(STDERR_TAIL)
        .map_or(0, |(i, _)| i);
    if text.is_empty() {
        format!("{how} without results")
    } else {
        format!("{how} without results: {}", &text[start..])
    }
}

fn write_json(
    path: &Path,
    root: &Path,
    results: &[FileResult],
    totals: &Totals,
    unexpected: &[Unexpected],
    elapsed: Duration,
) -> Result<(), String> {
    let json = json!({
        "root": root.display().to_string(),
        "duration_ms": elapsed.as_millis() as u64,
        "totals": totals,
        "files": results,
        "unexpected": unexpected,
    });
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n";
    std::fs::write(path, text).map_err(|e| format!("cannot write '{}': {e}", path.display()))
}
