//! Rankings (SPEC §6): competition ranks overall and per cluster, display order among equals,
//! rank changes between consecutive periods, and tiers.
//!
//! Works on already computed `UnitScore`s; it never looks at raw values. Sorting is
//! O(n log n) per scope, and names are compared through positions computed once per run. When
//! a few units' scores changed since a ranking was made, `reinsert` moves just those units.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::{ClusterRanking, Context, UnitScore};
use crate::model::Tier;

/// The reporting units in display order. `hint`, a previous display order of the same units,
/// only speeds the sort up.
pub(crate) fn sort_overall(ctx: &Context<'_>, units: &[UnitScore], hint: Option<&[usize]>) -> Vec<usize> {
    let members = seeded(units, (0..units.len()).filter(|&i| reported(units, i)).collect(), hint);
    sorted(ctx, units, members)
}

/// The reporting units of each declared cluster in display order; units whose cluster does not
/// resolve take no part.
pub(crate) fn sort_clusters(
    ctx: &Context<'_>,
    units: &[UnitScore],
    hint: Option<&[ClusterRanking]>,
) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ctx.corpus.campaign.clusters.len()];
    for (index, cluster) in ctx.unit_cluster.iter().enumerate() {
        let slot = cluster.and_then(|c| members.get_mut(c));
        if let (Some(slot), true) = (slot, reported(units, index)) {
            slot.push(index);
        }
    }
    members
        .into_iter()
        .enumerate()
        .map(|(cluster, members)| {
            let hint = hint.and_then(|h| h.get(cluster)).map(|r| r.ranking.as_slice());
            sorted(ctx, units, seeded(units, members, hint))
        })
        .collect()
}

/// `previous`, a display order of the scope, with the `moved` units (sorted) taken out and
/// those of them now in the scope (reporting, and `in_scope`) put back where they belong. The
/// units not moved must compare among themselves as they did when `previous` was sorted; the
/// result is then what sorting the scope gives, in O(n + moved × log n) comparisons.
pub(crate) fn reinsert(
    ctx: &Context<'_>,
    units: &[UnitScore],
    previous: &[usize],
    moved: &[usize],
    in_scope: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let mut order: Vec<usize> =
        previous.iter().copied().filter(|&i| i < units.len() && moved.binary_search(&i).is_err()).collect();
    for &i in moved {
        if reported(units, i) && in_scope(i) {
            let at = order.partition_point(|&j| compare(ctx, units, j, i).is_lt());
            order.insert(at, i);
        }
    }
    debug_assert!(order.windows(2).all(|w| compare(ctx, units, w[0], w[1]).is_lt()));
    order
}

/// Gives each unit of `order` (a display order) its competition rank (1, 2, 2, 4), overall or
/// in its cluster.
pub(crate) fn set_ranks(ctx: &Context<'_>, units: &mut [UnitScore], order: &[usize], cluster: bool) {
    let mut previous: Option<(usize, u32)> = None;
    let count = units.len();
    for (position, &index) in order.iter().filter(|&&i| i < count).enumerate() {
        let rank = match previous {
            Some((before, rank)) if merit(&units[before], &units[index], &ctx.tie_break).is_eq() => rank,
            _ => u32::try_from(position + 1).unwrap_or(u32::MAX),
        };
        previous = Some((index, rank));
        let unit = &mut units[index];
        if cluster {
            unit.cluster_rank = Some(rank);
        } else {
            unit.rank = Some(rank);
        }
    }
}

/// Whether a unit's place in a ranking can differ between two of its scores.
pub(crate) fn merit_differs(a: &UnitScore, b: &UnitScore, tie_break: &[usize]) -> bool {
    a.reported != b.reported || merit(a, b, tie_break).is_ne()
}

/// `members` reordered to follow `hint` (a previous display order), members not in it last.
/// Sorting is then close to linear when little changed; the sorted result does not depend on
/// the starting order, as units never compare equal (`display_order` ends with the unit id).
fn seeded(units: &[UnitScore], members: Vec<usize>, hint: Option<&[usize]>) -> Vec<usize> {
    let Some(hint) = hint else { return members };
    let mut is_member = vec![false; units.len()];
    for &i in &members {
        is_member[i] = true;
    }
    let mut taken = vec![false; units.len()];
    let mut ordered = Vec::with_capacity(members.len());
    for &i in hint {
        if is_member.get(i).copied().unwrap_or(false) && !taken[i] {
            taken[i] = true;
            ordered.push(i);
        }
    }
    ordered.extend(members.into_iter().filter(|&i| !taken[i]));
    ordered
}

