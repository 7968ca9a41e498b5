//! Turns a corpus and its standings into output files; writes nothing.
//!
//! Every page of SPEC §9 is a template (`themes/default/templates/`) rendered with a view from
//! `views`; feeds, the sitemap, the search index and the data downloads are generated here
//! directly. Pages render in parallel; problems (a template error, a missing UI string) become
//! diagnostics naming the template and line, and then nothing is written.

pub mod charts;
pub mod data;
mod engine;
mod fast;
mod feeds;
pub mod i18n;
mod json;
pub mod locale;
pub mod markdown;
pub mod theme;
pub mod views;

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use self::engine::Engine;
use self::i18n::{Missing, Strings};
use self::views::{Ctx, Indices, Link};
use crate::diagnostics::Diagnostic;
use crate::model::Corpus;
use crate::scoring::Standings;
use crate::site::output::OutputFile;

/// What rendering needs beyond the corpus and standings.
#[derive(Debug, Clone)]
pub struct RenderOptions<'a> {
    /// The site root, for theme overrides on disk.
    pub root: &'a Path,
    pub drafts: bool,
}

/// The rendered site, or the problems that stopped it.
#[derive(Debug, Default)]
pub struct Rendered {
    pub files: Vec<OutputFile>,
    /// Paths of the pages given to the sink (`render_with`).
    pub pages: Vec<String>,
    /// Paths of the other generated files given to the sink (feeds, data).
    pub streamed: Vec<String>,
    /// The theme's static assets as (origin shown in messages, file); the site's own
    /// `static/` may replace them.
    pub assets: Vec<(String, OutputFile)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Values every template sees as `site`.
#[derive(Debug, Serialize)]
struct SiteView {
    title: String,
    motto: Option<String>,
    organizer: Option<String>,
    language: &'static str,
    base_url: Option<String>,
    /// The path part of `base_url` (`/thi-dua-2016/`), `/` without one.
    base_path: String,
    menu: Vec<Link>,
    pages: Vec<Link>,
    periods: Vec<Link>,
    clusters: Vec<Link>,
    current_period: Link,
    has_news: bool,
    has_agreements: bool,
    has_awards: bool,
    has_indicators: bool,
}

/// One page of the site; its view is built only when it is rendered, so that pages are built
/// and rendered in parallel and no page's view outlives its rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Units,
    NotFound,
    Criteria,
    Indicators,
    Awards,
    NewsList,
    Agreements,
    Clusters,
    Unit(usize),
    /// A period's scoreboard; `true` for the copy at `/scoreboard/` (the current period).
    Scoreboard(usize, bool),
    Report(usize, bool),
    /// Cluster, period, and whether this is the copy at `/clusters/<id>/`.
    Cluster(usize, usize, bool),
    /// Group, criterion index within the group, criterion index in the table.
    Criterion(usize, usize, usize),
    News(usize),
    Agreement(usize),
    Free(usize),
}

/// A page's rendering inputs.
struct Job {
    path: String,
    /// The page this one copies (the current period's `scoreboard/` is `scoreboard/<id>/`),
    /// for `<link rel="canonical">`.
    canonical_url: Option<String>,
    template: &'static str,
    kind: &'static str,
    title: String,
    /// The view converted for Tera under `page`; `None` when the page is reused.
    context: Option<tera::Context>,
    hash: u64,
    reuse: Option<Arc<[u8]>>,
    /// The page's big tables, written into the output where the view has their markers.
    tables: Vec<Table>,
    /// About how many bytes of HTML the natively written tables make.
    size_hint: usize,
}

/// What `fast` writes into the page's output in place of the marker its view carries, so that
/// Tera never copies it. A big table (ranking rows) is written a few hundred rows at a time,
/// from the scores themselves: its HTML is never held whole and its rows have no views (a
/// 10,000-unit scoreboard's rows are ~30 MB of HTML).
enum Table {
    /// The board rows of `units`, a ranking in period `p`.
    Board { p: usize, units: Vec<usize>, cols: fast::BoardColumns },
    /// The rows of criterion `ki`'s ranking in period `p` (`views::boards::criterion_order`).
    Criterion { p: usize, ki: usize, order: Vec<(usize, u32)>, cols: fast::CriterionColumns },
    /// A section `fast` wrote beforehand (a unit page's period, ~20 KB). Given to Tera in the
    /// view, it was copied four times on its way into the page (into the context, the context's
    /// copy, the `safe` filter, the output); spliced, it is copied once.
    Html(String),
}

/// Rows made and written at a time.
const TABLE_CHUNK: usize = 256;

impl Table {
    fn rows(&self) -> usize {
        match self {
            Table::Board { units, .. } => units.len(),
            Table::Criterion { order, .. } => order.len(),
            Table::Html(html) => usize::from(!html.is_empty()),
        }
    }

    /// About how many bytes `rows` of this table's rows make.
    fn size(&self, rows: usize, criteria: usize) -> usize {
        match self {
            Table::Board { cols, .. } => fast::board_rows_size(rows, criteria, *cols),
            Table::Criterion { .. } => fast::criterion_rows_size(rows),
            Table::Html(html) => html.len(),
        }
    }

