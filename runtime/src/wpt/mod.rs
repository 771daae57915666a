//! `webaudio-run wpt`: runs the Web Platform Tests for webaudio.
//!
//! The parent (`run`) finds the test files, runs each in a fresh child
//! process (`webaudio-run __wpt-one`, see `one.rs`) with a wall-clock limit,
//! prints one line per file and a summary, and compares the results with an
//! expectations file. A child builds the page (`page.rs`), installs the page
//! host (`host.rs`, `host.js`) and prints the harness results as one JSON line.

mod discover;
mod expectations;
mod host;
mod one;
mod page;
mod report;
mod runner;

use std::path::PathBuf;

pub use one::run_one;

/// Options of `webaudio-run wpt`.
#[derive(Debug, clap::Args)]
pub struct WptOptions {
    /// How many test files run at once (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Wall-clock limit of one test file, in seconds; files marked
    /// `timeout=long` get six times as much.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,

    /// Also write every result to this file as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Expected results to compare with.
    #[arg(long, value_name = "FILE", default_value = "wpt/expectations.json")]
    pub expectations: PathBuf,

    /// Rewrite the expectations file from this run (for the files run).
    #[arg(long)]
    pub update: bool,
}

/// Arguments of the hidden `__wpt-one` subcommand.
#[derive(Debug, clap::Args)]
pub struct WptOneArgs {
    /// Milliseconds after which the harness is told to time out.
    #[arg(long, value_name = "MS")]
    pub timeout_ms: u64,

    /// Root of the WPT checkout.
    pub root: PathBuf,

    /// The test file, relative to the root, `/`-separated.
    pub test: String,
}

/// Origin the test pages are served from, as the WPT server would.
pub const HTTP_ORIGIN: &str = "http://web-platform.test:8000";
/// Origin of `.https.` test pages.
pub const HTTPS_ORIGIN: &str = "https://web-platform.test:8443";
/// Host name of the test server; URLs on it map to files under the root.
pub const HOST: &str = "web-platform.test";
/// Prefix of the child's result line on stdout.
pub const RESULT_MARKER: &str = "\u{1e}webaudio-run-wpt-result ";

/// `webaudio-run wpt <root> [paths]`: returns the process exit code.
pub fn run(root: PathBuf, paths: Vec<String>, options: WptOptions) -> i32 {
    runner::run(root, paths, options)
}
