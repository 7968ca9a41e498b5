//! The theme: templates, static assets and UI strings, from the binary or from disk.
//!
//! The `default` theme is embedded in the binary, so a root with only `content/` builds. Files
//! on disk override it file by file, in this order (first found wins):
//! `<root>/templates/<name>`, `<root>/themes/<theme>/templates/<name>`, the embedded copy.
//! Static assets come from `<root>/themes/<theme>/static/` over the embedded ones; UI strings
//! from `<root>/themes/<theme>/i18n/<lang>.yaml` override the embedded strings key by key.
//! Reading only: nothing here writes or renders.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use include_dir::{Dir, include_dir};

/// How the origin of an embedded file starts.
pub const BUILT_IN: &str = "(built-in)";

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A theme file with the path shown in messages.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// Where it came from: `templates/unit.html` (site override),
    /// `themes/default/templates/unit.html` (theme on disk) or `(built-in) templates/unit.html`.
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Every file of the theme as it applies to one site.
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (e.g. `unit.html`, `partials/nav.html`) -> file.
    pub templates: BTreeMap<String, ThemeFile>,
    /// Path under the output root (e.g. `assets/podium.css`) -> file.
    pub statics: BTreeMap<String, ThemeFile>,
    /// i18n files for the language, lowest priority first (embedded, then disk).
    pub strings: Vec<ThemeFile>,
}

/// Loads the theme named `name` (default `default`) for `root`, in `lang`.
pub fn load(root: &Path, name: Option<&str>, lang: &str) -> Result<Theme> {
    let name = name.unwrap_or("default");
    let mut theme = Theme::default();
    collect_embedded(&EMBEDDED, "templates", &mut theme.templates);
    collect_embedded(&EMBEDDED, "static", &mut theme.statics);
    let i18n = format!("i18n/{lang}.yaml");
    if let Some(f) = EMBEDDED.get_file(&i18n) {
        theme.strings.push(ThemeFile { origin: format!("(built-in) {i18n}"), bytes: f.contents().to_vec() });
    }
    let theme_dir = root.join("themes").join(name);
    let theme_rel = format!("themes/{name}");
    collect_disk(&theme_dir.join("templates"), &format!("{theme_rel}/templates"), &mut theme.templates)?;
    collect_disk(&theme_dir.join("static"), &format!("{theme_rel}/static"), &mut theme.statics)?;
    collect_disk(&root.join("templates"), "templates", &mut theme.templates)?;
    let disk_i18n = theme_dir.join(&i18n);
    if disk_i18n.is_file() {
        let bytes = std::fs::read(&disk_i18n).with_context(|| format!("reading {}", disk_i18n.display()))?;
        theme.strings.push(ThemeFile { origin: format!("{theme_rel}/{i18n}"), bytes });
    }
    Ok(theme)
}

fn collect_embedded(root: &Dir<'_>, folder: &str, out: &mut BTreeMap<String, ThemeFile>) {
    let Some(dir) = root.get_dir(folder) else { return };
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            let Some(name) = path.strip_prefix(&format!("{folder}/")) else { continue };
            let file = ThemeFile { origin: format!("(built-in) {path}"), bytes: f.contents().to_vec() };
            out.insert(name.to_string(), file);
        }
        stack.extend(d.dirs());
    }
}

fn collect_disk(dir: &Path, shown: &str, out: &mut BTreeMap<String, ThemeFile>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        let bytes =
            std::fs::read(entry.path()).with_context(|| format!("reading {}", entry.path().display()))?;
        out.insert(rel.clone(), ThemeFile { origin: format!("{shown}/{rel}"), bytes });
    }
    Ok(())
}
