//! `bench-forwarder`: the bare forwarder (see `switchyard_bench::forwarder`) as a process.
//!
//! Prints exactly one line once listening, `listening on http://127.0.0.1:PORT`, then
//! forwards to `--upstream` until SIGINT or SIGTERM. Like `switchyard serve`, it runs a
//! multi-threaded runtime with one worker per core.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

/// A forwarder with no logic: the floor any proxy pays on this machine.
#[derive(Debug, Parser)]
#[command(name = "bench-forwarder", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where every request goes.
    #[arg(long)]
    upstream: SocketAddr,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench-forwarder: cannot start a runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("bench-forwarder: cannot listen on {}: {error}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        let announced = listener.local_addr().and_then(|addr| {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "listening on http://{addr}")?;
            stdout.flush()
        });
        if let Err(error) = announced {
            eprintln!("bench-forwarder: {error}");
            return ExitCode::FAILURE;
        }
        tokio::select! {
            served = switchyard_bench::forwarder::serve(listener, args.upstream) => {
                if let Err(error) = served {
                    eprintln!("bench-forwarder: stopped serving: {error}");
                    return ExitCode::FAILURE;
                }
                ExitCode::SUCCESS
            }
            _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
        }
    })
}
