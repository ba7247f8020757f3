//! Changes to the catalogue made in `/admin`: the office's days off (the calendar's one
//! part an office must change every year: the joint decree on national holidays and *cuti
//! bersama* comes out in the autumn before, Bali's regional days with it), a service's
//! standard, a new service, a service no longer offered, and the office's hours.
//!
//! Each change is validated by the domain, stored as the catalogue's next version, made
//! the authority's rules, written to the audit log, and announced on the live streams:
//! devices load the new version without a reload. A change applies to what is decided
//! after it: a receipt's due time is fixed when its file is accepted.

use app::domain::calendar::{parse_holidays, Holiday};
use app::domain::catalogue::{Catalogue, HolidayList};
use app::domain::catalogue_edit::{EditError, HoursEdit, NewService, Offered, ServiceEdit};
use app::domain::ids::ServiceCode;
use app::domain::mutation::Poke;
use app::domain::replica::Rules;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::{now_ms, AppState, Live};
use crate::store::AuditRow;
use crate::sync::{announce, json_body};

/// Stores `next` (built from the current catalogue under the same lock) as the catalogue,
/// makes it the rules, and tells the devices.
async fn install(
    s: &AppState,
    who: &Principal,
    build: impl FnOnce(&Catalogue) -> Result<Catalogue, ApiError>,
    action: &str,
    subject: String,
) -> Result<Catalogue, ApiError> {
    let (admin, _) = who.staff()?;
    let mut auth = s.authority.lock().await;
    let mut next = build(&auth.rules.catalogue)?;
    next.version = auth.rules.catalogue.version.saturating_add(1);
    next.validate()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    // Stored first: a failed write leaves the rules as they were.
    s.store.save_catalogue(&next).await?;
    auth.rules = Rules::new(next.clone());
    let cursor = auth.replica.cursor();
    drop(auth);
    s.store
        .add_audit(&[AuditRow {
            at_ms: now_ms(),
            staff_id: admin.staff_id.clone(),
            action: action.into(),
            subject,
        }])
        .await?;
    announce(s, Live::grew(Poke::catalogue(cursor, next.version)));
    tracing::info!(version = next.version, action, "catalogue changed");
    Ok(next)
}

/// `POST /api/admin/holidays`: replaces the list; answers it as stored, sorted by date.
pub async fn replace_holidays(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<HolidayList>, JsonRejection>,
) -> Result<Json<Vec<Holiday>>, ApiError> {
    let req = json_body(body)?;
    let list = parse_holidays(&req.text).map_err(|e| ApiError::Invalid(e.text().en))?;
    let subject = format!("{} days", list.len());
    let stored = list.clone();
    install(
        &s,
        &who,
        move |c| {
            let mut next = c.clone();
            next.calendar.holidays = stored;
            Ok(next)
        },
        "changed_holidays",
        subject,
    )
    .await?;
    Ok(Json(list))
}

/// `POST /api/admin/services/{code}`: a service's requirements, lokets, quota and notice;
/// answers the catalogue as stored.
pub async fn edit_service(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(code): Path<String>,
    body: Result<Json<ServiceEdit>, JsonRejection>,
) -> Result<Json<Catalogue>, ApiError> {
    let edit = json_body(body)?;
    let code =
        ServiceCode::parse(&code).map_err(|_| ApiError::NotFound("no such service".into()))?;
    let subject = code.to_string();
    let next = install(
        &s,
        &who,
        |c| c.with_service_edit(&code, &edit).map_err(refused),
        "changed_service",
        subject,
    )
    .await?;
    Ok(Json(next))
}

/// A refused edit: 404 for a service that does not exist, 400 with the reason otherwise.
fn refused(e: EditError) -> ApiError {
    match e {
        EditError::UnknownService => ApiError::NotFound("no such service".into()),
        e => ApiError::Invalid(e.to_string()),
    }
}

/// `POST /api/admin/services`: a new service; answers the catalogue as stored. Kiosks
/// show it as soon as they hear of the new version.
pub async fn add_service(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<NewService>, JsonRejection>,
) -> Result<Json<Catalogue>, ApiError> {
    let new = json_body(body)?;
    let subject = new.edit.name.clone();
    let next = install(
        &s,
        &who,
        |c| c.with_new_service(&new).map(|(c, _)| c).map_err(refused),
        "added_service",
        subject,
    )
    .await?;
    Ok(Json(next))
}

/// `POST /api/admin/services/{code}/offered`: offers a service again or no longer (its
/// open tickets and files are still served); answers the catalogue as stored.
pub async fn offer_service(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(code): Path<String>,
    body: Result<Json<Offered>, JsonRejection>,
) -> Result<Json<Catalogue>, ApiError> {
    let Offered { offered } = json_body(body)?;
    let code =
        ServiceCode::parse(&code).map_err(|_| ApiError::NotFound("no such service".into()))?;
    let subject = code.to_string();
    let next = install(
        &s,
        &who,
        |c| c.with_service_offered(&code, offered).map_err(refused),
        if offered {
            "offered_service"
        } else {
            "retired_service"
        },
        subject,
    )
    .await?;
    Ok(Json(next))
}

/// `POST /api/admin/hours`: the office's hours, Monday to Sunday; answers the catalogue as
/// stored. Today's close follows the new closing time.
pub async fn edit_hours(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<HoursEdit>, JsonRejection>,
) -> Result<Json<Catalogue>, ApiError> {
    let edit = json_body(body)?;
    let subject = edit.days.join(" · ");
    let next = install(
        &s,
        &who,
        |c| {
            c.with_hours(&edit)
                .map_err(|e| ApiError::Invalid(e.to_string()))
        },
        "changed_hours",
        subject,
    )
    .await?;
    Ok(Json(next))
}
