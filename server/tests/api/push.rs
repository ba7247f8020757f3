//! Web Push: a push service of our own (an HTTP server in the test) receives what the real
//! server sends, checks the VAPID token and decrypts each message with the subscription's
//! private key; subscriptions are checked when made; a gone subscription is forgotten and
//! a busy push service tried again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::mutation::DeviceRole;
use app::domain::ticket::TicketCommand;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::agreement::{agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey, ECDH_P256};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};

use crate::helpers::*;

/// One message as the push service received it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
struct Service {
    got: Arc<Mutex<Vec<Received>>>,
    /// Answers to give a path, in order; then 201.
    answers: Arc<Mutex<HashMap<String, Vec<u16>>>>,
}

async fn receive(
    State(svc): State<Service>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    svc.got.lock().unwrap().push(Received {
        path: name.clone(),
        headers,
        body,
    });
    let mut answers = svc.answers.lock().unwrap();
    let next = answers.get_mut(&name).and_then(|a| {
        if a.is_empty() {
            None
        } else {
            Some(a.remove(0))
        }
    });
    StatusCode::from_u16(next.unwrap_or(201)).unwrap()
}

/// Our push service on an ephemeral port: its origin and what it received.
async fn push_service() -> (String, Service) {
    let svc = Service::default();
    let app = axum::Router::new()
        .route("/push/{name}", axum::routing::post(receive))
        .with_state(svc.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (origin, svc)
}

impl Service {
    fn to(&self, path: &str) -> Vec<Received> {
        let got = self.got.lock().unwrap();
        got.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Waits up to 5 s for the `n`th message to `path`.
    async fn wait_for(&self, path: &str, n: usize) -> Received {
        for _ in 0..100 {
            if let Some(r) = self.to(path).get(n - 1) {
                return r.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message {n} to {path}: {:?}", self.to(path).len());
    }
}

/// A browser's subscription: the key pair only it holds (good for one message: ring's
/// agreement keys are used once) and its secret.
struct Browser {
    key: EphemeralPrivateKey,
    public: Vec<u8>,
    auth: [u8; 16],
    endpoint: String,
}

impl Browser {
    fn new(origin: &str, name: &str) -> Self {
        let rng = SystemRandom::new();
        let key = EphemeralPrivateKey::generate(&ECDH_P256, &rng).unwrap();
        let public = key.compute_public_key().unwrap().as_ref().to_vec();
        let mut auth = [0u8; 16];
        rng.fill(&mut auth).unwrap();
        Self {
            key,
            public,
            auth,
            endpoint: format!("{origin}/push/{name}"),
        }
    }

    fn subscription(&self, lang: &str) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": B64.encode(&self.public), "auth": B64.encode(self.auth) },
            "lang": lang,
        })
    }

    /// Opens a message as the browser would (RFC 8291).
    fn open(self, body: &[u8]) -> Value {
        let salt: [u8; 16] = body[..16].try_into().unwrap();
        let id_len = body[20] as usize;
        let as_public = &body[21..21 + id_len];
        let record = &body[21 + id_len..];
        let ua_public: [u8; 65] = self.public.clone().try_into().unwrap();
        let (cek, nonce) = agree_ephemeral(
            self.key,
            &UnparsedPublicKey::new(&ECDH_P256, as_public),
            |secret| {
                server::push::webpush::derive(secret, &self.auth, &ua_public, as_public, &salt)
            },
        )
        .unwrap();
        let key = ring::aead::LessSafeKey::new(
            ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &cek).unwrap(),
        );
        let mut r = record.to_vec();
        let plain = key
            .open_in_place(
                ring::aead::Nonce::assume_unique_for_key(nonce),
                ring::aead::Aad::empty(),
                &mut r,
            )
            .expect("the message opens with the subscription's keys");
        // The last record: the text, then the delimiter 2 (then padding zeros).
        let end = plain.iter().rposition(|b| *b == 2).unwrap();
        serde_json::from_slice(&plain[..end]).unwrap()
    }
}

async fn app_with(origin: &str) -> TestApp {
    spawn_app_env(Db::Memory, 0, &[("ANTREAN_PUSH_SERVICES", origin)])
}

