//! Staff accounts: the first-admin setup, sign-in and sign-out, the account list and its
//! changes (disable, enable, role, password reset, one's own password), and the audit log
//! of staff actions.

use app::domain::accounts::{
    check_password, check_username, AuditEntry, ChangePassword, Login, NewStaff, SessionInfo,
    SetLokets, SetRole, Setup, SetupState, StaffRole, StaffSummary, TemporaryPassword,
};
use app::domain::ids::LoketId;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::{secrets, session_cookie, Principal, SESSION_MS};
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::{AccountChange, AuditRow, ChangeRefused, StaffRecord};
use crate::sync::json_body;
use app::domain::refusal::Refusal;

/// How long a setup token is valid; a restart prints a new one.
pub const SETUP_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Creates the first admin's token when there is no account, and prints it once: the
/// person installing the office's server reads it from the console. There is never a
/// default password.
pub async fn prepare_setup(s: &AppState) -> anyhow::Result<()> {
    if s.store.staff_count().await? == 0 {
        let token = secrets::token();
        println!("setup token: {token}");
        println!("open /admin within an hour and enter it to create the first admin account");
        *s.setup_token.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((token, std::time::Instant::now() + SETUP_TOKEN_TTL));
    }
    Ok(())
}

fn validate(username: &str, password: &str) -> Result<(), ApiError> {
    check_username(username).map_err(|e| ApiError::Refused(e.into()))?;
    check_password(password).map_err(|e| ApiError::Refused(e.into()))
}

async fn start_session(s: &AppState, staff: &StaffRecord) -> Result<Response, ApiError> {
    let token = secrets::token();
    let csrf = secrets::token();
    s.store
        .create_session(
            &secrets::digest(&token),
            &staff.id,
            &csrf,
            now_ms() + SESSION_MS,
        )
        .await?;
    tracing::info!(staff = %staff.id, "signed in");
    let info = SessionInfo {
        username: staff.username.clone(),
        role: staff.role,
        csrf,
        must_change_password: staff.must_change_password,
        lokets: staff.lokets.clone(),
    };
    Ok((
        [(
            header::SET_COOKIE,
            session_cookie(Some(&token), s.secure_cookies),
        )],
        Json(info),
    )
        .into_response())
}

/// `GET /api/auth/setup`.
pub async fn setup_state(State(s): State<AppState>) -> Json<SetupState> {
    let needed = s
        .setup_token
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .is_some_and(|(_, until)| std::time::Instant::now() < *until);
    Json(SetupState { needed })
}

/// `POST /api/auth/setup`: creates the first admin and signs them in.
pub async fn setup(
    State(s): State<AppState>,
    body: Result<Json<Setup>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = json_body(body)?;
    validate(&req.username, &req.password)?;
    let done = || ApiError::Refused(Refusal::SetupDone);
    // The token is taken under the lock: of setups sent at once, one gets it; the others
    // find it gone. A failed write puts it back.
    let taken = {
        let mut slot = s.setup_token.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            None => return Err(done()),
            Some((_, until)) if std::time::Instant::now() >= *until => {
                return Err(ApiError::Refused(Refusal::SetupTokenExpired))
            }
            Some((token, _)) if !secrets::same(req.setup_token.trim(), token) => {
                return Err(ApiError::Refused(Refusal::WrongSetupToken))
            }
            Some(_) => slot.take(),
        }
    };
    let restore = || *s.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = taken.clone();
    let hash = match secrets::hash_password_queued(req.password.clone()).await {
        Ok(h) => h,
        Err(e) => {
            restore();
            return Err(ApiError::internal(e));
        }
    };
    let staff = StaffRecord {
        id: uuid::Uuid::new_v4().simple().to_string(),
        username: req.username,
        role: StaffRole::Admin,
        password_hash: hash,
        disabled: false,
        must_change_password: false,
        lokets: Vec::new(),
    };
    match s.store.create_staff(&staff, now_ms(), true).await {
        Ok(true) => {}
        Ok(false) => return Err(done()),
        Err(e) => {
            restore();
            return Err(e.into());
        }
    }
    tracing::info!(staff = %staff.id, "first admin created");
    start_session(&s, &staff).await
}

