//! Writing a client's file so that it is never half-written: the new bytes go to a temporary
//! file beside it (same directory, so the same file system), are flushed to disk, given the
//! old file's permissions and owner, and renamed over it in one step. A crash at any point
//! leaves either the old file or the new one. A symbolic link (dotfiles kept in a repository)
//! is followed, so the link stays a link and its target gets the new text.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::ConnectError;

/// The file a path names, links followed; a missing file is its own path.
pub fn resolve(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// The file's text, or `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<String>, ConnectError> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ConnectError::unsupported(path, "the file is not UTF-8 text")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConnectError::io(path)(e)),
    }
}

pub fn write(path: &Path, text: &str) -> Result<(), ConnectError> {
    let target = resolve(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(ConnectError::io(dir))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.switchyard-{}.tmp",
        uuid::Uuid::new_v4().simple()
    ));
    let result = write_temp(&temp, &target, text)
        .and_then(|()| fs::rename(&temp, &target).map_err(ConnectError::io(&target)));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    // The rename is durable once the directory is flushed too (best effort: not every
    // platform lets a directory be opened).
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    Ok(())
}

fn write_temp(temp: &Path, target: &Path, text: &str) -> Result<(), ConnectError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        // A new file may hold a client key: readable by its owner only until permissions
        // are copied from the file it replaces.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(temp).map_err(ConnectError::io(temp))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(ConnectError::io(temp))?;
    if let Ok(meta) = fs::metadata(target) {
        fs::set_permissions(temp, meta.permissions()).map_err(ConnectError::io(temp))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root can give a file away; anyone else already owns what they write.
            let _ = std::os::unix::fs::chown(temp, Some(meta.uid()), Some(meta.gid()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("switchyard-atomic-{}", uuid::Uuid::new_v4()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn the_new_file_keeps_the_old_permissions_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir();
        let path = dir.join("settings.json");
        fs::write(&path, "{}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, "{\"a\": 1}").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"a\": 1}");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("settings.json")]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_written_through_the_link() {
        let dir = temp_dir();
        let real = dir.join("dotfiles-settings.json");
        fs::write(&real, "{}").unwrap();
        let link = dir.join("settings.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, "{\"b\": 2}").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "still a link"
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "{\"b\": 2}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_directories_are_created() {
        let dir = temp_dir();
        let path = dir.join("a/b/config.toml");
        write(&path, "x = 1\n").unwrap();
        assert_eq!(read(&path).unwrap().as_deref(), Some("x = 1\n"));
        assert_eq!(read(&dir.join("absent")).unwrap(), None);
        fs::remove_dir_all(dir).unwrap();
    }
}
