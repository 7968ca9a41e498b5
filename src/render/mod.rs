//! Turns a corpus and its standings into output files; writes nothing.
//!
//! Every page of SPEC §9 is a template (`themes/default/templates/`) rendered with a view from
//! `views`; feeds, the sitemap, the search index and the data downloads are generated here
//! directly. Pages render in parallel; problems (a template error, a missing UI string) become
//! diagnostics naming the template and line, and then nothing is written.

pub mod charts;
pub mod data;
mod engine;
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
use self::views::{Ctx, Link};
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

/// One page to render: where it goes, with which template and view.
struct Job {
    path: String,
    template: &'static str,
    title: String,
    kind: &'static str,
    /// The view, already converted for Tera under the key `page`.
    context: tera::Context,
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
}

pub fn render(corpus: &Corpus, standings: &Standings, options: &RenderOptions<'_>) -> Result<Rendered> {
    let mut rendered = Rendered::default();
    let lang = corpus.campaign.language;
    let theme = theme::load(options.root, corpus.campaign.site.theme.as_deref(), lang.code())?;
    let strings = Arc::new(Strings::load(&theme.strings, &mut rendered.diagnostics));
    let ctx = Ctx::new(corpus, standings, &strings, options.drafts);
    let engine = Engine::new(&theme, strings.clone(), ctx.fmt.lang, &mut rendered.diagnostics);
    let jobs = match jobs(&ctx) {
        Ok(jobs) => jobs,
        Err(Missing(key)) => {
            rendered.diagnostics.push(missing_string(&strings, &key));
            return Ok(rendered);
        }
    };
    let Some(engine) = engine else { return Ok(rendered) };
    if rendered.diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(rendered);
    }
    let mut globals = tera::Context::new();
    globals.insert("site", &site_view(&ctx));
    let results: Vec<Result<OutputFile, Diagnostic>> =
        jobs.par_iter().map(|job| render_job(&engine, &globals, corpus, job)).collect();
    for r in results {
        match r {
            Ok(f) => rendered.files.push(f),
            Err(d) => rendered.diagnostics.push(d),
        }
    }
    dedup_diagnostics(&mut rendered.diagnostics);
    rendered.files.extend(feeds::render(&ctx)?);
    rendered.files.extend(data::render(corpus, standings)?);
    for (path, file) in theme.statics {
        rendered.assets.push((file.origin, OutputFile { path, bytes: file.bytes }));
    }
    rendered.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(rendered)
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

