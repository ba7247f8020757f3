//! Limits that protect the right things: the pairing table, accounts under password
//! guessing from many addresses, and the client address behind a trusted proxy.

use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;

use crate::helpers::*;

/// A client whose requests come from another loopback address.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .expect("client")
}

async fn pairing_request(
    app: &TestApp,
    from: &reqwest::Client,
    client: ClientId,
) -> (u16, serde_json::Value) {
    let r = from
        .post(app.url("/api/pairing"))
        .json(&serde_json::json!({ "client_id": client, "role": "display" }))
        .send()
        .await
        .expect("pairing request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_flood_of_pairing_requests_neither_blocks_nor_cancels_a_real_display() {
    let app = spawn_app();
    let office = client_from([127, 0, 0, 1]);
    let display = ClientId::from_random_bytes(random_bytes());
    let (s, offer) = pairing_request(&app, &office, display).await;
    assert_eq!(s, 200, "{offer}");
    // An attacker on another address asks 50 times, also in the display's name.
    let attacker = client_from([127, 0, 0, 2]);
    let mut granted = 0;
    for i in 0..50 {
        let id = if i == 0 {
            display
        } else {
            ClientId::from_random_bytes(random_bytes())
        };
        if pairing_request(&app, &attacker, id).await.0 == 200 {
            granted += 1;
        }
    }
    assert!(granted <= 8, "one address held {granted} requests");
    // The display's request is still there, and another display still gets a code.
    let (s, v) = app
        .post(
            "/api/pairing/claim",
            &serde_json::json!({ "pairing_id": offer["pairing_id"] }),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("pending")), "{v}");
    let (s, _) = pairing_request(&app, &office, ClientId::from_random_bytes(random_bytes())).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_code_for_an_already_paired_device_does_not_replace_it() {
    let app = spawn_app();
    let kiosk = DeviceSim::new();
    app.register(kiosk.id, DeviceRole::Kiosk).await;
    // Someone asks to pair in the kiosk's name and gets the admin to type their code.
    let admin = app.admin().await;
    let (s, v) = app.pair_attempt(&admin, kiosk.id).await;
    assert_eq!(s, 409, "{v}");
    // The real kiosk keeps working.
    let (s, _) = app
        .get_as(&app.cred(kiosk.id), "/api/sync/pull?cursor=0")
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn guessing_one_accounts_password_from_ten_addresses_gets_nowhere() {
    let app = spawn_app();
    app.staff("ani", "officer").await;
    for n in 0..10u8 {
        let from = client_from([127, 0, 0, 10 + n]);
        for _ in 0..10 {
            let r = from
                .post(app.url("/api/auth/login"))
                .json(&serde_json::json!({ "username": "ani", "password": "salah-salah-salah" }))
                .send()
                .await
                .expect("login");
            assert!(matches!(r.status().as_u16(), 401 | 429), "{}", r.status());
        }
    }
    // The right password, now, is refused too: the account waits.
    match app.login("ani", PASSWORD).await {
        Err((429, v)) => assert!(
            v["message"]
                .as_str()
                .unwrap_or_default()
                .contains("this account"),
            "{v}"
        ),
        other => panic!("expected a 429, got {:?}", other.map(|_| ())),
    }
    // Another account is not affected.
    app.staff("budi", "officer").await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_allowance() {
    let app = spawn_app_env(Db::Memory, 0, &[("ANTREAN_TRUSTED_PROXIES", "127.0.0.1")]);
    // A different (unknown) user name each time: the per-account backoff stays out of it.
    let wrong = |xff: &'static str, n: usize| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", xff)
            .json(&serde_json::json!({ "username": format!("nobody{n}"), "password": "salah-salah-salah" }))
            .send()
    };
    let mut last = 0;
    for n in 0..11 {
        last = wrong("203.0.113.9, 10.0.0.1", n)
            .await
            .expect("login")
            .status()
            .as_u16();
    }
    assert_eq!(last, 429, "the 11th from one client is limited");
    let other = wrong("10.0.0.2", 99)
        .await
        .expect("login")
        .status()
        .as_u16();
    assert_eq!(other, 401, "another client behind the proxy is not");

    // Without the setting, the header is the client's own claim and changes nothing.
    let plain = spawn_app();
    let mut statuses = Vec::new();
    for i in 0..11 {
        let r = plain
            .client
            .post(plain.url("/api/auth/login"))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&serde_json::json!({ "username": format!("nobody{i}"), "password": "salah-salah-salah" }))
            .send()
            .await
            .expect("login");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}
