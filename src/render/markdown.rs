//! Markdown from content files to HTML and to plain text, safe by default (SPEC §9).
//!
//! Owns: the Markdown dialect (CommonMark with tables, footnotes and strikethrough), heading
//! ids, footnote numbering, the policy on raw HTML (escaped, or kept and sanitised with
//! ammonia when `allow_html`) and on link and image URLs (`javascript:`, `vbscript:` and `data:`
//! never become links or images, whatever the mode). Output is deterministic.
//!
//! Must not: read files, know about the site's URLs (relative links are kept as written, not
//! resolved against `base_url`), or panic on any input.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CowStr, Event, LinkType, Options as ParserOptions, Parser, Tag, TagEnd};

/// How to treat raw HTML written in the Markdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep raw HTML (then sanitise the whole output) instead of escaping it as text.
    pub allow_html: bool,
}

/// URL schemes that run code or smuggle documents; checked after undoing the usual tricks.
const BLOCKED_SCHEMES: [&str; 3] = ["javascript:", "vbscript:", "data:"];

/// Renders Markdown with tables, footnotes, strikethrough and unique heading ids.
///
/// With `allow_html = false` raw HTML (block and inline) is shown as escaped text. With
/// `allow_html = true` it is kept and the whole output is sanitised with ammonia (no script, no
/// event handlers, no style attributes). In both modes links and images with a `javascript:`,
/// `vbscript:` or `data:` URL are not emitted: a link becomes its text, an image its alt text.
/// Absolute `http(s)` links get `rel="noopener"`; table alignment is a class (`align-left`,
/// `align-center`, `align-right`) rather than a style attribute.
pub fn to_html(markdown: &str, options: &Options) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, parser_options()).collect();
    let events = if options.allow_html { events } else { escape_raw_html(events) };
    let events = Rewriter::new(&events).rewrite(&events);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if options.allow_html { sanitizer().clean(&html).to_string() } else { html }
}

/// Plain text of a Markdown snippet, for the search index, summaries and meta descriptions: no
/// tags, entities decoded, whitespace collapsed, footnote definitions left out, and at most
/// `max_chars` characters, cut on a word boundary and ended with `…` when shortened.
pub fn to_plain_text(markdown: &str, max_chars: usize) -> String {
    let mut collector = PlainText::default();
    for event in Parser::new_ext(markdown, parser_options()) {
        collector.push(event);
    }
    let collapsed = collector.text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&collapsed, max_chars)
}

fn parser_options() -> ParserOptions {
    ParserOptions::ENABLE_TABLES | ParserOptions::ENABLE_FOOTNOTES | ParserOptions::ENABLE_STRIKETHROUGH
}

/// Turns raw HTML into text events so the HTML writer escapes it. A block of raw HTML becomes
/// one paragraph, so that it still reads as a block.
fn escape_raw_html(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut block: Option<String> = None;
    for event in events {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::Html(html) => match block.as_mut() {
                Some(buffer) => buffer.push_str(&html),
                None => out.push(Event::Text(html)),
            },
            Event::End(TagEnd::HtmlBlock) => {
                let text = block.take().unwrap_or_default();
                out.push(Event::Start(Tag::Paragraph));
                out.push(Event::Text(CowStr::from(text.trim_end().to_string())));
                out.push(Event::End(TagEnd::Paragraph));
            }
            Event::InlineHtml(html) => out.push(Event::Text(html)),
            other => out.push(other),
        }
    }
    out
}

/// Replaces the events whose default HTML we must control (headings, links, images, footnotes,
/// tables) with HTML we write ourselves; everything else passes through to pulldown-cmark.
struct Rewriter {
    /// Footnote label -> number, in order of first appearance (as pulldown-cmark numbers them).
    footnotes: HashMap<String, usize>,
    /// Ids already given out, so that heading ids stay unique within the document.
    used_ids: HashSet<String>,
    /// For each open link: whether its `<a>` was emitted (false when its URL was blocked).
    open_links: Vec<bool>,
    table: TableState,
}

