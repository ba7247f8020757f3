//! Service days, office hours, working days and the due time of a receipt, all in the
//! office's time zone (WITA, Asia/Makassar, UTC+8).
//!
//! The due-time rule for a completion time of N working days "from the receipt":
//! 1. The acceptance counts on the day it happens if that is a working day and the office
//!    has not yet closed; otherwise it counts on the next working day (so a receipt issued
//!    after closing time, on a weekend or on a holiday starts counting from the next
//!    working day).
//! 2. The copy is due at closing time of the N-th working day after that day.
//!
//! So a receipt issued on Monday 10:00 is due Tuesday at closing time, one issued on Friday
//! afternoon is due Monday at closing time, and one issued on the eve of a holiday skips it.
//! Offices may finish early; the due time is the latest promise printed on the resi.
//!
//! WITA is a fixed UTC+8 (Indonesia has kept no daylight saving time since 1964), so the
//! zone is a fixed offset: no time-zone database has to ship in the WASM bundle.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{self, Offset};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::i18n::Lang;

/// Why a calendar configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the office has no working weekday")]
    NoWorkingDay,
    #[error("on {0} the office closes before it opens")]
    CloseBeforeOpen(String),
    #[error("UTC offset {0} hours is out of range")]
    BadOffset(i8),
}

/// Opening and closing time of one weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    #[serde(with = "super::time_format::time")]
    pub open: Time,
    #[serde(with = "super::time_format::time")]
    pub close: Time,
}

/// The calendar as configured in the catalogue document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeCalendarSpec {
    /// Offset from UTC in hours (8 for WITA).
    pub utc_offset_hours: i8,
    /// Short zone name printed after times ("WITA").
    pub zone_name: String,
    pub monday: Option<Hours>,
    pub tuesday: Option<Hours>,
    pub wednesday: Option<Hours>,
    pub thursday: Option<Hours>,
    pub friday: Option<Hours>,
    #[serde(default)]
    pub saturday: Option<Hours>,
    #[serde(default)]
    pub sunday: Option<Hours>,
    /// Public holidays (national, regional, cuti bersama) the office is closed on.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// A day off, by date, with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    #[serde(with = "super::time_format::date")]
    pub date: Date,
    pub name: String,
}

/// Why a list of holidays typed or pasted by an admin was refused; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayListError {
    /// Not "YYYY-MM-DD name".
    Line {
        line: usize,
    },
    /// The same date twice.
    Twice {
        line: usize,
    },
    TooMany,
}

impl HolidayListError {
    pub fn text(&self) -> super::i18n::Text {
        use super::i18n::Text;
        match self {
            Self::Line { line } => Text::new(
                format!("Baris {line}: tulis tanggal lalu nama, mis. \"2027-01-01 Tahun Baru\"."),
                format!(
                    "Line {line}: write the date, then the name, e.g. \"2027-01-01 New Year\"."
                ),
            ),
            Self::Twice { line } => Text::new(
                format!("Baris {line}: tanggal ini sudah ada di atasnya."),
                format!("Line {line}: this date is already listed above."),
            ),
            Self::TooMany => Text::new(
                format!("Paling banyak {MAX_HOLIDAYS} hari libur."),
                format!("At most {MAX_HOLIDAYS} holidays."),
            ),
        }
    }
}

/// Enough for several years of national, joint and regional days off.
pub const MAX_HOLIDAYS: usize = 500;
/// A holiday's name, as the decree words it.
pub const MAX_HOLIDAY_NAME: usize = 80;

/// Reads a list of holidays, one per line: a date (`YYYY-MM-DD`), then its name, separated
/// by spaces, a tab, a comma or a semicolon (as a spreadsheet exports it). Blank lines and
/// lines starting with `#` are skipped. The result is sorted by date.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, HolidayListError> {
    let mut out: BTreeMap<Date, String> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = HolidayListError::Line { line: i + 1 };
        let (date, name) = line
            .split_once(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .ok_or(bad.clone())?;
        let date = super::time_format::parse_date(date.trim()).map_err(|_| bad.clone())?;
        let name = name
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .trim()
            .trim_matches('"')
            .trim();
        if name.is_empty()
            || name.chars().count() > MAX_HOLIDAY_NAME
            || name.chars().any(char::is_control)
        {
            return Err(bad);
        }
        if out.insert(date, name.to_owned()).is_some() {
            return Err(HolidayListError::Twice { line: i + 1 });
        }
        if out.len() > MAX_HOLIDAYS {
            return Err(HolidayListError::TooMany);
        }
    }
    Ok(out
        .into_iter()
        .map(|(date, name)| Holiday { date, name })
        .collect())
}

