//! The runtime's own deno_core extension: script arguments, exit, terminal
//! detection and `fetch` of local files. Its JS lives in `runtime/js/`.

use std::path::PathBuf;

use deno_core::{OpState, op2};

/// What the bootstrap needs to know about this process.
pub struct RuntimeInfo {
    pub args: Vec<String>,
    pub main_module: String,
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
pub enum FetchError {
    #[class(type)]
    #[error(
        "fetch failed: unsupported URL '{0}': only file: URLs and relative paths can be fetched"
    )]
    Scheme(String),
    #[class(type)]
    #[error("fetch failed: cannot read '{path}': {reason}")]
    Read { path: String, reason: String },
}

/// Reads a local file for `fetch`, off the JS thread.
#[op2]
#[buffer]
async fn op_fetch_read_file(#[string] url: String) -> Result<Vec<u8>, FetchError> {
    let url = deno_core::url::Url::parse(&url).map_err(|_| FetchError::Scheme(url.clone()))?;
    if url.scheme() != "file" {
        return Err(FetchError::Scheme(url.to_string()));
    }
    let path: PathBuf = url
        .to_file_path()
        .map_err(|()| FetchError::Scheme(url.to_string()))?;
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

#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum WriteWavError {
    #[class(type)]
    #[error("WebAudioRun.writeWav: {0}")]
    Argument(String),
    #[class(generic)]
    #[error("WebAudioRun.writeWav: cannot write '{path}': {reason}")]
    Io { path: String, reason: String },
}

/// Writes interleaved samples as a WAV file: 16-bit integer or 32-bit float.
#[op2(fast)]
fn op_runtime_write_wav(
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

deno_core::extension!(
    webaudio_run,
    deps = [deno_webidl, deno_web, webaudio],
    ops = [
        op_runtime_args,
        op_runtime_main_module,
        op_runtime_terminals,
        op_runtime_exit,
        op_fetch_read_file,
        op_runtime_write_wav,
    ],
    lazy_loaded_js = [dir "js", "00_fetch.js"],
    js = [dir "js", "99_main.js"],
    options = { info: RuntimeInfo },
    state = |state, options| {
        state.put(options.info);
    },
);