#[derive(Default)]
struct TableState {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
}

impl Rewriter {
    fn new(events: &[Event<'_>]) -> Self {
        let mut footnotes = HashMap::new();
        for event in events {
            let label = match event {
                Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => label,
                _ => continue,
            };
            let next = footnotes.len() + 1;
            footnotes.entry(footnote_key(label)).or_insert(next);
        }
        // Footnote ids exist before any heading is seen, so headings must not take them.
        let used_ids = footnotes.values().map(|n| footnote_id(*n)).collect();
        Rewriter { footnotes, used_ids, open_links: Vec::new(), table: TableState::default() }
    }

    fn rewrite<'a>(mut self, events: &[Event<'a>]) -> Vec<Event<'a>> {
        let mut out = Vec::with_capacity(events.len());
        let mut next = 0;
        while let Some(event) = events.get(next) {
            next += 1;
            if let Event::Start(Tag::Image { link_type, dest_url, title, .. }) = event {
                // The image's children are its alt text: consume them here.
                let end = image_end(events, next);
                let alt = inline_text(events.get(next..end).unwrap_or_default());
                out.push(image(*link_type, dest_url, title, alt));
                next = end + 1;
            } else {
                let rest = events.get(next..).unwrap_or_default();
                out.extend(self.replace(event, rest));
            }
        }
        out
    }

    /// The events that stand for `event`; `rest` is what follows it (for heading text).
    fn replace<'a>(&mut self, event: &Event<'a>, rest: &[Event<'a>]) -> Option<Event<'a>> {
        let html = match event {
            Event::Start(Tag::Heading { level, .. }) => format!("<{level} id=\"{}\">", self.heading_id(rest)),
            Event::End(TagEnd::Heading(level)) => format!("</{level}>\n"),
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                return self.open_link(*link_type, dest_url, title);
            }
            Event::End(TagEnd::Link) => return self.close_link(),
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(label);
                format!("<sup class=\"footnote-reference\"><a href=\"#{}\">{n}</a></sup>", footnote_id(n))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = self.footnote_number(label);
                let (id, label_class) = (footnote_id(n), "footnote-definition-label");
                format!(
                    "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"{label_class}\">{n}</sup>"
                )
            }
            Event::End(TagEnd::FootnoteDefinition) => "</div>\n".to_string(),
            _ => match self.table_html(event) {
                Some(html) => html,
                None => return Some(event.clone()),
            },
        };
        Some(Event::Html(CowStr::from(html)))
    }

    fn heading_id(&mut self, rest: &[Event<'_>]) -> String {
        let end = rest.iter().position(|e| matches!(e, Event::End(TagEnd::Heading(_)))).unwrap_or(rest.len());
        let base = slugify(&inline_text(rest.get(..end).unwrap_or_default()));
        let mut id = base.clone();
        let mut suffix = 0;
        while self.used_ids.contains(&id) {
            suffix += 1;
            id = format!("{base}-{suffix}");
        }
        self.used_ids.insert(id.clone());
        id
    }

    fn open_link<'a>(&mut self, link_type: LinkType, dest: &str, title: &str) -> Option<Event<'a>> {
        let url = if link_type == LinkType::Email { format!("mailto:{dest}") } else { dest.to_string() };
        let allowed = !is_blocked_url(&url);
        self.open_links.push(allowed);
        allowed.then(|| Event::Html(CowStr::from(anchor_tag(&url, title))))
    }

    fn close_link<'a>(&mut self) -> Option<Event<'a>> {
        // A blocked link left only its text behind, so it has no `</a>` either.
        let emitted = self.open_links.pop().unwrap_or(false);
        emitted.then_some(Event::Html(CowStr::Borrowed("</a>")))
    }

    fn footnote_number(&self, label: &str) -> usize {
        // Every label was numbered in `new`; 0 would only show a bug, never crash.
        self.footnotes.get(&footnote_key(label)).copied().unwrap_or(0)
    }

    /// Table markup with alignment as a class: pulldown-cmark would write a style attribute,
    /// which the sanitiser (rightly) removes.
    fn table_html(&mut self, event: &Event<'_>) -> Option<String> {
        let table = &mut self.table;
        let html = match event {
            Event::Start(Tag::Table(alignments)) => {
                table.alignments = alignments.clone();
                "<table>".to_string()
            }
            Event::Start(Tag::TableHead) => {
                (table.in_head, table.cell) = (true, 0);
                "<thead><tr>".to_string()
            }
            Event::End(TagEnd::TableHead) => {
                table.in_head = false;
                "</tr></thead><tbody>\n".to_string()
            }
            Event::Start(Tag::TableRow) => {
                table.cell = 0;
                "<tr>".to_string()
            }
            Event::End(TagEnd::TableRow) => "</tr>\n".to_string(),
            Event::Start(Tag::TableCell) => {
                let cell = if table.in_head { "th" } else { "td" };
                match table.alignments.get(table.cell).and_then(|a| alignment_class(*a)) {
                    Some(class) => format!("<{cell} class=\"{class}\">"),
                    None => format!("<{cell}>"),
                }
            }
            Event::End(TagEnd::TableCell) => {
                table.cell += 1;
                if table.in_head { "</th>" } else { "</td>" }.to_string()
            }
            Event::End(TagEnd::Table) => "</tbody></table>\n".to_string(),
            _ => return None,
        };
        Some(html)
    }
}