/// `POST /api/auth/login`. The same answer for an unknown name and a wrong password. A
/// sign-in ends the session this browser had: on a shared counter tablet, the officer
/// taking over the shift takes over its counter too.
pub async fn login(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = json_body(body)?;
    let wrong = || ApiError::Refused(Refusal::WrongCredentials);
    if req.password.len() > 4 * app::domain::accounts::MAX_PASSWORD {
        return Err(wrong());
    }
    if let Err(wait_ms) = s.backoff.check(&req.username, now_ms()) {
        return Err(ApiError::TooMany(format!(
            "too many wrong passwords for this account; try again in {} s",
            (wait_ms + 999) / 1000
        )));
    }
    let staff = s.store.staff_by_username(&req.username).await?;
    let hash = staff.as_ref().map(|st| st.password_hash.clone());
    let right = secrets::verify_password_queued(req.password.clone(), hash).await;
    let Some(staff) = staff.filter(|_| right) else {
        s.backoff.failed(&req.username, now_ms());
        return Err(wrong());
    };
    s.backoff.succeeded(&req.username);
    // Told only to someone who knows the password: an unknown name still looks like a
    // wrong password.
    if staff.disabled {
        return Err(ApiError::Refused(Refusal::AccountDisabled));
    }
    if let Principal::Staff { digest, .. } = &who {
        s.store.delete_session(digest).await?;
        let _ = s
            .live
            .send(crate::state::Live::SessionEnded(digest.clone()));
    }
    start_session(&s, &staff).await
}

/// `POST /api/auth/logout`.
pub async fn logout(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
) -> Result<Response, ApiError> {
    let (session, digest) = who.staff()?;
    s.store.delete_session(digest).await?;
    // The counter's live stream closes with the session.
    let _ = s
        .live
        .send(crate::state::Live::SessionEnded(digest.to_owned()));
    tracing::info!(staff = %session.staff_id, "signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(None, s.secure_cookies))],
    )
        .into_response())
}

/// `GET /api/auth/me`.
pub async fn me(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
) -> Result<Json<SessionInfo>, ApiError> {
    let (session, _) = who.staff()?;
    let lokets = s.store.staff_lokets(&session.username).await?;
    Ok(Json(SessionInfo {
        username: session.username.clone(),
        role: session.role,
        csrf: session.csrf.clone(),
        must_change_password: session.must_change_password,
        lokets,
    }))
}

/// Closes the live streams of sessions that just ended.
fn end_streams(s: &AppState, digests: Vec<String>) {
    for d in digests {
        let _ = s.live.send(crate::state::Live::SessionEnded(d));
    }
}

