//! One thin `run` per subcommand: parse nothing, print results, return the exit code.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod serve;

use std::io::Write;

use podium::diagnostics::{self, Diagnostic, Sources};

use crate::cli::Format;

/// Exit codes (SPEC §10).
pub(crate) const SUCCESS: u8 = 0;
pub(crate) const CONTENT_ERRORS: u8 = 1;

/// Prints diagnostics in the chosen format: human and GitHub forms to stderr and stdout
/// respectively, JSON to stdout.
pub(crate) fn print_diagnostics(diags: &[Diagnostic], format: Format, sources: &dyn Sources) {
    let mut err = std::io::stderr().lock();
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => {
            for d in diags {
                let _ = writeln!(err, "{}", diagnostics::render_human(d, sources));
            }
        }
        Format::Github => {
            for d in diags {
                let _ = writeln!(out, "{}", diagnostics::render_github(d));
            }
        }
        Format::Json => {
            let _ = writeln!(out, "{}", diagnostics::render_json(diags));
        }
    }
}

/// `2 errors, 1 warning`.
pub(crate) fn summary(diags: &[Diagnostic]) -> String {
    let (errors, warnings) = diagnostics::counts(diags);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}
