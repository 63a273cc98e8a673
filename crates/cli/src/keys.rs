//! `switchyard keys`: provider keys in the OS keychain. Keys are read from standard input (with
//! a no-echo prompt on a terminal), never from the command line where shell history and `ps`
//! would keep them, and never printed beyond their last four characters.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use switchyard_gateway::config::{self, Config};
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::{
    KeyOrigin, KeyResolver, KeyStore, MAX_KEYS_PER_PROVIDER, OsKeychain, Secret,
};

fn load_config(locations: &Locations) -> anyhow::Result<Config> {
    Ok(config::load_or_create(&locations.config_path)?)
}

/// Splits a keychain account into the provider id and the key's number: `openai` is key 1,
/// `openai#2` key 2 (a provider may have up to 16 keys, used in turn).
fn account_parts(account: &str) -> anyhow::Result<(&str, usize)> {
    let Some((id, n)) = account.split_once('#') else {
        return Ok((account, 1));
    };
    match n.parse::<usize>() {
        Ok(n @ 2..=MAX_KEYS_PER_PROVIDER) => Ok((id, n)),
        _ => bail!(
            "'{account}': a provider's further keys are ID#2 to ID#{MAX_KEYS_PER_PROVIDER} (e.g. `switchyard keys set {id}#2`)"
        ),
    }
}

fn known_provider<'c>(config: &'c Config, account: &str) -> anyhow::Result<&'c config::Provider> {
    let (id, _) = account_parts(account)?;
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
        let (mut source, last_four) = match runtime.block_on(resolver.resolve(provider)) {
            Ok(Some((secret, KeyOrigin::Keychain))) => ("keychain".to_owned(), secret.last_four()),
            Ok(Some((secret, KeyOrigin::Env(var)))) => (format!("env {var}"), secret.last_four()),
            Ok(None) => ("not needed".to_owned(), "-".to_owned()),
            Err(_) => ("missing".to_owned(), "-".to_owned()),
        };
        let more = runtime.block_on(resolver.count(provider)).saturating_sub(1);
        if more > 0 {
            source = format!("{source} (+{more} more, in turn)");
        }
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
    let id = id.split_once('#').map_or(id, |(base, _)| base);
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

#[cfg(test)]
mod tests {
    use super::account_parts;

    #[test]
    fn further_keys_are_numbered_accounts_of_the_provider() {
        assert_eq!(account_parts("openai").unwrap(), ("openai", 1));
        assert_eq!(account_parts("openai#2").unwrap(), ("openai", 2));
        assert!(account_parts("openai#1").is_err(), "#1 is the plain id");
        assert!(account_parts("openai#x").is_err());
        assert!(account_parts("openai#17").is_err(), "at most 16 keys");
    }
}
