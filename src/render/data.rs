//! The data downloads (SPEC §9): `data/results.csv`, `data/awards.csv`,
//! `data/indicators.csv` and `data/campaign.json` (the whole computed model, docs/data.md).
//!
//! CSVs are UTF-8 with a BOM, comma-separated, RFC 4180 quoting, LF line ends, a header and a
//! final newline; numbers use `.` and exactly `precision` decimals; empty cells mean none.

use std::io::Write;

use anyhow::Result;
use rust_decimal::Decimal;

use super::Sink;
use crate::model::Corpus;
use crate::scoring::{AwardStatus, Standings, UnitScore};
use crate::site::output::OutputFile;

const BOM: &[u8] = b"\xEF\xBB\xBF";

type Writer = fn(&Corpus, &Standings, &mut dyn Write) -> Result<()>;

/// The four data files and what writes each.
const FILES: [(&str, Writer); 4] = [
    ("data/results.csv", results_csv),
    ("data/awards.csv", awards_csv),
    ("data/indicators.csv", indicators_csv),
    ("data/campaign.json", super::json::write_campaign_json),
];

/// All four data files, in memory.
pub fn render(corpus: &Corpus, standings: &Standings) -> Result<Vec<OutputFile>> {
    FILES
        .iter()
        .map(|(path, write)| {
            let mut bytes = Vec::new();
            write(corpus, standings, &mut bytes)?;
            Ok(OutputFile { path: (*path).into(), bytes: bytes.into() })
        })
        .collect()
}

/// Writes the four data files into `sink` as they are produced, never holding one whole.
/// Returns their paths.
pub fn stream(corpus: &Corpus, standings: &Standings, sink: &dyn Sink) -> Result<Vec<String>> {
    FILES
        .iter()
        .map(|(path, write)| {
            sink.write_streamed(path, &mut |out| write(corpus, standings, out))?;
            Ok((*path).to_string())
        })
        .collect()
}

/// A decimal with exactly `precision` decimals and `.` (never `-0.00`). Written by
/// `locale::push_fixed`: `Decimal`'s own `Display` panics on numbers of more than 32 characters.
pub fn fixed(d: Decimal, precision: u32) -> String {
    let mut out = String::new();
    super::locale::push_fixed(&mut out, d, precision);
    out
}

fn writer(out: &mut dyn Write) -> Result<csv::Writer<&mut dyn Write>> {
    out.write_all(BOM)?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out))
}

fn finish(mut w: csv::Writer<&mut dyn Write>) -> Result<()> {
    w.flush()?;
    Ok(())
}

fn results_csv(corpus: &Corpus, standings: &Standings, out: &mut dyn Write) -> Result<()> {
    let p = corpus.campaign.precision;
    let mut w = writer(out)?;
    let mut header: Vec<&str> = vec![
        "period",
        "unit",
        "name",
        "cluster",
        "total",
        "rank",
        "cluster_rank",
        "tier",
        "bonus",
        "penalty",
    ];
    header.extend(corpus.criteria().map(|c| c.id.as_str()));
    w.write_record(&header)?;
    for ps in &standings.periods {
        let period = &corpus.campaign.periods[ps.period].id;
        for &ui in &rows_by_rank_then_id(corpus, ps.ranking.clone(), &ps.units) {
            let (unit, s) = (&corpus.units[ui], &ps.units[ui]);
            let cluster = unit
                .cluster
                .as_ref()
                .filter(|c| corpus.cluster_index(&c.value).is_some())
                .map_or("", |c| c.value.as_str());
            let tier = s.tier.map_or("", |t| corpus.campaign.tiers[t].id.as_str());
            let mut row = vec![
                period.clone(),
                unit.id.clone(),
                unit.name.clone(),
                cluster.to_string(),
                fixed(s.total, p),
                opt(s.rank),
                opt(s.cluster_rank),
                tier.to_string(),
                fixed(s.bonus_total, p),
                fixed(s.penalty_total, p),
            ];
            row.extend(s.criteria.iter().map(|c| fixed(c.points, p)));
            w.write_record(&row)?;
        }
    }
    finish(w)
}

/// Ranked units ordered by rank, then unit id (SPEC §9's row order for the CSVs).
fn rows_by_rank_then_id(corpus: &Corpus, mut units: Vec<usize>, scores: &[UnitScore]) -> Vec<usize> {
    units.sort_by(|&a, &b| {
        scores[a].rank.cmp(&scores[b].rank).then_with(|| corpus.units[a].id.cmp(&corpus.units[b].id))
    });
    units
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn awards_csv(corpus: &Corpus, standings: &Standings, out: &mut dyn Write) -> Result<()> {
    let p = corpus.campaign.precision;
    let mut w = writer(out)?;
    w.write_record(["award", "scope", "unit", "status", "rank", "total"])?;
    for outcome in &standings.awards {
        let award = &corpus.campaign.awards[outcome.award].id;
        for scope in &outcome.scopes {
            let scope_name = scope.cluster.map_or("overall", |c| corpus.campaign.clusters[c].id.as_str());
            let mut entries: Vec<_> = scope.entries.iter().collect();
            entries.sort_by(|a, b| {
                a.rank.cmp(&b.rank).then_with(|| corpus.units[a.unit].id.cmp(&corpus.units[b.unit].id))
            });
            for e in entries {
                let status = match e.status {
                    AwardStatus::Proposed => "proposed",
                    AwardStatus::Tie => "tie",
                };
                let unit = corpus.units[e.unit].id.as_str();
                w.write_record([
                    award.as_str(),
                    scope_name,
                    unit,
                    status,
                    &e.rank.to_string(),
                    &fixed(e.total, p),
                ])?;
            }
        }
    }
    finish(w)
}

fn indicators_csv(corpus: &Corpus, standings: &Standings, out: &mut dyn Write) -> Result<()> {
    let p = corpus.campaign.precision;
    let mut w = writer(out)?;
    w.write_record(["period", "indicator", "value", "target", "achieved"])?;
    for ps in &standings.periods {
        let period = &corpus.campaign.periods[ps.period].id;
        for (ind, out) in corpus.campaign.indicators.iter().zip(&ps.indicators) {
            let value = out.value.map_or_else(String::new, |v| fixed(v, p));
            let achieved = if out.achieved { "true" } else { "false" };
            w.write_record([period.as_str(), &ind.id, &value, &fixed(ind.target, p), achieved])?;
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pads_rounds_and_drops_negative_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(fixed(d("5"), 2), "5.00");
        assert_eq!(fixed(d("2.345"), 2), "2.35");
        assert_eq!(fixed(d("-2.345"), 2), "-2.35");
        assert_eq!(fixed(d("95.5"), 0), "96");
        assert_eq!(fixed(d("-0.001"), 2), "0.00");
        assert_eq!(fixed(d("66.6666"), 1), "66.7");
    }
}
