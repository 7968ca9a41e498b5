//! `&Corpus -> Vec<Diagnostic>`: the rules of SPEC §2, §4, §5, §7 and §8 that involve more than
//! one value: unique ids, references that must resolve, values that must suit their criterion's
//! method, evidence files, parent cycles, missing results.
//!
//! No I/O, and it never stops at the first problem. Shape problems of single values were already
//! reported by the loader (`content`); this module assumes only what the model's types promise.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::content::Trust;
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::{
    Bands, Corpus, Criterion, IndicatorKind, Method, Pos, ShareCondition, SourceFile, Spanned, Unit, Value,
    cmp_ids,
};

/// Routes the generator owns; a page cannot take them (SPEC §2).
pub const RESERVED_ROUTES: &[&str] = &[
    "units",
    "scoreboard",
    "clusters",
    "criteria",
    "indicators",
    "awards",
    "news",
    "agreements",
    "report",
    "data",
];

/// Checks `corpus`; references into parts that `trust` says failed to load are not reported.
pub fn validate(corpus: &Corpus, trust: &Trust) -> Vec<Diagnostic> {
    validate_cached(corpus, trust, &mut ValidationCache::default())
}

/// Each unit's own problems from the last validation (`serve` keeps it between builds): a unit
/// is checked again only when it changed, or when what its checks look up did.
#[derive(Default)]
pub struct ValidationCache {
    /// Off for one-shot runs, which would only pay for filling it.
    keep: bool,
    /// Hash of everything a unit's checks read besides the unit.
    context: u64,
    /// By unit id: the unit as checked, whether its file had errors, and its problems.
    /// (A fast hash: it is looked up for every unit on each `serve` rebuild.)
    units: rustc_hash::FxHashMap<String, (Arc<Unit>, bool, Vec<Diagnostic>)>,
}

impl ValidationCache {
    pub fn new() -> ValidationCache {
        ValidationCache { keep: true, ..ValidationCache::default() }
    }
}

/// Like `validate`, reusing the problems of units that did not change since `cache` was filled.
pub fn validate_cached(corpus: &Corpus, trust: &Trust, cache: &mut ValidationCache) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let v = Validator::new(corpus, trust);
    v.unique_ids(&mut d);
    v.campaign_references(&mut d);
    v.indicator_metrics(&mut d);
    let context = if cache.keep { unit_context(corpus, trust) } else { 0 };
    if context != cache.context {
        cache.units.clear();
        cache.context = context;
    }
    let per_unit: Vec<(Vec<Diagnostic>, bool)> = corpus
        .units
        .par_iter()
        .map(|u| {
            let failed = trust.units_with_errors.binary_search(&u.id).is_ok();
            match cache.units.get(&u.id).filter(|(old, f, _)| Arc::ptr_eq(old, u) && *f == failed) {
                Some((_, _, diags)) => (diags.clone(), false),
                None => (v.unit(u), true),
            }
        })
        .collect();
    for (u, (diags, fresh)) in corpus.units.iter().zip(per_unit) {
        if cache.keep && fresh {
            let failed = trust.units_with_errors.binary_search(&u.id).is_ok();
            cache.units.insert(u.id.clone(), (u.clone(), failed, diags.clone()));
        }
        d.extend(diags);
    }
    v.parent_cycles(&mut d);
    v.documents(&mut d);
    d
}

/// A hash of what `Validator::unit` reads besides the unit: the campaign and scoring table
/// (ids, methods), the unit ids (parents), the files (paths in messages), the evidence files,
/// and what failed to load.
fn unit_context(c: &Corpus, trust: &Trust) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}{:?}", c.campaign, c.criteria).hash(&mut h);
    for u in &c.units {
        u.id.hash(&mut h);
    }
    for f in &c.files {
        f.path.hash(&mut h);
    }
    c.assets.hash(&mut h);
    (trust.campaign_failed, trust.criteria_failed, &trust.failed_units).hash(&mut h);
    h.finish()
}