/// `POST /api/auth/password`: one's own new password, with the current one. Ends the
/// account's other sessions (a password changed because it leaked locks the other out).
pub async fn change_password(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<ChangePassword>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let (session, digest) = who.staff()?;
    let req = json_body(body)?;
    check_password(&req.new).map_err(|e| ApiError::Refused(e.into()))?;
    let now = now_ms();
    if let Err(wait_ms) = s.backoff.check(&session.username, now) {
        return Err(ApiError::TooMany(format!(
            "too many wrong passwords for this account; try again in {} s",
            (wait_ms + 999) / 1000
        )));
    }
    let hash = s
        .store
        .staff_by_username(&session.username)
        .await?
        .map(|st| st.password_hash);
    if !secrets::verify_password_queued(req.current.clone(), hash).await {
        s.backoff.failed(&session.username, now);
        return Err(ApiError::Refused(Refusal::WrongCurrentPassword));
    }
    s.backoff.succeeded(&session.username);
    let hash = secrets::hash_password_queued(req.new.clone())
        .await
        .map_err(ApiError::internal)?;
    let ended = s
        .store
        .set_own_password(&session.staff_id, &hash, digest)
        .await?;
    end_streams(&s, ended);
    s.store
        .add_audit(&[AuditRow {
            at_ms: now,
            staff_id: session.staff_id.clone(),
            action: "changed_own_password".into(),
            subject: session.username.clone(),
        }])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies an admin's change to another account, ends its sessions where the change
/// does, and writes the audit row.
async fn change_account(
    s: &AppState,
    who: &Principal,
    username: &str,
    change: AccountChange,
    action: &str,
) -> Result<(), ApiError> {
    let (admin, _) = who.staff()?;
    // An admin cannot lock themselves out, nor demote themselves by mistake; another
    // admin can.
    if admin.username == username {
        return Err(ApiError::Refused(Refusal::OwnAccount));
    }
    let subject = match &change {
        AccountChange::Role(r) => format!("{username} ({})", r.as_str()),
        AccountChange::Lokets(l) if l.is_empty() => format!("{username} (semua loket)"),
        AccountChange::Lokets(l) => format!(
            "{username} (loket {})",
            l.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => username.to_owned(),
    };
    match s.store.change_account(username, &change).await {
        Ok(ended) => end_streams(s, ended),
        Err(Ok(ChangeRefused::NoSuchAccount)) => {
            return Err(ApiError::Refused(Refusal::NoSuchAccount))
        }
        Err(Ok(ChangeRefused::LastAdmin)) => return Err(ApiError::Refused(Refusal::LastAdmin)),
        Err(Ok(ChangeRefused::Conflict)) => return Err(ApiError::Refused(Refusal::Conflict)),
        Err(Err(e)) => return Err(e.into()),
    }
    s.store
        .add_audit(&[AuditRow {
            at_ms: now_ms(),
            staff_id: admin.staff_id.clone(),
            action: action.into(),
            subject,
        }])
        .await?;
    tracing::info!(action, "account changed");
    Ok(())
}

/// `POST /api/admin/staff/{username}/disable`: the account's sessions end at once.
pub async fn disable(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    change_account(
        &s,
        &who,
        &username,
        AccountChange::Disable,
        "disabled_staff",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/staff/{username}/enable`.
pub async fn enable(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    change_account(&s, &who, &username, AccountChange::Enable, "enabled_staff").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/staff/{username}/role`.
pub async fn set_role(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(username): Path<String>,
    body: Result<Json<SetRole>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let req = json_body(body)?;
    change_account(
        &s,
        &who,
        &username,
        AccountChange::Role(req.role),
        "changed_role",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/staff/{username}/lokets`: the lokets an officer works at ("1, 2";
/// empty: any). Applies to the counters they register from now on.
pub async fn set_lokets(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(username): Path<String>,
    body: Result<Json<SetLokets>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let req = json_body(body)?;
    let lokets = LoketId::parse_list(&req.lokets).map_err(|_| {
        ApiError::Invalid("write lokets as numbers 1–99 separated by commas".into())
    })?;
    let known = s.authority.lock().await.rules.catalogue.lokets();
    if let Some(l) = lokets.iter().find(|l| !known.contains(l)) {
        return Err(ApiError::Invalid(format!("the office has no Loket {l}")));
    }
    change_account(
        &s,
        &who,
        &username,
        AccountChange::Lokets(lokets),
        "changed_lokets",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/staff/{username}/reset-password`: a temporary password, shown once to
/// the admin; the account changes it at its next sign-in.
pub async fn reset_password(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(username): Path<String>,
) -> Result<Json<TemporaryPassword>, ApiError> {
    let password = secrets::temporary_password();
    let hash = secrets::hash_password_queued(password.clone())
        .await
        .map_err(ApiError::internal)?;
    change_account(
        &s,
        &who,
        &username,
        AccountChange::ResetPassword(hash),
        "reset_password",
    )
    .await?;
    Ok(Json(TemporaryPassword { password }))
}

/// `GET /api/admin/staff`.
pub async fn list(State(s): State<AppState>) -> Result<Json<Vec<StaffSummary>>, ApiError> {
    Ok(Json(s.store.list_staff().await?))
}

/// `POST /api/admin/staff`.
pub async fn create(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<NewStaff>, JsonRejection>,
) -> Result<(StatusCode, Json<StaffSummary>), ApiError> {
    let (admin, _) = who.staff()?;
    let req = json_body(body)?;
    validate(&req.username, &req.password)?;
    let now = now_ms();
    let staff = StaffRecord {
        id: uuid::Uuid::new_v4().simple().to_string(),
        username: req.username.clone(),
        role: req.role,
        password_hash: secrets::hash_password_queued(req.password.clone())
            .await
            .map_err(ApiError::internal)?,
        disabled: false,
        must_change_password: false,
        lokets: Vec::new(),
    };
    if !s.store.create_staff(&staff, now, false).await? {
        return Err(ApiError::Refused(Refusal::UsernameTaken));
    }
    s.store
        .add_audit(&[AuditRow {
            at_ms: now,
            staff_id: admin.staff_id.clone(),
            action: "created_staff".into(),
            subject: format!("{} ({})", staff.username, staff.role.as_str()),
        }])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StaffSummary {
            username: staff.username,
            role: staff.role,
            created_ms: now,
            disabled: false,
            lokets: Vec::new(),
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    200
}

/// `GET /api/audit?limit=N`: the newest staff actions first.
pub async fn audit(
    State(s): State<AppState>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::Invalid(e.body_text()))?;
    Ok(Json(s.store.audit(q.limit.clamp(1, 1000)).await?))
}
