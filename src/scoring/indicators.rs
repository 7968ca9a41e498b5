//! Campaign indicators (SPEC §7): shares of units, ratios and sums of unit metrics, per period.
//!
//! Reads unit metrics (the period's overriding the unit's, `headcount` from its own field) and
//! registrations; it does not depend on points or ranks. A value that cannot be computed (no
//! unit, a zero denominator, no contributor) is `None` and never achieved.

use rust_decimal::Decimal;

use super::IndicatorOutcome;
use super::methods::{round, scaled};
use crate::model::{Corpus, Indicator, IndicatorKind, PeriodResults, ShareCondition, Unit};

/// One outcome per declared indicator, for the period `period_id` (the tests' way in).
#[cfg(test)]
pub(crate) fn outcomes(corpus: &Corpus, period_id: &str, precision: u32) -> Vec<IndicatorOutcome> {
    let parts: Vec<Vec<Part>> = corpus.units.iter().map(|u| parts(corpus, u, period_id)).collect();
    outcomes_of(corpus, parts.iter().map(Vec::as_slice), precision)
}

/// What one unit brings to one indicator in one period. Computed per unit (so `serve` can keep
/// it for units that did not change) and summed over the units in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    /// Share of units: whether the condition holds.
    Holds(bool),
    /// Ratio: both metrics, when the unit has both.
    Pair(Option<(Decimal, Decimal)>),
    /// Sum: the metric, when the unit has it.
    Value(Option<Decimal>),
}

/// The unit's part in each declared indicator, in order.
pub(crate) fn parts(corpus: &Corpus, unit: &Unit, period: &str) -> Vec<Part> {
    let indicators = &corpus.campaign.indicators;
    indicators
        .iter()
        .map(|i| match &i.kind {
            IndicatorKind::ShareOfUnits(condition) => Part::Holds(holds(unit, &condition.value, period)),
            IndicatorKind::Ratio { sum, over } => {
                Part::Pair(metric(unit, period, &sum.value).zip(metric(unit, period, &over.value)))
            }
            IndicatorKind::Sum(name) => Part::Value(metric(unit, period, &name.value)),
        })
        .collect()
}

/// The outcomes from every unit's parts (`units` yields one slice per unit, in unit order).
pub(crate) fn outcomes_of<'a>(
    corpus: &Corpus,
    units: impl Iterator<Item = &'a [Part]> + Clone,
    precision: u32,
) -> Vec<IndicatorOutcome> {
    let indicators = &corpus.campaign.indicators;
    indicators
        .iter()
        .enumerate()
        .map(|(index, indicator)| {
            let parts = units.clone().filter_map(|u| u.get(index));
            let raw = match &indicator.kind {
                IndicatorKind::ShareOfUnits(_) => share(parts),
                IndicatorKind::Ratio { .. } => ratio(parts),
                IndicatorKind::Sum(_) => sum(parts),
            };
            outcome(indicator, raw, precision)
        })
        .collect()
}

/// Numerator, denominator and unrounded value of an indicator.
#[derive(Default)]
struct Raw {
    numerator: Option<Decimal>,
    denominator: Option<Decimal>,
    value: Option<Decimal>,
}

fn outcome(indicator: &Indicator, raw: Raw, precision: u32) -> IndicatorOutcome {
    let value = raw.value.map(|v| round(v, precision));
    let achieved = value.is_some_and(|v| {
        if indicator.lower_is_better { v <= indicator.target } else { v >= indicator.target }
    });
    IndicatorOutcome { value, achieved, numerator: raw.numerator, denominator: raw.denominator }
}

/// A unit's metric in a period: the period's value, else the unit's; `headcount` comes from
/// the unit's own field first, as it is reserved for it.
pub(crate) fn metric(unit: &Unit, period: &str, name: &str) -> Option<Decimal> {
    if name == "headcount" {
        if let Some(headcount) = &unit.headcount {
            return Some(headcount.value);
        }
    }
    let in_period = unit.results.get(period).and_then(|r| r.metrics.get(name));
    in_period.or_else(|| unit.metrics.get(name)).map(|m| m.value)
}

fn holds(unit: &Unit, condition: &ShareCondition, period: &str) -> bool {
    match condition {
        ShareCondition::Registered => unit.registration.is_some(),
        ShareCondition::Reported => unit.results.get(period).is_some_and(PeriodResults::is_report),
        ShareCondition::Metric(name) => metric(unit, period, name).is_some_and(|v| v > Decimal::ZERO),
    }
}

fn share<'a>(parts: impl Iterator<Item = &'a Part>) -> Raw {
    let (mut count, mut all) = (0usize, 0usize);
    for part in parts {
        all += 1;
        if *part == Part::Holds(true) {
            count += 1;
        }
    }
    if all == 0 {
        return Raw::default();
    }
    let (count, all) = (Decimal::from(count), Decimal::from(all));
    Raw { numerator: Some(count), denominator: Some(all), value: percent(count, all) }
}

fn ratio<'a>(parts: impl Iterator<Item = &'a Part>) -> Raw {
    let pairs = parts.filter_map(|p| match p {
        Part::Pair(pair) => *pair,
        _ => None,
    });
    let sums = pairs.fold(None, |acc: Option<(Decimal, Decimal)>, (a, b)| {
        let (sa, sb) = acc.unwrap_or_default();
        Some((sa.saturating_add(a), sb.saturating_add(b)))
    });
    let Some((numerator, denominator)) = sums else {
        return Raw::default();
    };
    Raw { numerator: Some(numerator), denominator: Some(denominator), value: percent(numerator, denominator) }
}

