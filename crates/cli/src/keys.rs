//! `switchyard keys`: provider keys in the OS keychain. Keys are read from standard input (with
//! a no-echo prompt on a terminal), never from the command line where shell history and `ps`
//! would keep them, and never printed beyond their last four characters.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use switchyard_gateway::config::{self, Config};
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::{KeyOrigin, KeyResolver, KeyStore, OsKeychain, Secret};

fn load_config(locations: &Locations) -> anyhow::Result<Config> {
    Ok(config::load_or_create(&locations.config_path)?)
}

fn known_provider<'c>(config: &'c Config, id: &str) -> anyhow::Result<&'c config::Provider> {
    match config.provider(id) {
        Some(provider) => Ok(provider),
        None => {
            let known: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
            bail!(
                "no provider '{id}' in the configuration; known providers: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )
        }
    }
}

fn keychain() -> anyhow::Result<OsKeychain> {
    let keychain = OsKeychain::platform()?;
    keychain.probe()?;
    Ok(keychain)
}

fn read_key(id: &str) -> anyhow::Result<Secret> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for provider '{id}' (input hidden): "))
            .context("cannot read the key from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the key from standard input")?;
        text
    };
    let key = text.trim();
    if key.is_empty() {
        bail!(
            "no key given: pipe it in (`printf %s \"$KEY\" | switchyard keys set {id}`) or type it at the prompt"
        );
    }
    Ok(Secret::new(key))
}

#[allow(clippy::print_stdout)]
pub fn set(locations: &Locations, id: &str) -> anyhow::Result<ExitCode> {
    let config = load_config(locations)?;
    known_provider(&config, id)?;
    let keychain = keychain()?;
    let key = read_key(id)?;
    keychain.set(id, &key)?;
    println!(
        "Stored the key for '{id}' (…{}) in the OS keychain.",
        key.last_four()
    );
    notify_running_gateway(locations, &config, id);
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::print_stdout)]
pub fn delete(locations: &Locations, id: &str) -> anyhow::Result<ExitCode> {
    let config = load_config(locations)?;
    known_provider(&config, id)?;
    if keychain()?.delete(id)? {
        println!("Deleted the key for '{id}' from the OS keychain.");
    } else {
        println!("The OS keychain held no key for '{id}'.");
    }
    notify_running_gateway(locations, &config, id);
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::print_stdout)]
pub fn list(locations: &Locations) -> anyhow::Result<ExitCode> {
    let config = load_config(locations)?;
    let keychain = match keychain() {
        Ok(keychain) => Some(Arc::new(keychain) as Arc<dyn KeyStore>),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    };
    let resolver = KeyResolver::new(keychain);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    println!(
        "{:<20} {:<18} {:<28} LAST FOUR",
        "PROVIDER", "KIND", "KEY FROM"
    );
    for provider in &config.providers {
        let (source, last_four) = match runtime.block_on(resolver.resolve(provider)) {
            Ok(Some((secret, KeyOrigin::Keychain))) => ("keychain".to_owned(), secret.last_four()),
            Ok(Some((secret, KeyOrigin::Env(var)))) => (format!("env {var}"), secret.last_four()),
            Ok(None) => ("not needed".to_owned(), "-".to_owned()),
            Err(_) => ("missing".to_owned(), "-".to_owned()),
        };
        println!(
            "{:<20} {:<18} {:<28} {}",
            provider.id,
            provider.kind.as_str(),
            source,
            last_four
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Tells a gateway running with this data dir to forget its cached key, so the change applies
/// to its next request. Silent when none is running.
fn notify_running_gateway(locations: &Locations, config: &Config, id: &str) {
    let Ok(token) = std::fs::read_to_string(locations.admin_token_path()) else {
        return;
    };
    let listen = locations
        .running_gateway()
        .or_else(|| {
            std::env::var("SWITCHYARD_LISTEN")
                .ok()
                .and_then(|s| s.parse().ok())
        })
        .unwrap_or(config.server.listen);
    let url = format!("http://{listen}/api/providers/{id}/key/reload");
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let result = runtime.block_on(async {
        reqwest::Client::new()
            .post(&url)
            .bearer_auth(token.trim())
            .timeout(std::time::Duration::from_secs(2))
            .send()
            .await
    });
    if let Ok(response) = result
        && response.status().is_success()
    {
        eprintln!("The running Switchyard at {listen} picked up the change.");
    }
}
