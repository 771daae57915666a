//! The Rust half of `fetch`: `file:` URLs read within the read permission,
//! `data:` URLs decoded, and `http:`/`https:` requests (reqwest over
//! rustls) to the hosts the net permission allows, redirects included.
//! `blob:` URLs are read from the Blob URL store on the JS side.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use deno_core::{CancelFuture, CancelHandle, OpState, ResourceId, ToJsBuffer, op2};
use webaudio_ops::permissions::{PermissionError, Permissions};

use crate::ext::permissions;

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum FetchError {
    #[class(type)]
    #[error("fetch failed: unsupported URL '{0}'")]
    Scheme(String),
    #[class(type)]
    #[error("fetch failed: cannot read '{path}': {reason}")]
    Read { path: String, reason: String },
    #[class(type)]
    #[error("fetch failed: {0}")]
    Network(String),
    #[class(type)]
    #[error("fetch failed: {0}")]
    Invalid(String),
    #[class("DOMExceptionAbortError")]
    #[error("The fetch was aborted.")]
    Aborted,
    #[class(inherit)]
    #[error(transparent)]
    Permission(#[from] PermissionError),
}

/// Reads a local file for `fetch`, off the JS thread.
#[op2]
#[buffer]
pub async fn op_fetch_read_file(
    state: Rc<RefCell<OpState>>,
    #[string] url: String,
) -> Result<Vec<u8>, FetchError> {
    let url = deno_core::url::Url::parse(&url).map_err(|_| FetchError::Scheme(url.clone()))?;
    if url.scheme() != "file" {
        return Err(FetchError::Scheme(url.to_string()));
    }
    let path: PathBuf = url
        .to_file_path()
        .map_err(|()| FetchError::Scheme(url.to_string()))?;
    permissions(&state.borrow()).check_read(&path)?;
    let shown = path.display().to_string();
    let read = tokio::task::spawn_blocking(move || std::fs::read(&path))
        .await
        .map_err(|e| FetchError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    read.map_err(|e| FetchError::Read {
        path: shown,
        reason: crate::errors::io_reason(&e),
    })
}

/// `[MIME type essence, body]` of a `data:` URL.
#[op2]
#[serde]
pub fn op_fetch_data_url(#[string] url: &str) -> Result<(String, ToJsBuffer), FetchError> {
    let (mime, body) = webaudio_ops::loader::decode_data_url(url).map_err(FetchError::Invalid)?;
    Ok((mime, body.into()))
}

/// A handle that cancels one request when it is closed (an `AbortSignal`
/// fired).
#[op2(fast)]
#[smi]
pub fn op_fetch_cancel_handle(state: &mut OpState) -> ResourceId {
    state.resource_table.add(CancelHandle::new())
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    status: u16,
    status_text: String,
    headers: Vec<(String, String)>,
    url: String,
    redirected: bool,
    body: ToJsBuffer,
}

/// One HTTP request: every URL it visits, redirects included, must be
/// allowed by `--allow-net`.
#[op2]
#[serde]
pub async fn op_fetch_http(
    state: Rc<RefCell<OpState>>,
    #[string] method: String,
    #[string] url: String,
    #[serde] headers: Vec<(String, String)>,
    #[buffer(copy)] body: Vec<u8>,
    has_body: bool,
    #[smi] cancel: ResourceId,
) -> Result<HttpResponse, FetchError> {
    let (client, cancel) = {
        let mut state = state.borrow_mut();
        let cancel = state
            .resource_table
            .get::<CancelHandle>(cancel)
            .map_err(|_| FetchError::Aborted)?;
        (http_client(&mut state)?, cancel)
    };
    let request = async move {
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| FetchError::Invalid(format!("invalid URL '{url}'")))?;
        check_url(&client.permissions, &parsed)?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| FetchError::Invalid(format!("'{method}' is not a valid HTTP method")))?;
        let mut request = client.client.request(method, parsed.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if has_body {
            request = request.body(body);
        }
        let response = request.send().await.map_err(request_error)?;
        let status = response.status();
        let final_url = response.url().clone();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await.map_err(request_error)?;
        Ok(HttpResponse {
            status: status.as_u16(),
            status_text: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            redirected: final_url != parsed,
            url: final_url.to_string(),
            body: body.to_vec().into(),
        })
    };
    request
        .or_cancel(cancel)
        .await
        .map_err(|_| FetchError::Aborted)?
}

/// The client of one realm, made on its first HTTP request.
#[derive(Clone)]
struct HttpClient {
    client: reqwest::Client,
    permissions: Arc<Permissions>,
}

fn http_client(state: &mut OpState) -> Result<HttpClient, FetchError> {
    if let Some(client) = state.try_borrow::<HttpClient>() {
        return Ok(client.clone());
    }
    let permissions = permissions(state);
    let checked = permissions.clone();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 20 {
            return attempt.error("too many redirects");
        }
        match check_url(&checked, attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e),
        }
    });
    let client = reqwest::Client::builder()
        .user_agent(format!("webaudio-run/{}", env!("CARGO_PKG_VERSION")))
        .redirect(policy)
        .build()
        .map_err(|e| FetchError::Network(e.to_string()))?;
    let client = HttpClient {
        client,
        permissions,
    };
    state.put(client.clone());
    Ok(client)
}

/// Checks that `url` is an http(s) URL on a host `--allow-net` allows.
fn check_url(permissions: &Permissions, url: &reqwest::Url) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme(url.to_string()));
    }
    let host = match url.host() {
        Some(deno_core::url::Host::Ipv6(addr)) => format!("[{addr}]"),
        Some(host) => host.to_string(),
        None => return Err(FetchError::Invalid(format!("no host in '{url}'"))),
    };
    let port = url.port_or_known_default().unwrap_or(80);
    permissions.check_net(&host, port)?;
    Ok(())
}

/// A failed request: a redirect the net permission refused stays a
/// `NotCapable` error; anything else is a network error.
fn request_error(e: reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = source {
        if let Some(FetchError::Permission(p)) = err.downcast_ref::<FetchError>() {
            return FetchError::Permission(PermissionError {
                kind: p.kind,
                target: p.target.clone(),
            });
        }
        source = err.source();
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(err) = source {
        message.push_str(": ");
        message.push_str(&err.to_string());
        source = err.source();
    }
    FetchError::Network(message)
}
