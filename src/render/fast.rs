//! The site's big repeated tables, written straight into a string instead of through the
//! template interpreter: each period section of every unit page with its criterion rows
//! (periods × criteria per unit), the ranking rows of scoreboards, cluster pages and reports,
//! and the rows of the per-criterion rankings. On a campaign of 10,000 units these are most of
//! the site's bytes; running them through Tera (and converting every row into template values)
//! was most of a build, and writing them here took the 10k build from 66 to 39 CPU seconds
//! (docs/performance.md).
//!
//! The rows are written from the corpus and the scores themselves (a `Ctx`), not from the row
//! views the templates get (`views::boards::board_row`, `criterion_row`, a unit period's
//! `groups`): those copied each unit's name and url and formatted every number into a String
//! of its own, which cost more than writing the row. Numbers go straight into the output
//! (`Fmt::push_*`), UI sentences are filled as they are escaped, and what repeats on every row
//! of a table or page (the root, a criterion's link and method) is escaped once. The parts of
//! a unit's period section that are not rows still come from its view.
//!
//! Each writer produces exactly what the default theme's loop produces (same markup, same
//! whitespace, same escaping as Tera's autoescape), and the loop stays in the template as the
//! fallback: a site that overrides any template gets every row from its templates instead
//! (`Renderer::new` decides). `tests/integration/site.rs` builds sites both ways and compares
//! every output byte, so the two cannot drift apart.

use rust_decimal::Decimal;

use super::i18n::{Missing, Strings};
use super::locale;
use super::views::boards::CriterionInfo;
use super::views::unit::{ItemRow, TargetView, UnitInfo, UnitPeriod, evidence_title, explain, explains};
use super::views::{Ctx, Fmt};
use crate::model::Value;

/// Appends `text` escaped as Tera's autoescape does (`& < > " '`).
fn esc(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(pulldown_cmark_escape::FmtWriter(&mut *out), text);
}

