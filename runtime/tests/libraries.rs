//! The library suite (`tests/libraries/README.md`): published Web Audio
//! libraries, pinned in `tests/libraries/package-lock.json` and installed with
//! `npm ci`, bundled with esbuild and run by `webaudio-run`; each scenario's
//! numbers must match the ones recorded from headless Chromium in
//! `expectations.json`, except the scenarios listed in
//! `expected-failures.json`, which must fail (and are reported when they pass).
//!
//! Without the packages the test is skipped with a message saying how to
//! install them; with `CI=true` a missing install is a failure.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(45);
const RESULT_PREFIX: &str = "LIBRARY-RESULT ";
/// Numbers compared exactly whatever the tolerance.
const ALWAYS_EXACT: [&str; 3] = ["length", "sampleRate", "numberOfChannels"];

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/libraries")
}

/// Written straight to stderr so that it shows even when libtest captures
/// the test's output.
fn say(text: &str) {
    let _ = std::io::stderr().write_all(format!("{text}\n").as_bytes());
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// What one run of a bundle printed and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
    seconds: f64,
}

fn run_bundle(bundle: &Path) -> Run {
    let run = support::run_script_with_timeout(bundle, &[], TIMEOUT);
    Run {
        code: run.output.status.code(),
        stdout: String::from_utf8_lossy(&run.output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.output.stderr).into_owned(),
        timed_out: run.timed_out,
        seconds: run.elapsed.as_secs_f64(),
    }
}

#[derive(Clone, Copy)]
struct Tolerance {
    rel: f64,
    abs: f64,
}

impl Tolerance {
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            rel: v.get("rel")?.as_f64()?,
            abs: v.get("abs")?.as_f64()?,
        })
    }
}

/// How one scenario's numbers are compared: a default tolerance, per-key
/// overrides (by top-level key) and keys compared exactly.
struct Rules {
    tolerance: Tolerance,
    per_key: BTreeMap<String, Tolerance>,
    exact: Vec<String>,
}

impl Rules {
    fn from_entry(entry: &Value) -> Self {
        let tolerance = entry
            .get("tolerance")
            .and_then(Tolerance::from_json)
            .expect("every scenario in expectations.json has a tolerance {rel, abs}");
        let per_key = entry
            .get("tolerances")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Tolerance::from_json(v).expect("tolerances.<key> is {rel, abs}"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut exact: Vec<String> = ALWAYS_EXACT.iter().map(|s| s.to_string()).collect();
        if let Some(list) = entry.get("exact").and_then(Value::as_array) {
            exact.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
        }
        Self {
            tolerance,
            per_key,
            exact,
        }
    }
}

/// Compares `actual` with `expected` under `key` (the top-level key that
/// chooses the rule), pushing one line per difference.
fn compare(
    path: &str,
    key: &str,
    expected: &Value,
    actual: &Value,
    rules: &Rules,
    diffs: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let child_key = if key.is_empty() { k.as_str() } else { key };
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match a.get(k) {
                    Some(av) => compare(&child, child_key, ev, av, rules, diffs),
                    None => diffs.push(format!("{child}: missing (Chromium: {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), key, ev, av, rules, diffs);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (
                e.as_f64().unwrap_or(f64::NAN),
                a.as_f64().unwrap_or(f64::NAN),
            );
            let ok = if rules.exact.iter().any(|k| k == key) {
                e == a
            } else {
                let t = rules.per_key.get(key).copied().unwrap_or(rules.tolerance);
                (a - e).abs() <= t.abs + t.rel * e.abs()
            };
            if !ok {
                let rel = if e != 0.0 {
                    (a - e).abs() / e.abs()
                } else {
                    f64::INFINITY
                };
                diffs.push(format!(
                    "{path}: {a} (Chromium: {e}, relative difference {rel:.2e})"
                ));
            }
        }
        _ if expected == actual => {}
        _ => diffs.push(format!("{path}: {actual} (Chromium: {expected})")),
    }
}

/// Why a scenario did not pass, or `None` when it did.
fn judge(name: &str, run: &Run, entry: &Value) -> Option<String> {
    let printed = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_PREFIX))
        .map(str::to_string);
    let tail = || {
        let lines: Vec<&str> = run.stdout.lines().chain(run.stderr.lines()).collect();
        lines[lines.len().saturating_sub(12)..].join("\n    ")
    };
    if run.timed_out {
        return Some(format!("timed out after {TIMEOUT:?}:\n    {}", tail()));
    }
    let Some(printed) = printed.filter(|_| run.code == Some(0)) else {
        let how = match run.code {
            Some(c) => format!("exit code {c}"),
            None => "killed by a signal".to_string(),
        };
        return Some(format!("{how}, no result:\n    {}", tail()));
    };
    let actual: Value = match serde_json::from_str(&printed) {
        Ok(v) => v,
        Err(e) => return Some(format!("unparsable result ({e}): {printed}")),
    };
    if actual.get("scenario").and_then(Value::as_str) != Some(name) {
        return Some(format!("the result names another scenario: {printed}"));
    }
    let expected = entry
        .get("chromium")
        .expect("every scenario in expectations.json has chromium numbers");
    let mut diffs = Vec::new();
    compare(
        "",
        "",
        expected,
        &actual,
        &Rules::from_entry(entry),
        &mut diffs,
    );
    if diffs.is_empty() {
        None
    } else {
        Some(format!(
            "differs from Chromium:\n    {}",
            diffs.join("\n    ")
        ))
    }
}

