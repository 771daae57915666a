//! How errors reach the user: one readable message, never a Rust panic.

use deno_core::error::{CoreError, CoreErrorKind, JsError};

pub use webaudio_ops::loader::io_reason;

/// Formats an error from the JS runtime for stderr.
pub fn format_core_error(err: &CoreError) -> String {
    match err.as_kind() {
        CoreErrorKind::Js(js) => format_js_error(js),
        _ => err.to_string(),
    }
}

/// `Uncaught [(in promise)] <Name>: <message>` followed by the stack frames
/// that belong to user code (the runtime's own `ext:` frames are noise).
pub fn format_js_error(js: &JsError) -> String {
    let mut out = js.exception_message.clone();
    let frames: Vec<&str> = match &js.stack {
        Some(stack) => stack
            .lines()
            .skip_while(|line| !line.trim_start().starts_with("at "))
            .filter(|line| !is_internal_frame(line))
            .collect(),
        None => Vec::new(),
    };
    if frames.is_empty()
        && let Some(location) = js.frames.first().and_then(|f| f.maybe_format_location())
    {
        out.push_str(&format!("\n    at {location}"));
    }
    for frame in frames {
        out.push('\n');
        out.push_str(frame);
    }
    out
}

fn is_internal_frame(line: &str) -> bool {
    line.contains("(ext:") || line.trim_start().starts_with("at ext:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reason_drops_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(28);
        assert!(!io_reason(&e).contains("os error"));
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_reason(&nf), "No such file or directory");
    }

    #[test]
    fn internal_frames_are_recognised() {
        assert!(is_internal_frame(
            "    at listOnTimeout (ext:core/02_timers.js:307:17)"
        ));
        assert!(!is_internal_frame("    at f (file:///tmp/x.js:2:9)"));
    }
}
