//! Results of test files: what a child reported, how a file's line reads,
//! and the per-folder summary.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// How a file's line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FileStatus {
    Pass,
    Fail,
    Timeout,
    Crash,
    Error,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Pass => "PASS",
            FileStatus::Fail => "FAIL",
            FileStatus::Timeout => "TIMEOUT",
            FileStatus::Crash => "CRASH",
            FileStatus::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Subtest {
    pub name: String,
    /// Stable key for expectations (see `expectations::subtest_keys`).
    pub key: String,
    /// PASS, FAIL, TIMEOUT, NOTRUN or PRECONDITION_FAILED.
    pub status: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub path: String,
    pub status: FileStatus,
    /// The harness status: OK, ERROR, TIMEOUT, PRECONDITION_FAILED, or
    /// CRASH when the process died without results.
    pub harness_status: String,
    pub message: Option<String>,
    /// Where the harness error happened, when the harness says.
    pub stack: Option<String>,
    pub duration_ms: u64,
    pub subtests: Vec<Subtest>,
}

impl FileResult {
    pub fn passed(&self) -> usize {
        self.subtests.iter().filter(|s| s.status == "PASS").count()
    }

    /// A file the process could not report on.
    pub fn without_results(
        path: &str,
        harness_status: &str,
        message: String,
        duration_ms: u64,
    ) -> Self {
        let status = if harness_status == "TIMEOUT" {
            FileStatus::Timeout
        } else {
            FileStatus::Crash
        };
        FileResult {
            path: path.to_string(),
            status,
            harness_status: harness_status.to_string(),
            message: Some(message),
            stack: None,
            duration_ms,
            subtests: Vec::new(),
        }
    }

    /// A file from the JSON its child printed (testharness's shape).
    pub fn from_harness(path: &str, json: &Value, duration_ms: u64) -> Self {
        let harness_status = match json["status"].as_u64() {
            Some(0) => "OK",
            Some(2) => "TIMEOUT",
            Some(3) => "PRECONDITION_FAILED",
            _ => "ERROR",
        };
        let empty = Vec::new();
        let tests = json["tests"].as_array().unwrap_or(&empty);
        let names: Vec<String> = tests
            .iter()
            .map(|t| t["name"].as_str().unwrap_or("").to_string())
            .collect();
        let keys = super::expectations::subtest_keys(&names);
        let subtests: Vec<Subtest> = tests
            .iter()
            .zip(names)
            .zip(keys)
            .map(|((t, name), key)| Subtest {
                name,
                key,
                status: subtest_status(&t["status"]).to_string(),
                message: t["message"].as_str().map(str::to_string),
            })
            .collect();
        let status = match harness_status {
            "TIMEOUT" => FileStatus::Timeout,
            "ERROR" | "PRECONDITION_FAILED" => FileStatus::Error,
            _ if subtests.iter().all(|s| s.status == "PASS") => FileStatus::Pass,
            _ => FileStatus::Fail,
        };
        FileResult {
            path: path.to_string(),
            status,
            harness_status: harness_status.to_string(),
            message: json["message"].as_str().map(str::to_string),
            stack: json["stack"].as_str().map(str::to_string),
            duration_ms,
            subtests,
        }
    }

    /// `STATUS path (passed/total)`.
    pub fn line(&self) -> String {
        format!(
            "{} {} ({}/{})",
            self.status.as_str(),
            self.path,
            self.passed(),
            self.subtests.len()
        )
    }
}

fn subtest_status(v: &Value) -> &'static str {
    match v.as_u64() {
        Some(0) => "PASS",
        Some(1) => "FAIL",
        Some(2) => "TIMEOUT",
        Some(3) => "NOTRUN",
        Some(4) => "PRECONDITION_FAILED",
        _ => "FAIL",
    }
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Totals {
    pub files: usize,
    pub pass_files: usize,
    pub fail_files: usize,
    pub timeout_files: usize,
    pub crash_files: usize,
    pub error_files: usize,
    pub subtests: usize,
    pub subtests_passed: usize,
}

