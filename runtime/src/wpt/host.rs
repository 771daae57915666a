//! The page host's deno_core extension: the page to run and the mapping of
//! test-server URLs to files for `fetch` and `XMLHttpRequest`. Its JS
//! (`host.js`) builds `document`, `location`, XHR and the rest of the window.

use std::path::PathBuf;

use deno_core::url::Url;
use deno_core::{OpState, op2};

use super::page::url_to_path;

pub struct HostState {
    pub root: PathBuf,
    /// The page as JSON (see `page::Page`), with `timeoutMs` added.
    pub page_json: String,
}

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum HostError {
    #[class(type)]
    #[error("network error: cannot fetch '{0}': only the test server's files can be fetched")]
    NotServed(String),
}

/// The page, as JSON; read once by the host at install.
#[op2]
#[string]
fn op_wpt_page(state: &mut OpState) -> String {
    std::mem::take(&mut state.borrow_mut::<HostState>().page_json)
}

/// The `file:` URL serving `url`, or `""` when there is no such file (a
/// 404 response). URLs off the test server are a network error.
#[op2]
#[string]
fn op_wpt_map_url(state: &mut OpState, #[string] url: String) -> Result<String, HostError> {
    let parsed = Url::parse(&url).map_err(|_| HostError::NotServed(url.clone()))?;
    let root = &state.borrow::<HostState>().root;
    let path = url_to_path(root, &parsed).ok_or_else(|| HostError::NotServed(url.clone()))?;
    if !path.is_file() {
        return Ok(String::new());
    }
    Ok(Url::from_file_path(&path)
        .map(|u| u.to_string())
        .unwrap_or_default())
}

/// Reads a `.sub.` file with its templates substituted, as the server does.
#[op2]
#[string]
fn op_wpt_read_substituted(#[string] file_url: String) -> Option<String> {
    let path = Url::parse(&file_url).ok()?.to_file_path().ok()?;
    let bytes = super::page::serve(&path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

deno_core::extension!(
    webaudio_run_wpt,
    deps = [deno_webidl, deno_web],
    ops = [op_wpt_page, op_wpt_map_url, op_wpt_read_substituted],
    js = [dir "src/wpt", "host.js"],
    options = { host: HostState },
    state = |state, options| {
        state.put(options.host);
    },
);
