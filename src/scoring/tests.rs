//! Tests of `score` as a whole: totals, rankings, tiers, rank changes and awards on small
//! corpora built with `testkit`.

use rust_decimal::Decimal;

use super::testkit::{Kit, award, d, item, period_results, sp};
use super::*;
use crate::model::{Award, AwardScope, IndicatorKind, Language, Method, Quota, ShareCondition};

fn totals(standings: &Standings, period: usize) -> Vec<Decimal> {
    standings.periods[period].units.iter().map(|u| u.total).collect()
}

fn ranks(standings: &Standings, period: usize) -> Vec<Option<u32>> {
    standings.periods[period].units.iter().map(|u| u.rank).collect()
}

fn ranking_ids<'a>(corpus: &'a Corpus, ranking: &[usize]) -> Vec<&'a str> {
    ranking.iter().map(|&i| corpus.units[i].id.as_str()).collect()
}

fn third() -> Method {
    Method::Proportional { target: d("3"), cap: d("1") }
}

#[test]
fn criterion_points_are_rounded_before_summing() {
    // 3 × round(10/3) = 9.99, which ties exactly with an assessed 9.99.
    let corpus = Kit::new(&["p"])
        .criterion("A1", "10", third())
        .criterion("A2", "10", third())
        .criterion("A3", "10", third())
        .assessed("B", "10")
        .unit("a", "A")
        .unit("b", "B")
        .report("a", "p", &[("A1", "1"), ("A2", "1"), ("A3", "1")])
        .report("b", "p", &[("B", "9.99")])
        .build();
    let standings = score(&corpus);
    assert_eq!(totals(&standings, 0), [d("9.99"), d("9.99")]);
    assert_eq!(ranks(&standings, 0), [Some(1), Some(1)]);
    let a1 = &standings.periods[0].units[0].criteria[0];
    assert_eq!((a1.points, a1.capped, a1.target), (d("3.33"), false, Some(d("3"))));
}

#[test]
fn decimal_parts_tie_where_floats_would_not() {
    let corpus = Kit::new(&["p"])
        .assessed("A1", "1")
        .assessed("A2", "1")
        .unit("a", "A")
        .unit("b", "B")
        .report("a", "p", &[("A1", "0.1"), ("A2", "0.2")])
        .report("b", "p", &[("A1", "0.3"), ("A2", "0")])
        .build();
    let standings = score(&corpus);
    assert_eq!(totals(&standings, 0), [d("0.3"), d("0.3")]);
    assert_eq!(ranks(&standings, 0), [Some(1), Some(1)]);
}

#[test]
fn precision_decides_the_rounding() {
    let points_at = |precision: u32, target: &str| {
        let corpus = Kit::new(&["p"])
            .precision(precision)
            .criterion("A1", "1", Method::Proportional { target: d(target), cap: d("1") })
            .unit("a", "A")
            .report("a", "p", &[("A1", "1")])
            .build();
        score(&corpus).periods[0].units[0].criteria[0].points
    };
    assert_eq!(points_at(0, "2"), d("1")); // 0.5 rounds away from zero
    assert_eq!(points_at(0, "8"), d("0"));
    assert_eq!(points_at(2, "8"), d("0.13")); // 0.125
    assert_eq!(points_at(4, "8"), d("0.125"));
    assert_eq!(points_at(4, "3"), d("0.3333"));
    assert_eq!(points_at(4, "1.5"), d("0.6667"));
}

#[test]
fn a_registered_target_overrides_the_default() {
    let corpus = Kit::new(&["p"])
        .criterion("A1", "20", Method::Proportional { target: d("100"), cap: d("1") })
        .assessed("A2", "10")
        .unit("a", "A")
        .report("a", "p", &[("A1", "50")])
        .with("a", |u| {
            let registration = u.registration.get_or_insert_with(Default::default);
            registration.targets.insert("A1".into(), sp(d("50")));
            registration.targets.insert("A2".into(), sp(d("1")));
        })
        .build();
    let unit = &score(&corpus).periods[0].units[0];
    let (a1, a2) = (&unit.criteria[0], &unit.criteria[1]);
    assert_eq!((a1.target, a1.target_overridden, a1.points), (Some(d("50")), true, d("20")));
    // A2 has no target, so the (invalid) override is ignored; A2 is missing.
    assert_eq!((a2.target, a2.target_overridden, a2.missing, a2.exact), (None, false, true, None));
}

