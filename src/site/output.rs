//! Writing the rendered files: into a fresh folder beside the output, then swapped into place.
//!
//! Nothing is written outside the output folder: every path is relative, with no `..`. The
//! output folder may not be the site root, hold it, or lie inside the folders podium reads.

use std::fs;
use std::io::{IoSlice, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

/// A generated file: its path relative to the output folder (with `/`) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    /// Shared, so that `serve` can keep a page it did not need to re-render without copying it.
    pub bytes: Arc<[u8]>,
}

/// Refuses an output folder whose replacement would destroy the site's sources.
pub fn check_output_folder(root: &Path, output: &Path) -> Result<()> {
    let root = absolute(root)?;
    let out = absolute(output)?;
    if root.starts_with(&out) {
        bail!(
            "the output folder {} holds the site root; replacing it would delete the content (use -o public)",
            output.display()
        );
    }
    for source in ["content", "static", "templates", "themes"] {
        if out.starts_with(root.join(source)) {
            bail!(
                "the output folder {} lies inside {source}/, which podium reads; choose another -o",
                output.display()
            );
        }
    }
    Ok(())
}

/// An absolute, lexically normalised path (the folder need not exist yet).
fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let joined = joined.canonicalize().unwrap_or(joined);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    Ok(out)
}

/// Whether a generated path stays inside the output folder.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A new output folder being written beside the old one. Files go in as they are made;
/// `commit` swaps it in for the output folder, and dropping it uncommitted removes it, so a
/// failed build leaves the previous output as it was.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(output: &Path) -> Result<Staging> {
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
        let name = output.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.podium-new-{}", std::process::id()));
        let retired = parent.join(format!(".{name}.podium-old-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Staging { output: output.to_path_buf(), dir, retired, committed: false })
    }

    /// Writes one file (safe to call from several threads).
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        self.write_bytes(&file.path, &file.bytes)
    }

    /// Writes `bytes` at `path` (relative to the output folder; safe from several threads).
    pub fn write_bytes(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path_of(path)?;
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    fn path_of(&self, path: &str) -> Result<PathBuf> {
        if !is_safe_relative(path) {
            bail!("refusing to write {path:?}: it would leave the output folder");
        }
        let path = self.dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        Ok(path)
    }

    /// Swaps the new folder in for the output folder.
    pub fn commit(mut self) -> Result<()> {
        let had_previous = self.output.exists();
        if had_previous {
            fs::rename(&self.output, &self.retired)
                .with_context(|| format!("moving the previous {} aside", self.output.display()))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.output) {
            if had_previous {
                let _ = fs::rename(&self.retired, &self.output);
            }
            return Err(e).with_context(|| format!("moving the new site into {}", self.output.display()));
        }
        self.committed = true;
        if had_previous {
            let _ = fs::remove_dir_all(&self.retired);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `files` into a new folder and swaps it in for `output`. On any failure the previous
/// output is left as it was.
pub fn replace(output: &Path, files: &[OutputFile]) -> Result<()> {
    if let Some(bad) = files.iter().find(|f| !is_safe_relative(&f.path)) {
        bail!("refusing to write {:?}: it would leave the output folder", bad.path);
    }
    let staging = Staging::new(output)?;
    files.par_iter().try_for_each(|f| staging.write(f))?;
    staging.commit()
}

impl crate::render::Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.write_bytes(path, bytes)
    }

    /// One `writev` instead of copying the parts together first (a unit page is ~100 KB, most of
    /// it in four prewritten sections).
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        let path = self.path_of(path)?;
        let write = || -> std::io::Result<()> {
            let mut file = fs::File::create(&path)?;
            let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
            let mut rest = &mut slices[..];
            while !rest.is_empty() {
                match file.write_vectored(rest) {
                    Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                    Ok(n) => IoSlice::advance_slices(&mut rest, n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        };
        write().with_context(|| format!("writing {}", path.display()))
    }

    fn write_streamed(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let path = self.path_of(path)?;
        let file = fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut out).with_context(|| format!("writing {}", path.display()))?;
        std::io::Write::flush(&mut out).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_paths_must_stay_inside() {
        assert!(is_safe_relative("data/results.csv"));
        assert!(!is_safe_relative("../x"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative("a//b"));
        assert!(!is_safe_relative("a/./b"));
    }

    #[test]
    fn replacing_keeps_the_old_output_when_a_write_fails() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        replace(&out, &[OutputFile { path: "a.txt".into(), bytes: Arc::from(&b"one"[..]) }]).unwrap();
        let bad = [OutputFile { path: "../escape.txt".into(), bytes: Arc::from(&b""[..]) }];
        assert!(replace(&out, &bad).is_err());
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"one");
        replace(&out, &[OutputFile { path: "b/c.txt".into(), bytes: Arc::from(&b"two"[..]) }]).unwrap();
        assert!(!out.join("a.txt").exists());
        assert_eq!(fs::read(out.join("b/c.txt")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
    }

    #[test]
    fn a_file_written_in_parts_is_the_parts_in_order() {
        use crate::render::Sink;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::new(&out).unwrap();
        let big = vec![b'x'; 300_000];
        let parts: [&[u8]; 5] = [b"<p>", &big, b"", "đ</p>".as_bytes(), b"\n"];
        staging.write_parts("units/a/index.html", &parts).unwrap();
        assert!(staging.write_parts("../escape.html", &parts).is_err());
        staging.commit().unwrap();
        assert_eq!(fs::read(out.join("units/a/index.html")).unwrap(), parts.concat());
    }

    #[test]
    fn the_output_may_not_swallow_the_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(check_output_folder(root, root).is_err());
        assert!(check_output_folder(root, &root.join("content/x")).is_err());
        assert!(check_output_folder(&root.join("site"), root).is_err());
        assert!(check_output_folder(root, &root.join("public")).is_ok());
    }
}
