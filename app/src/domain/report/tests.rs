//! A month of an office, generated and closed day by day as the server does, whose report
//! is checked against figures worked out by hand below.

use jiff::civil::{date, Date};
use jiff::tz;

use super::super::authority::Authority;
use super::super::fixtures::{self, issue_kind};
use super::super::hlc::Hlc;
use super::super::ids::{ClientId, LoketId, RequirementId, ServiceCode, TicketId};
use super::super::ikm::{Grade, SurveyAnswer};
use super::super::mutation::{Event, MutationKind};
use super::super::replica::Replica;
use super::super::ticket::{Priority, TicketCommand as C};
use super::csv::{self, Table};
use super::*;

fn wita(d: Date, h: i8, m: i8) -> i64 {
    tz::offset(8)
        .to_timestamp(d.at(h, m, 0, 0))
        .unwrap()
        .as_millisecond()
}

fn loket(n: u8) -> LoketId {
    LoketId::new(n).unwrap()
}

fn req(id: &str) -> RequirementId {
    RequirementId::parse(id).unwrap()
}

/// The office: its authority, the log since the last close, and the facts each close
/// stored.
struct Office {
    auth: Authority,
    /// The open state at the last close: where the next tally starts.
    start: Replica,
    log: Vec<Logged>,
    facts: Vec<DayFacts>,
    next_id: u8,
}

impl Office {
    fn new() -> Self {
        Self {
            auth: Authority::new(fixtures::rules()),
            start: Replica::default(),
            log: Vec::new(),
            facts: Vec::new(),
            next_id: 1,
        }
    }

    fn record(
        &mut self,
        ticket: TicketId,
        kind: super::super::ticket::EventKind,
        ms: i64,
        officer: Option<&str>,
    ) {
        let e = Event {
            seq: self.auth.replica.cursor() + 1,
            at: Hlc {
                wall_ms: ms,
                counter: 0,
                client: ClientId::from_random_bytes([7; 16]),
            },
            ticket,
            kind,
        };
        assert!(self.auth.replica.apply(&e));
        self.log.push(Logged {
            event: e,
            officer: officer.map(str::to_owned),
        });
    }

    fn act(&mut self, kind: MutationKind, ms: i64, officer: Option<&str>) -> TicketId {
        let at = Hlc {
            wall_ms: ms,
            counter: 0,
            client: ClientId::from_random_bytes([7; 16]),
        };
        let (id, e) = self
            .auth
            .replica
            .decide(&kind, at, &self.auth.rules)
            .expect("decided");
        self.record(id, e, ms, officer);
        id
    }

    fn issue(&mut self, n: u16, ms: i64) -> TicketId {
        let id_byte = self.next_id;
        self.next_id += 1;
        self.act(issue_kind(n, id_byte, Priority::Regular), ms, None)
    }

    fn at_loket(&mut self, id: TicketId, l: u8, command: C, ms: i64, officer: &str) {
        let kind = MutationKind::Ticket {
            ticket: id,
            command,
            loket: Some(loket(l)),
        };
        self.act(kind, ms, Some(officer));
    }

    /// The day's close as `closing::run` does it: plan, tally from the last close's open
    /// state, commit.
    fn close(&mut self, day: Date) {
        let now = self.auth.rules.calendar.closes_at(day).as_millisecond();
        let plan = self.auth.plan_close(day, now);
        for e in &plan.events {
            self.log.push(Logged {
                event: e.clone(),
                officer: None,
            });
        }
        let as_of = self.auth.rules.calendar.closes_at(day);
        self.facts.extend(tally(
            self.start.clone(),
            &self.log,
            &self.auth.rules,
            day..=day,
            as_of,
        ));
        self.log.clear();
        self.auth.commit_close(plan);
        self.start = self.auth.replica.clone();
    }
}

fn b_service() -> ServiceCode {
    ServiceCode::parse("legalisir-kk").unwrap()
}

