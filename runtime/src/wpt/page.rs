//! Builds the page a test runs in: the parsed document (as a small JSON tree
//! the host turns into a minimal DOM) and its classic scripts in document
//! order, each already read from the WPT root, as the WPT server serves them.

use std::path::{Path, PathBuf};

use deno_core::url::Url;
use ego_tree::NodeRef;
use scraper::{Html, Node};
use serde::Serialize;
use serde_json::{Value, json};

use super::discover::{Kind, kind_of};
use super::{HOST, HTTP_ORIGIN, HTTPS_ORIGIN};

/// Path of the harness's vendor hook, which the runner replaces.
const REPORT_SCRIPT: &str = "/resources/testharnessreport.js";

#[derive(Debug, Serialize)]
pub struct Page {
    pub url: String,
    /// `[tag, [[name, value]...], [children...]]`; text nodes are strings.
    pub dom: Value,
    pub scripts: Vec<Script>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Script {
    /// Run `source` as a classic script named `url`.
    Source { url: String, source: String },
    /// The runner's results hook, in place of testharnessreport.js.
    Report,
    /// Could not be fetched: fires `error` on the element.
    LoadError { url: String, reason: String },
    /// Not a classic script (data blocks, worklet code): not run.
    Skip,
}

/// The URL a test file is served at (`.any.js`/`.window.js` as their
/// generated `.html` page).
pub fn page_url(test: &str) -> String {
    let origin = if test.contains(".https.") {
        HTTPS_ORIGIN
    } else {
        HTTP_ORIGIN
    };
    let served = if let Some(stem) = test.strip_suffix(".any.js") {
        format!("{stem}.any.html")
    } else if let Some(stem) = test.strip_suffix(".window.js") {
        format!("{stem}.window.html")
    } else {
        test.to_string()
    };
    format!("{origin}/{served}")
}

/// Maps a URL on the test server to the file under `root` it serves, if
/// the URL is on the test server and stays inside the root.
pub fn url_to_path(root: &Path, url: &Url) -> Option<PathBuf> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str() != Some(HOST) {
        return None;
    }
    let mut path = root.to_path_buf();
    for segment in url.path_segments()? {
        let decoded = percent_decode(segment);
        if decoded.is_empty() || decoded == "." {
            continue;
        }
        if decoded == ".." || decoded.contains('/') || decoded.contains('\\') {
            return None;
        }
        path.push(decoded);
    }
    Some(path)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a file as the test server serves it: `.sub.` files get their
/// `{{...}}` templates substituted.
pub fn serve(path: &Path) -> std::io::Result<Vec<u8>> {
    let bytes = std::fs::read(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.is_some_and(|n| n.contains(".sub.")) {
        let text = String::from_utf8_lossy(&bytes);
        return Ok(substitute(&text).into_bytes());
    }
    Ok(bytes)
}

/// The WPT server's template substitution, for the keys test files use.
pub fn substitute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = after[..end].trim();
                match substitution(key) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn substitution(key: &str) -> Option<String> {
    let subdomain = |prefix: &str, base: &str| {
        if prefix.is_empty() {
            base.to_string()
        } else {
            format!("{prefix}.{base}")
        }
    };
    let inner = |k: &str, head: &str| {
        k.strip_prefix(head)
            .and_then(|r| r.strip_suffix(']'))
            .map(str::to_string)
    };
    Some(match key {
        "host" => HOST.to_string(),
        "ports[http][0]" => "8000".into(),
        "ports[http][1]" => "8001".into(),
        "ports[https][0]" => "8443".into(),
        "ports[https][1]" => "8444".into(),
        "ports[ws][0]" => "8666".into(),
        "ports[wss][0]" => "8667".into(),
        _ => {
            if let Some(name) = inner(key, "domains[") {
                subdomain(&name, HOST)
            } else if let Some(name) = inner(key, "hosts[][") {
                subdomain(&name, HOST)
            } else if let Some(name) = inner(key, "hosts[alt][") {
                subdomain(&name, "not-web-platform.test")
            } else {
                return None;
            }
        }
    })
}

/// Whether an `.any.js`/`.window.js` test has a window variant.
pub fn runs_in_window(text: &str) -> bool {
    let globals: Vec<&str> = meta(text)
        .filter(|(k, _)| *k == "global")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect();
    globals.is_empty()
        || globals
            .iter()
            .any(|g| matches!(*g, "window" | "default" | "window-module"))
}

/// `// META: key=value` lines at the top of a `.js` test.
fn meta(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.starts_with("//") || l.is_empty())
        .filter_map(|l| l.strip_prefix("//")?.trim().strip_prefix("META:"))
        .filter_map(|l| l.trim().split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
}

/// Whether an HTML page is a testharness.js test: it loads testharness.js.
pub fn is_testharness_page(text: &str) -> bool {
    let html = Html::parse_document(text);
    html.tree.root().descendants().any(|n| match n.value() {
        Node::Element(e) => {
            e.name() == "script"
                && e.attr("src").is_some_and(|src| {
                    let path = src.trim().split(['?', '#']).next().unwrap_or("");
                    path == "testharness.js" || path.ends_with("/testharness.js")
                })
        }
        _ => false,
    })
}

/// Whether the test asks for the long timeout.
pub fn is_long(text: &str, kind: Kind) -> bool {
    match kind {
        Kind::Html => {
            let html = Html::parse_document(text);
            html.tree.root().descendants().any(|n| match n.value() {
                Node::Element(e) => {
                    e.name() == "meta"
                        && e.attr("name") == Some("timeout")
                        && e.attr("content") == Some("long")
                }
                _ => false,
            })
        }
        Kind::AnyJs | Kind::WindowJs => meta(text).any(|(k, v)| k == "timeout" && v == "long"),
    }
}

/// The page WPT's server generates for an `.any.js`/`.window.js` test.
fn wrapper_html(test: &str, text: &str, kind: Kind) -> String {
    let mut html = String::from("<!doctype html>\n<meta charset=utf-8>\n");
    let mut scripts = String::new();
    for (key, value) in meta(text) {
        match key {
            "timeout" if value == "long" => {
                html.push_str("<meta name=timeout content=long>\n");
            }
            "title" => html.push_str(&format!("<title>{}</title>\n", escape(value))),
            "script" => scripts.push_str(&format!("<script src=\"{}\"></script>\n", escape(value))),
            _ => {}
        }
    }
    html.push_str("<script src=\"/resources/testharness.js\"></script>\n");
    html.push_str("<script src=\"/resources/testharnessreport.js\"></script>\n");
    if kind == Kind::AnyJs {
        html.push_str(
            "<script>self.GLOBAL = { isWindow: () => true, isWorker: () => false, \
             isShadowRealm: () => false };</script>\n",
        );
    }
    html.push_str(&scripts);
    html.push_str("<div id=log></div>\n");
    let name = test.rsplit('/').next().unwrap_or(test);
    html.push_str(&format!("<script src=\"{}\"></script>\n", escape(name)));
    html
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// Reads and prepares the page of `test` (relative to `root`).
pub fn load(root: &Path, test: &str) -> Result<Page, String> {
    let name = test.rsplit('/').next().unwrap_or(test);
    let kind = kind_of(name).ok_or_else(|| format!("'{test}' is not a test file"))?;
    let path = root.join(test);
    let bytes = serve(&path).map_err(|e| {
        format!(
            "cannot read '{}': {}",
            path.display(),
            crate::errors::io_reason(&e)
        )
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let html_text = match kind {
        Kind::Html => text,
        Kind::AnyJs | Kind::WindowJs => wrapper_html(test, &text, kind),
    };
    let url = page_url(test);
    let base = Url::parse(&url).map_err(|e| format!("bad page URL '{url}': {e}"))?;
    let html = Html::parse_document(&html_text);
    let mut builder = Builder {
        root,
        base: &base,
        html: &html_text,
        cursor: 0,
        scripts: Vec::new(),
    };
    let dom = builder
        .convert(html.tree.root())
        .unwrap_or_else(|| json!(["html", [], []]));
    Ok(Page {
        url,
        dom,
        scripts: builder.scripts,
    })
}

/// Turns the parsed tree into the host's JSON tree, collecting scripts.
struct Builder<'a> {
    root: &'a Path,
    base: &'a Url,
    /// The page's source, to find where inline scripts start.
    html: &'a str,
    /// Where the previous inline script's text was found.
    cursor: usize,
    scripts: Vec<Script>,
}

impl Builder<'_> {
    fn convert(&mut self, node: NodeRef<'_, Node>) -> Option<Value> {
        match node.value() {
            Node::Document | Node::Fragment => {
                let mut found = None;
                for child in node.children() {
                    let value = self.convert(child);
                    if found.is_none() && value.as_ref().is_some_and(Value::is_array) {
                        found = value;
                    }
                }
                found
            }
            Node::Text(t) => Some(Value::String(t.text.to_string())),
            Node::Element(e) => {
                let attrs: Vec<Value> = e.attrs().map(|(k, v)| json!([k, v])).collect();
                if e.name() == "script" {
                    let text: String = node
                        .children()
                        .filter_map(|c| match c.value() {
                            Node::Text(t) => Some(t.text.to_string()),
                            _ => None,
                        })
                        .collect();
                    let script = script(self.root, self.base, e, self.with_page_lines(&text));
                    self.scripts.push(script);
                    let index = self.scripts.len() - 1;
                    return Some(json!([e.name(), attrs, [text], index]));
                }
                let children: Vec<Value> =
                    node.children().filter_map(|c| self.convert(c)).collect();
                Some(json!([e.name(), attrs, children]))
            }
            _ => None,
        }
    }

    /// An inline script's text preceded by as many newlines as the page has
    /// before it, so error line numbers are the page's, as in a browser.
    fn with_page_lines(&mut self, text: &str) -> String {
        if text.trim().is_empty() {
            return text.to_string();
        }
        match self.html[self.cursor..].find(text) {
            Some(at) => {
                let start = self.cursor + at;
                let lines = self.html[..start].matches('\n').count();
                self.cursor = start + text.len();
                let mut out = "\n".repeat(lines);
                out.push_str(text);
                out
            }
            None => text.to_string(),
        }
    }
}

fn is_classic(type_attr: Option<&str>) -> bool {
    let Some(t) = type_attr else { return true };
    let t = t.trim().to_ascii_lowercase();
    t.is_empty()
        || matches!(
            t.as_str(),
            "text/javascript"
                | "application/javascript"
                | "application/x-javascript"
                | "text/ecmascript"
                | "application/ecmascript"
                | "text/jscript"
        )
}

fn script(root: &Path, base: &Url, e: &scraper::node::Element, text: String) -> Script {
    if !is_classic(e.attr("type")) {
        return Script::Skip;
    }
    let Some(src) = e.attr("src") else {
        return Script::Source {
            url: base.to_string(),
            source: text,
        };
    };
    let url = match base.join(src.trim()) {
        Ok(u) => u,
        Err(err) => {
            return Script::LoadError {
                url: src.to_string(),
                reason: format!("invalid URL: {err}"),
            };
        }
    };
    if url.host_str() == Some(HOST) && url.path() == REPORT_SCRIPT {
        return Script::Report;
    }
    let Some(path) = url_to_path(root, &url) else {
        return Script::LoadError {
            url: url.to_string(),
            reason: "not on the test server (no network access)".into(),
        };
    };
    match serve(&path) {
        Ok(bytes) => Script::Source {
            url: url.to_string(),
            source: String::from_utf8_lossy(&bytes).into_owned(),
        },
        Err(err) => Script::LoadError {
            url: url.to_string(),
            reason: format!("404 Not Found ({})", crate::errors::io_reason(&err)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls() {
        assert_eq!(
            page_url("webaudio/a/b.html"),
            "http://web-platform.test:8000/webaudio/a/b.html"
        );
        assert_eq!(
            page_url("webaudio/idl.https.window.js"),
            "https://web-platform.test:8443/webaudio/idl.https.window.html"
        );
        assert_eq!(
            page_url("webaudio/x.any.js"),
            "http://web-platform.test:8000/webaudio/x.any.html"
        );
    }

    #[test]
    fn urls_map_inside_the_root_only() {
        let root = Path::new("/r");
        let u = Url::parse("http://web-platform.test:8000/webaudio/a%20b.js").unwrap();
        assert_eq!(
            url_to_path(root, &u),
            Some(PathBuf::from("/r/webaudio/a b.js"))
        );
        let u = Url::parse("http://web-platform.test:8000/a/../../etc/passwd").unwrap();
        assert_eq!(url_to_path(root, &u), Some(PathBuf::from("/r/etc/passwd")));
        let u = Url::parse("http://example.com/x.js").unwrap();
        assert_eq!(url_to_path(root, &u), None);
        let u = Url::parse("http://web-platform.test:8000/a/%2e%2e/b").unwrap();
        assert_eq!(url_to_path(root, &u), Some(PathBuf::from("/r/b")));
        let u = Url::parse("http://web-platform.test:8000/a%2f..%2fb").unwrap();
        assert_eq!(url_to_path(root, &u), None);
    }

    #[test]
    fn substitution() {
        assert_eq!(
            substitute("a {{host}}:{{ports[http][1]}} {{domains[www2]}} {{unknown}} {{"),
            "a web-platform.test:8001 www2.web-platform.test {{unknown}} {{"
        );
    }

    #[test]
    fn meta_lines() {
        let js = "// META: script=/a.js\n// META: timeout=long\n'use strict';\n// META: title=no";
        assert!(is_long(js, Kind::WindowJs));
        assert!(runs_in_window(js));
        assert!(!runs_in_window("// META: global=worker\n"));
        let html = wrapper_html("webaudio/t.any.js", js, Kind::AnyJs);
        let a = html.find("/resources/testharnessreport.js").unwrap();
        let b = html.find("/a.js").unwrap();
        let c = html.find("\"t.any.js\"").unwrap();
        assert!(a < b && b < c, "{html}");
        assert!(html.contains("content=long"));
    }

    #[test]
    fn testharness_pages() {
        assert!(is_testharness_page(
            "<script src=/resources/testharness.js></script>"
        ));
        assert!(!is_testharness_page(
            "<title>no testharness.js here</title><script src=x.js></script>"
        ));
    }

    #[test]
    fn long_html() {
        assert!(is_long(
            "<meta name=\"timeout\" content=\"long\"><script></script>",
            Kind::Html
        ));
        assert!(!is_long("<title>x</title>", Kind::Html));
    }
}
