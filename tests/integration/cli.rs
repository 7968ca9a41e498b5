//! The command line as a user meets it: exit codes, output formats, the output folder.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::support::{broken_cases, broken_site, fixtures};

fn podium() -> Command {
    Command::cargo_bin("podium").unwrap()
}

fn sample_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_is_clean_on_the_sample_campaign() {
    let out = podium().args(["check", "--root"]).arg(sample_root()).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
}

#[test]
fn check_exits_1_on_each_broken_case_and_names_the_file() {
    for case in broken_cases().iter().filter(|c| !c.ends_with("-warning")) {
        let site = broken_site(case);
        let out = podium().args(["check", "--root"]).arg(site.path()).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("content/"), "{case}: {stderr}");
        assert!(stderr.contains("error["), "{case}: {stderr}");
    }
}

#[test]
fn warnings_pass_unless_strict() {
    let site = broken_site("missing-value-warning");
    podium().args(["check", "--root"]).arg(site.path()).assert().success();
    podium().args(["check", "--strict", "--root"]).arg(site.path()).assert().code(1);
}

#[test]
fn github_format_prints_annotations() {
    let site = broken_site("unknown-field");
    let out = podium().args(["check", "--format", "github", "--root"]).arg(site.path()).assert().code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(
            "::error file=content/units/hq-a.md,line=3,col=1,title=unknown-field::unknown field `clustr`"
        ),
        "{stdout}"
    );
}

#[test]
fn json_format_is_one_document() {
    let site = broken_site("many-errors");
    let out = podium().args(["check", "--format", "json", "--root"]).arg(site.path()).assert().code(1);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["errors"], 3);
    assert_eq!(doc["diagnostics"][0]["file"], "content/units/hq-a.md");
    assert!(doc["diagnostics"][0]["line"].as_u64().unwrap() > 0);
}

#[test]
fn usage_and_io_errors_exit_2() {
    podium().args(["check", "--root", "/nonexistent/podium-site"]).assert().code(2);
    podium().args(["check", "--format", "xml"]).assert().code(2);
    podium().args(["frobnicate"]).assert().code(2);
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = broken_site("unknown-field");
    let good = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&fixtures().join("broken/_base"), good.path());
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    podium().args(["build", "--root"]).arg(good.path()).arg("-o").arg(&public).assert().success();
    let before = fs::read(public.join("data/results.csv")).unwrap();
    podium().args(["build", "--root"]).arg(site.path()).arg("-o").arg(&public).assert().code(1);
    assert_eq!(fs::read(public.join("data/results.csv")).unwrap(), before);
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1, "no staging folder is left behind");
}

#[test]
fn build_refuses_an_output_folder_that_holds_the_content() {
    let site = broken_site("missing-value-warning");
    podium().args(["build", "--root"]).arg(site.path()).arg("-o").arg(site.path()).assert().code(2);
    assert!(site.path().join("content/campaign.yaml").exists());
}

#[test]
fn symlinks_leaving_the_root_are_refused_unread() {
    let site = broken_site("missing-value-warning");
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.md"), "---\nname: \"Secret\"\n---\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), site.path().join("content/units/secret.md"))
        .unwrap();
    std::os::unix::fs::symlink(
        site.path().join("content/units/hq-a.md"),
        site.path().join("content/units/alias.md"),
    )
    .unwrap();
    let out = podium().args(["check", "--root"]).arg(site.path()).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("error[symlink-outside-root]"), "{stderr}");
    assert!(stderr.contains("content/units/secret.md"), "{stderr}");
    assert!(!stderr.contains("Secret"), "the target was read: {stderr}");
}

#[test]
fn a_symlink_to_nothing_is_reported_with_its_path() {
    let site = broken_site("missing-value-warning");
    std::os::unix::fs::symlink(
        site.path().join("content/units/gone.md"),
        site.path().join("content/units/ghost.md"),
    )
    .unwrap();
    let out = podium().args(["check", "--root"]).arg(site.path()).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error[broken-symlink]") && stderr.contains("content/units/ghost.md"),
        "{stderr}"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_is_reported_and_the_rest_still_checked() {
    use std::os::unix::ffi::OsStrExt;
    let site = broken_site("missing-value-warning");
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff.md");
    fs::write(site.path().join("content/news").join(name), "---\ntitle: x\n---\n").unwrap();
    let out = podium().args(["check", "--root"]).arg(site.path()).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error[invalid-file-name]") && stderr.contains("content/news/bad-\u{fffd}.md"),
        "{stderr}"
    );
    // The fixture's own warning is still there: one bad name does not stop the check.
    assert!(stderr.contains("warning["), "{stderr}");
}

#[test]
fn files_over_16_mib_are_refused() {
    let site = broken_site("missing-value-warning");
    let big = vec![b'a'; 16 * 1024 * 1024 + 1];
    fs::write(site.path().join("content/news/big.md"), big).unwrap();
    let out = podium().args(["check", "--root"]).arg(site.path()).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("error[file-too-large]") && stderr.contains("content/news/big.md"), "{stderr}");
}
