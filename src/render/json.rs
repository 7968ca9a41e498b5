//! `data/campaign.json`: the whole computed model in one document (described in docs/data.md).
//!
//! Built from borrowed views that serialise straight into the output buffer: no intermediate
//! `serde_json::Value` tree, and a ranking's rows are made one at a time as they are written
//! (all periods' rows at once were 160 MB at 10,000 units), so a 100,000-unit campaign costs
//! one pass and little memory.
//! Decimals are strings (`"96.15"`) so that no reader sees a binary floating-point value;
//! points, totals and indicator values carry exactly `precision` decimals.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::data::fixed;
use rust_decimal::Decimal;

use crate::model::{
    AwardScope, Campaign, Corpus, CriteriaTable, IdMap, Item, Registration, Spanned, Unit, Value,
};
use crate::scoring::{
    AwardEntry, AwardStatus, CriterionScore, ItemScore, PeriodStandings, Standings, UnitScore,
};

/// Version of this document's layout; bumped when a field changes meaning or goes away.
const FORMAT: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: u32,
    campaign: &'a Campaign,
    criteria: &'a CriteriaTable,
    current_period: Option<&'a str>,
    units: Vec<UnitView<'a>>,
    periods: Vec<PeriodView<'a>>,
    awards: Vec<AwardView<'a>>,
}

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

#[derive(Serialize)]
struct PeriodView<'a> {
    period: &'a str,
    reported: usize,
    ranking: RankingView<'a>,
    clusters: Vec<ClusterView<'a>>,
    indicators: Vec<IndicatorView<'a>>,
}

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

/// A period's ranking, each row made when it is written.
struct RankingView<'a> {
    corpus: &'a Corpus,
    standings: &'a PeriodStandings,
    /// Criterion ids in byte order with their index in table order.
    by_id: &'a [(&'a str, usize)],
}

impl Serialize for RankingView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (corpus, ps) = (self.corpus, self.standings);
        let mut seq = serializer.serialize_seq(Some(ps.ranking.len()))?;
        for &ui in &ps.ranking {
            seq.serialize_element(&ranked_view(corpus, &corpus.units[ui], &ps.units[ui], self.by_id))?;
        }
        seq.end()
    }
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

/// Writes the document to `out` as it is serialised (a build streams it into the file: it is
/// ~1.4 GB at 100,000 units).
pub(super) fn write_campaign_json(corpus: &Corpus, standings: &Standings, out: &mut dyn Write) -> Result<()> {
    let camp = &corpus.campaign;
    let mut by_id: Vec<(&str, usize)> =
        corpus.criteria().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    by_id.sort_unstable();
    let doc = Document {
        format: FORMAT,
        campaign: camp,
        criteria: &corpus.criteria,
        current_period: camp.periods.get(standings.current_period).map(|p| p.id.as_str()),
        units: corpus.units.iter().map(|u| unit_view(u)).collect(),
        periods: standings.periods.iter().map(|ps| period_view(corpus, ps, &by_id)).collect(),
        awards: standings
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
            .collect(),
    };
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    Ok(())
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

fn period_view<'a>(
    corpus: &'a Corpus,
    ps: &'a PeriodStandings,
    by_id: &'a [(&'a str, usize)],
) -> PeriodView<'a> {
    let camp = &corpus.campaign;
    let p = camp.precision;
    PeriodView {
        period: &camp.periods[ps.period].id,
        reported: ps.ranking.len(),
        ranking: RankingView { corpus, standings: ps, by_id },
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
