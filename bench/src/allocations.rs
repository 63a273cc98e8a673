//! Bytes allocated per request on the translated path with a 2 MiB base64 image: how many
//! times the gateway copies a large body.
//!
//! Counting needs the allocator of the process the gateway runs in, so for this one figure
//! the gateway runs inside the bench binary (the same `Gateway::start` that `switchyard
//! serve` calls), whose global allocator counts every byte (`stats_alloc`, set in
//! `main.rs`). The bench's own client allocates too; its share is measured by sending the
//! same number of image requests straight to the mock, and taken off.

use std::alloc::System;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stats_alloc::{Region, StatsAlloc};
use switchyard_gateway::Gateway;
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::{KeyStore, KeyStoreError, Secret};

use crate::load::{self, Phase, Target};

/// The counting allocator `main.rs` installs.
pub type Counter = &'static StatsAlloc<System>;

/// Requests measured on each side (after a warm-up).
const REQUESTS: u64 = 20;

#[derive(Debug, Clone, Copy)]
pub struct Allocations {
    /// The client's request body, bytes.
    pub body_bytes: usize,
    /// Allocated by the gateway per request (the client's own share taken off).
    pub per_request: u64,
}

impl Allocations {
    /// The gateway's allocations in units of the body: 1.0 is one buffer the size of the
    /// body (reading it), each copy adds one.
    pub fn bodies(&self) -> f64 {
        self.per_request as f64 / self.body_bytes as f64
    }
}

/// The keychain of the in-process gateway: the mock's fake key for every provider.
#[derive(Debug, Default)]
struct FakeKeys(Mutex<HashMap<String, String>>);

impl KeyStore for FakeKeys {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
        let keys = self
            .0
            .lock()
            .map_err(|e| KeyStoreError::Failed(e.to_string()))?;
        Ok(Some(Secret::new(
            keys.get(account)
                .cloned()
                .unwrap_or_else(|| "bench-fake-key".into()),
        )))
    }

    fn set(&self, account: &str, key: &Secret) -> Result<(), KeyStoreError> {
        let mut keys = self
            .0
            .lock()
            .map_err(|e| KeyStoreError::Failed(e.to_string()))?;
        keys.insert(account.to_owned(), key.expose().to_owned());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, KeyStoreError> {
        let mut keys = self
            .0
            .lock()
            .map_err(|e| KeyStoreError::Failed(e.to_string()))?;
        Ok(keys.remove(account).is_some())
    }
}

/// Starts a gateway in this process on `config` (which points at the mock), sends
/// [`REQUESTS`] image requests through it and as many straight to the mock, and returns the
/// difference per request.
pub fn image_request(
    counter: Counter,
    config: &Path,
    data_dir: &Path,
    direct: &Target,
    through: &Target,
) -> anyhow::Result<Allocations> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let locations = Locations::new(
            Some(config.to_path_buf()),
            Some(data_dir.to_path_buf()),
            Some("127.0.0.1:0".parse()?),
        );
        let gateway = Gateway::start(&locations, Some(Arc::new(FakeKeys::default())))
            .await
            .map_err(|e| anyhow::anyhow!("in-process gateway: {e}"))?;
        let through = crate::scenario::retarget(through, gateway.local_addr());
        let phase = |requests| Phase {
            concurrency: 1,
            warmup: 0,
            duration: Duration::from_secs(60),
            max_requests: requests,
        };
        // Connections, pools and caches are set up once, outside what is counted.
        load::run(direct, phase(3)).await;
        load::run(&through, phase(3)).await;
        let phase = phase(REQUESTS);
        let client_only = counted(counter, || load::run(direct, phase)).await;
        let with_gateway = counted(counter, || async {
            let sample = load::run(&through, phase).await;
            // The history writer stores the row (and its capped body) off the request path:
            // wait for it, so that its share is counted with the request's.
            let progress = gateway.state().history.progress();
            for _ in 0..500 {
                let written = progress.written.load(std::sync::atomic::Ordering::SeqCst);
                if written >= progress.enqueued.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            sample
        })
        .await;
        gateway.shutdown(Duration::from_secs(5)).await;
        let (client_bytes, direct_sample) = client_only;
        let (total_bytes, proxy_sample) = with_gateway;
        for (what, sample) in [("direct", &direct_sample), ("through", &proxy_sample)] {
            anyhow::ensure!(
                sample.ok >= REQUESTS,
                "image requests {what}: {} ok of {REQUESTS}; first problem: {}",
                sample.ok,
                sample.first_problem.as_deref().unwrap_or("none")
            );
        }
        let per_request = total_bytes.saturating_sub(client_bytes) / proxy_sample.ok.max(1);
        Ok(Allocations {
            body_bytes: through.body.len(),
            per_request,
        })
    })
}

/// Bytes allocated (including growth by `realloc`) while `run` runs, and its result.
async fn counted<F, T>(counter: Counter, run: impl FnOnce() -> F) -> (u64, T)
where
    F: std::future::Future<Output = T>,
{
    let region = Region::new(counter);
    let out = run().await;
    let change = region.change();
    let grown = change.bytes_reallocated.max(0) as u64;
    (change.bytes_allocated as u64 + grown, out)
}
