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
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::collation::{NameCollator, name_order};
use crate::model::{Corpus, Criterion, Unit, Value};

/// Everything computed from a corpus, ready for rendering.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Standings {
    /// SPEC §3 `site.current_period`, else the last period in which some unit reported, else 0.
    pub current_period: usize,
    /// One per declared period, same order.
    pub periods: Vec<PeriodStandings>,
    /// One per declared award, same order.
    pub awards: Vec<AwardOutcome>,
    /// Each unit's position in name collation order (what ties are ordered by), kept for the
    /// pages, which list units by name too: collating 10,000 names costs tens of milliseconds.
    #[serde(skip)]
    pub name_order: Vec<u32>,
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
    /// One per criterion in table order (`Corpus::criteria()`); shared, so that `serve` keeps
    /// the scores of units an edit did not touch without copying them.
    #[serde(serialize_with = "shared")]
    pub criteria: std::sync::Arc<Vec<CriterionScore>>,
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

/// Serialises what an `Arc` holds, as serde's `rc` feature would (without turning it on for
/// every crate).
fn shared<T: Serialize, S: serde::Serializer>(value: &std::sync::Arc<T>, s: S) -> Result<S::Ok, S::Error> {
    T::serialize(value, s)
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
    fn new(corpus: &'a Corpus, cache: &mut ScoreCache) -> Context<'a> {
        let criteria: Vec<&Criterion> = corpus.criteria().collect();
        let tie_break = corpus
            .campaign
            .tie_break
            .iter()
            .filter_map(|id| criteria.iter().position(|c| c.id == id.value))
            .collect();
        let names: Vec<&str> = corpus.units.iter().map(|u| u.name.as_str()).collect();
        // Collation is the slow part of ordering names: redo it only when a name changed.
        let names_same =
            cache.names.len() == names.len() && cache.names.iter().zip(&names).all(|(a, b)| a == b);
        let name_position = if names_same && cache.name_position.len() == names.len() {
            cache.name_position.clone()
        } else {
            let position = name_order(&NameCollator::new(corpus.campaign.language), &names);
            if cache.keep {
                cache.names = names.iter().map(|n| n.to_string()).collect();
                cache.name_position = position.clone();
            }
            position
        };
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
            name_position,
            unit_cluster,
        }
    }
}

/// Scores every period, then decides the awards.
pub fn score(corpus: &Corpus) -> Standings {
    score_cached(corpus, &mut ScoreCache::default())
}

/// What `serve` keeps from one scoring to the next: each unit's points (before ranking), the
/// units' name order, and the last display orders. Points are reused only for the same unit
/// under the same campaign and scoring table; a display order only seeds the next sort.
#[derive(Default)]
pub struct ScoreCache {
    /// Off for one-shot runs, which would only pay for filling it.
    keep: bool,
    /// Hash of the campaign and the scoring table the points were computed with.
    tables: u64,
    /// By unit id: the unit as scored, and what it gives in each period.
    units: HashMap<String, (Arc<Unit>, Arc<Vec<UnitPeriod>>)>,
    /// The unit names `name_position` was computed for, in unit order.
    names: Vec<String>,
    name_position: Vec<u32>,
    /// Unit ids in order, and each period's ranking and cluster rankings for them.
    ids: Vec<String>,
    rankings: Vec<(Vec<usize>, Vec<Vec<usize>>)>,
}

impl ScoreCache {
    pub fn new() -> ScoreCache {
        ScoreCache { keep: true, ..ScoreCache::default() }
    }
}

/// One unit's unranked score in one period, and its parts in the indicators.
struct UnitPeriod {
    score: UnitScore,
    parts: Vec<indicators::Part>,
}

