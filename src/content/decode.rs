//! Typed reading of YAML nodes, collecting every problem instead of stopping at the first.
//!
//! `Fields` reads a mapping against a list of known field names (an unknown one is an error
//! with the nearest known name as help, as `deny_unknown_fields` would give, but without stopping);
//! the scalar readers turn nodes into strings, ids, exact decimals, booleans and dates, each
//! pushing a diagnostic at the node's place when the value is not what the field needs.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::yaml::{Tree, TreeKind, plain_bool};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::{Date, Pos, Spanned};

/// Largest magnitude accepted for a number in content: leaves room for exact products.
const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0); // 10^18
/// Most decimals accepted for a number in content.
const MAX_SCALE: u32 = 10;

/// Where decoded problems go: the file's display path and the list being filled.
pub struct Ctx<'a> {
    pub path: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn error(&mut self, code: &'static str, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::error(code, message), pos)
    }

    pub fn warning(&mut self, code: &'static str, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::warning(code, message), pos)
    }

    fn push(&mut self, d: Diagnostic, pos: Pos) -> &mut Diagnostic {
        let d = if pos.has_place() {
            d.at_place(self.path, pos.line, pos.col, pos.len)
        } else {
            d.in_file(self.path)
        };
        self.diags.push(d);
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }
}

/// Sets the help text of the diagnostic just pushed.
pub trait Help {
    fn help(&mut self, help: impl Into<String>);
    fn help_opt(&mut self, help: Option<String>);
}

impl Help for Diagnostic {
    fn help(&mut self, help: impl Into<String>) {
        self.help = Some(help.into());
    }

    fn help_opt(&mut self, help: Option<String>) {
        if help.is_some() {
            self.help = help;
        }
    }
}

/// The fields of one mapping, checked against the names the object knows.
pub struct Fields<'n> {
    entries: Vec<(&'n str, &'n Tree<'n>, &'n Tree<'n>)>,
    pub pos: Pos,
}

impl<'n> Fields<'n> {
    /// Reads `node` as a mapping of `what` (e.g. "a period"). Unknown and duplicate keys are
    /// reported here; `None` (with an error) when the node is not a mapping.
    pub fn new(ctx: &mut Ctx<'_>, node: &'n Tree<'n>, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let entries = map_entries(ctx, node, what)?;
        let mut kept = Vec::with_capacity(entries.len());
        for (key, knode, value) in entries {
            if known.contains(&key) {
                kept.push((key, knode, value));
            } else {
                let help = did_you_mean(key, known.iter().copied())
                    .unwrap_or_else(|| format!("known fields of {what}: {}", known.join(", ")));
                ctx.error("unknown-field", knode.pos, format!("unknown field `{key}` in {what}")).help(help);
            }
        }
        Some(Fields { entries: kept, pos: node.pos })
    }

