//! One broken fixture per kind of content error, with its rendered diagnostics pinned.

use podium::diagnostics::{self, Severity};
use podium::site;

use crate::support::{broken_cases, broken_site};

#[test]
fn every_broken_case_reports_its_problem_with_a_place() {
    let cases = broken_cases();
    assert!(cases.len() >= 20, "at least 20 kinds of error are pinned");
    for case in cases {
        let site = broken_site(&case);
        let prepared = site::prepare(site.path()).unwrap();
        let diags = &prepared.diagnostics;
        assert!(!diags.is_empty(), "{case}: no diagnostic");
        if !case.ends_with("-warning") {
            assert!(diags.iter().any(|d| d.severity == Severity::Error), "{case}: no error");
        }
        for d in diags {
            assert!(d.location.is_some(), "{case}: a diagnostic without a file: {d:?}");
        }
        let text: String = diags
            .iter()
            .map(|d| diagnostics::render_human(d, &prepared.corpus.files))
            .collect::<Vec<_>>()
            .join("\n");
        insta::with_settings!({snapshot_path => "snapshots/broken", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(case.as_str(), text);
        });
    }
}

#[test]
fn the_base_of_the_broken_cases_is_clean() {
    let site = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&crate::support::fixtures().join("broken/_base"), site.path());
    let prepared = site::prepare(site.path()).unwrap();
    assert_eq!(prepared.diagnostics, vec![], "the base site must be clean");
}