fn alignment_class(alignment: Alignment) -> Option<&'static str> {
    match alignment {
        Alignment::None => None,
        Alignment::Left => Some("align-left"),
        Alignment::Center => Some("align-center"),
        Alignment::Right => Some("align-right"),
    }
}

/// Footnote labels match case-insensitively (`[^Note]` finds `[^note]:`), but the events keep
/// each spelling, so numbering must fold case too.
fn footnote_key(label: &str) -> String {
    label.to_lowercase()
}

fn footnote_id(number: usize) -> String {
    format!("fn-{number}")
}

/// Index of the `End(Image)` closing the image whose children start at `start` (images nest
/// when an image's alt text holds another image), or the end of `events`.
fn image_end(events: &[Event<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    for (index, event) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) if depth == 0 => return index,
            Event::End(TagEnd::Image) => depth -= 1,
            _ => {}
        }
    }
    events.len()
}

/// The text of inline events, as used for alt text and heading ids.
fn inline_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

fn image<'a>(link_type: LinkType, dest: &str, title: &str, alt: String) -> Event<'a> {
    let url = if link_type == LinkType::Email { format!("mailto:{dest}") } else { dest.to_string() };
    if is_blocked_url(&url) {
        return Event::Text(CowStr::from(alt));
    }
    let mut tag = format!("<img src=\"{}\" alt=\"{}\"", escape_href(&url), super::escape(&alt));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", super::escape(title)));
    }
    tag.push_str(" />");
    Event::Html(CowStr::from(tag))
}

fn anchor_tag(url: &str, title: &str) -> String {
    let mut tag = format!("<a href=\"{}\"", escape_href(url));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", super::escape(title)));
    }
    if is_external(url) {
        tag.push_str(" rel=\"noopener\"");
    }
    tag.push('>');
    tag
}

/// We cannot know the site's own host here, so every absolute web URL counts as external.
fn is_external(url: &str) -> bool {
    let url = url.trim_start().to_ascii_lowercase();
    ["http://", "https://", "//"].iter().any(|prefix| url.starts_with(prefix))
}

/// Whether `url` could reach a blocked scheme. Conservative on purpose: it removes whitespace
/// and control characters anywhere (browsers drop tabs and newlines inside URLs) and undoes
/// entity and percent encoding, several layers deep, before looking at the scheme.
fn is_blocked_url(url: &str) -> bool {
    let mut current = url.to_string();
    // Each decoding round only shortens the string, so a few rounds reach a fixed point for any
    // realistic nesting; the limit keeps a pathological input cheap.
    for _ in 0..8 {
        let squeezed: String = current
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .take(16)
            .flat_map(char::to_lowercase)
            .collect();
        if BLOCKED_SCHEMES.iter().any(|scheme| squeezed.starts_with(scheme)) {
            return true;
        }
        let decoded = decode_percent(&decode_entities(&current));
        if decoded == current {
            return false;
        }
        current = decoded;
    }
    // Still changing after many rounds: nobody writes such a URL by accident.
    true
}

