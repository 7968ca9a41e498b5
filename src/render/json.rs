//! `data/campaign.json`: the whole computed model in one document (described in docs/data.md).
//!
//! Built from borrowed views that serialise straight into the output buffer: no intermediate
//! `serde_json::Value` tree, and a ranking's rows are made one at a time as they are written
//! (all periods' rows at once were 160 MB at 10,000 units), so a 100,000-unit campaign costs
//! one pass and little memory.
//! Decimals are strings (`"96.15"`) so that no reader sees a binary floating-point value;
//! points, totals and indicator values carry exactly `precision` decimals.
//!
//! The ranking rows are nearly all of the document (150 MB at 10,000 units) and are written by
//! hand (`write_row`): through serde, escaping every key and formatting every number through
//! `fmt` made this one file 14% of a build's instructions. The serde views of a row stay, as the
//! tests' reference: the hand-written row must be the same bytes.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::data::fixed;
use rust_decimal::Decimal;

use crate::model::{AwardScope, Corpus, IdMap, Item, Registration, Spanned, Unit, Value};
use crate::scoring::{AwardEntry, AwardStatus, ItemScore, PeriodStandings, Standings, UnitScore};

/// Version of this document's layout; bumped when a field changes meaning or goes away.
const FORMAT: u32 = 1;

#[derive(Serialize)]
struct UnitView<'a> {
    id: &'a str,
    name: &'a str,
    short_name: Option<&'a str>,
    cluster: Option<&'a str>,
    parent: Option<&'a str>,
    headcount: Option<Decimal>,
    registered: bool,
    registration: Option<&'a Registration>,
    metrics: &'a IdMap<Spanned<Decimal>>,
}

/// A period but its ranking, which `write_campaign_json` writes between `reported` and
/// `clusters`.
struct PeriodView<'a> {
    period: &'a str,
    reported: usize,
    clusters: Vec<ClusterView<'a>>,
    indicators: Vec<IndicatorView<'a>>,
}

#[derive(Serialize)]
struct ClusterView<'a> {
    cluster: &'a str,
    ranking: Vec<&'a str>,
}

#[derive(Serialize)]
struct IndicatorView<'a> {
    id: &'a str,
    value: Option<String>,
    target: String,
    achieved: bool,
    numerator: Option<Decimal>,
    denominator: Option<Decimal>,
}

#[derive(Serialize)]
struct AwardView<'a> {
    id: &'a str,
    scope: AwardScope,
    period: &'a str,
    scopes: Vec<AwardScopeView<'a>>,
}

#[derive(Serialize)]
struct AwardScopeView<'a> {
    scope: &'a str,
    ranked: usize,
    limit: Option<u32>,
    entries: Vec<AwardEntryView<'a>>,
}

#[derive(Serialize)]
struct AwardEntryView<'a> {
    unit: &'a str,
    status: AwardStatus,
    rank: u32,
    total: String,
}

