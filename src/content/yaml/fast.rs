//! A fast reader for the plain YAML that front matter nearly always is: block mappings of
//! `key: value` lines, block sequences of `- value` lines, one-line flow collections
//! (`{a: 1}`, `[x, y]`), plain and one-line quoted scalars, comments.
//!
//! It gives exactly the tree the full parser gives, or `None` ("not sure: ask the full
//! parser"), never an error: anything outside the subset (anchors, tags, block scalars,
//! multi-line scalars, escapes, tabs, CR, control characters, odd indentation, anything the
//! full parser might refuse) falls back, so every diagnostic still comes from the full parser.
//! The full parser's per-file set-up and event machinery cost more than the whole of this
//! reader on a unit's front matter (docs/performance.md). Its tests compare both readers.

use std::borrow::Cow;

use super::{MAX_DEPTH, MAX_NODES, Origin, Tree, TreeKind, char_count};
use crate::model::Pos;

/// Reads `text` if it lies in the subset; `None` sends it to the full parser.
pub(super) fn parse(text: &str, origin: Origin) -> Option<Tree<'_>> {
    let lines = lines(text)?;
    if lines.is_empty() {
        return None; // an empty document: rare, and the full parser says what it is
    }
    let mut reader =
        Reader { lines, at: 0, origin, nodes: 0, depth: 0, entries: Vec::new(), items: Vec::new() };
    let indent = reader.lines[0].indent;
    if reader.lines[0].is_seq_item() {
        return None;
    }
    let root = reader.map(indent)?;
    (reader.at == reader.lines.len()).then_some(root)
}

/// A line holding something other than a comment.
#[derive(Clone, Copy)]
struct Line<'a> {
    /// 1-based.
    number: u32,
    /// Leading spaces.
    indent: usize,
    /// The whole line, without its `\n`.
    text: &'a str,
    /// Printable ASCII only: columns are byte offsets.
    ascii: bool,
}

impl Line<'_> {
    fn rest(&self) -> &str {
        &self.text[self.indent..]
    }

    fn is_seq_item(&self) -> bool {
        let rest = self.rest();
        rest == "-" || rest.starts_with("- ")
    }
}

/// The lines with content, or `None` when some character or line needs the full parser.
/// One pass over the bytes finds each line's end and whether it is printable ASCII (most
/// lines of front matter are): splitting with `str::split` and then checking each line cost
/// several hundred instructions per line, a tenth of `check`.
fn lines(text: &str) -> Option<Vec<Line<'_>>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut index) = (0, 0);
    // As `split('\n')`: a piece after the last `\n` too, empty when the text ends with one.
    while start <= bytes.len() {
        let (end, printable_ascii) = line_end(bytes, start);
        let text = &text[start..end];
        (start, index) = (end + 1, index + 1);
        if !printable_ascii && !text.chars().all(plain_char) {
            return None;
        }
        if text.starts_with("---") || text.starts_with("...") || text.starts_with('%') {
            return None; // document markers and directives
        }
        let indent = text.len() - text.trim_start_matches(' ').len();
        let rest = &text[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        out.push(Line { number: u32::try_from(index).ok()?, indent, text, ascii: printable_ascii });
    }
    Some(out)
}

/// Where the line starting at byte `start` ends (its `\n`, or the text's end), and whether it
/// is printable ASCII. Eight bytes are checked at a time while they are all printable ASCII,
/// as most of a line of front matter is; the rest of the line is checked byte by byte.
fn line_end(bytes: &[u8], start: usize) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut end = start;
    while let Some(chunk) = bytes.get(end..end + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // A byte below 0x20 (which `\n` is), and a byte of 0x7F or more: the classic tests for
        // "some byte less than n" and "some byte more than n" on eight bytes at once.
        let below = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        let above = (word.wrapping_add(ONES) | word) & HIGH;
        if below | above != 0 {
            break;
        }
        end += 8;
    }
    let mut printable_ascii = true;
    while let Some(&b) = bytes.get(end) {
        if b == b'\n' {
            break;
        }
        printable_ascii &= (0x20..0x7F).contains(&b);
        end += 1;
    }
    (end, printable_ascii)
}

