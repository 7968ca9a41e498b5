//! Ranked tables: the scoreboard per period, cluster pages, the per-criterion ranking and the
//! printable report.

use rust_decimal::Decimal;
use serde::Serialize;

use super::misc::{AwardView, IndicatorRow, award_view, indicator_row};
use super::unit::{decimal_f64, table_max};
use super::{Ctx, Link, PeriodNav, RankView, TierView, period_nav};
use crate::model::{Bands, Criterion, Method};
use crate::render::charts;
use crate::render::i18n::Missing;

#[derive(Debug, Serialize, Clone)]
pub struct PeriodHead {
    pub id: String,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub current: bool,
}

pub fn period_head(ctx: &Ctx<'_>, p: usize) -> PeriodHead {
    let period = &ctx.corpus.campaign.periods[p];
    PeriodHead {
        id: period.id.clone(),
        title: period.title.clone(),
        start: period.start.map(|d| ctx.fmt.date(d)),
        end: period.end.map(|d| ctx.fmt.date(d)),
        current: p == ctx.current(),
    }
}

#[derive(Debug, Serialize, Clone)]
pub struct CriterionHead {
    pub id: String,
    pub title: String,
    pub url: String,
    pub max: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct BoardRow {
    pub rank: RankView,
    pub cluster_rank: RankView,
    pub unit: Link,
    pub short_name: Option<String>,
    pub cluster: Option<Link>,
    pub total: String,
    pub total_raw: String,
    pub tier: Option<TierView>,
    pub bonus: String,
    pub penalty: String,
    /// One per criterion, in table order.
    pub points: Vec<Cell>,
}

#[derive(Debug, Serialize, Clone)]
pub struct Cell {
    pub text: String,
    pub raw: String,
}

#[derive(Debug, Serialize)]
pub struct ScoreboardPage {
    pub period: PeriodHead,
    pub periods: Vec<PeriodNav>,
    pub criteria: Vec<CriterionHead>,
    pub rows: Vec<BoardRow>,
    /// The rows as HTML, written by podium instead of the template loop when the theme is
    /// the built-in one (`render/fast.rs`); the list above is then empty.
    pub rows_html: Option<String>,
    pub reported: usize,
    pub units: usize,
    pub chart_svg: String,
    /// How many bars the chart has: the first units of the ranking, at most `CHART_BARS`.
    pub chart_bars: usize,
    pub downloads: Vec<Link>,
}

pub fn criterion_heads(ctx: &Ctx<'_>) -> Vec<CriterionHead> {
    ctx.corpus
        .criteria()
        .map(|k| CriterionHead {
            id: k.id.clone(),
            title: k.title.clone(),
            url: format!("criteria/{}/", k.id),
            max: ctx.fmt.as_written(k.max),
        })
        .collect()
}

pub fn board_row(ctx: &Ctx<'_>, p: usize, unit: usize) -> BoardRow {
    let s = &ctx.period(p).units[unit];
    BoardRow {
        rank: RankView::new(&ctx.fmt, s.rank, s.rank_change),
        cluster_rank: RankView::new(&ctx.fmt, s.cluster_rank, s.cluster_rank_change),
        unit: ctx.unit_link(unit),
        short_name: ctx.corpus.units[unit].short_name.clone(),
        cluster: ctx.cluster_of(unit).map(|c| ctx.cluster_link(c)),
        total: ctx.fmt.points(s.total),
        total_raw: ctx.fmt.raw(s.total),
        tier: ctx.tier_view(s.tier),
        bonus: ctx.fmt.points(s.bonus_total),
        penalty: ctx.fmt.points(s.penalty_total),
        points: s
            .criteria
            .iter()
            .map(|c| Cell { text: ctx.fmt.points(c.points), raw: ctx.fmt.raw(c.points) })
            .collect(),
    }
}

/// The most bars a ranking's chart shows. A bar per unit stops being readable long before a big
/// campaign's thousands (10,000 bars are 300,000 px tall, and the chart's text description
/// would list every one), so past this many the chart shows the top of the ranking and says so.
pub const CHART_BARS: usize = 30;

/// A bar for each of the first `CHART_BARS` units of a ranking: the chart beside the ranking
/// (the table is its text alternative). Also returns how many bars it has.
fn totals_chart(ctx: &Ctx<'_>, title: &str, p: usize, units: &[usize]) -> Result<(String, usize), Missing> {
    let shown = &units[..units.len().min(CHART_BARS)];
    let title = if shown.len() < units.len() {
        let (n, of) = (shown.len().to_string(), units.len().to_string());
        ctx.strings.format("chart.first_of", &[("chart", title), ("shown", &n), ("count", &of)])?
    } else {
        title.to_string()
    };
    let bars: Vec<charts::Bar> = shown
        .iter()
        .map(|&u| {
            let s = &ctx.period(p).units[u];
            let unit = &ctx.corpus.units[u];
            let label = unit.short_name.clone().unwrap_or_else(|| unit.name.clone());
            charts::Bar { label, value: decimal_f64(s.total), display: ctx.fmt.points(s.total) }
        })
        .collect();
    let max = bars.iter().map(|b| b.value).fold(table_max(ctx), f64::max);
    Ok((charts::bars(&title, &bars, max), shown.len()))
}

/// The rows of a ranking, or none when `render/fast.rs` is to write them (`with_rows` false).
fn rows_of(ctx: &Ctx<'_>, p: usize, units: &[usize], with_rows: bool) -> Vec<BoardRow> {
    if !with_rows {
        return Vec::new();
    }
    units.iter().map(|&u| board_row(ctx, p, u)).collect()
}

pub fn scoreboard(ctx: &Ctx<'_>, p: usize, with_rows: bool) -> Result<ScoreboardPage, Missing> {
    let ps = ctx.period(p);
    let head = period_head(ctx, p);
    let title = ctx.strings.format("scoreboard.chart_title", &[("period", &head.title)])?;
    let (chart_svg, chart_bars) = totals_chart(ctx, &title, p, &ps.ranking)?;
    Ok(ScoreboardPage {
        periods: period_nav(ctx, "scoreboard/", p),
        criteria: criterion_heads(ctx),
        rows: rows_of(ctx, p, &ps.ranking, with_rows),
        rows_html: None,
        reported: ps.ranking.len(),
        units: ctx.corpus.units.len(),
        chart_svg,
        chart_bars,
        downloads: ctx.downloads(&["results.csv", "campaign.json"])?,
        period: head,
    })
}

#[derive(Debug, Serialize)]
pub struct ClusterInfo {
    pub id: String,
    pub title: String,
    pub url: String,
    pub description_html: Option<String>,
    pub members: usize,
}

#[derive(Debug, Serialize)]
pub struct ClusterPage {
    pub cluster: ClusterInfo,
    pub period: PeriodHead,
    pub periods: Vec<PeriodNav>,
    pub criteria: Vec<CriterionHead>,
    pub rows: Vec<BoardRow>,
    /// The rows as HTML, written by podium instead of the template loop when the theme is
    /// the built-in one (`render/fast.rs`); the list above is then empty.
    pub rows_html: Option<String>,
    /// Members that did not report in the period.
    pub not_reported: Vec<Link>,
    /// How many members are ranked (reported) in the period.
    pub ranked: usize,
    pub chart_svg: String,
    /// How many bars the chart has: the first units of the ranking, at most `CHART_BARS`.
    pub chart_bars: usize,
    pub downloads: Vec<Link>,
}

pub fn cluster_info(ctx: &Ctx<'_>, c: usize) -> ClusterInfo {
    let cluster = &ctx.corpus.campaign.clusters[c];
    ClusterInfo {
        id: cluster.id.clone(),
        title: cluster.title.clone(),
        url: format!("clusters/{}/", cluster.id),
        description_html: ctx.markdown_opt(cluster.description.as_deref()),
        members: ctx.idx.cluster_members[c].len(),
    }
}

/// The ranking of cluster `c` in period `p` (empty when no member reported).
pub fn cluster_ranking<'a>(ctx: &'a Ctx<'_>, c: usize, p: usize) -> &'a [usize] {
    let ps = ctx.period(p);
    ps.clusters.iter().find(|r| r.cluster == c).map(|r| r.ranking.as_slice()).unwrap_or(&[])
}

pub fn cluster(ctx: &Ctx<'_>, c: usize, p: usize, with_rows: bool) -> Result<ClusterPage, Missing> {
    let ps = ctx.period(p);
    let ranking = cluster_ranking(ctx, c, p);
    let info = cluster_info(ctx, c);
    let head = period_head(ctx, p);
    let title =
        ctx.strings.format("cluster.chart_title", &[("cluster", &info.title), ("period", &head.title)])?;
    let not_reported = ctx.idx.cluster_members[c]
        .iter()
        .filter(|&&u| !ps.units[u].reported)
        .map(|&u| ctx.unit_link(u))
        .collect();
    let (chart_svg, chart_bars) = totals_chart(ctx, &title, p, ranking)?;
    Ok(ClusterPage {
        periods: period_nav(ctx, &format!("clusters/{}/", info.id), p),
        criteria: criterion_heads(ctx),
        rows: rows_of(ctx, p, ranking, with_rows),
        rows_html: None,
        not_reported,
        ranked: ranking.len(),
        chart_svg,
        chart_bars,
        downloads: ctx.downloads(&["results.csv"])?,
        cluster: info,
        period: head,
    })
}

#[derive(Debug, Serialize)]
pub struct ClustersPage {
    pub clusters: Vec<ClusterSummary>,
}

#[derive(Debug, Serialize)]
pub struct ClusterSummary {
    pub cluster: ClusterInfo,
    pub leaders: Vec<BoardRow>,
}

pub fn clusters(ctx: &Ctx<'_>) -> ClustersPage {
    let p = ctx.current();
    let ps = ctx.period(p);
    ClustersPage {
        clusters: ps
            .clusters
            .iter()
            .map(|r| ClusterSummary {
                cluster: cluster_info(ctx, r.cluster),
                leaders: r.ranking.iter().take(3).map(|&u| board_row(ctx, p, u)).collect(),
            })
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct CriterionInfo {
    pub id: String,
    pub title: String,
    pub url: String,
    pub group: Link,
    pub max: String,
    pub method: &'static str,
    pub method_label: String,
    /// How points are computed, in words (e.g. "max × min(value / target, 120%)").
    pub rule: String,
    pub target: Option<String>,
    pub cap: Option<String>,
    pub per: Option<String>,
    /// `min` or `max` for band criteria.
    pub band_kind: Option<&'static str>,
    pub bands: Vec<BandView>,
    pub unit: Option<String>,
    pub description_html: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BandView {
    pub bound: String,
    pub points: String,
}

pub fn criterion_info(
    ctx: &Ctx<'_>,
    group: &crate::model::Group,
    k: &Criterion,
) -> Result<CriterionInfo, Missing> {
    let f = &ctx.fmt;
    let (target, cap, per, band_kind, bands) = match &k.method {
        Method::Proportional { target, cap } | Method::Inverse { target, cap } => {
            (Some(f.as_written(*target)), Some(f.ratio_percent(*cap)), None, None, Vec::new())
        }
        Method::PerItem { per } => (None, None, Some(f.as_written(*per)), None, Vec::new()),
        Method::Bands { bands } => {
            let (kind, list) = match bands {
                Bands::Min(b) => ("min", b),
                Bands::Max(b) => ("max", b),
            };
            let views = list
                .iter()
                .map(|b| BandView { bound: f.as_written(b.bound), points: f.as_written(b.points) })
                .collect();
            (None, None, None, Some(kind), views)
        }
        Method::Assessed | Method::PassFail => (None, None, None, None, Vec::new()),
    };
    let args = [
        ("max", f.as_written(k.max)),
        ("target", target.clone().unwrap_or_default()),
        ("cap", cap.clone().unwrap_or_default()),
        ("per", per.clone().unwrap_or_default()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(a, b)| (*a, b.as_str())).collect();
    Ok(CriterionInfo {
        id: k.id.clone(),
        title: k.title.clone(),
        url: format!("criteria/{}/", k.id),
        group: Link { title: group.title.clone(), url: format!("criteria/#group-{}", group.id) },
        max: f.as_written(k.max),
        method: k.method.name(),
        method_label: ctx.t(&format!("method.{}", k.method.name()))?,
        rule: ctx.strings.format(&format!("rule.{}", k.method.name()), &args)?,
        target,
        cap,
        per,
        band_kind,
        bands,
        unit: k.unit.clone(),
        description_html: ctx.markdown_opt(k.description.as_deref()),
    })
}

#[derive(Debug, Serialize)]
pub struct CriterionPage {
    pub criterion: CriterionInfo,
    pub periods: Vec<CriterionPeriod>,
}

#[derive(Debug, Serialize)]
pub struct CriterionPeriod {
    pub period: PeriodHead,
    pub rows: Vec<CriterionRankRow>,
    /// The rows as HTML, written by podium instead of the template loop when the theme is
    /// the built-in one (`render/fast.rs`); the list above is then empty.
    pub rows_html: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CriterionRankRow {
    pub rank: u32,
    pub unit: Link,
    pub value: Option<String>,
    pub target: Option<String>,
    pub target_overridden: bool,
    pub points: String,
    pub points_raw: String,
}

/// The ranking on criterion `ki` in period `p`: reporting units by points (competition ranks),
/// then name; each unit with its rank.
pub fn criterion_order(ctx: &Ctx<'_>, p: usize, ki: usize) -> Vec<(usize, u32)> {
    let ps = ctx.period(p);
    let points = |u: usize| ps.units[u].criteria[ki].points;
    // The sort keys are gathered first: comparing through each unit's scores jumped around
    // memory, which at 100,000 units made these sorts a tenth of the whole build.
    let keyed: Vec<(Decimal, u32, usize)> =
        ps.ranking.iter().map(|&u| (points(u), ctx.idx.name_order[u], u)).collect();
    let mut previous: Option<(Decimal, u32)> = None;
    by_points(keyed, ctx.corpus.campaign.precision)
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let points = points(u);
            let rank = match previous {
                Some((before, rank)) if before == points => rank,
                _ => i as u32 + 1,
            };
            previous = Some((points, rank));
            (u, rank)
        })
        .collect()
}

/// The units of `keyed` (points, name position, unit) by points, highest first, then by name
/// position. Name positions are distinct, so the order is total and an unstable sort gives the
/// same. Points rounded to the campaign's `precision` compare as whole numbers of its smallest
/// step, much faster than as `Decimal`s (a 10,000-unit site sorts 120 such rankings); any other
/// point falls back to comparing `Decimal`s.
fn by_points(keyed: Vec<(Decimal, u32, usize)>, precision: u32) -> Vec<usize> {
    let steps = |mut d: Decimal| {
        if d.scale() > precision {
            return None;
        }
        d.rescale(precision);
        (d.scale() == precision).then(|| d.mantissa())
    };
    let whole: Option<Vec<(i128, u32, usize)>> =
        keyed.iter().map(|&(d, name, u)| steps(d).map(|n| (-n, name, u))).collect();
    match whole {
        Some(mut whole) => {
            whole.sort_unstable();
            whole.into_iter().map(|(_, _, u)| u).collect()
        }
        None => {
            let mut keyed = keyed;
            keyed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            keyed.into_iter().map(|(_, _, u)| u).collect()
        }
    }
}

/// One row of a criterion ranking (`criterion_order` gives the unit and rank).
pub fn criterion_row(
    ctx: &Ctx<'_>,
    p: usize,
    ki: usize,
    u: usize,
    rank: u32,
) -> Result<CriterionRankRow, Missing> {
    let c = &ctx.period(p).units[u].criteria[ki];
    Ok(CriterionRankRow {
        rank,
        unit: ctx.unit_link(u),
        value: match c.value {
            Some(crate::model::Value::Number(n)) => Some(ctx.fmt.as_written(n)),
            Some(crate::model::Value::Bool(b)) => Some(ctx.t(if b { "value.yes" } else { "value.no" })?),
            None => None,
        },
        target: c.target.map(|t| ctx.fmt.as_written(t)),
        target_overridden: c.target_overridden,
        points: ctx.fmt.points(c.points),
        points_raw: ctx.fmt.raw(c.points),
    })
}

/// The page of one criterion: its rule and its ranking in every period (rows left out when
/// `render/fast.rs` is to write them, `with_rows` false).
pub fn criterion(
    ctx: &Ctx<'_>,
    group: &crate::model::Group,
    k: &Criterion,
    ki: usize,
    with_rows: bool,
) -> Result<CriterionPage, Missing> {
    let mut periods = Vec::new();
    for p in 0..ctx.standings.periods.len() {
        let rows = if with_rows {
            criterion_order(ctx, p, ki)
                .into_iter()
                .map(|(u, rank)| criterion_row(ctx, p, ki, u, rank))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        periods.push(CriterionPeriod { period: period_head(ctx, p), rows, rows_html: None });
    }
    Ok(CriterionPage { criterion: criterion_info(ctx, group, k)?, periods })
}

#[derive(Debug, Serialize)]
pub struct ReportPage {
    pub period: PeriodHead,
    pub periods: Vec<PeriodNav>,
    pub reported: usize,
    pub units: usize,
    pub indicators: Vec<IndicatorRow>,
    pub criteria: Vec<CriterionHead>,
    pub overall: Vec<BoardRow>,
    /// The rows as HTML, written by podium instead of the template loop when the theme is
    /// the built-in one (`render/fast.rs`); the list above is then empty.
    pub overall_html: Option<String>,
    pub clusters: Vec<ReportCluster>,
    pub awards: Vec<AwardView>,
    pub tiers: Vec<TierCount>,
}

#[derive(Debug, Serialize)]
pub struct ReportCluster {
    pub cluster: Link,
    pub rows: Vec<BoardRow>,
    /// The rows as HTML, written by podium instead of the template loop when the theme is
    /// the built-in one (`render/fast.rs`); the list above is then empty.
    pub rows_html: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TierCount {
    pub tier: TierView,
    pub count: usize,
}

/// The printable page of one period for the review meeting.
pub fn report(ctx: &Ctx<'_>, p: usize, with_rows: bool) -> Result<ReportPage, Missing> {
    let ps = ctx.period(p);
    let tiers = ctx
        .corpus
        .campaign
        .tiers
        .iter()
        .enumerate()
        .filter_map(|(t, _)| {
            let count = ps.ranking.iter().filter(|&&u| ps.units[u].tier == Some(t)).count();
            Some(TierCount { tier: ctx.tier_view(Some(t))?, count })
        })
        .collect();
    let awards = ctx
        .standings
        .awards
        .iter()
        .filter(|o| o.period == p)
        .map(|o| award_view(ctx, o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReportPage {
        period: period_head(ctx, p),
        periods: period_nav(ctx, "report/", p),
        reported: ps.ranking.len(),
        units: ctx.corpus.units.len(),
        indicators: (0..ctx.corpus.campaign.indicators.len())
            .map(|i| indicator_row(ctx, i, p))
            .collect::<Result<_, _>>()?,
        criteria: criterion_heads(ctx),
        overall: rows_of(ctx, p, &ps.ranking, with_rows),
        overall_html: None,
        clusters: ps
            .clusters
            .iter()
            .map(|r| ReportCluster {
                cluster: ctx.cluster_link(r.cluster),
                rows: rows_of(ctx, p, &r.ranking, with_rows),
                rows_html: None,
            })
            .collect(),
        awards,
        tiers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::i18n::Strings;
    use crate::scoring::testkit::Kit;

    /// `n` units in one cluster; unit `i` scores `i` points, so the ranking runs from `n - 1`.
    fn ranked(n: usize) -> crate::model::Corpus {
        let mut kit = Kit::new(&["q1"]).assessed("A1", "100").cluster("c");
        for i in 0..n {
            let id = format!("u{i:02}");
            kit = kit.unit(&id, &format!("Unit {i:02}")).in_cluster(&id, "c").report(
                &id,
                "q1",
                &[("A1", &i.to_string())],
            );
        }
        kit.build()
    }

    #[test]
    fn ranking_charts_show_the_top_of_a_long_ranking_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let theme = crate::render::theme::load(dir.path(), None, "en").unwrap();
        let strings = Strings::load(&theme.strings, &mut Vec::new());
        for n in [3, CHART_BARS, CHART_BARS + 12] {
            let corpus = ranked(n);
            let standings = crate::scoring::score(&corpus);
            let ctx = Ctx::new(&corpus, &standings, &strings, false);
            let board = scoreboard(&ctx, 0, false).unwrap();
            let cluster = cluster(&ctx, 0, 0, false).unwrap();
            let charts = [
                (board.chart_svg, board.chart_bars, board.reported),
                (cluster.chart_svg, cluster.chart_bars, cluster.ranked),
            ];
            for (svg, bars, ranked) in charts {
                assert_eq!((ranked, bars), (n, n.min(CHART_BARS)));
                assert_eq!(svg.matches("<g class=\"chart-row\">").count(), bars, "{n} units");
                // The first bars are the highest scores; the cut is named in the chart's title.
                let shown = |i: usize| svg.contains(&format!("Unit {i:02}"));
                assert!((n - bars..n).all(shown), "{n} units");
                assert!(!(0..n - bars).any(shown), "{n} units");
                let named = svg.contains(&format!("the first {CHART_BARS} of {n} in the ranking"));
                assert_eq!(named, n > CHART_BARS, "{n} units");
            }
        }
    }

    proptest::proptest! {
        /// Sorting by whole steps gives the order of comparing the `Decimal`s themselves.
        #[test]
        fn points_sort_as_decimals_do(
            points in proptest::collection::vec((-3000i64..3000, 0u32..=4), 0..60),
            precision in 0u32..=3,
        ) {
            let keyed: Vec<(Decimal, u32, usize)> = points
                .iter()
                .enumerate()
                .map(|(i, &(n, scale))| (Decimal::new(n, scale), (i as u32 * 7919) % 61, i))
                .collect();
            let mut expected = keyed.clone();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let expected: Vec<usize> = expected.into_iter().map(|(_, _, u)| u).collect();
            proptest::prop_assert_eq!(by_points(keyed, precision), expected);
        }
    }
}
