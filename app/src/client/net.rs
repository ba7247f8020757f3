//! HTTP and WebSocket adapters for the sync API. They only move data.

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::accounts::{
    AuditEntry, ChangePassword, ClaimAnswer, ConfirmPairing, DeviceSummary, Login, NewStaff,
    PairingClaim, PairingOffer, PairingStart, SessionInfo, SetRole, Setup, SetupState,
    StaffSummary, TemporaryPassword,
};
use crate::domain::catalogue::Catalogue;
use crate::domain::ikm::SurveyBody;
use crate::domain::mutation::{
    DeviceRegistered, LeaseRequest, PullResponse, PushRequest, PushResponse, RegisterDevice,
};
use crate::domain::numbering::Lease;
use crate::domain::refusal::Refusal;
use crate::domain::tracking::CitizenView;

/// Why a request did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// No answer: network down, server stopped, 5xx. Retry later.
    Unreachable,
    /// The server refused the request (4xx) for this reason.
    Refused { status: u16, code: Refusal },
}

/// How this page proves who it is: a paired device's token, or (with the session cookie the
/// browser sends by itself) the session's CSRF token.
#[derive(Debug, Clone, Default)]
struct Credentials {
    bearer: Option<String>,
    csrf: Option<String>,
}

thread_local! {
    static CREDENTIALS: RefCell<Credentials> = RefCell::default();
}

pub fn set_bearer(token: Option<String>) {
    CREDENTIALS.with(|c| c.borrow_mut().bearer = token);
}

pub fn set_csrf(token: Option<String>) {
    CREDENTIALS.with(|c| c.borrow_mut().csrf = token);
}

fn bearer() -> Option<String> {
    CREDENTIALS.with(|c| c.borrow().bearer.clone())
}

fn with_credentials(b: RequestBuilder) -> RequestBuilder {
    let c = CREDENTIALS.with(|c| c.borrow().clone());
    let b = match c.bearer {
        Some(t) => b.header("Authorization", &format!("Bearer {t}")),
        None => b,
    };
    match c.csrf {
        Some(t) => b.header("X-CSRF-Token", &t),
        None => b,
    }
}

async fn answer<T: DeserializeOwned>(r: Result<Response, gloo_net::Error>) -> Result<T, NetError> {
    let r = accepted(r).await?;
    r.json().await.map_err(|_| NetError::Unreachable)
}

/// The part of a refusal's body a device reads: the code it words itself (an unknown code,
/// from a newer server, reads as its status's general reason).
#[derive(serde::Deserialize)]
struct RefusalBody {
    #[serde(default, deserialize_with = "known_code")]
    code: Option<Refusal>,
}

fn known_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refusal>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<Refusal>::deserialize(d).unwrap_or(None))
}

