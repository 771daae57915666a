//! Finds the test files under `<root>/webaudio/`, as the WPT manifest would
//! classify them: testharness `.html` pages, `.any.js` and `.window.js`
//! scripts (wrapped into a page). Support files are not tests.

use std::path::Path;

use super::page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Html,
    /// `.any.js`: run in its window variant (`.any.html`).
    AnyJs,
    /// `.window.js`: wrapped into `.window.html`.
    WindowJs,
}

#[derive(Debug, Clone)]
pub struct TestFile {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Marked `timeout=long`.
    pub long: bool,
}

/// What kind of test a file is, or `None` for a file that is not a test.
pub fn kind_of(name: &str) -> Option<Kind> {
    if name.starts_with('.') || name.contains("-manual.") {
        return None;
    }
    if name.ends_with(".any.js") {
        Some(Kind::AnyJs)
    } else if name.ends_with(".window.js") {
        Some(Kind::WindowJs)
    } else if name.ends_with(".html") || name.ends_with(".htm") {
        Some(Kind::Html)
    } else {
        None
    }
}

/// Test files under `<root>/webaudio` whose relative path matches a filter
/// (all of them without filters), sorted.
pub fn discover(root: &Path, filters: &[String]) -> Result<Vec<TestFile>, String> {
    let base = root.join("webaudio");
    if !base.is_dir() {
        return Err(format!("'{}' is not a directory", base.display()));
    }
    let mut paths = Vec::new();
    walk(&base, "webaudio", &mut paths)?;
    paths.sort();
    let filters: Vec<String> = filters.iter().map(|f| normalise_filter(f)).collect();
    let mut tests = Vec::new();
    for path in paths {
        if !filters.is_empty() && !filters.iter().any(|f| matches_filter(&path, f)) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(&path);
        let Some(kind) = kind_of(name) else { continue };
        let Ok(text) = std::fs::read_to_string(root.join(&path)) else {
            continue;
        };
        // An HTML file without testharness.js is a reftest or a support page.
        if kind == Kind::Html && !page::is_testharness_page(&text) {
            continue;
        }
        if kind != Kind::Html && !page::runs_in_window(&text) {
            continue;
        }
        let long = page::is_long(&text, kind);
        tests.push(TestFile { path, long });
    }
    Ok(tests)
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read '{}': {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let child = format!("{rel}/{name}");
        if path.is_dir() {
            // Helpers, not tests, by WPT's conventions.
            if name == "resources" || name == "support" || name.starts_with('.') {
                continue;
            }
            walk(&path, &child, out)?;
        } else {
            out.push(child);
        }
    }
    Ok(())
}

fn normalise_filter(filter: &str) -> String {
    let trimmed = filter.trim_start_matches("./").trim_start_matches('/');
    trimmed.to_string()
}

/// A filter matches a path it is a prefix of, taken relative to the root or
/// to `webaudio/`.
fn matches_filter(path: &str, filter: &str) -> bool {
    path.starts_with(filter)
        || path
            .strip_prefix("webaudio/")
            .is_some_and(|p| p.starts_with(filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of("a.html"), Some(Kind::Html));
        assert_eq!(kind_of("a.https.html"), Some(Kind::Html));
        assert_eq!(kind_of("a.any.js"), Some(Kind::AnyJs));
        assert_eq!(kind_of("a.https.window.js"), Some(Kind::WindowJs));
        assert_eq!(kind_of("a.worker.js"), None);
        assert_eq!(kind_of("helper.js"), None);
        assert_eq!(kind_of("a-manual.html"), None);
        assert_eq!(kind_of("a-manual.https.html"), None);
    }

    #[test]
    fn filters() {
        assert!(matches_filter("webaudio/a/b.html", "webaudio/a"));
        assert!(matches_filter("webaudio/a/b.html", "a/b"));
        assert!(!matches_filter("webaudio/a/b.html", "b"));
        assert_eq!(normalise_filter("/webaudio/x"), "webaudio/x");
    }
}
