//! Test helpers: terse constructors for decimals, values and small corpora.
//!
//! Test-only; panics on a typo in a test (an unknown unit id) are wanted here.

use rust_decimal::Decimal;

use crate::model::{
    Award, AwardScope, Cluster, Corpus, Criterion, FileId, Group, Indicator, IndicatorKind, Item, ItemTable,
    Language, Method, Period, PeriodResults, Pos, Registration, Spanned, Tier, Unit, Value,
};

pub(crate) fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .unwrap_or_else(|_| panic!("bad decimal in test: {text}"))
}

pub(crate) fn n(text: &str) -> Value {
    Value::Number(d(text))
}

pub(crate) fn pos() -> Pos {
    Pos::file_start(FileId(0))
}

pub(crate) fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(value, pos())
}

pub(crate) fn tier(id: &str, min_score: &str) -> Tier {
    Tier { id: id.into(), title: id.into(), min_score: d(min_score), description: None, pos: pos() }
}

pub(crate) fn item(id: &str, points: &str, max: Option<&str>) -> Item {
    Item { id: id.into(), title: None, points: d(points), max: max.map(d), description: None, pos: pos() }
}

/// An overall award with no condition but the default `requires_registration: false` for
/// brevity (tests that need it set it).
pub(crate) fn award(id: &str) -> Award {
    Award {
        id: id.into(),
        title: id.into(),
        scope: AwardScope::Overall,
        period: None,
        min_score: None,
        min_tier: None,
        top: None,
        quota: None,
        requires_registration: false,
        requires_seeking: false,
        description: None,
        pos: pos(),
    }
}

pub(crate) fn unit(id: &str, name: &str) -> Unit {
    Unit {
        id: id.into(),
        file: FileId(0),
        folder: None,
        name: name.into(),
        short_name: None,
        cluster: None,
        parent: None,
        headcount: None,
        registration: None,
        metrics: Default::default(),
        results: Default::default(),
        body: String::new(),
        pos: pos(),
    }
}

/// Builds a corpus: one criteria group, precision 2, English unless told.
pub(crate) struct Kit {
    corpus: Corpus,
}

impl Kit {
    pub(crate) fn new(periods: &[&str]) -> Kit {
        let mut corpus = Corpus::default();
        corpus.campaign.precision = 2;
        corpus.campaign.periods = periods
            .iter()
            .map(|id| Period {
                id: (*id).into(),
                title: (*id).into(),
                start: None,
                end: None,
                description: None,
                pos: pos(),
            })
            .collect();
        corpus.criteria.groups.push(Group {
            id: "G".into(),
            title: "G".into(),
            description: None,
            criteria: Vec::new(),
            pos: pos(),
        });
        Kit { corpus }
    }

    pub(crate) fn precision(mut self, precision: u32) -> Kit {
        self.corpus.campaign.precision = precision;
        self
    }

    pub(crate) fn language(mut self, language: Language) -> Kit {
        self.corpus.campaign.language = language;
        self
    }

    pub(crate) fn criterion(mut self, id: &str, max: &str, method: Method) -> Kit {
        let criterion = Criterion {
            id: id.into(),
            title: id.into(),
            max: d(max),
            method,
            unit: None,
            description: None,
            pos: pos(),
        };
        if let Some(group) = self.corpus.criteria.groups.last_mut() {
            group.criteria.push(criterion);
        }
        self
    }

    pub(crate) fn assessed(self, id: &str, max: &str) -> Kit {
        self.criterion(id, max, Method::Assessed)
    }

    pub(crate) fn tie_break(mut self, ids: &[&str]) -> Kit {
        self.corpus.campaign.tie_break = ids.iter().map(|id| sp((*id).to_string())).collect();
        self
    }

    pub(crate) fn current_period(mut self, id: &str) -> Kit {
        self.corpus.campaign.site.current_period = Some(sp(id.into()));
        self
    }

    pub(crate) fn cluster(mut self, id: &str) -> Kit {
        let cluster = Cluster { id: id.into(), title: id.into(), description: None, pos: pos() };
        self.corpus.campaign.clusters.push(cluster);
        self
    }

    pub(crate) fn tier(mut self, id: &str, min_score: &str) -> Kit {
        self.corpus.campaign.tiers.push(tier(id, min_score));
        self
    }

    pub(crate) fn bonus(mut self, max: Option<&str>, items: Vec<Item>) -> Kit {
        self.corpus.criteria.bonus = Some(ItemTable { max: max.map(d), items });
        self
    }

    pub(crate) fn penalties(mut self, max: Option<&str>, items: Vec<Item>) -> Kit {
        self.corpus.criteria.penalties = Some(ItemTable { max: max.map(d), items });
        self
    }

    pub(crate) fn indicator(mut self, id: &str, kind: IndicatorKind, target: &str, lower: bool) -> Kit {
        self.corpus.campaign.indicators.push(Indicator {
            id: id.into(),
            title: id.into(),
            target: d(target),
            kind,
            lower_is_better: lower,
            unit: None,
            description: None,
            pos: pos(),
        });
        self
    }

    pub(crate) fn award(mut self, award: Award) -> Kit {
        self.corpus.campaign.awards.push(award);
        self
    }

    pub(crate) fn unit(mut self, id: &str, name: &str) -> Kit {
        self.corpus.units.push(std::sync::Arc::new(unit(id, name)));
        self
    }

    /// Changes the unit `id` in place.
    pub(crate) fn with(mut self, id: &str, change: impl FnOnce(&mut Unit)) -> Kit {
        let found = self.corpus.units.iter_mut().find(|u| u.id == id);
        change(std::sync::Arc::make_mut(found.unwrap_or_else(|| panic!("no unit {id} in test corpus"))));
        self
    }

    /// Gives the unit `id` its values for `period` (`"true"`/`"false"` are booleans).
    pub(crate) fn report(self, id: &str, period: &str, values: &[(&str, &str)]) -> Kit {
        self.with(id, |unit| {
            let results = period_results(unit, period);
            for (criterion, text) in values {
                let value = match *text {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    number => n(number),
                };
                results.values.insert((*criterion).into(), sp(value));
            }
        })
    }

    pub(crate) fn in_cluster(self, id: &str, cluster: &str) -> Kit {
        self.with(id, |unit| unit.cluster = Some(sp(cluster.into())))
    }

    pub(crate) fn registered(self, id: &str, seeks: &[&str]) -> Kit {
        self.with(id, |unit| {
            let registration = unit.registration.get_or_insert_with(Registration::default);
            registration.seeks.extend(seeks.iter().map(|s| sp((*s).to_string())));
        })
    }

    pub(crate) fn build(mut self) -> Corpus {
        self.corpus.units.sort_by(|a, b| a.id.cmp(&b.id));
        self.corpus
    }
}

/// The unit's results for `period`, created empty when absent.
pub(crate) fn period_results<'a>(unit: &'a mut Unit, period: &str) -> &'a mut PeriodResults {
    unit.results.get_or_insert_with(period, PeriodResults::default)
}
