//! The systemd unit the README installs (`deploy/antrean.service`): systemd accepts it as
//! written, and the server starts with its settings (paths moved to a temporary
//! directory), serving plain HTTP and HTTPS as the unit asks. The container file
//! (`deploy/Containerfile`) carries the same settings, ports and stop signal.

use std::process::Command;

use crate::helpers::*;

const UNIT: &str = include_str!("../../../deploy/antrean.service");
const CONTAINER: &str = include_str!("../../../deploy/Containerfile");

/// The container file's instruction `name`'s arguments, one entry per line.
fn instruction(name: &str) -> Vec<String> {
    CONTAINER
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{name} ")))
        .map(|a| a.trim().to_owned())
        .collect()
}

#[test]
fn the_container_runs_the_server_as_the_unit_does() {
    let env: Vec<(String, String)> = instruction("ENV")
        .iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("ENV KEY=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    assert_eq!(env, environment(), "the same settings, in the same order");
    let port = |key: &str| {
        let (_, v) = env.iter().find(|(k, _)| k == key).expect(key);
        v.rsplit(':').next().expect("host:port").to_owned()
    };
    let exposed: Vec<String> = instruction("EXPOSE")
        .iter()
        .flat_map(|a| a.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    assert_eq!(exposed, [port("ANTREAN_ADDR"), port("ANTREAN_TLS_ADDR")]);
    let data = env
        .iter()
        .find(|(k, _)| k == "ANTREAN_DATA_DIR")
        .expect("data");
    assert_eq!(
        instruction("VOLUME"),
        [data.1.as_str()],
        "the data is a volume"
    );
    assert_eq!(instruction("STOPSIGNAL"), ["SIGTERM"]);
    assert!(UNIT.contains("KillSignal=SIGTERM"));
    // It runs what the README's build leaves where the file copies it from, unprivileged.
    assert_eq!(instruction("ENTRYPOINT"), [r#"["/usr/local/bin/antrean"]"#]);
    assert!(instruction("COPY").contains(&"target/antrean /usr/local/bin/antrean".to_owned()));
    assert_eq!(instruction("USER"), ["antrean"]);
}

/// The unit's `Environment=` settings, in order.
fn environment() -> Vec<(String, String)> {
    UNIT.lines()
        .filter_map(|l| l.strip_prefix("Environment="))
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("KEY=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[test]
fn systemd_accepts_the_unit_without_a_warning() {
    let dir = TempDir::new();
    let unit = UNIT.replace(
        "ExecStart=/usr/local/bin/antrean",
        &format!("ExecStart={}", env!("CARGO_BIN_EXE_antrean")),
    );
    let path = dir.0.join("antrean.service");
    std::fs::write(&path, unit).expect("write the unit");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (package systemd) runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Unknown keys and bad values are only warnings: none may concern this unit.
    let about_unit: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("antrean.service"))
        .collect();
    assert!(about_unit.is_empty(), "{about_unit:?}");
}

#[tokio::test]
async fn the_server_starts_with_the_units_settings() {
    let env = environment();
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "ANTREAN_DATA_DIR",
        "LEPTOS_SITE_ROOT",
        "ANTREAN_ADDR",
        "ANTREAN_TLS_ADDR",
    ] {
        assert!(keys.contains(&k), "the unit sets {k}");
    }
    // The same settings, with the machine's paths and ports moved out of the way.
    let data = TempDir::new();
    let tls_port = free_port();
    let tls_addr = format!("127.0.0.1:{tls_port}");
    let moved: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k != "ANTREAN_ADDR" && k != "ANTREAN_DATA_DIR")
        .map(|(k, v)| match k.as_str() {
            "ANTREAN_TLS_ADDR" => (k, tls_addr.clone()),
            "LEPTOS_SITE_ROOT" => (k, data.0.join("site").display().to_string()),
            _ => (k, v),
        })
        .collect();
    let pairs: Vec<(&str, &str)> = moved
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let app = spawn_app_env(Db::Disk(&data.0), 0, &pairs);
    let r = app
        .client
        .get(app.url("/api/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(r.status(), 200);
    // The TLS authority is kept in the state directory beside the data.
    let authority = app.authority().await;
    assert_eq!(
        std::fs::read_to_string(data.0.join("tls").join("ca.pem")).expect("ca.pem in the data"),
        authority
    );
    let r = trusting(&authority)
        .get(format!("https://localhost:{tls_port}/api/health"))
        .send()
        .await
        .expect("https");
    assert_eq!(r.status(), 200);
}