/// The list as [`parse_holidays`] reads it: one "YYYY-MM-DD name" per line.
pub fn holidays_text(holidays: &[Holiday]) -> String {
    holidays
        .iter()
        .map(|h| format!("{} {}\n", super::time_format::print_date(h.date), h.name))
        .collect()
}

impl OfficeCalendarSpec {
    /// Validates the spec and builds the calendar.
    pub fn build(&self) -> Result<OfficeCalendar, CalendarError> {
        if !(-12..=14).contains(&self.utc_offset_hours) {
            return Err(CalendarError::BadOffset(self.utc_offset_hours));
        }
        let week = [
            self.monday,
            self.tuesday,
            self.wednesday,
            self.thursday,
            self.friday,
            self.saturday,
            self.sunday,
        ];
        if week.iter().all(Option::is_none) {
            return Err(CalendarError::NoWorkingDay);
        }
        for (i, h) in week.iter().enumerate() {
            if let Some(h) = h {
                if h.close <= h.open {
                    return Err(CalendarError::CloseBeforeOpen(DAY_NAMES_EN[i].to_owned()));
                }
            }
        }
        Ok(OfficeCalendar {
            offset: tz::offset(self.utc_offset_hours),
            zone_name: self.zone_name.clone(),
            week,
            holidays: self
                .holidays
                .iter()
                .map(|h| (h.date, h.name.clone()))
                .collect(),
        })
    }
}

/// The office's time zone, hours and holidays.
#[derive(Debug, Clone)]
pub struct OfficeCalendar {
    /// A fixed offset, not a `TimeZone`: a zone value would bring jiff's time-zone rule
    /// machinery into the browser bundle for an offset that never changes.
    offset: Offset,
    zone_name: String,
    week: [Option<Hours>; 7],
    holidays: BTreeMap<Date, String>,
}

impl Default for OfficeCalendar {
    /// WITA, Monday–Thursday 07:30–15:30, Friday 07:30–13:00, no holidays.
    fn default() -> Self {
        let h = |o: (i8, i8), c: (i8, i8)| {
            Some(Hours {
                open: Time::constant(o.0, o.1, 0, 0),
                close: Time::constant(c.0, c.1, 0, 0),
            })
        };
        let long = h((7, 30), (15, 30));
        Self {
            offset: tz::offset(8),
            zone_name: "WITA".into(),
            week: [long, long, long, long, h((7, 30), (13, 0)), None, None],
            holidays: BTreeMap::new(),
        }
    }
}

pub const DAY_NAMES_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub const DAY_NAMES_ID: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_index(d: Date) -> usize {
    d.weekday().to_monday_zero_offset() as usize
}

impl OfficeCalendar {
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The wall-clock time at the office.
    pub fn local(&self, at: Timestamp) -> DateTime {
        self.offset.to_datetime(at)
    }

    /// The service day a moment belongs to: its date in the office's zone. Ticket numbers
    /// restart at midnight WITA, never in the middle of the office day.
    pub fn service_day(&self, at: Timestamp) -> Date {
        self.local(at).date()
    }

    pub fn hours(&self, d: Date) -> Option<Hours> {
        if self.holidays.contains_key(&d) {
            return None;
        }
        self.week[weekday_index(d)]
    }

