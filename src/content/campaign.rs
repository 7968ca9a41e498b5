//! Decoding `content/campaign.yaml` (SPEC §3, §7, §8, §11) into `model::Campaign`.
//!
//! Only the shape of each field is checked here (types, required fields, unknown fields, one
//! indicator kind, a valid quota); references between objects are `validate`'s job.

use rust_decimal::Decimal;

use super::decode::{self, Ctx, Fields, Help};
use super::yaml::{Tree, TreeKind};
use crate::model::{
    Award, AwardScope, Campaign, Cluster, Indicator, IndicatorKind, Language, MenuEntry, Period, Quota,
    ShareCondition, Site, Spanned, Tier,
};

const CAMPAIGN_FIELDS: &[&str] = &[
    "title",
    "motto",
    "organizer",
    "description",
    "language",
    "start",
    "end",
    "precision",
    "tie_break",
    "site",
    "periods",
    "clusters",
    "tiers",
    "indicators",
    "awards",
];
const SITE_FIELDS: &[&str] = &["base_url", "theme", "menu", "allow_html", "current_period"];
const PERIOD_FIELDS: &[&str] = &["id", "title", "start", "end", "description"];
const CLUSTER_FIELDS: &[&str] = &["id", "title", "description"];
const TIER_FIELDS: &[&str] = &["id", "title", "min_score", "description"];
const INDICATOR_FIELDS: &[&str] =
    &["id", "title", "target", "share_of_units", "ratio", "sum", "lower_is_better", "unit", "description"];
const AWARD_FIELDS: &[&str] = &[
    "id",
    "title",
    "scope",
    "period",
    "min_score",
    "min_tier",
    "top",
    "quota",
    "requires_registration",
    "requires_seeking",
    "description",
];

/// Decodes the campaign; missing required parts are reported and left empty.
pub fn decode(ctx: &mut Ctx<'_>, root: &Tree<'_>) -> Campaign {
    let mut c = Campaign { precision: 2, ..Campaign::default() };
    let Some(f) = Fields::new(ctx, root, "campaign.yaml", CAMPAIGN_FIELDS) else {
        return c;
    };
    if let Some(n) = f.required(ctx, "title", "the campaign") {
        c.title = decode::string(ctx, n).unwrap_or_default();
    }
    c.motto = f.string(ctx, "motto");
    c.organizer = f.string(ctx, "organizer");
    c.description = f.string(ctx, "description");
    c.language = f.get("language").and_then(|n| language(ctx, n)).unwrap_or_default();
    c.start = f.date(ctx, "start");
    c.end = f.date(ctx, "end");
    if let (Some(start), Some(end), Some(n)) = (c.start, c.end, f.get("end"))
        && start > end
    {
        ctx.error("invalid-dates", n.pos, format!("the campaign ends ({end}) before it starts ({start})"));
    }
    if let Some(n) = f.get("precision") {
        c.precision = precision(ctx, n).unwrap_or(2);
    }
    if let Some(n) = f.get("tie_break") {
        c.tie_break = ids(ctx, n, "tie_break", "criterion");
    }
    if let Some(n) = f.get("site") {
        c.site = site(ctx, n);
    }
    if let Some(n) = f.required(ctx, "periods", "the campaign") {
        c.periods = each(ctx, n, "periods", period);
        if c.periods.is_empty() && matches!(n.kind, TreeKind::Seq(_)) {
            ctx.error("missing-field", n.pos, "the campaign needs at least one period")
                .help("add a period: periods: [{id: year, title: \"...\"}]");
        }
    }
    c.clusters = f.get("clusters").map(|n| each(ctx, n, "clusters", cluster)).unwrap_or_default();
    c.tiers = f.get("tiers").map(|n| each(ctx, n, "tiers", tier)).unwrap_or_default();
    c.indicators = f.get("indicators").map(|n| each(ctx, n, "indicators", indicator)).unwrap_or_default();
    c.awards = f.get("awards").map(|n| each(ctx, n, "awards", award)).unwrap_or_default();
    c
}

/// Decodes every item of a list with `item`, skipping the ones that fail.
fn each<T>(
    ctx: &mut Ctx<'_>,
    node: &Tree<'_>,
    what: &str,
    item: fn(&mut Ctx<'_>, &Tree<'_>) -> Option<T>,
) -> Vec<T> {
    decode::list(ctx, node, what)
        .map_or_else(Vec::new, |items| items.iter().filter_map(|n| item(ctx, n)).collect())
}

/// A list of ids (or a single id) with their places.
pub(super) fn ids(ctx: &mut Ctx<'_>, node: &Tree<'_>, what: &str, kind: &str) -> Vec<Spanned<String>> {
    let items: Vec<&Tree<'_>> = match &node.kind {
        TreeKind::Seq(items) => items.iter().collect(),
        TreeKind::Scalar { .. } => vec![node],
        TreeKind::Map(_) => {
            ctx.error(
                "wrong-type",
                node.pos,
                format!("{what} must be a list of {kind} ids, found a mapping"),
            );
            return Vec::new();
        }
    };
    items.into_iter().filter_map(|n| decode::id(ctx, n, kind).map(|s| Spanned::new(s, n.pos))).collect()
}

