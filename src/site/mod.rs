//! Runs the stages (load -> validate -> score -> render) and writes the output.
//!
//! `prepare` turns a site root into a checked corpus and its diagnostics; `build` goes on to
//! score, render and write. The output folder is replaced as a whole at the end
//! (`output::replace`), so a failed build leaves the previous one untouched.

mod copies;
pub mod output;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use rayon::prelude::*;

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
    prepare_cached(root, &mut content::LoadCache::default())
}

/// Like `prepare`, re-reading only the files that changed since the load that filled `cache`.
pub fn prepare_cached(root: &Path, cache: &mut content::LoadCache) -> Result<Prepared> {
    Ok(validated(content::load_cached(root, cache)?, &mut validate::ValidationCache::default()))
}

/// A load with its validation's diagnostics added, all in reading order.
fn validated(loaded: content::Loaded, cache: &mut validate::ValidationCache) -> Prepared {
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(validate::validate_cached(&loaded.corpus, &loaded.trust, cache));
    diagnostics::sort(&mut diagnostics);
    Prepared { corpus: loaded.corpus, diagnostics }
}

/// What `serve` keeps from one build to the next, so that an edit costs what it touches: the
/// files read and parsed, the units as merged with the results files, each unit's validation
/// and scores. Every part is keyed by what it was computed from, so a stale entry is never used.
#[derive(Default)]
pub struct LiveCache {
    load: content::LoadCache,
    validation: validate::ValidationCache,
    scores: scoring::ScoreCache,
}

impl LiveCache {
    pub fn new() -> LiveCache {
        LiveCache {
            load: content::LoadCache::new(),
            validation: validate::ValidationCache::new(),
            scores: scoring::ScoreCache::new(),
        }
    }
}

/// Loads `<root>/content/` (without validating: the first build does that), filling `cache`'s
/// file cache for the builds that follow.
pub fn load_live(root: &Path, cache: &mut LiveCache) -> Result<content::Loaded> {
    content::load_cached(root, &mut cache.load)
}

/// What changed since the last build, as far as a file watcher can tell.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Root-relative paths (with `/`) under `content/`; `None` when unknown (the first build,
    /// or the watcher lost track), and then every file is checked.
    pub content: Option<Vec<String>>,
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

/// How long each step of a live build took, for serve's log.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub load: Duration,
    pub validate: Duration,
    pub score: Duration,
    /// Making (or reusing) the renderer, the page list and the copied files.
    pub render: Duration,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_millis();
        write!(
            f,
            "load {} ms, validate {} ms, score {} ms, render setup {} ms",
            ms(self.load),
            ms(self.validate),
            ms(self.score),
            ms(self.render)
        )
    }
}

/// Loads, validates and (when clean) scores; applies `--base-url`.
fn prepare_scored(
    options: &BuildOptions,
    cache: &mut LiveCache,
    changes: &Changes,
    timings: &mut Timings,
) -> Result<(Prepared, Standings)> {
    if let Some(url) = &options.base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("--base-url must be an absolute http(s) URL, e.g. https://example.org/thi-dua/, found {url:?}");
    }
    let started = Instant::now();
    let loaded = content::load_changed(&options.root, &mut cache.load, changes.content.as_deref())?;
    timings.load = started.elapsed();
    let started = Instant::now();
    let mut prepared = validated(loaded, &mut cache.validation);
    timings.validate = started.elapsed();
    if let Some(url) = &options.base_url {
        prepared.corpus.campaign.site.base_url = Some(url.clone());
    }
    let started = Instant::now();
    let standings = if prepared.has_errors() {
        Standings::default()
    } else {
        scoring::score_cached(&prepared.corpus, &mut cache.scores)
    };
    timings.score = started.elapsed();
    Ok((prepared, standings))
}

/// A site ready to be served: its files other than pages, and a renderer that makes a page
/// when it is asked for (so an edit costs a re-score, not a re-render of every page).
pub struct Live {
    pub prepared: Prepared,
    pub standings: Standings,
    /// `None` when errors stopped the build (they are in `prepared.diagnostics`).
    pub renderer: Option<render::Renderer>,
    /// Assets and copied files.
    pub files: Vec<OutputFile>,
    /// Feeds and data downloads, made the first time one of them is asked for.
    pub other: std::sync::OnceLock<HashMap<String, std::sync::Arc<[u8]>>>,
    /// Every page's output path and what it shows.
    pub pages: HashMap<String, render::Page>,
    /// Where this build's time went, for serve's log.
    pub timings: Timings,
}