    /// Writes the rows a chunk at a time through one buffer.
    fn write(&self, ctx: &Ctx<'_>, root: &str, out: &mut dyn std::io::Write) -> Result<(), TableError> {
        let criteria = ctx.corpus.criteria().count();
        // Sized for one chunk (it is emptied after each): growing it copied what was written.
        let buffer = || String::with_capacity(self.size(self.rows().min(TABLE_CHUNK), criteria));
        let text = || fast::TableText::new(ctx.strings, root);
        let flush = |html: &mut String, out: &mut dyn std::io::Write| {
            out.write_all(html.as_bytes()).map_err(TableError::Io)?;
            html.clear();
            Ok(())
        };
        match self {
            Table::Board { p, units, cols } => {
                let (mut html, mut text) = (buffer(), text());
                for chunk in units.chunks(TABLE_CHUNK) {
                    fast::board_rows(&mut html, ctx, *p, chunk, *cols, &mut text)
                        .map_err(TableError::Missing)?;
                    flush(&mut html, out)?;
                }
            }
            Table::Criterion { p, ki, order, cols } => {
                let (mut html, mut text) = (buffer(), text());
                for chunk in order.chunks(TABLE_CHUNK) {
                    fast::criterion_rows(&mut html, ctx, (*p, *ki), chunk, cols, &mut text)
                        .map_err(TableError::Missing)?;
                    flush(&mut html, out)?;
                }
            }
            Table::Html(html) => out.write_all(html.as_bytes()).map_err(TableError::Io)?,
        }
        Ok(())
    }
}

enum TableError {
    Missing(Missing),
    Io(std::io::Error),
}

/// The start of every table marker. The token is random per process, so no text from content
/// or theme strings can pose as a marker; a marker never reaches the output.
fn table_marker_prefix() -> &'static str {
    static PREFIX: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let token = std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
        format!("\u{1}podium-table-{token:016x}-")
    });
    &PREFIX
}

/// The marker of a page's `i`th table in its view.
fn table_marker(i: usize) -> String {
    format!("{}{i}\u{1}", table_marker_prefix())
}

/// A piece of a rendered frame: text to copy as it is, or the place of the page's table `i`.
#[derive(Debug, PartialEq)]
enum Piece<'f> {
    Text(&'f [u8]),
    Table(usize),
}

/// Cuts `frame` at the markers of tables `0..tables`, in one pass: a template may show the
/// tables in any order, show one twice or leave one out. What only looks like a marker (another
/// token, an index with no table, a marker cut short) stays text.
fn pieces(frame: &[u8], tables: usize) -> Vec<Piece<'_>> {
    let prefix = table_marker_prefix().as_bytes();
    let mut pieces = Vec::new();
    let (mut from, mut at) = (0, 0);
    while let Some(offset) = memchr::memchr(prefix[0], &frame[at..]) {
        let start = at + offset;
        let index = frame[start..].strip_prefix(prefix).and_then(|rest| {
            let len = memchr::memchr(prefix[0], rest)?;
            let i: usize = std::str::from_utf8(&rest[..len]).ok()?.parse().ok()?;
            (i < tables).then_some((i, prefix.len() + len + 1))
        });
        match index {
            Some((i, len)) => {
                if from < start {
                    pieces.push(Piece::Text(&frame[from..start]));
                }
                pieces.push(Piece::Table(i));
                from = start + len;
                at = from;
            }
            None => at = start + 1,
        }
    }
    if from < frame.len() {
        pieces.push(Piece::Text(&frame[from..]));
    }
    pieces
}

/// Writes `frame` to `out` with each table marker replaced by its table.
fn splice(
    frame: &[u8],
    tables: &[Table],
    ctx: &Ctx<'_>,
    root: &str,
    out: &mut dyn std::io::Write,
) -> Result<(), TableError> {
    for piece in pieces(frame, tables.len()) {
        match piece {
            Piece::Text(text) => out.write_all(text).map_err(TableError::Io)?,
            Piece::Table(i) => tables[i].write(ctx, root, out)?,
        }
    }
    Ok(())
}

/// Per-page values every template sees as `here`.
#[derive(Debug, Serialize)]
struct Here<'a> {
    /// Relative prefix from this page to the site root (`../../`), or the base path for 404.
    root: String,
    /// This page's url relative to the site root (`units/x/`).
    url: &'a str,
    /// Absolute URL when `base_url` is set, for `<link rel="canonical">`.
    canonical: Option<String>,
    kind: &'a str,
    title: &'a str,
    /// The header and footer rendered once for the pages like this one (`Engine::chrome`), with
    /// the built-in theme; `None` otherwise, and base.html includes them itself.
    header_html: Option<&'a str>,
    footer_html: Option<&'a str>,
}

pub fn render(corpus: &Corpus, standings: &Standings, options: &RenderOptions<'_>) -> Result<Rendered> {
    struct Collect(std::sync::Mutex<Vec<OutputFile>>);
    impl Sink for Collect {
        fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
            let file = OutputFile { path: path.to_string(), bytes: bytes.into() };
            self.0.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            Ok(())
        }
    }
    let collect = Collect(std::sync::Mutex::new(Vec::new()));
    let mut rendered = render_with(corpus, standings, options, &collect)?;
    rendered.files.extend(collect.0.into_inner().unwrap_or_else(|e| e.into_inner()));
    rendered.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(rendered)
}

/// Where `render_with` puts the files it makes (the build's staging folder).
pub trait Sink: Sync {
    /// Writes a whole file.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// Writes a file made of `parts`, one after the other.
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        match parts {
            [whole] => self.write(path, whole),
            _ => self.write(path, &parts.concat()),
        }
    }

    /// Writes a file that `fill` produces piece by piece, so it never has to be held whole.
    fn write_streamed(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.write(path, &bytes)
    }
}

