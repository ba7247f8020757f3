//! Bad input gets a readable 4xx and changes nothing.

use app::domain::mutation::{DeviceRole, MAX_BATCH};
use app::domain::ticket::TicketCommand;

use crate::helpers::*;

async fn registered_kiosk(app: &TestApp) -> (DeviceSim, u8) {
    let k = DeviceSim::new();
    let series = app
        .register(k.id, DeviceRole::Kiosk)
        .await
        .series
        .expect("series");
    (k, series)
}

async fn assert_unchanged(app: &TestApp) {
    assert_eq!(app.state().await.cursor(), 0, "nothing was applied");
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_reason() {
    let app = spawn_app();
    let (k, _) = registered_kiosk(&app).await;
    let (status, body) = app
        .post_raw_as(&app.cred(k.id), "/api/sync/push", "{not json")
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().is_some_and(|m| m.len() > 10),
        "{body}"
    );
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn an_unknown_mutation_kind_is_a_400_naming_it() {
    let app = spawn_app();
    let (k, _) = registered_kiosk(&app).await;
    let body = serde_json::json!({
        "client_id": k.id,
        "mutations": [{ "client_id": k.id, "mutation_id": 1, "at": { "wall_ms": now_ms(), "counter": 0, "client": k.id }, "kind": "launch_rocket" }]
    });
    let (status, v) = app.post_as(&app.cred(k.id), "/api/sync/push", &body).await;
    assert_eq!(status, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("launch_rocket"),
        "{v}"
    );
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn ids_going_backwards_are_refused_whole() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    let a = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 1).unwrap())
        .0;
    let b = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 2).unwrap())
        .0;
    let err = app.push(k.id, vec![b, a]).await.unwrap_err();
    assert_eq!(err.0, 400);
    assert!(err.1.contains("increase"), "{}", err.1);
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn a_gap_is_a_409_naming_the_id_expected() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    let _skipped = k.issue(app::domain::ids::TicketNumber::new('A', Some(s), 1).unwrap());
    let second = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 2).unwrap())
        .0;
    let err = app.push(k.id, vec![second]).await.unwrap_err();
    assert_eq!(err.0, 409);
    assert!(err.1.contains("expected mutation 1"), "{}", err.1);
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn an_oversized_batch_is_a_413() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    let muts: Vec<_> = (1..=(MAX_BATCH as u16 + 1))
        .map(|i| {
            k.issue(app::domain::ids::TicketNumber::new('A', Some(s), (i % 999) + 1).unwrap())
                .0
        })
        .collect();
    let err = app.push(k.id, muts).await.unwrap_err();
    assert_eq!(err.0, 413);
    assert_unchanged(&app).await;
    // A body over the byte limit is refused before parsing.
    let huge = format!(
        "{{\"client_id\":\"{}\",\"mutations\":[],\"pad\":\"{}\"}}",
        k.id,
        "x".repeat(2 << 20)
    );
    let (status, _) = app
        .post_raw_as(&app.cred(k.id), "/api/sync/push", &huge)
        .await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn a_clock_far_in_the_future_is_refused_with_advice() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    let mut m = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 1).unwrap())
        .0;
    m.at.wall_ms += 24 * 3_600_000;
    let err = app.push(k.id, vec![m]).await.unwrap_err();
    assert_eq!(err.0, 400);
    assert!(err.1.contains("clock"), "{}", err.1);
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn an_unregistered_device_is_a_401() {
    let app = spawn_app();
    let mut k = DeviceSim::new();
    let m = k.issue(number("A-001")).0;
    let err = app.push(k.id, vec![m]).await.unwrap_err();
    assert_eq!(err.0, 401);
    assert_unchanged(&app).await;
}

#[tokio::test]
async fn a_rejected_mutation_never_blocks_the_ones_behind_it() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    let ok1 = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 1).unwrap())
        .0;
    let bad = k.command(
        app::domain::ids::TicketId::from_random_bytes(random_bytes()),
        TicketCommand::Rejoin,
    );
    let ok2 = k
        .issue(app::domain::ids::TicketNumber::new('A', Some(s), 2).unwrap())
        .0;
    let r = app.push(k.id, vec![ok1, bad, ok2]).await.expect("push");
    assert_eq!(r.last_processed, 3);
    assert!(
        matches!(&r.outcomes[1].outcome, app::domain::mutation::Outcome::Rejected { reason, .. } if reason == "ticket not found")
    );
    assert_eq!(app.state().await.tickets().count(), 2);
}

#[tokio::test]
async fn a_bad_pull_cursor_is_a_400() {
    let app = spawn_app();
    let admin = app.admin().await;
    let (status, body) = app.get_as(&admin, "/api/sync/pull?cursor=minus-one").await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().is_some());
}

#[tokio::test]
async fn a_clock_outside_1970_to_9999_is_a_400_not_a_crash() {
    let app = spawn_app();
    let (mut k, s) = registered_kiosk(&app).await;
    for wall in [i64::MIN, -1, i64::MAX] {
        let (mut m, _, _) =
            k.issue(app::domain::ids::TicketNumber::new('A', Some(s), 1).expect("n"));
        m.at.wall_ms = 0;
        let mut v = serde_json::to_value(&m).expect("json");
        v["at"]["wall_ms"] = wall.into();
        let body = serde_json::json!({ "client_id": k.id, "mutations": [v] });
        let (status, v) = app.post_as(&app.cred(k.id), "/api/sync/push", &body).await;
        assert_eq!(status, 400, "{wall}: {v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap_or_default()
                .contains("outside 1970 to 9999"),
            "{v}"
        );
    }
    assert_unchanged(&app).await;
    let (status, _) = app.get_json("/api/health").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_action_dated_long_ago_is_refused_and_the_audit_keeps_the_servers_time() {
    let app = spawn_app();
    let (_, first, _) = app.kiosk_with_ticket().await;
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    // Dated 1970: it would fall to the next retention run at once.
    counter.clock_offset_ms = -now_ms();
    let ancient = counter.command(first, TicketCommand::Call { loket: loket(1) });
    // Dated an hour back (a counter that was offline): accepted, and audited at the
    // moment the server received it.
    counter.clock_offset_ms = -3_600_000;
    let late = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    let before = now_ms();
    let r = app
        .push(counter.id, vec![ancient, late])
        .await
        .expect("push");
    match &r.outcomes[0].outcome {
        app::domain::mutation::Outcome::Rejected { code, .. } => assert_eq!(code, "too_old"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.outcomes[1].outcome,
        app::domain::mutation::Outcome::Applied { .. }
    ));
    let supervisor = app.staff("supervisor", "supervisor").await;
    let (_, audit) = app.get_as(&supervisor, "/api/audit").await;
    let called = audit
        .as_array()
        .expect("audit")
        .iter()
        .find(|a| a["action"] == "called")
        .expect("the call is audited");
    assert!(
        called["at_ms"].as_i64().expect("at_ms") >= before,
        "{called}"
    );
}
