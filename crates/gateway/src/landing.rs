//! The page at `/` until the dashboard bundle is served there: where the proxy and the admin
//! API are, so a user who opens the printed URL learns how to use what is running.

use axum::extract::State;
use axum::response::Html;

use crate::state::SharedState;

pub async fn page(State(state): State<SharedState>) -> Html<String> {
    let base = format!("http://{}/v1", state.listen);
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>Switchyard</title>\
         <body style=\"font:16px system-ui;max-width:40em;margin:3em auto\">\
         <h1>Switchyard is running</h1>\
         <p>Point OpenAI-compatible clients at <code>{base}</code>.</p>\
         <p>History and costs: <code>switchyard history</code>, <code>switchyard costs</code>, \
         or the admin API under <code>/api</code> with the token from the <code>admin-token</code> file.</p>"
    ))
}
