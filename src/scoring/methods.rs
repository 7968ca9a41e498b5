//! Points of one unit in one period (SPEC §4): each criterion by its scoring method, bonus and
//! penalty items with their caps, and the total.
//!
//! All arithmetic is `Decimal`; divisions multiply first and every rounding (half away from
//! zero, to the campaign precision) happens here, once per criterion, item and capped sum.
//! Values of the wrong kind or out of range score 0 rather than fail: validation reports them.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{Context, CriterionScore, ItemScore, UnitScore};
use crate::model::{Band, Bands, Criterion, IdMap, ItemTable, Method, PeriodResults, Spanned, Unit, Value};

/// The largest scale a `Decimal` holds; a larger precision could not change anything.
const MAX_SCALE: u32 = 28;

/// Rounds to `precision` decimals, half away from zero.
pub(crate) fn round(x: Decimal, precision: u32) -> Decimal {
    x.round_dp_with_strategy(precision.min(MAX_SCALE), RoundingStrategy::MidpointAwayFromZero)
}

/// `m * x / y`, multiplying first to keep every digit the division can give; if the product
/// overflows, `m * (x / y)`. `None` when `y` is 0 or both orders overflow.
pub(crate) fn scaled(m: Decimal, x: Decimal, y: Decimal) -> Option<Decimal> {
    m.checked_mul(x)
        .and_then(|product| product.checked_div(y))
        .or_else(|| x.checked_div(y).and_then(|ratio| m.checked_mul(ratio)))
}

/// `x <= k * y`, also when the product overflows (its sign then decides, as it exceeds any `x`).
fn at_most(x: Decimal, k: Decimal, y: Decimal) -> bool {
    match k.checked_mul(y) {
        Some(product) => x <= product,
        None => k.is_sign_positive() == y.is_sign_positive(),
    }
}

/// Unrounded points of one value, and how they came about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Exact {
    pub(crate) points: Decimal,
    pub(crate) capped: bool,
    pub(crate) band: Option<usize>,
}

impl Exact {
    fn plain(points: Decimal) -> Exact {
        Exact { points, capped: false, band: None }
    }

    fn capped(points: Decimal) -> Exact {
        Exact { points, capped: true, band: None }
    }
}

/// Points of `value` for a criterion with max `max` scored by `method`; `target` is the
/// effective target (the method's default is used when it is `None`).
pub(crate) fn exact_points(method: &Method, max: Decimal, target: Option<Decimal>, value: Value) -> Exact {
    let zero = Exact::plain(Decimal::ZERO);
    match (method, value) {
        // Clamped defensively: validation rejects a < 0 and a > M.
        (Method::Assessed, Value::Number(a)) => Exact::plain(a.max(Decimal::ZERO).min(max)),
        (Method::Proportional { target: t, cap }, Value::Number(a)) => {
            proportional(max, target.unwrap_or(*t), *cap, a)
        }
        (Method::Inverse { target: t, cap }, Value::Number(a)) => inverse(max, target.unwrap_or(*t), *cap, a),
        (Method::PassFail, Value::Bool(true)) => Exact::plain(max),
        (Method::Bands { bands }, Value::Number(a)) => band_points(bands, a).unwrap_or(zero),
        (Method::PerItem { per }, Value::Number(a)) => per_item(max, *per, a),
        _ => zero,
    }
}

/// `M * min(a / T, K)`. A target <= 0 or a negative value (both validation errors) score 0.
fn proportional(m: Decimal, t: Decimal, k: Decimal, a: Decimal) -> Exact {
    if t <= Decimal::ZERO || a < Decimal::ZERO {
        return Exact::plain(Decimal::ZERO);
    }
    let at_cap = m.saturating_mul(k);
    if !at_most(a, k, t) {
        return Exact::capped(at_cap);
    }
    Exact::plain(scaled(m, a, t).unwrap_or(at_cap))
}

/// `M * min(T / a, K)`, `M * K` when `a = 0`. Same guards as `proportional`.
fn inverse(m: Decimal, t: Decimal, k: Decimal, a: Decimal) -> Exact {
    if t <= Decimal::ZERO || a < Decimal::ZERO {
        return Exact::plain(Decimal::ZERO);
    }
    let at_cap = m.saturating_mul(k);
    if a.is_zero() || !at_most(t, k, a) {
        return Exact::capped(at_cap);
    }
    Exact::plain(scaled(m, t, a).unwrap_or(at_cap))
}

