//! The service day's close, on the server: at the office's closing time (checked every 30
//! seconds and at start-up, so an office whose server was down at closing time closes at
//! the next start) the authority plans the close (`app::domain::service_day` has the
//! rules), the store writes it with a checkpoint of the open state in one transaction, and
//! only then does memory let go of the tickets that ended. Devices hear of it like of any
//! other events.

use std::time::Duration;

use app::domain::{report, service_day};
use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};

/// How often the server looks whether a day is due to close.
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// What a close did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closed {
    /// The last service day now closed (ISO date).
    pub through: String,
    /// Tickets whose status the close changed (not served, pickup missed, expired).
    pub events: usize,
    /// Tickets that ended and left memory for the store.
    pub ended: usize,
}

/// Closes every service day whose closing time has passed, if one still needs it.
pub async fn run(s: &AppState) -> Result<Option<Closed>, ApiError> {
    let now = now_ms();
    let mut auth = s.authority.lock().await;
    crate::sync::catch_up(&mut auth, &s.store, &s.tail).await?;
    let through = service_day::last_closed_day(
        &auth.rules.calendar,
        jiff::Timestamp::from_millisecond(now).unwrap_or_default(),
    );
    if !auth.close_due(through) {
        return Ok(None);
    }
    // Another instance sharing the store closed these days (its events are caught up):
    // take its close over instead of closing again over its checkpoint, which would
    // store the days' facts anew from the wrong start.
    if s.store
        .closed_through()
        .await?
        .is_some_and(|d| d >= through)
        && auth.adopt_close(through)
    {
        tracing::info!(through = %through, "service day closed by another instance");
        return Ok(None);
    }
    let plan = auth.plan_close(through, now);
    let open = plan.replica().snapshot();
    let facts = tally_close(&s.store, &auth, &plan).await?;
    s.store.persist_close(&plan, &open, &facts).await?;
    let closed = Closed {
        through: app::domain::time_format::print_date(through),
        events: plan.events.len(),
        ended: plan.ended.len(),
    };
    crate::sync::go_live(s, auth, &plan.events.clone(), |a| a.commit_close(plan));
    tracing::info!(
        through = %closed.through,
        events = closed.events,
        ended = closed.ended,
        "service day closed"
    );
    Ok(Some(closed))
}

/// The reports' facts of the days a close ends: the day's events (read back from the
/// store with their officers, from the last close's checkpoint) and the close's own,
/// replayed from the state the day started with.
async fn tally_close(
    store: &crate::store::Store,
    auth: &app::domain::authority::Authority,
    plan: &app::domain::authority::ClosePlan,
) -> Result<Vec<report::DayFacts>, ApiError> {
    let open = store.open_day().await?;
    let mut events = open.events;
    events.extend(plan.events.iter().map(|e| report::Logged {
        event: e.clone(),
        officer: None,
    }));
    let first = auth
        .last_closed
        .or(open.closed_through)
        .and_then(|d| d.tomorrow().ok())
        .unwrap_or(plan.through)
        .min(plan.through);
    Ok(report::tally(
        open.start,
        &events,
        &auth.rules,
        first..=plan.through,
        auth.rules.calendar.closes_at(plan.through),
    ))
}

pub fn spawn(s: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECK_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = run(&s).await {
                tracing::error!(error = %e, "closing the service day failed");
            }
        }
    })
}

/// `POST /api/admin/close-day`: runs the due close now (it runs by itself at closing time)
/// and says what it did; `null` when every past day was closed already.
pub async fn run_now(State(s): State<AppState>) -> Result<Json<Option<Closed>>, ApiError> {
    Ok(Json(run(&s).await?))
}
