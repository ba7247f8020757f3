//! Device pairing and revocation. A kiosk or display asks for a pairing code, shows it, and
//! polls; an admin types the code in the admin page; the device then collects a token
//! scoped to its role. Revoking deletes the token's digest and closes the device's live
//! stream, so its sync stops at once.

use app::domain::accounts::{
    ClaimAnswer, ConfirmPairing, DeviceSummary, PairingClaim, PairingOffer, PairingStart, MAX_LABEL,
};
use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::pairing::PairingError;
use crate::auth::{secrets, ClientAddr, Principal};
use crate::error::ApiError;
use crate::state::{now_ms, AppState, Live};
use crate::store::{AuditRow, DeviceRecord};
use crate::sync::json_body;
use app::domain::refusal::Refusal;

/// `POST /api/pairing`.
pub async fn start(
    State(s): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    body: Result<Json<PairingStart>, JsonRejection>,
) -> Result<Json<PairingOffer>, ApiError> {
    let req = json_body(body)?;
    if req.role == DeviceRole::Counter {
        return Err(ApiError::Refused(Refusal::CounterSignsIn));
    }
    let (id, p) = s
        .pairings
        .open(req.client_id, req.role, ip, now_ms())
        .await
        .map_err(|e| match e {
            PairingError::TooMany => ApiError::Refused(Refusal::TooManyPairings),
            PairingError::Store(e) => e.into(),
        })?;
    Ok(Json(PairingOffer {
        pairing_id: id,
        code: p.code,
        expires_ms: p.expires_ms,
    }))
}

/// `POST /api/pairing/claim`.
pub async fn claim(
    State(s): State<AppState>,
    body: Result<Json<PairingClaim>, JsonRejection>,
) -> Result<Json<ClaimAnswer>, ApiError> {
    let req = json_body(body)?;
    s.pairings
        .claim(&req.pairing_id, now_ms())
        .await?
        .map(Json)
        .ok_or(ApiError::Refused(Refusal::PairingExpired))
}

/// `POST /api/admin/pairing/confirm`: the admin typed the code a device shows.
pub async fn confirm(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<ConfirmPairing>, JsonRejection>,
) -> Result<Json<DeviceSummary>, ApiError> {
    let admin = who.staff()?.0.staff_id.clone();
    let req = json_body(body)?;
    let label = req.label.trim().to_owned();
    if label.chars().count() > MAX_LABEL {
        return Err(ApiError::Invalid(format!(
            "the label must be at most {MAX_LABEL} characters"
        )));
    }
    let now = now_ms();
    let code = req.code.trim();
    let pending = s
        .pairings
        .by_code(code, now)
        .await?
        .ok_or(ApiError::Refused(Refusal::PairingCodeUnknown))?;
    // The device's token is made when it collects it (`Pairings::claim`); until then the
    // record holds the digest of a token nobody has.
    let token = secrets::token();
    let mut auth = s.authority.lock().await;
    let existing = s.store.device(pending.client).await?;
    // A code typed in good faith must not hand a working device's identity to whoever
    // asked in its name: a paired device is revoked first, then paired again.
    if existing.is_some() && s.store.device_paired(pending.client).await? {
        return Err(ApiError::Refused(Refusal::AlreadyPaired));
    }
    let (series, leases) = if pending.role == DeviceRole::Kiosk {
        // The digits other instances sharing the store gave their kiosks are taken.
        crate::sync::catch_up_numbering(&mut auth, &s.store).await?;
        let mut leases = auth.leases.clone();
        let series = leases
            .series_for(
                pending.client,
                auth.rules.calendar.service_day(jiff::Timestamp::now()),
            )
            .map_err(|e| ApiError::Conflict(e.to_string()))?;
        (Some(series), Some(leases))
    } else {
        (None, None)
    };
    let record = DeviceRecord {
        client: pending.client,
        role: pending.role,
        last_mutation: existing.as_ref().map(|d| d.last_mutation).unwrap_or(0),
        series: series.or(existing.and_then(|d| d.series)),
        loket: None,
        session: None,
    };
    s.store
        .pair_device(&record, &secrets::digest(&token), &label, now)
        .await?;
    s.device_tokens.forget(record.client);
    if let Some(l) = leases {
        auth.leases = l;
    }
    auth.last_processed
        .entry(record.client)
        .or_insert(record.last_mutation);
    drop(auth);
    s.store
        .add_audit(&[AuditRow {
            at_ms: now,
            staff_id: admin,
            action: "paired_device".into(),
            subject: format!("{} {}", record.role.as_str(), record.client.simple()),
        }])
        .await?;
    s.pairings.grant(code, record.series).await?;
    tracing::info!(role = record.role.as_str(), client = %record.client.simple(), "device paired");
    Ok(Json(DeviceSummary {
        client_id: record.client,
        role: record.role,
        label,
        paired_ms: Some(now),
        revoked: false,
    }))
}

/// `GET /api/admin/devices`.
pub async fn list(State(s): State<AppState>) -> Result<Json<Vec<DeviceSummary>>, ApiError> {
    Ok(Json(s.store.list_devices().await?))
}

/// `POST /api/admin/devices/{client}/revoke`.
pub async fn revoke(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(client): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let admin = who.staff()?.0.staff_id.clone();
    let client = ClientId::parse(&client).map_err(|_| ApiError::Refused(Refusal::NoSuchDevice))?;
    // Under the lock, so no pairing hands the digit out in between.
    let mut auth = s.authority.lock().await;
    let today = auth.rules.calendar.service_day(jiff::Timestamp::now());
    if !s.store.revoke_device(client, today).await? {
        return Err(ApiError::Refused(Refusal::NoSuchDevice));
    }
    // A revoked kiosk's series digit is free again from tomorrow.
    auth.leases.release_series(client, today);
    drop(auth);
    s.device_tokens.forget(client);
    let _ = s.live.send(Live::Revoked(client));
    s.store
        .add_audit(&[AuditRow {
            at_ms: now_ms(),
            staff_id: admin,
            action: "revoked_device".into(),
            subject: client.simple(),
        }])
        .await?;
    tracing::info!(client = %client.simple(), "device revoked");
    Ok(Json(json!({ "status": "revoked" })))
}
