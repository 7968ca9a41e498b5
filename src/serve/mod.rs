//! `podium serve`: builds the site into memory, serves it over HTTP, rebuilds when an input
//! changes and tells open pages to reload once the new build is in place.
//!
//! Correct first: a build that fails keeps the last good site served and shows its diagnostics
//! as an overlay on every page until a later build succeeds; the reload event is sent only after
//! the new site (or the new error) is in place; a burst of changes gives one rebuild. Live reload
//! is a Server-Sent Events stream on the same port under the base path. The script and overlay
//! are added to pages as they are served, never to `podium build` output. Depends on `site` only.

pub mod classify;
pub mod paths;

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use notify_debouncer_full::notify::{self, RecursiveMode, Watcher as _};

use self::classify::{ChangeKind, classify};
use self::paths::Target;
use crate::diagnostics::{self, Diagnostic};
use crate::render::{base_path, escape};
use crate::site::{self, BuildOptions, Changes};

/// How long the inputs must be quiet (no file event at all) before a rebuild starts. An
/// editor's save (a write, or a temporary file renamed over the original) is a burst of events
/// within a few milliseconds, and so is a script writing many files; this is the gap that
/// still counts as the same burst.
const QUIET: Duration = Duration::from_millis(30);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
}

/// The site as served: the last good build, and the problems of the last build.
#[derive(Default)]
struct Snapshot {
    /// The last good build: its standings and renderer make pages on request.
    live: Option<Arc<site::Live>>,
    /// Its files other than pages.
    files: Arc<HashMap<String, Arc<[u8]>>>,
    /// Errors of the last build; empty when it succeeded.
    errors: Vec<Diagnostic>,
    generation: u64,
}

/// Pages rendered so far: path -> (frame, view hash, bytes). A page is rendered again only
/// when its view (or the frame: templates, strings, site) changed since it was last served.
type PageCache = Mutex<HashMap<String, (u64, u64, Arc<[u8]>)>>;

/// State shared by the builder, the HTTP threads and the event streams.
struct Shared {
    snapshot: RwLock<Snapshot>,
    pages: PageCache,
    /// The generation, for event streams waiting on a change.
    generation: Mutex<u64>,
    changed: Condvar,
    base_path: String,
}

impl Shared {
    fn publish(&self, update: impl FnOnce(&mut Snapshot)) {
        let generation = {
            let mut s = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
            update(&mut s);
            s.generation += 1;
            s.generation
        };
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) = generation;
        self.changed.notify_all();
    }
}

/// Runs until the process is stopped. `log` receives one line per event worth telling.
pub fn run(options: &ServeOptions, log: &(dyn Fn(&str) + Sync)) -> Result<()> {
    let content = options.root.join("content");
    if !content.is_dir() {
        return Err(anyhow!("no content/ folder in {} (is --root right?)", options.root.display()));
    }
    let server = tiny_http::Server::http((options.bind, options.port)).map_err(|e| {
        if e.to_string().to_lowercase().contains("in use") {
            anyhow!(
                "port {} on {} is already in use; choose another with --port {}",
                options.port,
                options.bind,
                options.port.wrapping_add(1)
            )
        } else {
            anyhow!("cannot listen on {}:{}: {e}", options.bind, options.port)
        }
    })?;
    let port = server.server_addr().to_ip().map_or(options.port, |a| a.port());
    // The first load fills the cache, so the first build re-reads nothing.
    let mut cache = site::LiveCache::new();
    let configured =
        site::load_live(&options.root, &mut cache).ok().and_then(|l| l.corpus.campaign.site.base_url);
    let base = base_path(configured.as_deref());
    let host = if options.bind.is_unspecified() { "127.0.0.1".to_string() } else { options.bind.to_string() };
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let url = format!("http://{host}:{port}{base}");
    let build = BuildOptions {
        root: options.root.clone(),
        output: PathBuf::new(),
        base_url: Some(url.clone()),
        drafts: options.drafts,
    };
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Snapshot::default()),
        pages: Mutex::new(HashMap::new()),
        generation: Mutex::new(0),
        changed: Condvar::new(),
        base_path: base,
    });
    // Watch before the first build, so that a change made while it runs (or right after the
    // address is printed) is never missed: it waits in the channel for the next rebuild.
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
    for dir in ["content", "static", "templates", "themes"] {
        let path = options.root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("watching {}", path.display()))?;
        }
    }
    rebuild(&build, &shared, &mut cache, &Changes::default(), log);
    let http_shared = shared.clone();
    std::thread::spawn(move || serve_http(&server, &http_shared));
    log(&format!("serving {} at {url}", options.root.display()));
    watch(&options.root, &rx, &build, &shared, &mut cache, log);
    Ok(())
}