fn sum<'a>(parts: impl Iterator<Item = &'a Part>) -> Raw {
    let values = parts.filter_map(|p| match p {
        Part::Value(v) => *v,
        _ => None,
    });
    let total = values.fold(None, |acc: Option<Decimal>, v| Some(acc.unwrap_or_default().saturating_add(v)));
    Raw { numerator: total, denominator: None, value: total }
}

/// `100 * part / whole`, multiplying first; none when `whole` is 0.
fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    scaled(Decimal::ONE_HUNDRED, part, whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Registration;
    use crate::scoring::testkit::{Kit, d, period_results, sp};

    fn kit() -> Kit {
        Kit::new(&["h1", "year"])
            .assessed("A1", "10")
            .unit("a", "A")
            .unit("b", "B")
            .unit("c", "C")
            .unit("e", "E")
            .report("a", "h1", &[("A1", "5")])
            .with("a", |u| {
                u.headcount = Some(sp(d("100")));
                u.metrics.insert("staff".into(), sp(d("90")));
                u.metrics.insert("late".into(), sp(d("2")));
                u.registration = Some(Registration::default());
            })
            .with("b", |u| {
                u.headcount = Some(sp(d("200")));
                u.metrics.insert("staff".into(), sp(d("50")));
                period_results(u, "year").metrics.insert("staff".into(), sp(d("150")));
            })
            // c has staff but no headcount: it takes no part in the ratio.
            .with("c", |u| {
                u.metrics.insert("staff".into(), sp(d("1000")));
                u.metrics.insert("late".into(), sp(d("0")));
            })
    }

    fn value_of(kind: IndicatorKind, target: &str, lower: bool, period: &str) -> IndicatorOutcome {
        let corpus = kit().indicator("x", kind, target, lower).precision(2).build();
        outcomes(&corpus, period, 2).remove(0)
    }

    fn metric_kind(name: &str) -> IndicatorKind {
        IndicatorKind::Sum(sp(name.into()))
    }

    #[test]
    fn share_of_units_counts_over_all_units() {
        let registered = IndicatorKind::ShareOfUnits(sp(ShareCondition::Registered));
        let got = value_of(registered, "25", false, "h1");
        assert_eq!((got.value, got.achieved), (Some(d("25")), true));
        assert_eq!((got.numerator, got.denominator), (Some(d("1")), Some(d("4"))));
        let reported = IndicatorKind::ShareOfUnits(sp(ShareCondition::Reported));
        assert_eq!(value_of(reported.clone(), "30", false, "h1").value, Some(d("25")));
        assert!(!value_of(reported.clone(), "30", false, "h1").achieved);
        assert_eq!(value_of(reported, "0", false, "year").value, Some(d("0")));
        let late = IndicatorKind::ShareOfUnits(sp(ShareCondition::Metric("late".into())));
        assert_eq!(value_of(late, "0", false, "h1").value, Some(d("25")));
    }

    #[test]
    fn share_over_zero_units_has_no_value() {
        let corpus = Kit::new(&["h1"])
            .indicator("x", IndicatorKind::ShareOfUnits(sp(ShareCondition::Registered)), "0", false)
            .build();
        let got = outcomes(&corpus, "h1", 2).remove(0);
        assert_eq!((got.value, got.achieved, got.denominator), (None, false, None));
    }

    #[test]
    fn ratio_sums_over_units_having_both_metrics() {
        let kind = || IndicatorKind::Ratio { sum: sp("staff".into()), over: sp("headcount".into()) };
        // h1: (90 + 50) / (100 + 200) = 46.666… -> 46.67
        let got = value_of(kind(), "46.67", false, "h1");
        assert_eq!((got.value, got.achieved), (Some(d("46.67")), true));
        assert_eq!((got.numerator, got.denominator), (Some(d("140")), Some(d("300"))));
        // year: b's period metric overrides its unit metric: (90 + 150) / 300 = 80.
        assert_eq!(value_of(kind(), "100", false, "year").value, Some(d("80")));
    }

    #[test]
    fn ratio_with_zero_denominator_or_no_contributor_has_no_value() {
        let zero = kit().with("a", |u| u.headcount = Some(sp(d("0")))).with("b", |u| u.headcount = None);
        let kind = IndicatorKind::Ratio { sum: sp("staff".into()), over: sp("headcount".into()) };
        let corpus = zero.indicator("x", kind, "0", false).build();
        let got = outcomes(&corpus, "h1", 2).remove(0);
        assert_eq!((got.value, got.achieved, got.denominator), (None, false, Some(d("0"))));
        let kind = IndicatorKind::Ratio { sum: sp("nothing".into()), over: sp("headcount".into()) };
        let got = value_of(kind, "0", true, "h1");
        assert_eq!((got.value, got.achieved, got.numerator), (None, false, None));
    }

    #[test]
    fn sum_and_lower_is_better() {
        let got = value_of(metric_kind("late"), "0", true, "h1");
        assert_eq!((got.value, got.achieved), (Some(d("2")), false));
        assert!(value_of(metric_kind("late"), "2", true, "h1").achieved);
        assert!(value_of(metric_kind("late"), "2", false, "h1").achieved);
        assert!(!value_of(metric_kind("late"), "3", false, "h1").achieved);
        let none = value_of(metric_kind("unknown"), "0", true, "h1");
        assert_eq!((none.value, none.achieved), (None, false));
    }

    #[test]
    fn values_are_rounded_before_comparing_with_the_target() {
        let corpus = kit()
            .with("a", |u| {
                u.metrics.insert("tiny".into(), sp(d("0.004")));
            })
            .indicator("x", metric_kind("tiny"), "0", true)
            .build();
        let got = outcomes(&corpus, "h1", 2).remove(0);
        assert_eq!((got.value, got.achieved), (Some(d("0.00")), true));
    }
}
