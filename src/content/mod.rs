//! The only code that reads content files: it finds them under `<root>/content/`, reads them
//! within limits, parses front matter, YAML and CSV, and assembles the `Corpus`.
//!
//! Problems in the content become diagnostics and loading carries on, so one run reports them
//! all. Limits (SPEC §10): a file over `MAX_FILE_BYTES` is refused unread; a symlink whose
//! target lies outside the root is refused and its target never read; invalid UTF-8 is an error
//! naming the place. Files are read and parsed in parallel (rayon); the result does not depend
//! on the order work finishes in.

pub mod campaign;
pub mod criteria;
pub mod decode;
pub mod documents;
pub mod frontmatter;
pub mod results;
pub mod yaml;

use std::collections::{BTreeMap, HashSet};

// Maps keyed by paths and unit ids, looked up for every file and unit on each `serve` rebuild:
// a fast hash matters there, and keys come from the site's own files.
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;

use self::decode::{Ctx, Help};
use self::documents::DocFile;
use self::results::{CellValue, Column};
use self::yaml::Origin;
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::{Corpus, FileId, IdMap, Method, Pos, SourceFile, Spanned, Unit};

pub use self::documents::RESERVED_METRICS;

/// Largest content file read (SPEC §10).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a file under `content/` is, by its place.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Campaign,
    Criteria,
    Home,
    Unit {
        id: String,
        folder: Option<String>,
    },
    Results {
        period: String,
    },
    News(String),
    Agreement(String),
    Page(String),
    /// Any other file in a unit's folder: evidence, photos.
    Asset,
}

/// A content file found on disk.
#[derive(Debug)]
struct Found {
    rel: String,
    abs: PathBuf,
    kind: Kind,
    /// Reached through a symlink: a watcher reports edits under the link's target, not here.
    linked: bool,
}

/// The result of loading: the corpus (possibly partial) and every problem found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub corpus: Corpus,
    pub diagnostics: Vec<Diagnostic>,
    pub trust: Trust,
}

/// Which parts of the corpus loaded completely. Validation does not report references into a
/// part that failed to load: they would only repeat the loader's error as noise.
#[derive(Debug, Default, Clone)]
pub struct Trust {
    /// campaign.yaml is missing or had errors (periods, clusters, tiers, awards may be missing).
    pub campaign_failed: bool,
    /// criteria.yaml is missing or had errors (criteria and items may be missing).
    pub criteria_failed: bool,
    /// Ids of unit files that could not be read as units, sorted.
    pub failed_units: Vec<String>,
    /// Ids of units whose file had errors (some of their values may be missing), sorted.
    pub units_with_errors: Vec<String>,
}

/// Loads `<root>/content/`. An `Err` is an operational failure (no such folder, unreadable
/// directory); content problems are in `Loaded::diagnostics`.
pub fn load(root: &Path) -> Result<Loaded> {
    load_cached(root, &mut LoadCache::default())
}

/// What `serve` keeps between loads so that an edit re-reads and re-parses only the files that
/// changed (by size and modification time), and re-merges only the units whose front matter or
/// results rows changed.
#[derive(Default)]
pub struct LoadCache {
    /// Off for one-shot loads (`build`, `check`), which would only pay for filling it.
    keep: bool,
    files: FxHashMap<String, Cached>,
    /// Hash of criteria.yaml's text when the cached results files were read (their columns
    /// depend on it).
    criteria: u64,
    /// The last walk, when no file in it was reached through a symlink (a watcher reports an
    /// edit behind a symlink under the target's path, so its paths could not be trusted).
    walked: Option<Walked>,
    /// Each unit's merge of its front matter with its results rows, by unit id.
    merged: FxHashMap<String, Merged>,
    /// The unit ids the rows of `unknown_rows` were checked against, in corpus order.
    unit_ids: Vec<String>,
    /// Per results file: the diagnostics of its rows that name no unit.
    unknown_rows: FxHashMap<String, (Arc<ResultsTable>, Vec<Diagnostic>)>,
}

/// The files a walk found (sorted by path, classified) and the problems it reported.
struct Walked {
    found: Arc<Vec<Found>>,
    diagnostics: Vec<Diagnostic>,
}

/// A unit as merged from its front matter and its rows in the results files.
struct Merged {
    front: Arc<Unit>,
    /// The results files it was merged with, in order.
    tables: Vec<Arc<ResultsTable>>,
    unit: Arc<Unit>,
    diagnostics: Vec<Diagnostic>,
}

impl Merged {
    /// Whether merging `front` with `tables` would give the same unit: the same front matter,
    /// and in each results file the same period, columns and rows for this unit.
    fn still_holds(&self, front: &Arc<Unit>, tables: &[Arc<ResultsTable>]) -> bool {
        Arc::ptr_eq(&self.front, front)
            && self.tables.len() == tables.len()
            && self.tables.iter().zip(tables).all(|(old, new)| {
                Arc::ptr_eq(old, new)
                    || (old.period == new.period
                        && old.table.columns == new.table.columns
                        && same_rows(&old.rows(&front.id), &new.rows(&front.id)))
            })
    }
}