/// Look-up tables built once, so every check is a map access (nothing quadratic in units).
struct Validator<'c> {
    c: &'c Corpus,
    trust: &'c Trust,
    files: &'c [SourceFile],
    criteria: BTreeMap<&'c str, &'c Criterion>,
    criterion_ids: Vec<&'c str>,
    /// Distinct criterion ids in byte order, each with the places in `criterion_ids` of the
    /// criteria that have it (more than one only in a table with a repeated id).
    criteria_by_id: Vec<(&'c str, Vec<usize>)>,
    /// Criteria in table order (as `criterion_ids`).
    criteria_in_order: Vec<&'c Criterion>,
    period_ids: Vec<&'c str>,
    cluster_ids: Vec<&'c str>,
    tier_ids: Vec<&'c str>,
    award_ids: Vec<&'c str>,
    bonus_ids: Vec<&'c str>,
    penalty_ids: Vec<&'c str>,
}

impl<'c> Validator<'c> {
    fn new(c: &'c Corpus, trust: &'c Trust) -> Self {
        let camp = &c.campaign;
        let mut criteria_sorted: Vec<(&str, usize)> =
            c.criteria().enumerate().map(|(i, k)| (k.id.as_str(), i)).collect();
        criteria_sorted.sort();
        let mut criteria_by_id: Vec<(&str, Vec<usize>)> = Vec::new();
        for (id, i) in criteria_sorted {
            match criteria_by_id.last_mut() {
                Some((last, places)) if *last == id => places.push(i),
                _ => criteria_by_id.push((id, vec![i])),
            }
        }
        Validator {
            criteria_by_id,
            criteria_in_order: c.criteria().collect(),
            c,
            trust,
            files: &c.files,
            criteria: c.criteria().map(|k| (k.id.as_str(), k)).collect(),
            criterion_ids: c.criteria().map(|k| k.id.as_str()).collect(),
            period_ids: camp.periods.iter().map(|p| p.id.as_str()).collect(),
            cluster_ids: camp.clusters.iter().map(|p| p.id.as_str()).collect(),
            tier_ids: camp.tiers.iter().map(|p| p.id.as_str()).collect(),
            award_ids: camp.awards.iter().map(|p| p.id.as_str()).collect(),
            bonus_ids: c.criteria.bonus_items().iter().map(|i| i.id.as_str()).collect(),
            penalty_ids: c.criteria.penalty_items().iter().map(|i| i.id.as_str()).collect(),
        }
    }

    fn error(&self, code: &'static str, pos: Pos, message: String) -> Diagnostic {
        Diagnostic::error(code, message).at(self.files, pos)
    }

    /// An error unless `id` is one of `known`, with the nearest known id as help.
    fn reference(&self, d: &mut Vec<Diagnostic>, kind: &str, id: &Spanned<String>, known: &[&str]) -> bool {
        self.reference_at(d, kind, &id.value, id.pos, known)
    }

    /// `reference` for an id that is not a `Spanned` (a map key), without copying it into one.
    fn reference_at(&self, d: &mut Vec<Diagnostic>, kind: &str, id: &str, pos: Pos, known: &[&str]) -> bool {
        if known.contains(&id) {
            return true;
        }
        if self.unreliable(kind, id) {
            return false;
        }
        let help = did_you_mean(id, known.iter().copied()).unwrap_or_else(|| {
            if known.is_empty() {
                format!("no {kind} is declared")
            } else {
                format!("known {kind} ids: {}", abbreviate(known))
            }
        });
        d.push(self.error("unknown-reference", pos, format!("unknown {kind} `{id}`")).with_help(help));
        false
    }

    /// Whether ids of this kind may be missing because their file failed to load.
    fn unreliable(&self, kind: &str, id: &str) -> bool {
        match kind {
            "period" | "cluster" | "tier" | "award" => self.trust.campaign_failed,
            "criterion" | "bonus item" | "penalty item" => self.trust.criteria_failed,
            "unit" => self.trust.failed_units.binary_search_by(|u| u.as_str().cmp(id)).is_ok(),
            _ => false,
        }
    }

