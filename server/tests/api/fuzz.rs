//! 10,000 malformed, oversized and wrong-typed requests against the sync and API routes:
//! never a 5xx, never a crash, and the database is unchanged afterwards.

use app::domain::mutation::DeviceRole;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// A valid-looking request body to corrupt, per route.
fn templates(kiosk: &mut DeviceSim, ticket_token: &str) -> Vec<(Method, String, Value)> {
    let (issue, ticket, _) = kiosk.issue(number("A-900"));
    // No optional field (a counter's `loket`): removing any key must make the body bad.
    let call = kiosk.mutation(app::domain::mutation::MutationKind::Ticket {
        ticket,
        command: app::domain::ticket::TicketCommand::Call { loket: loket(1) },
        loket: None,
    });
    let id = kiosk.id;
    vec![
        (
            Method::POST,
            "/api/sync/push".into(),
            json!({ "client_id": id, "mutations": [issue, call] }),
        ),
        (
            Method::POST,
            "/api/sync/lease".into(),
            json!({ "client_id": id, "service": "legalisir-ktp-el" }),
        ),
        (
            Method::POST,
            "/api/devices".into(),
            json!({ "client_id": id, "role": "kiosk" }),
        ),
        (
            Method::POST,
            "/api/pairing".into(),
            json!({ "client_id": id, "role": "display" }),
        ),
        (
            Method::POST,
            "/api/pairing/claim".into(),
            json!({ "pairing_id": "00" }),
        ),
        (
            Method::POST,
            "/api/admin/pairing/confirm".into(),
            json!({ "code": "123456", "label": "x" }),
        ),
        (
            Method::POST,
            "/api/admin/staff".into(),
            json!({ "username": "fuzz", "role": "officer", "password": "kata-sandi-fuzz" }),
        ),
        (
            Method::POST,
            "/api/auth/login".into(),
            json!({ "username": "admin", "password": "x" }),
        ),
        (
            Method::POST,
            format!("/api/t/{ticket_token}/survey"),
            json!({ "scores": [4, 4, 4, 4, 4, 4, 4, 4, 4] }),
        ),
        (Method::GET, "/api/sync/pull?cursor=1".into(), Value::Null),
        (Method::GET, format!("/api/t/{ticket_token}"), Value::Null),
        (Method::GET, "/api/audit?limit=5".into(), Value::Null),
    ]
}

fn wrong_value(rng: &mut StdRng) -> Value {
    match rng.random_range(0..9) {
        0 => Value::Null,
        1 => json!(-1),
        2 => json!(u64::MAX),
        3 => json!(1.5e308),
        4 => json!("ﷺ\u{0}\u{202e}💥"),
        5 => json!([[[[[[[[[[[[]]]]]]]]]]]]),
        6 => json!({ "$ne": null }),
        7 => json!("x".repeat(rng.random_range(1_000..70_000))),
        _ => json!(true),
    }
}

/// One corruption that makes the body invalid.
fn corrupt(v: &Value, rng: &mut StdRng) -> Value {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut m = m.clone();
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.random_range(0..keys.len())];
            if rng.random_bool(0.3) {
                m.remove(k);
            } else if rng.random_bool(0.5) {
                let inner = corrupt(&m[k], rng);
                m.insert(k.clone(), inner);
            } else {
                m.insert(k.clone(), wrong_value(rng));
            }
            Value::Object(m)
        }
        Value::Array(a) if !a.is_empty() => {
            let mut a = a.clone();
            let i = rng.random_range(0..a.len());
            a[i] = corrupt(&a[i], rng);
            Value::Array(a)
        }
        _ => wrong_value(rng),
    }
}

fn garbage(rng: &mut StdRng) -> String {
    match rng.random_range(0..5) {
        0 => String::new(),
        1 => "{\"client_id\":".into(),
        2 => (0..rng.random_range(1..200))
            .map(|_| rng.random_range(1u8..=127) as char)
            .collect(),
        3 => "[".repeat(10_000),
        _ => format!(
            "{{\"mutations\":[{}]}}",
            "{},".repeat(rng.random_range(1..2_000)) + "{}"
        ),
    }
}

#[tokio::test]
async fn ten_thousand_bad_requests_get_4xx_and_change_nothing() {
    let app = spawn_app();
    let mut kiosk = DeviceSim::new();
    app.register(kiosk.id, DeviceRole::Kiosk).await;
    let (issue, _, token) = kiosk.issue(number("A-001"));
    app.push(kiosk.id, vec![issue]).await.expect("issue");
    let admin = app.admin().await;
    let officer = app.staff("petugas", "officer").await;
    let creds = [Cred::None, app.cred(kiosk.id), officer, admin.clone()];
    let before = (
        app.pull(0).await.snapshot.expect("snapshot"),
        app.get_as(&admin, "/api/admin/staff").await.1,
        app.get_as(&admin, "/api/admin/devices").await.1,
    );
    let templates = templates(&mut kiosk, token.as_str());
    let mut rng = StdRng::seed_from_u64(0x00a7_ea11);
    let mut by_status = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..10_000u32 {
        let (method, path, template) = &templates[rng.random_range(0..templates.len())];
        let cred = &creds[rng.random_range(0..creds.len())];
        let (method, path, body) = match rng.random_range(0..20) {
            // Wrong method, mangled path or query.
            0 => (Method::PUT, path.clone(), Some("{}".to_owned())),
            1 => (
                method.clone(),
                format!("{path}%00/../{}", "é".repeat(rng.random_range(0..300))),
                None,
            ),
            2 => (
                Method::GET,
                format!(
                    "/api/sync/pull?cursor={}",
                    ["-1", "1e99", "", "x", "18446744073709551616"][rng.random_range(0..5)]
                ),
                None,
            ),
            // Over the 1 MiB body limit (a few: they are slow to build).
            3 if i % 50 == 0 => (
                method.clone(),
                path.clone(),
                Some("[".to_owned() + &"1,".repeat(600_000) + "1]"),
            ),
            4..=6 => (method.clone(), path.clone(), Some(garbage(&mut rng))),
            _ => {
                let body =
                    (method == Method::POST).then(|| corrupt(template, &mut rng).to_string());
                (method.clone(), path.clone(), body)
            }
        };
        // The server closes the connection after refusing an oversized body; the next
        // request on that pooled connection fails in transit and is sent once more.
        let answer = match app
            .try_send(method.clone(), &path, body.clone(), cred)
            .await
        {
            Some(a) => a,
            None => app.send(method.clone(), &path, body, cred).await,
        };
        let (status, v) = answer;
        assert!(
            (400..500).contains(&status) || (status == 200 && method == Method::GET),
            "request {i}: {method} {path} → {status} {v}"
        );
        *by_status.entry(status).or_default() += 1;
    }
    let after = (
        app.pull(0).await.snapshot.expect("snapshot"),
        app.get_as(&admin, "/api/admin/staff").await.1,
        app.get_as(&admin, "/api/admin/devices").await.1,
    );
    assert_eq!(before.0.cursor, after.0.cursor, "no event was applied");
    assert_eq!(before.0.tickets, after.0.tickets);
    assert_eq!(before.1, after.1, "no account was created");
    assert_eq!(before.2, after.2, "no device was paired");
    eprintln!("fuzz statuses: {by_status:?}");
    let (s, _) = app.get_json("/api/health").await;
    assert_eq!(s, 200, "still serving");
}