impl Live {
    /// A feed or data file, made (once) on first request.
    pub fn other_file(&self, path: &str) -> Option<Result<std::sync::Arc<[u8]>>> {
        if !render::Renderer::other_paths().contains(&path) {
            return None;
        }
        let renderer = self.renderer.as_ref()?;
        if self.other.get().is_none() {
            let ctx = renderer.ctx(&self.prepared.corpus, &self.standings);
            let files = match renderer.other_files(&ctx) {
                Ok(files) => files,
                Err(e) => return Some(Err(e)),
            };
            let _ = self.other.set(files.into_iter().map(|f| (f.path, f.bytes)).collect());
        }
        self.other.get().and_then(|m| m.get(path)).cloned().map(Ok)
    }
}

/// Prepares a `Live` site (for `serve`), redoing only what `changes` can have affected since
/// `cache` was filled.
pub fn generate_live(options: &BuildOptions, cache: &mut LiveCache, changes: &Changes) -> Result<Live> {
    let mut timings = Timings::default();
    let (mut prepared, standings) = prepare_scored(options, cache, changes, &mut timings)?;
    if prepared.has_errors() {
        return Ok(Live {
            prepared,
            standings,
            renderer: None,
            files: Vec::new(),
            other: Default::default(),
            pages: HashMap::new(),
            timings,
        });
    }
    let started = Instant::now();
    let render_options = render::RenderOptions { root: &options.root, drafts: options.drafts };
    let (renderer, rendered) = render::Renderer::new(&prepared.corpus, &standings, &render_options)?;
    prepared.diagnostics.extend(rendered.diagnostics);
    let pages: HashMap<String, render::Page> = match &renderer {
        Some(r) => r.page_paths(&r.ctx(&prepared.corpus, &standings)).into_iter().collect(),
        None => HashMap::new(),
    };
    let mut files = rendered.files;
    let page_paths: Vec<String> =
        pages.keys().cloned().chain(render::Renderer::other_paths().iter().map(|p| p.to_string())).collect();
    prepared.diagnostics.extend(copies::add(
        &options.root,
        &prepared.corpus,
        &mut files,
        rendered.assets,
        &page_paths,
    )?);
    diagnostics::sort(&mut prepared.diagnostics);
    let renderer = if prepared.has_errors() { None } else { renderer };
    timings.render = started.elapsed();
    Ok(Live { prepared, standings, renderer, files, other: Default::default(), pages, timings })
}

/// Builds the site into `options.output`, replacing it only when everything succeeded. Pages
/// are written into a new folder as they are rendered, so memory does not grow with the site.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    output::check_output_folder(&options.root, &options.output)?;
    let (mut prepared, standings) =
        prepare_scored(options, &mut LiveCache::default(), &Changes::default(), &mut Timings::default())?;
    if prepared.has_errors() {
        return Ok(BuildReport { prepared, written: None });
    }
    let staging = output::Staging::new(&options.output)?;
    let render_options = render::RenderOptions { root: &options.root, drafts: options.drafts };
    let rendered = render::render_with(&prepared.corpus, &standings, &render_options, &staging)?;
    let mut files = rendered.files;
    prepared.diagnostics.extend(rendered.diagnostics);
    let pages = rendered.pages.len();
    let streamed = rendered.streamed.len();
    let mut generated = rendered.pages;
    generated.extend(rendered.streamed);
    prepared.diagnostics.extend(copies::add(
        &options.root,
        &prepared.corpus,
        &mut files,
        rendered.assets,
        &generated,
    )?);
    diagnostics::sort(&mut prepared.diagnostics);
    if prepared.has_errors() {
        return Ok(BuildReport { prepared, written: None }); // `staging` is removed when dropped
    }
    files.par_iter().try_for_each(|f| staging.write(f))?;
    staging.commit()?;
    let count = pages + streamed + files.len();
    Ok(BuildReport { prepared, written: Some(Written { files: count, pages, elapsed: started.elapsed() }) })
}