fn same_rows(a: &[&results::Row], b: &[&results::Row]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.unit == b.unit
                && a.cells.len() == b.cells.len()
                && a.cells
                    .iter()
                    .zip(&b.cells)
                    .all(|(x, y)| x.column == y.column && x.value == y.value && x.pos == y.pos)
        })
}

/// A results file as read, with its rows grouped by the unit they name.
struct ResultsTable {
    period: Spanned<String>,
    table: results::Table,
    /// Row indices by unit id, in file order.
    rows_of: FxHashMap<String, Vec<usize>>,
}

impl ResultsTable {
    fn new(period: Spanned<String>, table: results::Table) -> ResultsTable {
        let mut rows_of: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, row) in table.rows.iter().enumerate() {
            rows_of.entry(row.unit.value.clone()).or_default().push(i);
        }
        ResultsTable { period, table, rows_of }
    }

    fn rows(&self, unit: &str) -> Vec<&results::Row> {
        self.rows_of
            .get(unit)
            .map_or_else(Vec::new, |rows| rows.iter().map(|&i| &self.table.rows[i]).collect())
    }
}

impl LoadCache {
    /// A cache that keeps what each load read.
    pub fn new() -> LoadCache {
        LoadCache { keep: true, ..LoadCache::default() }
    }
}

/// A file's parse and the problems it reported; shared between the cache and the load that
/// made it, never copied.
type ParsedFile = Arc<(Parsed, Vec<Diagnostic>)>;

struct Cached {
    stamp: Stamp,
    id: FileId,
    text: Arc<str>,
    problem: Option<Diagnostic>,
    parsed: Option<ParsedFile>,
}

/// A file's size and modification time: when both are unchanged, so is the file.
type Stamp = Option<(u64, std::time::SystemTime)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Like `load`, reusing what `cache` holds for files that did not change since the last load.
pub fn load_cached(root: &Path, cache: &mut LoadCache) -> Result<Loaded> {
    load_changed(root, cache, None)
}

/// Like `load_cached`, told which paths changed since the last load (root-relative, with `/`,
/// as a file watcher reports them): when they are all files edited in place, the tree is not
/// walked again and only those files are looked at. A path that adds or removes a file, names
/// a folder, or lies behind a symlink, and `changed: None`, make it walk and check every file.
pub fn load_changed(root: &Path, cache: &mut LoadCache, changed: Option<&[String]>) -> Result<Loaded> {
    let content = root.join("content");
    if !content.is_dir() {
        bail!("no content/ folder in {} (is --root right?)", root.display());
    }
    let edited = changed.and_then(|paths| edited_in_place(root, cache, paths));
    let (found, mut diagnostics) = match (&edited, &cache.walked) {
        (Some(_), Some(walked)) => (walked.found.clone(), walked.diagnostics.clone()),
        _ => {
            let canonical_root =
                root.canonicalize().with_context(|| format!("resolving {}", root.display()))?;
            let mut diagnostics = Vec::new();
            let mut found = Vec::new();
            walk(&canonical_root, &content, "content", &mut found, &mut diagnostics, &mut HashSet::new())?;
            found.sort_by(|a, b| a.rel.cmp(&b.rel));
            let found: Arc<Vec<Found>> =
                Arc::new(found.into_iter().filter_map(|f| classify(f, &mut diagnostics)).collect());
            let linked = found.iter().any(|f| f.linked);
            cache.walked = (cache.keep && !linked)
                .then(|| Walked { found: found.clone(), diagnostics: diagnostics.clone() });
            (found, diagnostics)
        }
    };
    let mut loaded = assemble(&found, &mut diagnostics, cache, edited.as_ref());
    loaded.diagnostics.append(&mut diagnostics);
    let failed: HashSet<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    let trust = Trust {
        campaign_failed: failed.contains("content/campaign.yaml"),
        criteria_failed: failed.contains("content/criteria.yaml"),
        units_with_errors: loaded
            .corpus
            .units
            .iter()
            .filter(|u| failed.contains(loaded.corpus.file(u.file).path.as_str()))
            .map(|u| u.id.clone())
            .collect(),
        failed_units: std::mem::take(&mut loaded.trust.failed_units),
    };
    loaded.trust = trust;
    Ok(loaded)
}

