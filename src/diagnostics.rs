//! Content problems as data (`Diagnostic`), and their renderers.
//!
//! Every stage that finds a problem in the content pushes a `Diagnostic` and carries on, so a run
//! reports all problems together. A diagnostic names its file and, where the problem has a
//! place, `line:column` (1-based, columns in characters). Renderers produce the human form
//! (source line and caret), the short form, GitHub Actions annotations and JSON. This module
//! never prints; the binary decides where the text goes.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{FileId, Pos, SourceFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place a diagnostic points at, resolved to a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    /// 0 when the problem concerns the file as a whole.
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub len: u32,
}

/// A secondary place that explains the problem (the other side of a conflict, a cycle's step).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `unknown-field`.
    pub code: &'static str,
    pub message: String,
    #[serde(flatten)]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            help: None,
            labels: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Points the diagnostic at a file as a whole.
    pub fn in_file(mut self, path: impl Into<String>) -> Diagnostic {
        self.location = Some(Location { file: path.into(), line: 0, column: 0, len: 0 });
        self
    }

    /// Points the diagnostic at a place in a file.
    pub fn at_place(mut self, path: impl Into<String>, line: u32, column: u32, len: u32) -> Diagnostic {
        self.location = Some(Location { file: path.into(), line, column, len });
        self
    }

    /// Points the diagnostic at a `Pos`, resolving its file through the corpus' file table.
    pub fn at(self, files: &[SourceFile], pos: Pos) -> Diagnostic {
        let path = file_path(files, pos.file);
        self.at_place(path, pos.line, pos.col, pos.len)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help.or(self.help);
        self
    }

    /// Adds a secondary place.
    pub fn with_label(mut self, files: &[SourceFile], pos: Pos, message: impl Into<String>) -> Diagnostic {
        let location =
            Location { file: file_path(files, pos.file), line: pos.line, column: pos.col, len: pos.len };
        self.labels.push(Label { location, message: message.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

fn file_path(files: &[SourceFile], id: FileId) -> String {
    files.get(id.0 as usize).map_or_else(|| "<unknown>".to_string(), |f| f.path.clone())
}

/// Sorts diagnostics by file, line and column (then message), so output is stable whatever
/// order parallel stages found them in. Problems without a file come first.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)).then_with(|| a.message.cmp(&b.message)));
}

/// Borrowed, so that a comparison allocates nothing.
fn sort_key(d: &Diagnostic) -> Option<(&str, u32, u32)> {
    d.location.as_ref().map(|l| (l.file.as_str(), l.line, l.column))
}

/// How many errors and warnings a list holds.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Looks up source text by path, for snippets.
pub trait Sources {
    fn text(&self, path: &str) -> Option<&str>;
}

impl Sources for [SourceFile] {
    fn text(&self, path: &str) -> Option<&str> {
        self.iter().find(|f| f.path == path).map(|f| &*f.text)
    }
}

impl Sources for Vec<SourceFile> {
    fn text(&self, path: &str) -> Option<&str> {
        self.as_slice().text(path)
    }
}

/// Source texts by path, for rendering many diagnostics without a linear search each.
pub struct SourceIndex<'a>(std::collections::HashMap<&'a str, &'a str>);

impl<'a> SourceIndex<'a> {
    pub fn new(files: &'a [SourceFile]) -> SourceIndex<'a> {
        SourceIndex(files.iter().map(|f| (f.path.as_str(), &*f.text)).collect())
    }
}

impl Sources for SourceIndex<'_> {
    fn text(&self, path: &str) -> Option<&str> {
        self.0.get(path).copied()
    }
}

/// No sources: renders without snippets.
pub struct NoSources;

impl Sources for NoSources {
    fn text(&self, _path: &str) -> Option<&str> {
        None
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location_text(l: &Location) -> String {
    if l.line == 0 { l.file.clone() } else { format!("{}:{}:{}", l.file, l.line, l.column) }
}

/// `path:line:col: error[code]: message`, one line (plus `help:` on the next when present).
pub fn render_short(d: &Diagnostic) -> String {
    let mut out = String::new();
    if let Some(l) = &d.location {
        let _ = write!(out, "{}: ", location_text(l));
    }
    let _ = write!(out, "{}[{}]: {}", severity_word(d.severity), d.code, d.message);
    if let Some(h) = &d.help {
        let _ = write!(out, "\n  help: {h}");
    }
    out
}

/// The human form: message, `--> path:line:col`, the source line with a caret under the
/// problem, secondary places, and help.
pub fn render_human(d: &Diagnostic, sources: &dyn Sources) -> String {
    let mut out = format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message);
    if let Some(l) = &d.location {
        let _ = writeln!(out, "  --> {}", location_text(l));
        snippet(&mut out, l, None, sources, gutter_width(d));
    }
    for label in &d.labels {
        let _ = writeln!(out, "  ::: {}", location_text(&label.location));
        snippet(&mut out, &label.location, Some(&label.message), sources, gutter_width(d));
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "  = help: {h}");
    }
    out
}

/// The source line and a caret under the column (and `len` characters after it).
/// One gutter width for all snippets of a diagnostic, so their `|` line up.
fn gutter_width(d: &Diagnostic) -> usize {
    let lines = d.location.iter().chain(d.labels.iter().map(|l| &l.location)).map(|l| l.line);
    lines.max().unwrap_or(0).to_string().len()
}

fn snippet(out: &mut String, l: &Location, label: Option<&str>, sources: &dyn Sources, width: usize) {
    let Some(line) = source_line(sources, &l.file, l.line) else {
        if let Some(m) = label {
            let _ = writeln!(out, "   = {m}");
        }
        return;
    };
    let number = format!("{:>width$}", l.line);
    let gutter = " ".repeat(width);
    let line = line.replace('\t', " ");
    let _ = writeln!(out, " {gutter} |");
    let _ = writeln!(out, " {number} | {line}");
    let pad = " ".repeat(l.column.saturating_sub(1) as usize);
    let carets = "^".repeat(l.len.max(1) as usize);
    let tail = label.map(|m| format!(" {m}")).unwrap_or_default();
    let _ = writeln!(out, " {gutter} | {pad}{carets}{tail}");
}

fn source_line<'a>(sources: &'a dyn Sources, file: &str, line: u32) -> Option<&'a str> {
    if line == 0 {
        return None;
    }
    let text = sources.text(file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.split('\n').nth(line as usize - 1)?;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

/// GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`.
pub fn render_github(d: &Diagnostic) -> String {
    let mut props = Vec::new();
    if let Some(l) = &d.location {
        props.push(format!("file={}", escape_github_property(&l.file)));
        if l.line > 0 {
            props.push(format!("line={}", l.line));
            props.push(format!("col={}", l.column));
        }
    }
    props.push(format!("title={}", escape_github_property(d.code)));
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        let _ = write!(message, "\nhelp: {h}");
    }
    format!("::{} {}::{}", severity_word(d.severity), props.join(","), escape_github_data(&message))
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// All diagnostics as one JSON document: `{"errors": n, "warnings": n, "diagnostics": [...]}`.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = counts(diagnostics);
    let doc = serde_json::json!({
        "errors": errors,
        "warnings": warnings,
        "diagnostics": diagnostics,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Suggests the known name closest to `wrong`, when one is close enough to be a typo.
pub fn nearest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&wrong_lower, &k.to_lowercase()), k))
        .filter(|(d, k)| {
            let longest = wrong.chars().count().max(k.chars().count());
            *d <= 2.max(longest / 3) && *d < longest
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// `did you mean "x"?` for the nearest known name, if any.
pub fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(wrong, known).map(|k| format!("did you mean \"{k}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_but_not_unrelated_words() {
        let known = ["cluster", "parent", "name", "headcount"];
        assert_eq!(nearest("clustr", known), Some("cluster"));
        assert_eq!(nearest("Name", known), Some("name"));
        assert_eq!(nearest("xyz", known), None);
        assert_eq!(nearest("A6", ["A5", "B1"]), Some("A5"));
    }

    #[test]
    fn human_rendering_shows_the_line_and_a_caret() {
        let files = vec![SourceFile { path: "content/a.yaml".into(), text: "x: 1\nclustr: 2\n".into() }];
        let d = Diagnostic::error("unknown-field", "unknown field `clustr`")
            .at_place("content/a.yaml", 2, 1, 6)
            .with_help("did you mean \"cluster\"?");
        let text = render_human(&d, &files);
        assert_eq!(
            text,
            "error[unknown-field]: unknown field `clustr`\n  --> content/a.yaml:2:1\n   |\n 2 | clustr: 2\n   | ^^^^^^\n  = help: did you mean \"cluster\"?\n"
        );
        assert_eq!(
            render_short(&d),
            "content/a.yaml:2:1: error[unknown-field]: unknown field `clustr`\n  help: did you mean \"cluster\"?"
        );
    }

    #[test]
    fn github_annotations_escape_their_properties() {
        let d = Diagnostic::warning("missing-value", "50% done\nnext").at_place("a,b.md", 3, 4, 1);
        assert_eq!(
            render_github(&d),
            "::warning file=a%2Cb.md,line=3,col=4,title=missing-value::50%25 done%0Anext"
        );
    }
}
