//! Tera 2 set-up: the theme's templates, the functions podium adds, and template errors as
//! diagnostics naming the template file and line.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tera::{Context, Kwargs, State, Tera};

use super::i18n::Strings;
use super::locale::{self, Lang};
use super::theme::Theme;
use crate::diagnostics::Diagnostic;

/// Template files are the theme's files with these extensions.
const TEMPLATE_EXTENSIONS: &[&str] = &[".html", ".xml", ".txt", ".json"];

/// A Tera instance with the theme loaded, and where each template came from.
pub(super) struct Engine {
    tera: Tera,
    origins: std::collections::BTreeMap<String, String>,
    /// The urls the navigation links to (its sections, the menu, the free pages): the pages
    /// whose header marks their own entry as current, and so is theirs alone.
    nav_urls: HashSet<String>,
    /// The chrome rendered so far, by `here.root` and kind of page: a few dozen at most.
    chrome: Mutex<Vec<(String, &'static str, Arc<Chrome>)>>,
}

/// The header and footer (`partials/header.html`, `partials/footer.html`) that every page of a
/// kind at the same folder depth shares. With the built-in theme they are rendered once per
/// root and kind instead of on every page: on a unit page they were ~40% of Tera's work
/// (some 25 UI strings looked up and filled, the menu walked), the same 10,000 times.
pub(super) struct Chrome {
    pub(super) header: String,
    pub(super) footer: String,
}

impl Engine {
    /// Loads every template and sets `site` for all of them; syntax errors become diagnostics
    /// (and `None`).
    pub(super) fn new<S: serde::Serialize>(
        theme: &Theme,
        strings: Arc<Strings>,
        lang: Lang,
        site: &S,
        nav_urls: HashSet<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Engine> {
        let mut tera = Tera::new();
        tera.global_context().insert("site", site);
        let mut origins = std::collections::BTreeMap::new();
        let mut sources = Vec::new();
        for (name, file) in &theme.templates {
            if !TEMPLATE_EXTENSIONS.iter().any(|e| name.ends_with(e)) {
                continue;
            }
            match std::str::from_utf8(&file.bytes) {
                Ok(text) => sources.push((name.clone(), text.to_string())),
                Err(_) => diags.push(
                    Diagnostic::error("invalid-utf8", "this template is not valid UTF-8")
                        .in_file(&file.origin),
                ),
            }
            origins.insert(name.clone(), file.origin.clone());
        }
        register(&mut tera, strings, lang);
        let engine_origins = origins.clone();
        if let Err(e) = tera.add_raw_templates(sources) {
            diags.push(template_diagnostic(&e, &engine_origins));
            return None;
        }
        Some(Engine { tera, origins, nav_urls, chrome: Mutex::new(Vec::new()) })
    }

    /// The chrome of a page at `url`, of `kind`, seen by templates as `here` (whose `root`
    /// is `root`); `None` when the page's header is its own (the navigation links to it). The
    /// built-in header and footer read `here.url` only to mark the navigation's current entry,
    /// so for any other page they depend on the root and the kind alone.
    pub(super) fn chrome<H: serde::Serialize>(
        &self,
        (root, url, kind): (&str, &str, &'static str),
        here: &H,
    ) -> Result<Option<Arc<Chrome>>, Diagnostic> {
        if self.nav_urls.contains(url) {
            return Ok(None);
        }
        let made = |chrome: &Vec<(String, &'static str, Arc<Chrome>)>| {
            chrome.iter().find(|(r, k, _)| r == root && *k == kind).map(|(_, _, c)| c.clone())
        };
        if let Some(chrome) = made(&self.chrome.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(Some(chrome));
        }
        let mut context = Context::new();
        context.insert("here", here);
        let part = |template: &str| -> Result<String, Diagnostic> {
            let mut bytes = Vec::with_capacity(8 * 1024);
            self.render_to(template, &context, &mut bytes)?;
            String::from_utf8(bytes).map_err(|_| {
                Diagnostic::error("template-error", format!("`{template}` rendered invalid UTF-8"))
            })
        };
        let chrome =
            Arc::new(Chrome { header: part("partials/header.html")?, footer: part("partials/footer.html")? });
        let mut all = self.chrome.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have rendered the same chrome meanwhile; it is the same text.
        if let Some(chrome) = made(&all) {
            return Ok(Some(chrome));
        }
        all.push((root.to_string(), kind, chrome.clone()));
        Ok(Some(chrome))
    }

    /// Renders into `out` (bytes: Tera writes UTF-8, and a page is written as bytes, so checking
    /// it again as a `String` would only cost time).
    pub(super) fn render_to(
        &self,
        template: &str,
        context: &Context,
        out: &mut Vec<u8>,
    ) -> Result<(), Diagnostic> {
        self.tera.render_to(template, context, out).map_err(|e| template_diagnostic(&e, &self.origins))
    }
}

/// The functions and filters podium adds (docs/themes.md).
fn register(tera: &mut Tera, strings: Arc<Strings>, lang: Lang) {
    tera.register_function("t", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<tera::Value> {
        // One pass over the arguments finds the key and the placeholders' values, borrowed where
        // they are strings: a 1k build calls `t` some 80,000 times, and a hashed look-up of
        // `key` plus copying (or, for `String`, formatting) every argument cost more than the
        // string's own look-up.
        let mut key = None;
        let mut args: Vec<(&str, Cow<'_, str>)> = Vec::new();
        for (name, value) in kwargs.iter() {
            match name.as_str() {
                Some("key") => key = Some(value),
                Some(name) => args.push((
                    name,
                    value.as_str().map_or_else(|| Cow::Owned(value.to_string()), Cow::Borrowed),
                )),
                None => {}
            }
        }
        let key: Cow<'_, str> = match key {
            Some(value) => value.as_str().map_or_else(|| Cow::Owned(value.to_string()), Cow::Borrowed),
            // Tera's own error for a missing argument.
            None => kwargs.must_get("key")?,
        };
        let text =
            strings.get(&key).map_err(|_| tera::Error::message(format!("missing UI string `{key}`")))?;
        // Without arguments there is nothing to fill: the text is the string as written.
        Ok(if args.is_empty() {
            tera::Value::from(text)
        } else {
            tera::Value::from(super::i18n::fill(text, &args))
        })
    });
    tera.register_filter(
        "num",
        move |value: tera::Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let decimals: Option<u32> = kwargs.get("decimals")?;
            let text = match value.as_str() {
                Some(s) => s.to_string(),
                None => value.to_string(),
            };
            let d: rust_decimal::Decimal = text
                .trim()
                .parse()
                .map_err(|_| tera::Error::message(format!("`num` needs a number, got {text:?}")))?;
            Ok(match decimals {
                Some(n) => locale::number(d, n, lang),
                None => locale::number_as_written(d.normalize(), lang),
            })
        },
    );
}

/// A Tera error as a diagnostic at the template's file and line.
fn template_diagnostic(e: &tera::Error, origins: &std::collections::BTreeMap<String, String>) -> Diagnostic {
    let origin = |name: &str| origins.get(name).cloned().unwrap_or_else(|| format!("templates/{name}"));
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            let message = first_line(r.message());
            let code =
                if message.contains("missing UI string") { "missing-string" } else { "template-error" };
            let mut d = Diagnostic::error(code, message).at_place(
                origin(r.filename()),
                span.start_line as u32,
                span.start_col as u32 + 1,
                1,
            );
            if code == "missing-string" {
                d = d.with_help("add the key to the theme's i18n/<lang>.yaml (see docs/themes.md)");
            }
            d
        }
        tera::ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error("template-error", format!("template `{name}` not found")).in_file(origin(name))
        }
        _ => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            // Compile errors arrive as a rendered report: `error: ...` then ` --> name:line:col`.
            let headline = first_line(&message);
            let headline = headline.strip_prefix("error: ").unwrap_or(&headline).to_string();
            match report_place(&message) {
                Some((name, line, col)) => {
                    Diagnostic::error("template-error", headline).at_place(origin(&name), line, col, 1)
                }
                None => Diagnostic::error("template-error", headline).in_file("templates"),
            }
        }
    }
}

