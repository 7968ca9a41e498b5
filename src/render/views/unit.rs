//! The unit page: details, registration, and for every period each criterion's points with
//! the computation in words and numbers, bonus and penalties, totals, ranks, tier, awards; a
//! trend across periods.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ctx, Link, RankView, TierView};
use crate::model::{Bands, Criterion, Item, Method, Unit, Value};
use crate::render::charts;
use crate::render::i18n::Missing;
use crate::scoring::{AwardStatus, CriterionScore, ItemScore};

#[derive(Debug, Serialize)]
pub struct UnitPage {
    pub unit: UnitInfo,
    /// One per declared period, in order.
    pub periods: Vec<UnitPeriod>,
    /// Inline SVG of the total across periods (its text alternative is `trend`).
    pub trend_svg: String,
    pub trend: Vec<TrendPoint>,
    pub awards: Vec<AwardMention>,
    pub agreements: Vec<DatedLink>,
    pub news: Vec<DatedLink>,
}

#[derive(Debug, Serialize)]
pub struct UnitInfo {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub cluster: Option<Link>,
    pub parent: Option<Link>,
    pub children: Vec<Link>,
    pub headcount: Option<String>,
    pub registered: bool,
    pub registration: Option<RegistrationView>,
    pub body_html: String,
}

#[derive(Debug, Serialize)]
pub struct RegistrationView {
    pub date: Option<String>,
    pub pledge: Option<String>,
    pub targets: Vec<TargetView>,
    pub seeks: Vec<Link>,
}

#[derive(Debug, Serialize)]
pub struct TargetView {
    pub criterion: Link,
    pub target: String,
    pub default_target: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UnitPeriod {
    pub id: String,
    pub title: String,
    pub current: bool,
    pub reported: bool,
    pub total: String,
    pub total_raw: String,
    pub rank: RankView,
    pub cluster_rank: RankView,
    pub ranked: usize,
    pub tier: Option<TierView>,
    pub bonus: String,
    pub bonus_capped: bool,
    pub penalty: String,
    pub penalty_capped: bool,
    pub bonus_items: Vec<ItemRow>,
    pub penalty_items: Vec<ItemRow>,
    pub groups: Vec<GroupRows>,
    /// The whole period section as HTML, written by podium when the theme is the built-in one
    /// (`render/fast.rs`); `groups` is then empty.
    pub html: Option<String>,
    pub criteria_points: String,
    pub scoreboard_url: String,
}

#[derive(Debug, Serialize)]
pub struct GroupRows {
    pub id: String,
    pub title: String,
    pub points: String,
    pub max: String,
    pub criteria: Vec<CriterionRow>,
}

#[derive(Debug, Serialize)]
pub struct CriterionRow {
    pub id: String,
    pub title: String,
    pub url: String,
    pub method: &'static str,
    pub method_label: String,
    /// The actual value as given (`52,3`, or the localised yes/no), absent when not given.
    pub value: Option<String>,
    /// Display unit of the value (`%`).
    pub unit: Option<String>,
    pub target: Option<String>,
    pub target_overridden: bool,
    pub points: String,
    pub points_raw: String,
    pub max: String,
    /// The computation in words and numbers.
    pub explanation: Option<String>,
    pub missing: bool,
    pub capped: bool,
    pub note: Option<String>,
    pub evidence: Vec<Link>,
}

#[derive(Debug, Serialize)]
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub count: String,
    pub points: String,
    pub capped: bool,
    pub explanation: String,
}

