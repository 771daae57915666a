//! The runtime's own deno_core extension: script arguments, exit, terminal
//! detection, `navigator`, `fetch`, `Worker` and writing WAV files. Its JS
//! lives in `runtime/js/`; `99_main.js` installs the globals of a window or
//! of a dedicated worker.

use std::path::Path;
use std::sync::Arc;

use deno_core::{OpState, op2};
use webaudio_ops::permissions::{PermissionError, Permissions};

use crate::web_worker::WorkerScope;

/// What every realm of the process shares: the permissions granted on the
/// command line and the Blob URL store (a `blob:` URL made in one realm
/// can be fetched or run as a Worker in another).
#[derive(Clone, Default)]
pub struct ProcessShared {
    pub permissions: Arc<Permissions>,
    pub blobs: Arc<deno_web::BlobStore>,
}

/// What the bootstrap needs to know about this realm.
pub struct RuntimeInfo {
    pub args: Vec<String>,
    pub main_module: String,
    pub shared: ProcessShared,
    /// `None` for the main realm (a window); a dedicated worker's otherwise.
    pub worker: Option<WorkerScope>,
}

/// `"window"` or `"worker"`: which global scope the bootstrap installs.
#[op2]
#[string]
fn op_runtime_global_scope(state: &mut OpState) -> &'static str {
    if state.borrow::<RuntimeInfo>().worker.is_some() {
        "worker"
    } else {
        "window"
    }
}

/// What `navigator` says about this machine.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct NavigatorInfo {
    user_agent: String,
    platform: String,
    hardware_concurrency: usize,
    languages: Vec<String>,
}

#[op2]
#[serde]
fn op_navigator_info() -> NavigatorInfo {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "MacIntel",
        "windows" => "Win32",
        other => other,
    };
    NavigatorInfo {
        user_agent: format!("webaudio-run/{}", env!("CARGO_PKG_VERSION")),
        platform: format!("{os} {}", std::env::consts::ARCH),
        hardware_concurrency: std::thread::available_parallelism().map_or(1, |n| n.get()),
        languages: preferred_languages(),
    }
}

/// The user's languages as BCP 47 tags, from the POSIX locale variables
/// (`LANGUAGE` is a colon-separated preference list); `en-US` when none
/// names one.
fn preferred_languages() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |locale: &str| {
        if let Some(tag) = locale_to_tag(locale)
            && !out.contains(&tag)
        {
            out.push(tag);
        }
    };
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            add(&value);
            break;
        }
    }
    if let Ok(list) = std::env::var("LANGUAGE") {
        for locale in list.split(':') {
            add(locale);
        }
    }
    if out.is_empty() {
        out.push("en-US".to_string());
    }
    out
}

/// `de_DE.UTF-8@euro` -> `de-DE`; `C` and `POSIX` name no language.
fn locale_to_tag(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next().unwrap_or("");
    if base.is_empty() || base == "C" || base == "POSIX" {
        return None;
    }
    let mut parts = base.split(['_', '-']);
    let language = parts.next()?.to_ascii_lowercase();
    if language.is_empty() || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(match parts.next() {
        Some(region) if !region.is_empty() => format!("{language}-{}", region.to_ascii_uppercase()),
        _ => language,
    })
}

#[op2]
#[serde]
fn op_runtime_args(state: &mut OpState) -> Vec<String> {
    state.borrow::<RuntimeInfo>().args.clone()
}

#[op2]
#[string]
fn op_runtime_main_module(state: &mut OpState) -> String {
    state.borrow::<RuntimeInfo>().main_module.clone()
}

/// `[stdout is a terminal, stderr is a terminal]`, for console colours.
#[op2]
#[serde]
fn op_runtime_terminals() -> (bool, bool) {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some();
    (
        !no_color && std::io::stdout().is_terminal(),
        !no_color && std::io::stderr().is_terminal(),
    )
}