/// The response when the server accepted the request (2xx); its refusal, or no answer.
async fn accepted(r: Result<Response, gloo_net::Error>) -> Result<Response, NetError> {
    let r = r.map_err(|_| NetError::Unreachable)?;
    if r.status() >= 500 {
        return Err(NetError::Unreachable);
    }
    if !r.ok() {
        let code = r
            .json::<RefusalBody>()
            .await
            .ok()
            .and_then(|b| b.code)
            .unwrap_or_else(|| Refusal::of_status(r.status()));
        return Err(NetError::Refused {
            status: r.status(),
            code,
        });
    }
    Ok(r)
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, NetError> {
    let req = with_credentials(Request::post(url))
        .json(body)
        .map_err(|_| NetError::Unreachable)?;
    answer(req.send().await).await
}

/// A POST whose answer has no body worth reading (possibly none: 204).
async fn post_empty<B: Serialize>(url: &str, body: &B) -> Result<(), NetError> {
    let req = with_credentials(Request::post(url))
        .json(body)
        .map_err(|_| NetError::Unreachable)?;
    accepted(req.send().await).await.map(|_| ())
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, NetError> {
    answer(with_credentials(Request::get(url)).send().await).await
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

pub async fn pairing_start(req: &PairingStart) -> Result<PairingOffer, NetError> {
    post("/api/pairing", req).await
}

pub async fn pairing_claim(pairing_id: &str) -> Result<ClaimAnswer, NetError> {
    post(
        "/api/pairing/claim",
        &PairingClaim {
            pairing_id: pairing_id.to_owned(),
        },
    )
    .await
}

pub async fn me() -> Result<SessionInfo, NetError> {
    get("/api/auth/me").await
}

pub async fn login(req: &Login) -> Result<SessionInfo, NetError> {
    post("/api/auth/login", req).await
}

/// `GET /api/t/{token}`: a ticket as its citizen sees it.
pub async fn citizen_view(token: &str) -> Result<CitizenView, NetError> {
    get(&format!("/api/t/{token}")).await
}

/// `GET /api/push/key`: the server's VAPID public key (base64url).
pub async fn push_key() -> Result<String, NetError> {
    #[derive(serde::Deserialize)]
    struct Key {
        key: String,
    }
    get::<Key>("/api/push/key").await.map(|k| k.key)
}

/// `POST /api/t/{token}/push`: this browser follows the ticket.
pub async fn push_subscribe(
    token: &str,
    body: &crate::domain::notify::PushSubscribe,
) -> Result<(), NetError> {
    post_empty(&format!("/api/t/{token}/push"), body).await
}

/// `POST /api/t/{token}/survey`.
pub async fn survey(token: &str, body: &SurveyBody) -> Result<(), NetError> {
    post_empty(&format!("/api/t/{token}/survey"), body).await
}

pub async fn logout() -> Result<(), NetError> {
    post_empty("/api/auth/logout", &serde_json::json!({})).await
}

pub async fn setup_state() -> Result<SetupState, NetError> {
    get("/api/auth/setup").await
}

pub async fn setup(req: &Setup) -> Result<SessionInfo, NetError> {
    post("/api/auth/setup", req).await
}

pub async fn staff() -> Result<Vec<StaffSummary>, NetError> {
    get("/api/admin/staff").await
}

pub async fn create_staff(req: &NewStaff) -> Result<StaffSummary, NetError> {
    post("/api/admin/staff", req).await
}

/// `POST /api/admin/holidays`: the office's whole list of days off.
pub async fn set_holidays(
    req: &crate::domain::catalogue::HolidayList,
) -> Result<Vec<crate::domain::calendar::Holiday>, NetError> {
    post("/api/admin/holidays", req).await
}

/// `POST /api/auth/password`: one's own new password.
pub async fn change_password(req: &ChangePassword) -> Result<(), NetError> {
    post_empty("/api/auth/password", req).await
}

/// An admin's change to another account: `disable`, `enable`.
pub async fn staff_action(username: &str, action: &str) -> Result<(), NetError> {
    post_empty(
        &format!("/api/admin/staff/{username}/{action}"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn set_role(username: &str, req: &SetRole) -> Result<(), NetError> {
    post_empty(&format!("/api/admin/staff/{username}/role"), req).await
}

pub async fn set_lokets(
    username: &str,
    req: &crate::domain::accounts::SetLokets,
) -> Result<(), NetError> {
    post_empty(&format!("/api/admin/staff/{username}/lokets"), req).await
}

pub async fn reset_password(username: &str) -> Result<TemporaryPassword, NetError> {
    post(
        &format!("/api/admin/staff/{username}/reset-password"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn devices() -> Result<Vec<DeviceSummary>, NetError> {
    get("/api/admin/devices").await
}

pub async fn confirm_pairing(req: &ConfirmPairing) -> Result<DeviceSummary, NetError> {
    post("/api/admin/pairing/confirm", req).await
}

pub async fn revoke(client: &str) -> Result<(), NetError> {
    post_empty(
        &format!("/api/admin/devices/{client}/revoke"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn audit() -> Result<Vec<AuditEntry>, NetError> {
    get("/api/audit?limit=100").await
}

/// Saves an admin's change to a service's standard; answers the new catalogue.
pub async fn edit_service(
    code: &crate::domain::ids::ServiceCode,
    edit: &crate::domain::catalogue_edit::ServiceEdit,
) -> Result<Catalogue, NetError> {
    post(&format!("/api/admin/services/{code}"), edit).await
}

/// Adds a service; answers the new catalogue.
pub async fn add_service(
    new: &crate::domain::catalogue_edit::NewService,
) -> Result<Catalogue, NetError> {
    post("/api/admin/services", new).await
}

/// Offers a service again or no longer; answers the new catalogue.
pub async fn offer_service(
    code: &crate::domain::ids::ServiceCode,
    offered: bool,
) -> Result<Catalogue, NetError> {
    post(
        &format!("/api/admin/services/{code}/offered"),
        &crate::domain::catalogue_edit::Offered { offered },
    )
    .await
}

/// Saves the office's hours; answers the new catalogue.
pub async fn edit_hours(
    edit: &crate::domain::catalogue_edit::HoursEdit,
) -> Result<Catalogue, NetError> {
    post("/api/admin/hours", edit).await
}

/// A period's report (`from`, `to`: ISO dates).
pub async fn report(from: &str, to: &str) -> Result<crate::domain::report::Report, NetError> {
    get(&format!("/api/reports?from={from}&to={to}")).await
}

/// The live stream's address on the page's own host.
pub fn live_url() -> Option<String> {
    ws_url("/api/sync/live")
}

/// A WebSocket address on the page's own host (`wss` when the page came over HTTPS).
pub fn ws_url(path: &str) -> Option<String> {
    let loc = web_sys::window()?.location();
    let scheme = if loc.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}{path}", loc.host().ok()?))
}

/// The WebSocket subprotocols that carry a device's token (browsers cannot set headers
/// on a WebSocket); a counter's session cookie travels by itself.
pub fn live_protocols() -> Vec<String> {
    let mut p = vec!["antrean".to_owned()];
    if let Some(t) = bearer() {
        p.push(format!("bearer.{t}"));
    }
    p
}
