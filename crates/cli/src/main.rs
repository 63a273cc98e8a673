//! The `switchyard` command: the gateway without a GUI (`serve`), and the tools around it
//! (`check`, `history`, `costs`). Each subcommand is a thin shell over `switchyard-gateway`;
//! nothing here knows how proxying or storage works.

mod connect;
mod keys;
mod prices;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchyard_gateway::paths::Locations;

#[derive(Debug, Parser)]
#[command(
    name = "switchyard",
    version,
    about = "A local LLM gateway: one OpenAI-compatible endpoint for every provider, with history and costs"
)]
struct Cli {
    /// Config file [default: <OS config dir>/switchyard/config.toml]
    #[arg(long, global = true, env = "SWITCHYARD_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    /// Data directory for history and the admin token [default: <OS data dir>/switchyard]
    #[arg(long, global = true, env = "SWITCHYARD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the proxy, the admin API and the dashboard without a GUI
    Serve {
        /// Address to listen on [default: server.listen from the config, 127.0.0.1:4545]
        #[arg(long, env = "SWITCHYARD_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Validate the config file and print each problem with its line
    Check,
    /// Manage provider keys in the OS keychain
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Show recent requests
    #[command(args_conflicts_with_subcommands = true)]
    History {
        #[command(subcommand)]
        action: Option<HistoryAction>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show spending grouped by day, model, provider, tag, client or client_key
    Costs {
        #[arg(long, default_value = "day", value_parser = ["day", "model", "provider", "tag", "client"])]
        by: String,
        /// Only requests from this day on (YYYY-MM-DD, UTC)
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        #[arg(long)]
        csv: bool,
        /// Re-price the period as if every request had gone to MODEL (a route alias,
        /// provider/model, or any model the price tables know)
        #[arg(long = "as", value_name = "MODEL", conflicts_with_all = ["csv", "by"])]
        as_model: Option<String>,
    },
    /// Point a client (claude-code, codex, gemini-cli, opencode, continue, aider, zed, cline)
    /// at Switchyard by editing only the keys Switchyard manages in its own config file
    Connect {
        /// claude-code, codex, gemini-cli, opencode, continue, aider, zed or cline
        #[arg(required_unless_present = "status")]
        client: Option<String>,
        /// The model the client uses (a route alias, provider/model, or a listed model)
        #[arg(long, value_name = "M")]
        model: Option<String>,
        /// Issue a client key named after the client and write it, so costs are attributed
        /// per tool
        #[arg(long)]
        client_key: bool,
        /// Print the unified diff of what would change, and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Show each client: found on this machine, its config file, connected or not
        #[arg(long, conflicts_with_all = ["client", "model", "client_key", "dry_run"])]
        status: bool,
    },
    /// Undo `switchyard connect CLIENT`: restore exactly the keys it set (a key changed since
    /// is left as you set it)
    Disconnect { client: String },
    /// Manage the prices used for costs
    Prices {
        #[command(subcommand)]
        action: PricesAction,
    },
}

#[derive(Debug, Subcommand)]
enum HistoryAction {
    /// Recompute the daily roll-ups (what the overview, costs and budgets read) from the
    /// request rows; safe beside a running gateway
    RebuildRollups,
    /// Give the space of deleted requests back to the file system (rewrites the database;
    /// a history made before incremental vacuum is converted to it)
    Vacuum,
}

#[derive(Debug, Subcommand)]
enum PricesAction {
    /// Import a price file, LiteLLM's model_prices_and_context_window.json or models.dev's
    /// api.json; it ranks between [prices] in the config and the built-in table
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
enum KeysAction {
    /// Store a provider's key (read from standard input; prompted without echo on a terminal).
    /// `ID#2`, `ID#3`, … store further keys of the same provider, used in turn
    Set { id: String },
    /// List providers with where their key comes from and its last four characters
    List,
    /// Delete a provider's key from the OS keychain (`ID#2` for its second key)
    Delete { id: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen } => *listen,
        _ => None,
    };
    let locations = Locations::new(cli.config.clone(), cli.data_dir.clone(), listen);
    let result = match cli.command {
        Command::Serve { .. } => serve(&locations),
        Command::Check => check(&locations),
        Command::Keys { action } => match action {
            KeysAction::Set { id } => keys::set(&locations, &id),
            KeysAction::List => keys::list(&locations),
            KeysAction::Delete { id } => keys::delete(&locations, &id),
        },
        Command::History {
            action: None,
            limit,
            json,
        } => report::history(&locations, limit, json),
        Command::History {
            action: Some(HistoryAction::RebuildRollups),
            ..
        } => report::rebuild_rollups(&locations),
        Command::History {
            action: Some(HistoryAction::Vacuum),
            ..
        } => report::vacuum(&locations),
        Command::Costs {
            as_model: Some(model),
            since,
            json,
            ..
        } => report::since_ms(since.as_deref()).and_then(|since_ms| {
            prices::what_if(&locations, &model, since.as_deref(), since_ms, json)
        }),
        Command::Costs {
            by,
            since,
            json,
            csv,
            as_model: None,
        } => report::costs(&locations, &by, since.as_deref(), json, csv),
        Command::Prices {
            action: PricesAction::Import { file },
        } => prices::import(&locations, &file),
        Command::Connect { status: true, .. } => connect::status(&locations),
        Command::Connect {
            client,
            model,
            client_key,
            dry_run,
            ..
        } => connect::connect(
            &locations,
            client.as_deref().unwrap_or_default(),
            connect::Options {
                model,
                client_key,
                dry_run,
            },
        ),
        Command::Disconnect { client } => connect::disconnect(&locations, &client),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("switchyard: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(locations: &Locations) -> anyhow::Result<ExitCode> {
    switchyard_gateway::logging::init("info");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let keychain = match switchyard_gateway::secrets::OsKeychain::platform() {
            Ok(keychain) => Some(std::sync::Arc::new(keychain) as std::sync::Arc<dyn switchyard_gateway::secrets::KeyStore>),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        };
        let gateway = match switchyard_gateway::Gateway::start(locations, keychain).await {
            Ok(gateway) => gateway,
            Err(e) if e.is_port_in_use() => {
                eprintln!(
                    "switchyard: {e}\nAnother program (or another Switchyard) is using that port. \
                     Stop it, or pick another port with --listen 127.0.0.1:PORT, SWITCHYARD_LISTEN, \
                     or server.listen in {}.",
                    locations.config_path.display()
                );
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };
        let made_private = gateway.made_private();
        if !made_private.is_empty() {
            let mut notice = String::from(
                "switchyard: these held prompts, answers or secrets and were readable by others; \
                 they are now private to you:\n",
            );
            for fixed in &made_private {
                notice.push_str(&format!("  {fixed}\n"));
            }
            let _ = std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
        }
        // One write, errors ignored: whoever started us may have stopped reading stdout
        // (`switchyard serve | head -2`), and that must not take the gateway down.
        let mut banner = format!(
            "Switchyard {} is running.\nProxy base URL: {}\nDashboard:      {}\nConfig:         {}\nData:           {}\n",
            env!("CARGO_PKG_VERSION"),
            gateway.proxy_url(),
            gateway.dashboard_url(),
            locations.config_path.display(),
            locations.data_dir.display()
        );
        if gateway.providers_with_keys().await.0 == 0 {
            banner.push_str(
                "First run:      no provider has a key yet; add one in the dashboard (Providers) \
                 or with `switchyard keys set PROVIDER`, then connect a client (`switchyard connect`).\n",
            );
        }
        let mut stdout = std::io::stdout().lock();
        let _ = std::io::Write::write_all(&mut stdout, banner.as_bytes());
        let _ = std::io::Write::flush(&mut stdout);
        drop(stdout);
        switchyard_gateway::server::shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        gateway.shutdown(switchyard_gateway::server::DEFAULT_GRACE).await;
        Ok(ExitCode::SUCCESS)
    })
}

#[allow(clippy::print_stdout)]
fn check(locations: &Locations) -> anyhow::Result<ExitCode> {
    let path = &locations.config_path;
    if !path.exists() {
        println!(
            "{}: no config file yet; `switchyard serve` creates one with commented defaults.",
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    match switchyard_gateway::reload::check(path) {
        Ok(config) => {
            println!(
                "{}: ok ({} providers, {} routes, {} price overrides)",
                path.display(),
                config.providers.len(),
                config.routes.len(),
                config.prices.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(switchyard_gateway::config::LoadError::Invalid { path, source }) => {
            println!("{path}: {} problem(s)", source.problems.len());
            for problem in &source.problems {
                println!("  {problem}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
