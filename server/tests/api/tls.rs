//! HTTPS on the office LAN (the tablets' offline shell needs a secure context): the server
//! serves over TLS with a certificate its own local authority signed, gives that authority
//! at `/ca.crt`, and keeps it across restarts, so a tablet trusts it once.

use crate::helpers::*;

fn https_app(dir: &TempDir, port: u16) -> TestApp {
    spawn_app_env(
        Db::Memory,
        0,
        &[
            ("ANTREAN_TLS_ADDR", &format!("127.0.0.1:{port}")),
            ("ANTREAN_TLS_DIR", dir.0.to_str().expect("utf-8 path")),
            ("ANTREAN_TLS_NAMES", "localhost,127.0.0.1"),
        ],
    )
}

#[tokio::test]
async fn the_server_serves_https_under_its_local_authority_and_keeps_it_across_restarts() {
    let dir = TempDir::new();
    let port = free_port();
    let app = https_app(&dir, port);
    let r = app.client.get(app.url("/ca.crt")).send().await.expect("ca");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/x-x509-ca-cert"
    );
    let authority = r.text().await.expect("pem");
    assert!(
        authority.starts_with("-----BEGIN CERTIFICATE-----"),
        "{authority}"
    );
    let tablet = trusting(&authority);
    for host in ["localhost", "127.0.0.1"] {
        let r = tablet
            .get(format!("https://{host}:{port}/kiosk"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{host}: {e:?}"));
        assert_eq!(r.status(), 200, "{host}");
        assert!(r.text().await.expect("page").contains("<html"));
    }
    // The API and the authority itself over HTTPS too.
    let r = tablet
        .get(format!("https://localhost:{port}/api/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(r.status(), 200);
    // A browser that has not installed the authority is refused at the handshake.
    let stranger = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .expect("client");
    assert!(stranger
        .get(format!("https://localhost:{port}/kiosk"))
        .send()
        .await
        .is_err());

    // Restarted: a new server certificate, under the authority the tablet already trusts.
    drop(app);
    let port = free_port();
    let app = https_app(&dir, port);
    let again = app.authority().await;
    assert_eq!(again, authority, "the same authority after a restart");
    let r = tablet
        .get(format!("https://localhost:{port}/kiosk"))
        .send()
        .await
        .expect("trusted after the restart");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn without_https_there_is_no_authority_to_download() {
    let app = spawn_app();
    let r = app.client.get(app.url("/ca.crt")).send().await.expect("ca");
    assert_eq!(r.status(), 404);
}
