//! `bench-mock`: the fast mock provider as a process (see `switchyard_bench::fast_mock`).
//!
//! Prints exactly one line once listening, `listening on http://127.0.0.1:PORT`, then serves
//! until SIGINT or SIGTERM. OpenAI clients use that URL plus `/v1`; Anthropic clients use it
//! as it is.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use switchyard_bench::fast_mock::{self, Pacing};

/// A fast, non-recording mock of OpenAI chat completions and Anthropic messages.
#[derive(Debug, Parser)]
#[command(name = "bench-mock", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Content events per stream, unless the model name says `-sN`.
    #[arg(long, default_value_t = 16)]
    events: u32,
    /// Milliseconds between content events, unless the model name says `-pN`.
    #[arg(long, default_value_t = 0)]
    gap_ms: u64,
    /// Runtime worker threads; 1 keeps the mock on one core, leaving the other to the client.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench-mock: cannot start a runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let pacing = Pacing {
        events: args.events,
        gap: Duration::from_millis(args.gap_ms),
    };
    runtime.block_on(async move {
        let (listener, addr) = match fast_mock::bind(args.listen).await {
            Ok(bound) => bound,
            Err(error) => {
                eprintln!("bench-mock: cannot listen on {}: {error}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        let mut stdout = std::io::stdout().lock();
        let announced =
            writeln!(stdout, "listening on http://{addr}").and_then(|()| stdout.flush());
        drop(stdout);
        if let Err(error) = announced {
            eprintln!("bench-mock: cannot write to stdout: {error}");
            return ExitCode::FAILURE;
        }
        tokio::select! {
            served = fast_mock::serve(listener, pacing) => {
                if let Err(error) = served {
                    eprintln!("bench-mock: stopped serving: {error}");
                    return ExitCode::FAILURE;
                }
                ExitCode::SUCCESS
            }
            () = shutdown_signal() => ExitCode::SUCCESS,
        }
    })
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
