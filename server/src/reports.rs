//! `GET /api/reports` and `GET /api/reports/csv`: a supervisor's report of a date range.
//! The closed days' facts come from the store (a key range per report, however old the
//! installation); the day still open is tallied from its own events on request. The
//! domain (`app::domain::report`) does all the counting.

use app::domain::i18n::Lang;
use app::domain::report::csv::{self, Table};
use app::domain::report::{self, summary, Report};
use app::domain::time_format::{parse_date, print_date};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::civil::Date;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};

/// The period of a report, inclusive: `?from=2026-12-01&to=2026-12-31`.
#[derive(Debug, Deserialize)]
pub struct Period {
    from: String,
    to: String,
    /// For the CSV: which table, and the language of its headings (`id`, `en`).
    table: Option<String>,
    lang: Option<String>,
}

fn dates(q: &Period) -> Result<(Date, Date), ApiError> {
    let day = |s: &str| parse_date(s).map_err(|e| ApiError::Invalid(e.to_string()));
    let (from, to) = (day(&q.from)?, day(&q.to)?);
    summary::check_period(from, to).map_err(|e| ApiError::Invalid(e.to_string()))?;
    Ok((from, to))
}

async fn build(s: &AppState, from: Date, to: Date) -> Result<Report, ApiError> {
    let rules = s.authority.lock().await.rules.clone();
    let now = jiff::Timestamp::from_millisecond(now_ms()).unwrap_or_default();
    let today = rules.calendar.service_day(now);
    let mut facts = s.store.day_facts(from..=to).await?;
    // The days after the last close (normally today alone): tallied now, from the store.
    let first_open = s
        .store
        .closed_through()
        .await?
        .and_then(|d| d.tomorrow().ok())
        .unwrap_or(Date::MIN);
    if to >= first_open {
        let open = s.store.open_day().await?;
        let first_open = open
            .closed_through
            .and_then(|d| d.tomorrow().ok())
            .unwrap_or(Date::MIN);
        facts.extend(report::tally(
            open.start,
            &open.events,
            &rules,
            first_open..=today,
            now,
        ));
    }
    let cal = &rules.calendar;
    let until = to
        .tomorrow()
        .map(|d| cal.starts_at(d))
        .unwrap_or(jiff::Timestamp::MAX);
    let surveys = s
        .store
        .surveys_between(cal.starts_at(from).as_millisecond(), until.as_millisecond())
        .await?;
    Ok(report::build(
        &facts,
        &surveys,
        &rules.catalogue,
        cal,
        from,
        to,
    ))
}

/// `GET /api/reports?from=…&to=…`.
pub async fn report(
    State(s): State<AppState>,
    q: Result<Query<Period>, QueryRejection>,
) -> Result<Json<Report>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::Invalid(e.body_text()))?;
    let (from, to) = dates(&q)?;
    Ok(Json(build(&s, from, to).await?))
}

/// `GET /api/reports/csv?from=…&to=…&table=services&lang=id`: one table as a CSV file.
pub async fn report_csv(
    State(s): State<AppState>,
    q: Result<Query<Period>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::Invalid(e.body_text()))?;
    let (from, to) = dates(&q)?;
    let table = q.table.as_deref().and_then(Table::parse).ok_or_else(|| {
        let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
        ApiError::Invalid(format!("table must be one of {}", names.join(", ")))
    })?;
    let lang = match q.lang.as_deref() {
        None | Some("id") => Lang::Id,
        Some("en") => Lang::En,
        Some(_) => return Err(ApiError::Invalid("lang must be id or en".into())),
    };
    let r = build(&s, from, to).await?;
    let rules = s.authority.lock().await.rules.clone();
    let body = csv::table(&r, table, &rules.calendar, lang);
    let name = format!(
        "attachment; filename=\"laporan-{}-{}-{}.csv\"",
        table.name(),
        print_date(from),
        print_date(to)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
