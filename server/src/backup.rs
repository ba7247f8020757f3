//! The office's backup and its restore.
//!
//! `GET /api/admin/backup` (admins) streams the whole database as SurrealQL statements, a
//! file named by the day, while the office keeps working (the export reads one
//! transaction's view). `antrean restore FILE` loads such a file into an empty store
//! before the server starts on it (`Store::restore`); it refuses a store that has data.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::AuditRow;

/// `GET /api/admin/backup`.
pub async fn download(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
) -> Result<Response, ApiError> {
    let (admin, _) = who.staff()?;
    let rules = s.authority.lock().await.rules.clone();
    let now = jiff::Timestamp::from_millisecond(now_ms()).unwrap_or_default();
    let day = app::domain::time_format::print_date(rules.calendar.service_day(now));
    let chunks = s.store.backup().await?;
    s.store
        .add_audit(&[AuditRow {
            at_ms: now_ms(),
            staff_id: admin.staff_id.clone(),
            action: "downloaded_backup".into(),
            subject: day.clone(),
        }])
        .await?;
    tracing::info!("backup downloaded");
    let body =
        Body::from_stream(chunks.map(|c| c.map_err(|e| std::io::Error::other(e.to_string()))));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/sql; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"antrean-{day}.surql\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
