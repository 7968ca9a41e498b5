//! YAML text -> a located node tree, within budgets.
//!
//! We read YAML through serde-saphyr's event parser (granit-parser) rather than deserializing
//! straight into structs: the decoder (`decode`) then sees every node with its place and its
//! source text, so it can report *all* problems of a file (not only the first), keep ids such
//! as `1.10` as written, and read numbers as exact decimals from their text.
//!
//! Budgets (SPEC §10): nesting deeper than `MAX_DEPTH` levels and alias expansion beyond
//! `MAX_NODES` nodes are errors, never a hang or a crash. The caller has already refused files
//! over the size limit. Scalars follow the YAML 1.2 core schema (`yes` is a string).

mod fast;

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde_saphyr::granit_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span};

use crate::model::{FileId, Pos};

/// Deepest nesting of collections accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one document may hold once aliases are expanded.
pub const MAX_NODES: usize = 1_000_000;

/// A located node whose scalars borrow their text from the source where they can (plain and
/// simple quoted scalars; escapes give owned text). The content decoders read these: a unit's
/// front matter has hundreds of scalars, and a `String` for each (allocated, copied, then
/// freed with the tree) was a tenth of `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree<'t> {
    pub kind: TreeKind<'t>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TreeKind<'t> {
    /// A scalar's value after escape processing; for plain scalars this is the source text.
    Scalar {
        text: Cow<'t, str>,
        plain: bool,
    },
    Seq(Vec<Tree<'t>>),
    Map(Vec<(Tree<'t>, Tree<'t>)>),
}

impl Tree<'_> {
    /// YAML 1.2 core schema null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, TreeKind::Scalar { text, plain: true }
            if matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A short description of what the node is, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            TreeKind::Seq(_) => "a list",
            TreeKind::Map(_) => "a mapping",
            TreeKind::Scalar { .. } if self.is_null() => "nothing (null)",
            TreeKind::Scalar { text, plain: true } if plain_bool(text).is_some() => "a boolean",
            TreeKind::Scalar { text, plain: true } if looks_numeric(text) => "a number",
            TreeKind::Scalar { .. } => "a string",
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            TreeKind::Scalar { .. } => 1,
            TreeKind::Seq(items) => 1 + items.iter().map(Tree::count).sum::<usize>(),
            TreeKind::Map(entries) => 1 + entries.iter().map(|(k, v)| k.count() + v.count()).sum::<usize>(),
        }
    }
}

/// How many characters `text` has: columns count characters, and most text is ASCII, whose
/// characters are its bytes.
pub fn char_count(text: &str) -> usize {
    if text.is_ascii() { text.len() } else { text.chars().count() }
}

/// A YAML 1.2 core schema boolean written as a plain scalar.
pub fn plain_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn looks_numeric(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.')
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
}

/// Why a YAML text could not be turned into a tree.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub pos: Pos,
}

/// Where the YAML text sits in its file: front matter starts below the `---` fence.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    pub file: FileId,
    /// Added to every line number (1 for front matter after a `---` line).
    pub line_offset: u32,
}

/// Parses one YAML document into a tree that borrows from `text`. An empty document (or only
/// comments) gives `Ok(None)`.
pub fn parse(text: &str, origin: Origin) -> Result<Option<Tree<'_>>, YamlError> {
    if let Some(root) = fast::parse(text, origin) {
        return Ok(Some(root));
    }
    Builder::new(origin).run(text)
}

enum Frame<'t> {
    Seq(Tree<'t>, usize),
    Map(Tree<'t>, usize, Option<Tree<'t>>),
}

struct Builder<'t> {
    origin: Origin,
    stack: Vec<Frame<'t>>,
    anchors: HashMap<usize, Rc<Tree<'t>>>,
    nodes: usize,
    root: Option<Tree<'t>>,
    documents: usize,
}

