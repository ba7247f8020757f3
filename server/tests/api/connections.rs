//! Hostile clients from loopback, bounded to a few seconds: idle, slow and WebSocket
//! floods from other addresses (127.0.0.2, .3 …) while the office's devices, on
//! 127.0.0.1, keep being answered.

use std::time::{Duration, Instant};

use app::domain::mutation::{DeviceRole, Outcome};
use app::domain::ticket::TicketCommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::*;

fn hostile_app() -> TestApp {
    spawn_app_env(
        Db::Memory,
        0,
        &[
            ("ANTREAN_MAX_CONNECTIONS_PER_ADDRESS", "50"),
            ("ANTREAN_HEADER_TIMEOUT_MS", "1000"),
            ("ANTREAN_IDLE_TIMEOUT_MS", "2000"),
            ("ANTREAN_STREAMS_PER_TOKEN", "4"),
        ],
    )
}

/// A TCP connection to the server from a given loopback address.
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind((std::net::Ipv4Addr::from(from), 0).into())
        .expect("bind a loopback address");
    socket
        .connect(format!("127.0.0.1:{}", app.port()).parse().expect("addr"))
        .await
        .expect("connect")
}

/// Whether the server closed the connection within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 or other answer before closing: keep reading to the end.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn health_ok(app: &TestApp) -> bool {
    matches!(app.get_json("/api/health").await, (200, _))
}

#[tokio::test]
async fn idle_and_slow_floods_from_one_address_leave_the_others_served() {
    let app = hostile_app();
    // 300 idle connections from 127.0.0.2: the first 50 are held, the rest closed at once.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(connect_from(&app, [127, 0, 0, 2]).await);
    }
    let mut refused = 0;
    for s in idle.iter_mut().skip(50) {
        if closed_within(s, Duration::from_millis(300)).await {
            refused += 1;
        }
    }
    assert!(
        refused >= 240,
        "only {refused} of 250 over the limit were closed"
    );
    assert!(
        health_ok(&app).await,
        "the office is still answered during the flood"
    );
    // The held ones sent nothing: closed once the header timeout passes.
    let started = Instant::now();
    for s in idle.iter_mut().take(50) {
        assert!(
            closed_within(s, Duration::from_secs(3)).await,
            "an idle connection stayed open"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(3));

    // Slowloris from 127.0.0.3: a header line, then a byte every 300 ms.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut s = connect_from(&app, [127, 0, 0, 3]).await;
        s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(s);
    }
    let started = Instant::now();
    let mut open = slow.len();
    while open > 0 && started.elapsed() < Duration::from_secs(4) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        open = 0;
        for s in &mut slow {
            if s.write_all(b"X").await.is_ok() {
                open += 1;
            }
        }
    }
    assert_eq!(
        open,
        0,
        "slow headers still open after {:?}",
        started.elapsed()
    );
    assert!(health_ok(&app).await);

    // And a real push goes through.
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    assert!(app.state().await.ticket(&ticket).is_some());
    let log = app.log.lock().expect("log").clone();
    assert!(!log.contains("Too many open files"), "{log}");
}

#[tokio::test]
async fn live_streams_are_capped_per_token_and_only_open_from_the_sites_own_pages() {
    let app = hostile_app();
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let url = format!(
        "{}/api/t/{}/live",
        app.base.replace("http", "ws"),
        token.as_str()
    );
    let mut open = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..10 {
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((ws, _)) => open.push(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                refused.push(r.status().as_u16())
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(open.len(), 4);
    assert_eq!(refused, vec![429; 6]);
    // Another site's page may not open one (it would ride on the office's cookies).
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut req = url.as_str().into_client_request().expect("request");
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().expect("header"));
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected a 403, got {:?}", other.map(|_| ())),
    }
    // The streams still held hear a call.
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let r = app
        .push(
            counter.id,
            vec![counter.command(ticket, TicketCommand::Call { loket: loket(1) })],
        )
        .await
        .expect("call");
    assert!(matches!(r.outcomes[0].outcome, Outcome::Applied { .. }));
    use futures::StreamExt;
    for ws in &mut open {
        // The greeting poke, then the call's.
        let mut pokes = 0;
        while pokes < 2 {
            let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .expect("a poke in time")
                .expect("open")
                .expect("message");
            if m.is_text() {
                pokes += 1;
            }
        }
    }
}

#[tokio::test]
async fn an_officers_live_stream_closes_when_the_session_ends() {
    let app = spawn_app();
    let officer = app.staff("petugas", "officer").await;
    let Cred::Session { cookie, .. } = &officer else {
        panic!("a session")
    };
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("{}/api/sync/live", app.base.replace("http", "ws"))
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "cookie",
        format!("antrean_session={cookie}").parse().expect("header"),
    );
    req.headers_mut()
        .insert("sec-websocket-protocol", "antrean".parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("stream");
    use futures::StreamExt;
    let first = ws.next().await.expect("greeting").expect("message");
    assert!(first.is_text());
    let (s, _) = app
        .post_as(&officer, "/api/auth/logout", &serde_json::json!({}))
        .await;
    assert_eq!(s, 204);
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the stream outlived the session");
}
