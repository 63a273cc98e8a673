//! Keeping Switchyard's files readable by their owner only.
//!
//! The data dir holds every prompt and answer (`history.sqlite3` and its `-wal` and `-shm`,
//! which SQLite creates with the database file's mode), the admin token and the runtime file;
//! the config file may hold telemetry headers. All of it is the user's alone: the data dir is
//! made 0700 and every file Switchyard keeps in it 0600, and the config file 0600, at every
//! start (entries it does not write are left alone), so a dir
//! created by an older version, by hand or by a restore from backup (0755, 0644) is fixed
//! too. What had to be fixed is returned, for the CLI to say so.
//!
//! The database file is created empty with mode 0600 before SQLite opens it: SQLite gives its
//! WAL and shared-memory files the database file's mode, not the umask's.
//!
//! On other platforms than Unix these are no-ops: the data dir lives in the user's profile,
//! which the OS already keeps private.

use std::io;
use std::path::{Path, PathBuf};

/// A file or directory whose permissions were too open, and what they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub path: PathBuf,
    /// The mode it had (permission bits only), e.g. `0o755`.
    pub was: u32,
}

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (was {:04o})", self.path.display(), self.was)
    }
}

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` if needed and makes it private, with each of its entries that `is_own`
/// names, and everything inside those. Other entries, and symbolic links anywhere, are left
/// alone: they are not Switchyard's to change.
pub fn secure_dir(dir: &Path, is_own: fn(&str) -> bool) -> io::Result<Vec<Fixed>> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)?;
    let mut fixed = Vec::new();
    restrict(dir, DIR_MODE, &mut fixed)?;
    walk(dir, Some(is_own), &mut fixed)?;
    Ok(fixed)
}

fn walk(dir: &Path, is_own: Option<fn(&str) -> bool>, fixed: &mut Vec<Fixed>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some(is_own) = is_own
            && !is_own(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            restrict(&path, DIR_MODE, fixed)?;
            walk(&path, None, fixed)?;
        } else if kind.is_file() {
            restrict(&path, FILE_MODE, fixed)?;
        }
    }
    Ok(())
}

/// Makes an existing file private (a missing one is no problem).
pub fn secure_file(path: &Path) -> io::Result<Vec<Fixed>> {
    let mut fixed = Vec::new();
    if path.is_file() {
        restrict(path, FILE_MODE, &mut fixed)?;
    }
    Ok(fixed)
}

/// Creates `path` empty with mode 0600 unless it exists.
pub fn create_private(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path).map(drop)
}

/// Writes `bytes` to `path`, creating it with mode 0600 (an existing file is made 0600 too).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    restrict(path, FILE_MODE, &mut Vec::new())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32, fixed: &mut Vec<Fixed>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let was = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if was & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        fixed.push(Fixed {
            path: path.to_path_buf(),
            was,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32, _: &mut Vec<Fixed>) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_dir_left_open_is_closed_and_each_fix_is_reported_once() {
        let dir = std::env::temp_dir().join(format!("switchyard-private-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(dir.join("connect")).unwrap();
        std::fs::write(dir.join("history.sqlite3-wal"), b"prompts").unwrap();
        std::fs::write(dir.join("connect/codex.json"), b"{}").unwrap();
        for (path, m) in [
            (dir.clone(), 0o755),
            (dir.join("connect"), 0o755),
            (dir.join("history.sqlite3-wal"), 0o644),
            (dir.join("connect/codex.json"), 0o640),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
        }
        std::fs::write(dir.join("notes.sh"), b"#!/bin/sh").unwrap();
        std::fs::set_permissions(dir.join("notes.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let fixed = secure_dir(&dir, crate::paths::is_own_entry).unwrap();
        assert_eq!(fixed.len(), 4, "{fixed:?}");
        assert_eq!(
            mode(&dir.join("notes.sh")),
            0o755,
            "a file Switchyard does not write is left as it is"
        );
        assert_eq!(
            fixed[0],
            Fixed {
                path: dir.clone(),
                was: 0o755
            }
        );
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("connect")), 0o700);
        assert_eq!(mode(&dir.join("history.sqlite3-wal")), 0o600);
        assert_eq!(mode(&dir.join("connect/codex.json")), 0o600);
        assert!(
            secure_dir(&dir, crate::paths::is_own_entry)
                .unwrap()
                .is_empty(),
            "nothing left to fix"
        );
        std::fs::set_permissions(
            dir.join("history.sqlite3-wal"),
            std::fs::Permissions::from_mode(0o400),
        )
        .unwrap();
        assert!(
            secure_dir(&dir, crate::paths::is_own_entry)
                .unwrap()
                .is_empty(),
            "stricter than 0600 is left as it is"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn written_files_are_private_whatever_the_umask() {
        let dir = std::env::temp_dir().join(format!("switchyard-private-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        create_private(&dir.join("db")).unwrap();
        assert_eq!(mode(&dir.join("db")), 0o600);
        let _ = std::fs::remove_dir_all(dir);
    }
}
