//! Plain data types of a campaign as the content describes it (the `Corpus`).
//!
//! The loader (`content`) builds these from files; `validate` checks them; `scoring` computes
//! standings from them. Nothing here reads files or renders anything. Every value an editor can
//! get wrong carries its `Pos` so that later stages can point at it.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

mod id_map;

pub use id_map::{IdMap, cmp_ids};

/// Index of a file in `Corpus::files`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// A place in a content file: 1-based line and column (in characters), and the width of the
/// thing pointed at (in characters, at least 1 when rendered).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

impl Pos {
    /// The start of a file, for problems that concern a file as a whole.
    pub fn file_start(file: FileId) -> Pos {
        Pos { file, line: 0, col: 0, len: 0 }
    }

    /// Whether this position points into the file (line 0 means "the whole file").
    pub fn has_place(&self) -> bool {
        self.line > 0
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Spanned<T> {
    pub fn new(value: T, pos: Pos) -> Self {
        Spanned { value, pos }
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// A calendar date (YYYY-MM-DD), validated on construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`; `None` when the text is not a real calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = &text[r];
            s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&day).then_some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// UI language of the campaign.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Vi,
    #[default]
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }
}

/// Everything read from `content/`: the campaign, its scoring table and its documents.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Every file that was read, indexed by `FileId`.
    pub files: Vec<SourceFile>,
    pub campaign: Campaign,
    pub criteria: CriteriaTable,
    /// Sorted by id. Shared, so that `serve` can keep the units an edit did not touch from one
    /// build to the next without copying them.
    pub units: Vec<std::sync::Arc<Unit>>,
    pub news: Vec<News>,
    pub agreements: Vec<Agreement>,
    pub pages: Vec<Page>,
    pub home: Option<Home>,
    /// Other files under `content/` (a folder unit's evidence and photos), root-relative, sorted.
    pub assets: Vec<String>,
}

impl Corpus {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn unit_index(&self, id: &str) -> Option<usize> {
        self.units.binary_search_by(|u| u.id.as_str().cmp(id)).ok()
    }

    pub fn period_index(&self, id: &str) -> Option<usize> {
        self.campaign.periods.iter().position(|p| p.id == id)
    }

    pub fn cluster_index(&self, id: &str) -> Option<usize> {
        self.campaign.clusters.iter().position(|c| c.id == id)
    }

    pub fn tier_index(&self, id: &str) -> Option<usize> {
        self.campaign.tiers.iter().position(|t| t.id == id)
    }

    /// Criteria in table order (groups in order, criteria in order within a group).
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.groups.iter().flat_map(|g| g.criteria.iter())
    }
}