/// Characters the subset takes as they are: printable, and no tab, CR or line separators.
fn plain_char(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD)
        || c as u32 >= 0x10000
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
    origin: Origin,
    nodes: usize,
    depth: usize,
    /// The entries of the mappings being read, innermost last: a mapping's entries are
    /// gathered here and moved into a vector of their exact size when it ends, instead of
    /// growing a vector of its own (doubling and copying a 30-entry mapping three times).
    entries: Vec<(Tree<'a>, Tree<'a>)>,
    /// The same for the items of the sequences being read.
    items: Vec<Tree<'a>>,
}

/// Characters that may not start a plain scalar here (or that we leave to the full parser).
/// A `match` rather than a search of a list: `<[u8]>::contains` calls `memchr`, which cost
/// more than the rest of reading a short scalar.
fn not_plain_start(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

impl<'a> Reader<'a> {
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < MAX_DEPTH / 2).then_some(())
    }

    /// Where a collection starts: the full parser gives collections a width of 1.
    fn place(&self, line: &Line<'a>, start: usize) -> Pos {
        let col = if line.ascii { start } else { char_count(&line.text[..start]) };
        Pos {
            file: self.origin.file,
            line: line.number + self.origin.line_offset,
            col: col as u32 + 1,
            len: 1,
        }
    }

    /// A place on line `line` from byte `start` to byte `end` of its text.
    fn pos(&self, line: &Line<'a>, start: usize, end: usize) -> Pos {
        let (col, len) = if line.ascii {
            (start, (end - start).max(1))
        } else {
            (char_count(&line.text[..start]), char_count(&line.text[start..end]).max(1))
        };
        Pos {
            file: self.origin.file,
            line: line.number + self.origin.line_offset,
            col: col as u32 + 1,
            len: len as u32,
        }
    }

    /// A block mapping whose keys sit at `indent` spaces.
    fn map(&mut self, indent: usize) -> Option<Tree<'a>> {
        self.enter()?;
        self.count()?;
        let first = self.lines[self.at];
        let pos = self.place(&first, indent);
        let base = self.entries.len();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || line.is_seq_item() {
                return None;
            }
            let (key, after_colon) = self.key(&line)?;
            let value = match value_start(line.text, after_colon) {
                Some(start) => {
                    let value = self.inline(&line, start)?;
                    self.at += 1;
                    if self.lines.get(self.at).is_some_and(|next| next.indent > indent) {
                        return None; // a continued scalar, or an error
                    }
                    value
                }
                None => {
                    self.at += 1;
                    self.nested(indent)?
                }
            };
            self.entries.push((key, value));
        }
        self.depth -= 1;
        Some(Tree { kind: TreeKind::Map(self.entries.drain(base..).collect()), pos })
    }

    /// The value of a `key:` with nothing after it: a block below it, or nothing.
    fn nested(&mut self, indent: usize) -> Option<Tree<'a>> {
        let next = *self.lines.get(self.at)?;
        if next.indent > indent {
            let inner = next.indent;
            if next.is_seq_item() { self.seq(inner, false) } else { self.map(inner) }
        } else if next.indent == indent && next.is_seq_item() {
            self.seq(indent, true)
        } else {
            None // a null value: the full parser places it
        }
    }

    /// A block sequence whose `-` sit at `indent` spaces. The full parser places a sequence
    /// at its first `-`, but one `compact` under its key (at the key's indentation) at its first
    /// item.
    fn seq(&mut self, indent: usize, compact: bool) -> Option<Tree<'a>> {
        self.enter()?;
        self.count()?;
        let first = self.lines[self.at];
        let start = if compact { value_start(first.text, indent + 1)? } else { indent };
        let pos = self.place(&first, start);
        let base = self.items.len();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent != indent || !line.is_seq_item() {
                if line.indent > indent {
                    return None;
                }
                break;
            }
            let start = value_start(line.text, indent + 1)?;
            let item = self.inline(&line, start)?;
            self.at += 1;
            if self.lines.get(self.at).is_some_and(|next| next.indent > indent) {
                return None;
            }
            self.items.push(item);
        }
        self.depth -= 1;
        Some(Tree { kind: TreeKind::Seq(self.items.drain(base..).collect()), pos })
    }

    /// A block mapping key (`[A-Za-z0-9_][A-Za-z0-9_.-]*` directly followed by `:` and a
    /// space or the line's end); returns the key and the byte after the colon.
    fn key(&mut self, line: &Line<'a>) -> Option<(Tree<'a>, usize)> {
        let rest = line.rest();
        if rest.starts_with(['"', '\'']) {
            let (node, end) = self.quoted(line, line.indent)?;
            let colon_then_space = line.text.as_bytes().get(end) == Some(&b':')
                && matches!(line.text.as_bytes().get(end + 1), None | Some(b' '));
            return colon_then_space.then_some((node, end + 1));
        }
        let len =
            rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')).count();
        let first_ok = rest.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !first_ok || len > 1000 || rest.as_bytes().get(len) != Some(&b':') {
            return None;
        }
        if !matches!(rest.as_bytes().get(len + 1), None | Some(b' ')) {
            return None;
        }
        self.count()?;
        let (start, end) = (line.indent, line.indent + len);
        let node = scalar(&line.text[start..end], true, self.pos(line, start, end));
        Some((node, end + 1))
    }

    /// A value that starts at byte `start` of `line` and must end the line (but for a comment).
    fn inline(&mut self, line: &Line<'a>, start: usize) -> Option<Tree<'a>> {
        let text = line.text;
        let (node, end) = match text.as_bytes()[start] {
            b'{' | b'[' => self.flow(line, start)?,
            b'"' | b'\'' => self.quoted(line, start)?,
            _ => {
                let (end, next) = plain_end(text, start, false)?;
                if next < text.len() && text.as_bytes()[next] != b'#' {
                    return None;
                }
                self.count()?;
                (scalar(&text[start..end], true, self.pos(line, start, end)), end)
            }
        };
        let tail = &text[end..];
        let trimmed = tail.trim_start_matches(' ');
        let ends = trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len());
        ends.then_some(node)
    }

    /// A one-line quoted scalar without escapes; returns it and the byte after its closing quote.
    fn quoted(&mut self, line: &Line<'a>, start: usize) -> Option<(Tree<'a>, usize)> {
        let text = line.text;
        let quote = text.as_bytes()[start];
        let close = start + 1 + text[start + 1..].find(quote as char)?;
        let inner = &text[start + 1..close];
        if inner.contains('\\') || text.as_bytes().get(close + 1) == Some(&quote) {
            return None; // escapes and doubled quotes
        }
        self.count()?;
        Some((scalar(inner, false, self.pos(line, start, close + 1)), close + 1))
    }

    /// A one-line flow collection starting at byte `start`; returns it and the byte after it.
    fn flow(&mut self, line: &Line<'a>, start: usize) -> Option<(Tree<'a>, usize)> {
        self.enter()?;
        self.count()?;
        let text = line.text;
        let bytes = text.as_bytes();
        let is_map = bytes[start] == b'{';
        let close = if is_map { b'}' } else { b']' };
        let pos = self.place(line, start);
        let mut at = skip_spaces(text, start + 1);
        let (base_items, base_entries) = (self.items.len(), self.entries.len());
        if bytes.get(at) == Some(&close) {
            at += 1;
        } else {
            loop {
                if is_map {
                    let (key, next) = if matches!(bytes.get(at)?, b'"' | b'\'') {
                        self.quoted(line, at)?
                    } else {
                        let (key_end, next) = plain_end(text, at, true)?;
                        if key_end == at {
                            return None;
                        }
                        self.count()?;
                        (scalar(&text[at..key_end], true, self.pos(line, at, key_end)), next)
                    };
                    if bytes.get(next) != Some(&b':') || bytes.get(next + 1) != Some(&b' ') {
                        return None;
                    }
                    let (value, end) = self.flow_value(line, skip_spaces(text, next + 1))?;
                    self.entries.push((key, value));
                    at = end;
                } else {
                    let (item, end) = self.flow_value(line, at)?;
                    self.items.push(item);
                    at = end;
                }
                at = skip_spaces(text, at);
                match bytes.get(at) {
                    Some(b',') => {
                        at = skip_spaces(text, at + 1);
                        if matches!(bytes.get(at), None | Some(b']' | b'}' | b',')) {
                            return None; // a trailing comma or an empty entry
                        }
                    }
                    Some(&b) if b == close => {
                        at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let kind = if is_map {
            TreeKind::Map(self.entries.drain(base_entries..).collect())
        } else {
            TreeKind::Seq(self.items.drain(base_items..).collect())
        };
        Some((Tree { kind, pos }, at))
    }

    /// A value inside a flow collection; returns it and the byte after it.
    fn flow_value(&mut self, line: &Line<'a>, start: usize) -> Option<(Tree<'a>, usize)> {
        let text = line.text;
        match *text.as_bytes().get(start)? {
            b'{' | b'[' => self.flow(line, start),
            b'"' | b'\'' => self.quoted(line, start),
            _ => {
                let (end, next) = plain_end(text, start, true)?;
                if end == start || text.as_bytes().get(next) == Some(&b':') {
                    return None;
                }
                self.count()?;
                Some((scalar(&text[start..end], true, self.pos(line, start, end)), next))
            }
        }
    }
}

/// Where a value starts after a key's colon (or a `-`), or `None` when the line ends there
/// (spaces and a comment aside).
fn value_start(text: &str, after: usize) -> Option<usize> {
    let start = skip_spaces(text, after);
    (start < text.len() && text.as_bytes()[start] != b'#').then_some(start)
}

fn skip_spaces(text: &str, from: usize) -> usize {
    from + text[from..].bytes().take_while(|&b| b == b' ').count()
}

/// The end of a one-line plain scalar starting at `start` (trailing spaces left out) and the
/// byte where what follows it starts: the line's end, a comment's `#`, or in flow context a `,`,
/// `]`, `}` or a `:` that ends a key. `None` when the text needs the full parser.
fn plain_end(text: &str, start: usize, flow: bool) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let first = *bytes.get(start)?;
    if not_plain_start(first) {
        let digit_follows = bytes.get(start + 1).is_some_and(|b| b.is_ascii_digit() || *b == b'.');
        if !(first == b'-' && digit_follows) {
            return None;
        }
    }
    let mut i = start;
    let mut end = start;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' => {
                if bytes.get(i + 1) == Some(&b'#') {
                    return Some((end, i + 1));
                }
                i += 1;
                continue;
            }
            b':' => {
                let next = bytes.get(i + 1);
                if matches!(next, None | Some(b' '))
                    || (flow && matches!(next, Some(b',' | b'[' | b']' | b'{' | b'}')))
                {
                    if !flow {
                        return None; // `a: b: c`
                    }
                    return Some((end, i));
                }
            }
            b',' | b']' | b'}' if flow => return Some((end, i)),
            b'[' | b'{' if flow => return None,
            _ => {}
        }
        i += 1;
        end = i;
    }
    Some((end, bytes.len()))
}

