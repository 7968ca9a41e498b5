//! Runs the stages (load -> validate -> score -> render) and writes the output.
//!
//! `prepare` turns a site root into a checked corpus and its diagnostics; `build` goes on to
//! score, render and write. The output folder is replaced as a whole at the end
//! (`output::replace`), so a failed build leaves the previous one untouched.

mod copies;
pub mod output;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use self::output::OutputFile;
use crate::diagnostics::{self, Diagnostic};
use crate::model::Corpus;
use crate::scoring::{self, Standings};
use crate::{content, render, validate};

/// A loaded and validated corpus.
#[derive(Debug)]
pub struct Prepared {
    pub corpus: Corpus,
    /// Sorted by file and place.
    pub diagnostics: Vec<Diagnostic>,
}

impl Prepared {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads and validates `<root>/content/`. `Err` only for operational failures.
pub fn prepare(root: &Path) -> Result<Prepared> {
    let loaded = content::load(root)?;
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(validate::validate(&loaded.corpus, &loaded.trust));
    diagnostics::sort(&mut diagnostics);
    Ok(Prepared { corpus: loaded.corpus, diagnostics })
}

/// What `build` needs beyond the root.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub prepared: Prepared,
    /// `None` when content errors stopped the build before anything was written.
    pub written: Option<Written>,
}

#[derive(Debug)]
pub struct Written {
    pub files: usize,
    /// HTML pages among the files.
    pub pages: usize,
    pub elapsed: Duration,
}

/// A whole site in memory, or the problems that stopped it.
#[derive(Debug)]
pub struct Generated {
    pub prepared: Prepared,
    /// `None` when errors stopped the build.
    pub files: Option<Vec<OutputFile>>,
}

/// Runs every stage and returns the site's files in memory.
pub fn generate(options: &BuildOptions) -> Result<Generated> {
    generate_cached(options, &mut render::RenderCache::default())
}

/// Like `generate`, re-rendering only the pages whose inputs changed since the render that
/// filled `cache` (for `serve`).
pub fn generate_cached(options: &BuildOptions, cache: &mut render::RenderCache) -> Result<Generated> {
    if let Some(url) = &options.base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("--base-url must be an absolute http(s) URL, e.g. https://example.org/thi-dua/, found {url:?}");
    }
    let mut prepared = prepare(&options.root)?;
    if prepared.has_errors() {
        return Ok(Generated { prepared, files: None });
    }
    if let Some(url) = &options.base_url {
        prepared.corpus.campaign.site.base_url = Some(url.clone());
    }
    let standings: Standings = scoring::score(&prepared.corpus);
    let render_options = render::RenderOptions { root: &options.root, drafts: options.drafts };
    let rendered = render::render_cached(&prepared.corpus, &standings, &render_options, cache)?;
    let mut files = rendered.files;
    prepared.diagnostics.extend(rendered.diagnostics);
    prepared.diagnostics.extend(copies::add(&options.root, &prepared.corpus, &mut files, rendered.assets)?);
    diagnostics::sort(&mut prepared.diagnostics);
    let files = (!prepared.has_errors()).then_some(files);
    Ok(Generated { prepared, files })
}

/// Builds the site into `options.output`, replacing it only when everything succeeded.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    output::check_output_folder(&options.root, &options.output)?;
    let Generated { prepared, files } = generate(options)?;
    let Some(files) = files else {
        return Ok(BuildReport { prepared, written: None });
    };
    let count = files.len();
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    output::replace(&options.output, &files)?;
    Ok(BuildReport { prepared, written: Some(Written { files: count, pages, elapsed: started.elapsed() }) })
}