/// A file the loader read: its path relative to the site root (with `/`) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: std::sync::Arc<str>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Campaign {
    pub title: String,
    pub motto: Option<String>,
    pub organizer: Option<String>,
    pub description: Option<String>,
    pub language: Language,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// Decimals for points and indicator values, 0..=4.
    pub precision: u32,
    pub tie_break: Vec<Spanned<String>>,
    pub site: Site,
    pub periods: Vec<Period>,
    pub clusters: Vec<Cluster>,
    pub tiers: Vec<Tier>,
    pub indicators: Vec<Indicator>,
    pub awards: Vec<Award>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Site {
    pub base_url: Option<String>,
    pub theme: Option<String>,
    pub menu: Vec<MenuEntry>,
    pub allow_html: bool,
    pub current_period: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MenuEntry {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub id: String,
    pub title: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tier {
    pub id: String,
    pub title: String,
    pub min_score: Decimal,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    pub target: Decimal,
    pub kind: IndicatorKind,
    pub lower_is_better: bool,
    /// Display unit of the value (e.g. "%").
    pub unit: Option<String>,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// `100 * (units where the condition holds) / (all units)`.
    ShareOfUnits(Spanned<ShareCondition>),
    /// `100 * sum(sum) / sum(over)` over units that have both metrics.
    Ratio { sum: Spanned<String>, over: Spanned<String> },
    /// The sum of a metric over units.
    Sum(Spanned<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareCondition {
    Registered,
    Reported,
    /// Holds when the unit's metric is > 0 in the period.
    Metric(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardScope {
    Overall,
    Cluster,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quota {
    /// At most N units.
    Count(u32),
    /// At most floor(P * ranked units in scope / 100).
    Percent(Decimal),
}

#[derive(Debug, Clone, Serialize)]
pub struct Award {
    pub id: String,
    pub title: String,
    pub scope: AwardScope,
    pub period: Option<Spanned<String>>,
    pub min_score: Option<Decimal>,
    pub min_tier: Option<Spanned<String>>,
    pub top: Option<u32>,
    pub quota: Option<Quota>,
    pub requires_registration: bool,
    pub requires_seeking: bool,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

/// `criteria.yaml`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CriteriaTable {
    pub groups: Vec<Group>,
    pub bonus: Option<ItemTable>,
    pub penalties: Option<ItemTable>,
}

impl CriteriaTable {
    pub fn bonus_items(&self) -> &[Item] {
        self.bonus.as_ref().map_or(&[], |t| &t.items)
    }

    pub fn penalty_items(&self) -> &[Item] {
        self.penalties.as_ref().map_or(&[], |t| &t.items)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub criteria: Vec<Criterion>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    /// Nominal points, > 0.
    pub max: Decimal,
    pub method: Method,
    /// Display unit of the actual value (e.g. "%").
    pub unit: Option<String>,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

impl Criterion {
    /// The default target, for the methods that have one.
    pub fn target(&self) -> Option<Decimal> {
        match &self.method {
            Method::Proportional { target, .. } | Method::Inverse { target, .. } => Some(*target),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Points awarded directly.
    Assessed,
    /// `M * min(a / T, K)`.
    Proportional { target: Decimal, cap: Decimal },
    /// `M * min(T / a, K)`, `M * K` when `a = 0`.
    Inverse { target: Decimal, cap: Decimal },
    /// `M` if true, else 0.
    PassFail,
    /// The points of the matching band.
    Bands { bands: Bands },
    /// `min(a * per, M)`.
    PerItem { per: Decimal },
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Assessed => "assessed",
            Method::Proportional { .. } => "proportional",
            Method::Inverse { .. } => "inverse",
            Method::PassFail => "pass_fail",
            Method::Bands { .. } => "bands",
            Method::PerItem { .. } => "per_item",
        }
    }
}

/// Bands of one kind, in the order written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bands {
    /// The band with the greatest `min <= a` matches.
    Min(Vec<Band>),
    /// The band with the smallest `max >= a` matches.
    Max(Vec<Band>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub bound: Decimal,
    pub points: Decimal,
    #[serde(skip)]
    pub pos: Pos,
}

/// Bonus or penalty items with an optional cap on their sum.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemTable {
    pub max: Option<Decimal>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    pub title: Option<String>,
    /// Points per count.
    pub points: Decimal,
    /// Cap on this item's points.
    pub max: Option<Decimal>,
    pub description: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

/// An actual value from a unit's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Number(Decimal),
    Bool(bool),
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: String,
    #[serde(skip)]
    pub file: FileId,
    /// The folder of a `units/<id>/index.md` unit, relative to the root; `None` for `units/<id>.md`.
    pub folder: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub cluster: Option<Spanned<String>>,
    pub parent: Option<Spanned<String>>,
    pub headcount: Option<Spanned<Decimal>>,
    pub registration: Option<Registration>,
    pub metrics: IdMap<Spanned<Decimal>>,
    /// Keyed by period id.
    pub results: IdMap<PeriodResults>,
    /// The Markdown body (the unit's narrative).
    pub body: String,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Registration {
    pub date: Option<Date>,
    pub pledge: Option<String>,
    pub targets: IdMap<Spanned<Decimal>>,
    pub seeks: Vec<Spanned<String>>,
    #[serde(skip)]
    pub pos: Pos,
}

/// One period's results of one unit, merged from front matter and CSV rows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeriodResults {
    /// Criterion id -> actual value.
    pub values: IdMap<Spanned<Value>>,
    /// Bonus item id -> count.
    pub bonus: IdMap<Spanned<Decimal>>,
    /// Penalty item id -> count.
    pub penalties: IdMap<Spanned<Decimal>>,
    pub metrics: IdMap<Spanned<Decimal>>,
    pub notes: IdMap<Spanned<String>>,
    pub evidence: IdMap<Vec<Spanned<String>>>,
    /// Where the period key was written (or the first CSV row that gave it).
    #[serde(skip)]
    pub pos: Pos,
}

impl PeriodResults {
    /// A unit reported in a period when at least one criterion value is given (SPEC §5).
    pub fn is_report(&self) -> bool {
        !self.values.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct News {
    pub id: String,
    pub title: String,
    pub date: Date,
    pub summary: Option<String>,
    pub units: Vec<Spanned<String>>,
    pub draft: bool,
    pub body: String,
    #[serde(skip)]
    pub file: FileId,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub id: String,
    pub title: String,
    pub date: Date,
    pub parties: Vec<Spanned<String>>,
    pub period: Option<Spanned<String>>,
    pub draft: bool,
    pub body: String,
    #[serde(skip)]
    pub file: FileId,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub draft: bool,
    pub weight: Option<i64>,
    pub body: String,
    #[serde(skip)]
    pub file: FileId,
}

/// `content/index.md`: the home page body.
#[derive(Debug, Clone, Serialize)]
pub struct Home {
    pub title: Option<String>,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(Date::parse("2016-02-29").map(|d| d.to_string()), Some("2016-02-29".into()));
        assert_eq!(Date::parse("2015-02-29"), None);
        assert_eq!(Date::parse("2016-13-01"), None);
        assert_eq!(Date::parse("2016-1-01"), None);
        assert_eq!(Date::parse("2016-01-0a"), None);
        assert_eq!(Date::parse("１２３４-01-01"), None);
    }
}
