//! Reports against the real binary: yesterday's figures come from what its close stored
//! (they survive a restart), today's are tallied live, the CSV carries the JSON's numbers,
//! and a bad period is a 400.

use app::domain::ids::{RequirementId, TicketNumber};
use app::domain::mutation::DeviceRole;
use app::domain::report::Report;
use app::domain::ticket::TicketCommand;
use app::domain::time_format::print_date;

use crate::helpers::*;

const DAY_MS: i64 = 86_400_000;

fn days() -> (String, String) {
    let text = always_open(app::domain::catalogue::SEED_TOML);
    let rules = app::domain::replica::Rules::new(
        app::domain::catalogue::Catalogue::from_toml(&text).expect("catalogue"),
    );
    let today = rules
        .calendar
        .service_day(jiff::Timestamp::from_millisecond(now_ms()).expect("now"));
    (
        print_date(today.yesterday().expect("yesterday")),
        print_date(today),
    )
}

async fn report(app: &TestApp, cred: &Cred, from: &str, to: &str) -> Report {
    let (s, v) = app
        .get_as(cred, &format!("/api/reports?from={from}&to={to}"))
        .await;
    assert_eq!(s, 200, "{v}");
    serde_json::from_value(v).expect("report")
}

#[tokio::test]
async fn yesterday_comes_from_its_close_and_today_is_tallied_live() {
    let dir = TempDir::new();
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let (yesterday, today) = days();
    let mut kiosk = DeviceSim::new();
    let series = app.register(kiosk.id, DeviceRole::Kiosk).await.series;
    let mut counter = DeviceSim::new();
    app.register(counter.id, DeviceRole::Counter).await;
    let n = |i| TicketNumber::new('A', series, i).expect("number");

    // Yesterday (sent late, dated then): one collected, one no-show, one returned.
    kiosk.clock_offset_ms = -DAY_MS;
    counter.clock_offset_ms = -DAY_MS;
    let (i1, t1, _) = kiosk.issue(n(1));
    let (i2, t2, _) = kiosk.issue(n(2));
    let (i3, t3, _) = kiosk.issue(n(3));
    app.push(kiosk.id, vec![i1, i2, i3]).await.expect("issue");
    let l1 = || TicketCommand::Call { loket: loket(1) };
    let steps = vec![
        counter.command(t1, l1()),
        counter.command(t1, TicketCommand::Start),
        counter.command(t1, accept_ktp()),
        counter.command(t1, TicketCommand::MarkReady),
        counter.command(t1, TicketCommand::CallPickup { loket: loket(1) }),
        counter.command(t1, TicketCommand::HandOver),
        counter.command(t2, l1()),
        counter.command(t2, TicketCommand::NoShow),
        counter.command(t3, l1()),
        counter.command(t3, TicketCommand::Start),
        counter.command(
            t3,
            TicketCommand::ReturnIncomplete {
                missing: vec![RequirementId::parse("fotokopi-ktp-el").expect("id")],
            },
        ),
    ];
    app.push(counter.id, steps).await.expect("counter");
    let admin = app.admin().await;
    let (s, v) = app.post_as(&admin, "/api/admin/close-day", &()).await;
    assert_eq!(s, 200, "{v}");

    // Today: one ticket, served and accepted.
    kiosk.clock_offset_ms = 0;
    counter.clock_offset_ms = 0;
    let (i4, t4, _) = kiosk.issue(n(1));
    app.push(kiosk.id, vec![i4]).await.expect("issue today");
    let steps = vec![
        counter.command(t4, l1()),
        counter.command(t4, TicketCommand::Start),
        counter.command(t4, accept_ktp()),
    ];
    app.push(counter.id, steps).await.expect("counter today");

    let supervisor = app.staff("kepala", "supervisor").await;
    let both = report(&app, &supervisor, &yesterday, &today).await;
    let c = both.totals.counts;
    assert_eq!((c.issued, c.served, c.accepted), (4, 3, 2));
    assert_eq!((c.no_shows, c.not_served, c.returned), (1, 1, 1));
    assert_eq!((c.ready, c.ready_on_time, c.collected), (1, 1, 1));
    assert_eq!(both.totals.wait.count, 4);
    assert_eq!(both.totals.service_time.count, 3);
    // Every counter action was sent by the officer signed in on the counter.
    let officers: Vec<&str> = both.by_officer.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(officers, ["petugas"]);
    assert_eq!(both.by_officer[0].counts.served, 3);
    let lokets: Vec<&str> = both.by_loket.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(lokets, ["1"]);
    assert_eq!(both.missing.len(), 1);
    assert_eq!(both.missing[0].count, 1);
    let daily: Vec<(u32, u32)> = both.daily.iter().map(|d| (d.issued, d.served)).collect();
    assert_eq!(daily, [(3, 2), (1, 1)]);

    // The CSV carries the same numbers as the table.
    let resp = supervisor
        .apply(app.client.get(app.url(&format!(
            "/api/reports/csv?from={yesterday}&to={today}&table=services"
        ))))
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"laporan-services-"));
    let body = resp.text().await.expect("body");
    let total = body
        .split("\r\n")
        .find(|l| l.starts_with("Jumlah;"))
        .expect("total line");
    let numbers: Vec<&str> = total.split(';').skip(1).take(10).collect();
    let expected: Vec<String> = [
        c.issued,
        c.served,
        c.not_served,
        c.no_shows,
        c.returned,
        c.accepted,
        c.ready,
        c.collected,
        c.transferred,
        c.expired,
    ]
    .iter()
    .map(u32::to_string)
    .collect();
    assert_eq!(numbers, expected);

    // Yesterday alone, after a restart: read from the facts its close stored.
    drop(app);
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let supervisor = app.login("kepala", PASSWORD).await.expect("login");
    let past = report(&app, &supervisor, &yesterday, &yesterday).await;
    let c = past.totals.counts;
    assert_eq!(
        (c.issued, c.served, c.not_served, c.collected),
        (3, 2, 1, 1)
    );
    assert_eq!(past.daily.len(), 1);
}

