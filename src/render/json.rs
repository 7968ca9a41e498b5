//! `data/campaign.json`: the whole computed model in one document (described in docs/data.md).
//!
//! Built from borrowed views that serialise straight into the output buffer: no intermediate
//! `serde_json::Value` tree, so a 100,000-unit campaign costs one pass and little memory.
//! Decimals are strings (`"96.15"`) so that no reader sees a binary floating-point value;
//! points, totals and indicator values carry exactly `precision` decimals.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

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
    ranking: Vec<RankedView<'a>>,
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
    criteria: BTreeMap<&'a str, PointsView>,
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
    let doc = Document {
        format: FORMAT,
        campaign: camp,
        criteria: &corpus.criteria,
        current_period: camp.periods.get(standings.current_period).map(|p| p.id.as_str()),
        units: corpus.units.iter().map(|u| unit_view(u)).collect(),
        periods: standings.periods.iter().map(|ps| period_view(corpus, ps)).collect(),
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

fn period_view<'a>(corpus: &'a Corpus, ps: &PeriodStandings) -> PeriodView<'a> {
    let camp = &corpus.campaign;
    let p = camp.precision;
    PeriodView {
        period: &camp.periods[ps.period].id,
        reported: ps.ranking.len(),
        ranking: ps.ranking.iter().map(|&ui| ranked_view(corpus, &corpus.units[ui], &ps.units[ui])).collect(),
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

fn ranked_view<'a>(corpus: &'a Corpus, unit: &'a Unit, s: &UnitScore) -> RankedView<'a> {
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
    let points = |c: &CriterionScore| PointsView {
        value: c.value,
        target: c.target,
        target_overridden: c.target_overridden,
        points: fixed(c.points, p),
        capped: c.capped,
        missing: c.missing,
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
        criteria: corpus.criteria().map(|c| c.id.as_str()).zip(s.criteria.iter().map(points)).collect(),
    }
}
