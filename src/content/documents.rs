//! Decoding the front matter of Markdown documents: units (SPEC §5), news, agreements, pages
//! and the home page's `index.md`.
//!
//! A unit's results are read by shape only (a criterion value is a number or `true`/`false`);
//! whether the value suits its criterion's method, and whether ids resolve, is `validate`'s job.

use rust_decimal::Decimal;

use super::campaign::ids;
use super::decode::{self, Ctx, Fields, Help};
use super::yaml::{Tree, TreeKind, plain_bool};
use crate::model::{
    Agreement, Date, FileId, Home, IdMap, News, Page, PeriodResults, Pos, Registration, Spanned, Unit, Value,
};

const UNIT_FIELDS: &[&str] =
    &["name", "short_name", "cluster", "parent", "headcount", "registration", "metrics", "results"];
const REGISTRATION_FIELDS: &[&str] = &["date", "pledge", "targets", "seeks"];
const NEWS_FIELDS: &[&str] = &["title", "date", "summary", "units", "draft"];
const AGREEMENT_FIELDS: &[&str] = &["title", "date", "parties", "period", "draft"];
const PAGE_FIELDS: &[&str] = &["title", "draft", "weight"];
/// Metric names set by other means (SPEC §2).
pub const RESERVED_METRICS: &[&str] = &["registered", "reported", "headcount"];

/// What every document decoder needs to know about its file.
pub struct DocFile<'a> {
    pub id: &'a str,
    pub file: FileId,
    pub body: &'a str,
    /// The front matter's root node; `None` when the file has no front matter.
    pub root: Option<&'a Tree<'a>>,
}

fn missing_front_matter(ctx: &mut Ctx<'_>, doc: &DocFile<'_>, what: &str, example: &str) {
    ctx.error("missing-front-matter", Pos::file_start(doc.file), format!("{what} has no front matter"))
        .help(format!("start the file with a `---` line, then {example}, then a `---` line"));
}

pub fn unit(ctx: &mut Ctx<'_>, doc: &DocFile<'_>, folder: Option<String>) -> Option<Unit> {
    let Some(root) = doc.root else {
        missing_front_matter(ctx, doc, "the unit", "`name: \"...\"`");
        return None;
    };
    let f = Fields::new(ctx, root, "a unit", UNIT_FIELDS)?;
    let name = f.required(ctx, "name", "a unit").and_then(|n| decode::string(ctx, n));
    let spanned_id = |ctx: &mut Ctx<'_>, key: &str, kind: &str, check: fn(&str) -> bool| {
        let n = f.get(key)?;
        let id = decode::string(ctx, n)?;
        if !check(&id) {
            ctx.error("invalid-id", n.pos, format!("`{id}` is not a valid {kind} id"));
            return None;
        }
        Some(Spanned::new(id, n.pos))
    };
    let cluster = spanned_id(ctx, "cluster", "cluster", decode::is_key_id);
    let parent = spanned_id(ctx, "parent", "unit", decode::is_slug);
    let headcount = f.get("headcount").and_then(|n| non_negative(ctx, n, "headcount"));
    let registration = f.get("registration").and_then(|n| registration(ctx, n));
    let metrics = f.get("metrics").map(|n| metrics(ctx, n)).unwrap_or_default();
    let results = f.get("results").map(|n| results(ctx, n)).unwrap_or_default();
    Some(Unit {
        id: doc.id.to_string(),
        file: doc.file,
        folder,
        name: name?,
        short_name: f.string(ctx, "short_name"),
        cluster,
        parent,
        headcount,
        registration,
        metrics,
        results,
        body: doc.body.to_string(),
        pos: root.pos,
    })
}

fn non_negative(ctx: &mut Ctx<'_>, node: &Tree<'_>, what: &str) -> Option<Spanned<Decimal>> {
    let d = decode::spanned_decimal(ctx, node)?;
    if d.value.is_sign_negative() {
        ctx.error("negative-value", node.pos, format!("{what} cannot be negative, found {}", d.value));
        return None;
    }
    Some(d)
}

