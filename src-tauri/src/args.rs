//! The app's command line: the same `--config`, `--data-dir` and `--listen` (and the same
//! environment variables) as `switchyard serve`, resolved through the gateway's
//! [`Locations`] so the two can never disagree about where the config or the history lives.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use switchyard_gateway::paths::Locations;

/// Passed by the launch-at-login entry: start in the tray without opening the window.
pub const HIDDEN_FLAG: &str = "--hidden";

#[derive(Debug, Parser)]
#[command(
    name = "switchyard-desktop",
    version,
    about = "Switchyard in the tray: the local LLM gateway with its dashboard in a window"
)]
pub struct Args {
    /// Config file [default: <OS config dir>/switchyard/config.toml]
    #[arg(long, env = "SWITCHYARD_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Data directory for history and the admin token [default: <OS data dir>/switchyard]
    #[arg(long, env = "SWITCHYARD_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [default: server.listen from the config, 127.0.0.1:4545]
    #[arg(long, env = "SWITCHYARD_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Start in the tray without showing the window (used when launched at login)
    #[arg(long)]
    pub hidden: bool,
}

impl Args {
    pub fn locations(&self) -> Locations {
        Locations::new(self.config.clone(), self.data_dir.clone(), self.listen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_same_flags_as_switchyard_serve() {
        let args = Args::try_parse_from([
            "switchyard-desktop",
            "--config",
            "/tmp/c.toml",
            "--data-dir",
            "/tmp/data",
            "--listen",
            "127.0.0.1:9999",
            HIDDEN_FLAG,
        ])
        .unwrap();
        let locations = args.locations();
        assert_eq!(locations.config_path, PathBuf::from("/tmp/c.toml"));
        assert_eq!(locations.data_dir, PathBuf::from("/tmp/data"));
        assert_eq!(locations.listen, Some("127.0.0.1:9999".parse().unwrap()));
        assert!(args.hidden);
    }

    #[test]
    fn a_listen_address_that_is_not_one_is_refused_before_anything_starts() {
        let error = Args::try_parse_from(["switchyard-desktop", "--listen", "4545"]).unwrap_err();
        assert!(
            error.to_string().contains("invalid socket address"),
            "{error}"
        );
    }
}
