//! The dashboard's Connect page over the admin API: each client's status, the diff a connect
//! would apply, connect (issuing a client key when asked) and disconnect. The work is
//! [`crate::connect`]'s; file access runs on the blocking pool.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::connect::{
    Client, ClientEnv, ConnectError, ConnectOutcome, ConnectStatus, Connector, DisconnectOutcome,
    Target,
};
use crate::error::ProxyError;
use crate::secrets::Secret;
use crate::state::SharedState;

/// Connect or preview: the model the client uses, and whether to issue it a client key.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectInput {
    #[ts(optional)]
    pub model: Option<String>,
    #[ts(optional)]
    pub client_key: Option<bool>,
}

fn connect_error(e: ConnectError) -> ProxyError {
    match e {
        ConnectError::UnknownClient { .. } => ProxyError::NotFound(e.to_string()),
        ConnectError::Unparseable { .. } | ConnectError::Unsupported { .. } => {
            ProxyError::InvalidRequest {
                message: e.to_string(),
                param: None,
            }
        }
        ConnectError::ChangedMeanwhile { .. } => ProxyError::Unavailable(e.to_string()),
        ConnectError::Io { .. } => ProxyError::Internal(e.to_string()),
    }
}

fn connector(state: &SharedState) -> Result<Connector, ProxyError> {
    let data_dir = state.data_dir.as_ref().ok_or_else(|| {
        ProxyError::NotSupported("This gateway runs without a data dir, so it keeps no receipts to connect clients with.".into())
    })?;
    Ok(Connector::new(ClientEnv::from_process(), data_dir))
}

fn target(state: &SharedState, input: &ConnectInput, key: Option<Secret>) -> Target {
    let mut listen = state.listen;
    if listen.ip().is_unspecified() {
        listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    Target::from_config(
        &state.config.load(),
        format!("http://{listen}"),
        input.model.clone(),
        key,
    )
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ConnectError> + Send + 'static,
) -> Result<T, ProxyError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ProxyError::Internal(format!("connect task failed: {e}")))?
        .map_err(connect_error)
}

pub async fn status(State(state): State<SharedState>) -> Result<Json<ConnectStatus>, ProxyError> {
    let connector = connector(&state)?;
    blocking(move || Ok(connector.status())).await.map(Json)
}

pub async fn preview(
    State(state): State<SharedState>,
    Path(client): Path<String>,
    input: Option<Json<ConnectInput>>,
) -> Result<Json<ConnectOutcome>, ProxyError> {
    let client = Client::parse(&client).map_err(connect_error)?;
    let input = input.map(|Json(i)| i).unwrap_or_default();
    let key = input
        .client_key
        .unwrap_or(false)
        .then(|| Secret::new("<client key>".to_owned()));
    let (connector, target) = (connector(&state)?, target(&state, &input, key));
    blocking(move || connector.preview(client, &target))
        .await
        .map(Json)
}

pub async fn connect(
    State(state): State<SharedState>,
    Path(client): Path<String>,
    input: Option<Json<ConnectInput>>,
) -> Result<Json<ConnectOutcome>, ProxyError> {
    let client = Client::parse(&client).map_err(connect_error)?;
    let input = input.map(|Json(i)| i).unwrap_or_default();
    let connector = connector(&state)?;
    // Every file is checked before a key is issued, so a refused file costs no key.
    let probe = (connector.clone(), target(&state, &input, None));
    blocking(move || probe.0.preview(client, &probe.1)).await?;
    let (key, key_id) = if input.client_key.unwrap_or(false) {
        let issued = issue_named_after(&state, client).await?;
        (Some(issued.key), Some(issued.view.id))
    } else {
        (None, None)
    };
    let target = target(&state, &input, key);
    blocking(move || connector.connect(client, &target, key_id))
        .await
        .map(Json)
}

async fn issue_named_after(
    state: &SharedState,
    client: Client,
) -> Result<crate::client_keys::Issued, ProxyError> {
    let mut last = None;
    for n in 1..=9 {
        let name = if n == 1 {
            client.id().to_owned()
        } else {
            format!("{}-{n}", client.id())
        };
        match state.client_keys.issue(&state.history, &name).await {
            Ok(issued) => return Ok(issued),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| ProxyError::Internal("no client key issued".into())))
}

pub async fn disconnect(
    State(state): State<SharedState>,
    Path(client): Path<String>,
) -> Result<Json<DisconnectOutcome>, ProxyError> {
    let client = Client::parse(&client).map_err(connect_error)?;
    let connector = connector(&state)?;
    blocking(move || connector.disconnect(client))
        .await
        .map(Json)
}