fn render_job(
    engine: &Engine,
    globals: &tera::Context,
    corpus: &Corpus,
    job: &Job,
) -> Result<OutputFile, Diagnostic> {
    let url = job.path.strip_suffix("index.html").unwrap_or(&job.path);
    let base_url = corpus.campaign.site.base_url.as_deref();
    let here = Here {
        root: if job.path == "404.html" { base_path(base_url) } else { relative_root(&job.path) },
        url,
        canonical: base_url.map(|b| format!("{}/{url}", b.trim_end_matches('/'))),
        kind: job.kind,
        title: &job.title,
    };
    let mut context = globals.clone();
    context.extend(job.context.clone());
    context.insert("here", &here);
    let html = engine.render(job.template, &context)?;
    Ok(OutputFile { path: job.path.clone(), bytes: html.into_bytes() })
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
        menu: c.site.menu.iter().map(|m| Link { title: m.title.clone(), url: menu_url(&m.url) }).collect(),
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

/// Menu URLs in campaign.yaml are written from the site root (`/quy-che/`); inside the site
/// they become root-relative like every other link. External URLs are kept.
fn menu_url(url: &str) -> String {
    if url.contains("://") || url.starts_with("mailto:") {
        url.to_string()
    } else {
        url.trim_start_matches('/').to_string()
    }
}

fn job<T: Serialize>(
    path: String,
    template: &'static str,
    kind: &'static str,
    title: String,
    view: &T,
) -> Job {
    let mut context = tera::Context::new();
    context.insert("page", view);
    Job { path, template, title, kind, context }
}

/// Every page of the site (SPEC §9).
fn jobs(ctx: &Ctx<'_>) -> Result<Vec<Job>, Missing> {
    let c = ctx.corpus;
    let camp = &c.campaign;
    let cur = ctx.current();
    let mut jobs = vec![
        job("index.html".into(), "home.html", "home", camp.title.clone(), &views::misc::home(ctx)?),
        job("units/index.html".into(), "units.html", "units", ctx.t("nav.units")?, &views::misc::units(ctx)),
        job("404.html".into(), "404.html", "404", ctx.t("notfound.title")?, &serde_json::json!({})),
        job(
            "criteria/index.html".into(),
            "criteria.html",
            "criteria",
            ctx.t("nav.criteria")?,
            &criteria_page(ctx)?,
        ),
        job(
            "indicators/index.html".into(),
            "indicators.html",
            "indicators",
            ctx.t("nav.indicators")?,
            &views::misc::indicators(ctx)?,
        ),
        job(
            "awards/index.html".into(),
            "awards.html",
            "awards",
            ctx.t("nav.awards")?,
            &views::misc::awards(ctx)?,
        ),
        job(
            "news/index.html".into(),
            "news_list.html",
            "news_list",
            ctx.t("nav.news")?,
            &views::misc::NewsListPage { news: views::misc::news_list(ctx) },
        ),
        job(
            "agreements/index.html".into(),
            "agreements.html",
            "agreements",
            ctx.t("nav.agreements")?,
            &views::misc::agreements(ctx),
        ),
        job(
            "clusters/index.html".into(),
            "clusters.html",
            "clusters",
            ctx.t("nav.clusters")?,
            &views::boards::clusters(ctx),
        ),
    ];
    let unit_jobs: Vec<Result<Job, Missing>> = (0..c.units.len())
        .into_par_iter()
        .map(|u| {
            let view = views::unit::build(ctx, u)?;
            Ok(job(
                format!("units/{}/index.html", c.units[u].id),
                "unit.html",
                "unit",
                c.units[u].name.clone(),
                &view,
            ))
        })
        .collect();
    for j in unit_jobs {
        jobs.push(j?);
    }
    for p in 0..camp.periods.len() {
        let period = &camp.periods[p];
        let board = views::boards::scoreboard(ctx, p)?;
        let title = ctx.strings.format("scoreboard.title", &[("period", &period.title)])?;
        if p == cur {
            jobs.push(job(
                "scoreboard/index.html".into(),
                "scoreboard.html",
                "scoreboard",
                title.clone(),
                &board,
            ));
        }
        jobs.push(job(
            format!("scoreboard/{}/index.html", period.id),
            "scoreboard.html",
            "scoreboard",
            title,
            &board,
        ));
        let report = views::boards::report(ctx, p)?;
        let title = ctx.strings.format("report.title", &[("period", &period.title)])?;
        if p == cur {
            jobs.push(job("report/index.html".into(), "report.html", "report", title.clone(), &report));
        }
        jobs.push(job(format!("report/{}/index.html", period.id), "report.html", "report", title, &report));
        for (ci, cluster) in camp.clusters.iter().enumerate() {
            let view = views::boards::cluster(ctx, ci, p)?;
            let title = format!("{} · {}", cluster.title, period.title);
            if p == cur {
                jobs.push(job(
                    format!("clusters/{}/index.html", cluster.id),
                    "cluster.html",
                    "cluster",
                    title.clone(),
                    &view,
                ));
            }
            jobs.push(job(
                format!("clusters/{}/{}/index.html", cluster.id, period.id),
                "cluster.html",
                "cluster",
                title,
                &view,
            ));
        }
    }
    let mut ki = 0;
    for g in &c.criteria.groups {
        for k in &g.criteria {
            let view = views::boards::criterion(ctx, g, k, ki)?;
            jobs.push(job(
                format!("criteria/{}/index.html", k.id),
                "criterion.html",
                "criterion",
                format!("{} {}", k.id, k.title),
                &view,
            ));
            ki += 1;
        }
    }
    for n in c.news.iter().filter(|n| ctx.drafts || !n.draft) {
        jobs.push(job(
            format!("news/{}/index.html", n.id),
            "news.html",
            "news",
            n.title.clone(),
            &views::misc::news_page(ctx, n),
        ));
    }
    for a in c.agreements.iter().filter(|a| ctx.drafts || !a.draft) {
        jobs.push(job(
            format!("agreements/{}/index.html", a.id),
            "agreement.html",
            "agreement",
            a.title.clone(),
            &views::misc::agreement_page(ctx, a),
        ));
    }
    for p in c.pages.iter().filter(|p| ctx.drafts || !p.draft) {
        jobs.push(job(
            format!("{}/index.html", p.id),
            "page.html",
            "page",
            p.title.clone(),
            &views::misc::free_page(ctx, p),
        ));
    }
    Ok(jobs)
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
