//! Award proposals (SPEC §8): who meets an award's conditions in each scope, and who is
//! proposed or tied under its quota.
//!
//! Works on the ranked periods; it never scores. Unresolved references are defensive: an
//! unknown period means the current one, an unknown tier fails the `min_tier` condition.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{AwardEntry, AwardOutcome, AwardScopeOutcome, AwardStatus, PeriodStandings, UnitScore};
use crate::model::{Award, AwardScope, Corpus, Quota, Unit};

/// Decides one award on its period's standings.
pub(crate) fn outcome(
    corpus: &Corpus,
    index: usize,
    award: &Award,
    periods: &[std::sync::Arc<PeriodStandings>],
    current_period: usize,
) -> AwardOutcome {
    let period = award.period.as_ref().and_then(|p| corpus.period_index(&p.value));
    let period = period.unwrap_or(current_period);
    let scopes = periods.get(period).map_or_else(Vec::new, |standings| match award.scope {
        AwardScope::Overall => vec![scope(corpus, award, standings, None, &standings.ranking, true)],
        AwardScope::Cluster => standings
            .clusters
            .iter()
            .map(|c| scope(corpus, award, standings, Some(c.cluster), &c.ranking, true))
            .collect(),
    });
    AwardOutcome { award: index, period, scopes }
}

/// Proposals within one scope; `ranking` is the scope's display order. With `stop_early`, the
/// walk down the ranking stops where no later unit can change the outcome: at the first unit
/// below `top`, `min_score` or `min_tier` (ranks only grow and totals only fall down a
/// ranking), and once the quota is reached and the last candidate's group of equal rank is
/// complete. The result is the same either way (a test compares them).
pub(super) fn scope(
    corpus: &Corpus,
    award: &Award,
    standings: &PeriodStandings,
    cluster: Option<usize>,
    ranking: &[usize],
    stop_early: bool,
) -> AwardScopeOutcome {
    let limit = award.quota.map(|quota| resolve_quota(quota, ranking.len()));
    let enough = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let mut candidates: Vec<AwardEntry> = Vec::new();
    for &unit in ranking {
        let (Some(score), Some(u)) = (standings.units.get(unit), corpus.units.get(unit)) else { continue };
        let Some(rank) = (if cluster.is_some() { score.cluster_rank } else { score.rank }) else { continue };
        let reached = reaches(corpus, award, score, rank);
        let quota_met = candidates.len() >= enough && candidates.last().is_some_and(|c| c.rank != rank);
        if stop_early && (!reached || quota_met) {
            break;
        }
        if reached && qualifies(award, u) {
            candidates.push(AwardEntry { unit, status: AwardStatus::Proposed, rank, total: score.total });
        }
    }
    let entries = match limit {
        Some(limit) => apply_quota(candidates, limit),
        None => candidates,
    };
    AwardScopeOutcome { cluster, ranked: ranking.len(), limit, entries }
}

/// The conditions on rank and total (`top`, `min_score`, `min_tier`): once a unit fails them,
/// every unit after it in the ranking fails them too.
fn reaches(corpus: &Corpus, award: &Award, score: &UnitScore, rank: u32) -> bool {
    award.top.is_none_or(|top| rank <= top)
        && award.min_score.is_none_or(|min| score.total >= min)
        && award.min_tier.as_ref().is_none_or(|t| tier_or_better(corpus, score.tier, &t.value))
}

/// The conditions on the unit itself: registration and seeking the award.
fn qualifies(award: &Award, unit: &Unit) -> bool {
    let seeks = |unit: &Unit| {
        let registration = unit.registration.as_ref();
        registration.is_some_and(|r| r.seeks.iter().any(|s| s.value == award.id))
    };
    (!award.requires_registration || unit.registration.is_some()) && (!award.requires_seeking || seeks(unit))
}

