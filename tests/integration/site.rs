//! The website: every page type, links, determinism, escaping, languages, theme overrides.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use podium::site::{self, BuildOptions};

use crate::support::{copy_tree, fixtures};

/// Builds `root` into a fresh folder and returns (the temp dir, the output path).
fn build(root: &Path, base_url: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let (out, output, report) = try_build_at(root, base_url);
    let text: Vec<String> =
        report.prepared.diagnostics.iter().map(podium::diagnostics::render_short).collect();
    assert!(report.written.is_some(), "build of {} failed:\n{}", root.display(), text.join("\n"));
    (out, output)
}

/// Builds `root` into a fresh folder, whatever the outcome: (the temp dir, output path, report).
fn try_build_at(root: &Path, base_url: Option<&str>) -> (tempfile::TempDir, PathBuf, site::BuildReport) {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: output.clone(),
        base_url: base_url.map(str::to_string),
        drafts: false,
    };
    let report = site::build(&options).unwrap();
    (out, output, report)
}

fn sample_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The values of every `href` and `src` attribute of the start tags of an HTML text.
fn links(html: &str) -> Vec<String> {
    start_tags(html)
        .into_iter()
        .flat_map(attributes)
        .filter(|(name, _)| name.eq_ignore_ascii_case("href") || name.eq_ignore_ascii_case("src"))
        .map(|(_, value)| value.replace("&amp;", "&"))
        .collect()
}

/// Resolves an internal link from a page to a file of the output, or says why it is broken.
fn resolve(output: &Path, page: &Path, link: &str, base_path: &str) -> Result<(), String> {
    let link = link.split(['#', '?']).next().unwrap_or("");
    if link.is_empty() {
        return Ok(());
    }
    let target = if let Some(abs) = link.strip_prefix('/') {
        let Some(inside) = format!("/{abs}").strip_prefix(base_path).map(str::to_string) else {
            return Err(format!("absolute link outside the base path {base_path}"));
        };
        output.join(inside)
    } else {
        page.parent().unwrap().join(link)
    };
    let mut normal = PathBuf::new();
    for c in target.components() {
        match c {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if !normal.starts_with(output) {
        return Err("leaves the output folder".into());
    }
    let file = if link.ends_with('/') || normal.is_dir() { normal.join("index.html") } else { normal };
    if file.is_file() { Ok(()) } else { Err(format!("no file {}", file.display())) }
}

fn check_links(output: &Path, base_path: &str) -> usize {
    let mut broken = Vec::new();
    let mut checked = 0;
    for (rel, bytes) in tree(output) {
        if !rel.ends_with(".html") {
            continue;
        }
        let page = output.join(&rel);
        let html = String::from_utf8(bytes).unwrap();
        for link in links(&html) {
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if let Err(why) = resolve(output, &page, &link, base_path) {
                broken.push(format!("{rel}: {link}: {why}"));
            }
        }
    }
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
    checked
}

#[test]
fn every_internal_link_of_the_sample_resolves_with_and_without_a_sub_path() {
    let (_a, output) = build(&sample_root(), Some("https://example.org/"));
    assert!(check_links(&output, "/") > 1000);
    let (_b, output) = build(&sample_root(), Some("https://example.org/thi-dua/2016/"));
    assert!(check_links(&output, "/thi-dua/2016/") > 1000);
    let sitemap = read(&output.join("sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://example.org/thi-dua/2016/units/cuc-hq-ha-noi/</loc>"),
        "{sitemap}"
    );
    let feed = read(&output.join("news/atom.xml"));
    assert!(feed.contains("href=\"https://example.org/thi-dua/2016/news/so-ket-6-thang/\""), "{feed}");
    let not_found = read(&output.join("404.html"));
    assert!(not_found.contains("href=\"/thi-dua/2016/"), "404 links use the base path");
}

#[test]
fn every_page_type_of_spec_9_is_written() {
    let (_t, output) = build(&fixtures().join("pages"), None);
    for path in [
        "index.html",
        "units/index.html",
        "units/hq-a/index.html",
        "units/hq-c/report.txt",
        "scoreboard/index.html",
        "scoreboard/h1/index.html",
        "scoreboard/year/index.html",
        "clusters/index.html",
        "clusters/north/index.html",
        "clusters/north/h1/index.html",
        "report/index.html",
        "report/h1/index.html",
        "criteria/index.html",
        "criteria/A1/index.html",
        "indicators/index.html",
        "awards/index.html",
        "news/index.html",
        "news/kickoff/index.html",
        "news/atom.xml",
        "agreements/index.html",
        "agreements/north-south/index.html",
        "rules/index.html",
        "sitemap.xml",
        "404.html",
        "search-index.json",
        "data/campaign.json",
        "data/results.csv",
        "data/awards.csv",
        "data/indicators.csv",
        "assets/podium.css",
        "assets/podium.js",
    ] {
        assert!(output.join(path).is_file(), "missing {path}");
    }
    let index: serde_json::Value = serde_json::from_str(&read(&output.join("search-index.json"))).unwrap();
    assert!(index.as_array().unwrap().iter().any(|e| e["url"] == "units/hq-a/" && e["title"] == "Customs A"));
}

/// The `<main>` element of a page, for snapshots that ignore the frame around it.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.rfind("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn main_element_of_each_page_type_is_pinned() {
    let (_t, output) = build(&fixtures().join("pages"), None);
    let pages = [
        ("home", "index.html"),
        ("units", "units/index.html"),
        ("unit", "units/hq-a/index.html"),
        ("unit-folder", "units/hq-c/index.html"),
        ("scoreboard", "scoreboard/h1/index.html"),
        ("clusters", "clusters/index.html"),
        ("cluster", "clusters/south/h1/index.html"),
        ("report", "report/h1/index.html"),
        ("criteria", "criteria/index.html"),
        ("criterion", "criteria/A1/index.html"),
        ("indicators", "indicators/index.html"),
        ("awards", "awards/index.html"),
        ("news-list", "news/index.html"),
        ("news", "news/kickoff/index.html"),
        ("agreements", "agreements/index.html"),
        ("agreement", "agreements/north-south/index.html"),
        ("page", "rules/index.html"),
        ("not-found", "404.html"),
    ];
    for (name, path) in pages {
        let html = read(&output.join(path));
        insta::with_settings!({snapshot_path => "snapshots/pages", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, main_of(&html));
        });
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let (_a, first) = build(&sample_root(), None);
    let (_b, second) = build(&sample_root(), None);
    let (a, b) = (tree(&first), tree(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}

/// The start tags of an HTML text (`<name ...>`), as written; text and comments are skipped.
fn start_tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            tags.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    tags
}

/// The attributes of a start tag's text (`a href="x" class=y`), quotes respected.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            return out;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next() {
                Some(q @ ('"' | '\'')) => {
                    value.extend(std::iter::from_fn(|| chars.next().filter(|c| *c != q)))
                }
                Some(c) => {
                    value.push(c);
                    value.extend(std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())));
                }
                None => {}
            }
        }
        out.push((name, value));
    }
}

