//! An admin edits a service's standard: the catalogue's next version is stored (it
//! survives a restart), the open devices are told on their live streams, the audit log
//! names it, and a bad form changes nothing.

use app::domain::catalogue::Catalogue;
use app::domain::catalogue_edit::{NewService, Offered, ServiceEdit};
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

#[tokio::test]
async fn an_admin_adds_a_service_and_stops_offering_one_while_its_tickets_stay_served() {
    let app = spawn_app();
    let admin = app.admin().await;
    // A ticket issued for the KTP service before it is retired is still served after.
    let (kiosk, _, token) = app.kiosk_with_ticket().await;
    let mut ws = app.live(kiosk.id).await;
    let before = catalogue_of(&app).await;
    assert_eq!(next_poke(&mut ws).await.catalogue, before.version);

    let mut form = ServiceEdit::of(&before, &ktp()).expect("form");
    form.name = "Legalisir Akta Kelahiran | Certified copy of a birth certificate".into();
    form.requirements = "Akta kelahiran asli | Original birth certificate".into();
    form.lokets = "3".into();
    let new = NewService {
        prefix: "c".into(),
        edit: form.clone(),
    };
    let (s, v) = app.post_as(&admin, "/api/admin/services", &new).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(next_poke(&mut ws).await.catalogue, before.version + 1);
    let added = catalogue_of(&app).await;
    let s = added
        .offered()
        .find(|s| s.prefix == 'C')
        .expect("the new service is offered");
    assert_eq!(s.code.as_str(), "legalisir-akta-kelahiran");
    assert_eq!(s.lokets.iter().map(|l| l.get()).collect::<Vec<_>>(), [3]);
    // The public page publishes it.
    let (_, public) = app.get_json("/api/public").await;
    assert!(
        public.to_string().contains("Legalisir Akta Kelahiran"),
        "{public}"
    );

    // Refused, and nothing changes: a letter in use, no name, someone else's role.
    let taken = NewService {
        prefix: "C".into(),
        edit: form.clone(),
    };
    let (s, v) = app.post_as(&admin, "/api/admin/services", &taken).await;
    assert_eq!(s, 400, "{v}");
    let nameless = NewService {
        prefix: "D".into(),
        edit: ServiceEdit {
            name: String::new(),
            ..form.clone()
        },
    };
    let (s, v) = app.post_as(&admin, "/api/admin/services", &nameless).await;
    assert_eq!(s, 400, "{v}");
    let supervisor = app.staff("kasi", "supervisor").await;
    let (s, _) = app.post_as(&supervisor, "/api/admin/services", &new).await;
    assert_eq!(s, 403);
    assert_eq!(catalogue_of(&app).await, added);

    let (s, v) = app
        .post_as(
            &admin,
            "/api/admin/services/legalisir-ktp-el/offered",
            &Offered { offered: false },
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let retired = catalogue_of(&app).await;
    assert!(retired.offered().all(|s| s.code != ktp()));
    assert!(retired.service(&ktp()).expect("kept").retired);
    let (_, public) = app.get_json("/api/public").await;
    assert!(!public.to_string().contains("legalisir-ktp-el"), "{public}");
    let (s, v) = app.get_json(&format!("/api/t/{}", token.as_str())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"]["state"], "waiting", "{v}");

    // Every service but one retired: the last cannot go.
    for s in retired
        .offered()
        .map(|s| s.code.clone())
        .collect::<Vec<_>>()
    {
        let path = format!("/api/admin/services/{s}/offered");
        let (status, v) = app
            .post_as(&admin, &path, &Offered { offered: false })
            .await;
        let left = catalogue_of(&app).await.offered().count();
        if left == 1 && status == 400 {
            assert!(v.to_string().contains("at least one service"), "{v}");
        } else {
            assert_eq!(status, 200, "{v}");
        }
    }
    assert_eq!(catalogue_of(&app).await.offered().count(), 1);
    let (s, _) = app
        .post_as(
            &admin,
            "/api/admin/services/tidak-ada/offered",
            &Offered { offered: true },
        )
        .await;
    assert_eq!(s, 404);
    let (_, audit) = app.get_as(&admin, "/api/audit?limit=20").await;
    for action in ["added_service", "retired_service"] {
        assert!(audit.to_string().contains(action), "{action}: {audit}");
    }
}