impl Totals {
    pub fn add(&mut self, r: &FileResult) {
        self.files += 1;
        match r.status {
            FileStatus::Pass => self.pass_files += 1,
            FileStatus::Fail => self.fail_files += 1,
            FileStatus::Timeout => self.timeout_files += 1,
            FileStatus::Crash => self.crash_files += 1,
            FileStatus::Error => self.error_files += 1,
        }
        self.subtests += r.subtests.len();
        self.subtests_passed += r.passed();
    }

    /// The run's last line.
    pub fn last_line(&self) -> String {
        format!(
            "wpt: {} passed, {} failed, {} timed out, {} crashed ({} subtests, {} files)",
            self.subtests_passed,
            self.subtests - self.subtests_passed,
            self.timeout_files,
            self.crash_files,
            self.subtests,
            self.files
        )
    }
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// Totals per folder, sorted by folder.
pub fn per_folder(results: &[FileResult]) -> BTreeMap<String, Totals> {
    let mut folders: BTreeMap<String, Totals> = BTreeMap::new();
    for r in results {
        folders
            .entry(folder_of(&r.path).to_string())
            .or_default()
            .add(r);
    }
    folders
}

/// The per-folder summary table, with a total row.
pub fn summary_table(results: &[FileResult]) -> String {
    let folders = per_folder(results);
    let mut total = Totals::default();
    for r in results {
        total.add(r);
    }
    let width = folders
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("folder".len());
    let mut out = format!(
        "{:<width$}  files  pass  fail  timeout  crash  error  subtests passed\n",
        "folder"
    );
    let row = |name: &str, t: &Totals| {
        format!(
            "{:<width$}  {:>5}  {:>4}  {:>4}  {:>7}  {:>5}  {:>5}  {:>8}/{}\n",
            name,
            t.files,
            t.pass_files,
            t.fail_files,
            t.timeout_files,
            t.crash_files,
            t.error_files,
            t.subtests_passed,
            t.subtests
        )
    };
    for (name, t) in &folders {
        out.push_str(&row(name, t));
    }
    out.push_str(&row("total", &total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_from_harness_json() {
        let ok = json!({"status": 0, "tests": [
            {"name": "a", "status": 0}, {"name": "b", "status": 1, "message": "no"}]});
        let r = FileResult::from_harness("webaudio/x.html", &ok, 1);
        assert_eq!(r.status, FileStatus::Fail);
        assert_eq!(r.line(), "FAIL webaudio/x.html (1/2)");
        assert_eq!(r.subtests[1].message.as_deref(), Some("no"));
        let pass = json!({"status": 0, "tests": [{"name": "a", "status": 0}]});
        assert_eq!(
            FileResult::from_harness("p", &pass, 1).status,
            FileStatus::Pass
        );
        let timeout = json!({"status": 2, "tests": [{"name": "a", "status": 2}]});
        let r = FileResult::from_harness("p", &timeout, 1);
        assert_eq!(r.status, FileStatus::Timeout);
        assert_eq!(r.subtests[0].status, "TIMEOUT");
        let error = json!({"status": 1, "message": "boom", "tests": []});
        assert_eq!(
            FileResult::from_harness("p", &error, 1).status,
            FileStatus::Error
        );
    }

    #[test]
    fn last_line_counts_subtests_and_files() {
        let a = FileResult::from_harness(
            "d/a.html",
            &json!({"status": 0, "tests": [{"name": "x", "status": 0}, {"name": "y", "status": 3}]}),
            1,
        );
        let b = FileResult::without_results("d/b.html", "CRASH", "signal 9".into(), 1);
        let c = FileResult::without_results("e/c.html", "TIMEOUT", "killed".into(), 1);
        let mut t = Totals::default();
        for r in [&a, &b, &c] {
            t.add(r);
        }
        assert_eq!(
            t.last_line(),
            "wpt: 1 passed, 1 failed, 1 timed out, 1 crashed (2 subtests, 3 files)"
        );
        let table = summary_table(&[a, b, c]);
        assert!(table.contains("\nd "), "{table}");
        assert!(
            table.lines().last().unwrap().starts_with("total"),
            "{table}"
        );
    }
}
