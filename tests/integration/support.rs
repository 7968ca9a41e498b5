//! Helpers shared by the integration tests: locating fixtures, materialising broken cases.

use std::fs;
use std::path::{Path, PathBuf};

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a folder tree (files only; symlinks are not expected in fixtures).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The names of the broken cases, sorted.
pub(crate) fn broken_cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures().join("broken"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "_base")
        .collect();
    names.sort();
    names
}

/// A broken case as a site: the shared base, with the case's files laid over it and the
/// paths listed in its `delete` file removed.
pub(crate) fn broken_site(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let broken = fixtures().join("broken");
    copy_tree(&broken.join("_base"), dir.path());
    let case_dir = broken.join(case);
    copy_tree(&case_dir, dir.path());
    let _ = fs::remove_file(dir.path().join("delete"));
    if let Ok(list) = fs::read_to_string(case_dir.join("delete")) {
        for path in list.lines().filter(|l| !l.trim().is_empty()) {
            fs::remove_file(dir.path().join(path)).unwrap();
        }
    }
    dir
}