fn language(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Language> {
    match decode::string(ctx, node)?.as_str() {
        "vi" => Some(Language::Vi),
        "en" => Some(Language::En),
        other => {
            ctx.error("invalid-value", node.pos, format!("unknown language `{other}`"))
                .help("podium's UI speaks `vi` (Vietnamese) and `en` (English)");
            None
        }
    }
}

fn precision(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<u32> {
    let p = decode::count(ctx, node)?;
    if p > 4 {
        ctx.error("invalid-value", node.pos, format!("precision must be 0 to 4 decimals, found {p}"));
        return None;
    }
    Some(p)
}

fn site(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Site {
    let mut s = Site::default();
    let Some(f) = Fields::new(ctx, node, "site", SITE_FIELDS) else {
        return s;
    };
    if let Some(n) = f.get("base_url") {
        s.base_url = decode::string(ctx, n).filter(|url| {
            let ok =
                (url.starts_with("https://") || url.starts_with("http://")) && url.len() > "https://".len();
            if !ok {
                ctx.error(
                    "invalid-value",
                    n.pos,
                    format!("base_url must be an absolute http(s) URL, found \"{url}\""),
                )
                .help("e.g. base_url: \"https://example.org/thi-dua-2016/\"");
            }
            ok
        });
    }
    s.theme = f.string(ctx, "theme");
    s.allow_html = f.bool(ctx, "allow_html").unwrap_or(false);
    s.current_period =
        f.get("current_period").and_then(|n| decode::id(ctx, n, "period").map(|id| Spanned::new(id, n.pos)));
    s.menu = f.get("menu").map(|n| each(ctx, n, "menu", menu_entry)).unwrap_or_default();
    s
}

fn menu_entry(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<MenuEntry> {
    let f = Fields::new(ctx, node, "a menu entry", &["title", "url"])?;
    let title = f.required(ctx, "title", "a menu entry").and_then(|n| decode::string(ctx, n));
    let url = f.required(ctx, "url", "a menu entry").and_then(|n| {
        let url = decode::string(ctx, n)?;
        let lower = url.trim().to_ascii_lowercase();
        let scheme = lower.split('/').next().filter(|first| first.contains(':'));
        if scheme.is_some_and(|_| !["http:", "https:", "mailto:"].iter().any(|s| lower.starts_with(s))) {
            ctx.error(
                "invalid-value",
                n.pos,
                format!("a menu link must be a site path or an http(s) URL, found \"{url}\""),
            )
            .help("e.g. url: \"/quy-che/\" or url: \"https://example.org/\"");
            return None;
        }
        Some(url)
    });
    Some(MenuEntry { title: title?, url: url? })
}

/// The `id` and `title` every listed object has.
fn id_and_title(ctx: &mut Ctx<'_>, f: &Fields<'_>, what: &str, kind: &str) -> Option<(String, String)> {
    let id = f.required(ctx, "id", what).and_then(|n| decode::id(ctx, n, kind));
    let title = f.required(ctx, "title", what).and_then(|n| decode::string(ctx, n));
    Some((id?, title?))
}

fn period(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Period> {
    let f = Fields::new(ctx, node, "a period", PERIOD_FIELDS)?;
    let (id, title) = id_and_title(ctx, &f, "a period", "period")?;
    let (start, end) = (f.date(ctx, "start"), f.date(ctx, "end"));
    if let (Some(s), Some(e), Some(n)) = (start, end, f.get("start"))
        && s > e
    {
        ctx.error("invalid-dates", n.pos, format!("period `{id}` starts ({s}) after it ends ({e})"));
    }
    let pos = f.get("id").map_or(node.pos, |n| n.pos);
    Some(Period { id, title, start, end, description: f.string(ctx, "description"), pos })
}

fn cluster(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Cluster> {
    let f = Fields::new(ctx, node, "a cluster", CLUSTER_FIELDS)?;
    let (id, title) = id_and_title(ctx, &f, "a cluster", "cluster")?;
    let pos = f.get("id").map_or(node.pos, |n| n.pos);
    Some(Cluster { id, title, description: f.string(ctx, "description"), pos })
}

fn tier(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Tier> {
    let f = Fields::new(ctx, node, "a tier", TIER_FIELDS)?;
    let names = id_and_title(ctx, &f, "a tier", "tier");
    let min_score = f.required(ctx, "min_score", "a tier").and_then(|n| decode::decimal(ctx, n));
    let (id, title) = names?;
    let pos = f.get("id").map_or(node.pos, |n| n.pos);
    Some(Tier { id, title, min_score: min_score?, description: f.string(ctx, "description"), pos })
}

fn indicator(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Indicator> {
    let f = Fields::new(ctx, node, "an indicator", INDICATOR_FIELDS)?;
    let names = id_and_title(ctx, &f, "an indicator", "indicator");
    let target = f.required(ctx, "target", "an indicator").and_then(|n| decode::decimal(ctx, n));
    let kind = indicator_kind(ctx, &f);
    let (id, title) = names?;
    Some(Indicator {
        id,
        title,
        target: target?,
        kind: kind?,
        lower_is_better: f.bool(ctx, "lower_is_better").unwrap_or(false),
        unit: f.string(ctx, "unit"),
        description: f.string(ctx, "description"),
        pos: f.get("id").map_or(node.pos, |n| n.pos),
    })
}

fn indicator_kind(ctx: &mut Ctx<'_>, f: &Fields<'_>) -> Option<IndicatorKind> {
    let given: Vec<&str> =
        ["share_of_units", "ratio", "sum"].into_iter().filter(|k| f.get(k).is_some()).collect();
    if given.len() != 1 {
        let message = if given.is_empty() {
            "an indicator needs one of `share_of_units`, `ratio` or `sum`".to_string()
        } else {
            format!(
                "an indicator has exactly one of `share_of_units`, `ratio` or `sum`, found {}",
                given.join(" and ")
            )
        };
        let pos = given.get(1).and_then(|k| f.key_node(k)).map_or(f.pos, |n| n.pos);
        ctx.error("indicator-kind", pos, message)
            .help("e.g. share_of_units: registered, ratio: {sum: a, over: b} or sum: revenue");
        return None;
    }
    let node = f.get(given[0])?;
    match given[0] {
        "share_of_units" => {
            let name = decode::id(ctx, node, "metric")?;
            let condition = match name.as_str() {
                "registered" => ShareCondition::Registered,
                "reported" => ShareCondition::Reported,
                _ => ShareCondition::Metric(name),
            };
            Some(IndicatorKind::ShareOfUnits(Spanned::new(condition, node.pos)))
        }
        "ratio" => {
            let r = Fields::new(ctx, node, "a ratio", &["sum", "over"])?;
            let metric = |ctx: &mut Ctx<'_>, key| {
                r.required(ctx, key, "a ratio")
                    .and_then(|n| decode::id(ctx, n, "metric").map(|s| Spanned::new(s, n.pos)))
            };
            let (sum, over) = (metric(ctx, "sum"), metric(ctx, "over"));
            Some(IndicatorKind::Ratio { sum: sum?, over: over? })
        }
        _ => decode::id(ctx, node, "metric").map(|s| IndicatorKind::Sum(Spanned::new(s, node.pos))),
    }
}

fn award(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Award> {
    let f = Fields::new(ctx, node, "an award", AWARD_FIELDS)?;
    let (id, title) = id_and_title(ctx, &f, "an award", "award")?;
    let scope = match f.get("scope") {
        None => Some(AwardScope::Overall),
        Some(n) => match decode::string(ctx, n)?.as_str() {
            "overall" => Some(AwardScope::Overall),
            "cluster" => Some(AwardScope::Cluster),
            other => {
                ctx.error("invalid-value", n.pos, format!("unknown award scope `{other}`"))
                    .help("scope is `overall` (the default) or `cluster`");
                None
            }
        },
    };
    let spanned_id = |ctx: &mut Ctx<'_>, key: &str, kind: &str| {
        f.get(key).and_then(|n| decode::id(ctx, n, kind).map(|s| Spanned::new(s, n.pos)))
    };
    let period = spanned_id(ctx, "period", "period");
    let min_tier = spanned_id(ctx, "min_tier", "tier");
    let top = f.get("top").and_then(|n| decode::count(ctx, n));
    if let (Some(0), Some(n)) = (top, f.get("top")) {
        ctx.error("invalid-value", n.pos, "`top: 0` can never be met")
            .help("use top: 1 or more, or remove it");
    }
    Some(Award {
        id,
        title,
        scope: scope?,
        period,
        min_score: f.decimal(ctx, "min_score"),
        min_tier,
        top,
        quota: f.get("quota").and_then(|n| quota(ctx, n)),
        requires_registration: f.bool(ctx, "requires_registration").unwrap_or(true),
        requires_seeking: f.bool(ctx, "requires_seeking").unwrap_or(false),
        description: f.string(ctx, "description"),
        pos: f.get("id").map_or(node.pos, |n| n.pos),
    })
}

/// `quota: N` or `quota: "P%"`.
fn quota(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Quota> {
    if let TreeKind::Scalar { text, .. } = &node.kind
        && let Some(p) = text.trim().strip_suffix('%')
    {
        return match decode::parse_decimal(p.trim()) {
            Ok(p) if !p.is_sign_negative() && p <= Decimal::ONE_HUNDRED => Some(Quota::Percent(p)),
            _ => {
                ctx.error(
                    "invalid-value",
                    node.pos,
                    format!("a percentage quota must lie in 0%..100%, found \"{text}\""),
                );
                None
            }
        };
    }
    match &node.kind {
        TreeKind::Scalar { plain: true, .. } => decode::count(ctx, node).map(Quota::Count),
        _ => {
            ctx.error(
                "invalid-value",
                node.pos,
                format!("quota must be a count or a percentage, found {}", node.describe()),
            )
            .help("e.g. quota: 3 or quota: \"20%\"");
            None
        }
    }
}
