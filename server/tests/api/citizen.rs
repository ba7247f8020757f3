//! The citizen's tracking data and survey.

use app::domain::mutation::DeviceRole;
use app::domain::ticket::TicketCommand;

use crate::helpers::*;

#[tokio::test]
async fn the_tracking_token_shows_the_ticket_through_its_life_and_takes_one_survey() {
    let app = spawn_app();
    let (_, ticket, token) = app.kiosk_with_ticket().await;

    let (status, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"]["state"], "waiting");
    assert_eq!(v["ahead"], 0);
    assert_eq!(v["headline"]["id"], "Menunggu dipanggil — Anda berikutnya");

    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let steps = vec![counter.command(ticket, TicketCommand::Call { loket: loket(1) })];
    app.push(counter.id, steps).await.expect("call");
    let (_, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(v["headline"]["id"], "Silakan menuju Loket 1");
    assert_eq!(v["loket"], 1);

    let steps = vec![
        counter.command(ticket, TicketCommand::Start),
        counter.command(ticket, accept_ktp()),
    ];
    app.push(counter.id, steps).await.expect("accept");
    let (_, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert!(
        v["receipt"]["due_words"]["id"]
            .as_str()
            .is_some_and(|s| s.contains("WITA")),
        "{v}"
    );

    // The survey opens only after collection.
    let scores = serde_json::json!({ "scores": [4, 4, 3, 4, 4, 3, 4, 3, 4] });
    let (status, _) = app
        .post(&format!("/api/t/{}/survey", token.as_str()), &scores)
        .await;
    assert_eq!(status, 409);
    let steps = vec![
        counter.command(ticket, TicketCommand::MarkReady),
        counter.command(ticket, TicketCommand::CallPickup { loket: loket(1) }),
        counter.command(ticket, TicketCommand::HandOver),
    ];
    app.push(counter.id, steps).await.expect("hand over");
    let (_, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(v["survey_open"], true);
    let (status, _) = app
        .post(&format!("/api/t/{}/survey", token.as_str()), &scores)
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post(&format!("/api/t/{}/survey", token.as_str()), &scores)
        .await;
    assert_eq!(status, 409, "once per ticket");
    let supervisor = app.staff("supervisor", "supervisor").await;
    let (_, report) = app.get_as(&supervisor, "/api/ikm").await;
    assert_eq!(report["overall"]["respondents"], 1);
    // (4+4+3+4+4+3+4+3+4)/9 × 25 = 91.67 → A
    assert!((report["overall"]["ikm"].as_f64().unwrap() - 91.666).abs() < 0.01);
    assert_eq!(report["overall"]["grade"], "A");
    // The tracking token is the citizen's secret: it never reaches the log.
    let log = app.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(log.contains("device paired"), "the log was captured");
    assert!(!log.contains(token.as_str()), "token leaked into the log");
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_the_same_404() {
    let app = spawn_app();
    let (s1, b1) = app.get_json("/api/t/AAAAAAAAAAAAAAAAAAAAAA").await;
    let (s2, b2) = app.get_json("/api/t/not-a-token").await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(b1, b2);
}

#[tokio::test]
async fn survey_scores_out_of_range_are_a_400() {
    let app = spawn_app();
    let (_, _, token) = app.kiosk_with_ticket().await;
    let (status, body) = app
        .post(
            &format!("/api/t/{}/survey", token.as_str()),
            &serde_json::json!({ "scores": [5, 4, 4, 4, 4, 4, 4, 4, 4] }),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 to 4")),
        "{body}"
    );
}

#[tokio::test]
async fn the_citizen_page_is_poked_live_and_an_unknown_token_is_not() {
    use futures::StreamExt;
    let app = spawn_app();
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let url = format!(
        "{}/api/t/{}/live",
        app.base.replace("http", "ws"),
        token.as_str()
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("live");
    let first = ws.next().await.expect("first poke").expect("message");
    assert!(first.to_text().unwrap().contains("cursor"));
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("poked within 5 s")
        .expect("poke")
        .expect("message");
    let poke: app::domain::mutation::Poke =
        serde_json::from_str(next.to_text().unwrap()).expect("a poke");
    assert!(poke.cursor > 0);
    // The citizen's stream says only that something changed: no other tickets' events.
    assert!(poke.events.is_empty());
    // A burst of actions within a second is one more poke, held to the end of the second
    // and carrying the newest cursor: a phone refetches once, not once per action.
    let mut last = 0;
    for cmd in [
        TicketCommand::Recall,
        TicketCommand::Recall,
        TicketCommand::NoShow,
        TicketCommand::Reinstate,
    ] {
        let m = counter.command(ticket, cmd);
        last = app.push(counter.id, vec![m]).await.expect("push").cursor;
    }
    let mut pokes = Vec::new();
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(2_500);
    while let Ok(Some(Ok(m))) = tokio::time::timeout_at(until, ws.next()).await {
        if m.is_text() {
            let p: app::domain::mutation::Poke =
                serde_json::from_str(m.to_text().unwrap()).expect("poke");
            pokes.push(p.cursor);
        }
    }
    assert_eq!(
        pokes,
        vec![last],
        "one poke for the burst, with the newest cursor"
    );
    let unknown = format!(
        "{}/api/t/AAAAAAAAAAAAAAAAAAAAAA/live",
        app.base.replace("http", "ws")
    );
    assert!(tokio_tungstenite::connect_async(unknown).await.is_err());
    let (s, _) = app.get_json("/api/t/AAAAAAAAAAAAAAAAAAAAAA/live").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn only_unknown_links_count_against_an_address_and_the_page_answers_like_the_api() {
    let app = spawn_app();
    let (_, _, token) = app.kiosk_with_ticket().await;
    // A phone refreshing its own page, far more often than any limit: never refused.
    for _ in 0..300 {
        let (s, _) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
        assert_eq!(s, 200);
    }
    // Guessing from the same address: 404s, then 429s once the allowance is spent.
    let mut statuses = Vec::new();
    for i in 0..80 {
        let guess = format!("{:0>22}", i);
        statuses.push(app.get_json(&format!("/api/t/{guess}")).await.0);
    }
    assert!(statuses[..60].iter().all(|s| *s == 404), "{statuses:?}");
    assert!(statuses[60..].iter().all(|s| *s == 429), "{statuses:?}");
    // The real ticket's page is still served, by the API and as the page.
    let (s, _) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(s, 200);
    let page = app
        .client
        .get(app.url(&format!("/t/{}", token.as_str())))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    // An unknown token's page answers 404 (from a fresh address: this one is spent).
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 5]))
        .build()
        .expect("client");
    for t in ["AAAAAAAAAAAAAAAAAAAAAA", "no-such-token"] {
        let page = other
            .get(app.url(&format!("/t/{t}")))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 404, "{t}");
    }
}

#[tokio::test]
async fn a_holiday_added_in_admin_moves_the_due_time_of_the_next_receipt() {
    let app = spawn_app();
    let admin = app.admin().await;
    // Tomorrow (WITA) becomes a day off; this server's office is open every day.
    let now = jiff::Timestamp::now();
    let today = jiff::tz::offset(8).to_datetime(now).date();
    let tomorrow = today.tomorrow().unwrap();
    let after = tomorrow.tomorrow().unwrap();
    let text = format!("# pasted from the decree\n{tomorrow} Libur uji\n");
    let (s, v) = app
        .post_as(
            &admin,
            "/api/admin/holidays",
            &serde_json::json!({ "text": text }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v[0]["date"], tomorrow.to_string());
    let (_, c) = app.get_json("/api/catalogue").await;
    assert_eq!(c["calendar"]["holidays"][0]["name"], "Libur uji");
    // A line the office mistyped is refused and changes nothing.
    let (s, _) = app
        .post_as(
            &admin,
            "/api/admin/holidays",
            &serde_json::json!({ "text": "27-01-01 Salah" }),
        )
        .await;
    assert_eq!(s, 400);
    let (_, c) = app.get_json("/api/catalogue").await;
    assert_eq!(c["calendar"]["holidays"].as_array().unwrap().len(), 1);

    // A file accepted today is due at the close of the next working day: not tomorrow.
    let (_, ticket, token) = app.kiosk_with_ticket().await;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let steps = vec![
        counter.command(ticket, TicketCommand::Call { loket: loket(1) }),
        counter.command(ticket, TicketCommand::Start),
        counter.command(ticket, accept_ktp()),
    ];
    app.push(counter.id, steps).await.expect("accept");
    let (_, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    let due = jiff::Timestamp::from_millisecond(v["receipt"]["due_ms"].as_i64().unwrap()).unwrap();
    assert_eq!(jiff::tz::offset(8).to_datetime(due).date(), after, "{v}");
    let (_, audit) = app.get_as(&admin, "/api/audit").await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "changed_holidays"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_public_page_publishes_every_standard_and_the_queue_now() {
    let app = spawn_app();
    let (mut kiosk, _, _) = app.kiosk_with_ticket().await;
    app.issue_at(&mut kiosk, 2).await;

    // Anyone may read it: no credential.
    let (s, v) = app.get_json("/api/public").await;
    assert_eq!(s, 200, "{v}");
    let services = v["services"].as_array().expect("services");
    let catalogue = catalogue();
    assert_eq!(services.len(), catalogue.services.len());
    assert_eq!(services[0]["service"]["code"], "legalisir-ktp-el");
    assert_eq!(services[0]["waiting"], 2);
    assert_eq!(services[1]["waiting"], 0);
    // This server's office is always open: a new ticket's wait is promised.
    assert_eq!(v["open_now"], true);
    assert!(services[0]["wait_minutes"].as_u64().is_some());
    // No survey answered last month: no index to show.
    assert!(v["ikm"].is_null());

    // The page itself is rendered by the server with every published component.
    let r = app
        .client
        .get(app.url("/layanan"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let ktp = &catalogue.services[0];
    for text in [
        ktp.name.id.as_str(),
        ktp.requirements[0].text.id.as_str(),
        ktp.procedure[4].id.as_str(),
        ktp.completion.counted_from.id.as_str(),
        ktp.fee.text.id.as_str(),
        ktp.product.id.as_str(),
        ktp.legal_basis[0].as_str(),
        ktp.complaint_channels[0].label.id.as_str(),
        "2 orang menunggu",
    ] {
        assert!(html.contains(text), "the page lacks {text:?}");
    }
    // Whole, and with no bundle to download: no hydration script, no wasm.
    assert!(
        !html.contains(".wasm") && !html.contains("hydrate"),
        "{html}"
    );
    let r = app
        .client
        .get(app.url("/layanan?lang=en"))
        .send()
        .await
        .expect("page");
    let html = r.text().await.expect("html");
    assert!(html.contains(ktp.name.en.as_str()) && html.contains("2 people waiting"));
    assert!(
        html.contains("href=\"/layanan\""),
        "a link back to Indonesian"
    );
}