impl<'t> Builder<'t> {
    fn new(origin: Origin) -> Builder<'t> {
        Builder { origin, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None, documents: 0 }
    }

    fn run(mut self, text: &'t str) -> Result<Option<Tree<'t>>, YamlError> {
        let mut options = serde_saphyr::granit_parser::Options::default();
        options.set_emit_comments(false);
        // Leave headroom above our own depth limit so that we, not the parser, report it.
        options.flow_nesting_limit = MAX_DEPTH + 8;
        options.block_nesting_limit = MAX_DEPTH + 8;
        let parser = Parser::new_from_str_with_options(text, options);
        for item in parser {
            let (event, span) = item.map_err(|e| self.scan_error(&e))?;
            self.event(event, span)?;
        }
        Ok(self.root)
    }

    fn pos(&self, span: &Span) -> Pos {
        let start = span.start;
        let len = if span.end.line() == start.line() {
            span.end.index().saturating_sub(start.index()).max(1)
        } else {
            1
        };
        Pos {
            file: self.origin.file,
            line: start.line() as u32 + self.origin.line_offset,
            col: start.col() as u32 + 1,
            len: len as u32,
        }
    }

    fn marker_pos(&self, m: &Marker) -> Pos {
        Pos {
            file: self.origin.file,
            line: m.line() as u32 + self.origin.line_offset,
            col: m.col() as u32 + 1,
            len: 1,
        }
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let message = e.kind().to_string();
        let nesting =
            message.contains("nesting") || message.contains("nested") || message.contains("recursion");
        YamlError {
            code: if nesting { "yaml-too-deep" } else { "yaml-syntax" },
            message: if nesting {
                format!("YAML nested deeper than {MAX_DEPTH} levels")
            } else {
                format!("invalid YAML: {message}")
            },
            help: yaml_syntax_help(&message),
            pos: self.marker_pos(e.marker()),
        }
    }

    fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlError {
                        code: "yaml-syntax",
                        message: "more than one YAML document".into(),
                        help: Some("a file holds one document; remove the extra `---` line".into()),
                        pos: self.pos(&span),
                    });
                }
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_deref().is_some_and(|t| t.suffix() == "str");
                let plain = style == ScalarStyle::Plain && !is_str_tag;
                let node = Tree { kind: TreeKind::Scalar { text, plain }, pos: self.pos(&span) };
                self.add(node, anchor)
            }
            Event::SequenceStart(_, anchor, _) => self.open(Frame::Seq(self.collection(&span, true), anchor)),
            Event::MappingStart(_, anchor, _) => {
                self.open(Frame::Map(self.collection(&span, false), anchor, None))
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, &span),
            _ => Ok(()),
        }
    }

    fn collection(&self, span: &Span, seq: bool) -> Tree<'t> {
        let kind = if seq { TreeKind::Seq(Vec::new()) } else { TreeKind::Map(Vec::new()) };
        Tree { kind, pos: Pos { len: 1, ..self.pos(span) } }
    }

    fn open(&mut self, frame: Frame<'t>) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            let node = match &frame {
                Frame::Seq(n, _) | Frame::Map(n, _, _) => n,
            };
            return Err(YamlError {
                code: "yaml-too-deep",
                message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
                help: Some("content files never need this much nesting; flatten the structure".into()),
                pos: node.pos,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        match self.stack.pop() {
            Some(Frame::Seq(node, anchor)) | Some(Frame::Map(node, anchor, None)) => self.add(node, anchor),
            // A mapping cannot end between a key and its value; the parser guarantees it.
            Some(Frame::Map(node, anchor, Some(_))) => self.add(node, anchor),
            None => Ok(()),
        }
    }

    fn alias(&mut self, id: usize, span: &Span) -> Result<(), YamlError> {
        let Some(target) = self.anchors.get(&id).cloned() else {
            return Err(YamlError {
                code: "yaml-syntax",
                message: "alias to an unknown anchor".into(),
                help: None,
                pos: self.pos(span),
            });
        };
        // Charge the whole copied subtree before copying it, so an alias bomb stops early.
        let size = target.count();
        if self.nodes.saturating_add(size) > MAX_NODES {
            return Err(YamlError {
                code: "yaml-alias-budget",
                message: format!("YAML aliases expand beyond {MAX_NODES} nodes"),
                help: Some(
                    "an alias copies the anchored value each time it is used; use fewer aliases".into(),
                ),
                pos: self.pos(span),
            });
        }
        self.nodes += size - 1;
        let mut node = (*target).clone();
        node.pos = self.pos(span);
        self.add(node, 0)
    }

    fn add(&mut self, node: Tree<'t>, anchor: usize) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                code: "yaml-alias-budget",
                message: format!("YAML document holds more than {MAX_NODES} nodes"),
                help: None,
                pos: node.pos,
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, Rc::new(node.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(seq, _)) => {
                if let TreeKind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, _, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let TreeKind::Map(entries) = &mut map.kind {
                        entries.push((key, node));
                    }
                }
            },
        }
        Ok(())
    }
}

