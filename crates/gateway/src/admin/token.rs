//! The admin token: created once per data dir, kept in a file only its owner can read (0600),
//! required as `Authorization: Bearer <token>` by every `/api` endpoint.

use std::io::Write;
use std::path::Path;

use crate::secrets::Secret;

pub fn load_or_create(path: &Path) -> std::io::Result<Secret> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let token = text.trim();
        if token.len() >= 32 {
            restrict(path)?;
            return Ok(Secret::new(token));
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Two v4 UUIDs: 244 bits from the OS's cryptographic random source.
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(token.as_bytes())?;
    file.write_all(b"\n")?;
    restrict(path)?;
    Ok(Secret::new(token))
}

fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

/// Compares in time independent of where the first difference is (`subtle`: the optimiser
/// cannot turn it into an early exit). Only the length, which is public, may show.
pub fn matches(presented: &str, token: &Secret) -> bool {
    use subtle::ConstantTimeEq;
    presented.as_bytes().ct_eq(token.expose().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_created_once_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("switchyard-token-{}", uuid::Uuid::now_v7()));
        let path = dir.join("admin-token");
        let first = load_or_create(&path).unwrap();
        let second = load_or_create(&path).unwrap();
        assert_eq!(first.expose(), second.expose(), "a restart keeps the token");
        assert_eq!(first.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches(first.expose(), &first));
        assert!(!matches("wrong", &first));
        let mut almost = first.expose().to_owned();
        almost.pop();
        almost.push('!');
        assert!(!matches(&almost, &first), "the last character counts too");
        assert!(!matches("", &first));
        let _ = std::fs::remove_dir_all(dir);
    }
}