/// Script elements, event handlers, embedding elements and dangerous URLs in every generated
/// HTML and XML file. Escaped text (`&lt;script&gt;`) is harmless and not counted.
fn assert_no_injection(output: &Path) {
    for (rel, bytes) in tree(output) {
        if !(rel.ends_with(".html") || rel.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        for tag in start_tags(&text) {
            let lower = tag.to_lowercase();
            let name: String = lower.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            match name.as_str() {
                "script" => assert!(lower.contains("src=\""), "{rel}: an inline script element: <{tag}>"),
                "iframe" | "object" | "embed" | "style" => panic!("{rel}: <{tag}> survived"),
                _ => {}
            }
            let handler = attributes(&lower).into_iter().any(|(a, _)| a.starts_with("on"));
            assert!(!handler, "{rel}: an event handler survived: <{tag}>");
        }
        for link in links(&text) {
            let l = link.trim().to_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(!l.starts_with(scheme), "{rel}: a {scheme} link survived: {link}");
            }
        }
    }
}

#[test]
fn script_and_javascript_payloads_in_content_never_execute() {
    let (_t, output) = build(&fixtures().join("escaping"), None);
    assert_no_injection(&output);
    let unit = read(&output.join("units/evil/index.html"));
    assert!(unit.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"), "the name is shown as text");
    // And with raw HTML not allowed, the body is shown as text.
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("escaping"), site.path());
    let campaign = site.path().join("content/campaign.yaml");
    fs::write(&campaign, read(&campaign).replace("allow_html: true", "allow_html: false")).unwrap();
    let (_u, output) = build(site.path(), None);
    assert_no_injection(&output);
    assert!(read(&output.join("units/evil/index.html")).contains("&lt;script&gt;alert("));
}

