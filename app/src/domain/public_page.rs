//! `/layanan`, the office's public page (no sign-in): every service standard with all the
//! components PermenPAN-RB 15/2014 requires published, the satisfaction index of the last
//! month with its grade, and live, per service, how many are waiting and how long a new
//! ticket would wait.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::catalogue::{Office, Service};
use super::i18n::{Lang, Text};
use super::ikm::{Grade, IkmTable};
use super::queue;
use super::replica::{Replica, Rules};

/// One service as the public page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicService {
    pub service: Service,
    /// People waiting in today's line.
    pub waiting: usize,
    /// Minutes a ticket taken now would wait; `None` when the office is closed.
    pub wait_minutes: Option<u32>,
}

/// The satisfaction index of a past period, as the page prints it: words and integers
/// only, so the phone's bundle carries no date or floating-point parsing for it
/// (BENCHMARKS.md, item 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodIkm {
    /// The period in words ("1 November 2026 – 30 November 2026").
    pub words: Text,
    /// The converted value (25–100) in hundredths: 8831 is 88,31.
    pub converted_x100: u32,
    pub grade: Grade,
    pub respondents: u32,
}

impl PeriodIkm {
    pub fn new(
        calendar: &super::calendar::OfficeCalendar,
        from: Date,
        to: Date,
        table: &IkmTable,
    ) -> Self {
        let words = |lang| {
            let day = |d: Date| {
                let w = calendar.date_in_words(d, lang);
                // "Minggu, 1 November 2026" → "1 November 2026".
                w.split_once(", ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or(w)
            };
            format!("{} – {}", day(from), day(to))
        };
        Self {
            words: Text::new(words(Lang::Id), words(Lang::En)),
            converted_x100: (table.converted * 100.0).round().clamp(0.0, 10_000.0) as u32,
            grade: table.grade,
            respondents: table.respondents,
        }
    }

    /// "88,31" (Indonesian) or "88.31" (English).
    pub fn value(&self, lang: Lang) -> String {
        let mark = if lang == Lang::Id { ',' } else { '.' };
        format!(
            "{}{mark}{:02}",
            self.converted_x100 / 100,
            self.converted_x100 % 100
        )
    }
}

/// The public page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicView {
    pub office: Office,
    /// The week's office hours in words.
    pub hours: Text,
    /// Whether the office is open now (a ticket taken now is served today).
    pub open_now: bool,
    pub services: Vec<PublicService>,
    pub ikm: Option<PeriodIkm>,
}

/// The last whole calendar month before the day of `today`: the period the page's index
/// covers.
pub fn last_month(today: Date) -> (Date, Date) {
    let first = today.first_of_month();
    let last = first.yesterday().unwrap_or(first);
    (last.first_of_month(), last)
}

/// The page's data at `now_ms`.
pub fn public_view(
    replica: &Replica,
    rules: &Rules,
    now_ms: i64,
    ikm: Option<PeriodIkm>,
) -> PublicView {
    let now = jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default();
    let today = rules.calendar.service_day(now);
    let open_now = rules.calendar.is_open(now);
    let services = rules
        .catalogue
        .offered()
        .map(|s| {
            let waiting =
                queue::waiting_line(replica, rules, std::slice::from_ref(&s.code), None, today)
                    .len();
            let wait_minutes = open_now.then(|| {
                queue::expected_wait_minutes(
                    waiting,
                    &replica.durations(&s.code),
                    queue::open_lokets(replica, &s.code, now_ms),
                    &rules.catalogue.policy,
                )
            });
            PublicService {
                service: s.clone(),
                waiting,
                wait_minutes,
            }
        })
        .collect();
    PublicView {
        office: rules.catalogue.office.clone(),
        hours: Text::new(
            rules.calendar.week_in_words(Lang::Id),
            rules.calendar.week_in_words(Lang::En),
        ),
        open_now,
        services,
        ikm,
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::super::fixtures::{self, decide_and_apply, issue_kind};
    use super::super::ticket::Priority;
    use super::*;

    fn wita(d: Date, h: i8, m: i8) -> i64 {
        jiff::tz::offset(8)
            .to_timestamp(d.at(h, m, 0, 0))
            .unwrap()
            .as_millisecond()
    }

    #[test]
    fn the_index_covers_the_last_whole_month() {
        assert_eq!(
            last_month(date(2026, 12, 3)),
            (date(2026, 11, 1), date(2026, 11, 30))
        );
        assert_eq!(
            last_month(date(2027, 1, 1)),
            (date(2026, 12, 1), date(2026, 12, 31))
        );
        let rules = fixtures::rules();
        let answer = super::super::ikm::SurveyAnswer::new([4; 9]).unwrap();
        let table = super::super::ikm::tabulate(&[answer]).unwrap();
        let p = PeriodIkm::new(
            &rules.calendar,
            date(2026, 11, 1),
            date(2026, 11, 30),
            &table,
        );
        assert_eq!(p.words.id, "1 November 2026 – 30 November 2026");
        assert_eq!(
            (p.value(Lang::Id), p.value(Lang::En)),
            ("100,00".to_owned(), "100.00".to_owned())
        );
        assert_eq!((p.grade, p.respondents), (super::super::ikm::Grade::A, 1));
    }

    #[test]
    fn each_service_shows_its_line_and_a_new_tickets_wait_while_open() {
        let rules = fixtures::rules();
        let mut r = Replica::default();
        let tue = date(2026, 12, 1);
        for n in 1..=3 {
            decide_and_apply(
                &mut r,
                &rules,
                &issue_kind(n, n as u8, Priority::Regular),
                wita(tue, 8, 0),
            );
        }
        let v = public_view(&r, &rules, wita(tue, 9, 0), None);
        assert!(v.open_now);
        let ktp = &v.services[0];
        assert_eq!(ktp.waiting, 3);
        // Three ahead at the seed's 5 minutes each, one loket.
        assert_eq!(ktp.wait_minutes, Some(15));
        assert_eq!(v.services[1].waiting, 0);
        assert_eq!(v.services[1].wait_minutes, Some(0));
        // Every component of the standard travels with the page.
        assert!(!ktp.service.requirements.is_empty());
        assert_eq!(ktp.service.procedure.len(), 5);
        assert!(!ktp.service.complaint_channels.is_empty());
        // At night the office is closed: no wait is promised, and yesterday's line is
        // not today's.
        let night = public_view(&r, &rules, wita(date(2026, 12, 2), 20, 0), None);
        assert!(!night.open_now);
        assert_eq!(night.services[0].waiting, 0);
        assert_eq!(night.services[0].wait_minutes, None);
        // A service no longer offered is not published.
        let retired = Rules::new(
            rules
                .catalogue
                .with_service_offered(&fixtures::ktp(), false)
                .unwrap(),
        );
        let v = public_view(&r, &retired, wita(tue, 9, 0), None);
        assert!(v.services.iter().all(|s| s.service.code != fixtures::ktp()));
        assert_eq!(v.services.len(), rules.catalogue.services.len() - 1);
    }
}