/// The changed paths that are content files, when every one of them is a file of the last walk
/// edited in place (or a file that came and went unseen, like an editor's temporary file).
/// `None` when the tree must be walked again.
fn edited_in_place(root: &Path, cache: &LoadCache, paths: &[String]) -> Option<FxHashSet<String>> {
    let walked = cache.walked.as_ref()?;
    let found = &walked.found;
    let mut edited = FxHashSet::default();
    for rel in paths {
        if !rel.starts_with("content/") {
            continue;
        }
        let known = found.binary_search_by(|f| f.rel.as_str().cmp(rel)).is_ok();
        let inside = format!("{rel}/");
        let first_inside = found.partition_point(|f| f.rel.as_str() < inside.as_str());
        let holds_known = found.get(first_inside).is_some_and(|f| f.rel.starts_with(&inside));
        match std::fs::symlink_metadata(root.join(rel)) {
            Ok(meta) if meta.is_file() && known => {
                edited.insert(rel.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !known && !holds_known => {}
            _ => return None,
        }
    }
    Some(edited)
}

/// Collects files under `dir`, following symlinks that stay inside the root.
fn walk(
    root: &Path,
    dir: &Path,
    rel_dir: &str,
    out: &mut Vec<Found>,
    diags: &mut Vec<Diagnostic>,
    visited: &mut HashSet<PathBuf>,
) -> Result<()> {
    if let Ok(canonical) = dir.canonicalize()
        && !visited.insert(canonical)
    {
        return Ok(()); // a symlink loop: this folder is already being walked
    }
    walk_folder(&mut Walk { root, base: dir, rel_dir, out, diags, visited }, dir)
}

/// What one `walk` carries down its folders.
struct Walk<'w> {
    root: &'w Path,
    /// The folder `walk` started from; paths are named relative to it.
    base: &'w Path,
    rel_dir: &'w str,
    out: &'w mut Vec<Found>,
    diags: &'w mut Vec<Diagnostic>,
    visited: &'w mut HashSet<PathBuf>,
}

/// One folder of a walk, depth first, entries in file-name order. Each name is read once:
/// sorting walkdir's entries by name parsed it out of the path at every comparison, which
/// was most of the (serial) walk.
fn walk_folder(w: &mut Walk<'_>, folder: &Path) -> Result<()> {
    let base = w.base;
    let context = || format!("reading {}", base.display());
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(folder).with_context(context)? {
        let entry = entry.with_context(context)?;
        entries.push((entry.file_name(), entry));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, entry) in entries {
        let path = entry.path();
        let file_type = entry.file_type().with_context(context)?;
        if file_type.is_dir() {
            w.check_name(&path);
            walk_folder(w, &path)?;
            continue;
        }
        let Some(rel) = w.check_name(&path) else { continue };
        if file_type.is_symlink() {
            let Ok(target) = path.canonicalize() else {
                w.diags
                    .push(Diagnostic::error("broken-symlink", "this symlink points to nothing").in_file(rel));
                continue;
            };
            if !target.starts_with(w.root) {
                w.diags.push(
                    Diagnostic::error(
                        "symlink-outside-root",
                        "this symlink leads outside the site root; it was not read",
                    )
                    .in_file(rel)
                    .with_help("copy the file into the site instead of linking to it"),
                );
                continue;
            }
            if target.is_dir() {
                walk(w.root, &path, &rel, w.out, w.diags, w.visited)?;
                continue;
            }
        }
        if is_hidden(&rel) {
            continue;
        }
        // Files reached through a symlink are never taken as edited in place (serve walks again).
        let linked = file_type.is_symlink() || w.rel_dir != "content";
        w.out.push(Found { rel, abs: path, kind: Kind::Asset, linked });
    }
    Ok(())
}

impl Walk<'_> {
    /// The root-relative name of `path`, or `None` (reported) when it is not UTF-8.
    fn check_name(&mut self, path: &Path) -> Option<String> {
        let sub = path.strip_prefix(self.base).ok()?;
        let Some(sub) = sub.to_str() else {
            let shown = sub.to_string_lossy().into_owned();
            self.diags.push(
                Diagnostic::error("invalid-file-name", format!("the file name `{shown}` is not valid UTF-8"))
                    .in_file(format!("{}/{shown}", self.rel_dir)),
            );
            return None;
        };
        Some(format!("{}/{}", self.rel_dir, sub.replace('\\', "/")))
    }
}

/// Dot files and editor droppings (`.x.md.swp`, `x.md~`) are never content.
fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with('.')) || rel.ends_with('~')
}