#[tokio::test]
async fn a_bad_period_or_table_is_a_400_and_an_empty_year_is_zeros() {
    let app = spawn_app();
    let supervisor = app.staff("kepala", "supervisor").await;
    for q in [
        "from=2026-12-31&to=2026-12-01",
        "from=2025-01-01&to=2026-12-31",
        "from=2026-02-30&to=2026-03-01",
        "from=yesterday&to=today",
        "to=2026-12-01",
        "from=2026-12-01&to=2026-12-01&from=2026-12-02",
    ] {
        let (s, v) = app.get_as(&supervisor, &format!("/api/reports?{q}")).await;
        assert_eq!(s, 400, "{q}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
    for q in [
        "table=../../etc/passwd",
        "table=services&lang=fr",
        "lang=id",
    ] {
        let (s, v) = app
            .get_as(
                &supervisor,
                &format!("/api/reports/csv?from=2026-12-01&to=2026-12-31&{q}"),
            )
            .await;
        assert_eq!(s, 400, "{q}: {v}");
    }
    // A full year is one report; an empty one has zeros, not errors.
    let r = report(&app, &supervisor, "2026-01-01", "2026-12-31").await;
    assert_eq!(r.totals.counts.issued, 0);
    assert_eq!(r.daily.len(), 365);
    assert!(r.ikm.is_none());
}

#[tokio::test]
async fn days_closed_before_reports_existed_get_their_reports_from_the_log() {
    // Three closed working days, written as the server writes them (with their facts).
    let dir = history(3, 20);
    let (yesterday, today) = days();
    let from = print_date(
        app::domain::time_format::parse_date(&today)
            .expect("today")
            .checked_sub(jiff::Span::new().days(20))
            .expect("20 days back"),
    );
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let admin = app.admin().await;
    let stored = report(&app, &admin, &from, &yesterday).await;
    assert!(
        stored.totals.counts.issued >= 60,
        "{:?}",
        stored.totals.counts
    );
    drop(app);

    // The same store as an installation from before reports: no facts, nothing rebuilt.
    {
        let mut cfg = server::config::Config::for_tests();
        cfg.database = "main".into();
        cfg.storage = server::config::Storage::Disk(dir.0.clone());
        let store = server::store::Store::open(&cfg).await.expect("store");
        store
            .db()
            .query("DELETE report_day; UPDATE meta:reports SET report_backfill = NONE;")
            .await
            .expect("query")
            .check()
            .expect("deleted");
        store.close().await.expect("closed");
    }
    let app = spawn_app_with(Db::Disk(&dir.0), 0);
    let admin = app.admin().await;
    let mut rebuilt = report(&app, &admin, &from, &yesterday).await;
    for _ in 0..100 {
        if rebuilt.totals.counts.issued > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        rebuilt = report(&app, &admin, &from, &yesterday).await;
    }
    assert_eq!(
        serde_json::to_value(&rebuilt).expect("json"),
        serde_json::to_value(&stored).expect("json"),
        "the rebuilt report is the one the closes had stored"
    );
    let log = app.log.lock().expect("log").clone();
    assert!(
        log.contains("reports of days closed before schema 8 rebuilt"),
        "{log}"
    );
}
