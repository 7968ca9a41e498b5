//! Page contexts: plain `Serialize` views of the corpus and its standings, one builder per
//! page type. Templates receive these (documented in docs/themes.md); they never compute.
//!
//! Conventions: every number a reader sees is already formatted in the campaign language
//! (`"96,15"`), with a `_raw` twin (`"96.15"`) where a script may sort on it; every `url` is
//! relative to the site root without a leading slash (`units/cuc-hq-ha-noi/`) and templates put
//! `{{ root }}` before it, so the site works under any sub-path and from the file system.
//! Builders only read; they never render or write.

pub mod boards;
pub mod misc;
pub mod unit;

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::i18n::{Missing, Strings};
use super::locale::{self, Lang};
use super::markdown;
use crate::collation::{NameCollator, name_order};
use crate::model::{Corpus, Date, Language};
use crate::scoring::{PeriodStandings, Standings};

/// What every view builder reads, with the look-ups that many pages share built once (so no
/// page costs a pass over all units).
pub struct Ctx<'a> {
    pub corpus: &'a Corpus,
    pub standings: &'a Standings,
    pub strings: &'a Strings,
    pub fmt: Fmt,
    pub allow_html: bool,
    /// Include drafts (`--drafts`).
    pub drafts: bool,
    pub idx: Arc<Indices>,
    /// What every unit page's period sections repeat of the scoring table, made by the first
    /// unit page that needs it.
    pub(in crate::render) unit_texts: std::sync::OnceLock<Result<super::fast::UnitTexts, Missing>>,
}

/// Look-ups derived from a corpus and its standings, built once per build (and shared by every
/// page `serve` renders on request).
#[derive(Debug)]
pub struct Indices {
    /// Each unit's position in name collation order.
    pub name_order: Vec<u32>,
    /// Each unit's parent, when it resolves.
    pub parent_of: Vec<Option<usize>>,
    /// Each unit's children, in unit id order.
    pub children: Vec<Vec<usize>>,
    /// Each cluster's members, in unit id order.
    pub cluster_members: Vec<Vec<usize>>,
    /// Each unit's award entries as (award outcome, scope, entry) indices.
    pub awards_of: Vec<Vec<(usize, usize, usize)>>,
    /// Names and ids the big tables repeat, escaped once (made anew with the standings' part:
    /// a name may change while the ids stay).
    pub(in crate::render) escaped: super::fast::Escaped,
}

impl Indices {
    pub fn new(corpus: &Corpus, standings: &Standings) -> Indices {
        let parent_of: Vec<Option<usize>> = corpus
            .units
            .iter()
            .map(|u| u.parent.as_ref().and_then(|p| corpus.unit_index(&p.value)))
            .collect();
        let mut children = vec![Vec::new(); corpus.units.len()];
        for (u, parent) in parent_of.iter().enumerate() {
            if let Some(p) = *parent {
                children[p].push(u);
            }
        }
        let mut cluster_members = vec![Vec::new(); corpus.campaign.clusters.len()];
        for (u, unit) in corpus.units.iter().enumerate() {
            if let Some(c) = unit.cluster.as_ref().and_then(|c| corpus.cluster_index(&c.value)) {
                cluster_members[c].push(u);
            }
        }
        let (name_order, awards_of) = Indices::of_standings(corpus, standings);
        let escaped = super::fast::Escaped::new(corpus);
        Indices { name_order, parent_of, children, cluster_members, awards_of, escaped }
    }

    /// These look-ups for other standings of the same units (same ids, parents and clusters,
    /// under the same declared clusters): only what depends on the standings is made again.
    pub fn refreshed(&self, corpus: &Corpus, standings: &Standings) -> Indices {
        let (name_order, awards_of) = Indices::of_standings(corpus, standings);
        Indices {
            name_order,
            parent_of: self.parent_of.clone(),
            children: self.children.clone(),
            cluster_members: self.cluster_members.clone(),
            awards_of,
            escaped: super::fast::Escaped::new(corpus),
        }
    }