#[test]
fn bonus_and_penalty_items_are_capped_then_their_sums() {
    let corpus = Kit::new(&["p"])
        .assessed("A1", "100")
        .bonus(
            Some("5"),
            vec![item("initiative", "1", Some("3")), item("prize", "2", None), item("unused", "1", None)],
        )
        .penalties(Some("3.333"), vec![item("discipline", "2", None)])
        .unit("a", "A")
        .report("a", "p", &[("A1", "50")])
        .with("a", |u| {
            let results = period_results(u, "p");
            results.bonus.insert("initiative".into(), sp(d("5")));
            results.bonus.insert("prize".into(), sp(d("2")));
            results.penalties.insert("discipline".into(), sp(d("2")));
        })
        .build();
    let unit = &score(&corpus).periods[0].units[0];
    let bonus: Vec<_> = unit.bonus.iter().map(|b| (b.item, b.points, b.capped)).collect();
    assert_eq!(bonus, [(0, d("3"), true), (1, d("4"), false)]);
    assert_eq!((unit.bonus_total, unit.bonus_capped), (d("5"), true));
    assert_eq!((unit.penalty_total, unit.penalty_capped), (d("3.33"), true));
    assert_eq!(unit.total, d("51.67"));
}

#[test]
fn total_is_floored_at_zero() {
    let corpus = Kit::new(&["p"])
        .assessed("A1", "10")
        .penalties(None, vec![item("discipline", "5", None)])
        .unit("a", "A")
        .report("a", "p", &[("A1", "1")])
        .with("a", |u| {
            period_results(u, "p").penalties.insert("discipline".into(), sp(d("1")));
        })
        .build();
    let unit = &score(&corpus).periods[0].units[0];
    assert_eq!((unit.penalty_total, unit.total), (d("5"), d("0")));
}

#[test]
fn only_criterion_values_make_a_report() {
    let corpus = Kit::new(&["p"])
        .assessed("A1", "10")
        .assessed("A2", "10")
        .bonus(None, vec![item("x", "1", None)])
        .unit("a", "A")
        .unit("b", "B")
        .report("a", "p", &[("A1", "4")])
        .with("b", |u| {
            period_results(u, "p").bonus.insert("x".into(), sp(d("1")));
        })
        .build();
    let standings = score(&corpus);
    let [a, b] = &standings.periods[0].units[..] else { panic!("two units") };
    assert!(a.reported && !a.criteria[0].missing && a.criteria[1].missing);
    assert!(!b.reported && !b.criteria[0].missing && b.rank.is_none());
    assert_eq!(standings.periods[0].ranking, [0]);
}

fn four_units() -> Kit {
    Kit::new(&["p", "q"])
        .language(Language::Vi)
        .assessed("A1", "100")
        .assessed("A2", "100")
        .unit("u1", "Hà Nội")
        .unit("u2", "Đà Nẵng")
        .unit("u3", "Dak Lak")
        .unit("u4", "Cần Thơ")
}

#[test]
fn equals_share_a_rank_and_the_next_rank_skips() {
    let corpus = four_units()
        .report("u1", "p", &[("A1", "80")])
        .report("u2", "p", &[("A1", "70")])
        .report("u3", "p", &[("A1", "70")])
        .report("u4", "p", &[("A1", "60")])
        .build();
    let standings = score(&corpus);
    assert_eq!(ranks(&standings, 0), [Some(1), Some(2), Some(2), Some(4)]);
    // Among the equals, Dak Lak comes before Đà Nẵng in Vietnamese order.
    assert_eq!(ranking_ids(&corpus, &standings.periods[0].ranking), ["u1", "u3", "u2", "u4"]);
}

#[test]
fn equal_names_are_ordered_by_id() {
    let corpus = Kit::new(&["p"])
        .assessed("A1", "10")
        .unit("b", "Same")
        .unit("a", "Same")
        .report("a", "p", &[("A1", "1")])
        .report("b", "p", &[("A1", "1")])
        .build();
    assert_eq!(ranking_ids(&corpus, &score(&corpus).periods[0].ranking), ["a", "b"]);
}

#[test]
fn tie_break_separates_some_equals_and_leaves_others() {
    let corpus = four_units()
        .tie_break(&["A2", "unknown"])
        .report("u1", "p", &[("A1", "50"), ("A2", "20")])
        .report("u2", "p", &[("A1", "60"), ("A2", "10")])
        .report("u3", "p", &[("A1", "50"), ("A2", "20")])
        .report("u4", "p", &[("A1", "40"), ("A2", "30")])
        .build();
    let standings = score(&corpus);
    // All total 70: u4 leads on A2, u1 and u3 stay tied, u2 comes last.
    assert_eq!(ranks(&standings, 0), [Some(2), Some(4), Some(2), Some(1)]);
    assert_eq!(ranking_ids(&corpus, &standings.periods[0].ranking), ["u4", "u3", "u1", "u2"]);
}