    fn unique_ids(&self, d: &mut Vec<Diagnostic>) {
        let camp = &self.c.campaign;
        let groups = self.c.criteria.groups.iter();
        unique(self, d, "period", camp.periods.iter().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "cluster", camp.clusters.iter().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "tier", camp.tiers.iter().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "indicator", camp.indicators.iter().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "award", camp.awards.iter().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "group", groups.map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "criterion", self.c.criteria().map(|x| (x.id.as_str(), x.pos)));
        unique(self, d, "bonus item", self.c.criteria.bonus_items().iter().map(|x| (x.id.as_str(), x.pos)));
        unique(
            self,
            d,
            "penalty item",
            self.c.criteria.penalty_items().iter().map(|x| (x.id.as_str(), x.pos)),
        );
        let mut scores: HashMap<Decimal, Pos> = HashMap::new();
        for tier in &camp.tiers {
            if let Some(first) = scores.insert(tier.min_score.normalize(), tier.pos) {
                d.push(
                    self.error(
                        "duplicate-min-score",
                        tier.pos,
                        format!(
                            "tier `{}` has the same min_score ({}) as another tier",
                            tier.id, tier.min_score
                        ),
                    )
                    .with_label(self.files, first, "the other tier")
                    .with_help("each tier needs its own min_score"),
                );
            }
        }
    }

    fn campaign_references(&self, d: &mut Vec<Diagnostic>) {
        let camp = &self.c.campaign;
        if let Some(p) = &camp.site.current_period {
            self.reference(d, "period", p, &self.period_ids);
        }
        for id in &camp.tie_break {
            self.reference(d, "criterion", id, &self.criterion_ids);
        }
        for award in &camp.awards {
            if let Some(p) = &award.period {
                self.reference(d, "period", p, &self.period_ids);
            }
            if let Some(t) = &award.min_tier {
                self.reference(d, "tier", t, &self.tier_ids);
            }
            if award.scope == crate::model::AwardScope::Cluster && camp.clusters.is_empty() {
                d.push(
                    self.error(
                        "no-clusters",
                        award.pos,
                        format!("award `{}` is decided per cluster, but no cluster is declared", award.id),
                    )
                    .with_help("declare clusters in campaign.yaml, or use scope: overall"),
                );
            }
        }
    }

    /// Indicators naming a metric no unit defines in any period (a warning; SPEC §7).
    fn indicator_metrics(&self, d: &mut Vec<Diagnostic>) {
        let defined = |name: &str| {
            name == "headcount" && self.c.units.iter().any(|u| u.headcount.is_some())
                || self.c.units.iter().any(|u| {
                    u.metrics.contains_key(name) || u.results.values().any(|r| r.metrics.contains_key(name))
                })
        };
        for ind in &self.c.campaign.indicators {
            let names: Vec<&Spanned<String>> = match &ind.kind {
                IndicatorKind::ShareOfUnits(s) => match &s.value {
                    ShareCondition::Metric(_) => Vec::new(),
                    _ => continue,
                },
                IndicatorKind::Ratio { sum, over } => vec![sum, over],
                IndicatorKind::Sum(m) => vec![m],
            };
            let share_metric = match &ind.kind {
                IndicatorKind::ShareOfUnits(Spanned { value: ShareCondition::Metric(m), pos }) => {
                    Some((m.as_str(), *pos))
                }
                _ => None,
            };
            let all = names.iter().map(|s| (s.value.as_str(), s.pos)).chain(share_metric);
            for (name, pos) in all {
                if !defined(name) {
                    d.push(
                        Diagnostic::warning(
                            "unknown-metric",
                            format!("indicator `{}` uses the metric `{name}`, which no unit defines", ind.id),
                        )
                        .at(self.files, pos)
                        .with_help(format!("give units `metrics: {{{name}: ...}}`, or fix the name")),
                    );
                }
            }
        }
    }