/// Writes the document to `out` as it is made (a build streams it into the file: it is
/// ~1.4 GB at 100,000 units). Its members, in order: `format`, `campaign`, `criteria`,
/// `current_period`, `units`, `periods`, `awards`; serde writes all but the ranking rows.
pub(super) fn write_campaign_json(corpus: &Corpus, standings: &Standings, out: &mut dyn Write) -> Result<()> {
    let camp = &corpus.campaign;
    let keys = criterion_keys(corpus);
    member(out, "{", "format", &FORMAT)?;
    member(out, ",", "campaign", camp)?;
    member(out, ",", "criteria", &corpus.criteria)?;
    member(out, ",", "current_period", &camp.periods.get(standings.current_period).map(|p| p.id.as_str()))?;
    let units: Vec<UnitView<'_>> = corpus.units.iter().map(|u| unit_view(u)).collect();
    member(out, ",", "units", &units)?;
    out.write_all(b",\"periods\":[")?;
    let mut row = String::new();
    for (i, ps) in standings.periods.iter().enumerate() {
        let v = period_view(corpus, ps);
        member(out, if i == 0 { "{" } else { ",{" }, "period", v.period)?;
        member(out, ",", "reported", &v.reported)?;
        out.write_all(b",\"ranking\":[")?;
        for (r, &u) in ps.ranking.iter().enumerate() {
            row.clear();
            if r > 0 {
                row.push(',');
            }
            write_row(&mut row, corpus, u, &ps.units[u], &keys);
            out.write_all(row.as_bytes())?;
        }
        out.write_all(b"]")?;
        member(out, ",", "clusters", &v.clusters)?;
        member(out, ",", "indicators", &v.indicators)?;
        out.write_all(b"}")?;
    }
    out.write_all(b"]")?;
    let awards: Vec<AwardView<'_>> = standings
        .awards
        .iter()
        .map(|o| {
            let award = &camp.awards[o.award];
            AwardView {
                id: &award.id,
                scope: award.scope,
                period: &camp.periods[o.period].id,
                scopes: o
                    .scopes
                    .iter()
                    .map(|s| AwardScopeView {
                        scope: s.cluster.map_or("overall", |c| camp.clusters[c].id.as_str()),
                        ranked: s.ranked,
                        limit: s.limit,
                        entries: s.entries.iter().map(|e| entry_view(corpus, e)).collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    member(out, ",", "awards", &awards)?;
    out.write_all(b"}\n")?;
    Ok(())
}

/// `{before}"{key}":{value}`: one member of an object, its value written by serde (`key` is a
/// plain name, with nothing to escape).
fn member<T: Serialize + ?Sized>(out: &mut dyn Write, before: &str, key: &str, value: &T) -> Result<()> {
    out.write_all(before.as_bytes())?;
    out.write_all(b"\"")?;
    out.write_all(key.as_bytes())?;
    out.write_all(b"\":")?;
    serde_json::to_writer(&mut *out, value)?;
    Ok(())
}

/// Each criterion's key in a row's `criteria` (`"A1":`, escaped once) and its index in table
/// order, in byte order of the ids as serde's maps of the model have them.
fn criterion_keys(corpus: &Corpus) -> Vec<(String, usize)> {
    let mut by_id: Vec<(&str, usize)> =
        corpus.criteria().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    by_id.sort_unstable();
    by_id
        .into_iter()
        .map(|(id, i)| {
            let mut key = String::with_capacity(id.len() + 3);
            push_str(&mut key, id);
            key.push(':');
            (key, i)
        })
        .collect()
}

/// Appends unit `u`'s ranking row (its `RankedView`, as serde would write it) to `o`.
fn write_row(o: &mut String, corpus: &Corpus, u: usize, s: &UnitScore, keys: &[(String, usize)]) {
    let p = corpus.campaign.precision;
    o.push_str("{\"unit\":");
    push_str(o, &corpus.units[u].id);
    o.push_str(",\"rank\":");
    push_opt_int(o, s.rank.map(i64::from));
    o.push_str(",\"cluster_rank\":");
    push_opt_int(o, s.cluster_rank.map(i64::from));
    o.push_str(",\"rank_change\":");
    push_opt_int(o, s.rank_change);
    o.push_str(",\"cluster_rank_change\":");
    push_opt_int(o, s.cluster_rank_change);
    o.push_str(",\"total\":");
    push_fixed(o, s.total, p);
    o.push_str(",\"tier\":");
    match s.tier {
        Some(t) => push_str(o, &corpus.campaign.tiers[t].id),
        None => o.push_str("null"),
    }
    o.push_str(",\"bonus\":");
    push_fixed(o, s.bonus_total, p);
    o.push_str(",\"bonus_items\":");
    push_items(o, &s.bonus, corpus.criteria.bonus_items(), p);
    o.push_str(",\"penalty\":");
    push_fixed(o, s.penalty_total, p);
    o.push_str(",\"penalty_items\":");
    push_items(o, &s.penalties, corpus.criteria.penalty_items(), p);
    o.push_str(",\"criteria\":{");
    for (n, (key, i)) in keys.iter().enumerate() {
        let c = &s.criteria[*i];
        if n > 0 {
            o.push(',');
        }
        o.push_str(key);
        o.push_str("{\"value\":");
        match c.value {
            Some(Value::Number(d)) => push_decimal(o, d),
            Some(Value::Bool(b)) => push_bool(o, b),
            None => o.push_str("null"),
        }
        o.push_str(",\"target\":");
        match c.target {
            Some(d) => push_decimal(o, d),
            None => o.push_str("null"),
        }
        o.push_str(",\"target_overridden\":");
        push_bool(o, c.target_overridden);
        o.push_str(",\"points\":");
        push_fixed(o, c.points, p);
        o.push_str(",\"capped\":");
        push_bool(o, c.capped);
        o.push_str(",\"missing\":");
        push_bool(o, c.missing);
        o.push('}');
    }
    o.push_str("}}");
}

/// A row's bonus or penalty items (`ItemView`s).
fn push_items(o: &mut String, items: &[ItemScore], table: &[Item], p: u32) {
    o.push('[');
    for (n, i) in items.iter().enumerate() {
        if n > 0 {
            o.push(',');
        }
        o.push_str("{\"id\":");
        push_str(o, &table[i.item].id);
        o.push_str(",\"count\":");
        push_decimal(o, i.count);
        o.push_str(",\"points\":");
        push_fixed(o, i.points, p);
        o.push_str(",\"capped\":");
        push_bool(o, i.capped);
        o.push('}');
    }
    o.push(']');
}

/// A JSON string, escaped as serde_json escapes: `"`, `\` and the control characters below
/// U+0020, nothing else.
fn push_str(o: &mut String, s: &str) {
    o.push('"');
    let mut from = 0;
    for (at, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        o.push_str(&s[from..at]);
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            o.push_str("\\u00");
            o.push(char::from(HEX[usize::from(b >> 4)]));
            o.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            o.push_str(escaped);
        }
        from = at + 1;
    }
    o.push_str(&s[from..]);
    o.push('"');
}

/// A decimal as `Decimal`'s serde writes it: a string of its own digits and scale, with the
/// sign of a negative zero.
fn push_decimal(o: &mut String, d: Decimal) {
    o.push('"');
    if d.is_zero() && d.is_sign_negative() {
        o.push('-');
    }
    super::locale::push_plain(o, d);
    o.push('"');
}

/// `data::fixed` as a JSON string.
fn push_fixed(o: &mut String, d: Decimal, precision: u32) {
    o.push('"');
    super::locale::push_fixed(o, d, precision);
    o.push('"');
}

fn push_opt_int(o: &mut String, n: Option<i64>) {
    use std::fmt::Write as _;
    match n {
        // Writing into a String cannot fail.
        Some(n) => _ = write!(o, "{n}"),
        None => o.push_str("null"),
    }
}

fn push_bool(o: &mut String, b: bool) {
    o.push_str(if b { "true" } else { "false" });
}

fn unit_view(u: &Unit) -> UnitView<'_> {
    UnitView {
        id: &u.id,
        name: &u.name,
        short_name: u.short_name.as_deref(),
        cluster: u.cluster.as_ref().map(|c| c.value.as_str()),
        parent: u.parent.as_ref().map(|p| p.value.as_str()),
        headcount: u.headcount.as_ref().map(|h| h.value),
        registered: u.registration.is_some(),
        registration: u.registration.as_ref(),
        metrics: &u.metrics,
    }
}

fn entry_view<'a>(corpus: &'a Corpus, e: &AwardEntry) -> AwardEntryView<'a> {
    AwardEntryView {
        unit: &corpus.units[e.unit].id,
        status: e.status,
        rank: e.rank,
        total: fixed(e.total, corpus.campaign.precision),
    }
}

fn period_view<'a>(corpus: &'a Corpus, ps: &'a PeriodStandings) -> PeriodView<'a> {
    let camp = &corpus.campaign;
    let p = camp.precision;
    PeriodView {
        period: &camp.periods[ps.period].id,
        reported: ps.ranking.len(),
        clusters: ps
            .clusters
            .iter()
            .map(|c| ClusterView {
                cluster: &camp.clusters[c.cluster].id,
                ranking: c.ranking.iter().map(|&u| corpus.units[u].id.as_str()).collect(),
            })
            .collect(),
        indicators: camp
            .indicators
            .iter()
            .zip(&ps.indicators)
            .map(|(ind, o)| IndicatorView {
                id: &ind.id,
                value: o.value.map(|v| fixed(v, p)),
                target: fixed(ind.target, p),
                achieved: o.achieved,
                numerator: o.numerator,
                denominator: o.denominator,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::ser::{SerializeMap, Serializer};

    use super::*;
    use crate::render::data::fixed;
    use crate::scoring::CriterionScore;

    /// A ranking row as serde writes it: the reference `write_row` must match.
    #[derive(Serialize)]
    struct RankedView<'a> {
        unit: &'a str,
        rank: Option<u32>,
        cluster_rank: Option<u32>,
        rank_change: Option<i64>,
        cluster_rank_change: Option<i64>,
        total: String,
        tier: Option<&'a str>,
        bonus: String,
        bonus_items: Vec<ItemView<'a>>,
        penalty: String,
        penalty_items: Vec<ItemView<'a>>,
        criteria: PointsMap<'a>,
    }

    /// A unit's points per criterion, keyed by criterion id in byte order.
    struct PointsMap<'a> {
        by_id: &'a [(&'a str, usize)],
        scores: &'a [CriterionScore],
        precision: u32,
    }

    impl Serialize for PointsMap<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.by_id.len()))?;
            for &(id, i) in self.by_id {
                let c = &self.scores[i];
                let view = PointsView {
                    value: c.value,
                    target: c.target,
                    target_overridden: c.target_overridden,
                    points: fixed(c.points, self.precision),
                    capped: c.capped,
                    missing: c.missing,
                };
                map.serialize_entry(id, &view)?;
            }
            map.end()
        }
    }

    #[derive(Serialize)]
    struct PointsView {
        value: Option<Value>,
        target: Option<Decimal>,
        target_overridden: bool,
        points: String,
        capped: bool,
        missing: bool,
    }

    #[derive(Serialize)]
    struct ItemView<'a> {
        id: &'a str,
        count: Decimal,
        points: String,
        capped: bool,
    }

    fn ranked_view<'a>(
        corpus: &'a Corpus,
        unit: &'a Unit,
        s: &'a UnitScore,
        by_id: &'a [(&'a str, usize)],
    ) -> RankedView<'a> {
        let p = corpus.campaign.precision;
        let items = |items: &[ItemScore], table: &'a [Item]| -> Vec<ItemView<'a>> {
            items
                .iter()
                .map(|i| ItemView {
                    id: &table[i.item].id,
                    count: i.count,
                    points: fixed(i.points, p),
                    capped: i.capped,
                })
                .collect()
        };
        RankedView {
            unit: &unit.id,
            rank: s.rank,
            cluster_rank: s.cluster_rank,
            rank_change: s.rank_change,
            cluster_rank_change: s.cluster_rank_change,
            total: fixed(s.total, p),
            tier: s.tier.map(|t| corpus.campaign.tiers[t].id.as_str()),
            bonus: fixed(s.bonus_total, p),
            bonus_items: items(&s.bonus, corpus.criteria.bonus_items()),
            penalty: fixed(s.penalty_total, p),
            penalty_items: items(&s.penalties, corpus.criteria.penalty_items()),
            criteria: PointsMap { by_id, scores: &s.criteria, precision: p },
        }
    }

    #[test]
    fn hand_written_rows_are_the_bytes_serde_writes() {
        use crate::model::Method;
        use crate::scoring::testkit::{Kit, d, item, period_results, sp};
        let corpus = Kit::new(&["q1", "q2"])
            .assessed("B2", "10")
            .criterion("A1", "5", Method::PassFail)
            .criterion("a\"\\\n\u{1}", "20", Method::Proportional { target: d("50"), cap: d("1.2") })
            .tier("good", "10")
            .cluster("c")
            .bonus(Some("3"), vec![item("init", "0.5", None), item("prize", "2", Some("2"))])
            .penalties(None, vec![item("late", "1.25", None)])
            .unit("u1", "One")
            .report("u1", "q1", &[("B2", "7.5"), ("A1", "true"), ("a\"\\\n\u{1}", "61.25")])
            .report("u1", "q2", &[("B2", "-0"), ("A1", "false")])
            .unit("u\"2", "Two")
            .in_cluster("u\"2", "c")
            .report("u\"2", "q1", &[("B2", "7.50"), ("A1", "false"), ("a\"\\\n\u{1}", "-3")])
            .report("u\"2", "q2", &[("B2", "0.000"), ("a\"\\\n\u{1}", "100")])
            .with("u1", |u| {
                let r = period_results(u, "q1");
                r.bonus.insert("init".into(), sp(d("3")));
                r.bonus.insert("prize".into(), sp(d("2")));
                r.penalties.insert("late".into(), sp(d("-0.0")));
            })
            .build();
        let standings = crate::scoring::score(&corpus);
        let keys = criterion_keys(&corpus);
        let mut by_id: Vec<(&str, usize)> =
            corpus.criteria().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        by_id.sort_unstable();
        let mut rows = 0;
        for ps in &standings.periods {
            for &u in &ps.ranking {
                let mut row = String::new();
                write_row(&mut row, &corpus, u, &ps.units[u], &keys);
                let reference = ranked_view(&corpus, &corpus.units[u], &ps.units[u], &by_id);
                assert_eq!(row, serde_json::to_string(&reference).unwrap());
                rows += 1;
            }
        }
        assert_eq!(rows, 4, "every unit is ranked in both periods");
    }

    proptest::proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes(text in "(\\PC|[\\x00-\\x1f\"\\\\/\u{7f}])*") {
            let mut out = String::from("x");
            push_str(&mut out, &text);
            proptest::prop_assert_eq!(&out[1..], serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn decimals_are_written_as_their_serde_form(lo in proptest::num::u64::ANY, hi in 0u32..u32::MAX, neg: bool, scale in 0u32..=28, zero: bool) {
            let (lo, hi) = if zero { (0, 0) } else { (lo, hi) };
            let value = Decimal::from_parts(lo as u32, (lo >> 32) as u32, hi, neg, scale);
            let mut out = String::from("x");
            push_decimal(&mut out, value);
            proptest::prop_assert_eq!(&out[1..], serde_json::to_string(&value).unwrap());
        }
    }
}
