//! The part of the environment that decides where a client keeps its config: the home
//! directory, the client's own variables (`CODEX_HOME`, `XDG_CONFIG_HOME`, `OPENCODE_CONFIG`, …)
//! and `PATH`. Captured once into a value so that every lookup is a pure function of it and the
//! tests can point a client at a temporary home without touching the process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct ClientEnv {
    pub home: PathBuf,
    vars: HashMap<String, String>,
}

impl ClientEnv {
    /// The environment of this process.
    pub fn from_process() -> ClientEnv {
        let vars: HashMap<String, String> = std::env::vars().collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(dirs::home_dir)
            .unwrap_or_else(|| PathBuf::from("."));
        ClientEnv { home, vars }
    }

    /// A home directory and nothing else set (tests), plus the variables given.
    pub fn with_home(home: impl Into<PathBuf>, vars: &[(&str, &str)]) -> ClientEnv {
        ClientEnv {
            home: home.into(),
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// A variable's value, empty ones counting as unset (as the clients treat them).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A variable naming a directory or file: relative paths are taken from the home
    /// directory, since no client's current directory is known here.
    pub fn path_var(&self, name: &str) -> Option<PathBuf> {
        self.var(name).map(|v| self.absolute(Path::new(v)))
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        if let Ok(rest) = path.strip_prefix("~") {
            return self.home.join(rest);
        }
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.home.join(path)
        }
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config` (also what Zed and opencode use on macOS).
    pub fn xdg_config_home(&self) -> PathBuf {
        self.path_var("XDG_CONFIG_HOME")
            .unwrap_or_else(|| self.home.join(".config"))
    }

    /// The first executable called `name` on `PATH`.
    pub fn find_program(&self, name: &str) -> Option<PathBuf> {
        let path = self.var("PATH")?;
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file() || path.with_extension("cmd").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_tilde_paths_in_variables_are_taken_from_home() {
        let env = ClientEnv::with_home("/home/ada", &[("CODEX_HOME", "~/codex"), ("X", "rel")]);
        assert_eq!(
            env.path_var("CODEX_HOME"),
            Some(PathBuf::from("/home/ada/codex"))
        );
        assert_eq!(env.path_var("X"), Some(PathBuf::from("/home/ada/rel")));
        assert_eq!(env.path_var("UNSET"), None);
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let env = ClientEnv::with_home("/home/ada", &[("XDG_CONFIG_HOME", "")]);
        assert_eq!(env.xdg_config_home(), PathBuf::from("/home/ada/.config"));
    }
}
