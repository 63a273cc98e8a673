//! `switchyard connect` / `disconnect`: points a client's own config file at this gateway, and
//! undoes exactly that. The edits themselves are `switchyard_gateway::connect`'s; this file
//! gathers what they need (the gateway's URL, the models, a client key) and prints the result.
//!
//! A client key is issued through the running gateway's admin API when one runs with this data
//! dir (so it accepts the key at once), else straight into the history database.

#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use anyhow::Context;
use switchyard_gateway::config::{self, Config};
use switchyard_gateway::connect::{
    Client, ClientEnv, ConnectError, ConnectionState, Connector, Target,
};
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::Secret;

pub struct Options {
    pub model: Option<String>,
    pub client_key: bool,
    pub dry_run: bool,
}

fn connector(locations: &Locations) -> Connector {
    Connector::new(ClientEnv::from_process(), &locations.data_dir)
}

/// The address clients should use: the running gateway's, else the configured one (a
/// wildcard listen address is reached on loopback).
fn root_url(locations: &Locations, config: &Config) -> String {
    let mut listen = locations.running_gateway().unwrap_or(config.server.listen);
    if listen.ip().is_unspecified() {
        listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{listen}")
}

/// A refused file is the user's to fix: its message, and a non-zero exit.
fn report_error(e: ConnectError) -> anyhow::Result<ExitCode> {
    eprintln!("switchyard: {e}");
    Ok(ExitCode::FAILURE)
}

pub fn connect(locations: &Locations, client: &str, options: Options) -> anyhow::Result<ExitCode> {
    let client = match Client::parse(client) {
        Ok(client) => client,
        Err(e) => return report_error(e),
    };
    let config = config::load_or_create(&locations.config_path)?;
    let connector = connector(locations);
    let url = root_url(locations, &config);
    if options.dry_run {
        let key = options
            .client_key
            .then(|| Secret::new("<client key>".to_owned()));
        let target = Target::from_config(&config, url, options.model, key);
        return match connector.preview(client, &target) {
            Ok(outcome) if outcome.files.is_empty() => {
                println!(
                    "{} is already connected this way: nothing would change.",
                    client.name()
                );
                Ok(ExitCode::SUCCESS)
            }
            Ok(outcome) => {
                for file in &outcome.files {
                    print!("{}", file.diff);
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => report_error(e),
        };
    }
    // Check every file first, so that a refused file does not cost an issued key.
    let probe = Target::from_config(&config, url.clone(), options.model.clone(), None);
    if let Err(e) = connector.preview(client, &probe) {
        return report_error(e);
    }
    let (key, key_id) = if options.client_key {
        let (id, name, secret) = issue_key(locations, &config, client)?;
        println!(
            "Issued client key '{name}' (…{}): requests from {} are attributed to it.",
            secret.last_four(),
            client.name()
        );
        (Some(secret), Some(id))
    } else {
        if config.server.require_client_key {
            eprintln!(
                "switchyard: this gateway requires client keys; run again with --client-key so {} can use it.",
                client.name()
            );
        }
        (None, None)
    };
    let target = Target::from_config(&config, url.clone(), options.model, key);
    let outcome = match connector.connect(client, &target, key_id) {
        Ok(outcome) => outcome,
        Err(e) => return report_error(e),
    };
    if outcome.files.is_empty() {
        println!(
            "{} was already connected to {url}: nothing changed.",
            client.name()
        );
    }
    for file in &outcome.files {
        let verb = if file.created { "created" } else { "edited" };
        println!("{verb} {}", file.path);
    }
    for backup in &outcome.backups {
        println!("backup  {backup}");
    }
    if !outcome.files.is_empty() {
        println!(
            "{} now uses Switchyard at {url}. Undo with `switchyard disconnect {}`.",
            client.name(),
            client.id()
        );
    }
    for note in &outcome.notes {
        println!("note: {note}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn disconnect(locations: &Locations, client: &str) -> anyhow::Result<ExitCode> {
    let client = match Client::parse(client) {
        Ok(client) => client,
        Err(e) => return report_error(e),
    };
    let outcome = match connector(locations).disconnect(client) {
        Ok(outcome) => outcome,
        Err(e) => return report_error(e),
    };
    if !outcome.was_connected {
        println!(
            "{} was not connected by Switchyard: nothing to undo.",
            client.name()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for file in &outcome.files {
        let verb = if file.deleted { "removed" } else { "restored" };
        println!("{verb} {}", file.path);
    }
    for kept in &outcome.kept {
        println!(
            "left as you set it: {} in {} (changed since connect)",
            kept.key, kept.path
        );
    }
    if outcome.client_key_id.is_some() {
        println!(
            "The client key issued for {} stays active; revoke it in the dashboard's Settings if it is no longer needed.",
            client.name()
        );
    }
    println!("{} no longer uses Switchyard.", client.name());
    Ok(ExitCode::SUCCESS)
}

pub fn status(locations: &Locations) -> anyhow::Result<ExitCode> {
    let status = connector(locations).status();
    let rows: Vec<[String; 4]> = status
        .clients
        .iter()
        .map(|c| {
            let state = match c.state {
                ConnectionState::Connected => "connected".to_owned(),
                ConnectionState::NotConnected => "not connected".to_owned(),
                ConnectionState::ChangedSince => {
                    format!("changed since ({})", c.changed_keys.join(", "))
                }
            };
            [
                c.client.id().to_owned(),
                if c.found.is_some() { "yes" } else { "no" }.to_owned(),
                c.files.join(", "),
                state,
            ]
        })
        .collect();
    let header = ["CLIENT", "FOUND", "CONFIG FILE", "STATE"].map(str::to_owned);
    let width = |i: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    for row in std::iter::once(&header).chain(&rows) {
        println!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Issues a key named after the client (`claude-code`, then `claude-code-2`, … when taken).
fn issue_key(
    locations: &Locations,
    config: &Config,
    client: Client,
) -> anyhow::Result<(String, String, Secret)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let names: Vec<String> = std::iter::once(client.id().to_owned())
        .chain((2..=9).map(|n| format!("{}-{n}", client.id())))
        .collect();
    runtime.block_on(async {
        if let (Some(listen), Ok(token)) = (
            locations.running_gateway(),
            std::fs::read_to_string(locations.admin_token_path()),
        ) {
            for name in &names {
                let response = reqwest::Client::new()
                    .post(format!("http://{listen}/api/client-keys"))
                    .bearer_auth(token.trim())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(serde_json::json!({ "name": name }).to_string())
                    .timeout(std::time::Duration::from_secs(5))
                    .send()
                    .await;
                let Ok(response) = response else { break };
                if response.status().is_success() {
                    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
                    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
                    return Ok((text("id"), text("name"), Secret::new(text("key"))));
                }
                if response.status() != reqwest::StatusCode::BAD_REQUEST {
                    anyhow::bail!(
                        "the running gateway did not issue a client key ({})",
                        response.status()
                    );
                }
            }
        }
        let history = switchyard_gateway::history::History::open(
            &locations.history_path(),
            config.logging.retention(),
        )
        .context("opening the history database to issue a client key")?;
        let keys = switchyard_gateway::client_keys::ClientKeys::default();
        let mut last = None;
        for name in &names {
            match keys.issue(&history, name).await {
                Ok(issued) => return Ok((issued.view.id, issued.view.name, issued.key)),
                Err(e) => last = Some(e),
            }
        }
        Err(anyhow::anyhow!(
            "could not issue a client key: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        ))
    })
}