/// Whether `tier` is the tier `wanted` or one whose `min_score` is at least as high.
fn tier_or_better(corpus: &Corpus, tier: Option<usize>, wanted: &str) -> bool {
    let tiers = &corpus.campaign.tiers;
    let wanted = corpus.tier_index(wanted).and_then(|i| tiers.get(i));
    let reached = tier.and_then(|i| tiers.get(i));
    match (reached, wanted) {
        (Some(reached), Some(wanted)) => reached.min_score >= wanted.min_score,
        _ => false,
    }
}

/// The quota as a count: N, or floor(P * ranked / 100), never negative.
fn resolve_quota(quota: Quota, ranked: usize) -> u32 {
    let percent = match quota {
        Quota::Count(count) => return count,
        Quota::Percent(percent) => percent,
    };
    let share = percent.checked_mul(Decimal::from(ranked)).and_then(|x| x.checked_div(Decimal::ONE_HUNDRED));
    match share {
        Some(share) if share <= Decimal::ZERO => 0,
        Some(share) => share.floor().to_u32().unwrap_or(u32::MAX),
        None if percent.is_sign_negative() => 0,
        None => u32::MAX,
    }
}

/// Walks the candidates in groups of equal rank while fewer than `limit` are proposed: a group
/// that fits is proposed, one that does not is marked tied and ends the walk.
fn apply_quota(candidates: Vec<AwardEntry>, limit: u32) -> Vec<AwardEntry> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut entries: Vec<AwardEntry> = Vec::new();
    for group in candidates.chunk_by(|a, b| a.rank == b.rank) {
        if entries.len() >= limit {
            break;
        }
        if entries.len().saturating_add(group.len()) <= limit {
            entries.extend_from_slice(group);
        } else {
            entries.extend(group.iter().map(|e| AwardEntry { status: AwardStatus::Tie, ..e.clone() }));
            break;
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::testkit::d;

    fn entry(unit: usize, rank: u32) -> AwardEntry {
        AwardEntry { unit, status: AwardStatus::Proposed, rank, total: Decimal::ZERO }
    }

    fn statuses(entries: &[AwardEntry]) -> Vec<(usize, AwardStatus)> {
        entries.iter().map(|e| (e.unit, e.status)).collect()
    }

    #[test]
    fn percent_quota_is_floored() {
        assert_eq!(resolve_quota(Quota::Percent(d("20")), 9), 1);
        assert_eq!(resolve_quota(Quota::Percent(d("20")), 10), 2);
        assert_eq!(resolve_quota(Quota::Percent(d("12.5")), 16), 2);
        assert_eq!(resolve_quota(Quota::Percent(d("12.5")), 15), 1);
        assert_eq!(resolve_quota(Quota::Percent(d("-5")), 15), 0);
        assert_eq!(resolve_quota(Quota::Percent(Decimal::MAX), 15), u32::MAX);
        assert_eq!(resolve_quota(Quota::Count(3), 1), 3);
    }

    #[test]
    fn quota_walk_stops_at_a_tie_on_the_cut_off() {
        let candidates = vec![entry(0, 1), entry(1, 2), entry(2, 2), entry(3, 4)];
        let got = apply_quota(candidates.clone(), 2);
        use AwardStatus::{Proposed, Tie};
        assert_eq!(statuses(&got), [(0, Proposed), (1, Tie), (2, Tie)]);
        assert_eq!(
            statuses(&apply_quota(candidates.clone(), 3)),
            [(0, Proposed), (1, Proposed), (2, Proposed)]
        );
        assert_eq!(statuses(&apply_quota(candidates.clone(), 0)), []);
        assert_eq!(apply_quota(candidates, 10).len(), 4);
    }

    #[test]
    fn a_tie_for_first_larger_than_the_quota_proposes_nobody() {
        let got = apply_quota(vec![entry(0, 1), entry(1, 1), entry(2, 3)], 1);
        assert_eq!(statuses(&got), [(0, AwardStatus::Tie), (1, AwardStatus::Tie)]);
    }
}