/// An entry of `expected-failures.json`: its reason, and whether the
/// scenario may also pass (a crash that happens only sometimes).
struct ExpectedFailure {
    reason: String,
    flaky: bool,
}

fn expected_failures(dir: &Path) -> BTreeMap<String, ExpectedFailure> {
    let json = read_json(&dir.join("expected-failures.json"));
    let map = json
        .get("scenarios")
        .and_then(Value::as_object)
        .expect("expected-failures.json has a scenarios object");
    map.iter()
        .map(|(name, v)| {
            let reason = v
                .get("reason")
                .and_then(Value::as_str)
                .expect("each expected failure has a reason")
                .to_string();
            let flaky = v.get("flaky").and_then(Value::as_bool).unwrap_or(false);
            (name.clone(), ExpectedFailure { reason, flaky })
        })
        .collect()
}

#[test]
fn published_libraries_match_chromium() {
    let dir = suite_dir();
    if !dir.join("node_modules/.package-lock.json").exists() {
        let missing = format!(
            "its npm packages are not installed.\n  \
             Install them (Node 20 and npm, from the lockfile): npm ci --prefix {}\n  \
             then run this test again; see runtime/tests/libraries/README.md",
            dir.display()
        );
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "library suite FAILED: {missing}\n(CI=true: the suite must run in CI; .ci/run installs the packages)"
            );
        }
        say(&format!("library suite SKIPPED: {missing}"));
        return;
    }

    let build = Command::new("node")
        .arg(dir.join("build.mjs"))
        .output()
        .expect("run node (needed for the library suite's bundler)");
    assert!(
        build.status.success(),
        "bundling the scenarios failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );

    let expectations = read_json(&dir.join("expectations.json"));
    let entries = expectations
        .get("scenarios")
        .and_then(Value::as_object)
        .expect("expectations.json has scenarios");
    let xfail = expected_failures(&dir);
    let filter = std::env::var("LIBRARY_SUITE_FILTER").unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("scenarios"))
        .expect("tests/libraries/scenarios exists")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".js")
                .map(str::to_string)
        })
        .filter(|n| n.contains(&filter))
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "no scenario matches LIBRARY_SUITE_FILTER={filter:?}"
    );
    for name in &names {
        assert!(
            entries.contains_key(name),
            "{name} has no Chromium numbers: run `npm run record -- {name}` in tests/libraries"
        );
    }
    for name in xfail.keys() {
        assert!(
            entries.contains_key(name),
            "expected-failures.json names {name}, which is not a scenario"
        );
    }

    // Two at a time: the machines that run this have two cores.
    let queue = Mutex::new(names.clone());
    let verdicts = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(name) = queue.lock().unwrap().pop() {
                    let run = run_bundle(&dir.join("dist").join(format!("{name}.js")));
                    let verdict = judge(&name, &run, &entries[&name]);
                    verdicts
                        .lock()
                        .unwrap()
                        .insert(name, (verdict, run.seconds));
                }
            });
        }
    });

    let mut problems = Vec::new();
    let (mut passed, mut failed_as_expected) = (0, 0);
    for (name, (verdict, seconds)) in verdicts.into_inner().unwrap() {
        let expected = xfail.get(&name);
        let line = match (&verdict, expected) {
            (None, None) => {
                passed += 1;
                format!("PASS  {name} ({seconds:.1} s)")
            }
            (None, Some(x)) if x.flaky => {
                passed += 1;
                format!(
                    "PASS  {name} ({seconds:.1} s; listed as flaky: {})",
                    x.reason
                )
            }
            (None, Some(x)) => {
                problems.push(format!(
                    "{name} now passes: remove it from expected-failures.json (it was listed for: {})",
                    x.reason
                ));
                format!("XPASS {name} ({seconds:.1} s)")
            }
            (Some(why), Some(x)) => {
                failed_as_expected += 1;
                let first = why.lines().next().unwrap_or("");
                format!(
                    "XFAIL {name} ({seconds:.1} s): {first} [expected: {}]",
                    x.reason
                )
            }
            (Some(why), None) => {
                problems.push(format!("{name}: {why}"));
                format!("FAIL  {name} ({seconds:.1} s): {why}")
            }
        };
        say(&line);
    }
    say(&format!(
        "library suite: {passed} passed, {failed_as_expected} failed as expected, {} unexpected",
        problems.len()
    ));
    assert!(
        problems.is_empty(),
        "library suite:\n{}",
        problems.join("\n")
    );
}