/// Rebuilds once the inputs have been quiet for `QUIET` after a change.
fn watch(
    root: &Path,
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    build: &BuildOptions,
    shared: &Shared,
    cache: &mut site::LiveCache,
    log: &(dyn Fn(&str) + Sync),
) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    while let Ok(first) = rx.recv() {
        let mut batch = Batch::default();
        batch.add(&canonical_root, root, first);
        // Gather the rest of the burst into one rebuild.
        while let Ok(more) = rx.recv_timeout(QUIET) {
            batch.add(&canonical_root, root, more);
        }
        if batch.kinds.is_empty() {
            continue;
        }
        batch.kinds.sort();
        batch.kinds.dedup();
        let names: Vec<String> = batch.kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect();
        log(&format!("change: {}", names.join(", ")));
        let outside_content = batch.lost_track || batch.kinds.iter().any(|k| !k.is_content());
        let changes = Changes { content: (!batch.lost_track).then_some(batch.content), outside_content };
        rebuild(build, shared, cache, &changes, log);
    }
}

/// The changes of one burst of file events.
#[derive(Default)]
struct Batch {
    /// The kinds of the changed paths that are inputs of the site.
    kinds: Vec<ChangeKind>,
    /// Changed paths under `content/`, root-relative.
    content: Vec<String>,
    /// The watcher could not say what changed (an error, or it dropped events and asks for a
    /// rescan): every file must be checked.
    lost_track: bool,
}

impl Batch {
    fn add(&mut self, canonical_root: &Path, root: &Path, event: notify::Result<notify::Event>) {
        use notify::EventKind;
        use notify::event::ModifyKind;
        let event = match event {
            Ok(event) if !event.need_rescan() => event,
            _ => {
                self.lost_track = true;
                self.kinds.push(ChangeKind::Content);
                return;
            }
        };
        // Reading a file (our own build does) and touching its metadata change nothing.
        if matches!(event.kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))) {
            return;
        }
        for path in &event.paths {
            let Ok(rel) = path.strip_prefix(canonical_root).or_else(|_| path.strip_prefix(root)) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let kind = classify(&rel, None);
            if kind == ChangeKind::Ignored {
                continue;
            }
            if rel.starts_with("content/") {
                self.content.push(rel);
            }
            self.kinds.push(kind);
        }
    }
}

/// Loads, checks and scores; publishes the new site, or keeps the old one and publishes the
/// errors. Pages are rendered when they are requested, from the published standings.
fn rebuild(
    build: &BuildOptions,
    shared: &Shared,
    cache: &mut site::LiveCache,
    changes: &Changes,
    log: &(dyn Fn(&str) + Sync),
) {
    let started = Instant::now();
    match site::generate_live(build, cache, changes) {
        Ok(live) if live.renderer.is_some() => {
            let files: Arc<HashMap<String, Arc<[u8]>>> =
                Arc::new(live.files.iter().map(|f| (f.path.clone(), f.bytes.clone())).collect());
            let (pages, warnings) = (live.pages.len(), live.prepared.diagnostics.len());
            let timings = live.timings.to_string();
            shared.publish(|s| {
                s.files = files;
                s.live = Some(Arc::new(live));
                s.errors.clear();
            });
            log(&format!(
                "built in {} ms: {pages} pages (rendered when requested){} ({timings})",
                started.elapsed().as_millis(),
                if warnings > 0 { format!(", {warnings} warnings") } else { String::new() }
            ));
        }
        Ok(live) => {
            let errors: Vec<Diagnostic> =
                live.prepared.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
            for d in &errors {
                log(&diagnostics::render_short(d));
            }
            log(&format!("build failed with {} errors; still serving the last good build", errors.len()));
            shared.publish(|s| s.errors = errors);
        }
        Err(e) => {
            let d = Diagnostic::error("io", format!("{e:#}"));
            log(&format!("build failed: {e:#}"));
            shared.publish(|s| s.errors = vec![d]);
        }
    }
}

