//! Accounts, sessions, pairing, revocation, the audit log, retention and the security
//! headers, through the real server.

use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;
use app::domain::ticket::TicketCommand;
use futures::StreamExt;

use crate::helpers::*;

#[tokio::test]
async fn the_first_admin_needs_the_printed_token_and_setup_happens_once() {
    let app = spawn_app();
    let token = app
        .setup_token
        .clone()
        .expect("a fresh server prints a setup token");
    let (s, v) = app.get_json("/api/auth/setup").await;
    assert_eq!((s, v["needed"].as_bool()), (200, Some(true)));
    let body = |t: &str| serde_json::json!({ "setup_token": t, "username": "admin", "password": PASSWORD });
    let (s, _) = app.post("/api/auth/setup", &body("wrong")).await;
    assert_eq!(s, 403);
    let (s, v) = app
        .post(
            "/api/auth/setup",
            &serde_json::json!({ "setup_token": token, "username": "admin", "password": "short" }),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at least 10"),
        "{v}"
    );
    let admin = app.admin().await;
    let (s, v) = app.get_as(&admin, "/api/auth/me").await;
    assert_eq!((s, v["role"].as_str()), (200, Some("admin")));
    // Used up: the same token cannot make a second admin.
    let (s, _) = app.post("/api/auth/setup", &body(&token)).await;
    assert_eq!(s, 409);
    let (_, v) = app.get_json("/api/auth/setup").await;
    assert_eq!(v["needed"].as_bool(), Some(false));
}

