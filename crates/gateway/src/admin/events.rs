//! `GET /api/events`: the dashboard's live feed. Each request that lands in history is pushed
//! as `event: request` with its row, the same JSON `GET /api/requests` lists, so a page can
//! add it without asking again. When the listener falls behind, `event: lagged` tells it to
//! reload instead of showing a history with holes.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;

use crate::history::query;
use crate::state::SharedState;

pub async fn stream(
    State(state): State<SharedState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = Feed {
        committed: state.history.subscribe(),
        stop: state.stopping.clone(),
        state,
        pending: VecDeque::new(),
    };
    // Dropping the answer (the dashboard closed) drops the feed and its subscription.
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok(event), feed))
    });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keep-alive"),
    )
}

struct Feed {
    state: SharedState,
    committed: broadcast::Receiver<Arc<[String]>>,
    stop: CancellationToken,
    pending: VecDeque<Event>,
}

impl Feed {
    /// The next event, or `None` when the gateway stops.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            let ids = tokio::select! {
                () = self.stop.cancelled() => return None,
                next = self.committed.recv() => next,
            };
            match ids {
                Ok(ids) => {
                    let ids = ids.to_vec();
                    match self
                        .state
                        .history
                        .read(move |c| query::rows_by_ids(c, &ids))
                        .await
                    {
                        Ok(rows) => self.pending.extend(rows.iter().filter_map(|row| {
                            Event::default().event("request").json_data(row).ok()
                        })),
                        Err(e) => {
                            tracing::warn!(error = %e, "live feed could not read new rows");
                            return Some(lagged());
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => return Some(lagged()),
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

fn lagged() -> Event {
    Event::default().event("lagged").data("{}")
}
