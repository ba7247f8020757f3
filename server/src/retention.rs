//! Retention (UU 27/2022: keep personal-adjacent data no longer than needed). History of
//! the service days older than the configured period goes: the events logged up to those
//! days' close, the final state and tracking links of the tickets that ended on them,
//! survey answers' link to their ticket, old audit rows; expired sessions too. A file still
//! open keeps its tracking link. Runs at start-up and every six hours, and on an admin's
//! request; it holds no lock while it deletes.

use std::time::Duration;

use axum::extract::State;
use axum::Json;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::Purged;

const DAY_MS: i64 = 86_400_000;

/// Purges what is older than the retention period: history by service day (the days
/// before the cut), never a file that is still open.
pub async fn run(s: &AppState) -> Result<Purged, ApiError> {
    let _one_at_a_time = s.retention_running.lock().await;
    let now = now_ms();
    let cutoff = now - i64::from(s.retention_days) * DAY_MS;
    // The only moment the lock is taken: to learn which tickets are open, whose tracking
    // links stay whatever their age. The purge itself runs beside pushes.
    let (cut_day, open) = {
        let auth = s.authority.lock().await;
        let cut_day = auth
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(cutoff).unwrap_or_default());
        let open: Vec<String> = auth.replica.tickets().map(|t| t.id.simple()).collect();
        (cut_day, open)
    };
    // A session of its own: minutes of purging must not share one with the pushes.
    let purged = s
        .store
        .own_session()
        .purge_before(cut_day, cutoff, now, &open)
        .await?;
    if purged != Purged::default() {
        tracing::info!(
            tickets = purged.tickets,
            surveys = purged.surveys_anonymised,
            audit = purged.audit_rows,
            "retention purge"
        );
    }
    Ok(purged)
}

pub fn spawn(s: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(6 * 3600));
        loop {
            tick.tick().await;
            if let Err(e) = run(&s).await {
                tracing::error!(error = %e, "retention purge failed");
            }
        }
    })
}

/// `POST /api/admin/retention`: runs the purge now and says what it removed.
pub async fn run_now(State(s): State<AppState>) -> Result<Json<Purged>, ApiError> {
    Ok(Json(run(&s).await?))
}
