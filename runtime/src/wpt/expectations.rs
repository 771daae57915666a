//! Expected results: `wpt/expectations.json`.
//!
//! ```json
//! { "files": { "webaudio/x.html": {
//!     "status": "OK",
//!     "reason": "why it cannot pass here (optional, kept by --update)",
//!     "subtests": { "key": "PASS", "flaky key": ["PASS", "FAIL"] } } } }
//! ```
//!
//! `status` is the harness status (OK, ERROR, TIMEOUT, PRECONDITION_FAILED,
//! or CRASH). A status given as a list is flaky: any of them is expected.
//! A file that is not listed is expected to pass: status OK, every subtest
//! PASS; so is a subtest not listed. A listed subtest that no longer appears
//! is unexpected (MISSING) when the file status is as expected.
//!
//! Subtest keys: the subtest name with every number literal that does not
//! continue an identifier (`0.25`, `-3`, `1e-7`, but not the `32` of
//! `Float32Array` or the `1` of `node1`) replaced by `#`, because the legacy
//! audit.js harness puts computed values in names. When several subtests of
//! a file get the same key, the second is suffixed ` ~2`, the third ` ~3`,
//! in the order the harness reports them.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::report::FileResult;

/// The stable keys of a file's subtests, in the same order.
pub fn subtest_keys(names: &[String]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    names
        .iter()
        .map(|name| {
            let key = normalise(name);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { key } else { format!("{key} ~{n}") }
        })
        .collect()
}

fn normalise(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    let continues_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let starts_number = c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            || (c == '-'
                && chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.'));
        if starts_number && !prev.is_some_and(continues_word) && !(c == '.' && prev == Some('.')) {
            let mut j = i;
            if chars[j] == '-' {
                j += 1;
            }
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j < chars.len()
                && chars[j] == '.'
                && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit())
            {
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
                let mut k = j + 1;
                if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                    k += 1;
                }
                if k < chars.len() && chars[k].is_ascii_digit() {
                    while k < chars.len() && chars[k].is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            if j > i && chars[j - 1].is_ascii_digit() {
                out.push('#');
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// One unexpected result, for the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unexpected {
    pub path: String,
    /// `None` for the file's harness status.
    pub subtest: Option<String>,
    pub expected: String,
    pub got: String,
}

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.subtest {
            Some(name) => write!(
                f,
                "{} | {}: expected {}, got {}",
                self.path, name, self.expected, self.got
            ),
            None => write!(
                f,
                "{}: expected {}, got {}",
                self.path, self.expected, self.got
            ),
        }
    }
}

const COMMENT: &str = "Expected webaudio WPT results of webaudio-run (README.md, \
\"Web Platform Tests\"). Per file: the harness status and each subtest's status; a list \
of statuses is flaky; unlisted files and subtests are expected to pass. Subtest keys are \
names with number literals replaced by # and repeated keys suffixed ~2, ~3... \
`webaudio-run wpt <root> --update` rewrites the files it runs, keeping \"reason\".";

pub struct Expectations {
    files: Map<String, Value>,
}

impl Expectations {
    /// Reads `path`; a missing file means no expectations (all pass).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Expectations { files: Map::new() });
            }
            Err(e) => return Err(format!("cannot read '{}': {e}", path.display())),
        };
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("'{}' is not valid JSON: {e}", path.display()))?;
        let files = json
            .get("files")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| format!("'{}' has no \"files\" object", path.display()))?;
        Ok(Expectations { files })
    }

    /// Results of `r` that differ from what is expected.
    pub fn compare(&self, r: &FileResult) -> Vec<Unexpected> {
        let entry = self.files.get(&r.path);
        let expected_status = entry.and_then(|e| e.get("status"));
        let mut out = Vec::new();
        let file_ok = allows(expected_status, "OK", &r.harness_status);
        if !file_ok {
            out.push(Unexpected {
                path: r.path.clone(),
                subtest: None,
                expected: describe(expected_status, "OK"),
                got: r.harness_status.clone(),
            });
        }
        let listed = entry
            .and_then(|e| e.get("subtests"))
            .and_then(Value::as_object);
        for s in &r.subtests {
            let expected = listed.and_then(|l| l.get(&s.key));
            if !allows(expected, "PASS", &s.status) {
                out.push(Unexpected {
                    path: r.path.clone(),
                    subtest: Some(s.key.clone()),
                    expected: describe(expected, "PASS"),
                    got: s.status.clone(),
                });
            }
        }
        if file_ok && let Some(listed) = listed {
            for (key, expected) in listed {
                if !r.subtests.iter().any(|s| &s.key == key) {
                    out.push(Unexpected {
                        path: r.path.clone(),
                        subtest: Some(key.clone()),
                        expected: describe(Some(expected), "PASS"),
                        got: "MISSING".into(),
                    });
                }
            }
        }
        out
    }

    /// Records `results` as expected, keeping each file's `reason` and any
    /// flaky list that still covers the new result.
    pub fn update(&mut self, results: &[FileResult]) {
        for r in results {
            let old = self.files.get(&r.path);
            let mut entry = Map::new();
            entry.insert(
                "status".into(),
                keep_flaky(old.and_then(|o| o.get("status")), &r.harness_status),
            );
            if let Some(reason) = old.and_then(|o| o.get("reason")) {
                entry.insert("reason".into(), reason.clone());
            }
            let old_subtests = old
                .and_then(|o| o.get("subtests"))
                .and_then(Value::as_object);
            let mut subtests = Map::new();
            for s in &r.subtests {
                let previous = old_subtests.and_then(|l| l.get(&s.key));
                subtests.insert(s.key.clone(), keep_flaky(previous, &s.status));
            }
            entry.insert("subtests".into(), Value::Object(subtests));
            self.files.insert(r.path.clone(), Value::Object(entry));
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let sorted: BTreeMap<&String, &Value> = self.files.iter().collect();
        let json = json!({
            "comment": COMMENT,
            "files": sorted,
        });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n";
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create '{}': {e}", dir.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write '{}': {e}", path.display()))
    }
}