/// `min(a * P, M)`; a negative count (a validation error) scores 0.
fn per_item(m: Decimal, per: Decimal, a: Decimal) -> Exact {
    if a < Decimal::ZERO {
        return Exact::plain(Decimal::ZERO);
    }
    match a.checked_mul(per) {
        Some(points) if points <= m => Exact::plain(points),
        _ => Exact::capped(m),
    }
}

/// The matching band's points: greatest `min <= a`, or smallest `max >= a`.
fn band_points(bands: &Bands, a: Decimal) -> Option<Exact> {
    let (index, band) = match bands {
        Bands::Min(list) => best_band(list, |bound| bound <= a, |new, old| new > old),
        Bands::Max(list) => best_band(list, |bound| bound >= a, |new, old| new < old),
    }?;
    Some(Exact { points: band.points, capped: false, band: Some(index) })
}

/// The first band that fits and that no later fitting band beats.
fn best_band(
    list: &[Band],
    fits: impl Fn(Decimal) -> bool,
    beats: impl Fn(Decimal, Decimal) -> bool,
) -> Option<(usize, &Band)> {
    list.iter().enumerate().filter(|(_, band)| fits(band.bound)).fold(None, |best, (i, band)| match best {
        Some((_, old)) if !beats(band.bound, old.bound) => best,
        _ => Some((i, band)),
    })
}

/// Scores one unit in one period; ranks, changes and tier are filled in later.
pub(crate) fn score_unit(ctx: &Context<'_>, unit: &Unit, period_id: &str) -> UnitScore {
    let results = unit.results.get(period_id);
    let reported = results.is_some_and(PeriodResults::is_report);
    let criteria: Vec<CriterionScore> = ctx
        .criteria
        .iter()
        .map(|criterion| criterion_score(criterion, unit, results, reported, ctx.precision))
        .collect();
    let table = &ctx.corpus.criteria;
    let bonus = score_items(table.bonus.as_ref(), results.map(|r| &r.bonus), ctx.precision);
    let penalties = score_items(table.penalties.as_ref(), results.map(|r| &r.penalties), ctx.precision);
    let points = criteria.iter().fold(Decimal::ZERO, |sum, c| sum.saturating_add(c.points));
    let total = points.saturating_add(bonus.total).saturating_sub(penalties.total);
    UnitScore {
        reported,
        criteria: std::sync::Arc::new(criteria),
        bonus: bonus.items,
        bonus_total: bonus.total,
        bonus_capped: bonus.capped,
        penalties: penalties.items,
        penalty_total: penalties.total,
        penalty_capped: penalties.capped,
        total: total.max(Decimal::ZERO),
        rank: None,
        cluster_rank: None,
        rank_change: None,
        cluster_rank_change: None,
        tier: None,
    }
}

fn criterion_score(
    criterion: &Criterion,
    unit: &Unit,
    results: Option<&PeriodResults>,
    reported: bool,
    precision: u32,
) -> CriterionScore {
    let value = results.and_then(|r| r.values.get(&criterion.id)).map(|v| v.value);
    // An override only means something for a method that has a target.
    let override_target = criterion.target().and_then(|_| {
        let registration = unit.registration.as_ref()?;
        registration.targets.get(&criterion.id).map(|t| t.value)
    });
    let target = override_target.or(criterion.target());
    let exact = value.map(|v| exact_points(&criterion.method, criterion.max, target, v));
    CriterionScore {
        value,
        missing: reported && value.is_none(),
        target,
        target_overridden: override_target.is_some(),
        exact: exact.map(|e| e.points),
        points: exact.map_or(Decimal::ZERO, |e| round(e.points, precision)),
        capped: exact.is_some_and(|e| e.capped),
        band: exact.and_then(|e| e.band),
    }
}

/// Bonus or penalty items of one unit, and their (capped, rounded) sum.
struct ItemTotals {
    items: Vec<ItemScore>,
    total: Decimal,
    capped: bool,
}

fn score_items(
    table: Option<&ItemTable>,
    counts: Option<&IdMap<Spanned<Decimal>>>,
    precision: u32,
) -> ItemTotals {
    let (Some(table), Some(counts)) = (table, counts) else {
        return ItemTotals { items: Vec::new(), total: Decimal::ZERO, capped: false };
    };
    let items: Vec<ItemScore> = table
        .items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let count = counts.get(&item.id)?.value;
            Some(item_score(index, item.points, item.max, count, precision))
        })
        .collect();
    let sum = items.iter().fold(Decimal::ZERO, |sum, item| sum.saturating_add(item.points));
    match table.max {
        Some(max) if sum > max => ItemTotals { items, total: round(max, precision), capped: true },
        _ => ItemTotals { items, total: sum, capped: false },
    }
}

