//! Inline SVG charts drawn at build time, so pages need no JavaScript (SPEC §9): an
//! indicator's progress towards its target, a bar chart (e.g. a scoreboard's totals) and a
//! unit's trend across periods.
//!
//! Inputs are labels, `f64` values that only place shapes, and the exact numbers already
//! formatted by the caller (`display` strings), which are the only numbers shown as text. Output
//! is an `<svg>` string: `role="img"` with an `aria-label` and `<title>` (the caller's title)
//! and a `<desc>` listing every value, a `viewBox` with `width="100%"` so it scales down to a
//! phone, `chart-*` classes on every shape for the stylesheet, and `currentColor` defaults so an
//! unstyled chart still follows the text colour. All text is escaped.
//!
//! Must not: format numbers for people (that is `locale`'s job), emit `NaN`/`inf` or more than
//! two decimals in coordinates, depend on anything but its arguments, or panic on any input.

use std::fmt::Write as _;

/// One bar of a bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Places the bar; not shown.
    pub value: f64,
    /// The localised number shown next to the bar.
    pub display: String,
}

/// Width of every chart in user units; a phone-first size so text stays legible at 375px.
const WIDTH: f64 = 320.0;
/// Long labels are cut so that they do not run into the value text on the same line.
const MAX_LABEL_CHARS: usize = 36;
/// Period labels and values below a trend line are thinned to at most this many.
const MAX_TREND_LABELS: usize = 6;

/// A horizontal progress bar for an indicator: `value` against `target` on a scale of
/// `0..=max(target, value)`, with a marker at the target. `None` means no value yet: the track
/// and the marker are drawn without a bar. `display` is the text shown (e.g. `52,3 / 60`); the
/// title carries any "lower is better" wording.
pub fn progress(title: &str, value: Option<f64>, target: f64, display: &str) -> String {
    let target = clean(target);
    let value = value.map(clean);
    let scale = positive_or(target.max(value.unwrap_or(0.0)), 1.0);
    let (x0, span) = (2.0, WIDTH - 4.0);
    let mut svg = open_svg("progress", title, 36.0, display);
    push_text(&mut svg, "chart-value", x0, 11.0, "start", display);
    push_rect(&mut svg, "chart-track", x0, 16.0, span, 10.0);
    if let Some(value) = value {
        push_rect(&mut svg, "chart-bar", x0, 16.0, span * (value / scale), 10.0);
    }
    // Ratios first: `span * value` could overflow to infinity for huge values.
    let marker = x0 + span * (target / scale);
    let _ = write!(
        svg,
        concat!(
            r#"<line class="chart-target" x1="{x}" y1="13" x2="{x}" y2="29""#,
            r#" stroke="currentColor" stroke-width="2"/>"#
        ),
        x = coord(marker)
    );
    close_svg(svg)
}