#[test]
fn clusters_rank_their_own_members() {
    let corpus = four_units()
        .cluster("c1")
        .cluster("c2")
        .in_cluster("u1", "c1")
        .in_cluster("u2", "c2")
        .in_cluster("u3", "c1")
        .in_cluster("u4", "nowhere")
        .report("u1", "p", &[("A1", "10")])
        .report("u2", "p", &[("A1", "20")])
        .report("u3", "p", &[("A1", "30")])
        .report("u4", "p", &[("A1", "40")])
        .build();
    let period = &score(&corpus).periods[0];
    let cluster_ranks: Vec<_> = period.units.iter().map(|u| u.cluster_rank).collect();
    assert_eq!(cluster_ranks, [Some(2), Some(1), Some(1), None]);
    assert_eq!(period.units[3].rank, Some(1));
    let clusters: Vec<_> =
        period.clusters.iter().map(|c| (c.cluster, ranking_ids(&corpus, &c.ranking))).collect();
    assert_eq!(clusters, [(0, vec!["u3", "u1"]), (1, vec!["u2"])]);
}

#[test]
fn rank_change_compares_with_the_previous_period() {
    let corpus = four_units()
        .cluster("c1")
        .in_cluster("u1", "c1")
        .in_cluster("u2", "c1")
        .report("u1", "p", &[("A1", "10")])
        .report("u2", "p", &[("A1", "20")])
        .report("u3", "p", &[("A1", "30")])
        .report("u1", "q", &[("A1", "50")])
        .report("u2", "q", &[("A1", "20")])
        .report("u4", "q", &[("A1", "30")])
        .build();
    let standings = score(&corpus);
    let first: Vec<_> = standings.periods[0].units.iter().map(|u| u.rank_change).collect();
    assert_eq!(first, [None, None, None, None]);
    let second: Vec<_> = standings.periods[1].units.iter().map(|u| u.rank_change).collect();
    // u1: 3 -> 1, u2: 2 -> 3, u3 did not report, u4 did not report before.
    assert_eq!(second, [Some(2), Some(-1), None, None]);
    let cluster: Vec<_> = standings.periods[1].units.iter().map(|u| u.cluster_rank_change).collect();
    assert_eq!(cluster, [Some(1), Some(-1), None, None]);
}

#[test]
fn tiers_classify_reporting_units() {
    let corpus = four_units()
        .tier("tot", "70")
        .tier("xuat-sac", "90")
        .tier("any", "0")
        .report("u1", "p", &[("A1", "95")])
        .report("u2", "p", &[("A1", "70")])
        .report("u3", "p", &[("A1", "69.99")])
        .build();
    let tiers: Vec<_> = score(&corpus).periods[0].units.iter().map(|u| u.tier).collect();
    assert_eq!(tiers, [Some(1), Some(0), Some(2), None]);
}

#[test]
fn current_period_defaults_to_the_last_reported() {
    let base = || four_units().report("u1", "p", &[("A1", "1")]);
    assert_eq!(score(&base().build()).current_period, 0);
    assert_eq!(score(&base().report("u2", "q", &[("A1", "1")]).build()).current_period, 1);
    assert_eq!(score(&base().current_period("q").build()).current_period, 1);
    assert_eq!(score(&base().current_period("zzz").build()).current_period, 0);
    assert_eq!(score(&four_units().build()).current_period, 0);
    let empty = score(&Kit::new(&[]).award(award("x")).build());
    assert_eq!((empty.current_period, empty.periods.len()), (0, 0));
    assert!(empty.awards[0].scopes.is_empty());
}

/// Five registered units ranked 1, 2, 2, 4, 5 in period "q" (totals 90, 80, 80, 70, 60); u5
/// seeks "flag". In period "p" only u5 reported.
fn award_kit() -> Kit {
    four_units()
        .unit("u5", "Vinh")
        .tier("good", "75")
        .tier("great", "85")
        .report("u5", "p", &[("A1", "1")])
        .report("u1", "q", &[("A1", "90")])
        .report("u2", "q", &[("A1", "80")])
        .report("u3", "q", &[("A1", "80")])
        .report("u4", "q", &[("A1", "70")])
        .report("u5", "q", &[("A1", "60")])
        .registered("u1", &[])
        .registered("u2", &[])
        .registered("u3", &[])
        .registered("u4", &[])
        .registered("u5", &["flag"])
}