    fn unit(&self, u: &Unit) -> Vec<Diagnostic> {
        let mut d = Vec::new();
        if let Some(c) = &u.cluster {
            self.reference(&mut d, "cluster", c, &self.cluster_ids);
        }
        if let Some(p) = &u.parent {
            if p.value == u.id {
                d.push(self.error(
                    "parent-cycle",
                    p.pos,
                    format!("unit `{}` cannot be its own parent", u.id),
                ));
            } else if self.c.unit_index(&p.value).is_none() && !self.unreliable("unit", &p.value) {
                let help =
                    did_you_mean(&p.value, self.c.units.iter().map(|x| x.id.as_str())).unwrap_or_else(|| {
                        "a parent is the id of another unit (its file name under content/units/)".into()
                    });
                d.push(
                    self.error("unknown-reference", p.pos, format!("unknown unit `{}`", p.value))
                        .with_help(help),
                );
            }
        }
        if let Some(reg) = &u.registration {
            for (id, target) in &reg.targets {
                self.target_override(&mut d, id, target);
            }
            for award in &reg.seeks {
                self.reference(&mut d, "award", award, &self.award_ids);
            }
        }
        let values_lost = self.trust.units_with_errors.binary_search(&u.id).is_ok();
        let mut present = vec![false; self.criterion_ids.len()];
        for (period, r) in &u.results {
            if !self.reference_at(&mut d, "period", period, r.pos, &self.period_ids) {
                continue;
            }
            // Value keys and criterion ids, both in byte order, walked side by side: a map
            // look-up per value and criterion was a tenth of check's time.
            // One comparison per value when its id is the next criterion id (the usual case).
            present.fill(false);
            let (by_id, mut k) = (&self.criteria_by_id, 0);
            for (id, value) in &r.values {
                let mut criterion = None;
                while let Some((criterion_id, places)) = by_id.get(k) {
                    match cmp_ids(criterion_id, id) {
                        Ordering::Less => k += 1,
                        Ordering::Greater => break,
                        Ordering::Equal => {
                            // Every criterion of a repeated id is present; the last one is the
                            // criterion (as in the map collected from them).
                            for &i in places {
                                present[i] = true;
                                criterion = Some(self.criteria_in_order[i]);
                            }
                            k += 1;
                            break;
                        }
                    }
                }
                self.value(&mut d, id, value, criterion);
            }
            self.ids(&mut d, "bonus item", r.bonus.iter().map(|(k, v)| (k, v.pos)), &self.bonus_ids);
            self.ids(&mut d, "penalty item", r.penalties.iter().map(|(k, v)| (k, v.pos)), &self.penalty_ids);
            self.ids(&mut d, "criterion", r.notes.iter().map(|(k, v)| (k, v.pos)), &self.criterion_ids);
            for (id, paths) in &r.evidence {
                if let Some(first) = paths.first() {
                    self.ids(&mut d, "criterion", [(id, first.pos)].into_iter(), &self.criterion_ids);
                }
                for path in paths {
                    self.evidence(&mut d, u, path);
                }
            }
            if r.is_report() && !self.trust.criteria_failed && !values_lost {
                self.missing_values(&mut d, period, r.pos, &present);
            }
        }
        d
    }

    fn ids<'a>(
        &self,
        d: &mut Vec<Diagnostic>,
        kind: &str,
        ids: impl Iterator<Item = (&'a String, Pos)>,
        known: &[&str],
    ) {
        for (id, pos) in ids {
            self.reference_at(d, kind, id, pos, known);
        }
    }

    fn target_override(&self, d: &mut Vec<Diagnostic>, id: &str, target: &Spanned<Decimal>) {
        let Some(criterion) = self.criteria.get(id) else {
            self.reference_at(d, "criterion", id, target.pos, &self.criterion_ids);
            return;
        };
        if criterion.target().is_none() {
            d.push(
                self.error(
                    "target-not-for-method",
                    target.pos,
                    format!(
                        "criterion `{id}` uses the `{}` method, which has no target",
                        criterion.method.name()
                    ),
                )
                .with_help("only proportional and inverse criteria take a target; remove this override"),
            );
        } else if target.value <= Decimal::ZERO {
            d.push(self.error(
                "invalid-value",
                target.pos,
                format!("a target must be greater than 0, found {}", target.value),
            ));
        }
    }

