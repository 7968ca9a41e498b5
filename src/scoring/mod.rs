//! The scoring stage: `&Corpus -> Standings` (SPEC §4–§8).
//!
//! Computes, for every declared period, each unit's points per criterion, bonus, penalties and
//! total, the overall and per-cluster rankings with rank changes and tiers, the campaign
//! indicators, and then the award proposals. It is pure: no files, no HTML, no printing. It runs
//! on a validated corpus but is total on any corpus: a value of the wrong kind scores 0, an
//! unresolved reference counts as absent, and arithmetic never panics.
//!
//! `methods` turns values into points, `rank` orders units, `indicators` and `awards` build on
//! the ranked periods; this module holds the result types and runs the steps in order.

mod awards;
mod indicators;
mod methods;
mod rank;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::collation::{NameCollator, name_order};
use crate::model::{Corpus, Criterion, Value};

/// Everything computed from a corpus, ready for rendering.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Standings {
    /// SPEC §3 `site.current_period`, else the last period in which some unit reported, else 0.
    pub current_period: usize,
    /// One per declared period, same order.
    pub periods: Vec<PeriodStandings>,
    /// One per declared award, same order.
    pub awards: Vec<AwardOutcome>,
}

/// One period's scores, rankings and indicators.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodStandings {
    /// Index into `campaign.periods`.
    pub period: usize,
    /// One per `corpus.units` entry, same index (also for units that did not report).
    pub units: Vec<UnitScore>,
    /// Unit indices of reporting units in display order: rank asc, then name collation, then
    /// unit id.
    pub ranking: Vec<usize>,
    /// One per declared cluster, same order.
    pub clusters: Vec<ClusterRanking>,
    /// One per declared indicator, same order.
    pub indicators: Vec<IndicatorOutcome>,
}

/// The reporting units of one cluster in display order.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterRanking {
    /// Index into `campaign.clusters`.
    pub cluster: usize,
    pub ranking: Vec<usize>,
}

/// One unit's score in one period.
#[derive(Debug, Clone, Serialize)]
pub struct UnitScore {
    /// At least one criterion value was given for the period (SPEC §5).
    pub reported: bool,
    /// One per criterion in table order (`Corpus::criteria()`).
    pub criteria: Vec<CriterionScore>,
    /// Only items with a count given, in table order.
    pub bonus: Vec<ItemScore>,
    /// Sum of the rounded bonus items, after the `bonus.max` cap (rounded).
    pub bonus_total: Decimal,
    pub bonus_capped: bool,
    /// Only items with a count given, in table order.
    pub penalties: Vec<ItemScore>,
    /// Sum of the rounded penalty items, after the `penalties.max` cap (rounded).
    pub penalty_total: Decimal,
    pub penalty_capped: bool,
    /// `max(0, sum(criterion points) + bonus_total - penalty_total)`.
    pub total: Decimal,
    /// Overall competition rank; `None` when the unit did not report.
    pub rank: Option<u32>,
    /// Rank within the unit's cluster; `None` without a (resolvable) cluster or a report.
    pub cluster_rank: Option<u32>,
    /// Previous declared period's rank minus this one; `None` when not ranked in either.
    pub rank_change: Option<i64>,
    pub cluster_rank_change: Option<i64>,
    /// Index into `campaign.tiers`; only for units that reported.
    pub tier: Option<usize>,
}

/// One criterion's points for one unit in one period.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionScore {
    pub value: Option<Value>,
    /// The unit reported this period but gave no value for this criterion.
    pub missing: bool,
    /// Effective target (registration override, else default), for proportional and inverse.
    pub target: Option<Decimal>,
    pub target_overridden: bool,
    /// Points before rounding (after the cap), for the unit page's explanation; `None` without
    /// a value.
    pub exact: Option<Decimal>,
    /// `exact` rounded to the campaign precision, half away from zero; 0 without a value.
    pub points: Decimal,
    /// The cap K (or M for per_item) limited the points.
    pub capped: bool,
    /// Index of the matched band, for bands.
    pub band: Option<usize>,
}

/// One bonus or penalty item of one unit in one period.
#[derive(Debug, Clone, Serialize)]
pub struct ItemScore {
    /// Index into the bonus (or penalty) item table.
    pub item: usize,
    pub count: Decimal,
    /// `count * points`, after the item's cap, before rounding.
    pub exact: Decimal,
    /// `exact` rounded to the campaign precision.
    pub points: Decimal,
    /// The item's `max` limited the points.
    pub capped: bool,
}

