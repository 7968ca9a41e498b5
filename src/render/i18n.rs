//! UI strings of one language, from the theme's `i18n/<lang>.yaml` files.
//!
//! A strings file is a mapping of keys to text; nested mappings give dotted keys
//! (`nav: {units: ...}` is `nav.units`). Later files override earlier ones key by key. Text may
//! hold `{name}` placeholders that `format` fills. A key that is asked for and missing is an
//! error naming the key (and, in templates, the template and line).

use rustc_hash::FxHashMap;

use crate::content::decode::Ctx;
use crate::content::yaml::{self, Origin, Tree, TreeKind};
use crate::diagnostics::Diagnostic;
use crate::model::FileId;

use super::theme::ThemeFile;

#[derive(Debug, Default, Clone)]
pub struct Strings {
    /// Every string by key. Hashed: a 1k build asks for one some 150,000 times, and each search
    /// of an ordered map compared the key with a dozen others.
    map: FxHashMap<String, String>,
    /// Where the strings came from, for messages.
    origin: String,
}

/// `text` with each `{name}` of `args` replaced by its value, in one pass: a value is never
/// searched for placeholders itself, so content such as a unit named "{period}" shows as
/// written. Braces that name no argument stay as they are.
pub fn fill<V: AsRef<str>>(text: &str, args: &[(&str, V)]) -> String {
    let mut out =
        String::with_capacity(text.len() + args.iter().map(|(_, v)| v.as_ref().len()).sum::<usize>());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, value)| (value.as_ref(), close))
        });
        match arg {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A key no strings file defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub String);

impl Strings {
    /// Reads the files in order, later ones overriding; problems become diagnostics.
    pub fn load(files: &[ThemeFile], diags: &mut Vec<Diagnostic>) -> Strings {
        let mut map = FxHashMap::default();
        let mut origin = String::new();
        for file in files {
            origin = file.origin.clone();
            let Ok(text) = std::str::from_utf8(&file.bytes) else {
                diags.push(
                    Diagnostic::error("invalid-utf8", "this strings file is not valid UTF-8")
                        .in_file(&file.origin),
                );
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            match yaml::parse(text, Origin { file: FileId(0), line_offset: 0 }) {
                Ok(Some(root)) => {
                    let mut ctx = Ctx { path: &file.origin, diags };
                    flatten(&mut ctx, "", &root, &mut map);
                }
                Ok(None) => {}
                Err(e) => diags.push(
                    Diagnostic::error(e.code, e.message)
                        .at_place(&file.origin, e.pos.line, e.pos.col, e.pos.len)
                        .with_help_opt(e.help),
                ),
            }
        }
        Strings { map, origin }
    }

    pub fn get(&self, key: &str) -> Result<&str, Missing> {
        self.map.get(key).map(String::as_str).ok_or_else(|| Missing(key.to_string()))
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> Result<String, Missing> {
        Ok(fill(self.get(key)?, args))
    }

    /// Where the strings were read from (the last file), for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// All strings in key order (what the rendering set-up hashes to see whether they changed).
    pub fn all(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self.map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.sort_unstable();
        all
    }

    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Strings {
        Strings {
            map: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            origin: "test".into(),
        }
    }
}

fn flatten(ctx: &mut Ctx<'_>, prefix: &str, node: &Tree<'_>, out: &mut FxHashMap<String, String>) {
    match &node.kind {
        TreeKind::Map(entries) => {
            for (k, v) in entries {
                let TreeKind::Scalar { text: key, .. } = &k.kind else {
                    ctx.error("wrong-type", k.pos, "a strings key must be a plain name");
                    continue;
                };
                let full = if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
                flatten(ctx, &full, v, out);
            }
        }
        TreeKind::Scalar { text, .. } if !prefix.is_empty() => {
            out.insert(prefix.to_string(), text.to_string());
        }
        _ => {
            ctx.error(
                "wrong-type",
                node.pos,
                format!("the string `{prefix}` must be text, found {}", node.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(origin: &str, text: &str) -> ThemeFile {
        ThemeFile { origin: origin.into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn later_files_override_key_by_key_and_nesting_gives_dotted_keys() {
        let mut diags = Vec::new();
        let s = Strings::load(
            &[file("a", "nav: {units: Units, home: Home}\ntitle: A\n"), file("b", "nav: {units: Đơn vị}\n")],
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(s.get("nav.units"), Ok("Đơn vị"));
        assert_eq!(s.get("nav.home"), Ok("Home"));
        assert_eq!(s.get("nope"), Err(Missing("nope".into())));
        assert_eq!(s.format("title", &[]).unwrap(), "A");
        assert_eq!(s.all().len(), 3);
        for (key, text) in s.all() {
            assert_eq!(s.get(key), Ok(text));
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let s = Strings::from_pairs(&[("x", "{a} / {b} = {a}")]);
        assert_eq!(s.format("x", &[("a", "1"), ("b", "2")]).unwrap(), "1 / 2 = 1");
    }

    #[test]
    fn values_are_not_filled_again_and_unknown_braces_stay() {
        assert_eq!(fill("{a} in {b}", &[("a", "{b}"), ("b", "Q1")]), "{b} in Q1");
        assert_eq!(fill("{{a}} {x} {", &[("a", "1")]), "{1} {x} {");
        assert_eq!(fill("tổng {n}", &[("n", "5")]), "tổng 5");
    }

    #[test]
    fn a_list_is_not_a_string() {
        let mut diags = Vec::new();
        Strings::load(&[file("a", "x: [1, 2]\n")], &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].location.as_ref().unwrap().line, 1);
    }
}