/// (unit id, status) per entry of the first scope of the only award.
fn decided(kit: Kit, award: Award) -> Vec<(String, AwardStatus)> {
    let corpus = kit.award(award).build();
    let standings = score(&corpus);
    let scope = &standings.awards[0].scopes[0];
    scope.entries.iter().map(|e| (corpus.units[e.unit].id.clone(), e.status)).collect()
}

fn ids(entries: &[(String, AwardStatus)]) -> Vec<(&str, AwardStatus)> {
    entries.iter().map(|(id, s)| (id.as_str(), *s)).collect()
}

use AwardStatus::{Proposed as P, Tie as T};

#[test]
fn without_a_quota_every_candidate_is_proposed() {
    let mut flag = award("flag");
    flag.min_score = Some(d("70"));
    let got = decided(award_kit(), flag);
    assert_eq!(ids(&got), [("u1", P), ("u3", P), ("u2", P), ("u4", P)]);
}

#[test]
fn a_tie_at_the_quota_cut_off_is_marked() {
    let mut flag = award("flag");
    flag.quota = Some(Quota::Count(2));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P), ("u3", T), ("u2", T)]);
    let mut flag = award("flag");
    flag.quota = Some(Quota::Count(3));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P), ("u3", P), ("u2", P)]);
}

#[test]
fn a_quota_of_zero_proposes_nobody() {
    let mut flag = award("flag");
    flag.quota = Some(Quota::Count(0));
    assert!(decided(award_kit(), flag).is_empty());
}

#[test]
fn percent_quota_is_floored_over_ranked_units() {
    // 39% of 5 ranked = 1.95 -> 1.
    let mut flag = award("flag");
    flag.quota = Some(Quota::Percent(d("39")));
    let corpus = award_kit().award(flag).build();
    let scope = &score(&corpus).awards[0].scopes[0];
    assert_eq!((scope.ranked, scope.limit, scope.entries.len()), (5, Some(1), 1));
}

#[test]
fn top_filters_on_scope_rank_before_other_conditions() {
    let mut flag = award("flag");
    flag.top = Some(2);
    flag.min_score = Some(d("85"));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P)]);
    let mut flag = award("flag");
    flag.top = Some(3);
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P), ("u3", P), ("u2", P)]);
}

#[test]
fn min_tier_accepts_that_tier_or_better() {
    let mut flag = award("flag");
    flag.min_tier = Some(sp("good".into()));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P), ("u3", P), ("u2", P)]);
    let mut flag = award("flag");
    flag.min_tier = Some(sp("great".into()));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P)]);
    let mut flag = award("flag");
    flag.min_tier = Some(sp("unknown".into()));
    assert!(decided(award_kit(), flag).is_empty());
}

#[test]
fn registration_and_seeking_are_required_when_asked() {
    let mut flag = award("flag");
    flag.requires_seeking = true;
    assert_eq!(ids(&decided(award_kit(), flag)), [("u5", P)]);
    let mut flag = award("flag");
    flag.requires_registration = true;
    flag.min_score = Some(d("70"));
    let kit = award_kit().with("u3", |u| u.registration = None);
    assert_eq!(ids(&decided(kit, flag)), [("u1", P), ("u2", P), ("u4", P)]);
}

#[test]
fn award_period_defaults_to_the_current_one() {
    let mut flag = award("flag");
    flag.period = Some(sp("p".into()));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u5", P)]);
    let mut flag = award("flag");
    flag.period = Some(sp("unknown".into()));
    flag.quota = Some(Quota::Count(1));
    assert_eq!(ids(&decided(award_kit(), flag)), [("u1", P)]);
}

#[test]
fn cluster_awards_are_decided_in_each_cluster() {
    let kit = award_kit()
        .cluster("c1")
        .cluster("c2")
        .cluster("c3")
        .in_cluster("u1", "c2")
        .in_cluster("u2", "c1")
        .in_cluster("u3", "c1")
        .in_cluster("u4", "c2");
    let mut flag = award("flag");
    flag.scope = AwardScope::Cluster;
    flag.quota = Some(Quota::Count(1));
    let corpus = kit.award(flag).build();
    let outcome = &score(&corpus).awards[0];
    let scopes: Vec<_> = outcome
        .scopes
        .iter()
        .map(|s| {
            let entries: Vec<_> =
                s.entries.iter().map(|e| (corpus.units[e.unit].id.as_str(), e.status, e.rank)).collect();
            (s.cluster, s.ranked, entries)
        })
        .collect();
    assert_eq!(
        scopes,
        [
            (Some(0), 2, vec![("u3", T, 1), ("u2", T, 1)]),
            (Some(1), 2, vec![("u1", P, 1)]),
            (Some(2), 0, vec![]),
        ]
    );
}