/// December 2026 at one office. Working days: Monday to Friday except the 24th and 25th
/// (cuti bersama, Christmas): 21. On each of them but Monday the 14th (no citizen came):
/// - A-001 comes at 08:00, is called at Loket 1 by wayan at 08:20, served from 08:21,
///   accepted at 08:31; the copy is ready at 10:00 (marked by wayan) and handed over at
///   Loket 1 at 11:00 after a pickup call at 10:59;
/// - A-002 comes at 08:10, is called at Loket 2 by made at 08:40, does not come (08:45),
///   and is not served when the day closes.
///
/// Thursday 3rd: A-003 comes at 09:00, is called at Loket 1 at 09:05, served from 09:06
/// and transferred to Legalisir KK at 09:10; it keeps its place (queued since 09:00), is
/// called at Loket 3 by komang at 09:20, served from 09:21 and accepted at 09:25; its copy
/// is never made ready: due Friday 4th at closing time (13:00), it is overdue.
///
/// Monday 7th: A-003 comes at 09:00, is called at 09:10 at Loket 1, served from 09:11
/// and returned at 09:15 without its photocopy; it rejoins at 10:00, is called at 10:05,
/// served from 10:06 and returned again at 10:10 without the photocopy and the original
/// card; it does not come back and expires at Thursday 10th's close.
fn december() -> Office {
    let mut o = Office::new();
    let cal = o.auth.rules.calendar.clone();
    let mut day = date(2026, 12, 1);
    while day <= date(2026, 12, 31) {
        if cal.is_working_day(day) && day != date(2026, 12, 14) {
            let a1 = o.issue(1, wita(day, 8, 0));
            let a2 = o.issue(2, wita(day, 8, 10));
            o.at_loket(
                a1,
                1,
                C::Call { loket: loket(1) },
                wita(day, 8, 20),
                "wayan",
            );
            o.at_loket(a1, 1, C::Start, wita(day, 8, 21), "wayan");
            o.at_loket(
                a1,
                1,
                fixtures::accept_all(&o.auth.rules),
                wita(day, 8, 31),
                "wayan",
            );
            o.at_loket(a2, 2, C::Call { loket: loket(2) }, wita(day, 8, 40), "made");
            o.at_loket(a2, 2, C::NoShow, wita(day, 8, 45), "made");
            o.at_loket(a1, 1, C::MarkReady, wita(day, 10, 0), "wayan");
            if day == date(2026, 12, 3) {
                let a3 = o.issue(3, wita(day, 9, 0));
                o.at_loket(a3, 1, C::Call { loket: loket(1) }, wita(day, 9, 5), "wayan");
                o.at_loket(a3, 1, C::Start, wita(day, 9, 6), "wayan");
                o.at_loket(
                    a3,
                    1,
                    C::Transfer {
                        service: b_service(),
                        loket: None,
                    },
                    wita(day, 9, 10),
                    "wayan",
                );
                o.at_loket(
                    a3,
                    3,
                    C::Call { loket: loket(3) },
                    wita(day, 9, 20),
                    "komang",
                );
                o.at_loket(a3, 3, C::Start, wita(day, 9, 21), "komang");
                let checked = o
                    .auth
                    .rules
                    .catalogue
                    .service(&b_service())
                    .unwrap()
                    .requirements
                    .iter()
                    .map(|r| r.id.clone())
                    .collect();
                o.at_loket(a3, 3, C::Accept { checked }, wita(day, 9, 25), "komang");
            }
            if day == date(2026, 12, 7) {
                let a3 = o.issue(3, wita(day, 9, 0));
                o.at_loket(
                    a3,
                    1,
                    C::Call { loket: loket(1) },
                    wita(day, 9, 10),
                    "wayan",
                );
                o.at_loket(a3, 1, C::Start, wita(day, 9, 11), "wayan");
                o.at_loket(
                    a3,
                    1,
                    C::ReturnIncomplete {
                        missing: vec![req("fotokopi-ktp-el")],
                    },
                    wita(day, 9, 15),
                    "wayan",
                );
                o.act(
                    MutationKind::Ticket {
                        ticket: a3,
                        command: C::Rejoin,
                        loket: None,
                    },
                    wita(day, 10, 0),
                    None,
                );
                o.at_loket(
                    a3,
                    1,
                    C::Call { loket: loket(1) },
                    wita(day, 10, 5),
                    "wayan",
                );
                o.at_loket(a3, 1, C::Start, wita(day, 10, 6), "wayan");
                o.at_loket(
                    a3,
                    1,
                    C::ReturnIncomplete {
                        missing: vec![req("fotokopi-ktp-el"), req("ktp-el-asli")],
                    },
                    wita(day, 10, 10),
                    "wayan",
                );
            }
            o.at_loket(
                a1,
                1,
                C::CallPickup { loket: loket(1) },
                wita(day, 10, 59),
                "wayan",
            );
            o.at_loket(a1, 1, C::HandOver, wita(day, 11, 0), "wayan");
        }
        o.close(day);
        day = day.tomorrow().unwrap();
    }
    o
}