/// A file of the served site: a page rendered now (or reused), or a stored file.
fn lookup(
    shared: &Shared,
    live: Option<&site::Live>,
    files: &HashMap<String, Arc<[u8]>>,
    path: &str,
) -> Option<Result<Arc<[u8]>, Diagnostic>> {
    if let Some(bytes) = files.get(path) {
        return Some(Ok(bytes.clone()));
    }
    let live = live?;
    if let Some(file) = live.other_file(path) {
        return Some(file.map_err(|e| Diagnostic::error("io", format!("{e:#}"))));
    }
    let page = *live.pages.get(path)?;
    let renderer = live.renderer.as_ref()?;
    let previous = {
        let cache = shared.pages.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(path)
            .filter(|(frame, _, _)| *frame == renderer.frame)
            .map(|(_, hash, b)| (*hash, b.clone()))
    };
    let ctx = renderer.ctx(&live.prepared.corpus, &live.standings);
    let prior = crate::render::Prior { previous, keep: true };
    Some(renderer.render_page(&ctx, page, &prior).map(|(file, hash)| {
        let mut cache = shared.pages.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(path.to_string(), (renderer.frame, hash, file.bytes.clone()));
        file.bytes
    }))
}

fn serve_http(server: &tiny_http::Server, shared: &Arc<Shared>) {
    for request in server.incoming_requests() {
        let shared = shared.clone();
        std::thread::spawn(move || respond(request, &shared));
    }
}

fn respond(request: tiny_http::Request, shared: &Shared) {
    let is_head = *request.method() == tiny_http::Method::Head;
    if !is_head && *request.method() != tiny_http::Method::Get {
        let _ = request.respond(tiny_http::Response::from_string("method not allowed").with_status_code(405));
        return;
    }
    let url = request.url().to_string();
    match paths::resolve(&url, &shared.base_path) {
        Target::Bad => {
            let _ = request.respond(tiny_http::Response::from_string("bad request").with_status_code(400));
        }
        Target::Redirect(to) => {
            let header = tiny_http::Header::from_bytes("Location", to.as_bytes()).ok();
            let mut response = tiny_http::Response::from_string("").with_status_code(302);
            if let Some(h) = header {
                response.add_header(h);
            }
            let _ = request.respond(response);
        }
        Target::Events => events(request, shared, &url),
        Target::File(path) => {
            let (live, files, mut errors, generation) = {
                let s = shared.snapshot.read().unwrap_or_else(|e| e.into_inner());
                (s.live.clone(), s.files.clone(), s.errors.clone(), s.generation)
            };
            let live = live.as_deref();
            let candidates =
                [(200, path.clone()), (200, format!("{path}/index.html")), (404, "404.html".to_string())];
            let mut found = None;
            for (status, candidate) in candidates {
                match lookup(shared, live, &files, &candidate) {
                    Some(Ok(bytes)) => {
                        found = Some((status, candidate, bytes));
                        break;
                    }
                    Some(Err(d)) => {
                        // A template that fails on this page: show the error over the 404 page.
                        errors.push(d);
                    }
                    None => {}
                }
            }
            let (status, path, body) = match found {
                Some((status, p, b)) if p.ends_with(".html") => {
                    (status, p, inject(&b, &shared.base_path, generation, &errors))
                }
                Some((status, p, b)) => (status, p, b.to_vec()),
                None => {
                    let page = b"<!doctype html><title>Not found</title><p>Not found.</p>";
                    (404, "404.html".to_string(), inject(page, &shared.base_path, generation, &errors))
                }
            };
            let mut response = tiny_http::Response::from_data(body).with_status_code(status);
            if let Ok(h) =
                tiny_http::Header::from_bytes("Content-Type", paths::content_type(&path).as_bytes())
            {
                response.add_header(h);
            }
            if let Ok(h) = tiny_http::Header::from_bytes("Cache-Control", "no-store") {
                response.add_header(h);
            }
            let _ = request.respond(response);
        }
    }
}

