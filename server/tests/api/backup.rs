//! The office's backup: downloaded by an admin while the server runs, restored with
//! `antrean restore FILE` into an empty store, where every ticket, file, survey answer and
//! account is found again; a store with data refuses a restore.

use app::domain::mutation::DeviceRole;
use app::domain::ticket::TicketCommand;

use crate::helpers::*;

fn restore(dir: &std::path::Path, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_antrean"))
        .arg("restore")
        .arg(file)
        .env("ANTREAN_DATA_DIR", dir)
        .env_remove("ANTREAN_DB_URL")
        .output()
        .expect("run antrean restore")
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_store_with_every_ticket_file_answer_and_account() {
    let dir = TempDir::new();
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let admin = app.admin().await;
    // A ticket still waiting, and a file accepted, collected and rated.
    let (mut kiosk, _, waiting) = app.kiosk_with_ticket().await;
    let (ticket, token) = app.issue_at(&mut kiosk, 2).await;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let steps = vec![
        counter.command(ticket, TicketCommand::Call { loket: loket(1) }),
        counter.command(ticket, TicketCommand::Start),
        counter.command(ticket, accept_ktp()),
        counter.command(ticket, TicketCommand::MarkReady),
        counter.command(ticket, TicketCommand::CallPickup { loket: loket(1) }),
        counter.command(ticket, TicketCommand::HandOver),
    ];
    app.push(counter.id, steps).await.expect("serve");
    let scores = serde_json::json!({ "scores": [4, 4, 3, 4, 4, 3, 4, 3, 4] });
    let (s, _) = app
        .post(&format!("/api/t/{}/survey", token.as_str()), &scores)
        .await;
    assert_eq!(s, 200);
    let (_, before_waiting) = app.get_json(&format!("/api/t/{}", waiting.as_str())).await;
    let (_, before_done) = app.get_json(&format!("/api/t/{}", token.as_str())).await;

    // Only an admin downloads it.
    let supervisor = app.staff("kasi", "supervisor").await;
    let (s, _, _) = app.get_text_as(&supervisor, "/api/admin/backup").await;
    assert_eq!(s, 403);
    let (s, disposition, sql) = app.get_text_as(&admin, "/api/admin/backup").await;
    assert_eq!(s, 200);
    assert!(
        disposition.starts_with("attachment; filename=\"antrean-")
            && disposition.ends_with(".surql\""),
        "{disposition}"
    );
    assert!(
        sql.contains("DEFINE TABLE"),
        "not an export: {}",
        &sql[..sql.len().min(200)]
    );
    let file = dir.0.join("backup.surql");
    std::fs::write(&file, &sql).expect("write the backup");
    let (_, audit) = app.get_as(&admin, "/api/audit?limit=5").await;
    assert!(audit.to_string().contains("downloaded_backup"), "{audit}");

    // A store with data refuses it, and keeps its data.
    drop(app);
    let out = restore(&dir.0, &file);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An empty one takes it, and the server started on it serves the same office.
    let fresh = TempDir::new();
    let out = restore(&fresh.0, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = spawn_app_with(Db::Disk(&fresh.0), 0);
    let (s, after_waiting) = app.get_json(&format!("/api/t/{}", waiting.as_str())).await;
    assert_eq!(s, 200, "{after_waiting}");
    assert_eq!(after_waiting["status"], before_waiting["status"]);
    assert_eq!(after_waiting["number"], before_waiting["number"]);
    let (_, after_done) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(after_done["status"], before_done["status"]);
    assert_eq!(after_done["receipt"], before_done["receipt"]);
    assert_eq!(
        after_done["survey_open"], false,
        "the answer came back: {after_done}"
    );
    // The accounts came back: the admin signs in with the same password and sees the
    // answer in the index.
    let admin = app
        .login("admin", PASSWORD)
        .await
        .expect("the admin signs in");
    let (_, ikm) = app.get_as(&admin, "/api/ikm").await;
    assert_eq!(ikm["overall"]["respondents"], 1, "{ikm}");
}