    /// The value of an optional field; a null value counts as absent.
    pub fn get(&self, key: &str) -> Option<&'n Tree<'n>> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|(_, _, v)| *v).filter(|v| !v.is_null())
    }

    /// The key node of a field, when present (to point at the field itself).
    pub fn key_node(&self, key: &str) -> Option<&'n Tree<'n>> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|(_, k, _)| *k)
    }

    /// The value of a required field, or an error at the mapping that lacks it.
    pub fn required(&self, ctx: &mut Ctx<'_>, key: &str, what: &str) -> Option<&'n Tree<'n>> {
        let value = self.get(key);
        if value.is_none() {
            let pos = self.key_node(key).map_or(self.pos, |k| k.pos);
            ctx.error("missing-field", pos, format!("{what} needs a `{key}`"))
                .help(format!("add `{key}: ...`"));
        }
        value
    }

    /// Names of the fields present (with non-null values).
    pub fn present(&self) -> impl Iterator<Item = (&'n str, &'n Tree<'n>)> + '_ {
        self.entries.iter().filter(|(_, _, v)| !v.is_null()).map(|(k, kn, _)| (*k, *kn))
    }

    pub fn string(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<String> {
        self.get(key).and_then(|n| string(ctx, n))
    }

    pub fn decimal(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<Decimal> {
        self.get(key).and_then(|n| decimal(ctx, n))
    }

    pub fn bool(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<bool> {
        self.get(key).and_then(|n| boolean(ctx, n))
    }

    pub fn date(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<Date> {
        self.get(key).and_then(|n| date(ctx, n))
    }
}

/// The entries of a mapping as (key text, key node, value node); duplicate keys are errors.
pub fn map_entries<'n>(
    ctx: &mut Ctx<'_>,
    node: &'n Tree<'n>,
    what: &str,
) -> Option<Vec<(&'n str, &'n Tree<'n>, &'n Tree<'n>)>> {
    let TreeKind::Map(entries) = &node.kind else {
        ctx.error(
            "wrong-type",
            node.pos,
            format!("{what} must be a mapping (`key: value` lines), found {}", node.describe()),
        );
        return None;
    };
    let mut out: Vec<(&str, &Tree<'_>, &Tree<'_>)> = Vec::with_capacity(entries.len());
    let earlier = earlier_keys(entries);
    for ((key, value), earlier) in entries.iter().zip(earlier) {
        let TreeKind::Scalar { text, .. } = &key.kind else {
            ctx.error(
                "wrong-type",
                key.pos,
                format!("a key in {what} must be a plain name, found {}", key.describe()),
            );
            continue;
        };
        if let Some(first) = earlier {
            let first_line = entries[first].0.pos.line;
            ctx.error("duplicate-key", key.pos, format!("`{text}` is given twice in {what}"))
                .help(format!("it is already given on line {first_line}; keep one"));
            continue;
        }
        out.push((text.as_ref(), key, value));
    }
    Some(out)
}

/// For each entry, the first earlier entry with the same (scalar) key, if any. Mappings of up
/// to `SMALL_MAP` entries (nearly every mapping in content) look keys up in a small table on the
/// stack, one probe per key: comparing each key with every earlier one was quadratic, and a
/// period's results of 30-odd values took more comparisons than the rest of its decoding.
/// Larger mappings sort, so the work stays O(n log n) in a mapping's size.
fn earlier_keys(entries: &[(Tree<'_>, Tree<'_>)]) -> Vec<Option<usize>> {
    let key = |i: usize| match &entries[i].0.kind {
        TreeKind::Scalar { text, .. } => Some(text.as_ref()),
        _ => None,
    };
    let mut earlier = vec![None; entries.len()];
    if entries.len() <= SMALL_MAP {
        // Open addressing: a slot holds 1 + the index of the first entry with its key.
        let mut slots = [0u8; 2 * SMALL_MAP];
        for (i, first) in earlier.iter_mut().enumerate() {
            let Some(k) = key(i) else { continue };
            let mut slot = (fingerprint(k).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
            loop {
                match slots[slot] {
                    0 => {
                        slots[slot] = (i + 1) as u8;
                        break;
                    }
                    taken if key(taken as usize - 1) == Some(k) => {
                        *first = Some(taken as usize - 1);
                        break;
                    }
                    _ => slot = (slot + 1) % slots.len(),
                }
            }
        }
        return earlier;
    }
    let mut order: Vec<usize> = (0..entries.len()).filter(|&i| key(i).is_some()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
    for pair in order.windows(2) {
        if key(pair[0]) == key(pair[1]) {
            earlier[pair[1]] = Some(earlier[pair[0]].unwrap_or(pair[0]));
        }
    }
    earlier
}

/// Largest mapping whose keys `earlier_keys` looks up in a table; its 256 slots (twice as many,
/// so the table is at most half full; one per value of a hash's top byte) hold an entry's
/// index + 1 in a byte.
const SMALL_MAP: usize = 128;

/// A key's length and first bytes: equal keys have equal fingerprints, and most different
/// keys do not.
fn fingerprint(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let mut print = [0u8; 8];
    let n = bytes.len().min(7);
    print[..n].copy_from_slice(&bytes[..n]);
    print[7] = bytes.len() as u8;
    u64::from_le_bytes(print)
}

/// A list, or an error.
pub fn list<'n>(ctx: &mut Ctx<'_>, node: &'n Tree<'n>, what: &str) -> Option<&'n [Tree<'n>]> {
    match &node.kind {
        TreeKind::Seq(items) => Some(items),
        _ => {
            ctx.error("wrong-type", node.pos, format!("{what} must be a list, found {}", node.describe()))
                .help("write a list as `[a, b]` or as lines starting with `- `");
            None
        }
    }
}

/// Any scalar as text (a plain `2016` or `true` is kept as written).
pub fn string(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<String> {
    match &node.kind {
        TreeKind::Scalar { text, .. } if !node.is_null() => Some(text.to_string()),
        _ => {
            ctx.error("wrong-type", node.pos, format!("expected text, found {}", node.describe()));
            None
        }
    }
}

pub fn spanned_string(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Spanned<String>> {
    string(ctx, node).map(|s| Spanned::new(s, node.pos))
}

/// An id of a period, cluster, criterion, etc.: `^[A-Za-z0-9][A-Za-z0-9._-]*$`.
pub fn id(ctx: &mut Ctx<'_>, node: &Tree<'_>, kind: &str) -> Option<String> {
    let text = string(ctx, node)?;
    if is_key_id(&text) {
        Some(text)
    } else {
        ctx.error("invalid-id", node.pos, format!("`{text}` is not a valid {kind} id"))
            .help("ids start with a letter or digit and hold only letters, digits, `.`, `_` and `-`");
        None
    }
}

/// Whether `text` matches `^[A-Za-z0-9][A-Za-z0-9._-]*$`.
pub fn is_key_id(text: &str) -> bool {
    // Bytes, not chars: every allowed character is ASCII, and no byte of another character is.
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `text` matches `^[a-z0-9]+(-[a-z0-9]+)*$` (unit, news, agreement and page ids).
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// An exact decimal from a plain scalar's text.
pub fn decimal(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Decimal> {
    match &node.kind {
        TreeKind::Scalar { text, plain: true } if !node.is_null() => match parse_decimal(text) {
            Ok(d) => Some(d),
            Err(problem) => {
                let d = ctx.error(problem.code(), node.pos, problem.message(text));
                d.help_opt(problem.help());
                None
            }
        },
        TreeKind::Scalar { text, plain: false } if parse_decimal(text).is_ok() => {
            ctx.error("wrong-type", node.pos, format!("expected a number, found the quoted text \"{text}\""))
                .help(format!("write the number without quotes: {text}"));
            None
        }
        _ => {
            ctx.error("wrong-type", node.pos, format!("expected a number, found {}", node.describe()));
            None
        }
    }
}

pub fn spanned_decimal(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Spanned<Decimal>> {
    decimal(ctx, node).map(|d| Spanned::new(d, node.pos))
}

/// Why a number's text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    NotANumber,
    OutOfRange,
    TooPrecise,
}

impl NumberProblem {
    pub fn code(self) -> &'static str {
        match self {
            NumberProblem::NotANumber => "wrong-type",
            NumberProblem::OutOfRange | NumberProblem::TooPrecise => "number-out-of-range",
        }
    }

    pub fn message(self, text: &str) -> String {
        match self {
            NumberProblem::NotANumber => format!("expected a number, found \"{text}\""),
            NumberProblem::OutOfRange => format!("the number {text} is too large (at most 10^18)"),
            NumberProblem::TooPrecise => format!("the number {text} has more than {MAX_SCALE} decimals"),
        }
    }

    pub fn help(self) -> Option<String> {
        match self {
            NumberProblem::NotANumber => Some("numbers are written like 12, 52.3 or -0.5".into()),
            _ => None,
        }
    }
}

/// Parses a decimal number as written: `[-+]digits[.digits][e[-+]digits]`, exact.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberProblem> {
    if let Some(d) = simple_decimal(text) {
        return Ok(d);
    }
    let t = text.strip_prefix('+').unwrap_or(text);
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && digits(frac)
        && !(int.is_empty() && frac.is_empty())
        && !(mantissa.ends_with('.') && frac.is_empty() && int.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.len() <= 3 && digits(e)
    });
    if !mantissa_ok || !exponent_ok {
        return Err(NumberProblem::NotANumber);
    }
    let value = match exponent {
        None => Decimal::from_str_exact(t).or_else(|_| Decimal::from_str(t)),
        Some(_) => Decimal::from_scientific(t),
    }
    .map_err(|_| NumberProblem::OutOfRange)?;
    if value.abs() > MAX_MAGNITUDE {
        return Err(NumberProblem::OutOfRange);
    }
    let value = value.normalize();
    if value.scale() > MAX_SCALE {
        return Err(NumberProblem::TooPrecise);
    }
    Ok(value)
}

/// `-?digits[.digits]` with at most 18 digits before the point and 10 after, which the
/// general path below would accept as the same exact value; `None` for anything else. Most
/// numbers in content look like this, and building them directly skips the general parser.
pub(super) fn simple_decimal(text: &str) -> Option<Decimal> {
    // One pass over the bytes, and the trailing zeros dropped here rather than by
    // `Decimal::normalize`: there are a million such numbers at 10k units, and the searches
    // for `-` and `.` plus `normalize` were most of their cost.
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let (mut mantissa, mut int_len, mut frac_len, mut point) = (0u64, 0u32, 0u32, false);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                if point { frac_len += 1 } else { int_len += 1 }
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if int_len == 0 || int_len > 18 || frac_len > 10 || (point && frac_len == 0) {
        return None;
    }
    let mut scale = frac_len;
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let negative = negative && mantissa != 0;
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, negative, scale))
}

/// A non-negative whole number that fits in `u32`.
pub fn count(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<u32> {
    let d = decimal(ctx, node)?;
    if d.is_sign_negative() || !d.fract().is_zero() || d > Decimal::from(u32::MAX) {
        ctx.error("wrong-type", node.pos, format!("expected a whole number 0 or more, found {d}"));
        return None;
    }
    u32::try_from(d.trunc().mantissa()).ok()
}

/// A YAML 1.2 boolean; `yes`, `no`, `1` and quoted booleans are errors with a hint.
pub fn boolean(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<bool> {
    if let TreeKind::Scalar { text, plain } = &node.kind {
        if *plain && let Some(b) = plain_bool(text) {
            return Some(b);
        }
        let hint = match text.to_lowercase().as_str() {
            "yes" | "y" | "on" | "1" | "true" | "có" | "đạt" => Some("true"),
            "no" | "n" | "off" | "0" | "false" | "không" => Some("false"),
            _ => None,
        };
        if let Some(hint) = hint {
            ctx.error("wrong-type", node.pos, format!("expected true or false, found \"{text}\""))
                .help(format!("write {hint} (YAML 1.2 reads `{text}` as text, not a boolean)"));
            return None;
        }
    }
    ctx.error("wrong-type", node.pos, format!("expected true or false, found {}", node.describe()));
    None
}

/// A `YYYY-MM-DD` date.
pub fn date(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Date> {
    if let TreeKind::Scalar { text, .. } = &node.kind
        && let Some(d) = Date::parse(text.trim())
    {
        return Some(d);
    }
    let found = match &node.kind {
        TreeKind::Scalar { text, .. } => format!("\"{text}\""),
        _ => node.describe().to_string(),
    };
    ctx.error("invalid-date", node.pos, format!("expected a date YYYY-MM-DD, found {found}"))
        .help("write dates like 2016-06-30");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_and_bounded() {
        assert_eq!(parse_decimal("52.3").unwrap().to_string(), "52.3");
        assert_eq!(parse_decimal("1.10").unwrap().to_string(), "1.1");
        assert_eq!(parse_decimal("-0.5").unwrap().to_string(), "-0.5");
        assert_eq!(parse_decimal(".5").unwrap().to_string(), "0.5");
        assert_eq!(parse_decimal("1e3").unwrap().to_string(), "1000");
        assert_eq!(parse_decimal("1.5E-2").unwrap().to_string(), "0.015");
        assert_eq!(parse_decimal("1_000"), Err(NumberProblem::NotANumber));
        assert_eq!(parse_decimal("0x1F"), Err(NumberProblem::NotANumber));
        assert_eq!(parse_decimal(".inf"), Err(NumberProblem::NotANumber));
        assert_eq!(parse_decimal("1e999"), Err(NumberProblem::OutOfRange));
        assert_eq!(parse_decimal("1e30"), Err(NumberProblem::OutOfRange));
        assert_eq!(parse_decimal("99999999999999999999999999999999"), Err(NumberProblem::OutOfRange));
        assert_eq!(parse_decimal("0.12345678901"), Err(NumberProblem::TooPrecise));
        assert_eq!(parse_decimal("."), Err(NumberProblem::NotANumber));
        assert_eq!(parse_decimal(""), Err(NumberProblem::NotANumber));
    }

    #[test]
    fn simple_decimals_are_the_general_parsers_values() {
        let general = |t: &str| {
            let v = Decimal::from_str_exact(t).or_else(|_| Decimal::from_str(t)).unwrap().normalize();
            (v, v.scale(), v.is_sign_negative(), v.to_string())
        };
        let cases = [
            "0",
            "-0",
            "-0.0",
            "0.000",
            "7",
            "52.3",
            "52.30",
            "-0.5",
            "100",
            "1000000",
            "999999999999999999",
            "-999999999.9999999999",
            "0.0000000001",
            "12.0000000000",
            "007.50",
            "1.10",
        ];
        for t in cases {
            let fast = simple_decimal(t).unwrap();
            assert_eq!((fast, fast.scale(), fast.is_sign_negative(), fast.to_string()), general(t), "{t}");
        }
        for t in
            ["", "-", ".5", "5.", "1e3", "+1", "1_0", "1.2.3", "0x1", "1234567890123456789", "0.12345678901"]
        {
            assert_eq!(simple_decimal(t), None, "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn simple_decimals_agree_with_the_general_path(int in "-?[0-9]{1,19}", frac in "(\\.[0-9]{0,12})?") {
            let text = format!("{int}{frac}");
            if let Some(fast) = simple_decimal(&text) {
                let t = text.as_str();
                let v = Decimal::from_str_exact(t).or_else(|_| Decimal::from_str(t)).unwrap().normalize();
                proptest::prop_assert_eq!((fast, fast.scale(), fast.is_sign_negative()), (v, v.scale(), v.is_sign_negative()));
            }
        }
    }

    #[test]
    fn repeated_keys_point_at_the_first() {
        let node = |text: &str| Tree::<'static> {
            kind: TreeKind::Scalar { text: text.to_string().into(), plain: true },
            pos: Pos { line: 1, ..Pos::default() },
        };
        for n in [5usize, 200] {
            let mut entries: Vec<(Tree<'_>, Tree<'_>)> =
                (0..n).map(|i| (node(&format!("k{i}")), node("v"))).collect();
            entries.push((node("k1"), node("v")));
            entries.push((node("k3"), node("v")));
            entries.push((node("k1"), node("v")));
            let earlier = earlier_keys(&entries);
            assert_eq!(&earlier[n..], &[Some(1), Some(3), Some(1)]);
            assert!(earlier[..n].iter().all(Option::is_none));
        }
    }

    proptest::proptest! {
        /// The table and the sort find, for every key, the first entry with the same key.
        #[test]
        fn earlier_keys_are_the_first_equal_keys(keys in proptest::collection::vec("[ab]{0,2}|k[0-9]{1,3}|é", 0..300)) {
            let node = |text: &str| Tree::<'static> {
                kind: TreeKind::Scalar { text: text.to_string().into(), plain: true },
                pos: Pos::default(),
            };
            // A mapping key that is not a scalar has no key text and is never repeated.
            let entries: Vec<(Tree<'_>, Tree<'_>)> = keys
                .iter()
                .map(|k| if k == "é" { (Tree { kind: TreeKind::Seq(Vec::new()), pos: Pos::default() }, node("v")) } else { (node(k), node("v")) })
                .collect();
            let scalar = |i: usize| (keys[i] != "é").then_some(keys[i].as_str());
            let expected: Vec<Option<usize>> = (0..keys.len())
                .map(|i| scalar(i).and_then(|k| (0..i).find(|&j| scalar(j) == Some(k))))
                .collect();
            proptest::prop_assert_eq!(earlier_keys(&entries), expected);
        }
    }

    #[test]
    fn slugs_and_ids() {
        assert!(is_slug("cuc-hq-ha-noi"));
        assert!(!is_slug("Cuc-HQ"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(is_key_id("1.10"));
        assert!(is_key_id("A3"));
        assert!(!is_key_id(".A"));
        assert!(!is_key_id("A 3"));
    }

    #[test]
    fn max_magnitude_is_ten_to_the_eighteenth() {
        assert_eq!(MAX_MAGNITUDE, Decimal::from(1_000_000_000_000_000_000u64));
    }
}
