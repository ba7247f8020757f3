//! Retention (UU 27/2022: keep personal-adjacent data no longer than needed). Tickets
//! whose history is older than the configured period lose their events and tracking
//! tokens, survey answers lose their link to the ticket, old audit rows and expired
//! sessions go. Runs at start-up and every six hours, and on an admin's request.

use std::time::Duration;

use app::domain::ids::TicketId;
use axum::extract::State;
use axum::Json;

use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::Purged;

const DAY_MS: i64 = 86_400_000;

/// Purges what is older than the retention period, in the database and in memory.
pub async fn run(s: &AppState) -> Result<Purged, ApiError> {
    let now = now_ms();
    let cutoff = now - i64::from(s.retention_days) * DAY_MS;
    // No lock is held while the store purges: it deletes history older than a year,
    // which no push writes and start-up does not read (it starts from the last close's
    // checkpoint). Memory then drops the open files that were purged with it.
    let (purged, gone) = s.store.purge_before(cutoff, now).await?;
    let ids: Vec<TicketId> = gone
        .iter()
        .filter_map(|t| TicketId::parse(t).ok())
        .collect();
    if !ids.is_empty() {
        s.authority.lock().await.replica.forget(&ids);
    }
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