/// Decides what a file is by its place; reports ids that are not slugs.
fn classify(mut f: Found, diags: &mut Vec<Diagnostic>) -> Option<Found> {
    let parts: Vec<&str> = f.rel.split('/').skip(1).collect();
    let stem = |name: &str, ext: &str| name.strip_suffix(ext).map(str::to_string);
    let kind = match parts.as_slice() {
        ["campaign.yaml"] => Kind::Campaign,
        ["criteria.yaml"] => Kind::Criteria,
        ["index.md"] => Kind::Home,
        ["units", name] if name.ends_with(".md") => Kind::Unit { id: stem(name, ".md")?, folder: None },
        ["units", dir, "index.md"] => {
            Kind::Unit { id: dir.to_string(), folder: Some(format!("content/units/{dir}")) }
        }
        ["units", _, ..] => Kind::Asset,
        ["results", name] if name.ends_with(".csv") => Kind::Results { period: stem(name, ".csv")? },
        ["news", name] if name.ends_with(".md") => Kind::News(stem(name, ".md")?),
        ["agreements", name] if name.ends_with(".md") => Kind::Agreement(stem(name, ".md")?),
        ["pages", name] if name.ends_with(".md") => Kind::Page(stem(name, ".md")?),
        [name] if matches!(*name, "campaign.yml" | "criteria.yml") => {
            let right = name.replace(".yml", ".yaml");
            diags.push(
                Diagnostic::error("misplaced-file", format!("podium reads `content/{right}`, not `{name}`"))
                    .in_file(&f.rel)
                    .with_help(format!("rename it to {right}")),
            );
            return None;
        }
        _ => {
            if [".md", ".yaml", ".yml", ".csv"].iter().any(|e| f.rel.ends_with(e))
                && !f.rel.ends_with("README.md")
            {
                diags.push(
                    Diagnostic::warning("unused-file", "this file is not in a place podium reads; it is ignored")
                        .in_file(&f.rel)
                        .with_help("units go in content/units/, results in content/results/<period>.csv, news in content/news/, agreements in content/agreements/, pages in content/pages/"),
                );
            }
            return None;
        }
    };
    let slug_id = match &kind {
        Kind::Unit { id, .. } | Kind::News(id) | Kind::Agreement(id) | Kind::Page(id) => Some(id.as_str()),
        _ => None,
    };
    if let Some(id) = slug_id
        && !decode::is_slug(id)
    {
        let fixed = slugify(id);
        diags.push(
            Diagnostic::error(
                "invalid-file-id",
                format!("`{id}` is not a valid id: ids are lowercase ascii letters and digits joined by `-`"),
            )
            .in_file(&f.rel)
            .with_help(format!(
                "rename it to `{}`",
                f.rel.replacen(id, &fixed, 1).rsplit('/').next().unwrap_or(&fixed)
            )),
        );
        return None;
    }
    f.kind = kind;
    Some(f)
}

/// The transliterated slug of a name: `Cục Hải quan Hà Nội` -> `cuc-hai-quan-ha-noi`.
pub fn slugify(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "unit".to_string() } else { out }
}

/// A file's text, or the problem that stopped it being read.
fn read_text(f: &Found) -> Result<Arc<str>, Diagnostic> {
    use std::io::Read;
    let io =
        |e: std::io::Error| Diagnostic::error("io", format!("cannot read this file: {e}")).in_file(&f.rel);
    let too_large = |size: String| {
        Diagnostic::error(
            "file-too-large",
            format!("this file has {size} bytes; content files are limited to 16 MiB"),
        )
        .in_file(&f.rel)
        .with_help("split it, or keep large evidence as a file beside a folder unit's index.md")
    };
    // One open, and the size from the open file: a stat by path and then `fs::read` (which
    // opens and stats again) cost two path look-ups per file, 10,000 of them at 10k units.
    let file = std::fs::File::open(&f.abs).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(too_large(size.to_string()));
    }
    // One byte more than the size lets the read see the end without growing the buffer; the
    // limit still holds for a file that grows while it is read.
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    // simdutf8 checks Vietnamese text (mostly multi-byte) several times faster than the
    // standard library, which was 6% of `check`; the text is copied into the shared `Arc<str>`
    // once either way. The standard library still finds the place of a bad byte.
    match simdutf8::basic::from_utf8(&bytes) {
        Ok(text) => Ok(Arc::from(text.strip_prefix('\u{feff}').unwrap_or(text))),
        Err(_) => Err(invalid_utf8(f, &bytes)),
    }
}

/// Where a file stops being UTF-8.
fn invalid_utf8(f: &Found, bytes: &[u8]) -> Diagnostic {
    let good = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let before = String::from_utf8_lossy(&bytes[..good]);
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Diagnostic::error("invalid-utf8", "this file is not valid UTF-8")
        .at_place(&f.rel, line, col, 1)
        .with_help("save the file as UTF-8 (spreadsheet programs: \"CSV UTF-8\")")
}

/// Everything parsed from one file.
enum Parsed {
    Nothing,
    Home(crate::model::Home),
    /// The unit as its front matter gives it, before results files are merged in.
    Unit(Arc<Unit>),
    News(crate::model::News),
    Agreement(crate::model::Agreement),
    Page(crate::model::Page),
    Results(Arc<ResultsTable>),
}

