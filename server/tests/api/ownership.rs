//! A ticket belongs to the loket holding it, and a counter's stream of actions to the
//! sign-in that registered it: against the real binary.

use app::domain::mutation::{DeviceRegistered, DeviceRole, Outcome, RegisterDevice};
use app::domain::ticket::{TicketCommand, TicketStatus};

use crate::helpers::*;

fn rejected(o: &Outcome) -> (&str, &str) {
    match o {
        Outcome::Rejected {
            code, reason_id, ..
        } => (code, reason_id),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn the_loser_of_a_call_race_cannot_act_on_the_winners_ticket() {
    let app = spawn_app();
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    let number = app.state().await.ticket(&ticket).expect("issued").number;
    let mut one = DeviceSim::new();
    app.register_at(one.id, DeviceRole::Counter, loket(1)).await;
    let mut two = DeviceSim::new();
    two.loket = loket(2);
    app.register_at(two.id, DeviceRole::Counter, loket(2)).await;

    // Both called the ticket while offline; loket 1's push arrives first.
    let call = one.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(one.id, vec![call]).await.expect("loket 1 calls");
    let batch = vec![
        two.command(ticket, TicketCommand::Call { loket: loket(2) }),
        two.command(ticket, TicketCommand::Start),
        two.command(
            ticket,
            TicketCommand::Accept {
                checked: Vec::new(),
            },
        ),
        two.command(ticket, TicketCommand::NoShow),
    ];
    let r = app.push(two.id, batch).await.expect("loket 2 pushes");
    let notice = format!("{number} sudah dipanggil di Loket 1.");
    for o in &r.outcomes {
        assert_eq!(rejected(&o.outcome), ("already_called", notice.as_str()));
    }
    // Later, loket 2 still cannot start, cancel or transfer it.
    for cmd in [
        TicketCommand::Start,
        TicketCommand::Cancel,
        TicketCommand::Recall,
    ] {
        let r = app
            .push(two.id, vec![two.command(ticket, cmd)])
            .await
            .expect("push");
        assert_eq!(rejected(&r.outcomes[0].outcome).0, "other_loket");
    }
    // Loket 1's ticket is untouched and its officer carries on.
    assert_eq!(
        app.state().await.ticket(&ticket).expect("ticket").status,
        TicketStatus::Called {
            loket: loket(1),
            calls: 1
        }
    );
    let r = app
        .push(one.id, vec![one.command(ticket, TicketCommand::Start)])
        .await
        .expect("start");
    assert!(matches!(r.outcomes[0].outcome, Outcome::Applied { .. }));
}

#[tokio::test]
async fn a_counter_acts_only_at_the_loket_it_registered_and_lokets_must_exist() {
    let app = spawn_app();
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    let officer = app.staff("petugas", "officer").await;
    let mut counter = DeviceSim::new();
    let register = |loket: Option<u8>| RegisterDevice {
        client_id: counter.id,
        role: DeviceRole::Counter,
        loket: loket.map(|n| app::domain::ids::LoketId::new(n).expect("loket")),
    };
    let (s, v) = app.post_as(&officer, "/api/devices", &register(None)).await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .post_as(&officer, "/api/devices", &register(Some(99)))
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Loket 99"),
        "{v}"
    );
    let (s, v) = app
        .post_as(&officer, "/api/devices", &register(Some(1)))
        .await;
    assert_eq!(s, 200, "{v}");
    app.set_cred(counter.id, officer);

    // Claiming loket 2 in the action, or calling to loket 2 from loket 1: refused.
    counter.loket = loket(2);
    let claim = counter.command(ticket, TicketCommand::Call { loket: loket(2) });
    counter.loket = loket(1);
    let other = counter.command(ticket, TicketCommand::Call { loket: loket(2) });
    let r = app.push(counter.id, vec![claim]).await.expect("push");
    assert_eq!(rejected(&r.outcomes[0].outcome).0, "wrong_loket");
    let r = app.push(counter.id, vec![other]).await.expect("push");
    assert_eq!(rejected(&r.outcomes[0].outcome).0, "not_this_loket");
    assert_eq!(
        app.state().await.ticket(&ticket).expect("ticket").status,
        TicketStatus::Waiting
    );
}

#[tokio::test]
async fn a_counters_stream_is_written_only_by_its_own_sign_in() {
    let app = spawn_app();
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    let ani = app.staff("ani", "officer").await;
    let budi = app.staff("budi", "officer").await;
    let mut tablet = DeviceSim::new();
    let reg = RegisterDevice {
        client_id: tablet.id,
        role: DeviceRole::Counter,
        loket: Some(loket(1)),
    };
    let (s, _) = app.post_as(&ani, "/api/devices", &reg).await;
    assert_eq!(s, 200);
    app.set_cred(tablet.id, ani.clone());

    // Another officer, signed in elsewhere, can neither take the tablet over nor write
    // into its stream (which would swallow Ani's next action as a duplicate).
    let (s, v) = app.post_as(&budi, "/api/devices", &reg).await;
    assert_eq!(s, 409, "{v}");
    let forged = tablet.command(ticket, TicketCommand::Cancel);
    let (s, v) = app
        .post_as(
            &budi,
            "/api/sync/push",
            &app::domain::mutation::PushRequest {
                client_id: tablet.id,
                mutations: vec![forged],
            },
        )
        .await;
    assert_eq!(s, 403, "{v}");
    // Ani's action with the same id goes through.
    let mut again = DeviceSim::new();
    again.id = tablet.id;
    let call = again.command(ticket, TicketCommand::Call { loket: loket(1) });
    let r = app.push(tablet.id, vec![call]).await.expect("ani calls");
    assert!(
        matches!(r.outcomes[0].outcome, Outcome::Applied { .. }),
        "{r:?}"
    );

    // The shift changes on the same tablet: Budi signs in on the browser holding Ani's
    // session, which ends it; the tablet is his from then on.
    let budi_here = app.login_on(&ani, "budi").await.expect("budi signs in");
    let (s, _) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(s, 401, "Ani's session ended");
    let (s, v) = app.post_as(&budi_here, "/api/devices", &reg).await;
    assert_eq!(s, 200, "{v}");
    let registered: DeviceRegistered = serde_json::from_value(v).expect("answer");
    assert_eq!(registered.series, None);
    app.set_cred(tablet.id, budi_here);
    let r = app
        .push(tablet.id, vec![again.command(ticket, TicketCommand::Start)])
        .await
        .expect("budi starts");
    assert!(
        matches!(r.outcomes[0].outcome, Outcome::Applied { .. }),
        "{r:?}"
    );
}
