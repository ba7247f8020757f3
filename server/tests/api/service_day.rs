//! The service day against the real binary: yesterday's line closes (also when its tickets
//! arrive after the close, from a kiosk that was offline), files carry over, the citizen
//! page says what became of a ticket, and a restart starts from the last close's
//! checkpoint instead of the whole log.

use app::domain::ids::{RequirementId, TicketId};
use app::domain::mutation::DeviceRole;
use app::domain::queue;
use app::domain::replica::Rules;
use app::domain::ticket::{TicketCommand, TicketStatus};
use serde_json::Value;

use crate::helpers::*;

const DAY_MS: i64 = 86_400_000;

fn req(s: &str) -> RequirementId {
    RequirementId::parse(s).expect("requirement")
}

fn rules() -> Rules {
    let text = always_open(app::domain::catalogue::SEED_TOML);
    Rules::new(app::domain::catalogue::Catalogue::from_toml(&text).expect("catalogue"))
}

fn today() -> jiff::civil::Date {
    rules()
        .calendar
        .service_day(jiff::Timestamp::from_millisecond(now_ms()).expect("now"))
}

async fn close_day(app: &TestApp) -> Value {
    let admin = app.admin().await;
    let (s, v) = app.post_as(&admin, "/api/admin/close-day", &()).await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn status_of(app: &TestApp, id: TicketId) -> Option<TicketStatus> {
    app.state().await.ticket(&id).map(|t| t.status.clone())
}

/// Yesterday, pushed late (the kiosk and the counter were offline at closing time): one
/// ticket never called, one accepted and ready, one returned incomplete, one collected.
struct Yesterday {
    kiosk: DeviceSim,
    counter: DeviceSim,
    series: Option<u8>,
    waiting: (TicketId, String),
    ready: TicketId,
    returned: TicketId,
    collected: (TicketId, String),
}

async fn yesterday(app: &TestApp) -> Yesterday {
    let mut kiosk = DeviceSim::new();
    let series = app.register(kiosk.id, DeviceRole::Kiosk).await.series;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    kiosk.clock_offset_ms = -DAY_MS;
    counter.clock_offset_ms = -DAY_MS;
    let n = |i| app::domain::ids::TicketNumber::new('A', series, i).expect("number");
    let (i1, waiting, t1) = kiosk.issue(n(1));
    let (i2, ready, _) = kiosk.issue(n(2));
    let (i3, returned, _) = kiosk.issue(n(3));
    let (i4, collected, t4) = kiosk.issue(n(4));
    app.push(kiosk.id, vec![i1, i2, i3, i4])
        .await
        .expect("issue");
    let steps = vec![
        counter.command(ready, TicketCommand::Call { loket: loket(1) }),
        counter.command(ready, TicketCommand::Start),
        counter.command(ready, accept_ktp()),
        counter.command(ready, TicketCommand::MarkReady),
        counter.command(returned, TicketCommand::Call { loket: loket(1) }),
        counter.command(returned, TicketCommand::Start),
        counter.command(
            returned,
            TicketCommand::ReturnIncomplete {
                missing: vec![req("fotokopi-ktp-el")],
            },
        ),
        counter.command(collected, TicketCommand::Call { loket: loket(1) }),
        counter.command(collected, TicketCommand::Start),
        counter.command(collected, accept_ktp()),
        counter.command(collected, TicketCommand::MarkReady),
        counter.command(collected, TicketCommand::HandOver),
    ];
    let r = app.push(counter.id, steps).await.expect("counter");
    assert!(
        r.outcomes
            .iter()
            .all(|o| matches!(o.outcome, app::domain::mutation::Outcome::Applied { .. })),
        "{r:?}"
    );
    kiosk.clock_offset_ms = 0;
    counter.clock_offset_ms = 0;
    Yesterday {
        kiosk,
        counter,
        series,
        waiting: (waiting, t1.as_str().to_owned()),
        ready,
        returned,
        collected: (collected, t4.as_str().to_owned()),
    }
}

#[tokio::test]
async fn yesterdays_line_closes_unserved_while_its_files_carry_over_into_today() {
    let app = spawn_app();
    let mut y = yesterday(&app).await;
    // Today's first number is 1 again.
    let (today_issue, today_ticket, _) = y
        .kiosk
        .issue(app::domain::ids::TicketNumber::new('A', y.series, 1).expect("number"));
    app.push(y.kiosk.id, vec![today_issue])
        .await
        .expect("today's first ticket");

    // The close runs every 30 s by itself; run it now. Whichever ran it, the state says
    // what the close did.
    close_day(&app).await;
    // Not served, dated at yesterday's closing time: it ended on a closed day and left
    // memory for the store (its page below still says what happened).
    assert_eq!(status_of(&app, y.waiting.0).await, None);
    assert_eq!(status_of(&app, y.ready).await, Some(TicketStatus::Ready));
    assert_eq!(
        status_of(&app, y.returned).await,
        Some(TicketStatus::ReturnedIncomplete)
    );
    assert_eq!(
        status_of(&app, today_ticket).await,
        Some(TicketStatus::Waiting)
    );
    // The collected ticket ended yesterday: it left memory for the store.
    assert_eq!(status_of(&app, y.collected.0).await, None);
    // Running the close again does nothing.
    assert_eq!(close_day(&app).await, Value::Null);

    // The citizen whose number was never called reads what happened and what to do.
    let (s, v) = app.get_json(&format!("/api/t/{}", y.waiting.1)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"]["state"], "not_served");
    assert!(
        v["headline"]["id"]
            .as_str()
            .is_some_and(|h| h.contains("sudah ditutup") && h.contains("nomor baru")),
        "{v}"
    );
    // The collected one still has its page and its survey, read from the store.
    let (s, v) = app.get_json(&format!("/api/t/{}", y.collected.1)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"]["state"], "collected");
    assert_eq!(v["survey_open"], true);
    let (s, v) = app
        .post(
            &format!("/api/t/{}/survey", y.collected.1),
            &serde_json::json!({ "scores": [4, 4, 3, 4, 4, 3, 4, 3, 4] }),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // A call of yesterday's unserved ticket is refused; the returned file comes back
    // today (kiosk) and goes ahead of today's new ticket; yesterday's ready copy is
    // handed over today.
    let r = app
        .push(
            y.counter.id,
            vec![y
                .counter
                .command(y.waiting.0, TicketCommand::Call { loket: loket(1) })],
        )
        .await
        .expect("push");
    assert!(
        matches!(
            &r.outcomes[0].outcome,
            app::domain::mutation::Outcome::Rejected { .. }
        ),
        "{r:?}"
    );
    app.push(
        y.kiosk.id,
        vec![y.kiosk.command(y.returned, TicketCommand::Rejoin)],
    )
    .await
    .expect("rejoin");
    let state = app.state().await;
    let line: Vec<TicketId> = queue::waiting_line(&state, &rules(), &[ktp()], None, today())
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(line, vec![y.returned, today_ticket]);
    app.push(
        y.counter.id,
        vec![y.counter.command(y.ready, TicketCommand::HandOver)],
    )
    .await
    .expect("hand over");
    assert_eq!(
        status_of(&app, y.ready).await,
        Some(TicketStatus::Collected)
    );
}

#[tokio::test]
async fn a_restart_starts_from_the_last_close_not_from_the_whole_log() {
    let dir = TempDir::new();
    let (collected_token, ready, cursor) = {
        let app = spawn_app_with(Db::Disk(&dir.0), 0);
        let y = yesterday(&app).await;
        close_day(&app).await;
        let state = app.state().await;
        (y.collected.1, y.ready, state.cursor())
    };
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let state = app.state().await;
    assert_eq!(state.cursor(), cursor);
    assert_eq!(
        state.ticket(&ready).map(|t| t.status.clone()),
        Some(TicketStatus::Ready)
    );
    // Nothing was pushed after the close: start-up read the checkpoint and no event.
    let log = app.log.lock().expect("log").clone();
    let loaded = log
        .lines()
        .find(|l| l.contains("state loaded"))
        .expect("start-up log line");
    let loaded = plain(loaded);
    assert!(loaded.contains("events=0"), "{loaded}");
    let (s, v) = app.get_json(&format!("/api/t/{collected_token}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"]["state"], "collected");
}

/// The log line's fields without the terminal colours.
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut escape = false;
    for c in line.chars() {
        match c {
            '\u{1b}' => escape = true,
            'm' if escape => escape = false,
            _ if escape => {}
            _ => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn retention_deletes_the_history_of_days_before_the_cut_by_day() {
    // Three working days of history, 20 tickets each, written as the server writes them.
    let dir = history(3, 20);
    // Keep one day: every closed day before yesterday goes (retention runs at start-up).
    let app = spawn_app_env(Db::Disk(&dir.0), 0, &[("ANTREAN_RETENTION_DAYS", "1")]);
    let admin = app.admin().await;
    let (s, v) = app.post_as(&admin, "/api/admin/retention", &()).await;
    assert_eq!(s, 200, "{v}");
    let purged = || {
        let log = app.log.lock().expect("log").clone();
        log.lines()
            .map(plain)
            .find(|l| l.contains("retention purge"))
            .and_then(|l| {
                l.split_whitespace()
                    .find_map(|f| f.strip_prefix("tickets=").map(str::to_owned))
            })
            .and_then(|n| n.parse::<u64>().ok())
    };
    let tickets = purged().expect("a purge was logged");
    assert!(tickets >= 20, "{tickets} tickets purged");
    // The events of those days are gone: a device that was away since then starts over
    // from the open state instead of receiving a log with a hole.
    let answer = app.pull(1).await;
    assert!(
        answer.snapshot.is_some(),
        "events from {:?}",
        answer.events.first().map(|e| e.seq)
    );
    // A second run finds nothing more.
    let (_, v) = app.post_as(&admin, "/api/admin/retention", &()).await;
    assert_eq!(v["tickets"], 0, "{v}");
}
