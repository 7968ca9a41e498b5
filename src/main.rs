//! The `podium` binary: parses the command line, runs a command, maps the outcome to an exit
//! code (0 success, 1 content errors, 2 usage or I/O errors; SPEC §10).

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// Rendering allocates many small values on several threads; mimalloc measured 10k-unit
/// builds markedly faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let outcome = match &cli.command {
        cli::Command::Build(args) => cmd::build::run(args),
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::Serve(args) => cmd::serve::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