    /// The name order and each unit's award entries.
    #[allow(clippy::type_complexity)]
    fn of_standings(corpus: &Corpus, standings: &Standings) -> (Vec<u32>, Vec<Vec<(usize, usize, usize)>>) {
        let name_order = if standings.name_order.len() == corpus.units.len() {
            standings.name_order.clone()
        } else {
            let names: Vec<&str> = corpus.units.iter().map(|u| u.name.as_str()).collect();
            name_order(&NameCollator::new(corpus.campaign.language), &names)
        };
        let mut awards_of = vec![Vec::new(); corpus.units.len()];
        for (o, outcome) in standings.awards.iter().enumerate() {
            for (s, scope) in outcome.scopes.iter().enumerate() {
                for (e, entry) in scope.entries.iter().enumerate() {
                    if let Some(slot) = awards_of.get_mut(entry.unit) {
                        slot.push((o, s, e));
                    }
                }
            }
        }
        (name_order, awards_of)
    }
}

impl<'a> Ctx<'a> {
    pub fn new(corpus: &'a Corpus, standings: &'a Standings, strings: &'a Strings, drafts: bool) -> Ctx<'a> {
        Ctx::with_indices(corpus, standings, strings, drafts, Arc::new(Indices::new(corpus, standings)))
    }

    pub fn with_indices(
        corpus: &'a Corpus,
        standings: &'a Standings,
        strings: &'a Strings,
        drafts: bool,
        idx: Arc<Indices>,
    ) -> Ctx<'a> {
        Ctx {
            corpus,
            standings,
            strings,
            fmt: Fmt::new(corpus.campaign.language, corpus.campaign.precision),
            allow_html: corpus.campaign.site.allow_html,
            drafts,
            idx,
            unit_texts: std::sync::OnceLock::new(),
        }
    }
}

impl Ctx<'_> {
    pub fn t(&self, key: &str) -> Result<String, Missing> {
        self.strings.get(key).map(str::to_string)
    }

    pub fn markdown(&self, text: &str) -> String {
        markdown::to_html(text, &markdown::Options { allow_html: self.allow_html })
    }

    pub fn markdown_opt(&self, text: Option<&str>) -> Option<String> {
        text.filter(|t| !t.trim().is_empty()).map(|t| self.markdown(t))
    }

    pub fn period(&self, index: usize) -> &PeriodStandings {
        &self.standings.periods[index]
    }

    pub fn current(&self) -> usize {
        self.standings.current_period
    }

    pub fn period_link(&self, index: usize, base: &str) -> Link {
        let p = &self.corpus.campaign.periods[index];
        Link { title: p.title.clone(), url: format!("{base}{}/", p.id) }
    }

    pub fn unit_link(&self, index: usize) -> Link {
        let u = &self.corpus.units[index];
        Link { title: u.name.clone(), url: format!("units/{}/", u.id) }
    }

    /// The unit's cluster, when it resolves.
    pub fn cluster_of(&self, unit: usize) -> Option<usize> {
        self.corpus.units[unit].cluster.as_ref().and_then(|c| self.corpus.cluster_index(&c.value))
    }

    pub fn cluster_link(&self, index: usize) -> Link {
        let c = &self.corpus.campaign.clusters[index];
        Link { title: c.title.clone(), url: format!("clusters/{}/", c.id) }
    }

    pub fn tier_view(&self, tier: Option<usize>) -> Option<TierView> {
        tier.map(|t| {
            let tier = &self.corpus.campaign.tiers[t];
            TierView {
                id: tier.id.clone(),
                title: tier.title.clone(),
                min_score: self.fmt.as_written(tier.min_score),
            }
        })
    }

    /// Links to the data downloads that hold a table's numbers.
    pub fn downloads(&self, files: &[&str]) -> Result<Vec<Link>, Missing> {
        files
            .iter()
            .map(|f| {
                Ok(Link {
                    title: self
                        .t(&format!("downloads.{}", f.trim_end_matches(".csv").trim_end_matches(".json")))?,
                    url: format!("data/{f}"),
                })
            })
            .collect()
    }
}