    /// A criterion value must suit its method (SPEC §4, §5).
    fn value(
        &self,
        d: &mut Vec<Diagnostic>,
        id: &str,
        value: &Spanned<Value>,
        criterion: Option<&Criterion>,
    ) {
        let Some(c) = criterion else {
            self.reference_at(d, "criterion", id, value.pos, &self.criterion_ids);
            return;
        };
        let pos = value.pos;
        match (&c.method, value.value) {
            (Method::PassFail, Value::Bool(_)) => {}
            (Method::PassFail, Value::Number(n)) => {
                let hint = if n == Decimal::ONE {
                    "true"
                } else if n.is_zero() {
                    "false"
                } else {
                    "true or false"
                };
                d.push(
                    self.error(
                        "wrong-type",
                        pos,
                        format!("`{id}` is a pass/fail criterion; expected true or false, found {n}"),
                    )
                    .with_help(format!("write {hint}")),
                );
            }
            (m, Value::Bool(b)) => d.push(
                self.error(
                    "wrong-type",
                    pos,
                    format!("`{id}` uses the `{}` method and needs a number, found {b}", m.name()),
                )
                .with_help("only pass_fail criteria take true/false"),
            ),
            (Method::Assessed, Value::Number(a)) if a.is_sign_negative() || a > c.max => d.push(
                self.error(
                    "value-out-of-range",
                    pos,
                    format!("`{id}` is assessed out of {}; {a} is outside 0..={}", c.max, c.max),
                )
                .with_help("an assessed value is the points awarded, between 0 and the criterion's max"),
            ),
            (Method::Bands { bands: Bands::Min(_) | Bands::Max(_) }, _) => {}
            (m, Value::Number(a)) if a.is_sign_negative() && !matches!(m, Method::Assessed) => {
                d.push(self.error(
                    "negative-value",
                    pos,
                    format!("`{id}` uses the `{}` method; its value cannot be negative, found {a}", m.name()),
                ))
            }
            _ => {}
        }
    }

    fn evidence(&self, d: &mut Vec<Diagnostic>, u: &Unit, path: &Spanned<String>) {
        let p = path.value.as_str();
        if p.starts_with("https://") || p.starts_with("http://") {
            return;
        }
        let Some(folder) = &u.folder else {
            d.push(
                self.error("evidence-needs-folder", path.pos, format!("`{p}` is not a URL, and a single-file unit has no folder for evidence files"))
                    .with_help(format!("move the unit to content/units/{}/index.md and put the file beside it, or give an http(s) URL", u.id)),
            );
            return;
        };
        let unsafe_path = p.is_empty()
            || p.starts_with('/')
            || p.contains('\\')
            || p.split('/').any(|s| s == ".." || s == ".");
        let full = format!("{folder}/{p}");
        if unsafe_path || self.c.assets.binary_search(&full).is_err() {
            let siblings: Vec<&str> = self
                .c
                .assets
                .iter()
                .filter_map(|a| a.strip_prefix(folder.as_str())?.strip_prefix('/'))
                .collect();
            let help = did_you_mean(p, siblings.iter().copied()).unwrap_or_else(|| {
                format!("evidence files are paths relative to {folder}/, or http(s) URLs")
            });
            d.push(
                self.error(
                    "missing-evidence",
                    path.pos,
                    format!("no evidence file `{p}` beside this unit's index.md"),
                )
                .with_help(help),
            );
        }
    }

    /// `present[i]`: the period gives a value for the `i`th criterion.
    fn missing_values(&self, d: &mut Vec<Diagnostic>, period: &str, pos: Pos, present: &[bool]) {
        let missing: Vec<&str> =
            self.criterion_ids.iter().zip(present).filter(|(_, p)| !**p).map(|(id, _)| *id).collect();
        if !missing.is_empty() {
            d.push(
                Diagnostic::warning(
                    "missing-value",
                    format!(
                        "results for `{period}` give no value for {}; missing criteria score 0",
                        quote_list(&missing)
                    ),
                )
                .at(self.files, pos)
                .with_help("add the missing values, in front matter or in content/results/<period>.csv"),
            );
        }
    }

