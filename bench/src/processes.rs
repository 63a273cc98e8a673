//! Starting, watching and stopping the processes under test: the fast mock and
//! `switchyard serve`, each a child process on a loopback port.
//!
//! Every wait here is bounded: a child that does not come up, answer or stop in time is an
//! error (and is killed), never a hang. A [`Process`] that is dropped is stopped too, so a
//! failed run leaves nothing listening.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The environment variable the bench config names for the Anthropic provider's key.
pub const ANTHROPIC_KEY_ENV: &str = "SWITCHYARD_BENCH_ANTHROPIC_KEY";
/// What it holds: the fast mock checks no key, but the gateway insists on having one.
const ANTHROPIC_KEY: &str = "bench-fake-anthropic-key";

/// A child process that is sent SIGTERM (then killed) when dropped.
#[derive(Debug)]
pub struct Process {
    child: Child,
    name: &'static str,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits up to `grace` for a clean exit; kills the process after that.
    pub fn terminate(&mut self, grace: Duration) -> anyhow::Result<ExitStatus> {
        if let Some(status) = self.child.try_wait()? {
            return Ok(status);
        }
        // No libc (the workspace forbids unsafe code): kill(1) sends the signal.
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("cannot run kill(1)")?;
        if !sent.success() {
            bail!("kill -TERM {} failed", self.child.id());
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        bail!(
            "{} did not stop within {grace:?} of SIGTERM and was killed",
            self.name
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.terminate(Duration::from_secs(5));
        }
    }
}

/// The fast mock, listening.
#[derive(Debug)]
pub struct Mock {
    pub process: Process,
    pub addr: SocketAddr,
}

pub fn start_mock(binary: &Path) -> anyhow::Result<Mock> {
    let (process, addr) = start_announcing(binary, "bench-mock", &["--listen", "127.0.0.1:0"])?;
    Ok(Mock { process, addr })
}

/// Starts the bare forwarder in front of `upstream`; returns it with its address.
pub fn start_forwarder(
    binary: &Path,
    upstream: SocketAddr,
) -> anyhow::Result<(Process, SocketAddr)> {
    let upstream = upstream.to_string();
    start_announcing(
        binary,
        "bench-forwarder",
        &["--listen", "127.0.0.1:0", "--upstream", &upstream],
    )
}

/// Starts a child that prints `listening on http://ADDR` once it listens.
fn start_announcing(
    binary: &Path,
    name: &'static str,
    args: &[&str],
) -> anyhow::Result<(Process, SocketAddr)> {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("child stdout")?;
    let process = Process { child, name };
    let line = first_line(stdout, Duration::from_secs(10))?;
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .with_context(|| format!("unexpected first line from {name}: {line:?}"))?
        .parse()?;
    Ok((process, addr))
}

/// Reads one line on a helper thread, so a child that never writes cannot hang the run.
fn first_line(stdout: impl Read + Send + 'static, timeout: Duration) -> anyhow::Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = tx.send(reader.read_line(&mut line).map(|_| line));
        // Keep draining so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    Ok(rx
        .recv_timeout(timeout)
        .context("no line from child in time")??)
}

/// A running `switchyard serve`.
#[derive(Debug)]
pub struct Gateway {
    pub process: Process,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
}

/// How long after spawning the gateway first accepted a TCP connection and first answered
/// `GET /healthz` with 200.
#[derive(Debug, Clone, Copy)]
pub struct Readiness {
    pub connect: Duration,
    pub healthz: Duration,
}

/// Starts `switchyard serve` on a free loopback port and waits until `/healthz` answers.
pub fn start_gateway(
    binary: &Path,
    config: &Path,
    data_dir: &Path,
    log_file: &Path,
    rust_log: &str,
) -> anyhow::Result<(Gateway, Readiness)> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_file)?;
    let spawned = Instant::now();
    let child = Command::new(binary)
        .arg("serve")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--listen")
        .arg(addr.to_string())
        .env("RUST_LOG", rust_log)
        .env(ANTHROPIC_KEY_ENV, ANTHROPIC_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let mut process = Process {
        child,
        name: "switchyard",
    };
    let deadline = spawned + Duration::from_secs(10);
    let connect = loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            break spawned.elapsed();
        }
        if let Some(status) = process.child.try_wait()? {
            bail!(
                "switchyard exited with {status} before listening; see {}",
                log_file.display()
            );
        }
        if Instant::now() > deadline {
            bail!("switchyard did not listen on {addr} within 10 s");
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let healthz = loop {
        if let Ok((200, _)) = http_get(addr, "/healthz", None) {
            break spawned.elapsed();
        }
        if Instant::now() > deadline {
            bail!("switchyard did not answer /healthz within 10 s");
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    Ok((
        Gateway {
            process,
            addr,
            data_dir: data_dir.to_owned(),
        },
        Readiness { connect, healthz },
    ))
}

impl Gateway {
    /// The `history` object of `GET /api/status`: (enqueued, written).
    pub fn history_progress(&self) -> anyhow::Result<(u64, u64)> {
        let token = std::fs::read_to_string(self.data_dir.join("admin-token"))?;
        let (status, body) = http_get(self.addr, "/api/status", Some(token.trim()))?;
        if status != 200 {
            bail!("GET /api/status answered {status}: {body}");
        }
        let json: serde_json::Value = serde_json::from_str(&body)?;
        let field = |name: &str| {
            json.pointer(&format!("/history/{name}"))
                .and_then(serde_json::Value::as_u64)
                .with_context(|| format!("no history.{name} in {body}"))
        };
        Ok((field("enqueued")?, field("written")?))
    }

    /// Rows in the history database (read after the gateway has stopped).
    pub fn history_rows(&self) -> anyhow::Result<u64> {
        let conn = rusqlite::Connection::open_with_flags(
            self.data_dir.join("history.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let rows: i64 = conn.query_row("SELECT COUNT(*) FROM requests", [], |row| row.get(0))?;
        Ok(u64::try_from(rows)?)
    }
}

/// A port nobody listens on right now (the OS picks it; it is released for the child).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A blocking HTTP/1.1 GET with `Connection: close`, for the few control requests the
/// benchmark makes outside the measured path. Returns the status and the body.
pub fn http_get(
    addr: SocketAddr,
    path: &str,
    bearer: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let auth = bearer.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.take(1 << 20).read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP answer: {:?}", &text[..text.len().min(80)]))?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    Ok((status, body))
}
