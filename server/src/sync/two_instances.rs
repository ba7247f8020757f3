//! Two instances of the server on one store (SurrealDB in memory, each instance with its
//! own engine session), each serving its own port: pushes through both at once never fail,
//! every event gets its own sequence number, and one batch sent to both at once applies
//! once.

use app::domain::calendar::Hours;
use app::domain::catalogue::{Catalogue, SEED_TOML};
use app::domain::hlc::Hlc;
use app::domain::ids::{ClientId, MutationId, ServiceCode, TicketId, TicketNumber, TrackingToken};
use app::domain::mutation::{DeviceRole, Mutation, MutationKind, PushRequest, PushResponse};
use app::domain::ticket::{NewTicket, Priority};

use crate::config::Config;
use crate::startup::start_on;
use crate::state::now_ms;
use crate::store::{DeviceRecord, Store};

/// The seed with every day open all day and no holidays: the test runs at any hour.
fn always_open() -> Catalogue {
    let mut c = Catalogue::from_toml(SEED_TOML).expect("seed");
    let all_day = Some(Hours {
        open: jiff::civil::time(0, 0, 0, 0),
        close: jiff::civil::time(23, 59, 59, 0),
    });
    let cal = &mut c.calendar;
    for day in [
        &mut cal.monday,
        &mut cal.tuesday,
        &mut cal.wednesday,
        &mut cal.thursday,
        &mut cal.friday,
        &mut cal.saturday,
        &mut cal.sunday,
    ] {
        *day = all_day;
    }
    cal.holidays.clear();
    c
}

fn issue(kiosk: ClientId, series: u8, n: u16) -> Mutation {
    issue_numbered(
        kiosk,
        n,
        TicketNumber::new('A', Some(series), n).expect("number"),
    )
}

/// Mutation `id` of `kiosk`, issuing `number`.
fn issue_numbered(kiosk: ClientId, n: u16, number: TicketNumber) -> Mutation {
    Mutation {
        client_id: kiosk,
        mutation_id: MutationId::new(u64::from(n)).expect("id"),
        at: Hlc {
            wall_ms: now_ms(),
            counter: u32::from(n),
            client: kiosk,
        },
        kind: MutationKind::IssueTicket {
            ticket: NewTicket {
                id: TicketId::from_random_bytes(rand::random()),
                number,
                service: ServiceCode::parse("legalisir-ktp-el").expect("code"),
                priority: Priority::Regular,
                catalogue: 0,
            },
            token: TrackingToken::from_random_bytes(rand::random()),
        },
    }
}

async fn push(
    http: &reqwest::Client,
    at: std::net::SocketAddr,
    token: &str,
    req: &PushRequest,
) -> (u16, Option<PushResponse>) {
    let r = http
        .post(format!("http://{at}/api/sync/push"))
        .bearer_auth(token)
        .json(req)
        .send()
        .await
        .expect("answer");
    let status = r.status().as_u16();
    (status, r.json().await.ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_through_two_instances_on_one_store_never_fail_and_apply_once() {
    // The server's errors, with the test's output when it fails.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let store = Store::open(&Config::for_tests()).await.expect("store");
    store
        .save_catalogue(&always_open())
        .await
        .expect("catalogue");
    // Four kiosks, paired before the instances start (each its own series digit).
    let mut kiosks = Vec::new();
    for series in 1..=4u8 {
        let client = ClientId::from_random_bytes(rand::random());
        let token = format!("kiosk-token-{series}-{}", rand::random::<u64>());
        let record = DeviceRecord {
            client,
            role: DeviceRole::Kiosk,
            last_mutation: 0,
            series: Some(series),
            loket: None,
            session: None,
        };
        store
            .pair_device(&record, &crate::auth::secrets::digest(&token), "kios", 0)
            .await
            .expect("paired");
        kiosks.push((client, series, token));
    }
    let one = start_on(Config::for_tests(), store.clone())
        .await
        .expect("one");
    let two = start_on(Config::for_tests(), store.own_session())
        .await
        .expect("two");
    let addrs = [one.addr, two.addr];
    for instance in [one, two] {
        tokio::spawn(instance.serve_until(std::future::pending()));
    }
    let http = reqwest::Client::new();

    // Each kiosk sends ten batches of 20 tickets, alternately through each instance, all
    // four at once; the last kiosk sends its first batch to both instances at once.
    let mut tasks = Vec::new();
    for (k, (client, series, token)) in kiosks.iter().cloned().enumerate() {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for batch in 0..10u16 {
                let req = PushRequest {
                    client_id: client,
                    mutations: (1..=20)
                        .map(|i| issue(client, series, batch * 20 + i))
                        .collect(),
                };
                let to = addrs[(usize::from(batch) + k) % 2];
                let send = |addr: std::net::SocketAddr| {
                    let (http, req, token) = (http.clone(), req.clone(), token.clone());
                    async move {
                        let r = http
                            .post(format!("http://{addr}/api/sync/push"))
                            .bearer_auth(&token)
                            .json(&req)
                            .send()
                            .await
                            .expect("answer");
                        (r.status().as_u16(), r.text().await.unwrap_or_default())
                    }
                };
                if k == 3 && batch == 0 {
                    let (x, y) = tokio::join!(send(addrs[0]), send(addrs[1]));
                    answers.push(x);
                    answers.push(y);
                } else {
                    answers.push(send(to).await);
                }
            }
            answers
        }));
    }
    for t in tasks {
        for (status, body) in t.await.expect("task") {
            assert_eq!(status, 200, "{body}");
        }
    }
    // 800 tickets, each once, numbered 1..=800 in the log without a gap or a repeat.
    let events = store.events_after(0, 10_000).await.expect("log");
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=800).collect::<Vec<u64>>());
    let mut tickets: Vec<TicketId> = events.iter().map(|e| e.ticket).collect();
    tickets.sort();
    tickets.dedup();
    assert_eq!(tickets.len(), 800, "the batch sent to both applied once");
    // Both instances come to hold the same state.
    for at in addrs {
        let (status, answer) = push(
            &http,
            at,
            &kiosks[0].2,
            &PushRequest {
                client_id: kiosks[0].0,
                mutations: Vec::new(),
            },
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(answer.expect("answer").cursor, 800);
    }

    // A number leased through one instance is the kiosk's through the other, and the
    // other leases the next number, not the same one.
    let lease = |k: usize, at: std::net::SocketAddr| {
        let (http, (client, _, token)) = (http.clone(), kiosks[k].clone());
        async move {
            let r = http
                .post(format!("http://{at}/api/sync/lease"))
                .bearer_auth(&token)
                .json(&app::domain::mutation::LeaseRequest {
                    client_id: client,
                    service: ServiceCode::parse("legalisir-ktp-el").expect("code"),
                })
                .send()
                .await
                .expect("answer");
            assert_eq!(r.status(), 200);
            r.json::<app::domain::numbering::Lease>()
                .await
                .expect("lease")
        }
    };
    let first = lease(0, addrs[0]).await;
    let second = lease(1, addrs[1]).await;
    assert_eq!((first.start, second.start), (1, 2));
    let number = TicketNumber::new('A', None, first.start).expect("number");
    let req = PushRequest {
        client_id: kiosks[0].0,
        mutations: vec![issue_numbered(kiosks[0].0, 201, number)],
    };
    let (status, answer) = push(&http, addrs[1], &kiosks[0].2, &req).await;
    assert_eq!(status, 200);
    let outcome = &answer.expect("answer").outcomes[0].outcome;
    assert!(
        matches!(outcome, app::domain::mutation::Outcome::Applied { .. }),
        "{outcome:?}"
    );
}