/// Reads, parses and assembles the files of `found`. With `edited`, only the files it names
/// can have changed since the cached load; without, every file is checked.
fn assemble(
    found: &[Found],
    diags: &mut Vec<Diagnostic>,
    cache: &mut LoadCache,
    edited: Option<&FxHashSet<String>>,
) -> Loaded {
    // Read every file in parallel (unless unchanged since the cached load); a file that cannot be
    // read keeps its id with empty text.
    let reads: Vec<(Stamp, Arc<str>, Option<Diagnostic>, bool)> = found
        .par_iter()
        .map(|f| {
            let cached = cache.files.get(&f.rel).filter(|c| c.stamp.is_some());
            if let (Some(edited), Some(c)) = (edited, cached)
                && !edited.contains(&f.rel)
            {
                return (c.stamp, c.text.clone(), c.problem.clone(), true);
            }
            // Only a cache that is kept compares stamps later; a one-shot load skips the stat.
            let stamp = if cache.keep { stamp(&f.abs) } else { None };
            if let Some(c) = cache.files.get(&f.rel).filter(|c| stamp.is_some() && c.stamp == stamp) {
                return (stamp, c.text.clone(), c.problem.clone(), true);
            }
            match f.kind {
                Kind::Asset => (stamp, Arc::from(""), None, false),
                _ => match read_text(f) {
                    Ok(t) => (stamp, t, None, false),
                    Err(d) => (stamp, Arc::from(""), Some(d), false),
                },
            }
        })
        .collect();
    let mut unreadable = vec![false; found.len()];
    let mut unchanged = vec![false; found.len()];
    let mut stamps = Vec::with_capacity(found.len());
    let mut files = Vec::with_capacity(found.len());
    for (i, (f, (stamp, text, problem, same))) in found.iter().zip(reads).enumerate() {
        if let Some(d) = &problem {
            unreadable[i] = true;
            diags.push(d.clone());
        }
        unchanged[i] = same;
        stamps.push((stamp, problem));
        files.push(SourceFile { path: f.rel.clone(), text });
    }
    let mut corpus = Corpus { files, ..Corpus::default() };
    let id_of = |i: usize| FileId(i as u32);
    let position = |kind: &Kind| found.iter().position(|f| &f.kind == kind);

    // The file is handed out as a copy (a path and a shared text) so that its tree, which
    // borrows the text, can be decoded while the corpus is being filled.
    let required = |kind: Kind, name: &str, corpus: &Corpus, diags: &mut Vec<Diagnostic>| {
        let Some(i) = position(&kind) else {
            diags.push(
                Diagnostic::error("missing-file", format!("content/{name} is missing"))
                    .in_file(format!("content/{name}"))
                    .with_help(format!("every campaign needs content/{name}; see docs/content.md")),
            );
            return None;
        };
        (!unreadable[i]).then(|| (id_of(i), corpus.files[i].clone()))
    };
    if let Some((id, file)) = required(Kind::Campaign, "campaign.yaml", &corpus, diags)
        && let Some(root) = parse_yaml_file(&file, id, diags)
    {
        corpus.campaign = campaign::decode(&mut Ctx { path: &file.path, diags }, &root);
    }
    if let Some((id, file)) = required(Kind::Criteria, "criteria.yaml", &corpus, diags)
        && let Some(root) = parse_yaml_file(&file, id, diags)
    {
        corpus.criteria = criteria::decode(&mut Ctx { path: &file.path, diags }, &root);
    }

    let tables_trusted = !diags.iter().any(|d| {
        d.is_error()
            && d.location
                .as_ref()
                .is_some_and(|l| l.file == "content/campaign.yaml" || l.file == "content/criteria.yaml")
    });
    let criteria_hash = position(&Kind::Criteria).map_or(0, |i| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        corpus.files[i].text.hash(&mut h);
        h.finish()
    });
    let criteria_same = criteria_hash == cache.criteria;
    let methods: BTreeMap<&str, Method> =
        corpus.criteria().map(|c| (c.id.as_str(), c.method.clone())).collect();
    let criterion_ids: Vec<&str> = corpus.criteria().map(|c| c.id.as_str()).collect();
    let method = |id: &str| methods.get(id).cloned();
    let parsed: Vec<(ParsedFile, bool)> = found
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut local = Vec::new();
            // Without a clean scoring table a results file's columns cannot be told apart.
            let skip = matches!(f.kind, Kind::Results { .. }) && !tables_trusted;
            // A file unchanged since the cached load, at the same id, parses the same (results
            // files also need the same criteria table).
            let reusable = unchanged[i]
                && (criteria_same || !matches!(f.kind, Kind::Results { .. }))
                && cache.files.get(&f.rel).is_some_and(|c| c.id == id_of(i));
            if reusable && let Some(parsed) = cache.files.get(&f.rel).and_then(|c| c.parsed.clone()) {
                return (parsed, true);
            }
            let parsed = if unreadable[i] || skip {
                Parsed::Nothing
            } else {
                parse_file(f, &corpus.files[i], id_of(i), &mut local, &method, &criterion_ids)
            };
            (Arc::new((parsed, local)), false)
        })
        .collect();
    drop(criterion_ids);
    drop(methods);

    if cache.keep {
        if edited.is_none() {
            // A walk: files that are gone must leave the cache.
            cache.files = FxHashMap::with_capacity_and_hasher(found.len(), Default::default());
        }
        for (i, (((parsed, reused), f), (stamp, problem))) in parsed.iter().zip(found).zip(stamps).enumerate()
        {
            if *reused && unchanged[i] && cache.files.contains_key(&f.rel) {
                continue;
            }
            let text = corpus.files[i].text.clone();
            let entry = Cached { stamp, id: id_of(i), text, problem, parsed: Some(parsed.clone()) };
            cache.files.insert(f.rel.clone(), entry);
        }
        cache.criteria = criteria_hash;
    }
    let mut tables = Vec::new();
    let mut failed_units = Vec::new();
    for ((parsed, _), f) in parsed.iter().zip(found) {
        let (parsed, local) = &**parsed;
        diags.extend(local.iter().cloned());
        match parsed {
            Parsed::Nothing => {
                if let Kind::Unit { id, .. } = &f.kind {
                    failed_units.push(id.clone());
                }
            }
            Parsed::Home(h) => corpus.home = Some(h.clone()),
            Parsed::Unit(u) => corpus.units.push(u.clone()),
            Parsed::News(n) => corpus.news.push(n.clone()),
            Parsed::Agreement(a) => corpus.agreements.push(a.clone()),
            Parsed::Page(p) => corpus.pages.push(p.clone()),
            Parsed::Results(table) => tables.push(table.clone()),
        }
    }
    corpus.assets = found.iter().filter(|f| f.kind == Kind::Asset).map(|f| f.rel.clone()).collect();
    corpus.units.sort_by(|a, b| a.id.cmp(&b.id));
    report_duplicate_units(&mut corpus, diags);
    merge_results(&mut corpus, &tables, diags, cache);
    failed_units.sort();
    Loaded { corpus, diagnostics: Vec::new(), trust: Trust { failed_units, ..Trust::default() } }
}