fn allows(expected: Option<&Value>, default: &str, got: &str) -> bool {
    match expected {
        None => got == default,
        Some(Value::String(s)) => s == got,
        Some(Value::Array(list)) => list.iter().any(|v| v.as_str() == Some(got)),
        Some(_) => false,
    }
}

fn describe(expected: Option<&Value>, default: &str) -> String {
    match expected {
        None => default.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        Some(other) => other.to_string(),
    }
}

fn keep_flaky(previous: Option<&Value>, got: &str) -> Value {
    match previous {
        Some(list @ Value::Array(_)) if allows(Some(list), "", got) => list.clone(),
        _ => Value::String(got.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wpt::report::FileResult;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keys_normalise_numbers_and_number_duplicates() {
        let keys = subtest_keys(&names(&[
            "X 0.1234 is not greater than 0",
            "X -1.5e-7 is not greater than 0",
            "new Float32Array(3) node1 has 2 channels",
            "range [0, 128)",
            "same",
            "same",
        ]));
        assert_eq!(
            keys,
            [
                "X # is not greater than #",
                "X # is not greater than # ~2",
                "new Float32Array(#) node1 has # channels",
                "range [#, #)",
                "same",
                "same ~2",
            ]
        );
    }

    fn result(harness: u64, tests: &[(&str, u64)]) -> FileResult {
        let tests: Vec<Value> = tests
            .iter()
            .map(|(n, s)| json!({"name": n, "status": s}))
            .collect();
        FileResult::from_harness(
            "webaudio/a.html",
            &json!({"status": harness, "tests": tests}),
            1,
        )
    }

    #[test]
    fn unlisted_files_are_expected_to_pass() {
        let e = Expectations { files: Map::new() };
        assert!(e.compare(&result(0, &[("a", 0)])).is_empty());
        let u = e.compare(&result(0, &[("a", 1)]));
        assert_eq!(u.len(), 1);
        assert_eq!(
            u[0].to_string(),
            "webaudio/a.html | a: expected PASS, got FAIL"
        );
    }

    #[test]
    fn flaky_unexpected_pass_and_missing() {
        let mut files = Map::new();
        files.insert(
            "webaudio/a.html".into(),
            json!({"status": "OK", "subtests": {"a": ["PASS", "FAIL"], "b": "FAIL", "c": "PASS"}}),
        );
        let e = Expectations { files };
        let u = e.compare(&result(0, &[("a", 1), ("b", 0)]));
        let text: Vec<String> = u.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "webaudio/a.html | b: expected FAIL, got PASS",
                "webaudio/a.html | c: expected PASS, got MISSING",
            ]
        );
    }

    #[test]
    fn update_keeps_reasons_and_flaky_lists() {
        let mut files = Map::new();
        files.insert(
            "webaudio/a.html".into(),
            json!({"status": "ERROR", "reason": "needs iframes", "subtests": {"a": ["PASS", "FAIL"], "b": ["PASS", "FAIL"]}}),
        );
        let mut e = Expectations { files };
        let r = result(0, &[("a", 1), ("b", 2)]);
        e.update(std::slice::from_ref(&r));
        assert!(e.compare(&r).is_empty());
        let entry = &e.files["webaudio/a.html"];
        assert_eq!(entry["reason"], "needs iframes");
        assert_eq!(entry["status"], "OK");
        assert_eq!(entry["subtests"]["a"], json!(["PASS", "FAIL"]));
        assert_eq!(entry["subtests"]["b"], "TIMEOUT");
    }
}