/// The `--> name:line:col` place of a rendered Tera report.
fn report_place(report: &str) -> Option<(String, u32, u32)> {
    let place = report.lines().find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = place.trim().rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_string(), line, col))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `t` writes, or its error's text.
    fn t(call: &str) -> String {
        let strings = Strings::from_pairs(&[
            ("plain", "Units & {braces}"),
            ("filled", "{name} in {period}, {n} of {count} ({name})"),
        ]);
        let mut tera = Tera::new();
        register(&mut tera, Arc::new(strings), Lang::En);
        tera.add_raw_template("page.txt", &format!("{{{{ {call} }}}}")).unwrap();
        match tera.render("page.txt", &Context::new()) {
            Ok(text) => text,
            Err(e) => {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    message = format!("{message}: {s}");
                    source = s.source();
                }
                message
            }
        }
    }

    #[test]
    fn t_writes_the_string_filled_with_its_arguments() {
        assert_eq!(t(r#"t(key="plain")"#), "Units & {braces}");
        assert_eq!(t(r#"t(key="plain", braces="x")"#), "Units & x");
        assert_eq!(
            t(r#"t(key="filled", name="Q1 {period}", period="2024", n=3, count=1.5)"#),
            "Q1 {period} in 2024, 3 of 1.5 (Q1 {period})"
        );
    }

    #[test]
    fn t_names_what_is_missing() {
        let missing = t(r#"t(key="nope", name="x")"#);
        assert!(missing.contains("missing UI string `nope`"), "{missing}");
        let no_key = t(r#"t(name="x")"#);
        assert!(no_key.contains("Missing keyword argument `key`"), "{no_key}");
        let number_key = t("t(key=5)");
        assert!(number_key.contains("missing UI string `5`"), "{number_key}");
    }
}