/// Parses a whole file as YAML, reporting problems; `None` (reported as an empty file unless
/// the YAML had errors) for an empty document.
fn parse_yaml_file<'f>(
    file: &'f SourceFile,
    id: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<yaml::Tree<'f>> {
    let node = parse_yaml(&file.text, &file.path, Origin { file: id, line_offset: 0 }, diags);
    if node.is_none() && !diags.iter().any(|d| d.location.as_ref().is_some_and(|l| l.file == file.path)) {
        diags.push(
            Diagnostic::error("empty-file", format!("{} is empty", file.path))
                .in_file(&file.path)
                .with_help("see docs/content.md for what it holds"),
        );
    }
    node
}

fn parse_yaml<'t>(
    text: &'t str,
    path: &str,
    origin: Origin,
    diags: &mut Vec<Diagnostic>,
) -> Option<yaml::Tree<'t>> {
    match yaml::parse(text, origin) {
        Ok(node) => node,
        Err(e) => {
            diags.push(
                Diagnostic::error(e.code, e.message)
                    .at_place(path, e.pos.line, e.pos.col, e.pos.len)
                    .with_help_opt(e.help),
            );
            None
        }
    }
}

fn parse_file(
    f: &Found,
    file: &SourceFile,
    id: FileId,
    diags: &mut Vec<Diagnostic>,
    method: &(dyn Fn(&str) -> Option<Method> + Sync),
    criterion_ids: &[&str],
) -> Parsed {
    let mut ctx = Ctx { path: &file.path, diags };
    match &f.kind {
        Kind::Campaign | Kind::Criteria | Kind::Asset => Parsed::Nothing,
        Kind::Results { period } => {
            let table = results::read(&mut ctx, id, &file.text, method, criterion_ids);
            let period = Spanned::new(period.clone(), Pos::file_start(id));
            Parsed::Results(Arc::new(ResultsTable::new(period, table)))
        }
        kind => {
            let text: &str = &file.text;
            if text.trim().is_empty() && !matches!(kind, Kind::Home) {
                ctx.error("empty-file", Pos::file_start(id), "this file is empty").help("a document starts with front matter between `---` lines, e.g. `name: \"...\"` for a unit");
                return Parsed::Nothing;
            }
            let split = match frontmatter::split(text) {
                Ok(s) => s,
                Err(frontmatter::Unclosed) => {
                    ctx.error(
                        "unclosed-front-matter",
                        Pos { file: id, line: 1, col: 1, len: 3 },
                        "the front matter opened here never closes",
                    )
                    .help("end the front matter with a line holding only `---`");
                    return Parsed::Nothing;
                }
            };
            let root = split.front_matter.and_then(|yaml| {
                parse_yaml(yaml, &file.path, Origin { file: id, line_offset: 1 }, ctx.diags)
            });
            if split.front_matter.is_some_and(|y| !y.trim().is_empty())
                && root.is_none()
                && !matches!(kind, Kind::Home)
            {
                return Parsed::Nothing; // the YAML error is already reported
            }
            let empty_map;
            let root_ref = match (&root, split.front_matter) {
                (Some(r), _) => Some(r),
                // `---\n---` is front matter with no fields: report missing fields, not a missing block.
                (None, Some(_)) => {
                    empty_map = yaml::Tree {
                        kind: yaml::TreeKind::Map(Vec::new()),
                        pos: Pos { file: id, line: 2, col: 1, len: 1 },
                    };
                    Some(&empty_map)
                }
                (None, None) => None,
            };
            let (doc_id, folder) = match kind {
                Kind::Unit { id, folder } => (id.as_str(), folder.clone()),
                Kind::News(s) | Kind::Agreement(s) | Kind::Page(s) => (s.as_str(), None),
                _ => ("index", None),
            };
            let doc = DocFile { id: doc_id, file: id, body: split.body, root: root_ref };
            match kind {
                Kind::Home => Parsed::Home(documents::home(&mut ctx, &doc)),
                Kind::Unit { .. } => documents::unit(&mut ctx, &doc, folder)
                    .map_or(Parsed::Nothing, |u| Parsed::Unit(Arc::new(u))),
                Kind::News(_) => documents::news(&mut ctx, &doc).map_or(Parsed::Nothing, Parsed::News),
                Kind::Agreement(_) => {
                    documents::agreement(&mut ctx, &doc).map_or(Parsed::Nothing, Parsed::Agreement)
                }
                _ => documents::page(&mut ctx, &doc).map_or(Parsed::Nothing, Parsed::Page),
            }
        }
    }
}