fn answer(s: [u8; 9]) -> SurveyAnswer {
    SurveyAnswer::new(s).unwrap()
}

#[test]
fn a_month_of_an_office_reports_what_was_worked_out_by_hand() {
    let o = december();
    let rules = &o.auth.rules;
    assert!(!rules.calendar.is_working_day(date(2026, 12, 24)));
    assert!(!rules.calendar.is_working_day(date(2026, 12, 25)));
    let surveys = vec![
        (fixtures::ktp(), answer([4, 3, 3, 4, 4, 3, 3, 2, 3])),
        (fixtures::ktp(), answer([3, 3, 3, 4, 3, 3, 3, 3, 3])),
    ];
    let r = build(
        &o.facts,
        &surveys,
        &rules.catalogue,
        &rules.calendar,
        date(2026, 12, 1),
        date(2026, 12, 31),
    );
    let c = r.totals.counts;
    // 20 days with two tickets, one more on the 3rd and on the 7th.
    assert_eq!(c.issued, 42);
    // A-001 daily, A-003 twice on the 3rd (two services) and twice on the 7th.
    assert_eq!(c.served, 24);
    assert_eq!((c.no_shows, c.not_served), (20, 20));
    assert_eq!((c.returned, c.transferred, c.expired), (2, 1, 1));
    assert_eq!(
        (c.accepted, c.ready, c.ready_on_time, c.collected),
        (21, 20, 20, 20)
    );
    // Waits: 20 × 20 min, 20 × 30 min, and 5, 20 (the transfer keeps its place from
    // 09:00), 10, 5: 44 values; the 22nd and 23rd are 20 min, the 40th is 30 min.
    assert_eq!(r.totals.wait.count, 44);
    assert_eq!(r.totals.wait.median_s, Some(1200));
    assert_eq!(r.totals.wait.p90_s, Some(1800));
    // Services: 20 × 10 min and four of 4 min (transfer, KK accept, two returns).
    assert_eq!(r.totals.service_time.count, 24);
    assert_eq!(r.totals.service_time.median_s, Some(600));
    assert_eq!(r.totals.service_time.p90_s, Some(600));
    assert_eq!(r.totals.on_time_percent(), Some(100.0));

    // Per service: the transferred ticket was issued as KTP-el and served for KK.
    let ktp = &r.by_service[r
        .by_service
        .iter()
        .position(|x| x.key == "legalisir-ktp-el")
        .unwrap()];
    let kk = &r.by_service[r
        .by_service
        .iter()
        .position(|x| x.key == "legalisir-kk")
        .unwrap()];
    assert_eq!(
        (ktp.counts.issued, ktp.counts.served, ktp.counts.accepted),
        (42, 23, 20)
    );
    assert_eq!(
        (kk.counts.issued, kk.counts.served, kk.counts.accepted),
        (0, 1, 1)
    );
    assert_eq!(kk.wait.median_s, Some(1200));

    // Per loket and officer.
    let keys: Vec<&str> = r.by_loket.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["1", "2", "3"]);
    assert_eq!(
        (r.by_loket[0].counts.served, r.by_loket[0].counts.collected),
        (23, 20)
    );
    assert_eq!(
        (r.by_loket[1].counts.served, r.by_loket[1].counts.no_shows),
        (0, 20)
    );
    assert_eq!(r.by_loket[1].wait.median_s, Some(1800));
    assert_eq!(r.by_loket[2].counts.served, 1);
    let officers: Vec<&str> = r.by_officer.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(officers, ["komang", "made", "wayan"]);
    // wayan also marked every copy ready (no loket: counted for the officer only).
    assert_eq!(
        (r.by_officer[2].counts.served, r.by_officer[2].counts.ready),
        (23, 20)
    );
    assert_eq!(r.by_loket[0].counts.ready, 0);

    // The photocopy was missing twice, the original card once.
    let missing: Vec<(&str, u32)> = r
        .missing
        .iter()
        .map(|m| (m.requirement.id.as_str(), m.count))
        .collect();
    assert_eq!(missing, [("Fotokopi KTP-el", 2), ("KTP-el asli", 1)]);

    // The KK file accepted on the 3rd was due on Friday the 4th at 13:00.
    assert_eq!(r.overdue.len(), 1);
    assert_eq!(r.overdue[0].receipt, "20261203-A-003");
    assert_eq!(
        r.overdue[0].due.as_millisecond(),
        wita(date(2026, 12, 4), 13, 0)
    );
    assert_eq!(r.overdue[0].ready_at, None);

    // Every calendar day, with the holidays and the empty Monday.
    assert_eq!(r.daily.len(), 31);
    let d = |n: usize| &r.daily[n - 1];
    assert_eq!((d(3).issued, d(3).served), (3, 3));
    assert_eq!((d(14).working, d(14).issued), (true, 0));
    assert_eq!(
        (d(24).working, d(25).working, d(24).issued),
        (false, false, 0)
    );
    assert_eq!(r.daily.iter().map(|d| d.issued).sum::<u32>(), 42);
    // Issued at 08:00 and 08:10 daily, and two at 09:00.
    assert_eq!((r.issued_by_hour[8], r.issued_by_hour[9]), (40, 2));
    // Classes 0–5, 5–10, 10–15, 15–30, 30–60, 60+ minutes.
    assert_eq!(r.wait_classes, [0, 2, 1, 21, 20, 0]);

    let k = r.ikm.as_ref().unwrap();
    assert_eq!((k.respondents, k.grade), (2, Grade::B));
    assert_eq!(r.ikm_by_service.len(), 1);

    // A period inside the month sees only its days: the first week.
    let week = build(
        &o.facts,
        &[],
        &rules.catalogue,
        &rules.calendar,
        date(2026, 12, 1),
        date(2026, 12, 6),
    );
    assert_eq!(week.totals.counts.issued, 9);
    assert_eq!(week.overdue.len(), 1);
    assert!(week.ikm.is_none());
}

