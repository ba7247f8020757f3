//! Foreseeable races answer with a clear 4xx and leave one outcome, never a 500: a reused
//! tracking token, survey answers sent at once, setups sent at once.

use app::domain::mutation::{DeviceRole, Outcome};
use app::domain::ticket::TicketCommand;

use crate::helpers::*;

#[tokio::test]
async fn a_ticket_with_a_taken_token_is_refused_and_the_kiosk_goes_on() {
    let app = spawn_app();
    let (_, _, token) = app.kiosk_with_ticket().await;
    let mut kiosk = DeviceSim::new();
    let series = app.register(kiosk.id, DeviceRole::Kiosk).await.series;
    let (mut reused, _, _) =
        kiosk.issue(app::domain::ids::TicketNumber::new('A', series, 1).expect("n"));
    if let app::domain::mutation::MutationKind::IssueTicket { token: t, .. } = &mut reused.kind {
        *t = token.clone();
    }
    let (next, next_id, next_token) =
        kiosk.issue(app::domain::ids::TicketNumber::new('A', series, 2).expect("n"));
    let r = app
        .push(kiosk.id, vec![reused, next])
        .await
        .expect("a 200, not a 500");
    match &r.outcomes[0].outcome {
        Outcome::Rejected { code, .. } => assert_eq!(code, "token_taken"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(r.outcomes[1].outcome, Outcome::Applied { .. }));
    assert_eq!(r.last_processed, 2, "the kiosk is not blocked");
    // The token still leads to its own ticket, the new one to the new ticket.
    let (s, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!((s, v["number"].as_str()), (200, Some("A1-001")));
    let (s, _) = app
        .get_json(&format!("/api/t/{}", next_token.as_str()))
        .await;
    assert_eq!(s, 200);
    assert!(app.state().await.ticket(&next_id).is_some());
}

#[tokio::test]
async fn twenty_survey_answers_at_once_keep_exactly_one() {
    let app = spawn_app();
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let steps = vec![
        counter.command(ticket, TicketCommand::Call { loket: loket(1) }),
        counter.command(ticket, TicketCommand::Start),
        counter.command(ticket, accept_ktp()),
        counter.command(ticket, TicketCommand::MarkReady),
        counter.command(ticket, TicketCommand::HandOver),
    ];
    let r = app.push(counter.id, steps).await.expect("collected");
    assert!(
        r.outcomes
            .iter()
            .all(|o| matches!(o.outcome, Outcome::Applied { .. })),
        "{r:?}"
    );
    let path = format!("/api/t/{}/survey", token.as_str());
    let scores = serde_json::json!({ "scores": [4, 4, 3, 4, 4, 3, 4, 3, 4] });
    let answers = futures::future::join_all((0..20).map(|_| app.post(&path, &scores))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let supervisor = app.staff("supervisor", "supervisor").await;
    let (_, report) = app.get_as(&supervisor, "/api/ikm").await;
    assert_eq!(report["overall"]["respondents"], 1);
}

#[tokio::test]
async fn eight_setups_at_once_create_exactly_one_admin() {
    let app = spawn_app();
    let token = app.setup_token.clone().expect("setup token");
    let bodies: Vec<_> = (0..8)
        .map(|i| serde_json::json!({ "setup_token": token, "username": format!("admin{i}"), "password": PASSWORD }))
        .collect();
    let answers =
        futures::future::join_all(bodies.iter().map(|b| app.post("/api/auth/setup", b))).await;
    let ok: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, (s, _))| *s == 200)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    assert!(
        answers.iter().all(|(s, _)| matches!(s, 200 | 409 | 429)),
        "{answers:?}"
    );
    let admin = app
        .login(&format!("admin{}", ok[0]), PASSWORD)
        .await
        .expect("the one admin signs in");
    let (_, staff) = app.get_as(&admin, "/api/admin/staff").await;
    assert_eq!(staff.as_array().map(Vec::len), Some(1), "{staff}");
    // The token is spent.
    let (s, _) = app.get_json("/api/auth/setup").await;
    assert_eq!(s, 200);
    let (_, v) = app.get_json("/api/auth/setup").await;
    assert_eq!(v["needed"], false);
}
