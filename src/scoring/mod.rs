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

use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::collation::{NameCollator, name_order, name_order_updated};
use crate::model::{Corpus, Criterion, Unit, Value};

/// Everything computed from a corpus, ready for rendering.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Standings {
    /// SPEC §3 `site.current_period`, else the last period in which some unit reported, else 0.
    pub current_period: usize,
    /// One per declared period, same order; shared, so that `serve` keeps a period an edit did
    /// not touch without ranking or copying it again.
    #[serde(serialize_with = "shared_each")]
    pub periods: Vec<Arc<PeriodStandings>>,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// `shared` for each element of a list.
fn shared_each<T: Serialize, S: serde::Serializer>(values: &[Arc<T>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(values.iter().map(|v| &**v))
}

/// One criterion's points for one unit in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    fn new(corpus: &'a Corpus, last: Option<&Last>) -> Context<'a> {
        let criteria: Vec<&Criterion> = corpus.criteria().collect();
        let tie_break = corpus
            .campaign
            .tie_break
            .iter()
            .filter_map(|id| criteria.iter().position(|c| c.id == id.value))
            .collect();
        // The last run's units, when they are the same ones in the same places: what did not
        // change is then taken from it.
        let last = last.filter(|l| {
            l.units.len() == corpus.units.len()
                && l.name_position.len() == corpus.units.len()
                && l.unit_cluster.len() == corpus.units.len()
        });
        // Collation is the slow part of ordering names: only renamed units are placed again.
        let name_position = match last {
            Some(last) => {
                let renamed: Vec<usize> = (0..corpus.units.len())
                    .filter(|&i| {
                        let (old, new) = (&last.units[i].0, &corpus.units[i]);
                        !Arc::ptr_eq(old, new) && old.name != new.name
                    })
                    .collect();
                if renamed.is_empty() {
                    last.name_position.clone()
                } else {
                    let names: Vec<&str> = corpus.units.iter().map(|u| u.name.as_str()).collect();
                    let collator = NameCollator::new(corpus.campaign.language);
                    name_order_updated(&collator, &names, &last.name_position, &renamed)
                }
            }
            None => {
                let names: Vec<&str> = corpus.units.iter().map(|u| u.name.as_str()).collect();
                name_order(&NameCollator::new(corpus.campaign.language), &names)
            }
        };
        let unit_cluster = corpus
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| match last {
                Some(last) if Arc::ptr_eq(&last.units[i].0, u) => last.unit_cluster[i],
                _ => u.cluster.as_ref().and_then(|c| corpus.cluster_index(&c.value)),
            })
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

/// What `serve` keeps from one scoring to the next: each unit's points (before ranking) and the
/// last run's standings. Points are reused only for the same unit under the same campaign and
/// scoring table; a period is reused, or re-ranked by moving only the units whose scores
/// changed, only when the units are the same ones in the same places.
#[derive(Default)]
pub struct ScoreCache {
    /// Off for one-shot runs, which would only pay for filling it.
    keep: bool,
    /// Hash of the campaign and the scoring table the points were computed with.
    tables: u64,
    /// By unit id: the unit as scored, and what it gives in each period (also for units no
    /// longer there, so that a unit removed and put back is not scored again).
    units: rustc_hash::FxHashMap<String, (Arc<Unit>, Arc<Vec<UnitPeriod>>)>,
    /// The last run, under the same tables.
    last: Option<Last>,
}

impl ScoreCache {
    pub fn new() -> ScoreCache {
        ScoreCache { keep: true, ..ScoreCache::default() }
    }
}

/// What the last run was computed from and what it gave.
struct Last {
    /// Per unit in corpus order: the unit, and what it gave in each period.
    units: Vec<(Arc<Unit>, Arc<Vec<UnitPeriod>>)>,
    name_position: Vec<u32>,
    unit_cluster: Vec<Option<usize>>,
    periods: Vec<Arc<PeriodStandings>>,
}

/// One unit's unranked score in one period, and its parts in the indicators.
struct UnitPeriod {
    score: UnitScore,
    parts: Vec<indicators::Part>,
}

/// At most this many units whose rank may have changed (or, on a big site, one in 16) are
/// taken out of the last ranking and put back in their places; more, and the period is sorted.
const MOVED_AT_MOST: usize = 64;