    pub fn holiday_name(&self, d: Date) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        self.hours(d).is_some()
    }

    /// Whether the office is open at this moment.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let z = self.local(at);
        self.hours(z.date())
            .is_some_and(|h| z.time() >= h.open && z.time() < h.close)
    }

    /// The first working day strictly after `d`. A calendar always has a working weekday
    /// (checked when built), so at most 7 + the longest run of holidays are skipped; the
    /// bound keeps a pathological holiday list from looping.
    pub fn next_working_day(&self, d: Date) -> Date {
        let mut day = d;
        for _ in 0..800 {
            day = day.tomorrow().unwrap_or(day);
            if self.is_working_day(day) {
                return day;
            }
        }
        day
    }

    /// The day a receipt starts counting from (rule 1 in the module docs).
    pub fn counting_day(&self, accepted_at: Timestamp) -> Date {
        let z = self.local(accepted_at);
        match self.hours(z.date()) {
            Some(h) if z.time() < h.close => z.date(),
            _ => self.next_working_day(z.date()),
        }
    }

    /// The due time of a receipt for a completion time of `working_days` (rule 2).
    pub fn due_time(&self, accepted_at: Timestamp, working_days: u8) -> Timestamp {
        let mut day = self.counting_day(accepted_at);
        for _ in 0..working_days {
            day = self.next_working_day(day);
        }
        let close = self.hours(day).map(|h| h.close).unwrap_or(Time::MIN);
        self.offset
            .to_timestamp(day.to_datetime(close))
            .unwrap_or(accepted_at)
    }

    /// The midnight (office time) that starts a day.
    pub fn starts_at(&self, d: Date) -> Timestamp {
        self.offset
            .to_timestamp(d.to_datetime(Time::MIN))
            .unwrap_or(Timestamp::MIN)
    }

    /// The moment a service day closes: its closing time on a working day, the midnight
    /// that ends it otherwise (tickets issued on a day off still end with their day).
    pub fn closes_at(&self, d: Date) -> Timestamp {
        let local = match self.hours(d) {
            Some(h) => d.to_datetime(h.close),
            None => d.tomorrow().unwrap_or(d).to_datetime(Time::MIN),
        };
        self.offset.to_timestamp(local).unwrap_or(Timestamp::MAX)
    }

    /// A date in words: "Senin, 30 November 2026" / "Monday, 30 November 2026".
    pub fn date_in_words(&self, d: Date, lang: Lang) -> String {
        let (days, months) = match lang {
            Lang::Id => (DAY_NAMES_ID, MONTHS_ID),
            Lang::En => (DAY_NAMES_EN, MONTHS_EN),
        };
        format!(
            "{}, {} {} {}",
            days[weekday_index(d)],
            d.day(),
            months[d.month() as usize - 1],
            d.year()
        )
    }

    /// A moment in words, as printed on the resi: "Selasa, 1 Desember 2026 pukul 15.30 WITA".
    pub fn moment_in_words(&self, at: Timestamp, lang: Lang) -> String {
        let z = self.local(at);
        let date = self.date_in_words(z.date(), lang);
        match lang {
            Lang::Id => format!(
                "{date} pukul {:02}.{:02} {}",
                z.hour(),
                z.minute(),
                self.zone_name
            ),
            Lang::En => format!(
                "{date} at {:02}:{:02} {}",
                z.hour(),
                z.minute(),
                self.zone_name
            ),
        }
    }

    /// The week's office hours, runs of weekdays with the same hours joined: "Senin–Kamis
    /// 07.30–15.30, Jumat 07.30–13.00 WITA" / "Monday–Thursday 07:30–15:30, Friday
    /// 07:30–13:00 WITA".
    pub fn week_in_words(&self, lang: Lang) -> String {
        let names = match lang {
            Lang::Id => DAY_NAMES_ID,
            Lang::En => DAY_NAMES_EN,
        };
        let sep = if lang == Lang::Id { '.' } else { ':' };
        let t = |x: Time| format!("{:02}{sep}{:02}", x.hour(), x.minute());
        let mut runs: Vec<(usize, usize, Hours)> = Vec::new();
        for (i, h) in self.week.iter().enumerate() {
            let Some(h) = *h else { continue };
            match runs.last_mut() {
                Some((_, last, hours)) if *last + 1 == i && *hours == h => *last = i,
                _ => runs.push((i, i, h)),
            }
        }
        let parts: Vec<String> = runs
            .iter()
            .map(|&(a, b, h)| {
                let days = if a == b {
                    names[a].to_string()
                } else {
                    format!("{}–{}", names[a], names[b])
                };
                format!("{days} {}–{}", t(h.open), t(h.close))
            })
            .collect();
        format!("{} {}", parts.join(", "), self.zone_name)
    }

    /// "14.05" — a clock time as Indonesian signage writes it.
    pub fn clock(&self, at: Timestamp) -> String {
        let z = self.local(at);
        format!("{:02}.{:02}", z.hour(), z.minute())
    }
}