#[tokio::test]
async fn sign_in_is_uniform_rate_limited_and_cookies_are_locked_down() {
    let app = spawn_app();
    app.staff("petugas", "officer").await;
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({ "username": "petugas", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    let (s1, v1) = app
        .post(
            "/api/auth/login",
            &serde_json::json!({ "username": "petugas", "password": "salah-sekali-ya" }),
        )
        .await;
    let (s2, v2) = app
        .post(
            "/api/auth/login",
            &serde_json::json!({ "username": "siapa.ini", "password": "salah-sekali-ya" }),
        )
        .await;
    assert_eq!((s1, s2), (401, 401));
    // The device words the refusal from its code, in the user's language.
    assert_eq!(v1["code"], "wrong_credentials", "{v1}");
    assert_eq!(
        v1["message"], v2["message"],
        "an unknown name looks like a wrong password"
    );
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (s, _) = app
            .post(
                "/api/auth/login",
                &serde_json::json!({ "username": "petugas", "password": "tebak-tebakan" }),
            )
            .await;
        statuses.push(s);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        app.login("petugas", PASSWORD).await.is_err(),
        "still limited"
    );
}

#[tokio::test]
async fn a_cookie_without_its_csrf_token_cannot_change_anything() {
    let app = spawn_app();
    let admin = app.admin().await;
    let Cred::Session { cookie, .. } = &admin else {
        unreachable!()
    };
    let no_csrf = Cred::Session {
        cookie: cookie.clone(),
        csrf: "nope".into(),
    };
    let body = serde_json::json!({ "username": "baru", "role": "officer", "password": PASSWORD });
    let (s, v) = app.post_as(&no_csrf, "/api/admin/staff", &body).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["code"], "stale_session", "{v}");
    let (s, _) = app.get_as(&no_csrf, "/api/admin/staff").await;
    assert_eq!(s, 200, "reading needs no CSRF token");
    let (s, _) = app.post_as(&admin, "/api/admin/staff", &body).await;
    assert_eq!(s, 201);
    // Signing in again from a browser that still holds a session needs no CSRF token:
    // the cookie grants nothing there.
    let (s, v) = app
        .post_as(
            &no_csrf,
            "/api/auth/login",
            &serde_json::json!({ "username": "baru", "password": PASSWORD }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // That browser's session (the admin's) ended with the new sign-in.
    let (s, _) = app.get_as(&admin, "/api/auth/me").await;
    assert_eq!(s, 401, "a sign-in replaces the browser's session");
    let admin = app.login("admin", PASSWORD).await.expect("admin again");
    let (s, _) = app.post_as(&admin, "/api/admin/staff", &body).await;
    assert_eq!(s, 409, "user names are unique");
    // Logging out ends the session on the server, not only in the browser.
    let (s, _) = app
        .post_as(&admin, "/api/auth/logout", &serde_json::json!({}))
        .await;
    assert_eq!(s, 204);
    let (s, _) = app.get_as(&admin, "/api/auth/me").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn revoking_a_device_stops_its_sync_and_closes_its_live_stream_at_once() {
    let app = spawn_app();
    let mut kiosk = DeviceSim::new();
    app.register(kiosk.id, DeviceRole::Kiosk).await;
    let mut ws = app.live(kiosk.id).await;
    let first = ws.next().await.expect("poke").expect("message");
    assert!(first.to_text().unwrap().contains("cursor"));

    let admin = app.admin().await;
    let (s, _) = app
        .post_as(
            &admin,
            &format!("/api/admin/devices/{}/revoke", kiosk.id.simple()),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("the stream ends within 5 s");
    assert!(
        matches!(
            next,
            None | Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) | Some(Err(_))
        ),
        "{next:?}"
    );
    let m1 = kiosk.issue(number("A-001")).0;
    let err = app.push(kiosk.id, vec![m1.clone()]).await.unwrap_err();
    assert_eq!(err.0, 401);
    assert!(err.1.contains("revoked"), "{}", err.1);
    let (_, devices) = app.get_as(&admin, "/api/admin/devices").await;
    assert_eq!(devices[0]["revoked"], true);
    // Pairing again gives it a new token and its sync resumes.
    app.register(kiosk.id, DeviceRole::Kiosk).await;
    let m2 = kiosk.issue(number("A-002")).0;
    let r = app
        .push(kiosk.id, vec![m1, m2])
        .await
        .expect("push after re-pairing");
    assert_eq!(
        r.last_processed, 2,
        "the refused action was kept and delivered"
    );
}

#[tokio::test]
async fn a_device_acts_only_as_itself_and_a_code_pairs_once() {
    let app = spawn_app();
    let mut a = DeviceSim::new();
    let b = DeviceSim::new();
    app.register(a.id, DeviceRole::Kiosk).await;
    app.register(b.id, DeviceRole::Kiosk).await;
    // Kiosk B's token cannot push kiosk A's mutations.
    let m = a.issue(number("A-001")).0;
    let (s, _) = app
        .post_as(
            &app.cred(b.id),
            "/api/sync/push",
            &serde_json::json!({ "client_id": a.id, "mutations": [m] }),
        )
        .await;
    assert_eq!(s, 403);
    // A counter is not paired: an officer signs in on it.
    let (s, v) = app
        .post("/api/pairing", &serde_json::json!({ "client_id": ClientId::from_random_bytes(random_bytes()), "role": "counter" }))
        .await;
    assert_eq!(s, 400, "{v}");
    let (_, offer) = app
        .post("/api/pairing", &serde_json::json!({ "client_id": ClientId::from_random_bytes(random_bytes()), "role": "display" }))
        .await;
    let admin = app.admin().await;
    let confirm = serde_json::json!({ "code": offer["code"], "label": "Layar ruang tunggu" });
    let (s, _) = app
        .post_as(&admin, "/api/admin/pairing/confirm", &confirm)
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .post_as(&admin, "/api/admin/pairing/confirm", &confirm)
        .await;
    assert_eq!(s, 404, "a code pairs one device once");
    let claim = serde_json::json!({ "pairing_id": offer["pairing_id"] });
    let (_, v) = app.post("/api/pairing/claim", &claim).await;
    assert_eq!(v["status"], "paired");
    let (s, _) = app.post("/api/pairing/claim", &claim).await;
    assert_eq!(s, 404, "the token is handed out once");
}

#[tokio::test]
async fn the_audit_log_says_which_officer_did_what_to_which_ticket() {
    let app = spawn_app();
    let (_, ticket, _) = app.kiosk_with_ticket().await;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let call = counter.command(ticket, TicketCommand::Call { loket: loket(1) });
    app.push(counter.id, vec![call]).await.expect("call");
    let supervisor = app.staff("supervisor", "supervisor").await;
    let (s, v) = app.get_as(&supervisor, "/api/audit").await;
    assert_eq!(s, 200, "{v}");
    let rows = v.as_array().expect("rows");
    assert!(
        rows.iter().any(|r| r["username"] == "petugas"
            && r["action"] == "called"
            && r["subject"].as_str().is_some_and(|s| s.ends_with("-001"))),
        "{v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["username"] == "admin" && r["action"] == "paired_device"),
        "{v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["username"] == "admin" && r["action"] == "created_staff"),
        "{v}"
    );
    // The kiosk's issue is not a staff action.
    assert!(!rows.iter().any(|r| r["action"] == "issued"), "{v}");
}

#[tokio::test]
async fn pages_and_api_carry_the_security_headers() {
    let app = spawn_app();
    for path in ["/api/health", "/api/nope"] {
        let r = app.client.get(app.url(path)).send().await.expect("get");
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn no_personal_data_reaches_the_log() {
    let app = spawn_app();
    // Personal strings planted in every free-text field a person can fill in.
    let nik = "5103014107900001";
    let name = "Ni Wayan Sukerti";
    let (_, offer) = app
        .post("/api/pairing", &serde_json::json!({ "client_id": ClientId::from_random_bytes(random_bytes()), "role": "kiosk" }))
        .await;
    let admin = app.admin().await;
    let (s, _) = app
        .post_as(
            &admin,
            "/api/admin/pairing/confirm",
            &serde_json::json!({ "code": offer["code"], "label": format!("{name} {nik}") }),
        )
        .await;
    assert_eq!(s, 200);
    let _ = app
        .post(
            "/api/auth/login",
            &serde_json::json!({ "username": name, "password": nik }),
        )
        .await;
    let _ = app
        .post(
            "/api/auth/login",
            &serde_json::json!({ "username": nik, "password": name }),
        )
        .await;
    let _ = app
        .post_as(
            &admin,
            "/api/admin/staff",
            &serde_json::json!({ "username": name, "role": "officer", "password": nik }),
        )
        .await;
    let _ = app.get_json(&format!("/api/t/{nik}")).await;
    let _ = app
        .post_raw(
            &format!("/api/t/{nik}/survey"),
            &format!("{{\"nama\":\"{name}\"}}"),
        )
        .await;
    let mut kiosk = DeviceSim::new();
    app.register(kiosk.id, DeviceRole::Kiosk).await;
    let (issue, _, _) = kiosk.issue(number("A-001"));
    app.push(kiosk.id, vec![issue]).await.expect("issue");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = app.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        log.contains("device paired"),
        "the log was captured:\n{log}"
    );
    for secret in [nik, name, "Sukerti"] {
        assert!(
            !log.contains(secret),
            "{secret:?} leaked into the log:\n{log}"
        );
    }
}

#[tokio::test]
async fn retention_purges_old_tickets_and_keeps_recent_ones() {
    let app = spawn_app_env(Db::Memory, 0, &[("ANTREAN_RETENTION_DAYS", "3")]);
    let mut old_kiosk = DeviceSim::new();
    let series = app
        .register(old_kiosk.id, DeviceRole::Kiosk)
        .await
        .series
        .expect("series");
    // A kiosk that was offline for 5 days delivers its ticket late (the server takes
    // actions up to 7 days old).
    let (mut old, old_ticket, old_token) =
        old_kiosk.issue(app::domain::ids::TicketNumber::new('A', Some(series), 1).unwrap());
    old.at.wall_ms -= 5 * 86_400_000;
    app.push(old_kiosk.id, vec![old]).await.expect("old issue");
    let (_, _, new_token) = app.kiosk_with_ticket().await;
    assert_eq!(
        app.get_json(&format!("/api/t/{}", old_token.as_str()))
            .await
            .0,
        200
    );

    let admin = app.admin().await;
    // The close ends it (not served on its day, 5 days ago): only then is it history.
    let (s, v) = app.post_as(&admin, "/api/admin/close-day", &()).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .post_as(&admin, "/api/admin/retention", &serde_json::json!({}))
        .await;
    assert_eq!(s, 200, "{v}\n{}", app.log.lock().unwrap());
    assert_eq!(v["tickets"], 1, "{v}");
    assert_eq!(
        app.get_json(&format!("/api/t/{}", old_token.as_str()))
            .await
            .0,
        404
    );
    assert_eq!(
        app.get_json(&format!("/api/t/{}", new_token.as_str()))
            .await
            .0,
        200
    );
    let state = app.state().await;
    assert!(
        state.ticket(&old_ticket).is_none(),
        "ended on a closed day: not in memory"
    );
    assert_eq!(state.tickets().count(), 1);
    // Idempotent.
    let (_, v) = app
        .post_as(&admin, "/api/admin/retention", &serde_json::json!({}))
        .await;
    assert_eq!(v["tickets"], 0, "{v}");
}

#[tokio::test]
async fn an_admin_disables_resets_and_promotes_accounts_and_each_change_applies_at_once() {
    let app = spawn_app();
    let admin = app.admin().await;
    let ani = app.staff("ani", "officer").await;
    let empty = serde_json::json!({});
    let (s, _) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(s, 200);

    // Disabled: the open session ends at once; the right password is told it is disabled.
    let (s, v) = app
        .post_as(&admin, "/api/admin/staff/ani/disable", &empty)
        .await;
    assert_eq!(s, 204, "{v} {}", app.log.lock().unwrap());
    let (s, _) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(s, 401, "the disabled account's session ended");
    let (s, v) = app.login("ani", PASSWORD).await.unwrap_err();
    assert_eq!((s, v["code"].as_str()), (403, Some("account_disabled")));
    let (s, v) = app.login("ani", "salah-sekali-ya").await.unwrap_err();
    assert_eq!((s, v["code"].as_str()), (401, Some("wrong_credentials")));
    let (_, list) = app.get_as(&admin, "/api/admin/staff").await;
    let row = |list: &serde_json::Value, name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&list, "ani")["disabled"], true);
    let (s, _) = app
        .post_as(&admin, "/api/admin/staff/ani/enable", &empty)
        .await;
    assert_eq!(s, 204);
    let ani = app.login("ani", PASSWORD).await.expect("enabled again");

    // A reset password: the old one is refused, the temporary one opens only its change.
    let (s, v) = app
        .post_as(&admin, "/api/admin/staff/ani/reset-password", &empty)
        .await;
    assert_eq!(s, 200, "{v}");
    let temporary = v["password"].as_str().unwrap().to_owned();
    assert!(temporary.len() >= 10);
    let (s, _) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(s, 401, "a reset ends the account's sessions");
    assert_eq!(app.login("ani", PASSWORD).await.unwrap_err().0, 401);
    let ani = app
        .login("ani", &temporary)
        .await
        .expect("temporary sign-in");
    let (_, me) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(me["must_change_password"], true);
    let (s, v) = app.get_as(&ani, "/api/sync/pull?cursor=0").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("change_password_first"))
    );
    let change = |current: &str, new: &str| serde_json::json!({ "current": current, "new": new });
    let (s, v) = app
        .post_as(
            &ani,
            "/api/auth/password",
            &change("tebakan-salah", "kata-sandi-baru-1"),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("wrong_current_password"))
    );
    let (s, v) = app
        .post_as(&ani, "/api/auth/password", &change(&temporary, "pendek"))
        .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("short_password")));
    let (s, _) = app
        .post_as(
            &ani,
            "/api/auth/password",
            &change(&temporary, "kata-sandi-baru-1"),
        )
        .await;
    assert_eq!(s, 204);
    let (_, me) = app.get_as(&ani, "/api/auth/me").await;
    assert_eq!(
        me["must_change_password"], false,
        "the same session goes on"
    );
    let (s, _) = app.get_as(&ani, "/api/sync/pull?cursor=0").await;
    assert_eq!(s, 200);

    // A new role applies to the open session.
    assert_eq!(app.get_as(&ani, "/api/ikm").await.0, 403);
    let (s, _) = app
        .post_as(
            &admin,
            "/api/admin/staff/ani/role",
            &serde_json::json!({ "role": "supervisor" }),
        )
        .await;
    assert_eq!(s, 204);
    let ani = app
        .login("ani", "kata-sandi-baru-1")
        .await
        .expect("sign-in");
    assert_eq!(app.get_as(&ani, "/api/ikm").await.0, 200);

    // An admin cannot change their own account here; an unknown one is a 404.
    let (s, v) = app
        .post_as(&admin, "/api/admin/staff/admin/disable", &empty)
        .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("own_account")));
    let (s, v) = app
        .post_as(&admin, "/api/admin/staff/siapa/disable", &empty)
        .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("no_such_account")));

    // Every change is in the audit log.
    let (_, audit) = app.get_as(&admin, "/api/audit").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for a in [
        "disabled_staff",
        "enabled_staff",
        "reset_password",
        "changed_own_password",
        "changed_role",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[tokio::test]
async fn two_admins_disabling_each_other_at_once_leave_one_admin() {
    let app = spawn_app();
    let admin = app.admin().await;
    let budi = app.staff("budi", "admin").await;
    let empty = serde_json::json!({});
    let (a, b) = tokio::join!(
        app.post_as(&admin, "/api/admin/staff/budi/disable", &empty),
        app.post_as(&budi, "/api/admin/staff/admin/disable", &empty),
    );
    let won = [a.0, b.0].iter().filter(|s| **s == 204).count();
    assert_eq!(won, 1, "exactly one disable goes through: {a:?} {b:?}");
    // The other was refused: no admin left, or its own session already ended.
    assert!(
        [a.0, b.0].iter().all(|s| matches!(s, 204 | 401 | 409)),
        "{a:?} {b:?}"
    );
    let survivor = if a.0 == 204 { &admin } else { &budi };
    let (s, list) = app.get_as(survivor, "/api/admin/staff").await;
    assert_eq!(s, 200);
    let enabled_admins = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "admin" && r["disabled"] == false)
        .count();
    assert_eq!(enabled_admins, 1);
}

