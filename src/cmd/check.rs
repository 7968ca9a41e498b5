//! `podium check`: load and validate, print every problem, write nothing.

use anyhow::Result;
use podium::diagnostics::SourceIndex;
use podium::site;

use super::{CONTENT_ERRORS, SUCCESS, print_diagnostics, summary};
use crate::cli::{CheckArgs, Format};

pub(crate) fn run(args: &CheckArgs) -> Result<u8> {
    let prepared = site::prepare(&args.root)?;
    let diags = &prepared.diagnostics;
    print_diagnostics(diags, args.format, &SourceIndex::new(&prepared.corpus.files));
    let c = &prepared.corpus;
    if args.format == Format::Human {
        eprintln!(
            "checked {} units, {} criteria, {} periods: {}",
            c.units.len(),
            c.criteria().count(),
            c.campaign.periods.len(),
            summary(diags)
        );
    }
    let failed = prepared.has_errors() || (args.strict && !diags.is_empty());
    // The process ends next: freeing every unit's maps one by one would only delay the exit.
    std::mem::forget(prepared);
    Ok(if failed { CONTENT_ERRORS } else { SUCCESS })
}