/// Like `score`, reusing what `cache` holds: only units that changed are scored again, a
/// period in which no unit's score changed is taken as it was, and in one where a few changed,
/// those units are taken out of the last ranking and put back where they now belong. The result
/// is the same as `score`'s: the display order is total (it ends with the unit id), and the rest
/// of the last ranking is still in that order, as the other units' totals and the order of their
/// names are what they were.
pub fn score_cached(corpus: &Corpus, cache: &mut ScoreCache) -> Standings {
    let tables = if cache.keep { tables_hash(corpus) } else { 0 };
    if tables != cache.tables {
        cache.units.clear();
        cache.last = None;
        cache.tables = tables;
    }
    let last = cache.last.take();
    let ctx = Context::new(corpus, last.as_ref());
    let last = last.filter(|l| {
        l.units.len() == corpus.units.len()
            && l.periods.len() == corpus.campaign.periods.len()
            && l.units
                .iter()
                .zip(&corpus.units)
                .all(|((old, _), new)| Arc::ptr_eq(old, new) || old.id == new.id)
    });
    // Units are scored independently, so this is the step worth spreading over cores.
    let scored: Vec<Arc<Vec<UnitPeriod>>> = corpus
        .units
        .par_iter()
        .enumerate()
        .map(|(i, u)| {
            if let Some((old, periods)) = last.as_ref().map(|l| &l.units[i])
                && Arc::ptr_eq(old, u)
            {
                return periods.clone();
            }
            match cache.units.get(&u.id).filter(|(old, _)| Arc::ptr_eq(old, u)) {
                Some((_, periods)) => periods.clone(),
                None => {
                    let periods = corpus.campaign.periods.iter().map(|p| UnitPeriod {
                        score: methods::score_unit(&ctx, u, &p.id),
                        parts: indicators::parts(corpus, u, &p.id),
                    });
                    Arc::new(periods.collect())
                }
            }
        })
        .collect();
    // The units whose scores or ranking inputs may differ from the last run's.
    let changed: Vec<usize> = match &last {
        Some(last) => (0..corpus.units.len())
            .filter(|&i| {
                !Arc::ptr_eq(&last.units[i].0, &corpus.units[i]) || !Arc::ptr_eq(&last.units[i].1, &scored[i])
            })
            .collect(),
        None => Vec::new(),
    };
    let mut periods: Vec<Arc<PeriodStandings>> = Vec::with_capacity(corpus.campaign.periods.len());
    for index in 0..corpus.campaign.periods.len() {
        let before = last.as_ref().and_then(|l| Some((l, l.periods.get(index)?)));
        let standings = match before {
            Some((last, before)) => {
                period_again(&ctx, index, &scored, last, before, &changed, periods.last())
            }
            None => {
                let units: Vec<UnitScore> = scored.iter().map(|s| s[index].score.clone()).collect();
                let parts = scored.iter().map(|s| s[index].parts.as_slice());
                let indicators = indicators::outcomes_of(corpus, parts, ctx.precision);
                let ranked = Ranked::sorted(&ctx, &units, None);
                Arc::new(period_standings(&ctx, index, units, indicators, ranked, periods.last()))
            }
        };
        periods.push(standings);
    }
    if cache.keep {
        // Units taken from the last run are in the map already.
        let new: Box<dyn Iterator<Item = usize>> = match &last {
            Some(_) => Box::new(changed.iter().copied()),
            None => Box::new(0..corpus.units.len()),
        };
        for i in new {
            let (u, periods) = (&corpus.units[i], &scored[i]);
            let known = cache.units.get(&u.id).is_some_and(|(_, p)| Arc::ptr_eq(p, periods));
            if !known {
                cache.units.insert(u.id.clone(), (u.clone(), periods.clone()));
            }
        }
        cache.last = Some(Last {
            units: corpus.units.iter().cloned().zip(scored).collect(),
            name_position: ctx.name_position.clone(),
            unit_cluster: ctx.unit_cluster.clone(),
            periods: periods.clone(),
        });
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

/// One period when the last run had the same units in the same places: `before` as it was
/// when nothing in it changed, else ranked again from `before`'s rankings.
fn period_again(
    ctx: &Context<'_>,
    index: usize,
    scored: &[Arc<Vec<UnitPeriod>>],
    last: &Last,
    before: &Arc<PeriodStandings>,
    changed: &[usize],
    previous: Option<&Arc<PeriodStandings>>,
) -> Arc<PeriodStandings> {
    let (mut scores_same, mut parts_same, mut moved) = (true, true, Vec::new());
    for &i in changed {
        let (old, new) = (&last.units[i].1[index], &scored[i][index]);
        scores_same &= old.score == new.score;
        parts_same &= old.parts == new.parts;
        // Other units' name positions may shift when one is renamed, but not their order.
        if last.units[i].0.name != ctx.corpus.units[i].name
            || last.unit_cluster[i] != ctx.unit_cluster[i]
            || rank::merit_differs(&old.score, &new.score, &ctx.tie_break)
        {
            moved.push(i);
        }
    }
    // Rank changes are taken from the period before: it must be the one `before` was ranked after.
    let previous_same = match (previous, last.periods.get(index.wrapping_sub(1))) {
        (None, _) => index == 0,
        (Some(now), Some(then)) => Arc::ptr_eq(now, then),
        (Some(_), None) => false,
    };
    if scores_same && parts_same && moved.is_empty() && previous_same {
        return before.clone();
    }
    let units: Vec<UnitScore> = scored.iter().map(|s| s[index].score.clone()).collect();
    let indicators = if parts_same {
        before.indicators.clone()
    } else {
        let parts = scored.iter().map(|s| s[index].parts.as_slice());
        indicators::outcomes_of(ctx.corpus, parts, ctx.precision)
    };
    let ranked = if moved.len() <= MOVED_AT_MOST.max(units.len() / 16) {
        Ranked::moved(ctx, &units, before, &moved)
    } else {
        Ranked::sorted(ctx, &units, Some(before))
    };
    Arc::new(period_standings(ctx, index, units, indicators, ranked, previous))
}

/// A hash of what a unit's points depend on besides the unit: the campaign (precision) and the
/// scoring table.
fn tables_hash(corpus: &Corpus) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}{:?}", corpus.campaign, corpus.criteria).hash(&mut h);
    h.finish()
}

