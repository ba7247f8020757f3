//! `GET /api/public` and the server render of `/layanan`: the office's public page (no
//! sign-in). The live queue comes from the authority's replica; the index of the last
//! whole month from the store, once per month (the answers of a month that is over do not
//! change).

use app::domain::ikm;
use app::domain::public_page::{self, PeriodIkm, PublicView};
use axum::extract::State;
use axum::Json;
use jiff::civil::Date;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};

/// The last month's index, kept for the month it was computed in.
pub type IkmCache = tokio::sync::Mutex<Option<(Date, Option<PeriodIkm>)>>;

async fn last_month_ikm(s: &AppState, today: Date) -> Result<Option<PeriodIkm>, ApiError> {
    let month = today.first_of_month();
    let mut cache = s.public_ikm.lock().await;
    if let Some((m, ikm)) = cache.as_ref() {
        if *m == month {
            return Ok(ikm.clone());
        }
    }
    let (from, to) = public_page::last_month(today);
    let cal = s.authority.lock().await.rules.calendar.clone();
    let answers = s
        .store
        .surveys_between(
            cal.starts_at(from).as_millisecond(),
            cal.starts_at(month).as_millisecond(),
        )
        .await?;
    let ikm = ikm::tabulate(answers.iter().map(|(_, a)| a))
        .map(|table| PeriodIkm::new(&cal, from, to, table));
    *cache = Some((month, ikm.clone()));
    Ok(ikm)
}

/// The public page's data now.
pub async fn lookup(s: &AppState) -> Result<PublicView, ApiError> {
    let now = now_ms();
    let today = {
        let auth = s.authority.lock().await;
        auth.rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(now).unwrap_or_default())
    };
    let ikm = last_month_ikm(s, today).await?;
    let auth = s.authority.lock().await;
    Ok(public_page::public_view(
        &auth.replica,
        &auth.rules,
        now,
        ikm,
    ))
}

/// `GET /api/public`.
pub async fn public(State(s): State<AppState>) -> Result<Json<PublicView>, ApiError> {
    Ok(Json(lookup(&s).await?))
}