/// Tera's truthiness for an optional string: present and not empty.
fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// UI strings as a template's `t()` writes them: looked up, filled, escaped. Each string is
/// looked up and escaped when a row first needs it (so that, as in the template, a key no row
/// needs is never asked for) and copied after that: a table or a page repeats the same few
/// strings on every row. One is made per table and per unit page.
pub(super) struct Phrases<'a> {
    strings: &'a Strings,
    /// Keys and their strings, in the order first asked for.
    made: Vec<(&'static str, Phrase)>,
    /// Where in `made` a key was last found, by the key's address: keys are literals, so nearly
    /// every look-up (some 400 on a unit page) ends here instead of comparing keys.
    recent: [Option<(&'static str, usize)>; 128],
}

impl<'a> Phrases<'a> {
    pub(super) fn new(strings: &'a Strings) -> Phrases<'a> {
        Phrases { strings, made: Vec::new(), recent: [None; 128] }
    }

    fn phrase(&mut self, key: &'static str) -> Result<&Phrase, Missing> {
        // Fibonacci hashing: the top bits of the product mix every bit of the address.
        let slot = ((key.as_ptr() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57) as usize;
        let at = match self.recent[slot] {
            Some((k, at)) if std::ptr::eq(k, key) => at,
            _ => {
                let at = match self.made.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        self.made.push((key, Phrase::new(self.strings.get(key)?)));
                        self.made.len() - 1
                    }
                };
                self.recent[slot] = Some((key, at));
                at
            }
        };
        Ok(&self.made[at].1)
    }

    /// The string `key`, escaped.
    fn html(&mut self, key: &'static str) -> Result<&str, Missing> {
        Ok(&self.phrase(key)?.html)
    }

    fn put(&mut self, out: &mut String, key: &'static str) -> Result<(), Missing> {
        out.push_str(self.html(key)?);
        Ok(())
    }

    fn put_with(
        &mut self,
        out: &mut String,
        key: &'static str,
        args: &[(&str, &str)],
    ) -> Result<(), Missing> {
        self.phrase(key)?.fill(out, args);
        Ok(())
    }
}

/// A UI string escaped, and where its placeholders may be: each `{` with the first `}` after
/// it, found once rather than on every row.
struct Phrase {
    html: String,
    braces: Vec<(usize, usize)>,
}

impl Phrase {
    fn new(text: &str) -> Phrase {
        let mut html = String::with_capacity(text.len());
        esc(&mut html, text);
        let braces = html
            .match_indices('{')
            .filter_map(|(open, _)| Some((open, open + 1 + html[open + 1..].find('}')?)))
            .collect();
        Phrase { html, braces }
    }

    /// Appends the phrase with each `{name}` of `args` replaced by its value escaped. This is
    /// `i18n::fill`'s scan (a `{` that names no argument stays, and the search goes on after
    /// it) on the escaped text, which gives the same as escaping what `fill` makes: escaping
    /// leaves every brace where it was and changes no placeholder name (names have none of
    /// `& < > " '`).
    fn fill(&self, out: &mut String, args: &[(&str, &str)]) {
        let mut from = 0;
        for &(open, close) in &self.braces {
            if open < from {
                continue;
            }
            let name = &self.html[open + 1..close];
            if let Some((_, value)) = args.iter().find(|(n, _)| *n == name) {
                out.push_str(&self.html[from..open]);
                esc(out, value);
                from = close + 1;
            }
        }
        out.push_str(&self.html[from..]);
    }
}

/// `none_mark(label)`.
fn none_mark(out: &mut String, t: &mut Phrases<'_>, key: &'static str) -> Result<(), Missing> {
    out.push_str(
        r#"<span class="none-mark"><span aria-hidden="true">—</span><span class="visually-hidden">"#,
    );
    t.put(out, key)?;
    out.push_str("</span></span>");
    Ok(())
}

/// Appends "yes" or "no" for a pass/fail value, as `qty` writes its value; false when the
/// string is empty, which the template treats as no value.
fn yes_no(out: &mut String, t: &mut Phrases<'_>, yes: bool) -> Result<bool, Missing> {
    let html = t.html(if yes { "value.yes" } else { "value.no" })?;
    out.push_str(html);
    Ok(!html.is_empty())
}

/// `qty(value, unit)` after its value, which the caller has written (numbers straight into
/// the output: they hold nothing to escape).
fn qty_unit(out: &mut String, unit: Option<&str>) {
    match unit {
        Some("%") => out.push('%'),
        Some(u) if !u.is_empty() => {
            out.push_str("&nbsp;");
            esc(out, u);
        }
        _ => {}
    }
}

/// An id and a title escaped for HTML, for a link to `{base}{id}/` showing the title.
#[derive(Debug)]
struct EscapedLink {
    id: Box<str>,
    title: Box<str>,
}

impl EscapedLink {
    fn new(id: &str, title: &str) -> EscapedLink {
        let mut html = String::with_capacity(id.len() + title.len() + 8);
        esc(&mut html, id);
        let split = html.len();
        esc(&mut html, title);
        EscapedLink { id: html[..split].into(), title: html[split..].into() }
    }
}

/// What the big tables repeat on every row, escaped once per render rather than once per row
/// (a 10,000-unit site has 1.4 million ranking rows): each unit's id and name, each cluster's
/// id and title, each tier's whole badge.
#[derive(Debug)]
pub(in crate::render) struct Escaped {
    units: Vec<EscapedLink>,
    clusters: Vec<EscapedLink>,
    tiers: Vec<Box<str>>,
}

impl Escaped {
    pub(in crate::render) fn new(corpus: &crate::model::Corpus) -> Escaped {
        let tier = |tier: &crate::model::Tier| {
            let mut html = String::from(r#"<span class="tier tier-"#);
            esc(&mut html, &tier.id);
            html.push_str(r#"">"#);
            esc(&mut html, &tier.title);
            html.push_str("</span>");
            html.into_boxed_str()
        };
        let camp = &corpus.campaign;
        Escaped {
            units: corpus.units.iter().map(|u| EscapedLink::new(&u.id, &u.name)).collect(),
            clusters: camp.clusters.iter().map(|c| EscapedLink::new(&c.id, &c.title)).collect(),
            tiers: camp.tiers.iter().map(tier).collect(),
        }
    }
}

/// A `link` to the page `{base}{id}/` showing its title, for a cell that sorts by its text.
fn name_link(out: &mut String, root_html: &str, base: &str, link: &EscapedLink) {
    out.push_str("<a href=\"");
    out.push_str(root_html);
    out.push_str(base);
    out.push_str(&link.id);
    out.push_str("/\">");
    out.push_str(&link.title);
    out.push_str("</a>");
}

/// What a table's writer keeps from one chunk of rows to the next: the page's root escaped
/// (once per table rather than once per row) and the UI strings the rows repeat.
pub(super) struct TableText<'a> {
    root_html: String,
    phrases: Phrases<'a>,
}

impl<'a> TableText<'a> {
    pub(super) fn new(strings: &'a Strings, root: &str) -> TableText<'a> {
        let mut root_html = String::with_capacity(root.len());
        esc(&mut root_html, root);
        TableText { root_html, phrases: Phrases::new(strings) }
    }
}

/// The flag of a value a reporting unit did not give.
fn missing_flag(out: &mut String, t: &mut Phrases<'_>) -> Result<(), Missing> {
    out.push_str("<span class=\"flag flag-missing\"><span aria-hidden=\"true\">⚠&#xfe0e;</span> ");
    t.put(out, "unit.missing_value")?;
    out.push_str("</span>");
    Ok(())
}

/// The tag of a target the unit registered itself, after `lead` (the template's whitespace).
fn own_target_tag(out: &mut String, t: &mut Phrases<'_>, lead: &str) -> Result<(), Missing> {
    out.push_str(lead);
    out.push_str("<span class=\"tag tag-own\" title=\"");
    t.put(out, "unit.target_own_title")?;
    out.push_str("\">");
    t.put(out, "unit.target_own")?;
    out.push_str("</span>");
    Ok(())
}

/// `rank_cell(r)` for a rank and its change since the previous period (what `RankView::new`
/// is made from); `scratch` holds the change's digits for the sentence that reads it out.
fn rank_cell(
    out: &mut String,
    t: &mut Phrases<'_>,
    fmt: &Fmt,
    rank: Option<u32>,
    change: Option<i64>,
    scratch: &mut String,
) -> Result<(), Missing> {
    match rank.filter(|&n| n != 0) {
        Some(n) => {
            out.push_str(r#"<span class="rank-no">"#);
            push_number(out, n);
            out.push_str("</span> ");
            rank_change(out, t, fmt, change, scratch)
        }
        None => none_mark(out, t, "rank.none"),
    }
}

/// `rank_change(r)` for a change of `change` places (`RankView::new`'s `change`).
fn rank_change(
    out: &mut String,
    t: &mut Phrases<'_>,
    fmt: &Fmt,
    change: Option<i64>,
    scratch: &mut String,
) -> Result<(), Missing> {
    let Some(change) = change else { return Ok(()) };
    if change == 0 {
        out.push_str(
            r#"<span class="chg chg-same"><span aria-hidden="true">=</span><span class="visually-hidden">"#,
        );
        t.put(out, "rank.same")?;
        out.push_str("</span></span>");
        return Ok(());
    }
    // `RankView::new` writes the change with its sign (`Fmt::signed`), and the sentence takes
    // the digits after the sign.
    let (dir, arrow, sign, key) =
        if change > 0 { ("up", "▲", '+', "rank.up") } else { ("down", "▼", '-', "rank.down") };
    scratch.clear();
    locale::push_number(scratch, Decimal::from(change.unsigned_abs()), 0, fmt.lang);
    out.push_str(r#"<span class="chg chg-"#);
    out.push_str(dir);
    out.push_str(r#""><span aria-hidden="true">"#);
    out.push_str(arrow);
    out.push_str("&#xfe0e;&nbsp;");
    out.push(sign);
    esc(out, scratch);
    out.push_str(r#"</span><span class="visually-hidden">"#);
    t.put_with(out, key, &[("n", scratch)])?;
    out.push_str("</span></span>");
    Ok(())
}

/// `tier_badge(tier)` for the tier at index `tier` of the campaign, if any.
fn tier_badge(
    out: &mut String,
    t: &mut Phrases<'_>,
    ctx: &Ctx<'_>,
    tier: Option<usize>,
) -> Result<(), Missing> {
    match tier {
        Some(tier) => out.push_str(&ctx.idx.escaped.tiers[tier]),
        None => none_mark(out, t, "tier.none")?,
    }
    Ok(())
}

/// `n` in decimal digits, as Tera prints an integer. Written by hand: `write!` through
/// `fmt::Write` cost more than the rest of a criterion row's rank cell, and a few pushes cost
/// less than copying a short slice.
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// What every period of every unit page shows of each criterion: the cells before a row's
/// value (the criterion's link after the page's root, and its method) as HTML, and the maxima of
/// the criteria and of their groups. The same for all unit pages, which share one
/// (`Ctx::unit_texts`): made for each page, it was 3.5% of a build.
pub(super) struct UnitTexts {
    /// One per criterion, in table order.
    criteria: Vec<CriterionText>,
    /// One per group, in order.
    group_max: Vec<String>,
}

struct CriterionText {
    /// The row's head from the link's path on: `criteria/<id>/">...</th><td>`.
    head_html: String,
    max: String,
}

impl UnitTexts {
    pub(super) fn new(ctx: &Ctx<'_>) -> Result<UnitTexts, Missing> {
        let criteria = ctx
            .corpus
            .criteria()
            .map(|k| {
                let mut o = String::with_capacity(256);
                o.push_str("criteria/");
                esc(&mut o, &k.id);
                o.push_str("/\"><span class=\"crit-id\">");
                esc(&mut o, &k.id);
                o.push_str("</span> ");
                esc(&mut o, &k.title);
                o.push_str("</a> <span class=\"method\">");
                esc(&mut o, ctx.strings.get(&format!("method.{}", k.method.name()))?);
                o.push_str("</span></th><td>");
                Ok(CriterionText { head_html: o, max: ctx.fmt.as_written(k.max) })
            })
            .collect::<Result<_, Missing>>()?;
        let group_max = ctx
            .corpus
            .criteria
            .groups
            .iter()
            .map(|g| ctx.fmt.as_written(g.criteria.iter().map(|x| x.max).sum()))
            .collect();
        Ok(UnitTexts { criteria, group_max })
    }
}

/// Whether a registered target `tv` is criterion `id`'s (the template compares their urls).
fn is_target_of(tv: &TargetView, id: &str) -> bool {
    tv.criterion.url.strip_prefix("criteria/").and_then(|rest| rest.strip_suffix('/')) == Some(id)
}

/// Appends the `<tbody>` groups of unit `u`'s points table in period `p` (the loop over
/// `p.groups` in `partials/unit_period.html`), from the scores themselves rather than from
/// `views::unit`'s rows: a unit page explains 120 points, and each row's view was a dozen
/// Strings. `targets` are the unit's registered targets.
fn unit_groups(
    o: &mut String,
    t: &mut Phrases<'_>,
    ctx: &Ctx<'_>,
    (u, p): (usize, usize),
    (texts, root_html): (&UnitTexts, &str),
    targets: &[TargetView],
) -> Result<(), Missing> {
    let (c, fmt) = (ctx.corpus, &ctx.fmt);
    let s = &ctx.period(p).units[u];
    let results = c.units[u].results.get(&c.campaign.periods[p].id);
    // A row's points (also in its explanation), and the explanation's other numbers.
    let (mut points, mut scratch) = (String::new(), String::new());
    let mut k = 0;
    for (group, group_max) in c.criteria.groups.iter().zip(&texts.group_max) {
        let mut sum = Decimal::ZERO;
        for i in 0..group.criteria.len() {
            sum += s.criteria[k + i].points;
        }
        o.push_str(
            "\n    <tbody>\n      <tr class=\"group-row\">\n        <th scope=\"rowgroup\" colspan=\"3\">",
        );
        esc(o, &group.id);
        o.push_str(". ");
        esc(o, &group.title);
        o.push_str("</th>\n        <td class=\"num\">");
        points.clear();
        fmt.push_points(&mut points, sum);
        t.put_with(o, "unit.group_points", &[("points", &points), ("max", group_max)])?;
        o.push_str("</td>\n        <td></td>\n      </tr>");
        for criterion in &group.criteria {
            let (score, shown) = (&s.criteria[k], &texts.criteria[k]);
            k += 1;
            let unit = criterion.unit.as_deref();
            o.push_str("\n<tr");
            if score.missing {
                o.push_str(" class=\"is-missing\"");
            }
            o.push_str("><th scope=\"row\" class=\"crit\"><a href=\"");
            o.push_str(root_html);
            o.push_str(&shown.head_html);
            let shows_value = match score.value {
                Some(Value::Number(n)) => {
                    fmt.push_as_written(o, n);
                    true
                }
                Some(Value::Bool(b)) => yes_no(o, t, b)?,
                None => false,
            };
            if shows_value {
                qty_unit(o, unit);
            } else if score.missing {
                missing_flag(o, t)?;
            } else {
                none_mark(o, t, "value.none")?;
            }
            o.push_str("</td><td>");
            if let Some(target) = score.target {
                fmt.push_as_written(o, target);
                qty_unit(o, unit);
                if score.target_overridden {
                    for tv in targets.iter().filter(|tv| is_target_of(tv, &criterion.id)) {
                        own_target_tag(o, t, " ")?;
                        if let Some(default) = text(&tv.default_target) {
                            o.push_str("<span class=\"small muted block\">");
                            t.put_with(o, "unit.target_default_is", &[("target", default)])?;
                            o.push_str("</span>");
                        }
                    }
                }
            } else {
                none_mark(o, t, "value.none")?;
            }
            o.push_str("</td><td><strong>");
            points.clear();
            fmt.push_points(&mut points, score.points);
            o.push_str(&points);
            o.push_str("</strong>&nbsp;/&nbsp;");
            esc(o, &shown.max);
            if score.capped {
                o.push_str(" <span class=\"tag\" title=\"");
                t.put(o, "unit.capped_title")?;
                o.push_str("\">");
                t.put(o, "unit.capped")?;
                o.push_str("</span>");
            }
            o.push_str("</td><td class=\"col-explain\">");
            if explains(score, s.reported) {
                let start = o.len();
                o.push_str("<span class=\"explain\">");
                let sentence = o.len();
                explain(ctx, criterion, score, &points, &shown.max, &mut scratch, |key, args| {
                    t.put_with(o, key, args)
                })?;
                // The template shows no span for an empty sentence.
                if o.len() == sentence {
                    o.truncate(start);
                } else {
                    o.push_str("</span>");
                }
            }
            let note = results.and_then(|r| r.notes.get(&criterion.id)).map(|n| n.value.as_str());
            if let Some(note) = note.filter(|n| !n.is_empty()) {
                o.push_str("<p class=\"note\"><span class=\"note-label\">");
                t.put(o, "unit.note")?;
                o.push_str(":</span> ");
                esc(o, note);
                o.push_str("</p>");
            }
            let evidence = results.and_then(|r| r.evidence.get(&criterion.id)).map_or(&[][..], |e| &e[..]);
            if !evidence.is_empty() {
                o.push_str("<p class=\"evidence\"><span class=\"note-label\">");
                t.put(o, "unit.evidence")?;
                o.push_str(":</span>");
                for (i, path) in evidence.iter().enumerate() {
                    let url = path.value.as_str();
                    o.push_str(" <a href=\"");
                    esc(o, url);
                    o.push('"');
                    if url.starts_with("http") {
                        o.push_str(" rel=\"noopener external\"");
                    }
                    o.push('>');
                    esc(o, evidence_title(url));
                    o.push_str("</a>");
                    if i + 1 < evidence.len() {
                        o.push(';');
                    }
                }
                o.push_str("</p>");
            }
            o.push_str("</td></tr>");
        }
        o.push_str("\n    </tbody>");
    }
    Ok(())
}

/// Period `p`'s section of unit `u`'s page (`partials/unit_period.html`): the numbers of `v`
/// (the period's view, made without rows) around the rows `unit_groups` writes.
pub(super) fn unit_period(
    ctx: &Ctx<'_>,
    (u, p): (usize, usize),
    v: &UnitPeriod,
    unit: &UnitInfo,
    texts: &UnitTexts,
    t: &mut Phrases<'_>,
    root: &str,
) -> Result<String, Missing> {
    let s = &ctx.period(p).units[u];
    let rows: usize = ctx.corpus.criteria.groups.iter().map(|g| 400 + 700 * g.criteria.len()).sum();
    let mut out = String::with_capacity(rows + 6 * 1024);
    let o = &mut out;
    let mut scratch = String::new();
    let title = v.title.as_str();
    o.push_str("<section class=\"unit-period");
    if v.current {
        o.push_str(" is-current");
    }
    o.push_str("\" id=\"period-");
    esc(o, &v.id);
    o.push_str("\" aria-labelledby=\"period-");
    esc(o, &v.id);
    o.push_str("-title\">\n  <h2 id=\"period-");
    esc(o, &v.id);
    o.push_str("-title\">");
    esc(o, title);
    if v.current {
        o.push_str(" <span class=\"badge badge-current\">");
        t.put(o, "period.current")?;
        o.push_str("</span>");
    }
    o.push_str("</h2>");
    if !v.reported {
        o.push_str("\n  <p class=\"flag flag-missing\"><span aria-hidden=\"true\">⚠&#xfe0e;</span> ");
        t.put_with(o, "unit.not_reported", &[("period", title)])?;
        o.push_str("</p>\n</section>\n");
        return Ok(out);
    }
    o.push_str("\n  <dl class=\"stats\">\n    <div class=\"stat\"><dt>");
    t.put(o, "col.total")?;
    o.push_str("</dt><dd class=\"stat-big\">");
    esc(o, &v.total);
    o.push_str("</dd></div>\n    <div class=\"stat\"><dt>");
    t.put(o, "col.tier")?;
    o.push_str("</dt><dd>");
    tier_badge(o, t, ctx, s.tier)?;
    o.push_str("</dd></div>\n    <div class=\"stat\"><dt>");
    t.put(o, "unit.rank_overall")?;
    o.push_str("</dt><dd>");
    match s.rank.filter(|&n| n != 0) {
        Some(rank) => {
            let (rank, ranked) = (rank.to_string(), v.ranked.to_string());
            t.put_with(o, "unit.rank_of", &[("rank", &rank), ("ranked", &ranked)])?;
            o.push(' ');
            rank_change(o, t, &ctx.fmt, s.rank_change, &mut scratch)?;
        }
        None => none_mark(o, t, "rank.none")?,
    }
    o.push_str("</dd></div>");
    if unit.cluster.is_some() {
        o.push_str("\n    <div class=\"stat\"><dt>");
        t.put(o, "unit.rank_cluster")?;
        o.push_str("</dt><dd>");
        rank_cell(o, t, &ctx.fmt, s.cluster_rank, s.cluster_rank_change, &mut scratch)?;
        o.push_str("</dd></div>");
    }
    o.push_str("\n  </dl>\n  <p class=\"links\"><a href=\"");
    esc(o, root);
    esc(o, &v.scoreboard_url);
    o.push_str("\">");
    t.put_with(o, "unit.see_scoreboard", &[("period", title)])?;
    o.push_str("</a></p>\n\n  <div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"");
    t.put_with(o, "unit.points_caption", &[("period", title)])?;
    o.push_str("\">\n  <table class=\"points-table\">\n    <caption>");
    t.put_with(o, "unit.points_caption", &[("period", title)])?;
    o.push_str("</caption>\n    <thead>\n      <tr>\n        <th scope=\"col\">");
    t.put(o, "col.criterion")?;
    o.push_str("</th>\n        <th scope=\"col\" class=\"num\">");
    t.put(o, "col.value")?;
    o.push_str("</th>\n        <th scope=\"col\" class=\"num\">");
    t.put(o, "col.target")?;
    o.push_str("</th>\n        <th scope=\"col\" class=\"num\">");
    t.put(o, "col.points_max")?;
    o.push_str("</th>\n        <th scope=\"col\" class=\"col-explain\">");
    t.put(o, "col.explanation")?;
    o.push_str("</th>\n      </tr>\n    </thead>");
    let targets = unit.registration.as_ref().map_or(&[][..], |r| &r.targets[..]);
    let mut root_html = String::with_capacity(root.len());
    esc(&mut root_html, root);
    unit_groups(o, t, ctx, (u, p), (texts, &root_html), targets)?;
    o.push_str("\n    <tfoot>\n      <tr>\n        <th scope=\"row\" colspan=\"3\">");
    t.put(o, "unit.criteria_sum")?;
    o.push_str("</th>\n        <td class=\"num\">");
    esc(o, &v.criteria_points);
    o.push_str("</td>\n        <td></td>\n      </tr>");
    for (label, sign, items, value, capped, capped_key) in [
        ("col.bonus", "+", &v.bonus_items, &v.bonus, v.bonus_capped, "unit.bonus_capped"),
        ("col.penalty", "−", &v.penalty_items, &v.penalty, v.penalty_capped, "unit.penalty_capped"),
    ] {
        o.push_str("\n      <tr>\n        <th scope=\"row\" colspan=\"3\">");
        t.put(o, label)?;
        o.push_str("</th>\n        <td class=\"num\">");
        if !items.is_empty() {
            o.push_str(sign);
        }
        esc(o, value);
        o.push_str("</td>\n        <td class=\"col-explain\">");
        if capped {
            t.put(o, capped_key)?;
        }
        o.push_str("</td>\n      </tr>");
    }
    o.push_str("\n      <tr class=\"total-row\">\n        <th scope=\"row\" colspan=\"3\">");
    t.put(o, "col.total")?;
    o.push_str("</th>\n        <td class=\"num\"><strong>");
    esc(o, &v.total);
    o.push_str("</strong></td>\n        <td class=\"col-explain muted\">");
    t.put(o, "unit.total_rule")?;
    o.push_str("</td>\n      </tr>\n    </tfoot>\n  </table>\n  </div>");
    if !v.bonus_items.is_empty() || !v.penalty_items.is_empty() {
        o.push_str("\n  <div class=\"items grid-2\">");
        item_table(o, t, &v.bonus_items, "unit.bonus_caption", "+", title)?;
        item_table(o, t, &v.penalty_items, "unit.penalty_caption", "−", title)?;
        o.push_str("\n  </div>");
    }
    o.push_str("\n</section>\n");
    Ok(out)
}

/// A unit's bonus or penalty items in one period; nothing when there are none.
fn item_table(
    o: &mut String,
    t: &mut Phrases<'_>,
    items: &[ItemRow],
    caption: &'static str,
    sign: &str,
    period: &str,
) -> Result<(), Missing> {
    if items.is_empty() {
        return Ok(());
    }
    o.push_str("\n    <div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"");
    t.put_with(o, caption, &[("period", period)])?;
    o.push_str("\">\n    <table class=\"items-table\">\n      <caption>");
    t.put_with(o, caption, &[("period", period)])?;
    o.push_str("</caption>\n      <thead><tr><th scope=\"col\">");
    t.put(o, "col.item")?;
    o.push_str("</th><th scope=\"col\" class=\"num\">");
    t.put(o, "col.points")?;
    o.push_str("</th><th scope=\"col\">");
    t.put(o, "col.explanation")?;
    o.push_str("</th></tr></thead>\n      <tbody>");
    for it in items {
        o.push_str("\n        <tr><th scope=\"row\">");
        esc(o, &it.title);
        o.push_str("</th><td class=\"num\">");
        o.push_str(sign);
        esc(o, &it.points);
        o.push_str("</td><td>");
        esc(o, &it.explanation);
        o.push_str("</td></tr>");
    }
    o.push_str("\n      </tbody>\n    </table>\n    </div>");
    Ok(())
}

/// Which columns a ranking table shows (the `board_table` component's flags).
#[derive(Debug, Clone, Copy)]
pub(super) struct BoardColumns {
    /// Rank within the cluster first, then the overall rank (instead of the cluster column).
    pub(super) in_cluster: bool,
    pub(super) show_criteria: bool,
    pub(super) show_cluster: bool,
}

/// About how many bytes `board_rows` writes for `rows`, to size buffers.
pub(super) fn board_rows_size(rows: usize, criteria: usize, cols: BoardColumns) -> usize {
    rows * (500 + if cols.show_criteria { criteria * 14 } else { 0 })
}

/// Appends the `<tbody>` rows of a ranking table (`partials/components.html`, `board_table`'s
/// loop) to `o`: the units `units` of a ranking in period `p`. Written from the scores
/// themselves, without `views::boards::board_row`, whose 30 criterion cells were two formatted
/// strings each.
pub(super) fn board_rows(
    o: &mut String,
    ctx: &Ctx<'_>,
    p: usize,
    units: &[usize],
    cols: BoardColumns,
    text: &mut TableText<'_>,
) -> Result<(), Missing> {
    let TableText { root_html, phrases: t } = text;
    let (scores, fmt) = (&ctx.period(p).units, &ctx.fmt);
    let mut scratch = String::new();
    for &u in units {
        let s = &scores[u];
        let (rank, change) =
            if cols.in_cluster { (s.cluster_rank, s.cluster_rank_change) } else { (s.rank, s.rank_change) };
        o.push_str("\n<tr><td>");
        rank_cell(o, t, fmt, rank, change, &mut scratch)?;
        o.push_str("</td><th scope=\"row\">");
        name_link(o, root_html, "units/", &ctx.idx.escaped.units[u]);
        o.push_str("</th>");
        if cols.in_cluster {
            o.push_str("<td>");
            rank_cell(o, t, fmt, s.rank, s.rank_change, &mut scratch)?;
            o.push_str("</td>");
        } else if cols.show_cluster {
            o.push_str("<td class=\"col-cluster\">");
            match ctx.cluster_of(u) {
                Some(c) => name_link(o, root_html, "clusters/", &ctx.idx.escaped.clusters[c]),
                None => none_mark(o, t, "units.no_cluster")?,
            }
            o.push_str("</td>");
        }
        o.push_str("<td class=\"col-tier\" data-sort=\"");
        fmt.push_raw(o, s.total);
        o.push_str("\">");
        tier_badge(o, t, ctx, s.tier)?;
        o.push_str("</td>");
        if cols.show_criteria {
            for c in s.criteria.iter() {
                o.push_str("<td>");
                fmt.push_points(o, c.points);
                o.push_str("</td>");
            }
        }
        o.push_str("<td>");
        fmt.push_points(o, s.bonus_total);
        o.push_str("</td><td>");
        fmt.push_points(o, s.penalty_total);
        o.push_str("</td><td class=\"total\"><strong>");
        fmt.push_points(o, s.total);
        o.push_str("</strong></td></tr>");
    }
    Ok(())
}

/// What a criterion page's rows show of the criterion itself, escaped once per table.
#[derive(Debug, Clone)]
pub(super) struct CriterionColumns {
    /// What `qty_unit` writes after a value.
    qty_html: String,
    show_target: bool,
    max_html: String,
}

impl CriterionColumns {
    pub(super) fn of(k: &CriterionInfo) -> Self {
        Self::new(k.unit.as_deref(), text(&k.target).is_some(), &k.max)
    }

    fn new(unit: Option<&str>, show_target: bool, max: &str) -> Self {
        let (mut qty_html, mut max_html) = (String::new(), String::new());
        qty_unit(&mut qty_html, unit);
        esc(&mut max_html, max);
        Self { qty_html, show_target, max_html }
    }
}

#[cfg(test)]
impl CriterionColumns {
    pub(super) fn plain(max: &str) -> Self {
        Self::new(None, false, max)
    }
}

/// About how many bytes `criterion_rows` writes for `rows`, to size buffers.
pub(super) fn criterion_rows_size(rows: usize) -> usize {
    rows * 400
}

/// Appends the `<tbody>` rows of criterion `ki`'s ranking in period `p` (`criterion.html`'s
/// loop over `cp.rows`) to `o`, for `order` as `views::boards::criterion_order` gives it.
/// Written from the scores themselves, without `views::boards::criterion_row`: these are
/// 1.2 million rows on a 10,000-unit site, and a view per row (a copy of the unit's name and
/// url, four formatted numbers) cost more than writing the row.
pub(super) fn criterion_rows(
    o: &mut String,
    ctx: &Ctx<'_>,
    (p, ki): (usize, usize),
    order: &[(usize, u32)],
    k: &CriterionColumns,
    text: &mut TableText<'_>,
) -> Result<(), Missing> {
    let TableText { root_html, phrases: t, .. } = text;
    let scores = &ctx.period(p).units;
    for &(u, rank) in order {
        let c = &scores[u].criteria[ki];
        o.push_str("\n<tr><td>");
        push_number(o, rank);
        o.push_str("</td><th scope=\"row\">");
        name_link(o, root_html, "units/", &ctx.idx.escaped.units[u]);
        o.push_str("</th><td>");
        match c.value {
            Some(Value::Number(n)) => {
                ctx.fmt.push_as_written(o, n);
                o.push_str(&k.qty_html);
            }
            Some(Value::Bool(b)) => {
                if yes_no(o, t, b)? {
                    o.push_str(&k.qty_html);
                } else {
                    missing_flag(o, t)?;
                }
            }
            None => missing_flag(o, t)?,
        }
        o.push_str("</td>");
        if k.show_target {
            o.push_str("<td>");
            if let Some(target) = c.target {
                ctx.fmt.push_as_written(o, target);
                o.push_str(&k.qty_html);
                if c.target_overridden {
                    own_target_tag(o, t, " ")?;
                }
            } else {
                none_mark(o, t, "value.none")?;
            }
            o.push_str("</td>");
        }
        o.push_str("<td><strong>");
        ctx.fmt.push_points(o, c.points);
        o.push_str("</strong>&nbsp;/&nbsp;");
        o.push_str(&k.max_html);
        o.push_str("</td></tr>");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_fill_placeholders_as_i18n_fill_does() {
        let args = [("a", "1 < 2"), ("b", "x&y")];
        let cases = [
            ("{a} / {b}", "1 &lt; 2 / x&amp;y"),
            ("{{a}", "{1 &lt; 2"),
            ("{a{b}}", "{ax&amp;y}"),
            ("{c} {a", "{c} {a"),
            ("<{a}>", "&lt;1 &lt; 2&gt;"),
        ];
        for (text, expected) in cases {
            let mut out = String::new();
            Phrase::new(text).fill(&mut out, &args);
            assert_eq!(out, expected, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn filling_escaped_is_escaping_the_filled(
            text in "[ab{}<>&\"' ]{0,40}",
            values in proptest::collection::vec("[ab{}<&' ]{0,6}", 3),
        ) {
            let args = [("a", values[0].as_str()), ("b", values[1].as_str()), ("{a", values[2].as_str())];
            let mut direct = String::new();
            Phrase::new(&text).fill(&mut direct, &args);
            let mut filled = String::new();
            esc(&mut filled, &super::super::i18n::fill(&text, &args));
            proptest::prop_assert_eq!(direct, filled);
        }
    }
}