/// Renders every page into `sink` as soon as it is made (so a build never holds all pages in
/// memory), and the feeds and data files beside them (streamed, never held whole:
/// campaign.json alone is ~150 MB at 10,000 units). The pages' paths come back in
/// `Rendered::pages`, the other files' in `Rendered::streamed`.
pub fn render_with(
    corpus: &Corpus,
    standings: &Standings,
    options: &RenderOptions<'_>,
    sink: &dyn Sink,
) -> Result<Rendered> {
    let (renderer, mut rendered) = Renderer::new(corpus, standings, options)?;
    let Some(renderer) = renderer else { return Ok(rendered) };
    let ctx = renderer.ctx(corpus, standings);
    // The feeds and data files are written one after the other (campaign.json is one long
    // stream), so they run beside the pages rather than before them.
    let others = || -> Result<Vec<String>> {
        let mut paths = Vec::new();
        for file in feeds::render(&ctx)? {
            sink.write(&file.path, &file.bytes)?;
            paths.push(file.path);
        }
        paths.extend(data::stream(corpus, standings, sink)?);
        Ok(paths)
    };
    let pages = || -> Vec<Result<String, Diagnostic>> {
        pages(&ctx)
            .par_iter()
            .map(|&page| {
                let mut job = job(&ctx, page, &Prior { previous: None, keep: false }, renderer.fast)
                    .map_err(|Missing(key)| missing_string(&renderer.strings, &key))?;
                let io = |e: anyhow::Error| Diagnostic::error("io", format!("{e:#}"));
                let frame = render_job(&renderer, corpus, &mut job)?;
                if let Some(parts) = frame.parts(&job) {
                    sink.write_parts(&job.path, &parts).map_err(io)?;
                } else if job.size_hint <= STREAM_OVER {
                    let bytes = frame.into_bytes(&job, &ctx)?;
                    sink.write(&job.path, &bytes).map_err(io)?;
                } else {
                    let mut failed = None;
                    let written = sink.write_streamed(&job.path, &mut |w| {
                        frame.write_to(&job, &ctx, w).map_err(|d| {
                            failed = Some(d);
                            anyhow::anyhow!("page not rendered")
                        })
                    });
                    if let Some(d) = failed {
                        return Err(d);
                    }
                    written.map_err(io)?;
                }
                Ok(job.path)
            })
            .collect()
    };
    let (others, results) = rayon::join(others, pages);
    rendered.streamed = others?;
    for r in results {
        match r {
            Ok(path) => rendered.pages.push(path),
            Err(d) => rendered.diagnostics.push(d),
        }
    }
    dedup_diagnostics(&mut rendered.diagnostics);
    Ok(rendered)
}

/// Everything needed to render pages of one corpus and its standings: the theme loaded into
/// Tera, the UI strings, the shared look-ups. `build` renders every page at once; `serve`
/// keeps it and renders a page when it is asked for.
#[derive(Clone)]
pub struct Renderer {
    /// Shared, so that `serve` makes it again only when what it is made from changed.
    engine: Arc<Engine>,
    strings: Arc<Strings>,
    idx: Arc<Indices>,
    drafts: bool,
    /// Whether the big tables are written by `fast` rather than by the templates' loops: only
    /// when every template is the built-in one, since an overridden template may change the
    /// rows or use the row lists itself.
    fast: bool,
    /// Hash of everything outside a page's view that shapes it (templates, strings, `site`):
    /// a cached page is valid only for the same frame and the same view hash.
    pub frame: u64,
    /// Hash of what `engine` was made from: the frame and where each template came from.
    engine_key: u64,
}

impl Renderer {
    /// Loads the theme and reads its static assets (into `Rendered::assets`). `None` when the
    /// theme itself has errors (they are in the diagnostics).
    pub fn new(
        corpus: &Corpus,
        standings: &Standings,
        options: &RenderOptions<'_>,
    ) -> Result<(Option<Renderer>, Rendered)> {
        Renderer::reusing(corpus, standings, options, None)
    }

    /// Like `new`, taking from `previous` (a renderer of an earlier build) what would be made
    /// the same: the template engine when the theme, the strings and the site frame are the
    /// same (making it is most of `new`), and the unit look-ups when `previous.1` says that the
    /// units (ids, parents, clusters) and the declared clusters are the same.
    pub fn reusing(
        corpus: &Corpus,
        standings: &Standings,
        options: &RenderOptions<'_>,
        previous: Option<(&Renderer, bool)>,
    ) -> Result<(Option<Renderer>, Rendered)> {
        let mut rendered = Rendered::default();
        let lang = corpus.campaign.language;
        let theme = theme::load(options.root, corpus.campaign.site.theme.as_deref(), lang.code())?;
        let strings = Arc::new(Strings::load(&theme.strings, &mut rendered.diagnostics));
        let idx = Arc::new(match previous {
            Some((previous, true)) => previous.idx.refreshed(corpus, standings),
            _ => Indices::new(corpus, standings),
        });
        let ctx = Ctx::with_indices(corpus, standings, &strings, options.drafts, idx.clone());
        let site = site_view(&ctx);
        let frame = hash_of(&(&site, strings.all(), &corpus.campaign.site.base_url, theme_hash(&theme)));
        let origins: Vec<(&String, &String)> = theme.templates.iter().map(|(k, f)| (k, &f.origin)).collect();
        let engine_key = hash_of(&(frame, &origins));
        let engine = match previous.filter(|(p, _)| p.engine_key == engine_key) {
            Some((previous, _)) => previous.engine.clone(),
            None => {
                let engine = Engine::new(
                    &theme,
                    strings.clone(),
                    ctx.fmt.lang,
                    &site,
                    nav_urls(&site),
                    &mut rendered.diagnostics,
                );
                let Some(engine) = engine else { return Ok((None, rendered)) };
                Arc::new(engine)
            }
        };
        if rendered.diagnostics.iter().any(Diagnostic::is_error) {
            return Ok((None, rendered));
        }
        let fast = theme.templates.values().all(|f| f.origin.starts_with(theme::BUILT_IN));
        for (path, file) in theme.statics {
            rendered.assets.push((file.origin, OutputFile { path, bytes: file.bytes.into() }));
        }
        let renderer = Renderer {
            engine,
            strings: strings.clone(),
            idx,
            drafts: options.drafts,
            fast,
            frame,
            engine_key,
        };
        Ok((Some(renderer), rendered))
    }

