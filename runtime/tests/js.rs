//! Runs every `tests/js/*_test.js` in a fresh `webaudio-run --expose-gc`
//! process (tests that collect garbage call `gc()`). Each
//! file uses `tests/js/harness.js` and must end with "N passed, 0 failed".
//! A first line `// flags: <flags>` gives the permission flags the file
//! runs with (put before the script on the command line).

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// Runs one test file; a hang is killed after `limit` and reported.
fn run_with_timeout(file: &Path, limit: Duration) -> Output {
    let source = std::fs::read_to_string(file).unwrap_or_default();
    let flags: Vec<&str> = source
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("// flags:"))
        .map(|flags| flags.split_whitespace().collect())
        .unwrap_or_default();
    let flags: Vec<&str> = std::iter::once("--expose-gc").chain(flags).collect();
    let run = support::run_script_with_timeout(file, &flags, limit);
    let mut output = run.output;
    if run.timed_out {
        output
            .stderr
            .extend_from_slice(format!("\n(killed after {limit:?})").as_bytes());
    }
    output
}

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

#[test]
fn js_api_tests() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(js_dir())
        .expect("tests/js exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_test.js"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no JS test files found");
    let mut failures = Vec::new();
    for file in &files {
        let output = run_with_timeout(file, Duration::from_secs(60));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let name = file.file_name().unwrap().to_string_lossy();
        let last = stdout.lines().last().unwrap_or("");
        let ok = output.status.success() && last.ends_with(" passed, 0 failed");
        println!("{name}: {last}");
        if !ok {
            failures.push(format!(
                "{name} (exit {:?}):\n{stdout}\n{stderr}",
                output.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