#[test]
fn award_status_serialises_in_snake_case() {
    let entry = AwardEntry { unit: 0, status: AwardStatus::Tie, rank: 1, total: d("1.50") };
    let json = serde_json::to_string(&entry).unwrap();
    assert_eq!(json, r#"{"unit":0,"status":"tie","rank":1,"total":"1.50"}"#);
    assert_eq!(serde_json::to_string(&AwardStatus::Proposed).unwrap(), r#""proposed""#);
}

mod properties {
    //! Invariants over arbitrary small, possibly invalid corpora.

    use proptest::collection::vec;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::model::{Band, Bands, IndicatorKind, Registration, ShareCondition};
    use crate::scoring::testkit::{item, pos, unit};

    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            8 => (-2_000i64..20_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            2 => Just(Decimal::ZERO),
            1 => proptest::sample::select(vec![
                Decimal::MAX,
                Decimal::MIN,
                Decimal::new(1, 28),
                Decimal::new(-1, 28),
            ]),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![decimal().prop_map(Value::Number), any::<bool>().prop_map(Value::Bool)]
    }

    fn bands() -> impl Strategy<Value = Bands> {
        let band = (decimal(), decimal()).prop_map(|(bound, points)| Band { bound, points, pos: pos() });
        (any::<bool>(), vec(band, 0..4)).prop_map(
            |(min, list)| {
                if min { Bands::Min(list) } else { Bands::Max(list) }
            },
        )
    }

    fn method() -> impl Strategy<Value = Method> {
        prop_oneof![
            Just(Method::Assessed),
            (decimal(), decimal()).prop_map(|(target, cap)| Method::Proportional { target, cap }),
            (decimal(), decimal()).prop_map(|(target, cap)| Method::Inverse { target, cap }),
            Just(Method::PassFail),
            bands().prop_map(|bands| Method::Bands { bands }),
            decimal().prop_map(|per| Method::PerItem { per }),
        ]
    }

    /// A unit: cluster choice (2 = unknown), registration, seeking, headcount, metrics,
    /// targets, values (period 3 and criterion 4 may not exist), bonus and penalty counts.
    #[derive(Debug, Clone)]
    struct UnitSeed {
        name: &'static str,
        cluster: Option<u8>,
        registered: bool,
        seeks: bool,
        headcount: Option<Decimal>,
        metrics: Vec<(u8, Option<u8>, Decimal)>,
        targets: Vec<(u8, Decimal)>,
        values: Vec<(u8, u8, Value)>,
        items: Vec<(bool, u8, u8, Decimal)>,
    }

    fn unit_seed() -> impl Strategy<Value = UnitSeed> {
        let names = proptest::sample::select(vec!["Hà Nội", "Đà Nẵng", "Dak Lak", "Cần Thơ", "An", "an", ""]);
        (
            (names, proptest::option::of(0u8..3), any::<bool>(), any::<bool>()),
            proptest::option::of(decimal()),
            vec((0u8..2, proptest::option::of(0u8..4), decimal()), 0..3),
            vec((0u8..5, decimal()), 0..3),
            vec((0u8..4, 0u8..5, value()), 0..8),
            vec((any::<bool>(), 0u8..4, 0u8..4, decimal()), 0..3),
        )
            .prop_map(
                |((name, cluster, registered, seeks), headcount, metrics, targets, values, items)| UnitSeed {
                    name,
                    cluster,
                    registered,
                    seeks,
                    headcount,
                    metrics,
                    targets,
                    values,
                    items,
                },
            )
    }

    #[derive(Debug, Clone)]
    struct AwardSeed {
        cluster_scope: bool,
        period: Option<u8>,
        min_score: Option<Decimal>,
        min_tier: Option<u8>,
        top: Option<u32>,
        quota: Option<Quota>,
        requires_registration: bool,
        requires_seeking: bool,
    }

    fn award_seed() -> impl Strategy<Value = AwardSeed> {
        let quota = prop_oneof![(0u32..6).prop_map(Quota::Count), decimal().prop_map(Quota::Percent)];
        (
            (any::<bool>(), proptest::option::of(0u8..4), proptest::option::of(decimal())),
            (proptest::option::of(0u8..4), proptest::option::of(0u32..6), proptest::option::of(quota)),
            (any::<bool>(), any::<bool>()),
        )
            .prop_map(|((cluster_scope, period, min_score), (min_tier, top, quota), (reg, seek))| {
                AwardSeed {
                    cluster_scope,
                    period,
                    min_score,
                    min_tier,
                    top,
                    quota,
                    requires_registration: reg,
                    requires_seeking: seek,
                }
            })
    }

    fn indicator_kind() -> impl Strategy<Value = IndicatorKind> {
        let metric =
            || proptest::sample::select(vec!["m0", "m1", "headcount", "none"]).prop_map(String::from);
        prop_oneof![
            Just(IndicatorKind::ShareOfUnits(sp(ShareCondition::Registered))),
            Just(IndicatorKind::ShareOfUnits(sp(ShareCondition::Reported))),
            metric().prop_map(|m| IndicatorKind::ShareOfUnits(sp(ShareCondition::Metric(m)))),
            (metric(), metric()).prop_map(|(a, b)| IndicatorKind::Ratio { sum: sp(a), over: sp(b) }),
            metric().prop_map(|m| IndicatorKind::Sum(sp(m))),
        ]
    }

    prop_compose! {
        fn corpus()(
            (periods, precision, current) in (0usize..4, 0u32..7, proptest::option::of(0u8..5)),
            criteria in vec((decimal(), method()), 0..5),
            tie_break in vec(0u8..5, 0..3),
            clusters in 0usize..3,
            tiers in vec(decimal(), 0..3),
            items in (proptest::option::of(decimal()), vec((decimal(), proptest::option::of(decimal())), 0..3)),
            indicators in vec((indicator_kind(), decimal(), any::<bool>()), 0..3),
            awards in vec(award_seed(), 0..3),
            units in vec(unit_seed(), 0..8),
        ) -> Corpus {
            let period_ids = ["p0", "p1", "p2"];
            let mut kit = Kit::new(&period_ids[..periods.min(3)]).precision(precision).language(Language::Vi);
            if let Some(current) = current {
                kit = kit.current_period(&format!("p{current}"));
            }
            for (i, (max, method)) in criteria.into_iter().enumerate() {
                kit = kit.criterion(&format!("c{i}"), &max.to_string(), method);
            }
            let tie_break: Vec<String> = tie_break.iter().map(|c| format!("c{c}")).collect();
            kit = kit.tie_break(&tie_break.iter().map(String::as_str).collect::<Vec<_>>());
            for c in 0..clusters {
                kit = kit.cluster(&format!("k{c}"));
            }
            for (i, min) in tiers.into_iter().enumerate() {
                kit = kit.tier(&format!("t{i}"), &min.to_string());
            }
            let (sum_max, item_list) = items;
            let make_items = || item_list.iter().enumerate().map(|(i, (points, max))| {
                let mut made = item(&format!("i{i}"), "0", None);
                (made.points, made.max) = (*points, *max);
                made
            }).collect::<Vec<_>>();
            kit = kit.bonus(None, make_items()).penalties(None, make_items());
            for (i, (kind, target, lower)) in indicators.into_iter().enumerate() {
                kit = kit.indicator(&format!("x{i}"), kind, &target.to_string(), lower);
            }
            for (i, seed) in awards.into_iter().enumerate() {
                kit = kit.award(make_award(i, seed));
            }
            for (i, seed) in units.into_iter().enumerate() {
                kit = add_unit(kit, i, seed);
            }
            let mut corpus = kit.build();
            if let Some(table) = corpus.criteria.bonus.as_mut() {
                table.max = sum_max;
            }
            corpus
        }
    }

    fn make_award(index: usize, seed: AwardSeed) -> Award {
        let mut made = award(&format!("w{index}"));
        made.scope = if seed.cluster_scope { AwardScope::Cluster } else { AwardScope::Overall };
        made.period = seed.period.map(|p| sp(format!("p{p}")));
        made.min_score = seed.min_score;
        made.min_tier = seed.min_tier.map(|t| sp(format!("t{t}")));
        made.top = seed.top;
        made.quota = seed.quota;
        made.requires_registration = seed.requires_registration;
        made.requires_seeking = seed.requires_seeking;
        made
    }

    fn add_unit(kit: Kit, index: usize, seed: UnitSeed) -> Kit {
        let id = format!("u{index}");
        let mut made = unit(&id, seed.name);
        made.cluster = seed.cluster.map(|c| sp(format!("k{c}")));
        made.headcount = seed.headcount.map(sp);
        if seed.registered {
            let mut registration = Registration::default();
            for (c, target) in &seed.targets {
                registration.targets.insert(format!("c{c}"), sp(*target));
            }
            if seed.seeks {
                registration.seeks = (0..3).map(|w| sp(format!("w{w}"))).collect();
            }
            made.registration = Some(registration);
        }
        for (m, period, v) in seed.metrics {
            let metrics = match period {
                Some(p) => &mut period_results(&mut made, &format!("p{p}")).metrics,
                None => &mut made.metrics,
            };
            metrics.insert(format!("m{m}"), sp(v));
        }
        for (p, c, v) in seed.values {
            period_results(&mut made, &format!("p{p}")).values.insert(format!("c{c}"), sp(v));
        }
        for (penalty, p, i, count) in seed.items {
            let results = period_results(&mut made, &format!("p{p}"));
            let counts = if penalty { &mut results.penalties } else { &mut results.bonus };
            counts.insert(format!("i{i}"), sp(count));
        }
        kit.unit(&id, "").with(&id, |u| *u = made)
    }

    /// Whether `a` strictly beats `b`: higher total, then tie-break points.
    fn beats(a: &UnitScore, b: &UnitScore, tie_break: &[usize]) -> bool {
        let key = |u: &UnitScore| -> (Decimal, Vec<Decimal>) {
            (
                u.total,
                tie_break.iter().map(|&c| u.criteria.get(c).map_or(Decimal::ZERO, |s| s.points)).collect(),
            )
        };
        key(a) > key(b)
    }

    fn tie_break_of(corpus: &Corpus) -> Vec<usize> {
        let criteria: Vec<_> = corpus.criteria().collect();
        corpus
            .campaign
            .tie_break
            .iter()
            .filter_map(|id| criteria.iter().position(|c| c.id == id.value))
            .collect()
    }

    /// Checks one scope: ranks are competition ranks over its members and the display order
    /// follows them.
    fn check_scope(
        members: &[usize],
        units: &[UnitScore],
        rank_of: impl Fn(&UnitScore) -> Option<u32>,
        tb: &[usize],
    ) {
        let n = u32::try_from(members.len()).unwrap();
        let ranks: Vec<u32> = members.iter().map(|&i| rank_of(&units[i]).unwrap()).collect();
        assert!(ranks.iter().all(|&r| 1 <= r && r <= n));
        if !members.is_empty() {
            assert!(ranks.contains(&1));
        }
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "display order follows rank");
        for &i in members {
            let better = members.iter().filter(|&&j| beats(&units[j], &units[i], tb)).count();
            assert_eq!(rank_of(&units[i]), Some(u32::try_from(better).unwrap() + 1));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn score_never_panics(corpus in corpus()) {
            let standings = score(&corpus);
            prop_assert_eq!(standings.periods.len(), corpus.campaign.periods.len());
            prop_assert_eq!(standings.awards.len(), corpus.campaign.awards.len());
            for period in &standings.periods {
                prop_assert_eq!(period.units.len(), corpus.units.len());
                prop_assert_eq!(period.indicators.len(), corpus.campaign.indicators.len());
                prop_assert!(period.units.iter().all(|u| u.total >= Decimal::ZERO));
            }
        }

        #[test]
        fn ranks_are_bounded_competition_ranks(corpus in corpus()) {
            let standings = score(&corpus);
            let tb = tie_break_of(&corpus);
            for period in &standings.periods {
                let reporting = period.units.iter().filter(|u| u.reported).count();
                prop_assert_eq!(period.ranking.len(), reporting);
                check_scope(&period.ranking, &period.units, |u| u.rank, &tb);
                for cluster in &period.clusters {
                    check_scope(&cluster.ranking, &period.units, |u| u.cluster_rank, &tb);
                }
            }
        }

        #[test]
        fn award_walks_that_stop_early_propose_the_same(corpus in corpus()) {
            let standings = score(&corpus);
            for outcome in &standings.awards {
                let award = &corpus.campaign.awards[outcome.award];
                let Some(period) = standings.periods.get(outcome.period) else { continue };
                let mut scopes = vec![(None, period.ranking.as_slice())];
                scopes.extend(period.clusters.iter().map(|c| (Some(c.cluster), c.ranking.as_slice())));
                for (cluster, ranking) in scopes {
                    let early = awards::scope(&corpus, award, period, cluster, ranking, true);
                    let full = awards::scope(&corpus, award, period, cluster, ranking, false);
                    prop_assert_eq!(format!("{early:?}"), format!("{full:?}"));
                }
            }
        }

        #[test]
        fn proposals_never_exceed_the_quota(corpus in corpus()) {
            let standings = score(&corpus);
            for outcome in &standings.awards {
                for scope in &outcome.scopes {
                    let proposed = scope.entries.iter().filter(|e| e.status == AwardStatus::Proposed).count();
                    if let Some(limit) = scope.limit {
                        prop_assert!(proposed <= limit as usize);
                    }
                    prop_assert!(scope.entries.len() <= scope.ranked);
                    let tied: Vec<_> = scope.entries.iter().filter(|e| e.status == AwardStatus::Tie).collect();
                    prop_assert!(tied.windows(2).all(|w| w[0].rank == w[1].rank));
                    // A single unit never ties: it either fits under the quota or the walk stopped.
                    prop_assert!(tied.len() != 1);
                }
            }
        }
    }
}

/// A corpus of `count` units over three periods and three clusters, with few distinct values
/// and names so that totals, tie-break points and names tie often.
fn many_units(count: usize) -> Corpus {
    let mut kit = Kit::new(&["p", "q", "r"])
        .language(Language::Vi)
        .assessed("A1", "100")
        .assessed("A2", "100")
        .tie_break(&["A2"])
        .cluster("c0")
        .cluster("c1")
        .cluster("c2")
        .tier("kha", "50")
        .tier("tot", "120")
        .indicator("reporting", IndicatorKind::ShareOfUnits(sp(ShareCondition::Reported)), "90", false)
        .award(Award { top: Some(5), ..award("best") })
        .award(Award { scope: AwardScope::Cluster, top: Some(2), ..award("cluster-best") });
    let names = ["Hà Nội", "Đà Nẵng", "Dak Lak", "Cần Thơ", "An Giang"];
    for i in 0..count {
        let id = format!("u{i:03}");
        kit = kit.unit(&id, names[i % names.len()]).in_cluster(&id, &format!("c{}", i % 4));
        for (p, period) in ["p", "q", "r"].into_iter().enumerate() {
            if (i + p) % 7 != 0 {
                let a1 = ((i * 7 + p * 3) % 5 * 10).to_string();
                let a2 = ((i + p) % 3 * 10).to_string();
                kit = kit.report(&id, period, &[("A1", &a1), ("A2", &a2)]);
            }
        }
    }
    kit.build()
}

/// `score_cached` after a series of edits gives what `score` gives on the edited corpus, and a
/// period no edit touched is the last run's, not a copy.
#[test]
fn cached_scoring_after_edits_equals_a_fresh_scoring() {
    let mut corpus = many_units(120);
    let mut cache = ScoreCache::new();
    let mut last = score_cached(&corpus, &mut cache);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below as u64) as usize
    };
    let values = ["0", "10", "20", "30", "40", "55.5"];
    let clusters = ["c0", "c1", "c2", "nowhere"];
    let names = ["Hà Nội", "Đà Nẵng", "Dak Lak", "Cần Thơ", "An Giang", "Zeta", "Ă"];
    for step in 0..300 {
        // The kinds of edit, and how many units they touch: usually one, sometimes a few,
        // sometimes more than are moved one by one.
        let kind = next(6);
        let touched = match next(10) {
            0 => 200,
            1 | 2 => 3,
            _ => 1,
        };
        let only_last_period = kind == 0;
        for _ in 0..touched {
            let unit = Arc::make_mut(&mut corpus.units[next(120)]);
            let period = ["p", "q", "r"][if only_last_period { 2 } else { next(3) }];
            match kind {
                0 | 1 => {
                    let value = crate::model::Value::Number(d(values[next(values.len())]));
                    let criterion = ["A1", "A2"][next(2)];
                    period_results(unit, period).values.insert(criterion.into(), sp(value));
                }
                2 => {
                    unit.results.remove(period);
                }
                3 => unit.name = names[next(names.len())].into(),
                4 => unit.cluster = Some(sp(clusters[next(clusters.len())].into())),
                _ => {
                    // Replaced by an equal unit: nothing may change.
                }
            }
        }
        let cached = score_cached(&corpus, &mut cache);
        let fresh = score(&corpus);
        let same = serde_json::to_string(&cached).unwrap() == serde_json::to_string(&fresh).unwrap();
        assert!(same, "standings after step {step} (edit {kind} of {touched} units)");
        assert_eq!(cached.name_order, fresh.name_order, "name order after step {step}");
        if only_last_period {
            for p in 0..2 {
                assert!(
                    Arc::ptr_eq(&cached.periods[p], &last.periods[p]),
                    "period {p} copied at step {step}"
                );
            }
        }
        last = cached;
    }
}

#[test]
fn a_renamed_unit_takes_its_place_in_the_name_order() {
    let collator = crate::collation::NameCollator::new(Language::Vi);
    let mut names = vec!["Hà Nội", "Đà Nẵng", "Dak Lak", "Cần Thơ", "An Giang", "Dak Lak"];
    let before = name_order(&collator, &names);
    names[1] = "Bạc Liêu";
    names[4] = "Yên Bái";
    let updated = crate::collation::name_order_updated(&collator, &names, &before, &[1, 4]);
    assert_eq!(updated, name_order(&collator, &names));
    assert_eq!(updated, [4, 0, 2, 1, 5, 3]);
}
