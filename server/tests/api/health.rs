use crate::helpers::spawn_app;

#[tokio::test]
async fn health_reports_version_uptime_and_database() {
    let app = spawn_app();
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["uptime_s"].is_u64());
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(
        body["database"]["schema_version"],
        server::store::SCHEMA_VERSION
    );
}

#[tokio::test]
async fn the_catalogue_is_seeded_at_first_start() {
    let app = spawn_app();
    let (status, body) = app.get_json("/api/catalogue").await;
    assert_eq!(status, 200);
    assert_eq!(body["services"][0]["code"], "legalisir-ktp-el");
    assert_eq!(
        body["services"][0]["requirements"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        body["services"][0]["complaint_channels"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
}

#[tokio::test]
async fn device_pages_render_on_the_server_without_live_data() {
    let app = spawn_app();
    for path in ["/", "/kiosk", "/counter", "/display", "/admin"] {
        let r = app.client.get(app.url(path)).send().await.expect("page");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let html = r.text().await.expect("html");
        assert!(html.contains("/pkg/antrean"), "{path} links the bundle");
    }
    let r = app
        .client
        .get(app.url("/kiosk"))
        .send()
        .await
        .expect("page");
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .map(|v| v.to_str().unwrap_or_default()),
        Some("nosniff")
    );
}

#[tokio::test]
async fn each_path_renders_its_own_page_and_others_get_the_not_found_page() {
    let app = spawn_app();
    let page = |path: &'static str| {
        let req = app.client.get(app.url(path));
        async move {
            let r = req.send().await.expect("page");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let (s, html) = page("/kiosk").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("class=\"page kiosk"),
        "the kiosk page: {html}"
    );
    let (s, html) = page("/t/no-such-ticket").await;
    assert_eq!(s, 404, "like the API for the same token");
    assert!(html.contains("class=\"page citizen"), "the citizen page");
    assert!(
        html.contains("data-testid=\"not-found\""),
        "an unknown ticket is said so"
    );
    for path in ["/nope", "/kiosk/", "/t/a/b", "/t/"] {
        let (s, html) = page(path).await;
        assert_eq!(s, 404, "{path}");
        assert!(
            html.contains("/pkg/antrean"),
            "{path} is still the app's page"
        );
        assert!(!html.contains("class=\"page kiosk"), "{path}");
    }
}

#[tokio::test]
async fn unknown_api_routes_get_a_json_404() {
    let app = spawn_app();
    let (status, body) = app.get_json("/api/nope").await;
    assert_eq!(status, 404);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_schema_and_data_survive_a_restart_on_disk() {
    let dir = crate::helpers::TempDir::new();
    let app = crate::helpers::spawn_app_with(crate::helpers::Db::Disk(&dir.0), 0);
    let (_, h) = app.get_json("/api/health").await;
    assert_eq!(
        h["database"]["schema_version"],
        server::store::SCHEMA_VERSION
    );
    drop(app);
    let again = crate::helpers::spawn_app_with(crate::helpers::Db::Disk(&dir.0), 0);
    let (status, h) = again.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        h["database"]["schema_version"],
        server::store::SCHEMA_VERSION
    );
}
