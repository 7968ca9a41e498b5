//! Which part of a site a changed path belongs to, and so what a rebuild must redo.
//!
//! A pure function of the path relative to the site root: no I/O. Paths that are not inputs
//! (the output folder, editor swap and backup files, version control) are `Ignored`, so that
//! writing them never triggers a rebuild.

/// What kind of input changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A unit, news item, agreement, page, the home page, or a unit's evidence file.
    Content,
    /// `content/results/<period>.csv`.
    Results,
    /// `content/campaign.yaml` or `content/criteria.yaml`: everything may change.
    Campaign,
    /// A template (site override or theme).
    Template,
    /// A static file (the site's or a theme's).
    Static,
    /// A UI strings file.
    I18n,
    /// Not an input of the site.
    Ignored,
}

impl ChangeKind {
    /// Whether the changed path is under `content/`.
    pub fn is_content(self) -> bool {
        matches!(self, ChangeKind::Content | ChangeKind::Results | ChangeKind::Campaign)
    }

    /// Whether the change can alter the standings (so rankings and every scoreboard change).
    pub fn affects_standings(self) -> bool {
        matches!(self, ChangeKind::Content | ChangeKind::Results | ChangeKind::Campaign)
    }
}

/// Classifies `rel`, a path relative to the site root with `/` separators. `output` is the
/// output folder relative to the root, when it lies inside it (its files are never inputs).
pub fn classify(rel: &str, output: Option<&str>) -> ChangeKind {
    let rel = rel.trim_start_matches("./");
    if output.is_some_and(|o| rel == o || rel.starts_with(&format!("{}/", o.trim_end_matches('/')))) {
        return ChangeKind::Ignored;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let editor_file = name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with("#")
        || name == "4913"; // vim's probe file
    if editor_file || rel.split('/').any(|part| part.starts_with('.') && part.len() > 1) {
        return ChangeKind::Ignored;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["content", "campaign.yaml" | "criteria.yaml"] => ChangeKind::Campaign,
        ["content", "results", file] if file.ends_with(".csv") => ChangeKind::Results,
        ["content", ..] => ChangeKind::Content,
        ["static", ..] => ChangeKind::Static,
        ["templates", ..] => ChangeKind::Template,
        ["themes", _, "templates", ..] => ChangeKind::Template,
        ["themes", _, "static", ..] => ChangeKind::Static,
        ["themes", _, "i18n", ..] => ChangeKind::I18n,
        _ => ChangeKind::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::ChangeKind::*;
    use super::*;

    #[test]
    fn paths_are_classified_by_their_place() {
        let cases = [
            ("content/units/cuc-hq-ha-noi.md", Content),
            ("content/units/hq-c/report.pdf", Content),
            ("content/index.md", Content),
            ("content/news/a.md", Content),
            ("content/results/h1.csv", Results),
            ("content/results/notes.txt", Content),
            ("content/campaign.yaml", Campaign),
            ("content/criteria.yaml", Campaign),
            ("templates/unit.html", Template),
            ("themes/default/templates/partials/nav.html", Template),
            ("themes/default/static/assets/podium.css", Static),
            ("themes/default/i18n/vi.yaml", I18n),
            ("static/logo.png", Static),
            ("README.md", Ignored),
            ("public/index.html", Ignored),
            ("site/out/x.html", Ignored),
            ("content/units/.cuc-hq-ha-noi.md.swp", Ignored),
            ("content/units/cuc-hq-ha-noi.md~", Ignored),
            ("content/units/4913", Ignored),
            ("content/.git/index", Ignored),
            (".git/HEAD", Ignored),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path, Some("site/out")), kind, "{path}");
        }
        assert_eq!(classify("public/index.html", Some("public")), Ignored);
    }

    #[test]
    fn only_content_results_and_campaign_affect_standings() {
        assert!(Content.affects_standings() && Results.affects_standings() && Campaign.affects_standings());
        assert!(!Template.affects_standings() && !Static.affects_standings() && !I18n.affects_standings());
    }
}