fn scalar(text: &str, plain: bool, pos: Pos) -> Tree<'_> {
    Tree { kind: TreeKind::Scalar { text: Cow::Borrowed(text), plain }, pos }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::Builder;
    use super::*;
    use crate::model::FileId;

    const ORIGIN: Origin = Origin { file: FileId(0), line_offset: 1 };

    /// Whenever the fast reader answers, the full parser must give the same tree.
    fn agrees(text: &str) -> bool {
        let Some(fast) = parse(text, ORIGIN) else { return false };
        let full = Builder::new(ORIGIN).run(text);
        assert_eq!(full, Ok(Some(fast)), "on {text:?}");
        true
    }

    #[test]
    fn reads_front_matter_as_the_full_parser_does() {
        let docs = [
            "name: \"Bảo hiểm xã hội tỉnh An Giang 1377\"\ncluster: cum-07\nheadcount: 75\n",
            "registration:\n  date: 2024-02-11\n  pledge: \"Phấn đấu: hoàn thành\"\n  seeks: [co-thi-dua, bang-khen]\nmetrics: {staff_registered: 75}\n",
            "results:\n  q1:\n    A1: 88.9\n    B4: true\n    bonus: {sang-kien: 1}\n    notes: {A1: \"52,3% kế hoạch\"}\n    evidence: {A1: [a.pdf, \"b c.pdf\"]}\n  q2: {A1: -0.5, A2: .5}\n",
            "# comment\nname: Cục Hải quan Hà Nội   # trailing\n\n  # indented comment\nshort_name: 'HQ Hà Nội'\n",
            "units:\n- a\n- b\ntags:\n  - x y\n  - [1, 2]\n  - {k: v}\nlast: x\n",
            "a: {}\nb: []\nc: [ a , b ]\nd: {x: {y: [z]}}\ne: http://x.org/a#b\nf: C# and a,b [c] {d}\n",
            "  indented: 1\n  root: 2\n",
            "title: ~\nt2: null\nweight: -3\nurl: \"https://example.org/\"\n",
            "a: 'it''s'\n",
            "a: \"x\\ty\"\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 1\n  b: 2\n",
            "a: b: c\n",
            "a: [1, 2\n",
            "a: x\n  continued\n",
            "a:\nb: 1\n",
            "- a\n- b\n",
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a:\tb\n",
            "a: 1\r\nb: 2\r\n",
            "a: 1\n---\nb: 2\n",
            "a: [1, 2,]\n",
            "a: {b}\n",
            "a: {b: 1, c: [x, y], d: \"q\"}   # c\n",
            "\"quoted key\": 1\n",
            "a: \"x\"y\n",
            "a: \"x\" # c\n",
            "a: \"x\"# c\n",
            "a: [x]y\n",
            "a: -\n",
            "a: - b\n",
            "a: x #c\nb:  y  \n",
            "ā: 1\n",
            "a:b: 1\n",
            "a :b\n",
        ];
        let accepted = docs.iter().filter(|d| agrees(d)).count();
        assert!(accepted >= 9, "only {accepted} accepted");
        for must in &docs[..7] {
            assert!(parse(must, ORIGIN).is_some(), "not accepted: {must:?}");
        }
    }

    #[test]
    fn reads_the_fixtures_as_the_full_parser_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut accepted = 0;
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.unwrap();
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let name = entry.path().to_string_lossy().into_owned();
            let yaml = if name.ends_with(".yaml") {
                Some(text.as_str())
            } else if name.ends_with(".md") {
                crate::content::frontmatter::split(&text).ok().and_then(|s| s.front_matter)
            } else {
                None
            };
            if yaml.is_some_and(agrees) {
                accepted += 1;
            }
        }
        assert!(accepted > 50, "only {accepted} fixture files took the fast path");
    }

    fn token() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "b1",
            "A1",
            "x_y",
            "1.10",
            "-2",
            "true",
            "~",
            "é",
            "Hà Nội",
            " ",
            "  ",
            "    ",
            "\n",
            "\n  ",
            "\n    ",
            "\n- ",
            "\n  - ",
            ":",
            ": ",
            ",",
            ", ",
            "#",
            " #",
            " # c",
            "\"",
            "'",
            "[",
            "]",
            "{",
            "}",
            "-",
            "- ",
            "?",
            "&",
            "*",
            "!",
            "|",
            ">",
            "%",
            "\t",
            "\r",
            "\\",
            "---",
            "...",
            "@",
            "`",
        ])
    }

    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec!["a", "b", "A1", "q1", "name", "1.10", "x-y"]);
        let scalar = prop::sample::select(vec![
            "1",
            "52.3",
            "-0.5",
            "true",
            "Cục Hải quan",
            "\"Hà Nội: 1\"",
            "'q'",
            "x # c",
            "a,b",
            "http://a/b",
            "[x, y]",
            "{k: v, l: [1]}",
            "[]",
            "{}",
            "\"\"",
            "C#",
            "x  ",
            "[ a ,b ]",
        ]);
        let indent = prop::sample::select(vec!["", "", "  ", "    ", " "]);
        let shape = 0..5u8;
        (indent, key, scalar, shape).prop_map(|(indent, key, scalar, shape)| match shape {
            0 => format!("{indent}{key}:"),
            1 => format!("{indent}- {scalar}"),
            2 => format!("{indent}# note"),
            _ => format!("{indent}{key}: {scalar}"),
        })
    }

    proptest! {
        /// Eight bytes at a time or one, a line ends at the same place with the same verdict.
        #[test]
        fn line_ends_are_found_as_byte_by_byte(
            // Mostly printable, so that runs of eight clean bytes are common.
            bytes in prop::collection::vec(
                prop_oneof![
                    12 => prop::sample::select(vec![b'a', b' ', b'~', b'#']),
                    1 => prop::sample::select(vec![b'\n', 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x00]),
                ],
                0..120,
            ),
            start in 0usize..120,
        ) {
            let start = start.min(bytes.len());
            let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
            let printable = bytes[start..end].iter().all(|b| (0x20..0x7F).contains(b));
            prop_assert_eq!(line_end(&bytes, start), (end, printable));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn token_soup_never_disagrees(tokens in prop::collection::vec(token(), 0..40)) {
            agrees(&tokens.concat());
        }

        #[test]
        fn line_soup_never_disagrees(lines in prop::collection::vec(line(), 1..12)) {
            agrees(&(lines.join("\n") + "\n"));
        }
    }
}