#[test]
fn the_csv_carries_the_tables_numbers_with_decimal_commas() {
    let o = december();
    let rules = &o.auth.rules;
    let r = build(
        &o.facts,
        &[(fixtures::ktp(), answer([4, 3, 3, 4, 4, 3, 3, 2, 3]))],
        &rules.catalogue,
        &rules.calendar,
        date(2026, 12, 1),
        date(2026, 12, 31),
    );
    let services = csv::table(
        &r,
        Table::Services,
        &rules.calendar,
        super::super::i18n::Lang::Id,
    );
    assert!(services.starts_with('\u{feff}'));
    let lines: Vec<&str> = services
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    assert!(lines[0].starts_with("Layanan;Diterbitkan;Dilayani;"));
    let total: Vec<&str> = lines[3].split(';').collect();
    assert_eq!(total[0], "Jumlah");
    // Issued, served, not served, no-shows, returned, accepted, ready, collected,
    // transferred, expired; then the median and p90 waits and services in minutes; the
    // share on time.
    assert_eq!(
        &total[1..11],
        ["42", "24", "20", "20", "2", "21", "20", "20", "1", "1"]
    );
    assert_eq!(&total[11..], ["20,0", "30,0", "10,0", "10,0", "100,0"]);
    let overdue = csv::table(
        &r,
        Table::Overdue,
        &rules.calendar,
        super::super::i18n::Lang::Id,
    );
    assert!(
        overdue.contains("legalisir-kk;20261203-A-003;2026-12-03 09:25;2026-12-04 13:00;belum\r\n"),
        "{overdue}"
    );
    let ikm = csv::table(
        &r,
        Table::Ikm,
        &rules.calendar,
        super::super::i18n::Lang::Id,
    );
    assert!(ikm.contains("Nilai konversi (25–100);;;80,56\r\n"), "{ikm}");
}

#[test]
fn events_that_reach_the_server_after_their_days_close_are_added_to_that_day() {
    let mut o = Office::new();
    let mon = date(2026, 11, 30);
    o.close(mon);
    // A kiosk that was offline on Monday sends its ticket on Tuesday morning, dated Monday.
    let id = o.issue(9, wita(mon, 14, 0));
    let tue = date(2026, 12, 1);
    o.close(tue);
    let r = build(
        &o.facts,
        &[],
        &o.auth.rules.catalogue,
        &o.auth.rules.calendar,
        mon,
        mon,
    );
    assert_eq!(r.totals.counts.issued, 1);
    let _ = id;
}