#[tokio::test]
async fn an_officer_assigned_to_lokets_registers_a_counter_only_at_them() {
    use app::domain::ids::LoketId;
    use app::domain::mutation::RegisterDevice;
    let app = spawn_app();
    let admin = app.admin().await;
    let made = app.staff("made", "officer").await;
    let at = |n: u8| RegisterDevice {
        client_id: ClientId::from_random_bytes(random_bytes()),
        role: DeviceRole::Counter,
        loket: Some(LoketId::new(n).expect("loket")),
    };
    let lokets = |text: &str| serde_json::json!({ "lokets": text });

    // Not assigned: any loket of the office.
    let (s, v) = app.post_as(&made, "/api/devices", &at(1)).await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = app
        .post_as(&admin, "/api/admin/staff/made/lokets", &lokets("2"))
        .await;
    assert_eq!(s, 204);
    let (_, list) = app.get_as(&admin, "/api/admin/staff").await;
    let row = list
        .as_array()
        .and_then(|a| a.iter().find(|r| r["username"] == "made"))
        .cloned()
        .expect("made is listed");
    assert_eq!(row["lokets"], serde_json::json!([2]), "{row}");
    let (_, me) = app.get_as(&made, "/api/auth/me").await;
    assert_eq!(me["lokets"], serde_json::json!([2]), "{me}");

    // Assigned to Loket 2: refused at Loket 1, with the code the counter words.
    let (s, v) = app.post_as(&made, "/api/devices", &at(1)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_your_loket")),
        "{v}"
    );
    let (s, v) = app.post_as(&made, "/api/devices", &at(2)).await;
    assert_eq!(s, 200, "{v}");

    // A loket the office does not have, or words: refused, nothing changes.
    for bad in ["9", "1, dua", "0"] {
        let (s, v) = app
            .post_as(&admin, "/api/admin/staff/made/lokets", &lokets(bad))
            .await;
        assert_eq!(s, 400, "{bad}: {v}");
    }
    let (s, v) = app.post_as(&made, "/api/devices", &at(1)).await;
    assert_eq!(s, 403, "{v}");
    let (s, _) = app
        .post_as(&admin, "/api/admin/staff/nobody/lokets", &lokets("1"))
        .await;
    assert_eq!(s, 404);

    // Empty again: any loket.
    let (s, _) = app
        .post_as(&admin, "/api/admin/staff/made/lokets", &lokets(""))
        .await;
    assert_eq!(s, 204);
    let (s, v) = app.post_as(&made, "/api/devices", &at(1)).await;
    assert_eq!(s, 200, "{v}");
    let (_, audit) = app.get_as(&admin, "/api/audit?limit=10").await;
    assert!(audit.to_string().contains("made (loket 2)"), "{audit}");
    assert!(audit.to_string().contains("changed_lokets"), "{audit}");
}
