//! Fixture sites with hand-worked expected CSVs (see each case's README.md), compared byte for
//! byte with what `podium build` writes.

use std::fs;

use podium::site::{self, BuildOptions};

use crate::support::fixtures;

const CSVS: [&str; 3] = ["results.csv", "awards.csv", "indicators.csv"];

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| fixtures().join(n).join("expected").is_dir())
        .collect();
    names.sort();
    names
}

#[test]
fn built_csvs_match_the_hand_worked_ones() {
    let cases = cases();
    assert!(cases.len() >= 5, "fixture cases: {cases:?}");
    for case in cases {
        let root = fixtures().join(&case);
        let out = tempfile::tempdir().unwrap();
        let output = out.path().join("public");
        let options =
            BuildOptions { root: root.clone(), output: output.clone(), base_url: None, drafts: false };
        let report = site::build(&options).unwrap();
        assert!(report.written.is_some(), "{case}: build failed: {:#?}", report.prepared.diagnostics);
        for csv in CSVS {
            let expected = fs::read(root.join("expected").join(csv)).unwrap();
            let got = fs::read(output.join("data").join(csv)).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{case}/{csv} differs from the hand-worked file"
            );
            assert_eq!(got, expected, "{case}/{csv}: bytes differ");
        }
    }
}