/// Adds the live-reload script, and the error overlay when the last build failed, to a page.
fn inject(html: &[u8], base_path: &str, generation: u64, errors: &[Diagnostic]) -> Vec<u8> {
    let html = String::from_utf8_lossy(html);
    let mut extra = String::new();
    if !errors.is_empty() {
        extra.push_str(&overlay(errors));
    }
    let base = serde_json::to_string(base_path).unwrap_or_else(|_| "\"/\"".into());
    extra.push_str(&format!(
        "<script>(function(){{var u=new URL({base}+\"{}?since={generation}\",location.origin);\
         var s=new EventSource(u);s.addEventListener(\"reload\",function(){{s.close();location.reload();}});}})();</script>",
        paths::EVENTS
    ));
    match html.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{extra}").into_bytes(),
    }
}

/// The diagnostics of a failed build as a box over the page (inline styles: it must show even
/// when the theme's CSS is what broke).
fn overlay(errors: &[Diagnostic]) -> String {
    let items: String = errors
        .iter()
        .map(|d| {
            let place = d.location.as_ref().map(|l| {
                if l.line > 0 { format!("{}:{}:{}", l.file, l.line, l.column) } else { l.file.clone() }
            });
            let help = d
                .help
                .as_deref()
                .map(|h| format!("<br><small>help: {}</small>", escape(h)))
                .unwrap_or_default();
            format!(
                "<li style=\"margin:.5em 0\"><code>{}</code> {} <strong>[{}]</strong>{help}</li>",
                escape(&place.unwrap_or_default()),
                escape(&d.message),
                escape(d.code)
            )
        })
        .collect();
    format!(
        "<div id=\"podium-errors\" role=\"alert\" style=\"position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;\
         background:#fff5f5;color:#1a1a1a;border-top:4px solid #b00020;padding:1em 1.5em;z-index:2147483647;\
         font:15px/1.4 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.25)\"><strong>podium: the last build failed \
         ({} error{}); this page is from the last good build.</strong><ul style=\"padding-left:1.2em\">{items}</ul></div>",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )
}

/// The event stream: `reload` whenever a build (good or failed) is published after the
/// generation the page was served with; a comment every 15 s keeps proxies from closing it.
fn events(request: tiny_http::Request, shared: &Shared, url: &str) {
    let since: u64 = url
        .split_once("since=")
        .and_then(|(_, v)| v.split('&').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if writer.write_all(head.as_bytes()).and_then(|()| writer.flush()).is_err() {
        return;
    }
    let mut seen =
        if since == u64::MAX { *shared.generation.lock().unwrap_or_else(|e| e.into_inner()) } else { since };
    loop {
        let guard = shared.generation.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = shared
            .changed
            .wait_timeout_while(guard, Duration::from_secs(15), |g| *g <= seen)
            .unwrap_or_else(|e| e.into_inner());
        let now = *guard;
        drop(guard);
        let message = if now > seen {
            seen = now;
            format!("event: reload\ndata: {now}\n\n")
        } else {
            ": keep-alive\n\n".to_string()
        };
        if writer.write_all(message.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return; // the page went away
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_end_of_the_body_and_the_overlay_escapes() {
        let page = b"<html><body><p>x</p></body></html>";
        let out = String::from_utf8(inject(page, "/a/", 7, &[])).unwrap();
        assert!(out.contains("since=7"));
        assert!(out.find("<script>").unwrap() < out.find("</body>").unwrap());
        assert!(!out.contains("podium-errors"));
        let d =
            Diagnostic::error("unknown-field", "unknown field `<x>`").at_place("content/units/a.md", 3, 1, 1);
        let out = String::from_utf8(inject(page, "/", 1, &[d])).unwrap();
        assert!(
            out.contains("podium-errors")
                && out.contains("content/units/a.md:3:1")
                && out.contains("`&lt;x&gt;`")
        );
    }
}