/// One indicator's value in one period (SPEC §7).
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorOutcome {
    /// Rounded to the campaign precision; `None` when it cannot be computed.
    pub value: Option<Decimal>,
    pub achieved: bool,
    /// Units meeting the condition (share), `sum(A)` (ratio) or the sum (sum); `None` when no
    /// unit contributes.
    pub numerator: Option<Decimal>,
    /// All units (share) or `sum(B)` (ratio); `None` for sums and when no unit contributes.
    pub denominator: Option<Decimal>,
}

/// One award's proposals (SPEC §8).
#[derive(Debug, Clone, Serialize)]
pub struct AwardOutcome {
    /// Index into `campaign.awards`.
    pub award: usize,
    /// The period decided on (the award's own, else the current period).
    pub period: usize,
    /// One scope for `overall`, one per declared cluster for `cluster`; empty without periods.
    pub scopes: Vec<AwardScopeOutcome>,
}

/// Proposals within one scope of an award.
#[derive(Debug, Clone, Serialize)]
pub struct AwardScopeOutcome {
    /// `None` = overall.
    pub cluster: Option<usize>,
    /// Number of ranked units in the scope.
    pub ranked: usize,
    /// The quota resolved to a count (floor for percentages).
    pub limit: Option<u32>,
    /// Proposed ones, then the tied group if any, in display order.
    pub entries: Vec<AwardEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardEntry {
    /// Index into `corpus.units`.
    pub unit: usize,
    pub status: AwardStatus,
    /// Rank within the scope.
    pub rank: u32,
    pub total: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    Proposed,
    /// Tied at the quota's cut-off: a person must decide.
    Tie,
}

/// What every step needs, resolved once per run.
struct Context<'a> {
    corpus: &'a Corpus,
    /// In table order.
    criteria: Vec<&'a Criterion>,
    /// Indices into `criteria` of the `tie_break` ids that resolve, in order.
    tie_break: Vec<usize>,
    precision: u32,
    /// Position of each unit's name in collation order.
    name_position: Vec<u32>,
    /// Each unit's cluster index, `None` when absent or unresolved.
    unit_cluster: Vec<Option<usize>>,
}

impl<'a> Context<'a> {
    fn new(corpus: &'a Corpus) -> Context<'a> {
        let criteria: Vec<&Criterion> = corpus.criteria().collect();
        let tie_break = corpus
            .campaign
            .tie_break
            .iter()
            .filter_map(|id| criteria.iter().position(|c| c.id == id.value))
            .collect();
        let collator = NameCollator::new(corpus.campaign.language);
        let names: Vec<&str> = corpus.units.iter().map(|u| u.name.as_str()).collect();
        let unit_cluster = corpus
            .units
            .iter()
            .map(|u| u.cluster.as_ref().and_then(|c| corpus.cluster_index(&c.value)))
            .collect();
        Context {
            corpus,
            criteria,
            tie_break,
            precision: corpus.campaign.precision,
            name_position: name_order(&collator, &names),
            unit_cluster,
        }
    }
}

/// Scores every period, then decides the awards.
pub fn score(corpus: &Corpus) -> Standings {
    let ctx = Context::new(corpus);
    let mut periods: Vec<PeriodStandings> = Vec::with_capacity(corpus.campaign.periods.len());
    for (index, period) in corpus.campaign.periods.iter().enumerate() {
        let mut standings = period_standings(&ctx, index, &period.id);
        if let Some(previous) = periods.last() {
            rank::set_rank_changes(&mut standings.units, &previous.units);
        }
        periods.push(standings);
    }
    let current_period = current_period(corpus, &periods);
    let awards = corpus
        .campaign
        .awards
        .iter()
        .enumerate()
        .map(|(index, award)| awards::outcome(corpus, index, award, &periods, current_period))
        .collect();
    Standings { current_period, periods, awards }
}

fn period_standings(ctx: &Context<'_>, period: usize, period_id: &str) -> PeriodStandings {
    // Units are scored independently, so this is the step worth spreading over cores.
    let mut units: Vec<UnitScore> =
        ctx.corpus.units.par_iter().map(|unit| methods::score_unit(ctx, unit, period_id)).collect();
    let ranking = rank::rank_overall(ctx, &mut units);
    let clusters = rank::rank_clusters(ctx, &mut units);
    rank::set_tiers(&mut units, &ctx.corpus.campaign.tiers);
    let indicators = indicators::outcomes(ctx.corpus, period_id, ctx.precision);
    PeriodStandings { period, units, ranking, clusters, indicators }
}

fn current_period(corpus: &Corpus, periods: &[PeriodStandings]) -> usize {
    let site = corpus.campaign.site.current_period.as_ref();
    site.and_then(|id| corpus.period_index(&id.value))
        .or_else(|| periods.iter().rposition(|p| !p.ranking.is_empty()))
        .unwrap_or(0)
}
