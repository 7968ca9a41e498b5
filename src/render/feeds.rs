//! Machine-read files generated without templates: `sitemap.xml`, `news/atom.xml` and
//! `search-index.json`. URLs are absolute when `base_url` is set, else root-relative
//! (`/units/x/`), which is the best a site without a known address can do.

use anyhow::Result;
use serde::Serialize;

use super::views::Ctx;
use super::{escape, markdown};
use crate::site::output::OutputFile;

pub(super) fn render(ctx: &Ctx<'_>) -> Result<Vec<OutputFile>> {
    Ok(vec![
        OutputFile { path: "sitemap.xml".into(), bytes: sitemap(ctx).into_bytes().into() },
        OutputFile { path: "news/atom.xml".into(), bytes: atom(ctx).into_bytes().into() },
        OutputFile { path: "search-index.json".into(), bytes: search_index(ctx)?.into() },
    ])
}

/// `url` (relative to the site root) as an address readers outside the site can follow.
fn absolute(ctx: &Ctx<'_>, url: &str) -> String {
    match ctx.corpus.campaign.site.base_url.as_deref() {
        Some(base) => format!("{}/{url}", base.trim_end_matches('/')),
        None => format!("/{url}"),
    }
}

/// Every page's URL, in a stable order.
fn page_urls(ctx: &Ctx<'_>) -> Vec<String> {
    let c = ctx.corpus;
    let mut urls = vec![String::new()];
    for section in [
        "units/",
        "scoreboard/",
        "report/",
        "criteria/",
        "indicators/",
        "awards/",
        "news/",
        "agreements/",
        "clusters/",
    ] {
        urls.push(section.to_string());
    }
    urls.extend(c.units.iter().map(|u| format!("units/{}/", u.id)));
    for p in &c.campaign.periods {
        urls.push(format!("scoreboard/{}/", p.id));
        urls.push(format!("report/{}/", p.id));
        for cl in &c.campaign.clusters {
            urls.push(format!("clusters/{}/{}/", cl.id, p.id));
        }
    }
    urls.extend(c.campaign.clusters.iter().map(|cl| format!("clusters/{}/", cl.id)));
    urls.extend(c.criteria().map(|k| format!("criteria/{}/", k.id)));
    urls.extend(c.news.iter().filter(|n| ctx.drafts || !n.draft).map(|n| format!("news/{}/", n.id)));
    urls.extend(
        c.agreements.iter().filter(|a| ctx.drafts || !a.draft).map(|a| format!("agreements/{}/", a.id)),
    );
    urls.extend(c.pages.iter().filter(|p| ctx.drafts || !p.draft).map(|p| format!("{}/", p.id)));
    urls
}

fn sitemap(ctx: &Ctx<'_>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in page_urls(ctx) {
        out.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&absolute(ctx, &url))));
    }
    out.push_str("</urlset>\n");
    out
}

fn atom(ctx: &Ctx<'_>) -> String {
    let c = ctx.corpus;
    let mut items: Vec<&crate::model::News> = c.news.iter().filter(|n| ctx.drafts || !n.draft).collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    // The feed changes only when the news does: its date is the newest item's, never the build's.
    let updated = items
        .first()
        .map(|n| n.date)
        .or(c.campaign.start)
        .map_or_else(|| "1970-01-01".to_string(), |d| d.to_string());
    let lang = c.campaign.language.code();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <updated>{updated}T00:00:00Z</updated>\n",
        escape(&c.campaign.title),
        escape(&absolute(ctx, "news/")),
        escape(&absolute(ctx, "news/")),
        escape(&absolute(ctx, "news/atom.xml")),
    );
    if let Some(org) = &c.campaign.organizer {
        out.push_str(&format!("  <author><name>{}</name></author>\n", escape(org)));
    } else {
        out.push_str(&format!("  <author><name>{}</name></author>\n", escape(&c.campaign.title)));
    }
    for n in items {
        let url = absolute(ctx, &format!("news/{}/", n.id));
        let summary = n.summary.clone().unwrap_or_else(|| markdown::to_plain_text(&n.body, 300));
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>\n",
            escape(&n.title),
            escape(&url),
            escape(&url),
            n.date,
            escape(&summary),
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[derive(Serialize)]
struct SearchEntry {
    title: String,
    url: String,
    kind: &'static str,
    text: String,
}

/// What the search box looks through: units, criteria, news, agreements, pages.
fn search_index(ctx: &Ctx<'_>) -> Result<Vec<u8>> {
    let c = ctx.corpus;
    let mut entries = Vec::with_capacity(c.units.len() + 64);
    for (i, u) in c.units.iter().enumerate() {
        let cluster = ctx.cluster_of(i).map(|cl| c.campaign.clusters[cl].title.clone()).unwrap_or_default();
        let text = [u.short_name.clone().unwrap_or_default(), cluster, markdown::to_plain_text(&u.body, 160)]
            .join(" ");
        entries.push(SearchEntry {
            title: u.name.clone(),
            url: format!("units/{}/", u.id),
            kind: "unit",
            text: text.trim().to_string(),
        });
    }
    for k in c.criteria() {
        let text = k.description.as_deref().map(|d| markdown::to_plain_text(d, 160)).unwrap_or_default();
        entries.push(SearchEntry {
            title: format!("{} {}", k.id, k.title),
            url: format!("criteria/{}/", k.id),
            kind: "criterion",
            text,
        });
    }
    for n in c.news.iter().filter(|n| ctx.drafts || !n.draft) {
        let text = n.summary.clone().unwrap_or_else(|| markdown::to_plain_text(&n.body, 160));
        entries.push(SearchEntry {
            title: n.title.clone(),
            url: format!("news/{}/", n.id),
            kind: "news",
            text,
        });
    }
    for a in c.agreements.iter().filter(|a| ctx.drafts || !a.draft) {
        entries.push(SearchEntry {
            title: a.title.clone(),
            url: format!("agreements/{}/", a.id),
            kind: "agreement",
            text: markdown::to_plain_text(&a.body, 160),
        });
    }
    for p in c.pages.iter().filter(|p| ctx.drafts || !p.draft) {
        entries.push(SearchEntry {
            title: p.title.clone(),
            url: format!("{}/", p.id),
            kind: "page",
            text: markdown::to_plain_text(&p.body, 160),
        });
    }
    let mut bytes = serde_json::to_vec(&entries)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }
}
