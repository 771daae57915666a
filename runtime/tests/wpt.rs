//! Tests of `webaudio-run wpt` on the fixture WPT root in `tests/wpt_fixture`
//! (a tiny fake checkout with its own minimal testharness.js).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wpt_fixture")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("webaudio-run-wpt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

struct Run {
    code: i32,
    stdout: String,
}

fn wpt(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .arg("wpt")
        .arg(fixture())
        .args(["--jobs", "2", "--timeout", "3"])
        .args(args)
        .output()
        .expect("run webaudio-run wpt");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

const FILE_LINES: [&str; 12] = [
    "FAIL webaudio/basic/failing.html (1/3)",
    "PASS webaudio/basic/idl.https.window.js (1/1)",
    "PASS webaudio/basic/passing.html (6/6)",
    "PASS webaudio/basic/simple.any.js (1/1)",
    "CRASH webaudio/broken/crash.html (0/0)",
    "TIMEOUT webaudio/broken/hang.html (0/0)",
    "TIMEOUT webaudio/broken/idle.html (1/2)",
    "TIMEOUT webaudio/broken/never-done.html (1/2)",
    "ERROR webaudio/broken/throws.html (1/1)",
    "PASS webaudio/io/confined.html (1/1)",
    "PASS webaudio/io/substitution.sub.html (2/2)",
    "PASS webaudio/io/xhr-fetch.html (6/6)",
];

#[test]
fn full_run_reports_every_file_and_compares_with_expectations() {
    let dir = scratch("full");
    let expectations = dir.join("expectations.json");
    let json = dir.join("results.json");
    let run = wpt(&[
        "--expectations",
        expectations.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // One line per test file, in path order; support, manual, worker and
    // resources/ files are not tests.
    assert_eq!(lines[..FILE_LINES.len()], FILE_LINES, "{}", run.stdout);
    assert_eq!(
        lines.last().copied(),
        Some("wpt: 21 passed, 4 failed, 3 timed out, 1 crashed (25 subtests, 12 files)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\nwebaudio/broken      5     0     0        3      1      1         3/5\n"),
        "{}",
        run.stdout
    );
    // Without an expectations file everything is expected to pass.
    assert_eq!(run.code, 1, "{}", run.stdout);
    for unexpected in [
        "  webaudio/basic/failing.html | X # is not #: expected PASS, got FAIL",
        "  webaudio/broken/crash.html: expected OK, got CRASH",
        "  webaudio/broken/hang.html: expected OK, got TIMEOUT",
        "  webaudio/broken/never-done.html | waits forever: expected PASS, got TIMEOUT",
        "  webaudio/broken/throws.html: expected OK, got ERROR",
    ] {
        assert!(
            run.stdout.contains(&format!("{unexpected}\n")),
            "{unexpected}\n{}",
            run.stdout
        );
    }

    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("--json writes")).unwrap();
    let files = results["files"].as_array().unwrap();
    assert_eq!(files.len(), 12);
    let file = |path: &str| files.iter().find(|f| f["path"] == path).unwrap().clone();
    let throws = file("webaudio/broken/throws.html");
    assert_eq!(throws["harness_status"], "ERROR");
    assert_eq!(throws["message"], "Uncaught TypeError: thrown by a script");
    // Inline scripts keep the page's line numbers.
    let stack = throws.get("stack").and_then(Value::as_str).unwrap_or("");
    assert!(
        stack.contains("/webaudio/broken/throws.html:6:"),
        "{throws}"
    );
    let crash = file("webaudio/broken/crash.html");
    assert_eq!(crash["status"], "CRASH");
    assert!(
        crash["message"]
            .as_str()
            .unwrap()
            .starts_with("exit code 3"),
        "{crash}"
    );
    let failing = file("webaudio/basic/failing.html");
    assert_eq!(
        failing["subtests"][1]["name"],
        "X 0.30000000000000004 is not 0.3"
    );
    assert_eq!(failing["subtests"][1]["key"], "X # is not #");
    assert_eq!(failing["subtests"][1]["status"], "FAIL");
    assert_eq!(results["totals"]["subtests"], 25);
    assert_eq!(results["unexpected"].as_array().unwrap().len(), 9);

    // --update records this run; the same run is then as expected.
    let update = wpt(&["--expectations", expectations.to_str().unwrap(), "--update"]);
    assert_eq!(update.code, 0, "{}", update.stdout);
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&expectations).unwrap()).unwrap();
    assert_eq!(
        recorded["files"]["webaudio/broken/hang.html"]["status"],
        "TIMEOUT"
    );
    assert_eq!(
        recorded["files"]["webaudio/basic/failing.html"]["subtests"]["fails"],
        "FAIL"
    );
    let again = wpt(&["--expectations", expectations.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(
        again.stdout.contains("all results as expected"),
        "{}",
        again.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flaky_subtests_and_unexpected_passes() {
    let dir = scratch("flaky");
    let expectations = dir.join("expectations.json");
    std::fs::write(
        &expectations,
        r#"{"files": {"webaudio/basic/failing.html": {
            "status": "OK",
            "reason": "kept by --update",
            "subtests": {"passes": "FAIL", "X # is not #": "FAIL", "fails": ["PASS", "FAIL"]}}}}"#,
    )
    .unwrap();
    let exp = expectations.to_str().unwrap();
    let run = wpt(&["--expectations", exp, "basic/failing.html"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "unexpected results (1):\n  webaudio/basic/failing.html | passes: expected FAIL, got PASS\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("wpt: 1 passed, 2 failed, 0 timed out, 0 crashed (3 subtests, 1 files)\n")
    );

    let update = wpt(&[
        "--expectations",
        exp,
        "--update",
        "webaudio/basic/failing.html",
    ]);
    assert_eq!(update.code, 0, "{}", update.stdout);
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&expectations).unwrap()).unwrap();
    let entry = &recorded["files"]["webaudio/basic/failing.html"];
    assert_eq!(entry["reason"], "kept by --update");
    assert_eq!(entry["subtests"]["passes"], "PASS");
    assert_eq!(
        entry["subtests"]["fails"],
        serde_json::json!(["PASS", "FAIL"])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_filter_matching_nothing_is_an_error() {
    let run = wpt(&["no/such/folder"]);
    assert_eq!(run.code, 2);
}
