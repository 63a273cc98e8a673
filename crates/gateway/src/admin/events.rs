//! `GET /api/events`: the dashboard's live feed. Each request that lands in history is pushed
//! as `event: request` with its row, the same JSON `GET /api/requests` lists, so a page can
//! add it without asking again. When the listener falls behind, `event: lagged` tells it to
//! reload instead of showing a history with holes.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::history::query;
use crate::state::SharedState;

pub async fn stream(
    State(state): State<SharedState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut committed = state.history.subscribe();
    let stop = state.stopping.clone();
    let events = async_stream(move |tx| async move {
        loop {
            let ids = tokio::select! {
                () = stop.cancelled() => return,
                next = committed.recv() => next,
            };
            let events = match ids {
                Ok(ids) => {
                    let ids = ids.to_vec();
                    match state
                        .history
                        .read(move |c| query::rows_by_ids(c, &ids))
                        .await
                    {
                        Ok(rows) => rows
                            .iter()
                            .filter_map(|row| Event::default().event("request").json_data(row).ok())
                            .collect(),
                        Err(e) => {
                            tracing::warn!(error = %e, "live feed could not read new rows");
                            vec![Event::default().event("lagged").data("{}")]
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => vec![Event::default().event("lagged").data("{}")],
                Err(RecvError::Closed) => return,
            };
            for event in events {
                if tx.send(Ok(event)).await.is_err() {
                    return;
                }
            }
        }
    });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keep-alive"),
    )
}

/// A stream fed by a task through a small channel; the task ends when the client goes away.
fn async_stream<F, Fut>(produce: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(tx));
    tokio_stream_from(rx)
}

fn tokio_stream_from<T>(mut rx: tokio::sync::mpsc::Receiver<T>) -> impl Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
