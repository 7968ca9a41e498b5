//! The other pages: home, units directory, indicators, awards, news, agreements, free pages.

use serde::Serialize;

use super::boards::{BoardRow, PeriodHead, board_row, period_head};
use super::unit::{DatedLink, decimal_f64};
use super::{Ctx, Link, TierView};
use crate::model::{AwardScope, IndicatorKind, Quota, ShareCondition};
use crate::render::charts;
use crate::render::i18n::Missing;
use crate::scoring::{AwardOutcome, AwardStatus};

#[derive(Debug, Serialize)]
pub struct CampaignView {
    pub title: String,
    pub motto: Option<String>,
    pub organizer: Option<String>,
    pub description_html: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HomePage {
    pub campaign: CampaignView,
    pub body_html: Option<String>,
    pub period: PeriodHead,
    pub indicators: Vec<IndicatorRow>,
    pub leaders: Vec<BoardRow>,
    pub cluster_leaders: Vec<ClusterLeaders>,
    pub news: Vec<NewsSummary>,
    pub reported: usize,
    pub units: usize,
}

#[derive(Debug, Serialize)]
pub struct ClusterLeaders {
    pub cluster: Link,
    pub rows: Vec<BoardRow>,
}

#[derive(Debug, Serialize, Clone)]
pub struct NewsSummary {
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub summary: Option<String>,
    pub draft: bool,
}

pub fn campaign_view(ctx: &Ctx<'_>) -> CampaignView {
    let c = &ctx.corpus.campaign;
    CampaignView {
        title: c.title.clone(),
        motto: c.motto.clone(),
        organizer: c.organizer.clone(),
        description_html: ctx.markdown_opt(c.description.as_deref()),
        start: c.start.map(|d| ctx.fmt.date(d)),
        end: c.end.map(|d| ctx.fmt.date(d)),
    }
}

pub fn home(ctx: &Ctx<'_>) -> Result<HomePage, Missing> {
    let p = ctx.current();
    let ps = ctx.period(p);
    Ok(HomePage {
        campaign: campaign_view(ctx),
        body_html: ctx.corpus.home.as_ref().and_then(|h| ctx.markdown_opt(Some(&h.body))),
        period: period_head(ctx, p),
        indicators: (0..ctx.corpus.campaign.indicators.len())
            .map(|i| indicator_row(ctx, i, p))
            .collect::<Result<_, _>>()?,
        leaders: ps.ranking.iter().take(5).map(|&u| board_row(ctx, p, u)).collect(),
        cluster_leaders: ps
            .clusters
            .iter()
            .map(|r| ClusterLeaders {
                cluster: ctx.cluster_link(r.cluster),
                rows: r.ranking.iter().take(3).map(|&u| board_row(ctx, p, u)).collect(),
            })
            .collect(),
        news: news_list(ctx).into_iter().take(5).collect(),
        reported: ps.ranking.len(),
        units: ctx.corpus.units.len(),
    })
}

#[derive(Debug, Serialize)]
pub struct IndicatorRow {
    pub id: String,
    pub title: String,
    pub description_html: Option<String>,
    pub unit: Option<String>,
    pub target: String,
    pub lower_is_better: bool,
    pub value: Option<String>,
    pub achieved: bool,
    /// `12 / 15`-style detail: counts or sums behind the value.
    pub detail: Option<String>,
    /// Change since the previous period (`+1,50`), when both have a value.
    pub change: Option<String>,
    pub progress_svg: String,
    /// Every period's value, for the indicators page's table.
    pub history: Vec<IndicatorPoint>,
}

#[derive(Debug, Serialize)]
pub struct IndicatorPoint {
    pub period: String,
    pub value: Option<String>,
    pub achieved: bool,
}

pub fn indicator_row(ctx: &Ctx<'_>, i: usize, p: usize) -> Result<IndicatorRow, Missing> {
    let ind = &ctx.corpus.campaign.indicators[i];
    let out = &ctx.period(p).indicators[i];
    let f = &ctx.fmt;
    let value = out.value.map(|v| f.points(v));
    let previous = p.checked_sub(1).and_then(|q| ctx.period(q).indicators[i].value);
    let change = match (out.value, previous) {
        (Some(now), Some(before)) => Some(super::super::locale::signed(now - before, f.precision, f.lang)),
        _ => None,
    };
    let detail = match (&ind.kind, out.numerator, out.denominator) {
        (IndicatorKind::ShareOfUnits(_) | IndicatorKind::Ratio { .. }, Some(n), Some(d)) => {
            Some(format!("{} / {}", f.as_written(n), f.as_written(d)))
        }
        _ => None,
    };
    let shown = value.clone().unwrap_or_else(|| "—".into());
    let title = ctx.strings.format(
        "indicators.progress_title",
        &[("title", &ind.title), ("value", &shown), ("target", &f.points(ind.target))],
    )?;
    let history = ctx
        .standings
        .periods
        .iter()
        .map(|ps| IndicatorPoint {
            period: ctx.corpus.campaign.periods[ps.period].title.clone(),
            value: ps.indicators[i].value.map(|v| f.points(v)),
            achieved: ps.indicators[i].achieved,
        })
        .collect();
    Ok(IndicatorRow {
        id: ind.id.clone(),
        title: ind.title.clone(),
        description_html: ctx.markdown_opt(ind.description.as_deref()),
        unit: ind.unit.clone().or_else(|| percent_unit(&ind.kind)),
        target: f.points(ind.target),
        lower_is_better: ind.lower_is_better,
        progress_svg: charts::progress(&title, out.value.map(decimal_f64), decimal_f64(ind.target), &shown),
        value,
        achieved: out.achieved,
        detail,
        change,
        history,
    })
}

/// Shares and ratios are percentages unless the indicator names its own unit.
fn percent_unit(kind: &IndicatorKind) -> Option<String> {
    matches!(kind, IndicatorKind::ShareOfUnits(_) | IndicatorKind::Ratio { .. }).then(|| "%".to_string())
}

#[derive(Debug, Serialize)]
pub struct IndicatorsPage {
    pub period: PeriodHead,
    pub indicators: Vec<IndicatorRow>,
    pub periods: Vec<String>,
    pub downloads: Vec<Link>,
    /// How each indicator is computed, in words, by indicator id order.
    pub rules: Vec<String>,
}

pub fn indicators(ctx: &Ctx<'_>) -> Result<IndicatorsPage, Missing> {
    let p = ctx.current();
    let rules = ctx
        .corpus
        .campaign
        .indicators
        .iter()
        .map(|ind| match &ind.kind {
            IndicatorKind::ShareOfUnits(c) => match &c.value {
                ShareCondition::Registered => ctx.t("indicators.rule_registered"),
                ShareCondition::Reported => ctx.t("indicators.rule_reported"),
                ShareCondition::Metric(m) => {
                    ctx.strings.format("indicators.rule_share_metric", &[("metric", m)])
                }
            },
            IndicatorKind::Ratio { sum, over } => {
                ctx.strings.format("indicators.rule_ratio", &[("sum", &sum.value), ("over", &over.value)])
            }
            IndicatorKind::Sum(m) => ctx.strings.format("indicators.rule_sum", &[("metric", &m.value)]),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IndicatorsPage {
        period: period_head(ctx, p),
        indicators: (0..ctx.corpus.campaign.indicators.len())
            .map(|i| indicator_row(ctx, i, p))
            .collect::<Result<_, _>>()?,
        periods: ctx.corpus.campaign.periods.iter().map(|x| x.title.clone()).collect(),
        downloads: ctx.downloads(&["indicators.csv"])?,
        rules,
    })
}

#[derive(Debug, Serialize)]
pub struct AwardView {
    pub id: String,
    pub title: String,
    pub description_html: Option<String>,
    pub period: Link,
    /// The conditions in words (`min_score 95`, `quota 20% (4 units)`...).
    pub conditions: Vec<String>,
    pub scopes: Vec<AwardScopeView>,
    /// Some scope has a tie at the quota's cut-off.
    pub has_ties: bool,
}

#[derive(Debug, Serialize)]
pub struct AwardScopeView {
    pub title: String,
    pub url: Option<String>,
    pub ranked: usize,
    pub limit: Option<u32>,
    pub proposed: Vec<AwardRow>,
    pub tied: Vec<AwardRow>,
}

#[derive(Debug, Serialize)]
pub struct AwardRow {
    pub rank: u32,
    pub unit: Link,
    pub total: String,
    pub tier: Option<TierView>,
}

pub fn award_view(ctx: &Ctx<'_>, o: &AwardOutcome) -> Result<AwardView, Missing> {
    let c = ctx.corpus;
    let award = &c.campaign.awards[o.award];
    let f = &ctx.fmt;
    let mut conditions = Vec::new();
    let scope_key = if award.scope == AwardScope::Cluster {
        "awards.cond_scope_cluster"
    } else {
        "awards.cond_scope_overall"
    };
    conditions.push(ctx.t(scope_key)?);
    if let Some(m) = award.min_score {
        conditions.push(ctx.strings.format("awards.cond_min_score", &[("score", &f.as_written(m))])?);
    }
    if let Some(t) = award.min_tier.as_ref().and_then(|t| c.tier_index(&t.value)) {
        conditions.push(ctx.strings.format("awards.cond_min_tier", &[("tier", &c.campaign.tiers[t].title)])?);
    }
    if let Some(n) = award.top {
        conditions.push(ctx.strings.format("awards.cond_top", &[("n", &n.to_string())])?);
    }
    match award.quota {
        Some(Quota::Count(n)) => {
            conditions.push(ctx.strings.format("awards.cond_quota", &[("n", &n.to_string())])?)
        }
        Some(Quota::Percent(pct)) => conditions
            .push(ctx.strings.format("awards.cond_quota_percent", &[("percent", &f.as_written(pct))])?),
        None => {}
    }
    if award.requires_registration {
        conditions.push(ctx.t("awards.cond_registration")?);
    }
    if award.requires_seeking {
        conditions.push(ctx.t("awards.cond_seeking")?);
    }
    let ps = ctx.period(o.period);
    let row = |e: &crate::scoring::AwardEntry| AwardRow {
        rank: e.rank,
        unit: ctx.unit_link(e.unit),
        total: f.points(e.total),
        tier: ctx.tier_view(ps.units[e.unit].tier),
    };
    let scopes: Vec<AwardScopeView> = o
        .scopes
        .iter()
        .map(|s| {
            Ok(AwardScopeView {
                title: match s.cluster {
                    Some(cl) => c.campaign.clusters[cl].title.clone(),
                    None => ctx.t("awards.overall")?,
                },
                url: s.cluster.map(|cl| ctx.cluster_link(cl).url),
                ranked: s.ranked,
                limit: s.limit,
                proposed: s.entries.iter().filter(|e| e.status == AwardStatus::Proposed).map(row).collect(),
                tied: s.entries.iter().filter(|e| e.status == AwardStatus::Tie).map(row).collect(),
            })
        })
        .collect::<Result<_, Missing>>()?;
    Ok(AwardView {
        id: award.id.clone(),
        title: award.title.clone(),
        description_html: ctx.markdown_opt(award.description.as_deref()),
        period: ctx.period_link(o.period, "scoreboard/"),
        conditions,
        has_ties: scopes.iter().any(|s| !s.tied.is_empty()),
        scopes,
    })
}

#[derive(Debug, Serialize)]
pub struct AwardsPage {
    pub awards: Vec<AwardView>,
    pub downloads: Vec<Link>,
}

pub fn awards(ctx: &Ctx<'_>) -> Result<AwardsPage, Missing> {
    Ok(AwardsPage {
        awards: ctx.standings.awards.iter().map(|o| award_view(ctx, o)).collect::<Result<_, _>>()?,
        downloads: ctx.downloads(&["awards.csv"])?,
    })
}

#[derive(Debug, Serialize)]
pub struct UnitsPage {
    pub groups: Vec<UnitGroup>,
    pub units: usize,
    pub period: PeriodHead,
}

#[derive(Debug, Serialize)]
pub struct UnitGroup {
    /// `None` for units without a cluster.
    pub cluster: Option<Link>,
    /// Units in hierarchy order (a parent before its children), each with its depth.
    pub units: Vec<UnitEntry>,
}

#[derive(Debug, Serialize)]
pub struct UnitEntry {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub url: String,
    pub depth: usize,
    /// The parent unit when it is listed in another group (the tree cannot show it).
    pub parent_elsewhere: Option<Link>,
    pub registered: bool,
    pub total: Option<String>,
    pub rank: Option<u32>,
    pub tier: Option<TierView>,
}

/// All units by cluster; within a cluster, top-level units in name order with their children
/// (of the same cluster) below them.
pub fn units(ctx: &Ctx<'_>) -> UnitsPage {
    let c = ctx.corpus;
    let p = ctx.current();
    let cluster_count = c.campaign.clusters.len();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); cluster_count + 1];
    for u in 0..c.units.len() {
        groups[ctx.cluster_of(u).unwrap_or(cluster_count)].push(u);
    }
    let entry = |u: usize, depth: usize| {
        let unit = &c.units[u];
        let s = &ctx.period(p).units[u];
        UnitEntry {
            id: unit.id.clone(),
            name: unit.name.clone(),
            short_name: unit.short_name.clone(),
            url: format!("units/{}/", unit.id),
            depth,
            parent_elsewhere: ctx.idx.parent_of[u]
                .filter(|&p| {
                    ctx.cluster_of(p).unwrap_or(cluster_count) != ctx.cluster_of(u).unwrap_or(cluster_count)
                })
                .map(|p| ctx.unit_link(p)),
            registered: unit.registration.is_some(),
            total: s.reported.then(|| ctx.fmt.points(s.total)),
            rank: s.rank,
            tier: ctx.tier_view(s.tier),
        }
    };
    let mut out = Vec::new();
    for (g, members) in groups.into_iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let same_group = |u: usize| ctx.cluster_of(u).unwrap_or(cluster_count) == g;
        let mut ordered = Vec::with_capacity(members.len());
        let mut roots: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&u| ctx.idx.parent_of[u].is_none_or(|parent| !same_group(parent)))
            .collect();
        roots.sort_by_key(|&u| ctx.idx.name_order[u]);
        // Depth-first with an explicit stack; parents form a forest (validated), and `seen`
        // guards the walk anyway.
        let mut seen = vec![false; c.units.len()];
        let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|u| (u, 0)).collect();
        while let Some((u, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[u], true) {
                continue;
            }
            ordered.push(entry(u, depth));
            let mut kids: Vec<usize> =
                ctx.idx.children[u].iter().copied().filter(|&k| same_group(k)).collect();
            kids.sort_by_key(|&k| std::cmp::Reverse(ctx.idx.name_order[k]));
            stack.extend(kids.into_iter().map(|k| (k, depth + 1)));
        }
        out.push(UnitGroup { cluster: (g < cluster_count).then(|| ctx.cluster_link(g)), units: ordered });
    }
    UnitsPage { groups: out, units: c.units.len(), period: period_head(ctx, p) }
}