    /// The view context for `corpus` and `standings` (the ones this renderer was made for).
    pub fn ctx<'a>(&'a self, corpus: &'a Corpus, standings: &'a Standings) -> Ctx<'a> {
        Ctx::with_indices(corpus, standings, &self.strings, self.drafts, self.idx.clone())
    }

    /// The generated files that are not pages: feeds, the sitemap, the search index, the data.
    pub fn other_files(&self, ctx: &Ctx<'_>) -> Result<Vec<OutputFile>> {
        let mut files = feeds::render(ctx)?;
        files.extend(data::render(ctx.corpus, ctx.standings)?);
        Ok(files)
    }

    /// The paths `other_files` writes, without making them.
    pub fn other_paths() -> &'static [&'static str] {
        &[
            "sitemap.xml",
            "news/atom.xml",
            "search-index.json",
            "data/results.csv",
            "data/awards.csv",
            "data/indicators.csv",
            "data/campaign.json",
        ]
    }

    /// Every page's output path, with what it shows.
    pub fn page_paths(&self, ctx: &Ctx<'_>) -> Vec<(String, Page)> {
        pages(ctx).into_iter().map(|p| (page_path(ctx, p), p)).collect()
    }

    /// Renders one page, or reuses `prior.previous` (its view hash and bytes) when the view has
    /// not changed. Returns the file and its view hash (0 unless `prior.keep`).
    pub fn render_page(
        &self,
        ctx: &Ctx<'_>,
        page: Page,
        prior: &Prior,
    ) -> Result<(OutputFile, u64), Diagnostic> {
        let mut job =
            job(ctx, page, prior, self.fast).map_err(|Missing(key)| missing_string(&self.strings, &key))?;
        let bytes = match job.reuse.clone() {
            Some(bytes) => bytes,
            None => render_job(self, ctx.corpus, &mut job)?.into_bytes(&job, ctx)?.into(),
        };
        Ok((OutputFile { path: job.path, bytes }, job.hash))
    }
}

/// A hash of the theme's templates and assets, part of the frame every page depends on.
fn theme_hash(theme: &theme::Theme) -> u64 {
    let templates: Vec<(&String, &Vec<u8>)> = theme.templates.iter().map(|(k, f)| (k, &f.bytes)).collect();
    hash_of(&templates)
}

/// The same template error hits every page that uses the template: report it once.
fn dedup_diagnostics(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        seen.insert((d.code, d.message.clone(), d.location.clone().map(|l| (l.file, l.line, l.column))))
    });
}

fn missing_string(strings: &Strings, key: &str) -> Diagnostic {
    Diagnostic::error("missing-string", format!("missing UI string `{key}`"))
        .in_file(strings.origin().to_string())
        .with_help("add the key to the theme's i18n/<lang>.yaml (see docs/themes.md)")
}

/// Renders a job's page (one that is not reused): the template's output, in which the tables'
/// markers are still to be replaced (`Frame::write_to`, `Frame::into_bytes`).
fn render_job(renderer: &Renderer, corpus: &Corpus, job: &mut Job) -> Result<Frame, Diagnostic> {
    let engine = &renderer.engine;
    let url = job.path.strip_suffix("index.html").unwrap_or(&job.path);
    let base_url = corpus.campaign.site.base_url.as_deref();
    let mut here = Here {
        root: if job.path == "404.html" { base_path(base_url) } else { relative_root(&job.path) },
        url,
        canonical: base_url
            .map(|b| format!("{}/{}", b.trim_end_matches('/'), job.canonical_url.as_deref().unwrap_or(url))),
        kind: job.kind,
        title: &job.title,
        header_html: None,
        footer_html: None,
    };
    // Only the built-in partials are known to depend on the root and kind alone.
    let chrome = if renderer.fast { engine.chrome((&here.root, url, job.kind), &here)? } else { None };
    if let Some(chrome) = &chrome {
        here.header_html = Some(&chrome.header);
        here.footer_html = Some(&chrome.footer);
    }
    // Taken, not cloned: a unit page's context is ~100 KB of strings.
    let mut context = job.context.take().unwrap_or_default();
    context.insert("here", &here);
    // The frame only: natively written tables and sections are spliced in afterwards.
    let mut bytes = Vec::with_capacity(64 * 1024);
    engine.render_to(job.template, &context, &mut bytes)?;
    Ok(Frame { bytes, root: here.root })
}

/// A rendered template, and the root its links are relative to.
struct Frame {
    bytes: Vec<u8>,
    root: String,
}