fn reported(units: &[UnitScore], index: usize) -> bool {
    units.get(index).is_some_and(|u| u.reported)
}

/// `members` sorted for display.
fn sorted(ctx: &Context<'_>, units: &[UnitScore], members: Vec<usize>) -> Vec<usize> {
    let mut members: Vec<(usize, &UnitScore)> =
        members.into_iter().filter_map(|i| Some((i, units.get(i)?))).collect();
    members
        .sort_by(|(ia, a), (ib, b)| merit(a, b, &ctx.tie_break).then_with(|| display_order(ctx, *ia, *ib)));
    members.into_iter().map(|(i, _)| i).collect()
}

/// The display order of two units (indices into `units`): merit, then name and id.
fn compare(ctx: &Context<'_>, units: &[UnitScore], a: usize, b: usize) -> Ordering {
    merit(&units[a], &units[b], &ctx.tie_break).then_with(|| display_order(ctx, a, b))
}

/// Better first: higher total, then higher rounded points on each tie-break criterion.
fn merit(a: &UnitScore, b: &UnitScore, tie_break: &[usize]) -> Ordering {
    let points = |u: &UnitScore, c: usize| u.criteria.get(c).map_or(Decimal::ZERO, |s| s.points);
    b.total.cmp(&a.total).then_with(|| {
        let mut order = tie_break.iter().map(|&c| points(b, c).cmp(&points(a, c)));
        order.find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
    })
}

/// Among equals: name in the campaign language's collation, then unit id.
fn display_order(ctx: &Context<'_>, a: usize, b: usize) -> Ordering {
    let position = |i: usize| ctx.name_position.get(i).copied();
    let id = |i: usize| ctx.corpus.units.get(i).map(|u| u.id.as_str());
    position(a).cmp(&position(b)).then_with(|| id(a).cmp(&id(b)))
}

/// Fills rank changes from the previous declared period (same unit index).
pub(crate) fn set_rank_changes(units: &mut [UnitScore], previous: &[UnitScore]) {
    for (now, before) in units.iter_mut().zip(previous) {
        now.rank_change = change(before.rank, now.rank);
        now.cluster_rank_change = change(before.cluster_rank, now.cluster_rank);
    }
}

fn change(before: Option<u32>, now: Option<u32>) -> Option<i64> {
    Some(i64::from(before?) - i64::from(now?))
}

/// Gives each reporting unit its tier; units that did not report are not classified.
pub(crate) fn set_tiers(units: &mut [UnitScore], tiers: &[Tier]) {
    for unit in units.iter_mut().filter(|u| u.reported) {
        unit.tier = tier_for(unit.total, tiers);
    }
}

/// The tier with the highest `min_score <= total` (the first one written on an equal bound).
pub(crate) fn tier_for(total: Decimal, tiers: &[Tier]) -> Option<usize> {
    let reached = tiers.iter().enumerate().filter(|(_, t)| t.min_score <= total);
    reached
        .fold(None, |best: Option<(usize, &Tier)>, (i, tier)| match best {
            Some((_, old)) if tier.min_score <= old.min_score => best,
            _ => Some((i, tier)),
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::testkit::{d, tier};

    #[test]
    fn tier_is_the_highest_reached_whatever_the_order_written() {
        let tiers = [tier("tot", "70"), tier("xuat-sac", "90"), tier("kha", "50")];
        assert_eq!(tier_for(d("95"), &tiers), Some(1));
        assert_eq!(tier_for(d("90"), &tiers), Some(1));
        assert_eq!(tier_for(d("89.99"), &tiers), Some(0));
        assert_eq!(tier_for(d("50"), &tiers), Some(2));
        assert_eq!(tier_for(d("49"), &tiers), None);
        assert_eq!(tier_for(d("100"), &[]), None);
    }

    #[test]
    fn change_is_previous_minus_now() {
        assert_eq!(change(Some(5), Some(2)), Some(3));
        assert_eq!(change(Some(1), Some(4)), Some(-3));
        assert_eq!(change(None, Some(1)), None);
        assert_eq!(change(Some(1), None), None);
    }
}
