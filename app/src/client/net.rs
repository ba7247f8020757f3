//! HTTP and WebSocket adapters for the sync API. They only move data.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::catalogue::Catalogue;
use crate::domain::mutation::{
    DeviceRegistered, LeaseRequest, PullResponse, PushRequest, PushResponse, RegisterDevice,
};
use crate::domain::numbering::Lease;

/// Why a request did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// No answer: network down, server stopped, 5xx. Retry later.
    Unreachable,
    /// The server refused the request (4xx) with this message.
    Refused { status: u16, message: String },
}

async fn answer<T: DeserializeOwned>(r: Result<Response, gloo_net::Error>) -> Result<T, NetError> {
    let r = r.map_err(|_| NetError::Unreachable)?;
    if r.status() >= 500 {
        return Err(NetError::Unreachable);
    }
    if !r.ok() {
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        let message = body
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("request refused")
            .to_owned();
        return Err(NetError::Refused {
            status: r.status(),
            message,
        });
    }
    r.json().await.map_err(|_| NetError::Unreachable)
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, NetError> {
    let req = Request::post(url)
        .json(body)
        .map_err(|_| NetError::Unreachable)?;
    answer(req.send().await).await
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, NetError> {
    answer(Request::get(url).send().await).await
}

pub async fn catalogue() -> Result<Catalogue, NetError> {
    get("/api/catalogue").await
}

pub async fn register(req: &RegisterDevice) -> Result<DeviceRegistered, NetError> {
    post("/api/devices", req).await
}

pub async fn push(req: &PushRequest) -> Result<PushResponse, NetError> {
    post("/api/sync/push", req).await
}

pub async fn pull(cursor: u64) -> Result<PullResponse, NetError> {
    get(&format!("/api/sync/pull?cursor={cursor}")).await
}

pub async fn lease(req: &LeaseRequest) -> Result<Lease, NetError> {
    post("/api/sync/lease", req).await
}

/// The live stream's address on the page's own host.
pub fn live_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    let scheme = if loc.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/api/sync/live", loc.host().ok()?))
}
