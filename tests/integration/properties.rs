//! Property tests: whatever bytes or YAML reach the loaders, they answer with diagnostics and
//! never panic.

use std::fs;

use podium::content::decode::Ctx;
use podium::content::documents::{self, DocFile};
use podium::content::yaml::{self, Origin};
use podium::content::{campaign, criteria, results};
use podium::model::{FileId, Method};
use proptest::prelude::*;

/// Field names from every object of SPEC §11, so random documents reach deep into decoders.
const WORDS: &[&str] = &[
    "title",
    "name",
    "id",
    "periods",
    "clusters",
    "tiers",
    "indicators",
    "awards",
    "groups",
    "criteria",
    "max",
    "method",
    "target",
    "cap",
    "per",
    "bands",
    "min",
    "points",
    "bonus",
    "penalties",
    "items",
    "results",
    "h1",
    "A1",
    "registration",
    "targets",
    "seeks",
    "metrics",
    "notes",
    "evidence",
    "quota",
    "scope",
    "share_of_units",
    "ratio",
    "sum",
    "over",
    "site",
    "menu",
    "url",
    "precision",
    "tie_break",
    "proportional",
    "inverse",
    "bands",
    "per_item",
    "assessed",
    "pass_fail",
    "date",
    "parties",
    "cluster",
    "parent",
    "headcount",
    "min_score",
    "min_tier",
    "top",
    "language",
    "vi",
    "current_period",
    "draft",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(WORDS).prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        "-?[0-9]{1,30}(\\.[0-9]{1,30})?(e[0-9]{1,4})?",
        Just("true".to_string()),
        Just("yes".to_string()),
        Just("~".to_string()),
        Just("\"20%\"".to_string()),
        Just("2016-02-30".to_string()),
        Just("2016-06-30".to_string()),
        "[ -~]{0,12}".prop_map(|s| format!("{s:?}")),
    ]
}

/// Random YAML documents in flow style built from the vocabulary above.
fn yaml_doc() -> impl Strategy<Value = String> {
    let leaf = scalar();
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((proptest::sample::select(WORDS), inner), 0..6).prop_map(|v| {
                let entries: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", entries.join(", "))
            }),
        ]
    })
}

fn decode_everything(text: &str) -> usize {
    let mut diags = Vec::new();
    let origin = Origin { file: FileId(0), line_offset: 1 };
    let Ok(Some(node)) = yaml::parse(text, origin) else { return 0 };
    let mut ctx = Ctx { path: "content/x", diags: &mut diags };
    let _ = campaign::decode(&mut ctx, &node);
    let _ = criteria::decode(&mut ctx, &node);
    let doc = DocFile { id: "x", file: FileId(0), body: "", root: Some(&node) };
    let _ = documents::unit(&mut ctx, &doc, Some("content/units/x".into()));
    let _ = documents::news(&mut ctx, &doc);
    let _ = documents::agreement(&mut ctx, &doc);
    let _ = documents::page(&mut ctx, &doc);
    diags.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_yaml_gives_diagnostics_not_panics(doc in yaml_doc()) {
        decode_everything(&doc);
        decode_everything(&format!("root: {doc}\n"));
    }

    #[test]
    fn arbitrary_text_gives_diagnostics_not_panics(text in "\\PC{0,200}") {
        decode_everything(&text);
        let _ = podium::content::frontmatter::split(&text);
        let mut diags = Vec::new();
        let mut ctx = Ctx { path: "content/results/h1.csv", diags: &mut diags };
        let method = |id: &str| (id == "B1").then_some(Method::PassFail);
        let _ = results::read(&mut ctx, FileId(0), &text, &method, &["A1", "B1"]);
    }

    #[test]
    fn arbitrary_csv_cells_give_diagnostics_not_panics(cells in proptest::collection::vec("[0-9a-z.,;\" \\r\\n-]{0,8}", 0..24)) {
        let text = format!("unit;A1;B1;bonus:x\n{}", cells.join(";"));
        let mut diags = Vec::new();
        let mut ctx = Ctx { path: "content/results/h1.csv", diags: &mut diags };
        let method = |id: &str| (id == "B1").then_some(Method::PassFail);
        let _ = results::read(&mut ctx, FileId(0), &text, &method, &["A1", "B1"]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Arbitrary bytes in every kind of content file of a real site on disk.
    #[test]
    fn arbitrary_bytes_in_any_content_file_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), which in 0usize..6) {
        let site = crate::support::broken_site("missing-value-warning");
        let files = ["content/campaign.yaml", "content/criteria.yaml", "content/units/hq-a.md", "content/results/h1.csv", "content/news/kickoff.md", "content/index.md"];
        fs::write(site.path().join(files[which]), &bytes).unwrap();
        let prepared = podium::site::prepare(site.path()).unwrap();
        if prepared.has_errors() {
            prop_assert!(prepared.diagnostics.iter().all(|d| d.location.is_some()));
        } else {
            let standings = podium::scoring::score(&prepared.corpus);
            prop_assert_eq!(standings.periods.len(), prepared.corpus.campaign.periods.len());
        }
    }
}