impl Frame {
    /// Writes the page: the frame with its tables in place.
    fn write_to(&self, job: &Job, ctx: &Ctx<'_>, out: &mut dyn std::io::Write) -> Result<(), Diagnostic> {
        splice(&self.bytes, &job.tables, ctx, &self.root, out).map_err(|e| match e {
            TableError::Missing(Missing(key)) => missing_string(ctx.strings, &key),
            TableError::Io(e) => Diagnostic::error("io", format!("{}: {e}", job.path)),
        })
    }

    /// The page as the pieces it is made of, when all of them are already written (its tables
    /// are `Table::Html` sections, or it has none): a sink can write them as they are, without
    /// first copying them into one buffer.
    fn parts<'a>(&'a self, job: &'a Job) -> Option<Vec<&'a [u8]>> {
        // Asked first, so that a page with ranking tables is not cut into pieces twice (here and
        // again when its tables are written).
        if !job.tables.iter().all(|t| matches!(t, Table::Html(_))) {
            return None;
        }
        pieces(&self.bytes, job.tables.len())
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => Some(text),
                Piece::Table(i) => match &job.tables[i] {
                    Table::Html(html) => Some(html.as_bytes()),
                    _ => None,
                },
            })
            .collect()
    }

    /// The whole page in memory.
    fn into_bytes(self, job: &Job, ctx: &Ctx<'_>) -> Result<Vec<u8>, Diagnostic> {
        if job.tables.is_empty() {
            return Ok(self.bytes);
        }
        let mut page = Vec::with_capacity(self.bytes.len() + job.size_hint);
        self.write_to(job, ctx, &mut page)?;
        Ok(page)
    }
}

/// A page whose tables make more than this is streamed into its file rather than assembled.
const STREAM_OVER: usize = 1 << 20;

/// Escapes text for HTML and XML content and attribute values (`& < > " '`), and drops the
/// control characters XML 1.0 forbids, so the result is also a well-formed XML text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// `../` once per folder between the page and the site root; `./` at the root.
pub fn relative_root(path: &str) -> String {
    let depth = path.matches('/').count();
    if depth == 0 { "./".to_string() } else { "../".repeat(depth) }
}

/// The path of `base_url` (`https://x.org/a/b/` -> `/a/b/`), `/` without one.
pub fn base_path(base_url: Option<&str>) -> String {
    let Some(url) = base_url else { return "/".into() };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.ends_with('/') { path.to_string() } else { format!("{path}/") }
}

fn site_view(ctx: &Ctx<'_>) -> SiteView {
    let c = &ctx.corpus.campaign;
    let mut pages: Vec<&crate::model::Page> =
        ctx.corpus.pages.iter().filter(|p| ctx.drafts || !p.draft).collect();
    pages.sort_by(|a, b| {
        a.weight.unwrap_or(i64::MAX).cmp(&b.weight.unwrap_or(i64::MAX)).then_with(|| a.id.cmp(&b.id))
    });
    let current = ctx.current();
    SiteView {
        title: c.title.clone(),
        motto: c.motto.clone(),
        organizer: c.organizer.clone(),
        language: c.language.code(),
        base_url: c.site.base_url.clone(),
        base_path: base_path(c.site.base_url.as_deref()),
        menu: c
            .site
            .menu
            .iter()
            .filter_map(|m| Some(Link { title: m.title.clone(), url: menu_url(&m.url)? }))
            .collect(),
        pages: pages.iter().map(|p| Link { title: p.title.clone(), url: format!("{}/", p.id) }).collect(),
        periods: (0..c.periods.len()).map(|p| ctx.period_link(p, "scoreboard/")).collect(),
        clusters: (0..c.clusters.len()).map(|i| ctx.cluster_link(i)).collect(),
        current_period: ctx.period_link(current, "scoreboard/"),
        has_news: ctx.corpus.news.iter().any(|n| ctx.drafts || !n.draft),
        has_agreements: ctx.corpus.agreements.iter().any(|a| ctx.drafts || !a.draft),
        has_awards: !c.awards.is_empty(),
        has_indicators: !c.indicators.is_empty(),
    }
}

/// The urls partials/nav.html links to: the site's sections, the menu and the free pages.
fn nav_urls(site: &SiteView) -> std::collections::HashSet<String> {
    let sections = [
        "units/",
        "scoreboard/",
        "clusters/",
        "criteria/",
        "indicators/",
        "awards/",
        "news/",
        "agreements/",
        "report/",
    ];
    let own = site.menu.iter().chain(&site.pages).map(|l| l.url.clone());
    sections.iter().map(|s| s.to_string()).chain(own).collect()
}

/// Menu URLs in campaign.yaml are written from the site root (`/quy-che/`); inside the site
/// they become root-relative like every other link. http(s) and mailto URLs are kept; any other
/// scheme (`javascript:`) is dropped (validation has already reported it).
fn menu_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
        return Some(url.trim().to_string());
    }
    let scheme_like = lower.split('/').next().is_some_and(|first| first.contains(':'));
    (!scheme_like).then(|| url.trim().trim_start_matches('/').to_string())
}

/// A page's job. Its view is hashed; when the previous render had the same hash for the same
/// path (and the same frame), the page is not rendered again and its bytes are reused.
fn view<T: Serialize>(
    prior: &Prior,
    path: String,
    template: &'static str,
    kind: &'static str,
    title: String,
    view: &T,
) -> Job {
    view_with(prior, path, template, kind, title, view, &[])
}

