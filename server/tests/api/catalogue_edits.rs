//! An admin edits a service's standard: the catalogue's next version is stored (it
//! survives a restart), the open devices are told on their live streams, the audit log
//! names it, and a bad form changes nothing.

use app::domain::catalogue::Catalogue;
use app::domain::catalogue_edit::ServiceEdit;
use app::domain::mutation::DeviceRole;

use crate::helpers::*;
use crate::sync::next_poke;

async fn catalogue_of(app: &TestApp) -> Catalogue {
    let (s, v) = app.get_json("/api/catalogue").await;
    assert_eq!(s, 200, "{v}");
    serde_json::from_value(v).expect("catalogue")
}

#[tokio::test]
async fn a_service_edit_is_the_next_version_and_open_devices_hear_of_it() {
    let dir = TempDir::new();
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let display = DeviceSim::new();
    app.register(display.id, DeviceRole::Display).await;
    let mut ws = app.live(display.id).await;
    let before = catalogue_of(&app).await;
    // A stream starts by saying which catalogue the server holds.
    assert_eq!(next_poke(&mut ws).await.catalogue, before.version);

    let mut edit = ServiceEdit::of(&before, &ktp()).expect("form");
    edit.requirements
        .push_str("\nSurat kuasa (jika diwakilkan) | Power of attorney (if represented)");
    edit.daily_cap = "120".into();
    let admin = app.admin().await;
    let (s, v) = app
        .post_as(&admin, "/api/admin/services/legalisir-ktp-el", &edit)
        .await;
    assert_eq!(s, 200, "{v}");
    let poke = next_poke(&mut ws).await;
    assert_eq!(poke.catalogue, before.version + 1);
    let after = catalogue_of(&app).await;
    assert_eq!(after.version, before.version + 1);
    let s = after.service(&ktp()).expect("service");
    assert_eq!(s.requirements.len(), 3);
    assert_eq!(s.requirements[2].id.as_str(), "surat-kuasa-jika-diwakilkan");
    assert_eq!(s.daily_cap, Some(120));
    let (_, audit) = app.get_as(&admin, "/api/audit?limit=5").await;
    assert!(audit.to_string().contains("changed_service"), "{audit}");

    // A bad form: refused, with the reason, and nothing changes.
    for (path, body, status) in [
        (
            "/api/admin/services/legalisir-ktp-el",
            ServiceEdit {
                lokets: "1, x".into(),
                ..edit.clone()
            },
            400,
        ),
        (
            "/api/admin/services/legalisir-ktp-el",
            ServiceEdit {
                requirements: " ".into(),
                ..edit.clone()
            },
            400,
        ),
        ("/api/admin/services/tidak-ada", edit.clone(), 404),
        ("/api/admin/services/..%2F..", edit.clone(), 404),
    ] {
        let (s, v) = app.post_as(&admin, path, &body).await;
        assert_eq!(s, status, "{path}: {v}");
    }
    let (s, _) = app
        .post_raw_as(
            &admin,
            "/api/admin/services/legalisir-ktp-el",
            "{\"requirements\": 5}",
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(catalogue_of(&app).await, after);

    // Stored: a restart serves the same version.
    drop(ws);
    drop(app);
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    assert_eq!(catalogue_of(&app).await, after);
}

#[tokio::test]
async fn the_office_hours_are_edited_as_the_next_version_and_a_bad_week_is_refused() {
    use app::domain::catalogue_edit::HoursEdit;
    let app = spawn_app();
    let admin = app.admin().await;
    let before = catalogue_of(&app).await;
    let mut week = HoursEdit::of(&before);
    week.days[5] = "08.00–12.00".into();
    let (s, v) = app.post_as(&admin, "/api/admin/hours", &week).await;
    assert_eq!(s, 200, "{v}");
    let after = catalogue_of(&app).await;
    assert_eq!(after.version, before.version + 1);
    let sat = after.calendar.saturday.expect("open on Saturday");
    assert_eq!((sat.open.hour(), sat.close.hour()), (8, 12));
    // The public page says so.
    let (_, public) = app.get_json("/api/public").await;
    assert!(
        public["hours"]["id"]
            .as_str()
            .unwrap_or("")
            .contains("Sabtu 08.00–12.00"),
        "{public}"
    );

    for days in [
        vec!["12.00–08.00".to_owned(); 7],
        vec![String::new(); 7],
        vec!["07.30–15.30".to_owned(); 3],
    ] {
        let (s, v) = app
            .post_as(&admin, "/api/admin/hours", &HoursEdit { days })
            .await;
        assert_eq!(s, 400, "{v}");
    }
    assert_eq!(catalogue_of(&app).await, after);
    let (_, audit) = app.get_as(&admin, "/api/audit?limit=5").await;
    assert!(audit.to_string().contains("changed_hours"), "{audit}");
}
