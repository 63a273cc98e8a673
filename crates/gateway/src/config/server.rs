//! The `[server]` section: where the gateway listens, who it serves (client keys, the open
//! proxy switch, the `Host` and `Origin` allow-lists) and how large a request or an answer may
//! be. Validated like every section, each problem naming its line; what the allow-lists and
//! the open-proxy switch are for is [`crate::security`]'s business.

use std::net::SocketAddr;

use serde::Deserialize;
use toml::Spanned;

use super::model::ServerConfig;
use super::problems::Validator;
use super::sections;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServer {
    #[serde(default = "default_listen")]
    listen: Spanned<String>,
    #[serde(default)]
    require_client_key: bool,
    #[serde(default = "default_max_body_mb")]
    max_body_mb: Spanned<i64>,
    #[serde(default = "default_max_answer_mb")]
    max_answer_mb: Spanned<i64>,
    #[serde(default)]
    allow_open_proxy: bool,
    #[serde(default)]
    allowed_hosts: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_origins: Vec<Spanned<String>>,
}

impl Default for FileServer {
    fn default() -> Self {
        FileServer {
            listen: default_listen(),
            require_client_key: false,
            max_body_mb: default_max_body_mb(),
            max_answer_mb: default_max_answer_mb(),
            allow_open_proxy: false,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
        }
    }
}

fn default_listen() -> Spanned<String> {
    Spanned::new(0..0, crate::paths::DEFAULT_LISTEN.to_owned())
}

fn default_max_body_mb() -> Spanned<i64> {
    Spanned::new(0..0, 32)
}

/// Room for a large batch of embeddings, the biggest answers an API gives.
fn default_max_answer_mb() -> Spanned<i64> {
    Spanned::new(0..0, 128)
}

/// `max_body_mb` beyond this is a typo: a request body is held in memory whole.
const MAX_BODY_MB: i64 = 512;
/// `max_answer_mb` beyond this is a typo: an answer is held in memory whole.
const MAX_ANSWER_MB: i64 = 1024;

impl Validator<'_> {
    pub(super) fn server(&mut self, server: &FileServer) -> ServerConfig {
        let listen = match server.listen.get_ref().parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                self.problem(
                    Some(server.listen.span()),
                    "server.listen".into(),
                    format!(
                        "'{}' is not an address with a port, e.g. \"127.0.0.1:4545\"",
                        server.listen.get_ref()
                    ),
                );
                crate::paths::default_listen()
            }
        };
        let max_body_mb = self.megabytes(&server.max_body_mb, "server.max_body_mb", MAX_BODY_MB);
        let max_answer_mb =
            self.megabytes(&server.max_answer_mb, "server.max_answer_mb", MAX_ANSWER_MB);
        let allowed_hosts = self.entries(
            &server.allowed_hosts,
            "server.allowed_hosts",
            sections::allowed_host,
        );
        let allowed_origins = self.entries(
            &server.allowed_origins,
            "server.allowed_origins",
            sections::allowed_origin,
        );
        ServerConfig {
            listen,
            require_client_key: server.require_client_key,
            allow_open_proxy: server.allow_open_proxy,
            allowed_hosts,
            allowed_origins,
            max_body_bytes: max_body_mb * 1024 * 1024,
            max_answer_bytes: max_answer_mb * 1024 * 1024,
        }
    }

    /// A size in MB between 1 and `max` (the default when out of range, with a problem).
    fn megabytes(&mut self, value: &Spanned<i64>, field: &str, max: i64) -> usize {
        match *value.get_ref() {
            mb @ 1.. if mb <= max => mb as usize,
            mb => {
                self.problem(
                    Some(value.span()),
                    field.to_owned(),
                    format!("{mb} is not a size between 1 and {max} MB"),
                );
                1
            }
        }
    }
}
