//! Plain JSON routes: health, the catalogue, the citizen's tracking data and survey, IKM.

use std::net::IpAddr;

use app::domain::catalogue::Catalogue;
use app::domain::ids::{TicketId, TrackingToken};
use app::domain::ikm::{self, IkmReport, SurveyAnswer, SurveyBody};
use app::domain::ticket::Ticket;
use app::domain::tracking::{citizen_view, CitizenView};
use axum::extract::rejection::JsonRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::limits::Bucket;
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::sync::json_body;
use app::domain::refusal::Refusal;

/// `GET /api/health`.
pub async fn health(State(s): State<AppState>) -> Json<Value> {
    let db_ok = s.store.healthy().await;
    let schema = s.store.schema_version().await.ok();
    Json(json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": s.started.elapsed().as_secs(),
        "database": {
            "status": if db_ok { "ok" } else { "unreachable" },
            "schema_version": schema,
        },
    }))
}

/// `GET /api/catalogue`: the services with their standards, the office and its calendar.
pub async fn catalogue(State(s): State<AppState>) -> Json<Catalogue> {
    Json(s.authority.lock().await.rules.catalogue.clone())
}

/// The lookup the citizen page uses, on the server (SSR) and through `/api/t/{token}`.
/// `from` is the caller's address when the lookup counts against its allowance of misses.
pub async fn lookup_citizen(
    s: &AppState,
    token: &str,
    from: Option<IpAddr>,
) -> Result<CitizenView, ApiError> {
    Ok(lookup_ticket(s, token, from).await?.1)
}

/// The ticket behind a tracking token, and its citizen view. A ticket of the open day or
/// an open file is in memory; one that ended on a closed day is read from the store.
///
/// Only misses count against the caller's address: a hundred phones behind the office
/// Wi-Fi refreshing their own pages are never limited, while an address that tried more
/// than its allowance of unknown links in a minute gets 429 for the next unknown ones.
async fn lookup_ticket(
    s: &AppState,
    token: &str,
    from: Option<IpAddr>,
) -> Result<(Ticket, CitizenView), ApiError> {
    let ticket = ticket_id(s, token, from).await?;
    let survey_done = s.store.survey_done(ticket).await?;
    let held = s.authority.lock().await.replica.ticket(&ticket).cloned();
    let t = match held {
        Some(t) => t,
        None => s
            .store
            .closed_ticket(ticket)
            .await?
            .ok_or_else(|| unknown_ticket(s, from))?,
    };
    let auth = s.authority.lock().await;
    let view = citizen_view(&auth.replica, &auth.rules, &t, now_ms(), survey_done)
        .ok_or_else(|| unknown_ticket(s, from))?;
    Ok((t, view))
}

/// The ticket a tracking token names; a miss counts against `from` as in
/// [`lookup_ticket`].
pub(crate) async fn ticket_id(
    s: &AppState,
    token: &str,
    from: Option<IpAddr>,
) -> Result<TicketId, ApiError> {
    let Ok(token) = TrackingToken::parse(token) else {
        return Err(unknown_ticket(s, from));
    };
    s.store
        .ticket_for_token(&token)
        .await?
        .ok_or_else(|| unknown_ticket(s, from))
}

/// An unknown token and a malformed one get the same answer: nothing to learn by probing.
/// Past its allowance of misses in a minute, the caller's address gets 429 instead.
fn unknown_ticket(s: &AppState, from: Option<IpAddr>) -> ApiError {
    match from {
        Some(ip) if !s.limits.allow(ip, Bucket::Citizen, now_ms()) => ApiError::TooMany(
            "too many unknown ticket links from this address; wait a minute".into(),
        ),
        _ => ApiError::Refused(Refusal::TicketNotFound),
    }
}

/// `GET /api/t/{token}`.
pub async fn citizen(
    State(s): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Path(token): Path<String>,
) -> Result<Json<CitizenView>, ApiError> {
    Ok(Json(lookup_citizen(&s, &token, Some(ip)).await?))
}

/// `GET /api/t/{token}/live`: a WebSocket that pokes the citizen's page whenever the log
/// grows (the page then fetches its view again). An unknown token gets the same 404.
pub async fn citizen_live(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    headers: axum::http::HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    // Only whether the ticket exists: its view is the page's own request. (Reading the
    // view too held two store queries and a copy of the view per handshake; 5,000 streams
    // opened at once held 110 MB until they were done, BENCHMARKS.md item 9.)
    ticket_id(&s, &token, Some(ip)).await?;
    crate::sync::open_stream(
        &s,
        crate::sync::Subscriber::Citizen(token),
        ip,
        &headers,
        ws,
    )
}

/// `POST /api/t/{token}/survey`: once per ticket, after collection.
pub async fn survey(
    State(s): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Path(token): Path<String>,
    body: Result<Json<SurveyBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // The token first: a wrong token learns nothing, not even what a valid body looks like.
    let (ticket, view) = lookup_ticket(&s, &token, Some(ip)).await?;
    let body = json_body(body)?;
    if !view.survey_open {
        return Err(ApiError::Refused(Refusal::SurveyClosed));
    }
    let day = ticket.service_day.to_string();
    if !s
        .store
        .save_survey(
            ticket.id,
            view.service.code.as_str(),
            &day,
            body.scores,
            now_ms(),
        )
        .await?
    {
        return Err(ApiError::Refused(Refusal::SurveyAnswered));
    }
    Ok(Json(json!({ "status": "stored" })))
}

/// `GET /api/ikm`: the satisfaction index over all stored answers.
pub async fn ikm_report(State(s): State<AppState>) -> Result<Json<IkmReport>, ApiError> {
    let by = s.store.surveys().await?;
    let all: Vec<SurveyAnswer> = by.values().flatten().copied().collect();
    Ok(Json(IkmReport {
        overall: ikm::compute(&all),
        by_service: by
            .iter()
            .filter_map(|(k, v)| ikm::compute(v).map(|r| (k.clone(), r)))
            .collect(),
    }))
}

/// Unknown `/api/...` paths get a JSON 404, not the app's HTML page.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such API route".into())
}