/// `units/x.md` and `units/x/index.md` both define unit `x`: an error naming both; the first is kept.
fn report_duplicate_units(corpus: &mut Corpus, diags: &mut Vec<Diagnostic>) {
    let mut i = 1;
    while i < corpus.units.len() {
        if corpus.units[i].id == corpus.units[i - 1].id {
            let (kept, dropped) = (&corpus.units[i - 1], &corpus.units[i]);
            diags.push(
                Diagnostic::error("duplicate-id", format!("unit `{}` is defined twice", dropped.id))
                    .in_file(corpus.file(dropped.file).path.clone())
                    .with_label(&corpus.files, Pos::file_start(kept.file), "also defined here")
                    .with_help("keep either units/<id>.md or units/<id>/index.md"),
            );
            corpus.units.remove(i);
        } else {
            i += 1;
        }
    }
}

/// Merges the results CSVs into the units' results for their periods (SPEC §5), unit by unit:
/// a unit whose front matter and rows are the same as in the cached load keeps its merged copy.
fn merge_results(
    corpus: &mut Corpus,
    tables: &[Arc<ResultsTable>],
    diags: &mut Vec<Diagnostic>,
    cache: &mut LoadCache,
) {
    let mut known = Vec::with_capacity(tables.len());
    for t in tables {
        if corpus.period_index(&t.period.value).is_some() {
            known.push(t.clone());
        } else {
            diags.push(unknown_period(corpus, &t.period));
        }
    }
    let ids_same = cache.unit_ids.len() == corpus.units.len()
        && cache.unit_ids.iter().zip(&corpus.units).all(|(id, u)| *id == u.id);
    for t in &known {
        let path = &corpus.file(t.period.pos.file).path;
        let cached = cache.unknown_rows.get(path).filter(|(old, _)| ids_same && Arc::ptr_eq(old, t));
        let found = match cached {
            Some((_, found)) => found.clone(),
            None => unknown_rows(corpus, t),
        };
        diags.extend(found.iter().cloned());
        if cache.keep {
            cache.unknown_rows.insert(path.clone(), (t.clone(), found));
        }
    }
    // Fronts are moved in, so that without a cache to keep them a unit is merged in place.
    let fronts = std::mem::take(&mut corpus.units);
    let (files, keep, reuse) = (&corpus.files, cache.keep, &cache.merged);
    // (the front when the cache keeps it, the merged unit, its diagnostics)
    type Outcome = (Option<Arc<Unit>>, Arc<Unit>, Vec<Diagnostic>);
    let merged: Vec<Outcome> = fronts
        .into_par_iter()
        .map(|front| match reuse.get(&front.id).filter(|m| m.still_holds(&front, &known)) {
            Some(m) => (None, m.unit.clone(), m.diagnostics.clone()),
            None => {
                let kept = keep.then(|| front.clone());
                let (unit, diagnostics) = merge_unit(files, front, &known);
                (kept, unit, diagnostics)
            }
        })
        .collect();
    if cache.keep && !ids_same {
        cache.merged.clear();
        cache.unit_ids = merged.iter().map(|(_, u, _)| u.id.clone()).collect();
    }
    corpus.units.reserve_exact(merged.len());
    for (front, unit, diagnostics) in merged {
        diags.extend(diagnostics.iter().cloned());
        if let Some(front) = front {
            let entry = Merged { front, tables: known.clone(), unit: unit.clone(), diagnostics };
            cache.merged.insert(unit.id.clone(), entry);
        }
        corpus.units.push(unit);
    }
}

fn unknown_period(corpus: &Corpus, period: &Spanned<String>) -> Diagnostic {
    let path = &corpus.file(period.pos.file).path;
    let known: Vec<&str> = corpus.campaign.periods.iter().map(|p| p.id.as_str()).collect();
    let help = did_you_mean(&period.value, known.iter().copied())
        .map(|s| format!("{s} results files are named content/results/<period id>.csv"))
        .unwrap_or_else(|| {
            format!("results files are named content/results/<period id>.csv; periods: {}", known.join(", "))
        });
    Diagnostic::error("unknown-period", format!("no period `{}` is declared in campaign.yaml", period.value))
        .in_file(path)
        .with_help(help)
}

/// The rows of a results file that name no unit.
fn unknown_rows(corpus: &Corpus, table: &ResultsTable) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for row in &table.table.rows {
        if corpus.unit_index(&row.unit.value).is_some() {
            continue;
        }
        let help =
            did_you_mean(&row.unit.value, corpus.units.iter().map(|u| u.id.as_str())).unwrap_or_else(|| {
                "the `unit` column holds unit ids (file names under content/units/)".to_string()
            });
        diags.push(
            Diagnostic::error("unknown-unit", format!("no unit `{}`", row.unit.value))
                .at(&corpus.files, row.unit.pos)
                .with_help(help),
        );
    }
    diags
}

