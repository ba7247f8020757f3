//! Every API route × every kind of caller: allowed or denied, as this table says. The
//! routes come from the server's own route table, so a route added there without a row
//! here fails the test, and so does a row here for a route that no longer exists.

use std::collections::BTreeSet;

use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;
use reqwest::Method;

use crate::helpers::*;

const WHO: [&str; 8] = [
    "anonymous",
    "citizen",
    "kiosk",
    "display",
    "officer",
    "supervisor",
    "admin",
    "revoked device",
];

const Y: bool = true;
const N: bool = false;

/// method, path, allowed for: anonymous, citizen, kiosk, display, officer, supervisor, admin,
/// revoked device. A revoked token is refused everywhere, so its sync stops at once.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [bool; 8])] = &[
    ("GET",  "/health",                        [Y, Y, Y, Y, Y, Y, Y, N]),
    ("GET",  "/catalogue",                     [Y, Y, Y, Y, Y, Y, Y, N]),
    ("GET",  "/public",                        [Y, Y, Y, Y, Y, Y, Y, N]),
    ("GET",  "/t/{token}",                     [N, Y, N, N, N, N, N, N]),
    ("POST", "/t/{token}/survey",              [N, Y, N, N, N, N, N, N]),
    ("GET",  "/t/{token}/live",                [N, Y, N, N, N, N, N, N]),
    ("POST", "/t/{token}/push",                [N, Y, N, N, N, N, N, N]),
    ("DELETE", "/t/{token}/push",              [N, Y, N, N, N, N, N, N]),
    ("GET",  "/push/key",                      [Y, Y, Y, Y, Y, Y, Y, N]),
    ("GET",  "/auth/setup",                    [Y, Y, Y, Y, Y, Y, Y, N]),
    ("POST", "/auth/setup",                    [Y, Y, Y, Y, Y, Y, Y, N]),
    ("POST", "/auth/login",                    [Y, Y, Y, Y, Y, Y, Y, N]),
    ("GET",  "/auth/me",                       [N, N, N, N, Y, Y, Y, N]),
    ("POST", "/auth/password",                 [N, N, N, N, Y, Y, Y, N]),
    ("POST", "/pairing",                       [Y, Y, Y, Y, Y, Y, Y, N]),
    ("POST", "/pairing/claim",                 [Y, Y, Y, Y, Y, Y, Y, N]),
    ("POST", "/devices",                       [N, N, Y, Y, Y, Y, Y, N]),
    ("POST", "/sync/push",                     [N, N, Y, N, Y, Y, Y, N]),
    ("GET",  "/sync/pull",                     [N, N, Y, Y, Y, Y, Y, N]),
    ("POST", "/sync/lease",                    [N, N, Y, N, N, N, N, N]),
    ("GET",  "/sync/live",                     [N, N, Y, Y, Y, Y, Y, N]),
    ("GET",  "/ikm",                           [N, N, N, N, N, Y, Y, N]),
    ("GET",  "/audit",                         [N, N, N, N, N, Y, Y, N]),
    ("GET",  "/reports",                       [N, N, N, N, N, Y, Y, N]),
    ("GET",  "/reports/csv",                   [N, N, N, N, N, Y, Y, N]),
    ("GET",  "/admin/staff",                   [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff",                   [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff/{username}/disable", [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff/{username}/enable", [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff/{username}/role",   [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff/{username}/lokets", [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/staff/{username}/reset-password", [N, N, N, N, N, N, Y, N]),
    ("GET",  "/admin/devices",                 [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/devices/{client}/revoke", [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/pairing/confirm",         [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/retention",               [N, N, N, N, N, N, Y, N]),
    ("GET",  "/admin/backup",                  [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/close-day",               [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/holidays",                [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/hours",                   [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/services",                [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/services/{code}",         [N, N, N, N, N, N, Y, N]),
    ("POST", "/admin/services/{code}/offered", [N, N, N, N, N, N, Y, N]),
    // Last, because it ends the caller's session.
    ("POST", "/auth/logout",                   [N, N, N, N, Y, Y, Y, N]),
];

#[test]
fn the_matrix_covers_exactly_the_server_routes() {
    let server: BTreeSet<(String, String)> = server::routes::table()
        .iter()
        .map(|(r, _)| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let matrix: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = server.difference(&matrix).collect();
    let stale: Vec<_> = matrix.difference(&server).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
    assert_eq!(MATRIX.len(), server.len(), "no duplicate rows");
}

#[tokio::test]
async fn every_route_allows_exactly_whom_the_matrix_says() {
    let app = spawn_app();
    // The callers: a ticket's citizen, paired devices, staff of each role, a revoked kiosk.
    let (kiosk_sim, _, token) = app.kiosk_with_ticket().await;
    let kiosk = app.cred(kiosk_sim.id);
    let display_id = ClientId::from_random_bytes(random_bytes());
    app.register(display_id, DeviceRole::Display).await;
    let display = app.cred(display_id);
    let revoked_id = ClientId::from_random_bytes(random_bytes());
    app.register(revoked_id, DeviceRole::Kiosk).await;
    let revoked = app.cred(revoked_id);
    let admin = app.admin().await;
    let (s, v) = app
        .post_as(
            &admin,
            &format!("/api/admin/devices/{}/revoke", revoked_id.simple()),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let officer = app.staff("petugas.m", "officer").await;
    let supervisor = app.staff("supervisor.m", "supervisor").await;
    // The admin row gets its own session: the logout route ends it.
    let admin_m = app.login("admin", PASSWORD).await.expect("admin login");
    let creds = [
        Cred::None,
        Cred::None,
        kiosk,
        display,
        officer,
        supervisor,
        admin_m,
        revoked,
    ];
    let unknown_token = "AAAAAAAAAAAAAAAAAAAAAA";

    let mut wrong = Vec::new();
    for (i, cred) in creds.iter().enumerate() {
        for (method, path, allowed) in MATRIX {
            let token = if i == 1 {
                token.as_str()
            } else {
                unknown_token
            };
            let url_path = format!(
                "/api{}",
                path.replace("{token}", token)
                    .replace("{username}", "nobody")
                    .replace(
                        "{client}",
                        &ClientId::from_random_bytes(random_bytes()).simple()
                    )
            );
            let method = Method::from_bytes(method.as_bytes()).expect("method");
            let body = (method == Method::POST).then(|| "{}".to_owned());
            let (status, v) = app.send(method.clone(), &url_path, body, cred).await;
            // A citizen route answers an unknown token with 404, like a missing ticket.
            let denied = matches!(status, 401 | 403) || (path.contains("{token}") && status == 404);
            assert!(status < 500, "{method} {path} as {}: {status} {v}", WHO[i]);
            if denied == allowed[i] {
                wrong.push(format!(
                    "{method} {path} as {}: expected {}, got {status} {v}",
                    WHO[i],
                    if allowed[i] { "allowed" } else { "denied" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
