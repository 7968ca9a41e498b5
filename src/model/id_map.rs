//! `IdMap`: the small maps from ids to values a unit's results are made of.
//!
//! A 10,000-unit campaign holds 1.2 million criterion values in 40,000 such maps of about 30
//! entries. As `BTreeMap`s they took ~165 bytes per value (half-empty nodes, a heap string per
//! key): 200 MB of `check`'s 354 MB heap. A vector sorted by key holds the same entries in
//! ~70 bytes, iterates in the same order (byte order of the ids) and finds a key by binary search.

use std::cmp::Ordering;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Entries sorted by id, each id once.
#[derive(Clone, PartialEq, Eq)]
pub struct IdMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self { entries: Vec::new() }
    }
}

impl<V> IdMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| cmp_ids(k, key))
    }

    /// `find` for an insertion. Ids mostly arrive in order (criteria as the table lists them,
    /// CSV columns), so a key after the last one is tried first: one comparison instead of a
    /// search, for the ~3 million values merged at 10k units.
    fn find_slot(&self, key: &str) -> Result<usize, usize> {
        match self.entries.last() {
            Some((last, _)) if cmp_ids(last, key) == Ordering::Less => Err(self.entries.len()),
            _ => self.find(key),
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it replaces, like `BTreeMap::insert`.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find_slot(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Inserts `value` under `key` unless the id is there already, and then returns the value
    /// that is there (one search instead of a `get` and an `insert`).
    pub fn insert_absent(&mut self, key: &str, value: V) -> Option<&V> {
        match self.find_slot(key) {
            Ok(i) => Some(&self.entries[i].1),
            Err(i) => {
                self.entries.insert(i, (key.to_string(), value));
                None
            }
        }
    }

    /// Takes `key` out; returns its value, like `BTreeMap::remove`.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value of `key`, inserting `make()` first when there is none.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key.to_string(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Room for `additional` more entries without growing (merging a CSV row knows its size).
    pub fn reserve_exact(&mut self, additional: usize) {
        self.entries.reserve_exact(additional);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// The byte order of two ids, as `str::cmp` gives it. Most ids are a few bytes long (`A1`,
/// `q2`), and comparing those in place is several times cheaper than the `memcmp` call that
/// `str::cmp` makes: `check` compares ids some ten million times at 10k units.
#[inline]
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().min(b.len()) > 16 {
        return a.cmp(b);
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Like `BTreeMap`'s: for an id given twice, the last value is kept.
impl<V> FromIterator<(String, V)> for IdMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut entries: Vec<(String, V)> = iter.into_iter().collect();
        // Ids mostly arrive in order and once each (the criteria of a period as the table lists
        // them): then the vector is the map as it is.
        if entries.windows(2).all(|w| cmp_ids(&w[0].0, &w[1].0) == Ordering::Less) {
            return Self { entries };
        }
        // Stable, so equal ids stay in input order and the last one is the one kept below.
        entries.sort_by(|a, b| cmp_ids(&a.0, &b.0));
        // Ids are nearly always unique (the loaders drop repeats): then the sorted vector is it.
        if !entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return Self { entries };
        }
        let mut kept: Vec<(String, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        Self { entries: kept }
    }
}

impl<'a, V> IntoIterator for &'a IdMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a String, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// Like `BTreeMap`'s: panics when the id is absent, so only for ids known to be there.
impl<V> std::ops::Index<&str> for IdMap<V> {
    type Output = V;

    fn index(&self, key: &str) -> &V {
        self.get(key).expect("no entry for this id in the IdMap")
    }
}

impl<V: fmt::Debug> fmt::Debug for IdMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Serialize> Serialize for IdMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any sequence of inserts leaves the same entries, in the same order, as a `BTreeMap`,
        /// and every lookup agrees with it.
        #[test]
        fn behaves_like_a_btree_map(
            ops in proptest::collection::vec(("[a-e]{1,2}", any::<u8>()), 0..40),
            bulk in proptest::collection::vec(("[a-e]{1,2}", any::<u8>()), 0..40),
            probes in proptest::collection::vec("[a-f]{0,3}", 0..10),
        ) {
            let mut ours = IdMap::new();
            let mut theirs = BTreeMap::new();
            for (k, v) in &ops {
                // Every fourth operation on an id already there takes it out instead.
                if v % 4 == 0 && theirs.contains_key(k) {
                    prop_assert_eq!(ours.remove(k), theirs.remove(k));
                } else {
                    prop_assert_eq!(ours.insert(k.clone(), *v), theirs.insert(k.clone(), *v));
                }
            }
            prop_assert!(ours.iter().eq(theirs.iter()));
            prop_assert_eq!(ours.len(), theirs.len());
            for p in &probes {
                prop_assert_eq!(ours.get(p), theirs.get(p));
                prop_assert_eq!(ours.contains_key(p), theirs.contains_key(p));
            }
            let ours: IdMap<u8> = bulk.iter().cloned().collect();
            let theirs: BTreeMap<String, u8> = bulk.iter().cloned().collect();
            prop_assert!(ours.iter().eq(theirs.iter()));
            prop_assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        }
    }

    proptest! {
        /// `cmp_ids` is `str::cmp`, for short ids, long ones and shared prefixes.
        #[test]
        fn ids_compare_as_strings(a in "[a-c\\-é\\x00]{0,20}", b in "[a-c\\-é\\x00]{0,20}", prefix in "[a-z]{0,20}") {
            prop_assert_eq!(cmp_ids(&a, &b), a.cmp(&b));
            let (pa, pb) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            prop_assert_eq!(cmp_ids(&pa, &pb), pa.cmp(&pb));
            prop_assert_eq!(cmp_ids(&pa, &pa), Ordering::Equal);
        }
    }

    #[test]
    fn get_or_insert_with_keeps_order_and_existing_values() {
        let mut m = IdMap::new();
        *m.get_or_insert_with("b", || 1) += 10;
        *m.get_or_insert_with("a", || 2) += 10;
        *m.get_or_insert_with("b", || 100) += 1;
        assert_eq!(m.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), [("a", 12), ("b", 12)]);
        assert_eq!(m.insert_absent("b", 7), Some(&12));
        assert_eq!(m.insert_absent("c", 7), None);
        assert_eq!(
            m.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(),
            [("a", 12), ("b", 12), ("c", 7)]
        );
    }
}