/// A moment as "YYYY-MM-DD HH:MM" in WITA (UTC+8, no daylight saving), for logs and tables
/// where no office calendar is at hand.
pub fn format_wita_time(ms: i64) -> String {
    let Ok(t) = Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let z = tz::offset(8).to_datetime(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_holiday_list_is_read_line_by_line_and_refused_with_the_line() {
        let text = "# SKB 2027\n2027-01-01 Tahun Baru 2027 Masehi\n\n2026-12-25,Kelahiran Yesus Kristus\n2027-03-09;\"Hari Suci Nyepi\"\n";
        let list = parse_holidays(text).unwrap();
        assert_eq!(
            list.iter()
                .map(|h| (h.date, h.name.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (date(2026, 12, 25), "Kelahiran Yesus Kristus"),
                (date(2027, 1, 1), "Tahun Baru 2027 Masehi"),
                (date(2027, 3, 9), "Hari Suci Nyepi"),
            ]
        );
        // Written back, it reads the same.
        assert_eq!(parse_holidays(&holidays_text(&list)).unwrap(), list);
        assert_eq!(
            parse_holidays("2027-01-01 Tahun Baru\n2027-13-01 Salah"),
            Err(HolidayListError::Line { line: 2 })
        );
        assert_eq!(
            parse_holidays("2027-01-01"),
            Err(HolidayListError::Line { line: 1 })
        );
        assert_eq!(
            parse_holidays("2027-01-01 A\n2027-01-01 B"),
            Err(HolidayListError::Twice { line: 2 })
        );
        let many: String = (0..=MAX_HOLIDAYS)
            .map(|i| {
                format!(
                    "{} Libur\n",
                    super::super::time_format::print_date(
                        date(2027, 1, 1)
                            .checked_add(jiff::Span::new().days(i as i64))
                            .unwrap()
                    )
                )
            })
            .collect();
        assert_eq!(parse_holidays(&many), Err(HolidayListError::TooMany));
        assert!(HolidayListError::Line { line: 3 }
            .text()
            .id
            .contains("Baris 3"));
    }

    #[test]
    fn the_week_reads_as_runs_of_days_with_the_same_hours() {
        let c = OfficeCalendar::default();
        assert_eq!(
            c.week_in_words(Lang::Id),
            "Senin–Kamis 07.30–15.30, Jumat 07.30–13.00 WITA"
        );
        assert_eq!(
            c.week_in_words(Lang::En),
            "Monday–Thursday 07:30–15:30, Friday 07:30–13:00 WITA"
        );
    }

    #[test]
    fn wita_stamps_are_utc_plus_eight() {
        // 2026-11-30 16:30 UTC is 2026-12-01 00:30 WITA.
        assert_eq!(format_wita_time(1_796_056_200_000), "2026-12-01 00:30");
    }
    use jiff::civil::date;

    /// The default calendar plus Christmas 2026 and two made-up days off on Monday 8 and
    /// Tuesday 9 March 2027 (the shape of a Nyepi long weekend; the dates are illustrative).
    fn cal() -> OfficeCalendar {
        let mut c = OfficeCalendar::default();
        c.holidays
            .insert(date(2027, 3, 8), "Hari Suci Nyepi".into());
        c.holidays.insert(date(2027, 3, 9), "Cuti bersama".into());
        c.holidays
            .insert(date(2026, 12, 25), "Hari Raya Natal".into());
        c
    }

    /// A moment in WITA.
    fn wita(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        tz::offset(8)
            .to_timestamp(date(y, m, d).at(h, min, 0, 0))
            .unwrap()
    }

    fn due(at: Timestamp) -> String {
        cal().moment_in_words(cal().due_time(at, 1), Lang::Id)
    }

    #[test]
    fn a_receipt_issued_on_monday_morning_is_due_tuesday_at_closing() {
        // 30 November 2026 is a Monday.
        assert_eq!(
            due(wita(2026, 11, 30, 10, 0)),
            "Selasa, 1 Desember 2026 pukul 15.30 WITA"
        );
    }

    #[test]
    fn a_receipt_issued_on_friday_afternoon_is_due_monday() {
        assert_eq!(
            due(wita(2026, 12, 4, 11, 45)),
            "Senin, 7 Desember 2026 pukul 15.30 WITA"
        );
    }

    #[test]
    fn a_receipt_issued_after_closing_time_counts_from_the_next_working_day() {
        // Friday closes at 13:00: counting starts Monday, due Tuesday.
        assert_eq!(
            due(wita(2026, 12, 4, 13, 0)),
            "Selasa, 8 Desember 2026 pukul 15.30 WITA"
        );
        // Wednesday after 15:30: counting starts Thursday, due Friday at its 13:00 close.
        assert_eq!(
            due(wita(2026, 12, 2, 16, 10)),
            "Jumat, 4 Desember 2026 pukul 13.00 WITA"
        );
    }

    #[test]
    fn a_receipt_issued_before_opening_counts_from_that_day() {
        assert_eq!(
            due(wita(2026, 11, 30, 6, 50)),
            "Selasa, 1 Desember 2026 pukul 15.30 WITA"
        );
    }

    #[test]
    fn a_receipt_issued_the_day_before_a_holiday_skips_it() {
        // Thursday 24 December; Friday 25 is Christmas; due Monday 28.
        assert_eq!(
            due(wita(2026, 12, 24, 9, 0)),
            "Senin, 28 Desember 2026 pukul 15.30 WITA"
        );
    }

    #[test]
    fn a_long_weekend_is_skipped_whole() {
        // Friday 5 March 2027, then Sat, Sun, Nyepi Monday, cuti bersama Tuesday.
        assert_eq!(
            due(wita(2027, 3, 5, 9, 0)),
            "Rabu, 10 Maret 2027 pukul 15.30 WITA"
        );
    }

    #[test]
    fn a_receipt_issued_on_a_holiday_counts_from_the_next_working_day() {
        assert_eq!(
            due(wita(2027, 3, 8, 9, 0)),
            "Kamis, 11 Maret 2027 pukul 15.30 WITA"
        );
    }

    #[test]
    fn the_service_day_turns_at_midnight_wita_not_utc() {
        let c = cal();
        // 23:30 WITA on 30 November is 15:30 UTC the same day; 00:30 WITA on 1 December
        // is still 30 November in UTC.
        assert_eq!(
            c.service_day(wita(2026, 11, 30, 23, 30)),
            date(2026, 11, 30)
        );
        assert_eq!(c.service_day(wita(2026, 12, 1, 0, 30)), date(2026, 12, 1));
    }

    #[test]
    fn due_times_are_written_in_english_too() {
        let c = cal();
        let at = c.due_time(wita(2026, 11, 30, 10, 0), 1);
        assert_eq!(
            c.moment_in_words(at, Lang::En),
            "Tuesday, 1 December 2026 at 15:30 WITA"
        );
    }

    #[test]
    fn a_calendar_without_working_days_is_refused() {
        let spec = OfficeCalendarSpec {
            utc_offset_hours: 8,
            zone_name: "WITA".into(),
            monday: None,
            tuesday: None,
            wednesday: None,
            thursday: None,
            friday: None,
            saturday: None,
            sunday: None,
            holidays: vec![],
        };
        assert_eq!(spec.build().unwrap_err(), CalendarError::NoWorkingDay);
    }

    #[test]
    fn the_office_is_open_only_within_hours() {
        let c = cal();
        assert!(c.is_open(wita(2026, 11, 30, 8, 0)));
        assert!(!c.is_open(wita(2026, 11, 30, 15, 30)));
        assert!(!c.is_open(wita(2026, 12, 5, 9, 0))); // Saturday
        assert!(!c.is_open(wita(2026, 12, 25, 9, 0))); // Christmas
    }
}