fn registration(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Registration> {
    // `registration: {}` and `registration:` with only a date both mean "registered".
    if node.is_null() {
        return Some(Registration { pos: node.pos, ..Registration::default() });
    }
    let f = Fields::new(ctx, node, "registration", REGISTRATION_FIELDS)?;
    let targets = f
        .get("targets")
        .map(|n| keyed(ctx, n, "targets", "criterion", decode::spanned_decimal))
        .unwrap_or_default();
    Some(Registration {
        date: f.date(ctx, "date"),
        pledge: f.string(ctx, "pledge"),
        targets,
        seeks: f.get("seeks").map(|n| ids(ctx, n, "seeks", "award")).unwrap_or_default(),
        pos: node.pos,
    })
}

/// A mapping from ids to values decoded by `value`; keys must be valid ids.
fn keyed<T>(
    ctx: &mut Ctx<'_>,
    node: &Tree<'_>,
    what: &str,
    kind: &str,
    value: fn(&mut Ctx<'_>, &Tree<'_>) -> Option<T>,
) -> IdMap<T> {
    let entries = decode::map_entries(ctx, node, what).unwrap_or_default();
    let mut out = Vec::with_capacity(entries.len());
    for (key, knode, vnode) in entries {
        if !decode::is_key_id(key) {
            ctx.error("invalid-id", knode.pos, format!("`{key}` is not a valid {kind} id in {what}"));
            continue;
        }
        if vnode.is_null() {
            continue;
        }
        if let Some(v) = value(ctx, vnode) {
            out.push((key.to_string(), v));
        }
    }
    out.into_iter().collect()
}

fn metrics(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> IdMap<Spanned<Decimal>> {
    let entries = decode::map_entries(ctx, node, "metrics").unwrap_or_default();
    let mut out = Vec::with_capacity(entries.len());
    for (key, knode, vnode) in entries {
        if RESERVED_METRICS.contains(&key) {
            let help = if key == "headcount" {
                "set the unit's `headcount` field instead"
            } else {
                "podium computes it; pick another metric name"
            };
            ctx.error("reserved-id", knode.pos, format!("`{key}` is a reserved metric name")).help(help);
        } else if !decode::is_key_id(key) {
            ctx.error("invalid-id", knode.pos, format!("`{key}` is not a valid metric name"));
        } else if let Some(v) = (!vnode.is_null()).then(|| decode::spanned_decimal(ctx, vnode)).flatten() {
            out.push((key.to_string(), v));
        }
    }
    out.into_iter().collect()
}

fn results(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> IdMap<PeriodResults> {
    let entries = decode::map_entries(ctx, node, "results").unwrap_or_default();
    let mut out = Vec::with_capacity(entries.len());
    for (period, knode, vnode) in entries {
        if !decode::is_key_id(period) {
            ctx.error("invalid-id", knode.pos, format!("`{period}` is not a valid period id"));
            continue;
        }
        let mut entry = PeriodResults { pos: knode.pos, ..PeriodResults::default() };
        if !vnode.is_null() {
            period_results(ctx, vnode, &mut entry);
        }
        out.push((period.to_string(), entry));
    }
    out.into_iter().collect()
}

// Maps are collected from vectors rather than filled by insert: keys are unique (map_entries
// drops repeats), and one sort of the collected entries is cheaper than sorted inserts.
fn period_results(ctx: &mut Ctx<'_>, node: &Tree<'_>, entry: &mut PeriodResults) {
    let entries = decode::map_entries(ctx, node, "a period's results").unwrap_or_default();
    let mut values = Vec::with_capacity(entries.len());
    for (key, knode, vnode) in entries {
        match key {
            "bonus" => entry.bonus = keyed(ctx, vnode, "bonus", "bonus item", count),
            "penalties" => entry.penalties = keyed(ctx, vnode, "penalties", "penalty item", count),
            "metrics" => entry.metrics = metrics(ctx, vnode),
            "notes" => entry.notes = keyed(ctx, vnode, "notes", "criterion", decode::spanned_string),
            "evidence" => entry.evidence = keyed(ctx, vnode, "evidence", "criterion", evidence_list),
            _ if !decode::is_key_id(key) => {
                ctx.error("invalid-id", knode.pos, format!("`{key}` is not a valid criterion id"));
            }
            _ => {
                if let Some(v) = value(ctx, vnode) {
                    values.push((key.to_string(), v));
                }
            }
        }
    }
    entry.values = values.into_iter().collect();
}

/// A count for a bonus or penalty item: a non-negative number.
fn count(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Spanned<Decimal>> {
    non_negative(ctx, node, "a count")
}

fn evidence_list(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Vec<Spanned<String>>> {
    match &node.kind {
        TreeKind::Seq(items) => Some(items.iter().filter_map(|n| decode::spanned_string(ctx, n)).collect()),
        _ => decode::spanned_string(ctx, node).map(|s| vec![s]),
    }
}

/// A criterion's actual value: a number, or `true`/`false`.
fn value(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Spanned<Value>> {
    if node.is_null() {
        return None;
    }
    if let TreeKind::Scalar { text, plain: true } = &node.kind {
        if let Some(b) = plain_bool(text) {
            return Some(Spanned::new(Value::Bool(b), node.pos));
        }
        if let Ok(d) = decode::parse_decimal(text) {
            return Some(Spanned::new(Value::Number(d), node.pos));
        }
    }
    let found = match &node.kind {
        TreeKind::Scalar { text, .. } => format!("\"{text}\""),
        _ => node.describe().to_string(),
    };
    let d = ctx.error(
        "wrong-type",
        node.pos,
        format!("a criterion's value must be a number or true/false, found {found}"),
    );
    if let TreeKind::Scalar { text, .. } = &node.kind {
        match text.to_lowercase().as_str() {
            "yes" | "y" | "on" | "có" | "đạt" => d.help("write true (YAML 1.2 reads `yes` as text)"),
            "no" | "n" | "off" | "không" => d.help("write false (YAML 1.2 reads `no` as text)"),
            t if t.contains(',') => d.help("write decimals with a point: 52.3, not 52,3"),
            _ => {}
        }
    }
    None
}

fn title_and_date(ctx: &mut Ctx<'_>, f: &Fields<'_>, what: &str) -> (Option<String>, Option<Date>) {
    let title = f.required(ctx, "title", what).and_then(|n| decode::string(ctx, n));
    let date = f.required(ctx, "date", what).and_then(|n| decode::date(ctx, n));
    (title, date)
}

pub fn news(ctx: &mut Ctx<'_>, doc: &DocFile<'_>) -> Option<News> {
    let Some(root) = doc.root else {
        missing_front_matter(ctx, doc, "the news item", "`title: \"...\"` and `date: 2016-06-30`");
        return None;
    };
    let f = Fields::new(ctx, root, "a news item", NEWS_FIELDS)?;
    let (title, date) = title_and_date(ctx, &f, "a news item");
    Some(News {
        id: doc.id.to_string(),
        title: title?,
        date: date?,
        summary: f.string(ctx, "summary"),
        units: f.get("units").map(|n| ids(ctx, n, "units", "unit")).unwrap_or_default(),
        draft: f.bool(ctx, "draft").unwrap_or(false),
        body: doc.body.to_string(),
        file: doc.file,
    })
}

pub fn agreement(ctx: &mut Ctx<'_>, doc: &DocFile<'_>) -> Option<Agreement> {
    let Some(root) = doc.root else {
        missing_front_matter(ctx, doc, "the agreement", "`title`, `date` and `parties`");
        return None;
    };
    let f = Fields::new(ctx, root, "an agreement", AGREEMENT_FIELDS)?;
    let (title, date) = title_and_date(ctx, &f, "an agreement");
    let parties = f.required(ctx, "parties", "an agreement").map(|n| ids(ctx, n, "parties", "unit"));
    let period = f.get("period").and_then(|n| decode::id(ctx, n, "period").map(|s| Spanned::new(s, n.pos)));
    Some(Agreement {
        id: doc.id.to_string(),
        title: title?,
        date: date?,
        parties: parties?,
        period,
        draft: f.bool(ctx, "draft").unwrap_or(false),
        body: doc.body.to_string(),
        file: doc.file,
    })
}

pub fn page(ctx: &mut Ctx<'_>, doc: &DocFile<'_>) -> Option<Page> {
    let Some(root) = doc.root else {
        missing_front_matter(ctx, doc, "the page", "`title: \"...\"`");
        return None;
    };
    let f = Fields::new(ctx, root, "a page", PAGE_FIELDS)?;
    let title = f.required(ctx, "title", "a page").and_then(|n| decode::string(ctx, n));
    let weight = f.get("weight").and_then(|n| {
        let d = decode::decimal(ctx, n)?;
        if !d.fract().is_zero() {
            ctx.error("wrong-type", n.pos, format!("weight must be a whole number, found {d}"));
            return None;
        }
        i64::try_from(d.trunc().mantissa()).ok().map(|m| if d.is_sign_negative() && m > 0 { -m } else { m })
    });
    Some(Page {
        id: doc.id.to_string(),
        title: title?,
        draft: f.bool(ctx, "draft").unwrap_or(false),
        weight,
        body: doc.body.to_string(),
        file: doc.file,
    })
}

pub fn home(ctx: &mut Ctx<'_>, doc: &DocFile<'_>) -> Home {
    let title = doc
        .root
        .and_then(|root| Fields::new(ctx, root, "index.md", &["title"]))
        .and_then(|f| f.string(ctx, "title"));
    Home { title, body: doc.body.to_string() }
}