/// News items newest first (then by id), without drafts unless `--drafts`.
pub fn news_list(ctx: &Ctx<'_>) -> Vec<NewsSummary> {
    let mut items: Vec<&crate::model::News> =
        ctx.corpus.news.iter().filter(|n| ctx.drafts || !n.draft).collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    items.into_iter().map(|n| news_summary(ctx, n)).collect()
}

fn news_summary(ctx: &Ctx<'_>, n: &crate::model::News) -> NewsSummary {
    NewsSummary {
        title: n.title.clone(),
        url: format!("news/{}/", n.id),
        date: ctx.fmt.date(n.date),
        date_iso: n.date.to_string(),
        summary: n.summary.clone(),
        draft: n.draft,
    }
}

#[derive(Debug, Serialize)]
pub struct NewsListPage {
    pub news: Vec<NewsSummary>,
}

#[derive(Debug, Serialize)]
pub struct NewsPage {
    pub item: NewsSummary,
    pub body_html: String,
    pub units: Vec<Link>,
}

pub fn news_page(ctx: &Ctx<'_>, n: &crate::model::News) -> NewsPage {
    NewsPage {
        item: news_summary(ctx, n),
        body_html: ctx.markdown(&n.body),
        units: n
            .units
            .iter()
            .filter_map(|u| ctx.corpus.unit_index(&u.value))
            .map(|i| ctx.unit_link(i))
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct AgreementsPage {
    pub agreements: Vec<AgreementSummary>,
}

#[derive(Debug, Serialize)]
pub struct AgreementSummary {
    pub link: DatedLink,
    pub parties: Vec<Link>,
    pub period: Option<Link>,
    pub draft: bool,
}

fn agreement_summary(ctx: &Ctx<'_>, a: &crate::model::Agreement) -> AgreementSummary {
    AgreementSummary {
        link: DatedLink {
            title: a.title.clone(),
            url: format!("agreements/{}/", a.id),
            date: ctx.fmt.date(a.date),
        },
        parties: a
            .parties
            .iter()
            .filter_map(|u| ctx.corpus.unit_index(&u.value))
            .map(|i| ctx.unit_link(i))
            .collect(),
        period: a
            .period
            .as_ref()
            .and_then(|p| ctx.corpus.period_index(&p.value))
            .map(|i| ctx.period_link(i, "scoreboard/")),
        draft: a.draft,
    }
}

pub fn agreements(ctx: &Ctx<'_>) -> AgreementsPage {
    let mut items: Vec<&crate::model::Agreement> =
        ctx.corpus.agreements.iter().filter(|a| ctx.drafts || !a.draft).collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    AgreementsPage { agreements: items.into_iter().map(|a| agreement_summary(ctx, a)).collect() }
}

#[derive(Debug, Serialize)]
pub struct AgreementPage {
    pub agreement: AgreementSummary,
    pub body_html: String,
}

pub fn agreement_page(ctx: &Ctx<'_>, a: &crate::model::Agreement) -> AgreementPage {
    AgreementPage { agreement: agreement_summary(ctx, a), body_html: ctx.markdown(&a.body) }
}

#[derive(Debug, Serialize)]
pub struct FreePage {
    pub title: String,
    pub body_html: String,
}

pub fn free_page(ctx: &Ctx<'_>, p: &crate::model::Page) -> FreePage {
    FreePage { title: p.title.clone(), body_html: ctx.markdown(&p.body) }
}
