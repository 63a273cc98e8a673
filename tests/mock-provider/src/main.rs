//! `mock-provider`: the mock as a process, for black-box tests (e.g. the
//! openai-python and anthropic-python SDK suites) and the benchmark.
//!
//! Prints exactly one line once listening, `listening on
//! http://127.0.0.1:PORT/v1`, then serves until SIGINT or SIGTERM. OpenAI
//! clients use that URL as their base URL; Anthropic clients use it without
//! `/v1`. Recorded requests are at `GET /_mock/requests` (cleared by
//! `DELETE`).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use mock_provider::{MockOptions, MockProvider};

/// A faithful mock of OpenAI's and Anthropic's HTTP APIs for Switchyard's tests.
#[derive(Debug, Parser)]
#[command(name = "mock-provider", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Require the key on every request (`Authorization: Bearer <KEY>`; Anthropic routes also take `x-api-key`).
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Answer requests carrying `stream_options` with a 400, like strict upstreams.
    #[arg(long)]
    reject_stream_options: bool,
    /// Models listed by GET /v1/models (repeatable; default gpt-4.1, gpt-4.1-mini, text-embedding-3-small).
    #[arg(long = "model", value_name = "ID")]
    models: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let options = MockOptions {
        api_key: args.api_key,
        reject_stream_options: args.reject_stream_options,
        models: args.models,
    };
    let provider = match MockProvider::start_on(args.listen, options).await {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("mock-provider: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let announced =
        writeln!(stdout, "listening on {}", provider.base_url()).and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(error) = announced {
        eprintln!("mock-provider: cannot write to stdout: {error}");
        return ExitCode::FAILURE;
    }
    if let Err(error) = shutdown_signal().await {
        eprintln!("mock-provider: cannot wait for signals: {error}");
        return ExitCode::FAILURE;
    }
    drop(provider);
    ExitCode::SUCCESS
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
