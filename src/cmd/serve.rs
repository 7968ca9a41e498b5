//! `podium serve`: the live preview. Prints one line per build and change to stderr.

use anyhow::Result;
use podium::serve::{self, ServeOptions};

use crate::cli::ServeArgs;

pub(crate) fn run(args: &ServeArgs) -> Result<u8> {
    let options =
        ServeOptions { root: args.root.clone(), bind: args.bind, port: args.port, drafts: args.drafts };
    let open = args.open;
    let log = move |line: &str| {
        eprintln!("{line}");
        if open && let Some(url) = line.strip_prefix("serving ").and_then(|l| l.split(" at ").nth(1)) {
            open_browser(url);
        }
    };
    serve::run(&options, &log)?;
    Ok(super::SUCCESS)
}

/// Best effort: the preview works without it.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(program).arg(url).spawn() {
        eprintln!("could not open a browser ({program}: {e}); open {url} yourself");
    }
}
