//! Command-line interface.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const ABOUT: &str = "A JavaScript runtime whose global scope is a browser's audio world: \
AudioContext, OfflineAudioContext, every AudioNode, AudioWorklet and decodeAudioData.";

const AFTER_HELP: &str = "Examples:\n  webaudio-run examples/hello.js\n  webaudio-run run script.js --my-arg\n  webaudio-run wpt ~/wpt webaudio/the-audio-api/the-gainnode-interface";

#[derive(Debug, Parser)]
#[command(
    name = "webaudio-run",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a script (the same as `webaudio-run <script>`).
    Run(RunArgs),
    /// Run the Web Platform Tests for webaudio from a WPT checkout.
    Wpt(WptArgs),
    /// Runs one WPT test file in this process (used by `wpt` for each file).
    #[command(name = "__wpt-one", hide = true)]
    WptOne(crate::wpt::WptOneArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Keep the engine's `gc()` function on the global scopes (for tests).
    #[arg(long)]
    pub expose_gc: bool,

    #[command(flatten)]
    pub permissions: PermissionArgs,

    /// The script to run, as an ES module.
    #[arg(value_name = "SCRIPT", required = true)]
    pub script: Option<PathBuf>,

    /// Arguments passed to the script (`WebAudioRun.args`).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// Deno's permission flags. Without them a script may read files under its
/// own folder and the current directory, and nothing else.
#[derive(Debug, Default, clap::Args)]
pub struct PermissionArgs {
    /// Allow reading files: everywhere, or under the given paths.
    #[arg(
        long = "allow-read",
        value_name = "PATH",
        num_args = 0..,
        require_equals = true,
        value_delimiter = ',',
        action = clap::ArgAction::Append
    )]
    pub allow_read: Option<Vec<PathBuf>>,

    /// Allow writing files: everywhere, or under the given paths.
    #[arg(
        long = "allow-write",
        value_name = "PATH",
        num_args = 0..,
        require_equals = true,
        value_delimiter = ',',
        action = clap::ArgAction::Append
    )]
    pub allow_write: Option<Vec<PathBuf>>,

    /// Allow network access (`fetch` of http: and https: URLs): to any host,
    /// or to the given `host[:port]`s.
    #[arg(
        long = "allow-net",
        value_name = "HOST",
        num_args = 0..,
        require_equals = true,
        value_delimiter = ',',
        action = clap::ArgAction::Append
    )]
    pub allow_net: Option<Vec<String>>,

    /// Allow everything.
    #[arg(short = 'A', long = "allow-all")]
    pub allow_all: bool,
}

#[derive(Debug, clap::Args)]
pub struct WptArgs {
    /// Root of a web-platform-tests checkout.
    #[arg(value_name = "WPT_ROOT")]
    pub root: PathBuf,

    /// Only run tests whose path (relative to the root, or to its webaudio/)
    /// starts with one of these.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub options: crate::wpt::WptOptions,
}

pub fn parse() -> Cli {
    Cli::parse()
}