/// The server's VAPID token checks out for the push service's origin.
fn check_vapid(r: &Received, origin: &str, server_key: &str) {
    let auth = r.headers["authorization"].to_str().unwrap();
    let (t, k) = auth
        .strip_prefix("vapid t=")
        .and_then(|a| a.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, server_key);
    let parts: Vec<&str> = t.split('.').collect();
    let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["aud"], origin);
    assert!(claims["exp"].as_i64().unwrap() > now_ms() / 1000);
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        B64.decode(k).unwrap(),
    )
    .verify(
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &B64.decode(parts[2]).unwrap(),
    )
    .expect("signed with the server's key");
    assert_eq!(r.headers["content-encoding"], "aes128gcm");
}

#[tokio::test]
async fn a_call_and_a_return_reach_the_phone_encrypted_for_it_alone() {
    let (origin, svc) = push_service().await;
    let app = app_with(&origin).await;
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let (_, k) = app.get_json("/api/push/key").await;
    let server_key = k["key"].as_str().unwrap().to_owned();
    let path = format!("/api/t/{}/push", token.as_str());

    let phone = Browser::new(&origin, "phone");
    let (status, v) = app.post(&path, &phone.subscription("id")).await;
    assert_eq!(status, 200, "{v}");

    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    let r = svc.wait_for("phone", 1).await;
    check_vapid(&r, &origin, &server_key);
    assert_eq!(r.headers["ttl"], "900");
    assert_eq!(r.headers["urgency"], "high");
    let m = phone.open(&r.body);
    assert_eq!(m["title"], "Antrean A1-001", "{m}");
    assert_eq!(m["body"], "Silakan menuju Loket 1");
    assert_eq!(m["url"], format!("/t/{}", token.as_str()));
    assert_eq!(m["tag"], "antrean-called");
    // Nothing personal and nothing readable on the way: the body is not the text.
    assert!(!String::from_utf8_lossy(&r.body).contains("Loket"));

    // The browser's keys changed (a new subscription on the same phone), in English now:
    // the return says what is missing and until when.
    let phone = Browser::new(&origin, "phone");
    let (status, _) = app.post(&path, &phone.subscription("en")).await;
    assert_eq!(status, 200);
    let first = catalogue().services[0].requirements[0].clone();
    let steps = vec![
        counter.command(ticket, TicketCommand::Start),
        counter.command(
            ticket,
            TicketCommand::ReturnIncomplete {
                missing: vec![first.id.clone()],
            },
        ),
    ];
    app.push(counter.id, steps).await.expect("return");
    let r = svc.wait_for("phone", 2).await;
    assert_eq!(r.headers["ttl"], "86400");
    let m = phone.open(&r.body);
    let body = m["body"].as_str().unwrap();
    assert!(
        body.starts_with("Documents incomplete. Missing: "),
        "{body}"
    );
    assert!(
        body.contains(first.text.get(app::domain::i18n::Lang::En)),
        "{body}"
    );
    assert!(
        body.contains("Come back with the same ticket by "),
        "{body}"
    );
    assert_eq!(
        svc.to("phone").len(),
        2,
        "one message per event that speaks"
    );
    let log = app.log.lock().unwrap().clone();
    assert!(
        !log.contains(token.as_str()),
        "no tracking token in the log"
    );
    assert!(
        !log.contains("/push/phone"),
        "no subscription address in the log"
    );
}