#[op2(fast)]
fn op_runtime_exit(code: i32) {
    crate::worker::exit_process(code);
}

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum WriteWavError {
    #[class(type)]
    #[error("WebAudioRun.writeWav: {0}")]
    Argument(String),
    #[class(generic)]
    #[error("WebAudioRun.writeWav: cannot write '{path}': {reason}")]
    Io { path: String, reason: String },
    #[class(inherit)]
    #[error(transparent)]
    Permission(#[from] PermissionError),
}

/// Writes interleaved samples as a WAV file: 16-bit integer or 32-bit float.
#[op2(fast)]
fn op_runtime_write_wav(
    state: &mut OpState,
    #[string] path: &str,
    channels: u32,
    sample_rate: u32,
    bits: u32,
    #[buffer] interleaved: &[f32],
) -> Result<(), WriteWavError> {
    if channels == 0 || channels > 32 {
        return Err(WriteWavError::Argument(format!(
            "{channels} channels cannot be written"
        )));
    }
    let sample_format = match bits {
        16 => hound::SampleFormat::Int,
        32 => hound::SampleFormat::Float,
        other => {
            return Err(WriteWavError::Argument(format!(
                "bitDepth must be 16 or 32, not {other}"
            )));
        }
    };
    permissions(state).check_write(Path::new(path))?;
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate,
        bits_per_sample: bits as u16,
        sample_format,
    };
    let io = |e: hound::Error| WriteWavError::Io {
        path: path.to_string(),
        reason: match e {
            hound::Error::IoError(io) => crate::errors::io_reason(&io),
            other => other.to_string(),
        },
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(io)?;
    for &sample in interleaved {
        if bits == 16 {
            let scaled = (sample.clamp(-1.0, 1.0) * 32767.0).round() as i16;
            writer.write_sample(scaled).map_err(io)?;
        } else {
            writer.write_sample(sample).map_err(io)?;
        }
    }
    writer.finalize().map_err(io)
}

/// The process's permissions, as every op that reaches outside checks them.
pub fn permissions(state: &OpState) -> Arc<Permissions> {
    state.borrow::<Arc<Permissions>>().clone()
}

deno_core::extension!(
    webaudio_run,
    deps = [deno_webidl, deno_web, deno_crypto, webaudio],
    ops = [
        op_runtime_args,
        op_runtime_main_module,
        op_runtime_terminals,
        op_runtime_exit,
        op_runtime_global_scope,
        op_navigator_info,
        op_runtime_write_wav,
        crate::fetch::op_fetch_read_file,
        crate::fetch::op_fetch_data_url,
        crate::fetch::op_fetch_http,
        crate::fetch::op_fetch_cancel_handle,
        crate::web_worker::op_worker_create,
        crate::web_worker::op_worker_recv_event,
        crate::web_worker::op_worker_terminate,
        crate::web_worker::op_worker_take_port,
        crate::web_worker::op_worker_close,
        crate::web_worker::op_worker_info,
        crate::web_worker::op_worker_import_script,
    ],
    lazy_loaded_js = [
        dir "js",
        "00_fetch.js",
        "01_navigator.js",
        "02_animation_frame.js",
        "03_worker.js",
        "10_global_scope.js",
        "20_window.js",
        "21_worker_global_scope.js",
    ],
    js = [dir "js", "99_main.js"],
    options = { info: RuntimeInfo },
    state = |state, options| {
        state.put(options.info.shared.permissions.clone());
        state.put(options.info.shared.blobs.clone());
        state.put(options.info);
    },
);

#[cfg(test)]
mod tests {
    use super::locale_to_tag;

    #[test]
    fn locales_become_language_tags() {
        assert_eq!(locale_to_tag("de_DE.UTF-8").as_deref(), Some("de-DE"));
        assert_eq!(locale_to_tag("fr_ca@euro").as_deref(), Some("fr-CA"));
        assert_eq!(locale_to_tag("pt").as_deref(), Some("pt"));
        assert_eq!(locale_to_tag("C.UTF-8"), None);
        assert_eq!(locale_to_tag("POSIX"), None);
        assert_eq!(locale_to_tag("1_x"), None);
    }
}
