//! `podium build`: check, score, render and write the output folder.

use anyhow::Result;
use podium::diagnostics::SourceIndex;
use podium::site::{self, BuildOptions};

use super::{CONTENT_ERRORS, SUCCESS, print_diagnostics, summary};
use crate::cli::{BuildArgs, Format};

pub(crate) fn run(args: &BuildArgs) -> Result<u8> {
    let output = args.output.clone().unwrap_or_else(|| args.root.join("public"));
    let options = BuildOptions {
        root: args.root.clone(),
        output: output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
    };
    let report = site::build(&options)?;
    let diags = &report.prepared.diagnostics;
    print_diagnostics(diags, Format::Human, &SourceIndex::new(&report.prepared.corpus.files));
    match report.written {
        Some(w) => {
            let warnings = if diags.is_empty() { String::new() } else { format!(" ({})", summary(diags)) };
            eprintln!(
                "built {} pages ({} files) into {} in {} ms{warnings}",
                w.pages,
                w.files,
                output.display(),
                w.elapsed.as_millis()
            );
            Ok(SUCCESS)
        }
        None => {
            eprintln!("build failed: {}; {} was left as it was", summary(diags), output.display());
            Ok(CONTENT_ERRORS)
        }
    }
}