/// `view` for a page that also shows `sections` (`Table::Html`): the page is reused only when
/// they too are unchanged.
fn view_with<T: Serialize>(
    prior: &Prior,
    path: String,
    template: &'static str,
    kind: &'static str,
    title: String,
    view: &T,
    sections: &[Table],
) -> Job {
    // Only `serve` keeps pages between renders; a one-shot build skips the hashing.
    let hash = if prior.keep {
        let html: Vec<&str> = sections
            .iter()
            .filter_map(|t| match t {
                Table::Html(html) => Some(html.as_str()),
                _ => None,
            })
            .collect();
        hash_of(&(view, html))
    } else {
        0
    };
    let reuse = prior.previous.as_ref().filter(|(h, _)| *h == hash).map(|(_, bytes)| bytes.clone());
    let context = if reuse.is_some() {
        None
    } else {
        let mut context = tera::Context::new();
        context.insert("page", view);
        Some(context)
    };
    Job {
        path,
        canonical_url: None,
        template,
        title,
        kind,
        context,
        hash,
        reuse,
        tables: Vec::new(),
        size_hint: 0,
    }
}

/// What a page's previous render left: its view hash and bytes, and whether the caller keeps
/// the new hash (only `serve` does).
pub struct Prior {
    pub previous: Option<(u64, Arc<[u8]>)>,
    pub keep: bool,
}