/// A horizontal bar chart, one row per item in the order given: the label and its display
/// text above a bar scaled to `max` (values above `max` fill the row). A `max` that is not a
/// positive number falls back to the largest value.
pub fn bars(title: &str, items: &[Bar], max: f64) -> String {
    const ROW: f64 = 30.0;
    let largest = items.iter().map(|bar| clean(bar.value)).fold(0.0, f64::max);
    let scale = positive_or(clean(max), positive_or(largest, 1.0));
    let description = items.iter().map(|bar| pair(&bar.label, &bar.display)).collect::<Vec<_>>().join("; ");
    let height = (items.len() as f64 * ROW).max(ROW / 2.0);
    let mut svg = open_svg("bars", title, height, &description);
    for (index, bar) in items.iter().enumerate() {
        let top = index as f64 * ROW;
        let _ =
            write!(svg, r#"<g class="chart-row"><title>{}</title>"#, escape(&pair(&bar.label, &bar.display)));
        push_text(&mut svg, "chart-label", 0.0, top + 11.0, "start", &shorten(&bar.label, MAX_LABEL_CHARS));
        push_text(&mut svg, "chart-value", WIDTH, top + 11.0, "end", &bar.display);
        push_rect(&mut svg, "chart-track", 0.0, top + 15.0, WIDTH, 10.0);
        push_rect(
            &mut svg,
            "chart-bar",
            0.0,
            top + 15.0,
            WIDTH * (clean(bar.value).min(scale) / scale),
            10.0,
        );
        svg.push_str("</g>");
    }
    close_svg(svg)
}

/// A trend line across periods for one unit: `(period label, value, display)` per point on a
/// `0..=max` axis, with a dot and its display text at each point. A `None` value (the unit did
/// not report) leaves a gap in the line and shows its display text, if any, on the axis.
pub fn trend(title: &str, points: &[(String, Option<f64>, String)], max: f64) -> String {
    const HEIGHT: f64 = 150.0;
    let largest = points.iter().filter_map(|p| p.1).map(clean).fold(0.0, f64::max);
    let plot = Plot {
        count: points.len(),
        scale: positive_or(clean(max), positive_or(largest, 1.0)),
        top: 20.0,
        bottom: HEIGHT - 24.0,
    };
    let description =
        points.iter().map(|(period, _, display)| pair(period, display)).collect::<Vec<_>>().join("; ");
    let mut svg = open_svg("trend", title, HEIGHT, &description);
    let _ = write!(
        svg,
        concat!(
            r#"<line class="chart-axis" x1="{l}" y1="{y}" x2="{r}" y2="{y}""#,
            r#" stroke="currentColor" stroke-opacity="0.3"/>"#
        ),
        l = coord(Plot::LEFT),
        r = coord(WIDTH - Plot::LEFT),
        y = coord(plot.bottom)
    );
    push_lines(&mut svg, &plot, points);
    for (index, (period, value, display)) in points.iter().enumerate() {
        push_point(&mut svg, &plot, index, value.map(clean), display);
        if plot.is_labelled(index) {
            let label = shorten(period, 10);
            push_text(&mut svg, "chart-period", plot.x(index), HEIGHT - 6.0, "middle", &label);
        }
    }
    close_svg(svg)
}

/// Where a trend chart puts things.
struct Plot {
    count: usize,
    scale: f64,
    top: f64,
    bottom: f64,
}

impl Plot {
    /// Room at both sides for half of a value text centred on the first and last point.
    const LEFT: f64 = 34.0;

    fn x(&self, index: usize) -> f64 {
        if self.count <= 1 {
            return WIDTH / 2.0;
        }
        Self::LEFT + (WIDTH - 2.0 * Self::LEFT) * index as f64 / (self.count - 1) as f64
    }

    fn y(&self, value: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * (value.min(self.scale) / self.scale)
    }

    /// With many periods the texts would overlap: keep every n-th, counted back from the
    /// latest period so that it is always labelled.
    fn is_labelled(&self, index: usize) -> bool {
        let step = self.count.div_ceil(MAX_TREND_LABELS).max(1);
        self.count.saturating_sub(index + 1) % step == 0
    }
}

/// One `<path>` per run of consecutive reported values; a lone value gets only its dot.
fn push_lines(svg: &mut String, plot: &Plot, points: &[(String, Option<f64>, String)]) {
    let mut run: Vec<String> = Vec::new();
    for (index, point) in points.iter().enumerate() {
        if let Some(value) = point.1 {
            run.push(format!("{} {}", coord(plot.x(index)), coord(plot.y(clean(value)))));
        }
        if point.1.is_none() || index + 1 == points.len() {
            if run.len() > 1 {
                let _ = write!(
                    svg,
                    concat!(
                        r#"<path class="chart-line" d="M{}""#,
                        r#" fill="none" stroke="currentColor" stroke-width="2"/>"#
                    ),
                    run.join(" L")
                );
            }
            run.clear();
        }
    }
}

fn push_point(svg: &mut String, plot: &Plot, index: usize, value: Option<f64>, display: &str) {
    let x = plot.x(index);
    match value {
        Some(value) => {
            let y = plot.y(value);
            let _ = write!(
                svg,
                r#"<circle class="chart-dot" cx="{}" cy="{}" r="3" fill="currentColor"/>"#,
                coord(x),
                coord(y)
            );
            if plot.is_labelled(index) {
                push_text(svg, "chart-value", x, y - 7.0, "middle", display);
            }
        }
        None if plot.is_labelled(index) && !display.is_empty() => {
            push_text(svg, "chart-value chart-missing", x, plot.bottom - 5.0, "middle", display);
        }
        None => {}
    }
}

fn open_svg(kind: &str, title: &str, height: f64, description: &str) -> String {
    let title = escape(title);
    let mut svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-{kind}""#,
            r#" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{title}""#,
            r#" font-size="11" fill="currentColor"><title>{title}</title>"#
        ),
        w = coord(WIDTH),
        h = coord(height),
        kind = kind,
        title = title
    );
    if !description.is_empty() {
        let _ = write!(svg, "<desc>{}</desc>", escape(description));
    }
    svg
}