#[derive(Debug, Serialize)]
pub struct TrendPoint {
    pub period: String,
    pub total: Option<String>,
    pub rank: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct AwardMention {
    pub title: String,
    pub url: String,
    pub period: String,
    pub scope: String,
    /// `proposed` or `tie`.
    pub status: &'static str,
}

#[derive(Debug, Serialize, Clone)]
pub struct DatedLink {
    pub title: String,
    pub url: String,
    pub date: String,
}

/// What a criterion's row shows in every period, formatted once per page.
struct CriterionText {
    url: String,
    method_label: String,
    max: String,
}

/// The page of unit `index`; each period's `groups` left empty when `render/fast.rs` is to
/// write the rows (`with_rows` false).
pub fn build(ctx: &Ctx<'_>, index: usize, with_rows: bool) -> Result<UnitPage, Missing> {
    let unit = &ctx.corpus.units[index];
    let texts = if with_rows {
        ctx.corpus
            .criteria()
            .map(|k| {
                Ok(CriterionText {
                    url: format!("criteria/{}/", k.id),
                    method_label: ctx.t(&format!("method.{}", k.method.name()))?,
                    max: ctx.fmt.as_written(k.max),
                })
            })
            .collect::<Result<Vec<_>, Missing>>()?
    } else {
        Vec::new()
    };
    let periods = (0..ctx.standings.periods.len())
        .map(|p| period(ctx, &texts, index, p, with_rows))
        .collect::<Result<Vec<_>, _>>()?;
    let trend: Vec<TrendPoint> = periods
        .iter()
        .map(|p| TrendPoint {
            period: p.title.clone(),
            total: p.reported.then(|| p.total.clone()),
            rank: p.rank.rank,
        })
        .collect();
    let max = table_max(ctx);
    let points: Vec<(String, Option<f64>, String)> = ctx
        .standings
        .periods
        .iter()
        .zip(&periods)
        .map(|(ps, view)| {
            let s = &ps.units[index];
            let value = s.reported.then(|| decimal_f64(s.total));
            (view.title.clone(), value, if s.reported { view.total.clone() } else { "—".into() })
        })
        .collect();
    let trend_title = ctx.strings.format("unit.trend_title", &[("name", &unit.name)])?;
    Ok(UnitPage {
        unit: info(ctx, index)?,
        trend_svg: charts::trend(&trend_title, &points, max),
        trend,
        awards: awards(ctx, index)?,
        agreements: agreements(ctx, unit),
        news: news(ctx, unit),
        periods,
    })
}

/// The table's maximum (sum of `max`), the natural top of a total's scale.
pub fn table_max(ctx: &Ctx<'_>) -> f64 {
    decimal_f64(ctx.corpus.criteria().map(|c| c.max).sum::<Decimal>())
}

/// A decimal as f64, only for placing chart shapes (exact numbers are shown as text).
pub fn decimal_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

fn info(ctx: &Ctx<'_>, index: usize) -> Result<UnitInfo, Missing> {
    let c = ctx.corpus;
    let unit = &c.units[index];
    let parent = unit.parent.as_ref().and_then(|p| c.unit_index(&p.value)).map(|i| ctx.unit_link(i));
    let children = ctx.idx.children[index].iter().map(|&i| ctx.unit_link(i)).collect();
    let registration = unit.registration.as_ref().map(|r| RegistrationView {
        date: r.date.map(|d| ctx.fmt.date(d)),
        pledge: r.pledge.clone(),
        targets: r
            .targets
            .iter()
            .filter_map(|(id, t)| {
                let k = c.criteria().find(|k| &k.id == id)?;
                Some(TargetView {
                    criterion: Link {
                        title: format!("{} {}", k.id, k.title),
                        url: format!("criteria/{}/", k.id),
                    },
                    target: ctx.fmt.as_written(t.value),
                    default_target: k.target().map(|d| ctx.fmt.as_written(d)),
                })
            })
            .collect(),
        seeks: r
            .seeks
            .iter()
            .filter_map(|a| c.campaign.awards.iter().find(|x| x.id == a.value))
            .map(|a| Link { title: a.title.clone(), url: format!("awards/#award-{}", a.id) })
            .collect(),
    });
    Ok(UnitInfo {
        id: unit.id.clone(),
        name: unit.name.clone(),
        short_name: unit.short_name.clone(),
        cluster: ctx.cluster_of(index).map(|i| ctx.cluster_link(i)),
        parent,
        children,
        headcount: unit.headcount.as_ref().map(|h| ctx.fmt.as_written(h.value)),
        registered: unit.registration.is_some(),
        registration,
        body_html: ctx.markdown(&unit.body),
    })
}

/// One period of the unit page; `texts` are used (and the rows made) only `with_rows`.
fn period(
    ctx: &Ctx<'_>,
    texts: &[CriterionText],
    index: usize,
    p: usize,
    with_rows: bool,
) -> Result<UnitPeriod, Missing> {
    let c = ctx.corpus;
    let period = &c.campaign.periods[p];
    let ps = ctx.period(p);
    let s = &ps.units[index];
    let results = c.units[index].results.get(&period.id);
    let mut groups = Vec::with_capacity(c.criteria.groups.len());
    let mut k = 0;
    let mut criteria_sum = Decimal::ZERO;
    for g in &c.criteria.groups {
        let mut rows = Vec::with_capacity(if with_rows { g.criteria.len() } else { 0 });
        let mut sum = Decimal::ZERO;
        for criterion in &g.criteria {
            let score = &s.criteria[k];
            sum += score.points;
            if with_rows {
                rows.push(criterion_row(ctx, criterion, &texts[k], score, results, s.reported)?);
            }
            k += 1;
        }
        criteria_sum += sum;
        if with_rows {
            groups.push(GroupRows {
                id: g.id.clone(),
                title: g.title.clone(),
                points: ctx.fmt.points(sum),
                max: ctx.fmt.as_written(g.criteria.iter().map(|x| x.max).sum()),
                criteria: rows,
            });
        }
    }
    Ok(UnitPeriod {
        id: period.id.clone(),
        title: period.title.clone(),
        current: p == ctx.current(),
        reported: s.reported,
        total: ctx.fmt.points(s.total),
        total_raw: ctx.fmt.raw(s.total),
        rank: RankView::new(&ctx.fmt, s.rank, s.rank_change),
        cluster_rank: RankView::new(&ctx.fmt, s.cluster_rank, s.cluster_rank_change),
        ranked: ps.ranking.len(),
        tier: ctx.tier_view(s.tier),
        bonus: ctx.fmt.points(s.bonus_total),
        bonus_capped: s.bonus_capped,
        penalty: ctx.fmt.points(s.penalty_total),
        penalty_capped: s.penalty_capped,
        bonus_items: items(ctx, &s.bonus, c.criteria.bonus_items())?,
        penalty_items: items(ctx, &s.penalties, c.criteria.penalty_items())?,
        groups,
        html: None,
        criteria_points: ctx.fmt.points(criteria_sum),
        scoreboard_url: format!("scoreboard/{}/", period.id),
    })
}

fn criterion_row(
    ctx: &Ctx<'_>,
    k: &Criterion,
    text: &CriterionText,
    score: &CriterionScore,
    results: Option<&crate::model::PeriodResults>,
    reported: bool,
) -> Result<CriterionRow, Missing> {
    let value = match score.value {
        Some(Value::Number(n)) => Some(ctx.fmt.as_written(n)),
        Some(Value::Bool(b)) => Some(ctx.t(if b { "value.yes" } else { "value.no" })?),
        None => None,
    };
    let points = ctx.fmt.points(score.points);
    let explanation = if explains(score, reported) {
        let fill = |key: &'static str, args: &[(&str, &str)]| ctx.strings.format(key, args);
        Some(explain(ctx, k, score, &points, &text.max, &mut String::new(), fill)?)
    } else {
        None
    };
    let evidence = results
        .and_then(|r| r.evidence.get(&k.id))
        .map(|paths| paths.iter().map(|p| evidence_link(&p.value)).collect())
        .unwrap_or_default();
    Ok(CriterionRow {
        id: k.id.clone(),
        title: k.title.clone(),
        url: text.url.clone(),
        method: k.method.name(),
        method_label: text.method_label.clone(),
        value,
        unit: k.unit.clone(),
        target: score.target.map(|t| ctx.fmt.as_written(t)),
        target_overridden: score.target_overridden,
        points,
        points_raw: ctx.fmt.raw(score.points),
        max: text.max.clone(),
        explanation,
        missing: score.missing,
        capped: score.capped,
        note: results.and_then(|r| r.notes.get(&k.id)).map(|n| n.value.clone()),
        evidence,
    })
}

/// An evidence entry: a URL as is, or a file beside the unit's page (copied there).
fn evidence_link(path: &str) -> Link {
    Link { title: evidence_title(path).to_string(), url: path.to_string() }
}

/// What an evidence entry shows: a URL whole, a file by its name.
pub fn evidence_title(path: &str) -> &str {
    if path.starts_with("http://") || path.starts_with("https://") {
        path
    } else {
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// Whether a criterion's row explains its points: it has a value, or the unit reported and
/// left this one out.
pub fn explains(score: &CriterionScore, reported: bool) -> bool {
    score.value.is_some() || (reported && score.missing)
}

/// The computation behind a criterion's points, in the UI language: the key of its sentence
/// and the values of its placeholders, given to `fill` (which makes the view's String, or
/// writes the sentence escaped into a page in `render/fast.rs`). `points` and `max` are the
/// row's, already formatted; the other numbers are formatted into `scratch`, so that a page
/// that explains thousands of points reuses one buffer for them.
pub fn explain<R>(
    ctx: &Ctx<'_>,
    k: &Criterion,
    s: &CriterionScore,
    points: &str,
    max: &str,
    scratch: &mut String,
    fill: impl FnOnce(&'static str, &[(&str, &str)]) -> Result<R, Missing>,
) -> Result<R, Missing> {
    let f = &ctx.fmt;
    let Some(value) = s.value else {
        return fill("explain.missing", &[("points", points)]);
    };
    let number = match value {
        Value::Number(n) => n,
        Value::Bool(b) => {
            let key = if b { "explain.pass" } else { "explain.fail" };
            return fill(key, &[("points", points), ("max", max)]);
        }
    };
    scratch.clear();
    let a = put(scratch, |o| f.push_as_written(o, number));
    match &k.method {
        Method::Assessed => fill("explain.assessed", &[("points", points), ("max", max)]),
        Method::Proportional { cap, .. } | Method::Inverse { cap, .. } => {
            let t = s.target.unwrap_or(Decimal::ONE);
            let inverse = matches!(k.method, Method::Inverse { .. });
            if inverse && number.is_zero() {
                let cap = put(scratch, |o| f.push_ratio_percent(o, *cap));
                return fill(
                    "explain.inverse_zero",
                    &[("max", max), ("cap", &scratch[cap]), ("points", points)],
                );
            }
            let ratio =
                if inverse { t.checked_div(number) } else { number.checked_div(t) }.unwrap_or(Decimal::ZERO);
            let key = match (inverse, s.capped) {
                (false, false) => "explain.proportional",
                (false, true) => "explain.proportional_capped",
                (true, false) => "explain.inverse",
                (true, true) => "explain.inverse_capped",
            };
            let target = put(scratch, |o| f.push_as_written(o, t));
            let ratio = put(scratch, |o| f.push_ratio_percent(o, ratio));
            let cap = put(scratch, |o| f.push_ratio_percent(o, *cap));
            let args = [
                ("value", &scratch[a]),
                ("target", &scratch[target]),
                ("ratio", &scratch[ratio]),
                ("cap", &scratch[cap]),
                ("max", max),
                ("points", points),
            ];
            fill(key, &args)
        }
        Method::Bands { bands } => {
            let (list, key) = match bands {
                Bands::Min(b) => (b, "explain.band_min"),
                Bands::Max(b) => (b, "explain.band_max"),
            };
            match s.band.and_then(|i| list.get(i)) {
                Some(band) => {
                    let bound = put(scratch, |o| f.push_as_written(o, band.bound));
                    fill(key, &[("value", &scratch[a]), ("bound", &scratch[bound]), ("points", points)])
                }
                None => fill("explain.band_none", &[("value", &scratch[a]), ("points", points)]),
            }
        }
        Method::PerItem { per } => {
            let raw = put(scratch, |o| f.push_as_written(o, number * per));
            let key = if s.capped { "explain.per_item_capped" } else { "explain.per_item" };
            let per = put(scratch, |o| f.push_as_written(o, *per));
            fill(
                key,
                &[
                    ("value", &scratch[a]),
                    ("per", &scratch[per]),
                    ("raw", &scratch[raw]),
                    ("max", max),
                    ("points", points),
                ],
            )
        }
        Method::PassFail => fill("explain.pass", &[("points", points), ("max", max)]),
    }
}

/// Appends what `write` writes to `scratch` and returns where it is.
fn put(scratch: &mut String, write: impl FnOnce(&mut String)) -> std::ops::Range<usize> {
    let start = scratch.len();
    write(scratch);
    start..scratch.len()
}

fn items(ctx: &Ctx<'_>, scores: &[ItemScore], table: &[Item]) -> Result<Vec<ItemRow>, Missing> {
    scores
        .iter()
        .map(|s| {
            let item = &table[s.item];
            let f = &ctx.fmt;
            let points = f.points(s.points);
            let raw = f.as_written(s.count * item.points);
            let key = if s.capped { "explain.item_capped" } else { "explain.item" };
            let max = item.max.map(|m| f.as_written(m)).unwrap_or_default();
            let args = [
                ("count", f.as_written(s.count)),
                ("each", f.as_written(item.points)),
                ("raw", raw),
                ("max", max),
                ("points", points.clone()),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Ok(ItemRow {
                id: item.id.clone(),
                title: item.title.clone().unwrap_or_else(|| item.id.clone()),
                count: f.as_written(s.count),
                points,
                capped: s.capped,
                explanation: ctx.strings.format(key, &args)?,
            })
        })
        .collect()
}

fn awards(ctx: &Ctx<'_>, index: usize) -> Result<Vec<AwardMention>, Missing> {
    let c = ctx.corpus;
    ctx.idx.awards_of[index]
        .iter()
        .map(|&(o, s, e)| {
            let outcome = &ctx.standings.awards[o];
            let scope = &outcome.scopes[s];
            let award = &c.campaign.awards[outcome.award];
            Ok(AwardMention {
                title: award.title.clone(),
                url: format!("awards/#award-{}", award.id),
                period: c.campaign.periods[outcome.period].title.clone(),
                scope: match scope.cluster {
                    Some(cl) => c.campaign.clusters[cl].title.clone(),
                    None => ctx.t("awards.overall")?,
                },
                status: match scope.entries[e].status {
                    AwardStatus::Proposed => "proposed",
                    AwardStatus::Tie => "tie",
                },
            })
        })
        .collect()
}

fn agreements(ctx: &Ctx<'_>, unit: &Unit) -> Vec<DatedLink> {
    ctx.corpus
        .agreements
        .iter()
        .filter(|a| ctx.drafts || !a.draft)
        .filter(|a| a.parties.iter().any(|p| p.value == unit.id))
        .map(|a| DatedLink {
            title: a.title.clone(),
            url: format!("agreements/{}/", a.id),
            date: ctx.fmt.date(a.date),
        })
        .collect()
}

fn news(ctx: &Ctx<'_>, unit: &Unit) -> Vec<DatedLink> {
    let mut items: Vec<_> = ctx
        .corpus
        .news
        .iter()
        .filter(|n| ctx.drafts || !n.draft)
        .filter(|n| n.units.iter().any(|u| u.value == unit.id))
        .collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    items
        .iter()
        .map(|n| DatedLink {
            title: n.title.clone(),
            url: format!("news/{}/", n.id),
            date: ctx.fmt.date(n.date),
        })
        .collect()
}
