//! The office's days off, edited in `/admin`: the calendar's one part an office must change
//! every year (the joint decree on national holidays and *cuti bersama* comes out in the
//! autumn before, Bali's regional days with it).
//!
//! A change applies to what is decided after it: a receipt's due time is fixed when the
//! file is accepted. Devices read the calendar with the catalogue when they connect.

use app::domain::calendar::{parse_holidays, Holiday};
use app::domain::catalogue::HolidayList;
use app::domain::replica::Rules;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::{Extension, Json};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::AuditRow;
use crate::sync::json_body;

/// `POST /api/admin/holidays`: replaces the list; answers it as stored, sorted by date.
pub async fn replace(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<HolidayList>, JsonRejection>,
) -> Result<Json<Vec<Holiday>>, ApiError> {
    let (admin, _) = who.staff()?;
    let req = json_body(body)?;
    let list = parse_holidays(&req.text).map_err(|e| ApiError::Invalid(e.text().en))?;
    let mut auth = s.authority.lock().await;
    let mut catalogue = auth.rules.catalogue.clone();
    catalogue.calendar.holidays = list.clone();
    catalogue
        .validate()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    // Stored first: a failed write leaves the rules as they were.
    s.store.save_catalogue(&catalogue).await?;
    auth.rules = Rules::new(catalogue);
    drop(auth);
    s.store
        .add_audit(&[AuditRow {
            at_ms: now_ms(),
            staff_id: admin.staff_id.clone(),
            action: "changed_holidays".into(),
            subject: format!("{} days", list.len()),
        }])
        .await?;
    tracing::info!(holidays = list.len(), "holidays changed");
    Ok(Json(list))
}