/// One period's display orders, overall and per declared cluster, before ranks are given.
struct Ranked {
    overall: Vec<usize>,
    clusters: Vec<Vec<usize>>,
}

impl Ranked {
    /// Sorted; `hint`, the same units' last standings, only speeds the sorts up.
    fn sorted(ctx: &Context<'_>, units: &[UnitScore], hint: Option<&PeriodStandings>) -> Ranked {
        let overall = rank::sort_overall(ctx, units, hint.map(|h| h.ranking.as_slice()));
        let clusters = rank::sort_clusters(ctx, units, hint.map(|h| h.clusters.as_slice()));
        Ranked { overall, clusters }
    }

    /// `before`'s orders with the `moved` units taken out and put back where they now belong.
    fn moved(ctx: &Context<'_>, units: &[UnitScore], before: &PeriodStandings, moved: &[usize]) -> Ranked {
        let overall = rank::reinsert(ctx, units, &before.ranking, moved, |_| true);
        let clusters = (0..ctx.corpus.campaign.clusters.len())
            .map(|c| {
                let previous = before.clusters.get(c).map_or(&[][..], |r| r.ranking.as_slice());
                rank::reinsert(ctx, units, previous, moved, |i| ctx.unit_cluster.get(i) == Some(&Some(c)))
            })
            .collect();
        Ranked { overall, clusters }
    }
}

/// Gives one period's unit scores their ranks, tiers and rank changes (from `previous`, the
/// period before).
fn period_standings(
    ctx: &Context<'_>,
    period: usize,
    mut units: Vec<UnitScore>,
    indicators: Vec<IndicatorOutcome>,
    ranked: Ranked,
    previous: Option<&Arc<PeriodStandings>>,
) -> PeriodStandings {
    rank::set_ranks(ctx, &mut units, &ranked.overall, false);
    let clusters = ranked
        .clusters
        .into_iter()
        .enumerate()
        .map(|(cluster, ranking)| {
            rank::set_ranks(ctx, &mut units, &ranking, true);
            ClusterRanking { cluster, ranking }
        })
        .collect();
    rank::set_tiers(&mut units, &ctx.corpus.campaign.tiers);
    if let Some(previous) = previous {
        rank::set_rank_changes(&mut units, &previous.units);
    }
    PeriodStandings { period, units, ranking: ranked.overall, clusters, indicators }
}

fn current_period(corpus: &Corpus, periods: &[Arc<PeriodStandings>]) -> usize {
    let site = corpus.campaign.site.current_period.as_ref();
    site.and_then(|id| corpus.period_index(&id.value))
        .or_else(|| periods.iter().rposition(|p| !p.ranking.is_empty()))
        .unwrap_or(0)
}
