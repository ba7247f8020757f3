//! Staff accounts: the first-admin setup, sign-in and sign-out, the account list, and the
//! audit log of staff actions.

use app::domain::access::{
    check_password, check_username, AuditEntry, Login, NewStaff, SessionInfo, Setup, SetupState,
    StaffRole, StaffSummary,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::{secrets, session_cookie, Principal, SESSION_MS};
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::{AuditRow, StaffRecord};
use crate::sync::json_body;

/// Creates the first admin's token when there is no account, and prints it once: the
/// person installing the office's server reads it from the console. There is never a
/// default password.
pub async fn prepare_setup(s: &AppState) -> anyhow::Result<()> {
    if s.store.staff_count().await? == 0 {
        let token = secrets::token();
        println!("setup token: {token}");
        println!("open /admin and enter it to create the first admin account");
        *s.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
    }
    Ok(())
}

fn validate(username: &str, password: &str) -> Result<(), ApiError> {
    check_username(username).map_err(|e| ApiError::Invalid(e.to_string()))?;
    check_password(password).map_err(|e| ApiError::Invalid(e.to_string()))
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
        .is_some();
    Json(SetupState { needed })
}

/// `POST /api/auth/setup`: creates the first admin and signs them in.
pub async fn setup(
    State(s): State<AppState>,
    body: Result<Json<Setup>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = json_body(body)?;
    let expected = s
        .setup_token
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let Some(expected) = expected else {
        return Err(ApiError::Conflict(
            "setup is done; sign in with an existing account".into(),
        ));
    };
    if !secrets::same(req.setup_token.trim(), &expected) {
        return Err(ApiError::Forbidden("wrong setup token".into()));
    }
    validate(&req.username, &req.password)?;
    let staff = StaffRecord {
        id: uuid::Uuid::new_v4().simple().to_string(),
        username: req.username,
        role: StaffRole::Admin,
        password_hash: secrets::hash_password(&req.password).map_err(ApiError::internal)?,
    };
    if !s.store.create_staff(&staff, now_ms(), true).await? {
        return Err(ApiError::Conflict(
            "setup is done; sign in with an existing account".into(),
        ));
    }
    *s.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = None;
    tracing::info!(staff = %staff.id, "first admin created");
    start_session(&s, &staff).await
}

/// `POST /api/auth/login`. The same answer for an unknown name and a wrong password.
pub async fn login(
    State(s): State<AppState>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = json_body(body)?;
    let wrong = || ApiError::Unauthenticated("wrong user name or password".into());
    if req.password.len() > 4 * app::domain::access::MAX_PASSWORD {
        return Err(wrong());
    }
    let Some(staff) = s.store.staff_by_username(&req.username).await? else {
        // Spend the same time as a real check, so timing does not reveal user names.
        let _ = secrets::verify_password(&req.password, dummy_hash());
        return Err(wrong());
    };
    if !secrets::verify_password(&req.password, &staff.password_hash) {
        return Err(wrong());
    }
    start_session(&s, &staff).await
}

/// A hash of a random string, verified against when the user name is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password(&secrets::token()).unwrap_or_default())
}

/// `POST /api/auth/logout`.
pub async fn logout(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
) -> Result<Response, ApiError> {
    let (session, digest) = who.staff()?;
    s.store.delete_session(digest).await?;
    tracing::info!(staff = %session.staff_id, "signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(None, s.secure_cookies))],
    )
        .into_response())
}

/// `GET /api/auth/me`.
pub async fn me(Extension(who): Extension<Principal>) -> Result<Json<SessionInfo>, ApiError> {
    let (session, _) = who.staff()?;
    Ok(Json(SessionInfo {
        username: session.username.clone(),
        role: session.role,
        csrf: session.csrf.clone(),
    }))
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
        password_hash: secrets::hash_password(&req.password).map_err(ApiError::internal)?,
    };
    if !s.store.create_staff(&staff, now, false).await? {
        return Err(ApiError::Conflict(format!(
            "the user name {} is taken",
            req.username
        )));
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
