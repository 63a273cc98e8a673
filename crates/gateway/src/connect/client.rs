//! The clients `connect` knows, what it points them at ([`Target`]), and the edit each one
//! gets ([`FilePlan`]): which file, found the way that client finds it, and which keys.
//! Each client's own rules live in its module; this one only dispatches.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::env::ClientEnv;
use super::error::ConnectError;
use super::target::{FilePlan, Target};
use super::{aider, claude_code, cline, codex, continue_dev, gemini_cli, opencode, zed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    ClaudeCode,
    Codex,
    GeminiCli,
    Opencode,
    Continue,
    Aider,
    Zed,
    /// Cline and Roo Code keep their settings in VS Code's storage: Switchyard writes a profile
    /// to import.
    Cline,
}

impl Client {
    pub const ALL: [Client; 8] = [
        Client::ClaudeCode,
        Client::Codex,
        Client::GeminiCli,
        Client::Opencode,
        Client::Continue,
        Client::Aider,
        Client::Zed,
        Client::Cline,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Client::ClaudeCode => "claude-code",
            Client::Codex => "codex",
            Client::GeminiCli => "gemini-cli",
            Client::Opencode => "opencode",
            Client::Continue => "continue",
            Client::Aider => "aider",
            Client::Zed => "zed",
            Client::Cline => "cline",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Client::ClaudeCode => "Claude Code",
            Client::Codex => "Codex CLI",
            Client::GeminiCli => "Gemini CLI",
            Client::Opencode => "opencode",
            Client::Continue => "Continue",
            Client::Aider => "Aider",
            Client::Zed => "Zed",
            Client::Cline => "Cline and Roo Code",
        }
    }

    pub fn parse(id: &str) -> Result<Client, ConnectError> {
        Client::ALL
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or_else(|| ConnectError::UnknownClient {
                client: id.to_owned(),
            })
    }

    /// The files this client's connect edits, and the values it sets.
    pub fn plan(
        self,
        env: &ClientEnv,
        profiles: &Path,
        target: &Target,
    ) -> Result<Vec<FilePlan>, ConnectError> {
        match self {
            Client::ClaudeCode => Ok(claude_code::plan(env, target)),
            Client::Codex => Ok(codex::plan(env, target)),
            Client::GeminiCli => Ok(gemini_cli::plan(env, target)),
            Client::Opencode => Ok(opencode::plan(env, target)),
            Client::Continue => continue_dev::plan(env, target),
            Client::Aider => aider::plan(env, target),
            Client::Zed => Ok(zed::plan(env, target)),
            Client::Cline => Ok(cline::plan(profiles, target)),
        }
    }

    /// The files this client reads its settings from (what `--status` shows).
    pub fn files(self, env: &ClientEnv, profiles: &Path) -> Vec<PathBuf> {
        let mut target = Target::placeholder();
        target.model = Some("m".into());
        self.plan(env, profiles, &target)
            .map(|plans| plans.into_iter().map(|p| p.path).collect())
            .unwrap_or_default()
    }

    /// What shows this client is installed: a program on `PATH` or its settings folder.
    pub fn found(self, env: &ClientEnv) -> Option<String> {
        let (programs, places): (&[&str], Vec<PathBuf>) = match self {
            Client::ClaudeCode => (&["claude"], vec![claude_code::dir(env)]),
            Client::Codex => (&["codex"], vec![codex::dir(env)]),
            Client::GeminiCli => (&["gemini"], vec![gemini_cli::dir(env)]),
            Client::Opencode => (&["opencode"], vec![env.xdg_config_home().join("opencode")]),
            Client::Continue => (&[], vec![continue_dev::dir(env)]),
            Client::Aider => (&["aider"], vec![env.home.join(".aider.conf.yml")]),
            Client::Zed => (
                &["zed", "zeditor", "zedit"],
                vec![env.xdg_config_home().join("zed")],
            ),
            Client::Cline => (&[], cline::extension_dirs(env)),
        };
        if let Some(program) = programs.iter().find_map(|p| env.find_program(p)) {
            return Some(program.display().to_string());
        }
        places
            .into_iter()
            .find(|p| p.exists())
            .map(|p| p.display().to_string())
    }

    /// What is left for the user to do after connecting, if anything.
    pub fn notes(self, target: &Target, profiles: &Path) -> Vec<String> {
        match self {
            Client::Zed => zed::notes(target),
            Client::Cline => cline::notes(target, profiles),
            Client::Continue => vec!["Continue picks up config.yaml changes at once; choose “Switchyard” in its model list.".into()],
            _ => Vec::new(),
        }
    }
}