/// Decodes numeric character references (with or without `;`, as browsers do in attributes)
/// and the few named ones that matter for URLs and plain text.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        match decode_entity(after) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = after.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity body (the text after `&`) stands for, and the bytes it used.
fn decode_entity(body: &str) -> Option<(char, usize)> {
    if let Some(numeric) = body.strip_prefix('#') {
        let (radix, digits_at) = match numeric.chars().next() {
            Some('x' | 'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = body.get(digits_at..).unwrap_or_default();
        let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
        if len == 0 {
            return None;
        }
        let code = u32::from_str_radix(digits.get(..len.min(8))?, radix).ok()?;
        let decoded = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        let semicolon = usize::from(digits.get(len..).is_some_and(|r| r.starts_with(';')));
        return Some((decoded, digits_at + len + semicolon));
    }
    const NAMED: [(&str, char); 10] = [
        ("amp;", '&'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("quot;", '"'),
        ("apos;", '\''),
        ("nbsp;", '\u{a0}'),
        ("colon;", ':'),
        ("tab;", '\t'),
        ("newline;", '\n'),
        ("sol;", '/'),
    ];
    let lower = body.get(..body.len().min(8)).unwrap_or(body).to_ascii_lowercase();
    NAMED.iter().find(|(name, _)| lower.starts_with(name)).map(|(name, c)| (*c, name.len()))
}

fn decode_percent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if byte == b'%' => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A heading id: ASCII (Vietnamese diacritics transliterated, đ -> d), lower case, words
/// joined by `-`; `section` when nothing is left.
fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let words: Vec<&str> =
        ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() { "section".to_string() } else { words.join("-") }
}

/// A URL for an attribute, kept as written except what HTML or URL parsing would mangle.
fn escape_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' | '<' | '>' | '`' | ' ' => out.push_str(&format!("%{:02X}", u32::from(c))),
            c if c.is_control() => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The sanitiser for `allow_html`, built once: ammonia's defaults (no script, style, event
/// handlers or unknown URL schemes) plus the attributes our own markup needs, each filtered.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .link_rel(None)
            .add_generic_attributes(["id", "class"])
            .add_tag_attributes("a", ["rel"])
            .attribute_filter(filter_attribute);
        builder
    })
}

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        // Only ids shaped like ours, so user HTML cannot clobber arbitrary DOM names.
        "id" => is_id(value).then_some(Cow::Borrowed(value)),
        "class" => known_classes(element, value).map(Cow::Owned),
        "rel" => (value == "noopener").then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn is_id(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The classes our markup uses (and code block languages), nothing a page's CSS could be
/// tricked with.
fn known_classes(element: &str, value: &str) -> Option<String> {
    let keep = |class: &&str| match element {
        "th" | "td" => matches!(*class, "align-left" | "align-center" | "align-right"),
        "sup" => matches!(*class, "footnote-reference" | "footnote-definition-label"),
        "div" => *class == "footnote-definition",
        "code" => class.strip_prefix("language-").is_some_and(|l| !l.is_empty()),
        _ => false,
    };
    let kept: Vec<&str> = value.split_ascii_whitespace().filter(keep).collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Collects the text of a Markdown event stream for [`to_plain_text`].
#[derive(Default)]
struct PlainText {
    text: String,
    /// Raw HTML block being collected: its tags may span lines (events).
    html_block: Option<String>,
    footnote_depth: usize,
}

impl PlainText {
    fn push(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => self.footnote_depth += 1,
            Event::End(TagEnd::FootnoteDefinition) => {
                self.footnote_depth = self.footnote_depth.saturating_sub(1);
            }
            _ if self.footnote_depth > 0 => {}
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::Html(html) => match self.html_block.as_mut() {
                Some(buffer) => buffer.push_str(&html),
                None => self.text.push_str(&html_to_text(&html, " ")),
            },
            Event::End(TagEnd::HtmlBlock) => {
                let html = self.html_block.take().unwrap_or_default();
                self.text.push_str(&html_to_text(&html, " "));
                self.text.push(' ');
            }
            Event::InlineHtml(html) => self.text.push_str(&html_to_text(&html, "")),
            Event::Text(text) | Event::Code(text) => self.text.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::Rule => self.text.push(' '),
            Event::End(tag) if is_block_end(tag) => self.text.push(' '),
            _ => {}
        }
    }
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Drops tags (each replaced by `tag_gap`: a space between blocks, nothing inline) and decodes
/// entities.
fn html_to_text(html: &str, tag_gap: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push_str(tag_gap);
            }
            _ if in_tag => {}
            _ => text.push(c),
        }
    }
    decode_entities(&text)
}

/// At most `max_chars` characters; when cut, on a word boundary and ending with `…`.
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let Some(budget) = max_chars.checked_sub(1) else {
        return String::new();
    };
    let head: String = text.chars().take(budget).collect();
    let cut_between_words = text.chars().nth(budget).is_none_or(char::is_whitespace);
    let kept = match head.rfind(' ') {
        _ if cut_between_words => head.as_str(),
        Some(space) => head.get(..space).unwrap_or_default(),
        // One word longer than the budget: cutting inside it is the only way to fit.
        None => head.as_str(),
    };
    let kept = kept.trim_end().trim_end_matches([',', ';', ':', '-', '–', '—']).trim_end();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SAFE: Options = Options { allow_html: false };
    const RAW: Options = Options { allow_html: true };

    fn both(markdown: &str) -> [String; 2] {
        [to_html(markdown, &SAFE), to_html(markdown, &RAW)]
    }

    #[test]
    fn renders_tables_with_alignment_classes() {
        let md = "| Unit | Points |\n|:-----|-------:|\n| A & B | 9,5 |\n";
        let expected = "<table><thead><tr><th class=\"align-left\">Unit</th>\
                        <th class=\"align-right\">Points</th>\
                        </tr></thead><tbody>\n<tr><td class=\"align-left\">A &amp; B</td>\
                        <td class=\"align-right\">9,5</td></tr>\n</tbody></table>\n";
        for html in both(md) {
            assert_eq!(html, expected);
        }
    }

    #[test]
    fn renders_footnotes_with_numbered_ids() {
        let md = "Claim[^src] and more[^b].\n\n[^src]: The source.\n[^b]: Second.\n";
        for html in both(md) {
            assert!(
                html.contains("<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>"),
                "{html}"
            );
            assert!(html.contains("<a href=\"#fn-2\">2</a>"), "{html}");
            assert!(html.contains("<div class=\"footnote-definition\" id=\"fn-1\">"), "{html}");
            assert!(html.contains("<sup class=\"footnote-definition-label\">1</sup>"), "{html}");
        }
    }

    #[test]
    fn footnote_labels_match_case_insensitively() {
        let html = to_html("x[^Note] y[^note]\n\n[^NOTE]: n\n", &SAFE);
        assert_eq!(html.matches("href=\"#fn-1\"").count(), 2, "{html}");
        assert!(html.contains("id=\"fn-1\"") && !html.contains("fn-2"), "{html}");
    }

    #[test]
    fn renders_strikethrough() {
        for html in both("~~old~~ new") {
            assert_eq!(html, "<p><del>old</del> new</p>\n");
        }
    }

    #[test]
    fn heading_ids_are_slugs_and_unique() {
        let md = "# Kết quả Quý 1\n\n## Results\n\n## Results\n\n## Results-1\n\n## `code` & *more*\n\n\
             ## ???\n";
        let expected = [
            "<h1 id=\"ket-qua-quy-1\">Kết quả Quý 1</h1>",
            "<h2 id=\"results\">Results</h2>",
            "<h2 id=\"results-1\">Results</h2>",
            "<h2 id=\"results-1-1\">Results-1</h2>",
            "<h2 id=\"code-more\"><code>code</code> &amp; <em>more</em></h2>",
            "<h2 id=\"section\">???</h2>",
        ];
        for html in both(md) {
            for heading in expected {
                assert!(html.contains(heading), "missing {heading} in {html}");
            }
        }
    }

    #[test]
    fn heading_ids_do_not_take_footnote_ids() {
        let html = to_html("# Fn 1\n\nText[^a].\n\n[^a]: Note.\n", &SAFE);
        assert!(html.contains("<h1 id=\"fn-1-1\">"), "{html}");
        assert!(html.contains("id=\"fn-1\""), "{html}");
    }

    #[test]
    fn script_is_escaped_or_removed() {
        let md = "<script>alert(1)</script>\n\nText <script>alert(2)</script> inline.\n";
        let safe = to_html(md, &SAFE);
        assert!(safe.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"), "{safe}");
        assert!(safe.contains("Text &lt;script&gt;alert(2)&lt;/script&gt; inline."), "{safe}");
        let raw = to_html(md, &RAW);
        assert!(!raw.to_lowercase().contains("script"), "{raw}");
        assert!(!raw.contains("alert(1)"), "{raw}");
    }

    #[test]
    fn raw_html_kept_only_when_allowed() {
        assert_eq!(to_html("<b>x</b>", &SAFE), "<p>&lt;b&gt;x&lt;/b&gt;</p>\n");
        assert_eq!(to_html("<b>x</b>", &RAW), "<p><b>x</b></p>\n");
        let block = "<div class=\"evil\" style=\"color:red\" onclick=\"x()\">hi</div>\n";
        assert_eq!(
            to_html(block, &SAFE),
            "<p>&lt;div class=\"evil\" style=\"color:red\" onclick=\"x()\"&gt;hi&lt;/div&gt;</p>\n"
        );
        assert_eq!(to_html(block, &RAW), "<div>hi</div>\n");
    }

    #[test]
    fn blocked_link_schemes_become_text() {
        let cases = [
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java&#09;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](&#x6A;avascript:alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](%6Aavascript:alert(1))",
            "[x](java%09script:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](VbScript:msgbox)",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x][ref]\n\n[ref]: javascript:alert(1)",
            "[x]\n\n[x]: JaVaScRiPt:alert(1) \"t\"",
        ];
        for md in cases {
            for html in both(md) {
                assert_eq!(html, "<p>x</p>\n", "{md:?}");
            }
        }
    }

    #[test]
    fn blocked_autolinks_and_images_become_text() {
        for html in both("<javascript:alert(1)>") {
            assert_eq!(html, "<p>javascript:alert(1)</p>\n");
        }
        for html in both("![a <b>](data:text/html;base64,PHNjcmlwdD4=)") {
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("data:"), "{html}");
        }
        assert_eq!(to_html("![a *b*](data:image/png;base64,AAAA)", &SAFE), "<p>a b</p>\n");
        assert_eq!(to_html("[![logo](javascript:x)](/home)", &SAFE), "<p><a href=\"/home\">logo</a></p>\n");
    }

    #[test]
    fn raw_anchor_with_javascript_loses_its_href() {
        let md = "<a href=\"javascript:alert(1)\" onclick=\"x()\">x</a> \
                  <a href=\"&#106;avascript:alert(1)\">y</a>";
        let raw = to_html(md, &RAW);
        assert!(!raw.contains("href"), "{raw}");
        assert!(!raw.contains("onclick"), "{raw}");
        let safe = to_html(md, &SAFE);
        assert!(safe.starts_with("<p>&lt;a href=\"javascript:alert(1)\""), "{safe}");
    }

    #[test]
    fn allowed_links_keep_their_url() {
        let cases = [
            ("[r](../units/a/)", "<p><a href=\"../units/a/\">r</a></p>\n"),
            ("[q](/x?a=1&b='2')", "<p><a href=\"/x?a=1&amp;b=&#39;2&#39;\">q</a></p>\n"),
            ("[t](/x \"A \\\"title\\\"\")", "<p><a href=\"/x\" title=\"A &quot;title&quot;\">t</a></p>\n"),
            ("[e](https://example.org/)", "<p><a href=\"https://example.org/\" rel=\"noopener\">e</a></p>\n"),
            (
                "<HTTP://EXAMPLE.ORG>",
                "<p><a href=\"HTTP://EXAMPLE.ORG\" rel=\"noopener\">HTTP://EXAMPLE.ORG</a></p>\n",
            ),
            ("<a@b.vn>", "<p><a href=\"mailto:a@b.vn\">a@b.vn</a></p>\n"),
            ("[s](<a b.md>)", "<p><a href=\"a%20b.md\">s</a></p>\n"),
            ("[v](/tin-tức/)", "<p><a href=\"/tin-tức/\">v</a></p>\n"),
            ("[d](#data:x)", "<p><a href=\"#data:x\">d</a></p>\n"),
            ("![Ảnh](photo.jpg \"T\")", "<p><img src=\"photo.jpg\" alt=\"Ảnh\" title=\"T\" /></p>\n"),
        ];
        for (md, expected) in cases {
            assert_eq!(to_html(md, &SAFE), expected, "{md}");
        }
        let raw = to_html("[e](https://example.org/) ![a](p.png)", &RAW);
        assert_eq!(
            raw,
            "<p><a href=\"https://example.org/\" rel=\"noopener\">e</a> <img src=\"p.png\" alt=\"a\"></p>\n"
        );
    }

    #[test]
    fn sanitiser_keeps_our_markup_and_filters_user_attributes() {
        let md = "```rust\nfn x() {}\n```\n\n<p id=\"Bad Id\" class=\"align-left\">t</p>\n\n\
                  <a href=\"/x\" rel=\"opener\" target=\"_blank\">y</a>";
        let raw = to_html(md, &RAW);
        assert!(raw.contains("<code class=\"language-rust\">"), "{raw}");
        assert!(raw.contains("<p>t</p>"), "{raw}");
        assert!(raw.contains("<a href=\"/x\">y</a>"), "{raw}");
    }

    #[test]
    fn output_is_deterministic() {
        let md = "# A\n\n# A\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\nx[^1] y[^2]\n\n[^2]: two\n[^1]: one\n";
        for options in [SAFE, RAW] {
            let first = to_html(md, &options);
            for _ in 0..5 {
                assert_eq!(to_html(md, &options), first);
            }
        }
    }

    #[test]
    fn plain_text_drops_markup() {
        let cases = [
            ("# Title\n\nSome *emphasis* and `code`.", "Title Some emphasis and code."),
            ("A &amp; B &lt;3 &#8212; &nbsp;x", "A & B <3 — x"),
            ("<div class=\"x\">\nInside <b>bold</b>\n</div>\n\nAfter", "Inside bold After"),
            ("Inline <span title=\"a>b\">text</span>.", "Inline b\">text."),
            ("[link](javascript:alert(1)) ![alt](x.png)", "link alt"),
            ("Note[^1].\n\n[^1]: Hidden footnote.", "Note."),
            ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
            ("line one\nline two  \nline three", "line one line two line three"),
            ("", ""),
        ];
        for (md, expected) in cases {
            assert_eq!(to_plain_text(md, 1000), expected, "{md:?}");
        }
    }

    #[test]
    fn plain_text_truncates_on_word_boundary() {
        let text = "Đơn vị dẫn đầu phong trào thi đua";
        let cases: [(usize, &str); 8] = [
            (100, text),
            (text.chars().count(), text),
            (16, "Đơn vị dẫn đầu…"),
            (15, "Đơn vị dẫn đầu…"),
            (14, "Đơn vị dẫn…"),
            (3, "Đơ…"),
            (1, "…"),
            (0, ""),
        ];
        for (max, expected) in cases {
            let out = to_plain_text(text, max);
            assert_eq!(out, expected, "max {max}");
            assert!(out.chars().count() <= max);
        }
        assert_eq!(to_plain_text("one, two three", 7), "one…");
    }

    /// Values of `href` and `src` attributes of real tags, as a browser would read them.
    fn url_attributes(html: &str) -> Vec<String> {
        let lower = html.to_lowercase();
        let mut values = Vec::new();
        for (at, _) in lower.match_indices('<') {
            let tag = &lower[at + 1..];
            if tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
                let name_end = tag.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(tag.len());
                for (name, value) in attributes(&tag[name_end..]) {
                    if name == "href" || name == "src" {
                        values.push(decode_numeric_entities(&value).trim().to_lowercase());
                    }
                }
            }
        }
        values
    }

    /// The attributes at the start of `rest` (just after a tag name), up to the tag's `>`.
    fn attributes(mut rest: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                return found;
            }
            let name_end = rest.find(|c: char| c.is_whitespace() || "=>/".contains(c)).unwrap_or(rest.len());
            let name = rest[..name_end].to_string();
            rest = rest[name_end..].trim_start();
            let Some(after_eq) = rest.strip_prefix('=') else {
                found.push((name, String::new()));
                continue;
            };
            let after_eq = after_eq.trim_start();
            let (value, tail) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end =
                        after_eq.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            found.push((name, value.to_string()));
            rest = tail;
        }
    }

    /// Independent of the module's decoder, so a bug there cannot hide here.
    fn decode_numeric_entities(value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(at) = rest.find("&#") {
            out.push_str(&rest[..at]);
            let body = &rest[at + 2..];
            let (radix, digits) = match body.strip_prefix(['x', 'X']) {
                Some(hex) => (16, hex),
                None => (10, body),
            };
            let len = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
            match u32::from_str_radix(&digits[..len], radix).ok().and_then(char::from_u32) {
                Some(c) => {
                    out.push(c);
                    rest = digits[len..].strip_prefix(';').unwrap_or(&digits[len..]);
                }
                None => {
                    out.push_str("&#");
                    rest = body;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn assert_safe(html: &str) -> Result<(), TestCaseError> {
        prop_assert!(!html.to_lowercase().contains("<script"), "script in {html}");
        for url in url_attributes(html) {
            let squeezed: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
            for scheme in BLOCKED_SCHEMES {
                prop_assert!(!squeezed.starts_with(scheme), "{url:?} in {html}");
            }
        }
        Ok(())
    }

    /// Markdown assembled from fragments that tend to produce links, images and raw HTML.
    fn hostile_markdown() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            Just("["),
            Just("]"),
            Just("("),
            Just(")"),
            Just("!"),
            Just("<"),
            Just(">"),
            Just("\""),
            Just("'"),
            Just(" "),
            Just("\t"),
            Just("\n"),
            Just("&#"),
            Just("&#x"),
            Just(";"),
            Just("%"),
            Just(":"),
            Just("javascript:"),
            Just("JaVaScRiPt"),
            Just("vbscript:"),
            Just("data:"),
            Just("java"),
            Just("script"),
            Just("6A"),
            Just("106"),
            Just("<script>"),
            Just("<a href="),
            Just("<img src="),
            Just("[x]: "),
            Just("[^1]"),
            Just("&colon;"),
            Just("|"),
            Just("#"),
            Just("`"),
            Just("\\"),
        ];
        prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_input_never_yields_script_or_blocked_urls(md in any::<String>()) {
            assert_safe(&to_html(&md, &SAFE))?;
            assert_safe(&to_html(&md, &RAW))?;
        }

        #[test]
        fn hostile_input_never_yields_script_or_blocked_urls(md in hostile_markdown()) {
            assert_safe(&to_html(&md, &SAFE))?;
            assert_safe(&to_html(&md, &RAW))?;
        }

        #[test]
        fn plain_text_respects_its_limit(md in any::<String>(), max in 0usize..60) {
            let text = to_plain_text(&md, max);
            prop_assert!(text.chars().count() <= max);
            prop_assert!(!text.contains("  "));
        }
    }
}