/// One unit's front matter with its rows of every results file applied in order; a second row
/// for the unit in one file is reported and left out.
fn merge_unit(
    files: &[SourceFile],
    mut front: Arc<Unit>,
    tables: &[Arc<ResultsTable>],
) -> (Arc<Unit>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if !tables.iter().any(|t| t.rows_of.contains_key(&front.id)) {
        return (front, diags);
    }
    // A copy only when the front is also kept elsewhere (serve's cache).
    let unit = Arc::make_mut(&mut front);
    for t in tables {
        let rows = t.rows(&unit.id);
        for pair in rows.windows(2) {
            let (before, row) = (pair[0], pair[1]);
            diags.push(
                Diagnostic::error(
                    "duplicate-row",
                    format!("unit `{}` has two rows in this file", row.unit.value),
                )
                .at(files, row.unit.pos)
                .with_label(files, before.unit.pos, "first row")
                .with_help("merge the two rows into one"),
            );
        }
        if let Some(row) = rows.first() {
            merge_row(files, unit, &t.period.value, &t.table.columns, row, &mut diags);
        }
    }
    (front, diags)
}

fn merge_row(
    files: &[SourceFile],
    unit: &mut Unit,
    period: &str,
    columns: &[Column],
    row: &results::Row,
    diags: &mut Vec<Diagnostic>,
) {
    let entry = unit.results.get_or_insert_with(period, || crate::model::PeriodResults {
        pos: row.unit.pos,
        ..Default::default()
    });
    entry.values.reserve_exact(row.cells.len());
    for cell in &row.cells {
        // The column's name is spelled out only for a conflict (a string per cell showed in
        // profiles of `check`).
        let (prefix, id, existing) = match (&columns[cell.column], &cell.value) {
            (Column::Criterion(id), CellValue::Value(v)) => {
                ("", id, insert(&mut entry.values, id, Spanned::new(*v, cell.pos)))
            }
            (Column::Bonus(id), CellValue::Count(c)) => {
                ("bonus:", id, insert(&mut entry.bonus, id, Spanned::new(*c, cell.pos)))
            }
            (Column::Penalty(id), CellValue::Count(c)) => {
                ("penalty:", id, insert(&mut entry.penalties, id, Spanned::new(*c, cell.pos)))
            }
            (Column::Metric(id), CellValue::Metric(m)) => {
                ("metric:", id, insert(&mut entry.metrics, id, Spanned::new(*m, cell.pos)))
            }
            _ => continue,
        };
        if let Some(front) = existing {
            let slot_name = format!("{prefix}{id}");
            diags.push(
                Diagnostic::error(
                    "csv-conflict",
                    format!("`{slot_name}` of unit `{}` for period `{period}` is given twice", unit.id),
                )
                .at(files, cell.pos)
                .with_label(files, front, "also given in the unit's front matter")
                .with_help("keep the value in one place: the CSV or the unit's front matter"),
            );
        }
    }
}

/// Inserts unless present; returns the place of the value already there.
fn insert<T>(map: &mut IdMap<Spanned<T>>, key: &str, value: Spanned<T>) -> Option<Pos> {
    map.insert_absent(key, value).map(|old| old.pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_transliterated() {
        assert_eq!(slugify("Cục Hải quan Hà Nội"), "cuc-hai-quan-ha-noi");
        assert_eq!(slugify("Đà Nẵng"), "da-nang");
        assert_eq!(slugify("  HQ -- Quảng Ninh! "), "hq-quang-ninh");
    }

    fn found(dir: &Path, name: &str, bytes: &[u8]) -> Found {
        let abs = dir.join(name);
        std::fs::write(&abs, bytes).unwrap();
        Found { rel: format!("content/{name}"), abs, kind: Kind::Page(name.into()), linked: false }
    }

    #[test]
    fn texts_lose_their_byte_order_mark_and_bad_bytes_are_placed() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            read_text(&found(dir.path(), "bom.md", "\u{feff}---\nname: Đà Nẵng\n".as_bytes())).unwrap();
        assert_eq!(&*text, "---\nname: Đà Nẵng\n");
        let plain = read_text(&found(dir.path(), "plain.md", "Hà Nội\n\u{feff}".as_bytes())).unwrap();
        assert_eq!(&*plain, "Hà Nội\n\u{feff}", "only a leading mark is dropped");

        // Line 2, after "Hà " (three characters, four bytes): the column counts characters.
        let mut bad = "---\nHà ".as_bytes().to_vec();
        bad.extend_from_slice(&[0xff, b'x', b'\n']);
        let d = read_text(&found(dir.path(), "bad.md", &bad)).unwrap_err();
        assert_eq!(d.code, "invalid-utf8");
        let place = d.location.as_ref().map(|l| (l.file.as_str(), l.line, l.column));
        assert_eq!(place, Some(("content/bad.md", 2, 4)));
    }
}
