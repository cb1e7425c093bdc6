//! Writing files safely: every file tenderlint writes goes through [`write_atomic`], which writes
//! a temporary file in the target's folder, syncs it and renames it over the target, so a crash
//! or a full disk never leaves a half-written report or review file (the compile cache skips
//! the sync: [`write_atomic_unsynced`]). [`refuse_same_file`] stops an
//! output from replacing one of the inputs.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
///
/// A symbolic link is followed, so the file it points at is replaced and the link stays. A target
/// that exists and is not a regular file (`/dev/null`, a FIFO, a terminal) is written directly:
/// renaming over it would replace the device with a plain file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(bytes);
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = std::fs::canonicalize(path)?;
            return write_atomic(&target, bytes);
        }
    }
    replace(path, bytes, true)
}

/// Writes a temporary file next to `path` and renames it over `path`, syncing it first when
/// `sync` is set.
fn replace(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, without
/// syncing: for files that are only worth something when whole (the compile cache), where a
/// reader must never see half a file but a crash may lose the file.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, bytes, false)
}

/// An error if `output` is the same file as any of `inputs` (after resolving links).
pub fn refuse_same_file(output: &Path, inputs: &[&Path]) -> std::io::Result<()> {
    let out = match std::fs::canonicalize(output) {
        Ok(p) => p,
        Err(_) => return Ok(()), // does not exist yet: cannot be an input
    };
    for input in inputs {
        if std::fs::canonicalize(input).ok().as_deref() == Some(out.as_path()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("refusing to overwrite the input {}", input.display()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leaving_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    /// Regression: `scan -o /dev/null` renamed a temporary file over /dev/null and turned the
    /// device into a plain file for the whole machine.
    #[test]
    fn special_files_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null is still a device"
        );
    }

    #[test]
    fn a_symlink_keeps_pointing_at_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.docx");
        std::fs::write(&p, b"x").unwrap();
        assert!(refuse_same_file(&p, &[p.as_path()]).is_err());
        let other = dir.path().join("out.docx");
        assert!(refuse_same_file(&other, &[p.as_path()]).is_ok());
    }
}