/// Number and date formatting in the campaign language.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    pub lang: Lang,
    pub precision: u32,
}

impl Fmt {
    pub fn new(language: Language, precision: u32) -> Fmt {
        let lang = if language == Language::Vi { Lang::Vi } else { Lang::En };
        Fmt { lang, precision }
    }

    /// Points, totals, indicator values: exactly `precision` decimals.
    pub fn points(&self, d: Decimal) -> String {
        locale::number(d, self.precision, self.lang)
    }

    /// Points for machines (`data-sort`): `.` and exactly `precision` decimals, like the CSVs.
    pub fn raw(&self, d: Decimal) -> String {
        crate::render::data::fixed(d, self.precision)
    }

    /// A number as written in the content (targets, counts, values).
    pub fn as_written(&self, d: Decimal) -> String {
        locale::number_as_written(d.normalize(), self.lang)
    }

    /// Appends [`Fmt::points`]'s text to `out`: the big tables write their numbers straight
    /// into the page (`render/fast.rs`).
    pub fn push_points(&self, out: &mut String, d: Decimal) {
        locale::push_number(out, d, self.precision, self.lang);
    }

    /// Appends [`Fmt::raw`]'s text to `out`.
    pub fn push_raw(&self, out: &mut String, d: Decimal) {
        locale::push_fixed(out, d, self.precision);
    }

    /// Appends [`Fmt::as_written`]'s text to `out`.
    pub fn push_as_written(&self, out: &mut String, d: Decimal) {
        locale::push_number_as_written(out, d.normalize(), self.lang);
    }

    pub fn date(&self, d: Date) -> String {
        locale::date(d.year, d.month, d.day, self.lang)
    }

    /// A ratio as a percentage with up to 2 decimals, trailing zeros dropped (`104,6%`).
    pub fn ratio_percent(&self, ratio: Decimal) -> String {
        let mut out = String::new();
        self.push_ratio_percent(&mut out, ratio);
        out
    }

    /// Appends [`Fmt::ratio_percent`]'s text to `out`.
    pub fn push_ratio_percent(&self, out: &mut String, ratio: Decimal) {
        let pct = (ratio * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        locale::push_number_as_written(out, pct, self.lang);
        out.push('%');
    }

    pub fn signed(&self, change: i64) -> String {
        locale::signed(Decimal::from(change), 0, self.lang)
    }
}

/// A titled link (url relative to the site root).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierView {
    pub id: String,
    pub title: String,
    pub min_score: String,
}

/// A rank and its movement since the previous period.
#[derive(Debug, Clone, Serialize)]
pub struct RankView {
    pub rank: Option<u32>,
    /// `+2`, `-1`, `0`; absent when there is nothing to compare with.
    pub change: Option<String>,
    /// `up`, `down`, `same` or absent: for an arrow and its text alternative.
    pub direction: Option<&'static str>,
}

impl RankView {
    pub fn new(fmt: &Fmt, rank: Option<u32>, change: Option<i64>) -> RankView {
        let direction = change.map(|c| match c.signum() {
            1 => "up",
            -1 => "down",
            _ => "same",
        });
        RankView { rank, change: change.map(|c| fmt.signed(c)), direction }
    }
}

/// Links between the periods of a per-period page.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodNav {
    pub id: String,
    pub title: String,
    pub url: String,
    pub current: bool,
}

/// One period switcher for pages that exist per period under `base` (e.g. `scoreboard/`).
pub fn period_nav(ctx: &Ctx<'_>, base: &str, shown: usize) -> Vec<PeriodNav> {
    ctx.corpus
        .campaign
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| PeriodNav {
            id: p.id.clone(),
            title: p.title.clone(),
            url: format!("{base}{}/", p.id),
            current: i == shown,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_show_as_short_percentages() {
        let vi = Fmt { lang: Lang::Vi, precision: 2 };
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(vi.ratio_percent(d("1.046")), "104,6%");
        assert_eq!(vi.ratio_percent(d("1")), "100%");
        assert_eq!(vi.ratio_percent(d("0.33333")), "33,33%");
    }
}