/// Like `score`, reusing what `cache` holds: only units that changed are scored again, and the
/// rankings are sorted starting from the last ones (nearly sorted after a one-unit edit). The
/// result is the same as `score`'s: the order sorted by is total.
pub fn score_cached(corpus: &Corpus, cache: &mut ScoreCache) -> Standings {
    let tables = if cache.keep { tables_hash(corpus) } else { 0 };
    if tables != cache.tables {
        cache.units.clear();
        cache.tables = tables;
    }
    let ctx = Context::new(corpus, cache);
    let ids_same = cache.ids.len() == corpus.units.len()
        && cache.ids.iter().zip(&corpus.units).all(|(id, u)| *id == u.id);
    // Units are scored independently, so this is the step worth spreading over cores.
    let scored: Vec<(Arc<Vec<UnitPeriod>>, bool)> = corpus
        .units
        .par_iter()
        .map(|u| match cache.units.get(&u.id).filter(|(old, _)| Arc::ptr_eq(old, u)) {
            Some((_, periods)) => (periods.clone(), false),
            None => {
                let periods = corpus.campaign.periods.iter().map(|p| UnitPeriod {
                    score: methods::score_unit(&ctx, u, &p.id),
                    parts: indicators::parts(corpus, u, &p.id),
                });
                (Arc::new(periods.collect()), true)
            }
        })
        .collect();
    let mut periods: Vec<PeriodStandings> = Vec::with_capacity(corpus.campaign.periods.len());
    for index in 0..corpus.campaign.periods.len() {
        let units: Vec<UnitScore> = scored.iter().map(|(s, _)| s[index].score.clone()).collect();
        let parts = scored.iter().map(|(s, _)| s[index].parts.as_slice());
        let indicators = indicators::outcomes_of(corpus, parts, ctx.precision);
        let hint = cache.rankings.get(index).filter(|_| ids_same);
        let mut standings = period_standings(&ctx, index, units, indicators, hint);
        if let Some(previous) = periods.last() {
            rank::set_rank_changes(&mut standings.units, &previous.units);
        }
        periods.push(standings);
    }
    if cache.keep {
        for (u, (periods, fresh)) in corpus.units.iter().zip(scored) {
            if fresh {
                cache.units.insert(u.id.clone(), (u.clone(), periods));
            }
        }
        if !ids_same {
            cache.ids = corpus.units.iter().map(|u| u.id.clone()).collect();
        }
        cache.rankings = periods
            .iter()
            .map(|p| (p.ranking.clone(), p.clusters.iter().map(|c| c.ranking.clone()).collect()))
            .collect();
        cache.name_position = ctx.name_position.clone();
    }
    let current_period = current_period(corpus, &periods);
    let awards = corpus
        .campaign
        .awards
        .iter()
        .enumerate()
        .map(|(index, award)| awards::outcome(corpus, index, award, &periods, current_period))
        .collect();
    Standings { current_period, periods, awards, name_order: ctx.name_position.clone() }
}

/// A hash of what a unit's points depend on besides the unit: the campaign (precision) and the
/// scoring table.
fn tables_hash(corpus: &Corpus) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}{:?}", corpus.campaign, corpus.criteria).hash(&mut h);
    h.finish()
}

/// Ranks one period's unit scores. `hint` is a previous ranking and cluster rankings of the same
/// units, used only as the order the sorts start from.
fn period_standings(
    ctx: &Context<'_>,
    period: usize,
    mut units: Vec<UnitScore>,
    indicators: Vec<IndicatorOutcome>,
    hint: Option<&(Vec<usize>, Vec<Vec<usize>>)>,
) -> PeriodStandings {
    let ranking = rank::rank_overall(ctx, &mut units, hint.map(|h| h.0.as_slice()));
    let clusters = rank::rank_clusters(ctx, &mut units, hint.map(|h| h.1.as_slice()));
    rank::set_tiers(&mut units, &ctx.corpus.campaign.tiers);
    PeriodStandings { period, units, ranking, clusters, indicators }
}

fn current_period(corpus: &Corpus, periods: &[PeriodStandings]) -> usize {
    let site = corpus.campaign.site.current_period.as_ref();
    site.and_then(|id| corpus.period_index(&id.value))
        .or_else(|| periods.iter().rposition(|p| !p.ranking.is_empty()))
        .unwrap_or(0)
}