#[tokio::test]
async fn almost_your_turn_is_sent_once_when_three_are_ahead() {
    let (origin, svc) = push_service().await;
    let app = app_with(&origin).await;
    let (mut kiosk, first, _) = app.kiosk_with_ticket().await;
    let mut tickets = vec![first];
    let mut last_token = None;
    for n in 2..=5 {
        let (t, tok) = app.issue_at(&mut kiosk, n).await;
        tickets.push(t);
        last_token = Some(tok);
    }
    let token = last_token.unwrap();
    let phone = Browser::new(&origin, "fifth");
    let (status, v) = app
        .post(
            &format!("/api/t/{}/push", token.as_str()),
            &phone.subscription("id"),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(tickets[0], TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    let m = phone.open(&svc.wait_for("fifth", 1).await.body);
    assert_eq!(m["body"], "Tinggal 3 orang lagi di depan Anda. Bersiaplah.");
    assert_eq!(m["tag"], "antrean-near");
    // The next call (at Loket 2) brings it to two: said already for this wait.
    let mut second = DeviceSim::new();
    app.register_at(second.id, DeviceRole::Counter, loket(2))
        .await;
    let steps = vec![second.command(tickets[1], TicketCommand::Call { loket: loket(2) })];
    app.push(second.id, steps).await.expect("next call");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(svc.to("fifth").len(), 1);
}

#[tokio::test]
async fn a_gone_subscription_is_forgotten_and_a_busy_push_service_is_tried_again() {
    let (origin, svc) = push_service().await;
    svc.answers.lock().unwrap().insert("gone".into(), vec![410]);
    svc.answers.lock().unwrap().insert("busy".into(), vec![503]);
    let app = app_with(&origin).await;
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let path = format!("/api/t/{}/push", token.as_str());
    for name in ["gone", "busy"] {
        let (status, v) = app
            .post(&path, &Browser::new(&origin, name).subscription("id"))
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    svc.wait_for("gone", 1).await;
    // 503 first, then the same message again about a second later.
    let first = svc.wait_for("busy", 1).await;
    let again = svc.wait_for("busy", 2).await;
    assert_ne!(first.body, again.body, "sealed afresh for each try");
    // The recall speaks again: only to the browser still subscribed.
    let recall = counter.command(ticket, TicketCommand::Recall);
    app.push(counter.id, vec![recall]).await.expect("recall");
    svc.wait_for("busy", 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        svc.to("gone").len(),
        1,
        "a gone subscription hears nothing more"
    );
}

#[tokio::test]
async fn subscriptions_are_checked_when_made_and_can_be_withdrawn() {
    let (origin, svc) = push_service().await;
    let app = app_with(&origin).await;
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let path = format!("/api/t/{}/push", token.as_str());
    let code = |v: &Value| v["code"].as_str().unwrap_or_default().to_owned();

    // Unknown ticket: the same 404 as the page.
    let (status, _) = app
        .post(
            "/api/t/AAAAAAAAAAAAAAAAAAAAAA/push",
            &Browser::new(&origin, "x").subscription("id"),
        )
        .await;
    assert_eq!(status, 404);
    // A push service the office did not name (the server would post anywhere).
    let (status, v) = app
        .post(
            &path,
            &Browser::new("http://127.0.0.1:9", "x").subscription("id"),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (400, "push_subscription_invalid".into())
    );
    // Keys that are not a P-256 point, or no keys at all.
    let mut bad = Browser::new(&origin, "x").subscription("id");
    bad["keys"]["p256dh"] = json!(B64.encode([4u8; 65]));
    let (status, v) = app.post(&path, &bad).await;
    assert_eq!(
        (status, code(&v)),
        (400, "push_subscription_invalid".into())
    );
    let (status, _) = app.post_raw(&path, r#"{"endpoint": 1}"#).await;
    assert_eq!(status, 400);
    // Four browsers may follow a ticket; a fifth is refused; the same one again renews.
    for n in 0..4 {
        let (status, v) = app
            .post(
                &path,
                &Browser::new(&origin, &format!("b{n}")).subscription("id"),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = app
        .post(&path, &Browser::new(&origin, "b4").subscription("id"))
        .await;
    assert_eq!((status, code(&v)), (409, "push_too_many_browsers".into()));
    let (status, _) = app
        .post(&path, &Browser::new(&origin, "b0").subscription("en"))
        .await;
    assert_eq!(status, 200);
    // Withdrawn: b0 hears nothing of the call; b1 does.
    let resp = app
        .client
        .delete(app.url(&path))
        .json(&json!({ "endpoint": format!("{origin}/push/b0") }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    svc.wait_for("b1", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(svc.to("b0").is_empty());
    // A ticket whose service is over (the copy collected) has nothing more to hear.
    let steps = vec![
        counter.command(ticket, TicketCommand::Start),
        counter.command(ticket, accept_ktp()),
        counter.command(ticket, TicketCommand::MarkReady),
        counter.command(ticket, TicketCommand::CallPickup { loket: loket(1) }),
        counter.command(ticket, TicketCommand::HandOver),
    ];
    app.push(counter.id, steps).await.expect("collected");
    let (status, v) = app
        .post(&path, &Browser::new(&origin, "late").subscription("id"))
        .await;
    assert_eq!((status, code(&v)), (409, "push_ticket_ended".into()));
}
