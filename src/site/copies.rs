//! Files copied as they are: the site's `static/` folder (to the output root) and the files
//! beside a folder unit's `index.md` (to its page folder, so evidence links resolve).
//!
//! A copied file may not replace a generated one (SPEC §2): that is an error naming the file.
//! Symlinks under `static/` that leave the site root are refused and never read.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::output::OutputFile;
use crate::diagnostics::Diagnostic;
use crate::model::Corpus;

/// Adds the theme's assets, the site's static files and unit assets to `files`; returns the
/// problems found. `pages` are generated paths not in `files` (rendered later, on request). A site static file replaces a theme asset of the same path (that is how a
/// theme's CSS is overridden).
pub(super) fn add(
    root: &Path,
    corpus: &Corpus,
    files: &mut Vec<OutputFile>,
    theme_assets: Vec<(String, OutputFile)>,
    pages: &[String],
) -> Result<Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let generated: BTreeSet<String> =
        files.iter().map(|f| f.path.clone()).chain(pages.iter().cloned()).collect();
    let mut extra = theme_assets;
    let canonical_root = root.canonicalize().with_context(|| format!("resolving {}", root.display()))?;
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for entry in walkdir::WalkDir::new(&static_dir).follow_links(false).sort_by_file_name() {
            let entry = entry.with_context(|| format!("reading {}", static_dir.display()))?;
            let Ok(rel) = entry.path().strip_prefix(&static_dir) else { continue };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let shown = format!("static/{rel}");
            if entry.path_is_symlink() {
                let inside = entry.path().canonicalize().is_ok_and(|t| t.starts_with(&canonical_root));
                if !inside {
                    diags.push(
                        Diagnostic::error(
                            "symlink-outside-root",
                            "this symlink leads outside the site root; it was not read",
                        )
                        .in_file(shown),
                    );
                    continue;
                }
            }
            if !entry.path().is_file() || rel.split('/').any(|p| p.starts_with('.')) {
                continue;
            }
            let bytes =
                std::fs::read(entry.path()).with_context(|| format!("reading {}", entry.path().display()))?;
            extra.push((shown, OutputFile { path: rel, bytes: bytes.into() }));
        }
    }
    for asset in &corpus.assets {
        let Some(rest) = asset.strip_prefix("content/units/") else { continue };
        let bytes = std::fs::read(root.join(asset)).with_context(|| format!("reading {asset}"))?;
        extra.push((asset.clone(), OutputFile { path: format!("units/{rest}"), bytes: bytes.into() }));
    }
    // Later entries win: theme assets, then the site's static files, then unit assets.
    let mut by_path: std::collections::BTreeMap<String, (String, OutputFile)> =
        std::collections::BTreeMap::new();
    for (shown, file) in extra {
        by_path.insert(file.path.clone(), (shown, file));
    }
    for (path, (shown, file)) in by_path {
        if generated.contains(&path) {
            diags.push(
                Diagnostic::error(
                    "static-collision",
                    format!("this file would overwrite the generated /{path}"),
                )
                .in_file(shown)
                .with_help("rename or move it; podium writes that path itself"),
            );
            continue;
        }
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(diags)
}
