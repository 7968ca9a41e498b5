//! Runs the stages (load -> validate -> score -> render) and writes the output.
//!
//! `prepare` turns a site root into a checked corpus and its diagnostics; `build` goes on to
//! score, render and write. The output folder is replaced as a whole at the end
//! (`output::replace`), so a failed build leaves the previous one untouched.

mod copies;
pub mod output;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use rayon::prelude::*;

use self::output::OutputFile;
use crate::diagnostics::{self, Diagnostic};
use crate::model::{Corpus, Unit};
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
/// and scores, and the rendering set-up. Every part is keyed by what it was computed from, so a
/// stale entry is never used.
#[derive(Default)]
pub struct LiveCache {
    load: content::LoadCache,
    validation: validate::ValidationCache,
    scores: scoring::ScoreCache,
    render: Option<LastRender>,
}

/// What the last good live build's rendering set-up was made from and what it gave.
struct LastRender {
    renderer: render::Renderer,
    /// The units and declared cluster ids the renderer's unit look-ups were made for.
    units: Vec<Arc<Unit>>,
    clusters: Vec<String>,
    /// Every page's path and what it shows, in `page_paths` order, and the same as a map.
    page_list: Vec<(String, render::Page)>,
    pages: Arc<HashMap<String, render::Page>>,
    /// What the copied files were made from besides `static/` (the theme's assets, the units'
    /// files, the page paths), and what they gave.
    theme_assets: Vec<(String, OutputFile)>,
    unit_assets: Vec<String>,
    files: Vec<OutputFile>,
    diagnostics: Vec<Diagnostic>,
}

impl LiveCache {
    pub fn new() -> LiveCache {
        LiveCache {
            load: content::LoadCache::new(),
            validation: validate::ValidationCache::new(),
            scores: scoring::ScoreCache::new(),
            render: None,
        }
    }
}

/// Loads `<root>/content/` (without validating: the first build does that), filling `cache`'s
/// file cache for the builds that follow.
pub fn load_live(root: &Path, cache: &mut LiveCache) -> Result<content::Loaded> {
    content::load_cached(root, &mut cache.load)
}

/// What changed since the last build, as far as a file watcher can tell.
#[derive(Debug, Clone)]
pub struct Changes {
    /// Root-relative paths (with `/`) under `content/`; `None` when unknown (the first build,
    /// or the watcher lost track), and then every file is checked.
    pub content: Option<Vec<String>>,
    /// Whether anything outside `content/` (templates, themes, static files) may have changed;
    /// when not, the copied files are kept as they were.
    pub outside_content: bool,
}

impl Default for Changes {
    /// Anything may have changed.
    fn default() -> Changes {
        Changes { content: None, outside_content: true }
    }
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
    /// Every page's output path and what it shows (shared with the next build when the pages
    /// are the same).
    pub pages: Arc<HashMap<String, render::Page>>,
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
            pages: Default::default(),
            timings,
        });
    }
    let started = Instant::now();
    let corpus = &prepared.corpus;
    let last = cache.render.take();
    let clusters: Vec<String> = corpus.campaign.clusters.iter().map(|c| c.id.clone()).collect();
    let same_units =
        last.as_ref().is_some_and(|l| l.clusters == clusters && same_units(&l.units, &corpus.units));
    let render_options = render::RenderOptions { root: &options.root, drafts: options.drafts };
    let previous = last.as_ref().map(|l| (&l.renderer, same_units));
    let (renderer, rendered) = render::Renderer::reusing(corpus, &standings, &render_options, previous)?;
    prepared.diagnostics.extend(rendered.diagnostics);
    let page_list = match &renderer {
        Some(r) => r.page_paths(&r.ctx(corpus, &standings)),
        None => Vec::new(),
    };
    let last = last.filter(|l| renderer.is_some() && l.page_list == page_list);
    let pages = match &last {
        Some(l) => l.pages.clone(),
        None => Arc::new(page_list.iter().cloned().collect()),
    };
    // The copied files depend on `static/`, the theme's assets, the units' files and the page
    // paths (which they may not replace).
    let unit_files_same = |l: &LastRender| {
        l.unit_assets == corpus.assets
            && changes.content.as_ref().is_some_and(|paths| paths.iter().all(|p| !corpus.assets.contains(p)))
    };
    let copied =
        last.filter(|l| !changes.outside_content && l.theme_assets == rendered.assets && unit_files_same(l));
    let (files, copy_diagnostics) = match copied {
        Some(l) => (l.files, l.diagnostics),
        None => {
            let mut files = rendered.files;
            let page_paths: Vec<String> = pages
                .keys()
                .cloned()
                .chain(render::Renderer::other_paths().iter().map(|p| p.to_string()))
                .collect();
            let diagnostics =
                copies::add(&options.root, corpus, &mut files, rendered.assets.clone(), &page_paths)?;
            (files, diagnostics)
        }
    };
    prepared.diagnostics.extend(copy_diagnostics.iter().cloned());
    diagnostics::sort(&mut prepared.diagnostics);
    let renderer = if prepared.has_errors() { None } else { renderer };
    if let Some(renderer) = &renderer {
        cache.render = Some(LastRender {
            renderer: renderer.clone(),
            units: prepared.corpus.units.clone(),
            clusters,
            page_list,
            pages: pages.clone(),
            theme_assets: rendered.assets,
            unit_assets: prepared.corpus.assets.clone(),
            files: files.clone(),
            diagnostics: copy_diagnostics,
        });
    }
    timings.render = started.elapsed();
    Ok(Live { prepared, standings, renderer, files, other: Default::default(), pages, timings })
}

/// Whether two unit lists have the same units in the same places as far as the renderer's unit
/// look-ups go: ids, parents and clusters.
fn same_units(old: &[Arc<Unit>], new: &[Arc<Unit>]) -> bool {
    fn value(s: &Option<crate::model::Spanned<String>>) -> Option<&str> {
        s.as_ref().map(|s| s.value.as_str())
    }
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            Arc::ptr_eq(a, b)
                || (a.id == b.id
                    && value(&a.parent) == value(&b.parent)
                    && value(&a.cluster) == value(&b.cluster))
        })
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
