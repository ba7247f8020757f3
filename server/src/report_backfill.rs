//! Reports for the days closed before reports existed (schema 8): each close since then
//! stores its days' facts, but an office that upgraded has months of closed days with none,
//! and its first monthly report would count nothing. Once, in the background after start,
//! the event log is replayed close by close exactly as each close tallies (from the open
//! state the days started with), and the facts of the days without any are stored. The log
//! must still begin at its first event: days whose events retention already purged cannot
//! be rebuilt (they were past the retention period anyway), which is logged.

use std::collections::BTreeSet;

use app::domain::replica::Replica;
use app::domain::report;
use jiff::civil::Date;

use crate::state::AppState;
use crate::store::StoreError;

/// Tallies and stores the missing days; returns how many days it stored.
pub async fn run(s: &AppState) -> Result<usize, StoreError> {
    // Retention deletes the log's oldest events: not while they are being replayed.
    let _no_purge = s.retention_running.lock().await;
    let store = s.store.own_session();
    if store.report_backfill_done().await? {
        return Ok(0);
    }
    let closes = store.day_closes().await?;
    let have = store.report_days_present().await?;
    let missing: BTreeSet<Date> = closes
        .iter()
        .map(|(day, _)| *day)
        .filter(|d| !have.contains(d))
        .collect();
    if missing.is_empty() {
        store.mark_report_backfill_done().await?;
        return Ok(0);
    }
    if store.first_event_seq().await? != Some(1) {
        tracing::warn!(
            days = missing.len(),
            "reports of days closed before schema 8 cannot be rebuilt: their events were purged"
        );
        store.mark_report_backfill_done().await?;
        return Ok(0);
    }
    let rules = s.authority.lock().await.rules.clone();
    let mut start = Replica::default();
    let (mut cursor, mut previous, mut stored) = (0u64, None::<Date>, 0usize);
    for (through, close_cursor) in closes {
        let mut events = Vec::new();
        while cursor < close_cursor {
            let limit = (close_cursor - cursor).min(10_000) as usize;
            let batch = store.logged_after(cursor, limit).await?;
            let Some(last) = batch.last() else { break };
            cursor = last.event.seq;
            events.extend(batch);
        }
        // The days this close ended: from the day after the previous close.
        let first = previous
            .and_then(|d| d.tomorrow().ok())
            .unwrap_or(through)
            .min(through);
        let lacking = first
            .series(jiff::ToSpan::day(1))
            .take_while(|d| *d <= through)
            .any(|d| !have.contains(&d));
        if lacking {
            let facts: Vec<report::DayFacts> = report::tally(
                start.clone(),
                &events,
                &rules,
                first..=through,
                rules.calendar.closes_at(through),
            )
            .into_iter()
            .filter(|f| !have.contains(&f.day))
            .collect();
            store.save_report_days(&facts, through).await?;
            stored += facts.len();
        }
        for l in &events {
            start.apply(&l.event);
        }
        start.prune_closed(through, &rules.calendar);
        previous = Some(through);
    }
    store.mark_report_backfill_done().await?;
    tracing::info!(
        days = stored,
        "reports of days closed before schema 8 rebuilt"
    );
    Ok(stored)
}

pub fn spawn(s: AppState) {
    tokio::spawn(async move {
        if let Err(e) = run(&s).await {
            tracing::error!(error = %e, "rebuilding old days' reports failed (retried at next start)");
        }
    });
}
