//! The command line (SPEC §10), as clap derive structs.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "podium",
    version,
    about = "Static site generator for campaign reports: exact scoring, rankings with ties, awards with quotas"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the site (every page, the feeds and the data exports) into the output folder.
    Build(BuildArgs),
    /// Check the content and report every problem, without writing anything.
    Check(CheckArgs),
    /// Preview the site: build into memory, serve it, rebuild and reload on every change.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The site root (the folder holding content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Address to listen on (loopback by default; another address exposes the preview).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Also show items marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The site root (the folder holding content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: <root>/public).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Overrides site.base_url.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Also build items marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The site root (the folder holding content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// How to print problems.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Source line and caret for each problem.
    Human,
    /// GitHub Actions annotations.
    Github,
    /// One JSON document.
    Json,
}