/// `count * points`, capped by the item's `max`; a negative count (a validation error) counts 0.
fn item_score(
    item: usize,
    points: Decimal,
    max: Option<Decimal>,
    count: Decimal,
    precision: u32,
) -> ItemScore {
    let raw = count.max(Decimal::ZERO).saturating_mul(points);
    let (exact, capped) = match max {
        Some(max) if raw > max => (max, true),
        _ => (raw, false),
    };
    ItemScore { item, count, exact, points: round(exact, precision), capped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Band, Pos};
    use crate::scoring::testkit::{d, n};

    fn points(method: Method, max: &str, value: Value) -> Exact {
        exact_points(&method, d(max), None, value)
    }

    fn proportional_method(target: &str, cap: &str) -> Method {
        Method::Proportional { target: d(target), cap: d(cap) }
    }

    fn inverse_method(target: &str, cap: &str) -> Method {
        Method::Inverse { target: d(target), cap: d(cap) }
    }

    fn bands(min_kind: bool, list: &[(&str, &str)]) -> Method {
        let list = list
            .iter()
            .map(|(bound, p)| Band {
                bound: d(bound),
                points: d(p),
                pos: Pos::file_start(crate::model::FileId(0)),
            })
            .collect();
        Method::Bands { bands: if min_kind { Bands::Min(list) } else { Bands::Max(list) } }
    }

    #[test]
    fn assessed_takes_the_value_and_clamps_it() {
        assert_eq!(points(Method::Assessed, "10", n("7.5")), Exact::plain(d("7.5")));
        assert_eq!(points(Method::Assessed, "10", n("12")).points, d("10"));
        assert_eq!(points(Method::Assessed, "10", n("-1")).points, d("0"));
        assert_eq!(points(Method::Assessed, "10", Value::Bool(true)).points, d("0"));
    }

    #[test]
    fn proportional_scales_and_caps() {
        let m = || proportional_method("100", "1");
        assert_eq!(points(m(), "20", n("50")), Exact::plain(d("10")));
        assert_eq!(points(m(), "20", n("100")), Exact::plain(d("20")));
        assert_eq!(points(m(), "20", n("150")), Exact::capped(d("20")));
        assert_eq!(points(m(), "20", n("0")), Exact::plain(d("0")));
        assert_eq!(points(m(), "20", Value::Bool(true)).points, d("0"));
    }

    #[test]
    fn proportional_cap_above_one_credits_overachievement() {
        let m = || proportional_method("100", "1.2");
        assert_eq!(points(m(), "20", n("110")), Exact::plain(d("22")));
        assert_eq!(points(m(), "20", n("120")), Exact::plain(d("24")));
        assert_eq!(points(m(), "20", n("130")), Exact::capped(d("24")));
    }

    #[test]
    fn proportional_uses_the_overriding_target() {
        let m = proportional_method("100", "1");
        assert_eq!(exact_points(&m, d("20"), Some(d("50")), n("50")).points, d("20"));
    }

    #[test]
    fn proportional_without_a_positive_target_scores_zero() {
        assert_eq!(points(proportional_method("0", "1"), "20", n("5")).points, d("0"));
        assert_eq!(points(proportional_method("-3", "1"), "20", n("5")).points, d("0"));
        assert_eq!(points(proportional_method("10", "1"), "20", n("-5")).points, d("0"));
    }

    #[test]
    fn inverse_rewards_lower_values() {
        let m = || inverse_method("10", "1");
        assert_eq!(points(m(), "20", n("20")), Exact::plain(d("10")));
        assert_eq!(points(m(), "20", n("10")), Exact::plain(d("20")));
        assert_eq!(points(m(), "20", n("5")), Exact::capped(d("20")));
        assert_eq!(points(m(), "20", n("0")), Exact::capped(d("20")));
    }

    #[test]
    fn inverse_at_zero_gives_max_times_cap() {
        assert_eq!(points(inverse_method("10", "1.5"), "20", n("0")), Exact::capped(d("30")));
        assert_eq!(points(inverse_method("10", "1.5"), "20", n("8")), Exact::plain(d("25")));
    }

    #[test]
    fn pass_fail_needs_true() {
        assert_eq!(points(Method::PassFail, "5", Value::Bool(true)).points, d("5"));
        assert_eq!(points(Method::PassFail, "5", Value::Bool(false)).points, d("0"));
        assert_eq!(points(Method::PassFail, "5", n("1")).points, d("0"));
    }

    #[test]
    fn min_bands_take_the_greatest_min_at_or_below() {
        let m = || bands(true, &[("90", "10"), ("50", "5"), ("70", "8")]);
        let got = |a| {
            let e = points(m(), "10", n(a));
            (e.points, e.band)
        };
        assert_eq!(got("95"), (d("10"), Some(0)));
        assert_eq!(got("70"), (d("8"), Some(2)));
        assert_eq!(got("69.99"), (d("5"), Some(1)));
        assert_eq!(got("49"), (d("0"), None));
    }

    #[test]
    fn max_bands_take_the_smallest_max_at_or_above() {
        let m = || bands(false, &[("0", "10"), ("2", "6"), ("5", "2")]);
        let got = |a| {
            let e = points(m(), "10", n(a));
            (e.points, e.band)
        };
        assert_eq!(got("0"), (d("10"), Some(0)));
        assert_eq!(got("1"), (d("6"), Some(1)));
        assert_eq!(got("5"), (d("2"), Some(2)));
        assert_eq!(got("6"), (d("0"), None));
    }

    #[test]
    fn per_item_caps_at_max() {
        let m = || Method::PerItem { per: d("0.5") };
        assert_eq!(points(m(), "3", n("4")), Exact::plain(d("2")));
        assert_eq!(points(m(), "3", n("6")), Exact::plain(d("3")));
        assert_eq!(points(m(), "3", n("7")), Exact::capped(d("3")));
        assert_eq!(points(m(), "3", n("-1")).points, d("0"));
    }

    #[test]
    fn overflow_falls_back_instead_of_panicking() {
        let huge = Decimal::MAX;
        // M * a overflows, M * (a / T) does not.
        let e = points(proportional_method("4", "1e28"), "10", n("1e28"));
        assert_eq!(e, Exact::plain(d("2.5e28")));
        // Both orders overflow: the cap, saturated.
        let e = points(proportional_method("1", "1e27"), "1e10", n("1e20"));
        assert_eq!(e, Exact::plain(huge));
        let e = points(proportional_method("0.0000001", "1e27"), "1000", Value::Number(huge));
        assert_eq!(e, Exact::capped(huge));
        let e = points(Method::PerItem { per: huge }, "3", Value::Number(huge));
        assert_eq!(e, Exact::capped(d("3")));
        let e = points(inverse_method("1e27", "1e27"), "1e27", n("1"));
        assert_eq!(e, Exact::plain(huge));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round(d("2.5"), 0), d("3"));
        assert_eq!(round(d("-2.5"), 0), d("-3"));
        assert_eq!(round(d("1.005"), 2), d("1.01"));
        assert_eq!(round(d("1.00049"), 3), d("1.000"));
        assert_eq!(round(d("0.12345"), 4), d("0.1235"));
        assert_eq!(round(d("0.12344999"), 4), d("0.1234"));
        assert_eq!(round(d("7"), 40), d("7"));
    }

    #[test]
    fn division_keeps_digits_before_rounding_once() {
        // M=10, a=1, T=3: 3.333… rounds to 3.33, never 3.3299… nor 3.34.
        let exact = points(proportional_method("3", "1"), "10", n("1")).points;
        assert_eq!(round(exact, 2), d("3.33"));
        assert!(exact.scale() >= 20);
        // 2/3 of 10 = 6.666…: half-way rules do not apply, it rounds up.
        let exact = points(proportional_method("3", "1"), "10", n("2")).points;
        assert_eq!(round(exact, 2), d("6.67"));
    }

    #[test]
    fn decimal_sums_do_not_drift() {
        assert_eq!(d("0.1") + d("0.2"), d("0.3"));
    }

    #[test]
    fn items_are_capped_one_by_one_then_as_a_sum() {
        let item = item_score(0, d("1.5"), Some(d("4")), d("2"), 2);
        assert_eq!((item.exact, item.points, item.capped), (d("3"), d("3"), false));
        let item = item_score(0, d("1.5"), Some(d("4")), d("3"), 2);
        assert_eq!((item.exact, item.points, item.capped), (d("4"), d("4"), true));
        let item = item_score(0, d("0.125"), None, d("1"), 2);
        assert_eq!(item.points, d("0.13"));
        assert_eq!(item_score(0, d("2"), None, d("-1"), 2).points, d("0"));
    }
}