#[test]
fn the_vietnamese_sample_speaks_vietnamese_and_the_english_fixture_english() {
    let (_a, vi) = build(&sample_root(), None);
    let board = read(&vi.join("scoreboard/h1/index.html"));
    assert!(board.contains("lang=\"vi\""));
    assert!(board.contains("96,15"), "Vietnamese decimal comma");
    assert!(board.contains("Cục Hải quan TP. Hải Phòng"));
    let unit = read(&vi.join("units/cuc-hq-hai-phong/index.html"));
    assert!(unit.contains("điểm"), "Vietnamese UI strings");
    let (_b, en) = build(&fixtures().join("pages"), None);
    let board = read(&en.join("scoreboard/h1/index.html"));
    assert!(board.contains("lang=\"en\""));
    assert!(read(&en.join("units/hq-a/index.html")).contains("points"));
}

/// The `pages` fixture with `files` (path, text) written over it.
fn pages_site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    for (path, text) in files {
        let path = site.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    site
}

fn try_build(root: &Path) -> (tempfile::TempDir, PathBuf, site::BuildReport) {
    try_build_at(root, None)
}

#[test]
fn a_template_error_names_the_template_and_line_and_writes_nothing() {
    let template = "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | nosuchfilter }}\n{% endblock content %}\n";
    let site = pages_site_with(&[("templates/page.html", template)]);
    let (_out, output, report) = try_build(site.path());
    assert!(report.written.is_none());
    let d = report.prepared.diagnostics.iter().find(|d| d.is_error()).expect("an error");
    let loc = d.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("templates/page.html", 3), "{d:?}");
    assert!(!output.exists());
}

#[test]
fn a_missing_ui_string_is_a_diagnostic() {
    let template = "{% extends \"base.html\" %}\n{% block content %}\n\n{{ t(key=\"no.such.key\") }}\n{% endblock content %}\n";
    let site = pages_site_with(&[("templates/page.html", template)]);
    let (_out, _output, report) = try_build(site.path());
    let d = report
        .prepared
        .diagnostics
        .iter()
        .find(|d| d.code == "missing-string")
        .expect("a missing-string diagnostic");
    let loc = d.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("templates/page.html", 4), "{d:?}");
    assert!(d.message.contains("no.such.key"));
}

#[test]
fn templates_and_assets_are_overridable_from_disk() {
    let site = pages_site_with(&[
        ("templates/page.html", "<main>custom {{ page.title }}</main>"),
        ("themes/default/static/assets/podium.css", "body{}"),
        ("static/robots.txt", "User-agent: *\n"),
    ]);
    let (_t, output) = build(site.path(), None);
    assert_eq!(read(&output.join("rules/index.html")), "<main>custom Rules</main>");
    assert_eq!(read(&output.join("assets/podium.css")), "body{}");
    assert_eq!(read(&output.join("robots.txt")), "User-agent: *\n");
}

#[test]
fn a_static_file_may_not_replace_a_generated_one() {
    let site = pages_site_with(&[("static/data/results.csv", "x")]);
    let (_out, _output, report) = try_build(site.path());
    assert!(report.written.is_none());
    let d = report.prepared.diagnostics.iter().find(|d| d.code == "static-collision").expect("a collision");
    assert_eq!(d.location.as_ref().unwrap().file, "static/data/results.csv");
}

#[test]
fn a_cached_load_sees_every_edit_and_matches_a_fresh_load() {
    use podium::content::LoadCache;
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    let mut cache = LoadCache::new();
    let first = site::prepare_cached(site.path(), &mut cache).unwrap();
    assert!(first.diagnostics.is_empty());
    let unit = site.path().join("content/units/hq-a.md");
    fs::write(&unit, read(&unit).replace("\"A3\": 15", "\"A3\": 19.5")).unwrap();
    fs::write(site.path().join("content/results/h1.csv"), "unit,A2\nhq-c,7.25\n").unwrap();
    fs::write(site.path().join("content/units/hq-d.md"), "---\nname: \"D\"\n---\n").unwrap();
    let cached = site::prepare_cached(site.path(), &mut cache).unwrap();
    let fresh = site::prepare(site.path()).unwrap();
    assert_eq!(format!("{:?}", cached.corpus.units), format!("{:?}", fresh.corpus.units));
    assert_eq!(cached.diagnostics, fresh.diagnostics);
    let a = &cached.corpus.units[cached.corpus.unit_index("hq-a").unwrap()];
    assert_eq!(format!("{:?}", a.results["h1"].values["A3"].value), "Number(19.5)");
    let c = &cached.corpus.units[cached.corpus.unit_index("hq-c").unwrap()];
    assert_eq!(format!("{:?}", c.results["h1"].values["A2"].value), "Number(7.25)");
    assert_eq!(cached.corpus.units.len(), 4);
}