fn yaml_syntax_help(message: &str) -> Option<String> {
    if message.contains("mapping values are not allowed") {
        Some("a value containing `: ` must be quoted, e.g. title: \"Ghi chú: ...\"".into())
    } else if message.contains("tab") {
        Some("YAML indentation uses spaces, not tabs".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: Origin = Origin { file: FileId(0), line_offset: 0 };

    fn scalar<'a>(node: &'a Tree<'_>) -> (&'a str, bool) {
        match &node.kind {
            TreeKind::Scalar { text, plain } => (text, *plain),
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn keeps_plain_scalars_as_written_and_marks_quoted_ones() {
        let root = parse("a: 1.10\nb: '1.10'\nc: yes\n", ORIGIN).unwrap().unwrap();
        let TreeKind::Map(entries) = &root.kind else { panic!() };
        assert_eq!(scalar(&entries[0].1), ("1.10", true));
        assert_eq!(scalar(&entries[1].1), ("1.10", false));
        assert_eq!(scalar(&entries[2].1), ("yes", true));
        assert_eq!((entries[1].1.pos.line, entries[1].1.pos.col, entries[1].1.pos.len), (2, 4, 6));
    }

    #[test]
    fn front_matter_lines_count_the_fence() {
        let origin = Origin { file: FileId(0), line_offset: 1 };
        let root = parse("name: x\nclustr: y\n", origin).unwrap().unwrap();
        let TreeKind::Map(entries) = &root.kind else { panic!() };
        assert_eq!((entries[1].0.pos.line, entries[1].0.pos.col), (3, 1));
    }

    #[test]
    fn empty_documents_are_none() {
        assert_eq!(parse("", ORIGIN).unwrap(), None);
        assert_eq!(parse("# only a comment\n", ORIGIN).unwrap(), None);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&deep, ORIGIN).unwrap_err();
        assert_eq!(err.code, "yaml-too-deep", "{err:?}");
        let mut block = String::new();
        for i in 0..100 {
            block.push_str(&format!("{}k:\n", "  ".repeat(i)));
        }
        assert_eq!(parse(&block, ORIGIN).unwrap_err().code, "yaml-too-deep");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let err = parse(&bomb, ORIGIN).unwrap_err();
        assert_eq!(err.code, "yaml-alias-budget");
    }

    #[test]
    fn small_aliases_are_expanded() {
        let root = parse("base: &b {x: 1}\nother: *b\n", ORIGIN).unwrap().unwrap();
        let TreeKind::Map(entries) = &root.kind else { panic!() };
        assert!(matches!(&entries[1].1.kind, TreeKind::Map(e) if e.len() == 1));
        assert_eq!(entries[1].1.pos.line, 2);
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = parse("a: [1, 2\nb: 3\n", ORIGIN).unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        assert!(err.pos.line >= 1);
        let err = parse("a: b: c\n", ORIGIN).unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        assert!(err.help.is_some(), "{err:?}");
    }

    #[test]
    fn a_second_document_is_an_error() {
        assert_eq!(parse("a: 1\n---\nb: 2\n", ORIGIN).unwrap_err().code, "yaml-syntax");
    }
}
