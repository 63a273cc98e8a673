//! The floor: a bare HTTP/1.1 forwarder with no logic at all (no parsing, no routing, no
//! history), built from the same hyper pieces Switchyard sits on. It takes the same two
//! loopback hops as the gateway, so what it adds over the direct figure is what any proxy
//! pays on this machine before doing any work; what Switchyard adds beyond that is its own.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

type Upstream = Client<HttpConnector, Incoming>;
type Body = Either<Incoming, Full<Bytes>>;

/// Forwards every request on `listener` to `upstream` (same method, path, headers and body,
/// streamed both ways) over pooled keep-alive connections with TCP_NODELAY.
pub async fn serve(listener: TcpListener, upstream: SocketAddr) -> std::io::Result<()> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Upstream = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build(connector);
    let host = HeaderValue::from_str(&upstream.to_string()).map_err(std::io::Error::other)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let (client, host) = (client.clone(), host.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                forward(client.clone(), upstream, host.clone(), request)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn forward(
    client: Upstream,
    upstream: SocketAddr,
    host: HeaderValue,
    mut request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let Ok(uri) = format!("http://{upstream}{path}").parse::<Uri>() else {
        return Ok(bad_gateway());
    };
    *request.uri_mut() = uri;
    request.headers_mut().insert(header::HOST, host);
    match client.request(request).await {
        Ok(response) => Ok(response.map(Either::Left)),
        Err(_) => Ok(bad_gateway()),
    }
}

fn bad_gateway() -> Response<Body> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::from_static(
        b"upstream unreachable",
    ))));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}