/// Writes every template of the default theme into `<root>/templates/`, unchanged.
fn copy_default_templates(root: &Path) {
    let theme = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    copy_tree(&theme, &root.join("templates"));
}

/// With the built-in theme, the header and footer are rendered once per kind of page and depth
/// and shared; a page the menu links to still gets its own, marking that entry as current.
#[test]
fn shared_headers_mark_the_current_menu_entry() {
    let (_out, output) = build(&fixtures().join("pages"), None);
    let page =
        |unit: &str| std::fs::read_to_string(output.join("units").join(unit).join("index.html")).unwrap();
    let menu = |html: &str| {
        let nav = &html[html.find("<nav class=\"site-nav\"").unwrap()..];
        nav[..nav.find("</nav>").unwrap()].to_string()
    };
    let (a, b, c) = (menu(&page("hq-a")), menu(&page("hq-b")), menu(&page("hq-c")));
    assert!(a.contains(r#"<a href="../../units/hq-a/" aria-current="page">Headquarters A</a>"#), "{a}");
    assert!(b.contains(r#"<a href="../../units/hq-a/">Headquarters A</a>"#), "{b}");
    assert_eq!(b, c);
    assert_eq!(a.replace(r#" aria-current="page">Headquarters A"#, ">Headquarters A"), b);
}

/// The big tables are written by podium itself unless a template is overridden; with the
/// default templates copied to disk they come from the templates' loops instead, and every
/// output byte must be the same both ways.
#[test]
fn tables_written_natively_equal_the_templates_output() {
    let mut roots: Vec<(String, tempfile::TempDir)> = Vec::new();
    let sample = tempfile::tempdir().unwrap();
    copy_tree(&sample_root().join("content"), &sample.path().join("content"));
    roots.push(("sample".into(), sample));
    for name in ["pages", "escaping", "english", "methods", "ties", "awards", "indicators", "csv-results"] {
        let site = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(name), site.path());
        roots.push((name.into(), site));
    }
    for (name, site) in &roots {
        let (_a, native) = build(site.path(), Some("https://example.org/thi-dua"));
        copy_default_templates(site.path());
        let (_b, templated) = build(site.path(), Some("https://example.org/thi-dua"));
        let (a, b) = (tree(&native), tree(&templated));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{name}");
        for (path, bytes) in &a {
            if bytes != &b[path] {
                let (x, y) = (bytes, &b[path]);
                let at = x.iter().zip(y.iter()).position(|(p, q)| p != q).unwrap_or(x.len().min(y.len()));
                let around = |t: &[u8]| {
                    String::from_utf8_lossy(&t[at.saturating_sub(200)..(at + 200).min(t.len())]).into_owned()
                };
                panic!(
                    "{name}: {path} differs at byte {at}\nnative:    {:?}\ntemplates: {:?}",
                    around(x),
                    around(y)
                );
            }
        }
    }
}

/// Everything `serve` shows from a build, for comparing an incremental build with a fresh one:
/// diagnostics, units, standings, and every page and copied file.
fn live_state(live: &site::Live) -> (String, String, String, BTreeMap<String, Vec<u8>>) {
    let corpus = &live.prepared.corpus;
    let mut pages = BTreeMap::new();
    for file in &live.files {
        pages.insert(format!("file {}", file.path), file.bytes.to_vec());
    }
    if let Some(renderer) = &live.renderer {
        let ctx = renderer.ctx(corpus, &live.standings);
        for (path, page) in live.pages.iter() {
            let prior = podium::render::Prior { previous: None, keep: false };
            let (file, _) = renderer.render_page(&ctx, *page, &prior).unwrap();
            pages.insert(path.clone(), file.bytes.to_vec());
        }
    }
    (
        format!("{:?}", live.prepared.diagnostics),
        format!("{:?}", corpus.units),
        serde_json::to_string(&live.standings).unwrap(),
        pages,
    )
}

#[test]
fn an_incremental_live_build_equals_a_fresh_one_after_each_edit() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    let root = site.path();
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: PathBuf::new(),
        base_url: Some("http://127.0.0.1:1111/".into()),
        drafts: false,
    };
    let mut cache = site::LiveCache::new();
    site::generate_live(&options, &mut cache, &site::Changes::default()).unwrap();
    let unit_a = root.join("content/units/hq-a.md");
    let unit_b = root.join("content/units/hq-b.md");
    let csv = root.join("content/results/h1.csv");
    // Each step edits the files and names the content paths a watcher would report; steps that
    // change files outside content/ say so (`outside` below).
    type Step = Box<dyn Fn()>;
    let outside = ["a static file", "a template", "the template again"];
    let steps: Vec<(&str, Vec<&str>, Step)> = vec![
        ("a value in front matter", vec!["content/units/hq-a.md"], {
            let unit_a = unit_a.clone();
            Box::new(move || {
                fs::write(&unit_a, read(&unit_a).replace("\"A1\": 52.5", "\"A1\": 105")).unwrap()
            })
        }),
        ("a value in a results file", vec!["content/results/h1.csv"], {
            let csv = csv.clone();
            Box::new(move || fs::write(&csv, "unit,A2\nhq-c,9.75\n").unwrap())
        }),
        ("a save by rename", vec!["content/units/.hq-a.md.swp", "content/units/hq-a.md"], {
            let unit_a = unit_a.clone();
            Box::new(move || {
                let tmp = unit_a.with_file_name(".hq-a.md.swp");
                fs::write(&tmp, read(&unit_a).replace("\"A2\": 8", "\"A2\": 4")).unwrap();
                fs::rename(&tmp, &unit_a).unwrap();
            })
        }),
        ("a renamed unit", vec!["content/units/hq-a.md"], {
            let unit_a = unit_a.clone();
            Box::new(move || {
                fs::write(&unit_a, read(&unit_a).replace("Customs A", "Aardvark Customs")).unwrap()
            })
        }),
        (
            "a new unit with a row in the results file",
            vec!["content/units/hq-d.md", "content/results/h1.csv"],
            {
                let (root, csv) = (root.to_path_buf(), csv.clone());
                Box::new(move || {
                    fs::write(root.join("content/units/hq-d.md"), "---\nname: \"D\"\ncluster: north\n---\n")
                        .unwrap();
                    fs::write(&csv, "unit,A2\nhq-c,9.75\nhq-d,3\n").unwrap();
                })
            },
        ),
        ("a broken unit", vec!["content/units/hq-d.md"], {
            let root = root.to_path_buf();
            Box::new(move || {
                fs::write(root.join("content/units/hq-d.md"), "---\nname: \"D\"\nclustr: north\n---\n")
                    .unwrap()
            })
        }),
        ("the unit fixed", vec!["content/units/hq-d.md"], {
            let root = root.to_path_buf();
            Box::new(move || {
                fs::write(root.join("content/units/hq-d.md"), "---\nname: \"D\"\ncluster: north\n---\n")
                    .unwrap()
            })
        }),
        ("a removed unit", vec!["content/units/hq-d.md"], {
            let root = root.to_path_buf();
            Box::new(move || fs::remove_file(root.join("content/units/hq-d.md")).unwrap())
        }),
        (
            "the results file fixed, and a first value in the second period",
            vec!["content/results/h1.csv", "content/units/hq-b.md"],
            {
                let (unit_b, csv) = (unit_b.clone(), csv.clone());
                Box::new(move || {
                    fs::write(&csv, "unit,A2\nhq-c,9.75\n").unwrap();
                    let text = read(&unit_b).replace("\"B2\": 1}", "\"B2\": 1}\n  year: {\"A3\": 10}");
                    fs::write(&unit_b, text).unwrap()
                })
            },
        ),
        ("a value of the second period only", vec!["content/units/hq-b.md"], {
            let unit_b = unit_b.clone();
            Box::new(move || {
                fs::write(&unit_b, read(&unit_b).replace("{\"A3\": 10}", "{\"A3\": 12}")).unwrap()
            })
        }),
        (
            "a value of the first period only, which the second's rank changes follow",
            vec!["content/units/hq-a.md"],
            {
                let unit_a = unit_a.clone();
                Box::new(move || {
                    fs::write(&unit_a, read(&unit_a).replace("\"A3\": 15", "\"A3\": 1")).unwrap()
                })
            },
        ),
        ("a tie: B's values become C's", vec!["content/units/hq-b.md"], {
            let unit_b = unit_b.clone();
            Box::new(move || {
                let text = read(&unit_b).replace(
                    "{\"A1\": 90, \"A2\": 10, \"A3\": 12, \"B1\": false, \"B2\": 1}",
                    "{\"A1\": 100, \"A2\": 9.75, \"A3\": 18, \"B1\": true, \"B2\": 5}",
                );
                fs::write(&unit_b, text).unwrap()
            })
        }),
        ("a name that changes the name order", vec!["content/units/hq-c/index.md"], {
            let root = root.to_path_buf();
            Box::new(move || {
                let path = root.join("content/units/hq-c/index.md");
                fs::write(&path, read(&path).replace("Customs C", "Alpha Customs")).unwrap()
            })
        }),
        ("a unit's evidence file", vec!["content/units/hq-c/report.txt"], {
            let root = root.to_path_buf();
            Box::new(move || {
                fs::write(root.join("content/units/hq-c/report.txt"), "changed evidence\n").unwrap()
            })
        }),
        ("a static file", vec![], {
            let root = root.to_path_buf();
            Box::new(move || {
                fs::create_dir_all(root.join("static")).unwrap();
                fs::write(root.join("static/notice.txt"), "hello\n").unwrap()
            })
        }),
        ("a template", vec![], {
            let root = root.to_path_buf();
            Box::new(move || {
                copy_default_templates(&root);
                let path = root.join("templates/unit.html");
                let text = read(&path);
                let end = text.rfind("{% endblock").unwrap();
                fs::write(&path, format!("{}<!-- overridden -->{}", &text[..end], &text[end..])).unwrap()
            })
        }),
        ("a value with the template overridden", vec!["content/units/hq-a.md"], {
            let unit_a = unit_a.clone();
            Box::new(move || fs::write(&unit_a, read(&unit_a).replace("\"A2\": 4", "\"A2\": 6")).unwrap())
        }),
        ("the template again", vec![], {
            let root = root.to_path_buf();
            Box::new(move || {
                let path = root.join("templates/unit.html");
                fs::write(&path, read(&path).replace("<!-- overridden -->", "<!-- again -->")).unwrap()
            })
        }),
    ];
    for (name, paths, edit) in steps {
        edit();
        let changes = site::Changes {
            content: Some(paths.iter().map(|p| p.to_string()).collect()),
            outside_content: outside.contains(&name),
        };
        let incremental = site::generate_live(&options, &mut cache, &changes).unwrap();
        let fresh =
            site::generate_live(&options, &mut site::LiveCache::new(), &site::Changes::default()).unwrap();
        let failing = ["a broken unit", "a removed unit"];
        assert_eq!(
            incremental.prepared.has_errors(),
            failing.contains(&name),
            "errors after {name}: {:?}",
            incremental.prepared.diagnostics
        );
        if name.starts_with("a template") || name.starts_with("the template") {
            let unit = "units/hq-a/index.html";
            let page = &live_state(&incremental).3[unit];
            let marker: &[u8] = if name.starts_with("a template") { b"overridden" } else { b"again" };
            assert!(page.windows(marker.len()).any(|w| w == marker), "{unit} uses the new template");
        }
        if name.starts_with("a tie") {
            let standings = &incremental.standings;
            assert!(!incremental.prepared.has_errors(), "{:?}", incremental.prepared.diagnostics);
            let index = |id: &str| incremental.prepared.corpus.unit_index(id).unwrap();
            let rank = |id: &str| standings.periods[0].units[index(id)].rank;
            assert!(rank("hq-b").is_some() && rank("hq-b") == rank("hq-c"), "B and C tie");
        }
        let (a, b) = (live_state(&incremental), live_state(&fresh));
        assert_eq!(a.0, b.0, "diagnostics after {name}");
        assert_eq!(a.1, b.1, "units after {name}");
        assert_eq!(a.2, b.2, "standings after {name}");
        assert_eq!(a.3.keys().collect::<Vec<_>>(), b.3.keys().collect::<Vec<_>>(), "pages after {name}");
        for (path, bytes) in &a.3 {
            assert!(*bytes == b.3[path], "{path} after {name}");
        }
    }
}