    /// Parents must form a forest: report each cycle once, naming every unit on it.
    fn parent_cycles(&self, d: &mut Vec<Diagnostic>) {
        let units = &self.c.units;
        let parent_of: Vec<Option<usize>> = units
            .iter()
            .map(|u| {
                u.parent
                    .as_ref()
                    .and_then(|p| self.c.unit_index(&p.value))
                    .filter(|_| u.parent.as_ref().is_some_and(|p| p.value != u.id))
            })
            .collect();
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; units.len()];
        for start in 0..units.len() {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                match state[i] {
                    2 => break,
                    1 => {
                        let cycle_start = path.iter().position(|&x| x == i).unwrap_or(0);
                        self.report_cycle(d, &path[cycle_start..]);
                        break;
                    }
                    _ => {
                        state[i] = 1;
                        path.push(i);
                        at = parent_of[i];
                    }
                }
            }
            for i in path {
                state[i] = 2;
            }
        }
    }

    fn report_cycle(&self, d: &mut Vec<Diagnostic>, cycle: &[usize]) {
        let units = &self.c.units;
        let names: Vec<&str> = cycle.iter().map(|&i| units[i].id.as_str()).collect();
        let first = &units[cycle[0]];
        let Some(parent) = &first.parent else { return };
        let mut diag = self.error(
            "parent-cycle",
            parent.pos,
            format!("units' parents form a cycle: {} -> {}", names.join(" -> "), names[0]),
        );
        for &i in &cycle[1..] {
            if let Some(p) = &units[i].parent {
                diag =
                    diag.with_label(self.files, p.pos, format!("`{}` has parent `{}`", units[i].id, p.value));
            }
        }
        d.push(diag.with_help("remove one `parent` so the hierarchy has a top"));
    }

    fn documents(&self, d: &mut Vec<Diagnostic>) {
        let unit_ids: Vec<&str> = self.c.units.iter().map(|u| u.id.as_str()).collect();
        let unit_ref = |d: &mut Vec<Diagnostic>, id: &Spanned<String>| {
            if self.c.unit_index(&id.value).is_none() {
                self.reference(d, "unit", id, &unit_ids);
            }
        };
        for news in &self.c.news {
            news.units.iter().for_each(|u| unit_ref(d, u));
        }
        for a in &self.c.agreements {
            a.parties.iter().for_each(|u| unit_ref(d, u));
            let mut seen: Vec<&str> = Vec::new();
            for p in &a.parties {
                if seen.contains(&p.value.as_str()) {
                    d.push(self.error(
                        "duplicate-party",
                        p.pos,
                        format!("`{}` is listed twice among the parties", p.value),
                    ));
                }
                seen.push(&p.value);
            }
            if seen.len() < 2 {
                d.push(
                    Diagnostic::error("too-few-parties", "an agreement needs two or more distinct parties")
                        .at(self.files, a.parties.first().map_or(Pos::file_start(a.file), |p| p.pos))
                        .with_help("list the unit ids that sign it: parties: [unit-a, unit-b]"),
                );
            }
            if let Some(p) = &a.period {
                self.reference(d, "period", p, &self.period_ids);
            }
        }
        for page in &self.c.pages {
            if RESERVED_ROUTES.contains(&page.id.as_str()) {
                d.push(
                    Diagnostic::error(
                        "reserved-route",
                        format!(
                            "a page cannot be called `{}`: podium generates /{}/ itself",
                            page.id, page.id
                        ),
                    )
                    .in_file(self.c.file(page.file).path.clone())
                    .with_help(format!("rename the file, e.g. content/pages/{}-info.md", page.id)),
                );
            }
        }
    }
}

/// Ids of one kind must be unique, also ignoring letter case (their pages would collide).
fn unique<'a>(
    v: &Validator<'_>,
    d: &mut Vec<Diagnostic>,
    kind: &str,
    items: impl Iterator<Item = (&'a str, Pos)>,
) {
    let mut seen: HashMap<String, (&str, Pos)> = HashMap::new();
    for (id, pos) in items {
        match seen.get(&id.to_lowercase()) {
            Some((first, first_pos)) => {
                let message = if *first == id {
                    format!("the {kind} id `{id}` is used twice")
                } else {
                    format!("the {kind} ids `{first}` and `{id}` differ only in letter case")
                };
                d.push(
                    v.error("duplicate-id", pos, message)
                        .with_label(v.files, *first_pos, "first used here")
                        .with_help("ids must be unique, ignoring letter case, since each gets its own page"),
                );
            }
            None => {
                seen.insert(id.to_lowercase(), (id, pos));
            }
        }
    }
}

fn quote_list(ids: &[&str]) -> String {
    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn abbreviate(ids: &[&str]) -> String {
    if ids.len() <= 8 {
        ids.join(", ")
    } else {
        format!("{}, ... ({} in all)", ids[..8].join(", "), ids.len())
    }
}