/// Hashes a value's serialisation without building it in memory.
fn hash_of<T: Serialize + ?Sized>(value: &T) -> u64 {
    struct HashWriter(std::collections::hash_map::DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            std::hash::Hasher::write(&mut self.0, buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(std::collections::hash_map::DefaultHasher::new());
    // Writing into a hasher cannot fail; a serialisation error only weakens reuse.
    let _ = serde_json::to_writer(&mut w, value);
    std::hash::Hasher::finish(&w.0)
}

/// Every page of the site (SPEC §9), in a stable order.
fn pages(ctx: &Ctx<'_>) -> Vec<Page> {
    let c = ctx.corpus;
    let camp = &c.campaign;
    let cur = ctx.current();
    let mut pages = vec![
        Page::Home,
        Page::Units,
        Page::NotFound,
        Page::Criteria,
        Page::Indicators,
        Page::Awards,
        Page::NewsList,
        Page::Agreements,
        Page::Clusters,
    ];
    pages.extend((0..c.units.len()).map(Page::Unit));
    for p in 0..camp.periods.len() {
        pages.push(Page::Scoreboard(p, false));
        pages.push(Page::Report(p, false));
        pages.extend((0..camp.clusters.len()).map(|cl| Page::Cluster(cl, p, false)));
        if p == cur {
            pages.push(Page::Scoreboard(p, true));
            pages.push(Page::Report(p, true));
            pages.extend((0..camp.clusters.len()).map(|cl| Page::Cluster(cl, p, true)));
        }
    }
    let mut ki = 0;
    for (g, group) in c.criteria.groups.iter().enumerate() {
        for k in 0..group.criteria.len() {
            pages.push(Page::Criterion(g, k, ki));
            ki += 1;
        }
    }
    pages.extend(
        c.news.iter().enumerate().filter(|(_, n)| ctx.drafts || !n.draft).map(|(i, _)| Page::News(i)),
    );
    pages.extend(
        c.agreements
            .iter()
            .enumerate()
            .filter(|(_, a)| ctx.drafts || !a.draft)
            .map(|(i, _)| Page::Agreement(i)),
    );
    pages.extend(
        c.pages.iter().enumerate().filter(|(_, p)| ctx.drafts || !p.draft).map(|(i, _)| Page::Free(i)),
    );
    pages
}

/// A page's output path.
fn page_path(ctx: &Ctx<'_>, page: Page) -> String {
    let c = ctx.corpus;
    let camp = &c.campaign;
    let per_period = |current: bool, base: String, period: usize| {
        if current {
            format!("{base}index.html")
        } else {
            format!("{base}{}/index.html", camp.periods[period].id)
        }
    };
    match page {
        Page::Home => "index.html".into(),
        Page::Units => "units/index.html".into(),
        Page::NotFound => "404.html".into(),
        Page::Criteria => "criteria/index.html".into(),
        Page::Indicators => "indicators/index.html".into(),
        Page::Awards => "awards/index.html".into(),
        Page::NewsList => "news/index.html".into(),
        Page::Agreements => "agreements/index.html".into(),
        Page::Clusters => "clusters/index.html".into(),
        Page::Unit(u) => format!("units/{}/index.html", c.units[u].id),
        Page::Scoreboard(p, current) => per_period(current, "scoreboard/".into(), p),
        Page::Report(p, current) => per_period(current, "report/".into(), p),
        Page::Cluster(cl, p, current) => {
            per_period(current, format!("clusters/{}/", camp.clusters[cl].id), p)
        }
        Page::Criterion(g, k, _) => format!("criteria/{}/index.html", c.criteria.groups[g].criteria[k].id),
        Page::News(i) => format!("news/{}/index.html", c.news[i].id),
        Page::Agreement(i) => format!("agreements/{}/index.html", c.agreements[i].id),
        Page::Free(i) => format!("{}/index.html", c.pages[i].id),
    }
}

/// Builds one page's view (or finds it unchanged since `previous`).
fn job(ctx: &Ctx<'_>, page: Page, prior: &Prior, fast: bool) -> Result<Job, Missing> {
    let c = ctx.corpus;
    let camp = &c.campaign;
    let path = page_path(ctx, page);
    // A page with ranking tables is made anew each time it is asked for: its view holds only the
    // tables' markers, so the view's hash cannot tell whether the rows changed, and the rows'
    // views, which could, are most of the work of writing them. (A unit page's sections are
    // written beforehand, and `view_with` hashes them.)
    let with_tables = fast
        && matches!(page, Page::Scoreboard(..) | Page::Report(..) | Page::Cluster(..) | Page::Criterion(..));
    let anew = Prior { previous: None, keep: false };
    let p = if with_tables { &anew } else { prior };
    let root = relative_root(&path);
    let cols = |in_cluster, show_criteria, show_cluster| fast::BoardColumns {
        in_cluster,
        show_criteria,
        show_cluster,
    };
    let mut tables = Vec::new();
    // No marker for a table without rows: templates test the HTML to show "no one yet".
    let mut table = |t: Table| {
        if t.rows() == 0 {
            return None;
        }
        tables.push(t);
        Some(table_marker(tables.len() - 1))
    };
    let mut job = match page {
        Page::Home => view(p, path, "home.html", "home", camp.title.clone(), &views::misc::home(ctx)?),
        Page::Units => view(p, path, "units.html", "units", ctx.t("nav.units")?, &views::misc::units(ctx)),
        Page::NotFound => view(p, path, "404.html", "404", ctx.t("notfound.title")?, &serde_json::json!({})),
        Page::Criteria => {
            view(p, path, "criteria.html", "criteria", ctx.t("nav.criteria")?, &criteria_page(ctx)?)
        }
        Page::Indicators => view(
            p,
            path,
            "indicators.html",
            "indicators",
            ctx.t("nav.indicators")?,
            &views::misc::indicators(ctx)?,
        ),
        Page::Awards => {
            view(p, path, "awards.html", "awards", ctx.t("nav.awards")?, &views::misc::awards(ctx)?)
        }
        Page::NewsList => {
            let v = views::misc::NewsListPage { news: views::misc::news_list(ctx) };
            view(p, path, "news_list.html", "news_list", ctx.t("nav.news")?, &v)
        }
        Page::Agreements => view(
            p,
            path,
            "agreements.html",
            "agreements",
            ctx.t("nav.agreements")?,
            &views::misc::agreements(ctx),
        ),
        Page::Clusters => {
            view(p, path, "clusters.html", "clusters", ctx.t("nav.clusters")?, &views::boards::clusters(ctx))
        }
        Page::Unit(u) => {
            let mut v = views::unit::build(ctx, u, !fast)?;
            if fast {
                let texts = ctx
                    .unit_texts
                    .get_or_init(|| fast::UnitTexts::new(ctx))
                    .as_ref()
                    .map_err(Clone::clone)?;
                let mut phrases = fast::Phrases::new(ctx.strings);
                for (period, p) in v.periods.iter_mut().zip(0..) {
                    let html = fast::unit_period(ctx, (u, p), period, &v.unit, texts, &mut phrases, &root)?;
                    period.html = table(Table::Html(html));
                }
            }
            view_with(p, path, "unit.html", "unit", c.units[u].name.clone(), &v, &tables)
        }
        Page::Scoreboard(period, _) => {
            let title = ctx.strings.format("scoreboard.title", &[("period", &camp.periods[period].title)])?;
            let mut v = views::boards::scoreboard(ctx, period, !fast)?;
            if fast {
                let units = ctx.period(period).ranking.clone();
                v.rows_html = table(Table::Board { p: period, units, cols: cols(false, true, true) });
            }
            view(p, path, "scoreboard.html", "scoreboard", title, &v)
        }
        Page::Report(period, _) => {
            let title = ctx.strings.format("report.title", &[("period", &camp.periods[period].title)])?;
            let mut v = views::boards::report(ctx, period, !fast)?;
            if fast {
                let ps = ctx.period(period);
                let units = ps.ranking.clone();
                v.overall_html = table(Table::Board { p: period, units, cols: cols(false, true, false) });
                for (rc, ranking) in v.clusters.iter_mut().zip(&ps.clusters) {
                    let units = ranking.ranking.clone();
                    rc.rows_html = table(Table::Board { p: period, units, cols: cols(true, false, true) });
                }
            }
            view(p, path, "report.html", "report", title, &v)
        }
        Page::Cluster(cl, period, _) => {
            let title = format!("{} · {}", camp.clusters[cl].title, camp.periods[period].title);
            let mut v = views::boards::cluster(ctx, cl, period, !fast)?;
            if fast {
                let units = views::boards::cluster_ranking(ctx, cl, period).to_vec();
                v.rows_html = table(Table::Board { p: period, units, cols: cols(true, true, true) });
            }
            view(p, path, "cluster.html", "cluster", title, &v)
        }
        Page::Criterion(g, k, ki) => {
            let group = &c.criteria.groups[g];
            let criterion = &group.criteria[k];
            let mut v = views::boards::criterion(ctx, group, criterion, ki, !fast)?;
            if fast {
                let columns = fast::CriterionColumns::of(&v.criterion);
                for (p, cp) in v.periods.iter_mut().enumerate() {
                    let order = views::boards::criterion_order(ctx, p, ki);
                    cp.rows_html = table(Table::Criterion { p, ki, order, cols: columns.clone() });
                }
            }
            view(p, path, "criterion.html", "criterion", format!("{} {}", criterion.id, criterion.title), &v)
        }
        Page::News(i) => {
            let n = &c.news[i];
            view(p, path, "news.html", "news", n.title.clone(), &views::misc::news_page(ctx, n))
        }
        Page::Agreement(i) => {
            let a = &c.agreements[i];
            view(
                p,
                path,
                "agreement.html",
                "agreement",
                a.title.clone(),
                &views::misc::agreement_page(ctx, a),
            )
        }
        Page::Free(i) => {
            let page = &c.pages[i];
            view(p, path, "page.html", "page", page.title.clone(), &views::misc::free_page(ctx, page))
        }
    };
    let criteria = c.criteria().count();
    job.size_hint = tables.iter().map(|t| t.size(t.rows(), criteria)).sum::<usize>();
    job.tables = tables;
    job.canonical_url = match page {
        Page::Scoreboard(p, true) => Some(format!("scoreboard/{}/", camp.periods[p].id)),
        Page::Report(p, true) => Some(format!("report/{}/", camp.periods[p].id)),
        Page::Cluster(cl, p, true) => {
            Some(format!("clusters/{}/{}/", camp.clusters[cl].id, camp.periods[p].id))
        }
        _ => None,
    };
    Ok(job)
}

#[derive(Debug, Serialize)]
struct CriteriaPage {
    groups: Vec<GroupView>,
    total_max: String,
    bonus: Option<ItemTableView>,
    penalties: Option<ItemTableView>,
}

#[derive(Debug, Serialize)]
struct GroupView {
    id: String,
    title: String,
    max: String,
    description_html: Option<String>,
    criteria: Vec<views::boards::CriterionInfo>,
}

#[derive(Debug, Serialize)]
struct ItemTableView {
    max: Option<String>,
    items: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
struct ItemView {
    id: String,
    title: String,
    points: String,
    max: Option<String>,
    description_html: Option<String>,
}

fn criteria_page(ctx: &Ctx<'_>) -> Result<CriteriaPage, Missing> {
    let c = ctx.corpus;
    let f = &ctx.fmt;
    let groups = c
        .criteria
        .groups
        .iter()
        .map(|g| {
            Ok(GroupView {
                id: g.id.clone(),
                title: g.title.clone(),
                max: f.as_written(g.criteria.iter().map(|k| k.max).sum()),
                description_html: ctx.markdown_opt(g.description.as_deref()),
                criteria: g
                    .criteria
                    .iter()
                    .map(|k| views::boards::criterion_info(ctx, g, k))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, Missing>>()?;
    let table = |t: &Option<crate::model::ItemTable>| {
        t.as_ref().map(|t| ItemTableView {
            max: t.max.map(|m| f.as_written(m)),
            items: t
                .items
                .iter()
                .map(|i| ItemView {
                    id: i.id.clone(),
                    title: i.title.clone().unwrap_or_else(|| i.id.clone()),
                    points: f.as_written(i.points),
                    max: i.max.map(|m| f.as_written(m)),
                    description_html: ctx.markdown_opt(i.description.as_deref()),
                })
                .collect(),
        })
    };
    Ok(CriteriaPage {
        groups,
        total_max: f.as_written(c.criteria().map(|k| k.max).sum()),
        bonus: table(&c.criteria.bonus),
        penalties: table(&c.criteria.penalties),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_replace_their_markers_in_any_order_and_nothing_else() {
        let corpus = crate::scoring::testkit::Kit::new(&["q1"])
            .assessed("A1", "10")
            .unit("a", "Alpha")
            .report("a", "q1", &[("A1", "5")])
            .unit("b", "Beta")
            .report("b", "q1", &[("A1", "7")])
            .build();
        let standings = crate::scoring::score(&corpus);
        let strings = Strings::default();
        let ctx = Ctx::new(&corpus, &standings, &strings, false);
        let of = |unit| Table::Criterion {
            p: 0,
            ki: 0,
            order: vec![(unit, 1)],
            cols: fast::CriterionColumns::plain("10"),
        };
        let tables = [of(0), of(1)];
        let written = |t: &Table| {
            let mut out = Vec::new();
            assert!(t.write(&ctx, "../", &mut out).is_ok());
            String::from_utf8(out).unwrap()
        };
        let (a, b) = (written(&tables[0]), written(&tables[1]));
        assert!(a.contains("units/a/") && b.contains("units/b/"), "{a}\n{b}");
        let prefix = table_marker_prefix();
        // Markers out of order, one shown twice, a made-up token, an index with no table, a
        // marker cut short: only the real ones are replaced.
        let frame = format!(
            "<p>{m1}</p>{m0}|{m1}|\u{1}podium-table-0000000000000000-0\u{1}|{prefix}7\u{1}|{prefix}0",
            m0 = table_marker(0),
            m1 = table_marker(1),
        );
        let mut out = Vec::new();
        assert!(splice(frame.as_bytes(), &tables, &ctx, "../", &mut out).is_ok());
        let expected =
            format!("<p>{b}</p>{a}|{b}|\u{1}podium-table-0000000000000000-0\u{1}|{prefix}7\u{1}|{prefix}0");
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn relative_roots_climb_one_level_per_folder() {
        assert_eq!(relative_root("index.html"), "./");
        assert_eq!(relative_root("units/index.html"), "../");
        assert_eq!(relative_root("units/x/index.html"), "../../");
        assert_eq!(relative_root("clusters/a/h1/index.html"), "../../../");
    }

    #[test]
    fn base_paths_come_from_base_url() {
        assert_eq!(base_path(None), "/");
        assert_eq!(base_path(Some("https://example.org")), "/");
        assert_eq!(base_path(Some("https://example.org/thi-dua/2016")), "/thi-dua/2016/");
        assert_eq!(base_path(Some("https://example.org/thi-dua-2016/")), "/thi-dua-2016/");
    }
}