fn close_svg(mut svg: String) -> String {
    svg.push_str("</svg>");
    svg
}

fn push_rect(svg: &mut String, class: &str, x: f64, y: f64, width: f64, height: f64) {
    let opacity = if class == "chart-track" { r#" fill-opacity="0.15""# } else { "" };
    let _ = write!(
        svg,
        r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" rx="2" fill="currentColor"{opacity}/>"#,
        coord(x),
        coord(y),
        coord(width.max(0.0)),
        coord(height)
    );
}

fn push_text(svg: &mut String, class: &str, x: f64, y: f64, anchor: &str, text: &str) {
    let _ = write!(
        svg,
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
        coord(x),
        coord(y),
        escape(text)
    );
}

/// A value that can place a shape: NaN, infinities and negatives become 0.
fn clean(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 { value } else { 0.0 }
}

/// `value` when it is a usable scale (finite and positive), else `fallback`.
fn positive_or(value: f64, fallback: f64) -> f64 {
    if value.is_finite() && value > 0.0 { value } else { fallback }
}

/// A coordinate with `.` and at most two decimals, never `NaN`, `inf` or `-0`.
fn coord(value: f64) -> String {
    let hundredths = (value * 100.0).round();
    if !hundredths.is_finite() || hundredths == 0.0 {
        return "0".to_string();
    }
    // The digits of the whole number of hundredths, without `f64` formatting (a chart of a
    // 10,000-unit ranking has tens of thousands of coordinates, and formatting floats was most
    // of a chart's cost). Beyond 2^53 hundredths that number is no longer exact: format the float.
    if hundredths.abs() >= 9_007_199_254_740_992.0 {
        let text = format!("{:.2}", hundredths / 100.0);
        return text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let h = hundredths as i64;
    let (whole, cents) = (h.unsigned_abs() / 100, h.unsigned_abs() % 100);
    let sign = if h < 0 { "-" } else { "" };
    match cents {
        0 => format!("{sign}{whole}"),
        c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

fn pair(label: &str, display: &str) -> String {
    if display.is_empty() { label.to_string() } else { format!("{label}: {display}") }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let head: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", head.trim_end())
}

/// Escapes text for SVG content and attributes; line breaks become spaces (a chart label is one
/// line).
fn escape(text: &str) -> String {
    super::escape(&text.replace(['\t', '\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn bar(label: &str, value: f64, display: &str) -> Bar {
        Bar { label: label.to_string(), value, display: display.to_string() }
    }

    fn point(period: &str, value: Option<f64>, display: &str) -> (String, Option<f64>, String) {
        (period.to_string(), value, display.to_string())
    }

    /// Checks that every opened element is closed in order (text is escaped, so any `<` is a
    /// tag) and that the root is one `<svg>` with the attributes every chart must have.
    fn assert_well_formed(svg: &str) {
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg chart-"),
            "{svg}"
        );
        for required in
            [" viewBox=\"0 0 320 ", " width=\"100%\"", " role=\"img\"", " aria-label=\"", "<title>"]
        {
            assert!(svg.contains(required), "missing {required} in {svg}");
        }
        let mut open: Vec<&str> = Vec::new();
        for tag in svg.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap();
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "{svg}");
            } else if !tag.ends_with('/') {
                open.push(tag.split(' ').next().unwrap());
            }
        }
        assert!(open.is_empty(), "unclosed {open:?} in {svg}");
        assert_coordinates(svg);
    }

    /// Every number in a geometry attribute is non-negative with at most two decimals (text
    /// cannot fake an attribute: it has no raw `"`).
    fn assert_coordinates(svg: &str) {
        let names =
            ["x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r", "rx", "viewBox", "d"];
        for name in names {
            let pattern = format!(" {name}=\"");
            for (at, _) in svg.match_indices(&pattern) {
                let value = svg[at + pattern.len()..].split('"').next().unwrap();
                if value == "100%" {
                    continue;
                }
                for number in value.split(' ').map(|n| n.trim_start_matches(['M', 'L'])) {
                    let (whole, decimals) = number.split_once('.').unwrap_or((number, ""));
                    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
                    assert!(
                        !whole.is_empty() && digits(whole) && digits(decimals),
                        "{name}={value} in {svg}"
                    );
                    assert!(decimals.len() <= 2, "{name}={value} in {svg}");
                }
            }
        }
    }

    #[test]
    fn coordinates_have_at_most_two_decimals() {
        let cases = [
            (0.0, "0"),
            (-0.001, "0"),
            (12.5, "12.5"),
            (100.0, "100"),
            (1.0 / 3.0, "0.33"),
            (2.675, "2.68"),
            (-4.25, "-4.25"),
            (f64::NAN, "0"),
            (f64::INFINITY, "0"),
        ];
        for (value, expected) in cases {
            assert_eq!(coord(value), expected, "{value}");
        }
    }

    proptest::proptest! {
        #[test]
        fn coordinates_are_the_floats_rounded_to_hundredths(value in -1.0e7f64..1.0e7, tiny in -1.0f64..1.0) {
            // What `coord` wrote when it formatted the rounded float.
            let by_float = |v: f64| {
                let rounded = (v * 100.0).round() / 100.0;
                if !rounded.is_finite() || rounded == 0.0 {
                    return "0".to_string();
                }
                format!("{rounded:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
            };
            proptest::prop_assert_eq!(coord(value), by_float(value));
            proptest::prop_assert_eq!(coord(tiny), by_float(tiny));
        }
    }

    #[test]
    fn progress_draws_bar_and_target() {
        let svg = progress("Tỷ lệ nộp đúng hạn", Some(45.0), 60.0, "45 / 60");
        assert_well_formed(&svg);
        assert!(svg.contains(r#"<rect class="chart-bar" x="2" y="16" width="237" height="10""#), "{svg}");
        assert!(svg.contains(r#"<line class="chart-target" x1="318" y1="13" x2="318""#), "{svg}");
        assert!(svg.contains(">45 / 60</text>"), "{svg}");
        let over = progress("t", Some(120.0), 60.0, "120");
        assert!(over.contains(r#"class="chart-bar" x="2" y="16" width="316""#), "{over}");
        assert!(over.contains(r#"x1="160""#), "{over}");
    }

    #[test]
    fn progress_without_value_has_no_bar() {
        let svg = progress("t", None, 60.0, "—");
        assert_well_formed(&svg);
        assert!(!svg.contains("chart-bar"), "{svg}");
        assert!(svg.contains("chart-target"), "{svg}");
    }

    #[test]
    fn bars_scale_to_max_in_given_order() {
        let items = [bar("B", 50.0, "50"), bar("A", 100.0, "100"), bar("C", 150.0, "150")];
        let svg = bars("Tổng điểm", &items, 100.0);
        assert_well_formed(&svg);
        assert!(svg.contains(r#"viewBox="0 0 320 90""#), "{svg}");
        assert!(svg.contains("<desc>B: 50; A: 100; C: 150</desc>"), "{svg}");
        let widths: Vec<&str> = svg
            .match_indices(r#"class="chart-bar""#)
            .map(|(at, _)| svg[at..].split("width=\"").nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert_eq!(widths, ["160", "320", "320"]);
        assert!(svg.find(">B</text>").unwrap() < svg.find(">A</text>").unwrap());
    }

    #[test]
    fn trend_leaves_gaps_for_missing_periods() {
        let points = [
            point("Q1", Some(10.0), "10"),
            point("Q2", Some(20.0), "20"),
            point("Q3", None, "—"),
            point("Q4", Some(40.0), "40"),
            point("Q5", Some(30.0), "30"),
        ];
        let svg = trend("Điểm qua các kỳ", &points, 40.0);
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<path ").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle ").count(), 4, "{svg}");
        assert!(svg.contains(r#"d="M34 99.5 L97 73""#), "{svg}");
        assert!(svg.contains(r#"class="chart-value chart-missing""#), "{svg}");
        assert!(svg.contains("<desc>Q1: 10; Q2: 20; Q3: —; Q4: 40; Q5: 30</desc>"), "{svg}");
    }

    #[test]
    fn trend_thins_labels_but_keeps_the_latest() {
        let points: Vec<_> =
            (1..=20).map(|i| point(&format!("P{i}"), Some(f64::from(i)), &i.to_string())).collect();
        let svg = trend("t", &points, 20.0);
        assert_well_formed(&svg);
        assert!(svg.matches(r#"class="chart-period""#).count() <= MAX_TREND_LABELS, "{svg}");
        assert!(svg.contains(">P20</text>"), "{svg}");
        assert_eq!(svg.matches("<circle ").count(), 20);
    }

    #[test]
    fn text_is_escaped() {
        let nasty = "A<script>&\"'\u{1}</script>";
        let escaped = "A&lt;script&gt;&amp;&quot;&#39;&lt;/script&gt;";
        let charts = [
            progress(nasty, Some(1.0), 2.0, nasty),
            bars(nasty, &[bar(nasty, 1.0, nasty)], 2.0),
            trend(nasty, &[point(nasty, Some(1.0), nasty), point(nasty, None, nasty)], 2.0),
        ];
        for svg in charts {
            assert_well_formed(&svg);
            assert!(!svg.contains("<script"), "{svg}");
            assert!(svg.contains(&format!("aria-label=\"{escaped}\"")), "{svg}");
            assert!(svg.contains(&format!("<title>{escaped}</title>")), "{svg}");
        }
    }

    #[test]
    fn degenerate_numbers_never_reach_the_output() {
        let odd = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -5.0, 0.0, f64::MAX, f64::MIN_POSITIVE];
        for &a in &odd {
            for &b in &odd {
                assert_well_formed(&progress("t", Some(a), b, "x"));
                assert_well_formed(&bars("t", &[bar("x", a, "x"), bar("y", b, "y")], a));
                assert_well_formed(&trend("t", &[point("x", Some(a), "x"), point("y", Some(b), "y")], b));
            }
        }
    }

    #[test]
    fn empty_inputs_give_small_valid_charts() {
        for svg in [bars("", &[], 0.0), trend("", &[], 0.0), progress("", None, 0.0, "")] {
            assert_well_formed(&svg);
            assert!(svg.len() < 600, "{svg}");
        }
        assert!(bars("t", &[], 10.0).contains(r#"viewBox="0 0 320 15""#));
        let one = trend("t", &[point("Q1", Some(5.0), "5")], 10.0);
        assert!(one.contains(r#"cx="160""#) && !one.contains("<path"), "{one}");
    }

    #[test]
    fn output_is_deterministic() {
        let items = [bar("a", 1.5, "1,5"), bar("b", 2.25, "2,25")];
        let points = [point("Q1", Some(1.0), "1"), point("Q2", None, ""), point("Q3", Some(2.0), "2")];
        assert_eq!(bars("t", &items, 3.0), bars("t", &items, 3.0));
        assert_eq!(trend("t", &points, 3.0), trend("t", &points, 3.0));
        assert_eq!(progress("t", Some(1.0), 2.0, "1"), progress("t", Some(1.0), 2.0, "1"));
    }

    proptest! {
        #[test]
        fn any_input_gives_a_well_formed_chart(
            title in any::<String>(),
            values in prop::collection::vec((any::<String>(), any::<Option<f64>>()), 0..12),
            max in any::<f64>(),
        ) {
            let items: Vec<Bar> = values.iter().map(|(l, v)| bar(l, v.unwrap_or(f64::NAN), l)).collect();
            let points: Vec<_> = values.iter().map(|(l, v)| point(l, *v, l)).collect();
            assert_well_formed(&bars(&title, &items, max));
            assert_well_formed(&trend(&title, &points, max));
            assert_well_formed(&progress(&title, values.first().and_then(|v| v.1), max, &title));
        }
    }
}
