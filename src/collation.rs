//! Orders unit names the way a reader of the campaign language expects (SPEC §6).
//!
//! Owns the choice of collation (CLDR through ICU4X's compiled data) and the one sort that turns
//! names into display positions. It knows nothing of units or scores: it takes strings and gives
//! orderings, and it never fails: missing locale data falls back to the root collation, and
//! missing root data to code point order.

use std::cmp::Ordering;
use std::fmt;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use icu_locale_core::{Locale, locale};

use crate::model::Language;

/// Orders names in the campaign language (vi or en) using icu_collator (CLDR; Vietnamese:
/// a ă â b c d đ e ê ..., tones after base letters).
pub struct NameCollator {
    /// `None` only when even the root collation could not be loaded.
    collator: Option<CollatorBorrowed<'static>>,
}

impl NameCollator {
    /// A collator for `lang`; falls back to the root collation if the locale's data is missing.
    pub fn new(lang: Language) -> NameCollator {
        let locale: Locale = match lang {
            Language::Vi => locale!("vi"),
            Language::En => locale!("en"),
        };
        let collator = Collator::try_new((&locale).into(), CollatorOptions::default())
            .or_else(|_| Collator::try_new(CollatorPreferences::default(), CollatorOptions::default()))
            .ok();
        NameCollator { collator }
    }

    /// Compares two names; equal only when the collation cannot tell them apart.
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        match &self.collator {
            Some(collator) => collator.compare(a, b),
            None => a.cmp(b),
        }
    }
}

impl fmt::Debug for NameCollator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameCollator")
            .field("collation", &self.collator.as_ref().map_or("code points", |_| "icu"))
            .finish()
    }
}

/// Position of each name in collation order (ties by the original index), computed once:
/// O(n log n). `result[i]` is where `names[i]` stands.
pub fn name_order(collator: &NameCollator, names: &[&str]) -> Vec<u32> {
    let mut sorted: Vec<(usize, &str)> = names.iter().copied().enumerate().collect();
    // A stable sort keeps equal names in their original order, which is the documented tie rule.
    sorted.sort_by(|(_, a), (_, b)| collator.compare(a, b));
    let mut positions = vec![0; names.len()];
    for (position, (index, _)) in sorted.into_iter().enumerate() {
        if let Some(slot) = positions.get_mut(index) {
            *slot = u32::try_from(position).unwrap_or(u32::MAX);
        }
    }
    positions
}

/// `name_order` for `names` when only the `changed` ones (sorted indices) differ from the names
/// `previous` was computed for: those are taken out of the order and put back in their places,
/// with O(changed × log n) comparisons instead of a sort. Same result as `name_order`, since
/// the order is by name, then index, and the other names keep their order.
pub fn name_order_updated(
    collator: &NameCollator,
    names: &[&str],
    previous: &[u32],
    changed: &[usize],
) -> Vec<u32> {
    let n = names.len();
    let mut sorted: Vec<usize> = vec![usize::MAX; n];
    for (index, &position) in previous.iter().enumerate() {
        if let Some(slot) = sorted.get_mut(position as usize) {
            *slot = index;
        }
    }
    if previous.len() != n || sorted.contains(&usize::MAX) {
        return name_order(collator, names); // not a permutation: not an order of these names
    }
    sorted.retain(|i| changed.binary_search(i).is_err());
    let order = |a: usize, b: usize| collator.compare(names[a], names[b]).then(a.cmp(&b));
    for &i in changed.iter().filter(|&&i| i < n) {
        let at = sorted.partition_point(|&j| order(j, i).is_lt());
        sorted.insert(at, i);
    }
    let mut positions = vec![0; n];
    for (position, index) in sorted.into_iter().enumerate() {
        positions[index] = u32::try_from(position).unwrap_or(u32::MAX);
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(lang: Language, names: &[&'static str]) -> Vec<&'static str> {
        let collator = NameCollator::new(lang);
        let order = name_order(&collator, names);
        let mut by_position: Vec<(u32, &str)> = order.into_iter().zip(names.iter().copied()).collect();
        by_position.sort();
        by_position.into_iter().map(|(_, name)| name).collect()
    }

    #[test]
    fn vietnamese_letters_follow_the_vietnamese_alphabet() {
        let names = ["Hà Nội", "Đà Nẵng", "Dak Lak", "Cần Thơ", "Bình Dương", "An Giang"];
        assert_eq!(
            sorted(Language::Vi, &names),
            ["An Giang", "Bình Dương", "Cần Thơ", "Dak Lak", "Đà Nẵng", "Hà Nội"]
        );
    }

    #[test]
    fn breve_and_circumflex_come_after_the_plain_letter() {
        let collator = NameCollator::new(Language::Vi);
        assert_eq!(collator.compare("Ă", "A"), Ordering::Greater);
        assert_eq!(collator.compare("Â", "Ă"), Ordering::Greater);
        assert_eq!(collator.compare("B", "Â"), Ordering::Greater);
        assert_eq!(collator.compare("Ê", "E"), Ordering::Greater);
        assert_eq!(collator.compare("Ơ", "Ô"), Ordering::Greater);
        assert_eq!(collator.compare("Ư", "U"), Ordering::Greater);
    }

    #[test]
    fn vietnamese_letters_outrank_tones() {
        // "ăn" vs "àn": the letter ă sorts after a whatever the tone, so "àn" < "ăn".
        let collator = NameCollator::new(Language::Vi);
        assert_eq!(collator.compare("àn", "ăn"), Ordering::Less);
        assert_eq!(collator.compare("an", "àn"), Ordering::Less);
        assert_eq!(collator.compare("dz", "đa"), Ordering::Less);
    }

    #[test]
    fn english_ignores_case_and_accents_at_first() {
        assert_eq!(sorted(Language::En, &["beta", "Alpha", "álpha2"]), ["Alpha", "álpha2", "beta"]);
    }

    #[test]
    fn equal_names_keep_their_original_order() {
        let collator = NameCollator::new(Language::Vi);
        assert_eq!(name_order(&collator, &["B", "A", "B", "A"]), [2, 0, 3, 1]);
        assert!(name_order(&collator, &[]).is_empty());
    }
}
