//! The facts of a date range become the report a supervisor reads: totals, a row per
//! service, per loket and per officer, the most frequent missing requirements, the
//! overdue files, the chart series and the IKM table.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::super::catalogue::Catalogue;
use super::super::i18n::Text;
use super::super::ids::ServiceCode;
use super::super::ikm::{self, IkmTable, SurveyAnswer};
use super::spread::Spread;
use super::{Counts, DayFacts, Group, Overdue};

/// The waiting-time chart's classes, in minutes: 0–5, 5–10, 10–15, 15–30, 30–60, 60+.
pub const WAIT_CLASSES_MIN: [u32; 5] = [5, 10, 15, 30, 60];

/// One line of a table: what it is about, its counts and its times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The service's code, the loket's number or the officer's user name.
    pub key: String,
    pub label: Text,
    pub counts: Counts,
    pub wait: Spread,
    pub service_time: Spread,
}

impl Row {
    /// Copies made ready within the standard's time, in percent; `None` when none was.
    pub fn on_time_percent(&self) -> Option<f64> {
        (self.counts.ready > 0)
            .then(|| f64::from(self.counts.ready_on_time) * 100.0 / f64::from(self.counts.ready))
    }
}

/// One day of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Daily {
    #[serde(with = "super::super::time_format::date")]
    pub day: Date,
    pub working: bool,
    pub issued: u32,
    pub served: u32,
    pub not_served: u32,
}

/// A missing requirement with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingLine {
    pub service: ServiceCode,
    pub requirement: Text,
    pub count: u32,
}

/// The report of a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(with = "super::super::time_format::date")]
    pub from: Date,
    #[serde(with = "super::super::time_format::date")]
    pub to: Date,
    pub totals: Row,
    pub by_service: Vec<Row>,
    pub by_loket: Vec<Row>,
    pub by_officer: Vec<Row>,
    /// Most frequent first.
    pub missing: Vec<MissingLine>,
    /// By due time; a file appears once.
    pub overdue: Vec<Overdue>,
    pub issued_by_hour: [u32; 24],
    /// Waiting times per class of [`WAIT_CLASSES_MIN`] (one more class than bounds).
    pub wait_classes: Vec<u32>,
    pub daily: Vec<Daily>,
    pub ikm: Option<IkmTable>,
    pub ikm_by_service: Vec<(ServiceCode, IkmTable)>,
}

/// Rows of the groups that `key` sorts into lines (`None`: not in this table).
fn rows<K: Ord + Clone>(
    groups: &[&Group],
    key: impl Fn(&Group) -> Option<K>,
    describe: impl Fn(&K) -> (String, Text),
) -> Vec<Row> {
    let mut acc: BTreeMap<K, (Counts, Vec<u32>, Vec<u32>)> = BTreeMap::new();
    for g in groups {
        let Some(k) = key(g) else { continue };
        let (c, w, s) = acc.entry(k).or_default();
        c.add(&g.counts);
        w.extend(&g.waits_s);
        s.extend(&g.service_s);
    }
    acc.into_iter()
        .map(|(k, (counts, waits, services))| {
            let (key, label) = describe(&k);
            Row {
                key,
                label,
                counts,
                wait: Spread::of(waits),
                service_time: Spread::of(services),
            }
        })
        .collect()
}

/// The report of the days from `from` to `to` (inclusive): `days` may hold facts of other
/// days and several tallies of one day; `surveys` are the answers received in the range.
pub fn build(
    days: &[DayFacts],
    surveys: &[(ServiceCode, SurveyAnswer)],
    catalogue: &Catalogue,
    calendar: &super::super::calendar::OfficeCalendar,
    from: Date,
    to: Date,
) -> Report {
    let in_range: Vec<&DayFacts> = days
        .iter()
        .filter(|d| (from..=to).contains(&d.day))
        .collect();
    let groups: Vec<&Group> = in_range.iter().flat_map(|d| &d.groups).collect();
    let service_label = |c: &ServiceCode| {
        let name = catalogue
            .service(c)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| Text::new(c.as_str(), c.as_str()));
        (c.as_str().to_owned(), name)
    };
    let total = rows(
        &groups,
        |_| Some(()),
        |_| (String::new(), Text::new("Jumlah", "Total")),
    )
    .pop()
    .unwrap_or(Row {
        key: String::new(),
        label: Text::new("Jumlah", "Total"),
        counts: Counts::default(),
        wait: Spread::default(),
        service_time: Spread::default(),
    });
    let by_service = rows(&groups, |g| Some(g.service.clone()), service_label);
    let by_loket = rows(
        &groups,
        |g| g.loket,
        |l| {
            (
                l.to_string(),
                Text::new(format!("Loket {l}"), format!("Loket {l}")),
            )
        },
    );
    let by_officer = rows(
        &groups,
        |g| g.officer.clone(),
        |o| (o.clone(), Text::new(o, o)),
    );

    let mut missing: BTreeMap<(ServiceCode, String), u32> = BTreeMap::new();
    for m in in_range.iter().flat_map(|d| &d.missing) {
        *missing
            .entry((m.service.clone(), m.requirement.as_str().to_owned()))
            .or_default() += m.count;
    }
    let mut missing: Vec<MissingLine> = missing
        .into_iter()
        .map(|((service, req), count)| {
            let requirement = catalogue
                .service(&service)
                .and_then(|s| s.requirements.iter().find(|r| r.id.as_str() == req))
                .map(|r| r.text.clone())
                .unwrap_or_else(|| Text::new(&req, &req));
            MissingLine {
                service,
                requirement,
                count,
            }
        })
        .collect();
    missing.sort_by_key(|m| std::cmp::Reverse(m.count));

    let mut overdue: BTreeMap<String, Overdue> = BTreeMap::new();
    for o in in_range.iter().flat_map(|d| &d.overdue) {
        let e = overdue
            .entry(o.receipt.clone())
            .or_insert_with(|| o.clone());
        if e.ready_at.is_none() {
            e.ready_at = o.ready_at;
        }
    }
    let mut overdue: Vec<Overdue> = overdue.into_values().collect();
    overdue.sort_by(|a, b| (a.due, &a.receipt).cmp(&(b.due, &b.receipt)));

    let mut issued_by_hour = [0u32; 24];
    let mut wait_classes = vec![0u32; WAIT_CLASSES_MIN.len() + 1];
    for g in &groups {
        for (a, b) in issued_by_hour.iter_mut().zip(g.issued_by_hour) {
            *a += b;
        }
        for w in &g.waits_s {
            let class = WAIT_CLASSES_MIN
                .iter()
                .position(|bound| *w < bound * 60)
                .unwrap_or(WAIT_CLASSES_MIN.len());
            wait_classes[class] += 1;
        }
    }

    let mut daily = Vec::new();
    let mut day = from;
    while day <= to {
        let mut c = Counts::default();
        for g in in_range
            .iter()
            .filter(|d| d.day == day)
            .flat_map(|d| &d.groups)
        {
            c.add(&g.counts);
        }
        daily.push(Daily {
            day,
            working: calendar.is_working_day(day),
            issued: c.issued,
            served: c.served,
            not_served: c.not_served,
        });
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }

    let mut per_service: BTreeMap<ServiceCode, Vec<SurveyAnswer>> = BTreeMap::new();
    for (s, a) in surveys {
        per_service.entry(s.clone()).or_default().push(*a);
    }
    Report {
        from,
        to,
        totals: total,
        by_service,
        by_loket,
        by_officer,
        missing,
        overdue,
        issued_by_hour,
        wait_classes,
        daily,
        ikm: ikm::tabulate(surveys.iter().map(|(_, a)| a)),
        ikm_by_service: per_service
            .into_iter()
            .filter_map(|(s, a)| ikm::tabulate(&a).map(|t| (s, t)))
            .collect(),
    }
}

/// Why a report's period was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends before it starts")]
    Reversed,
    #[error("a report covers at most {MAX_DAYS} days")]
    TooLong,
}

impl PeriodError {
    /// The refusal as the supervisor reads it.
    pub fn text(self) -> Text {
        match self {
            PeriodError::Reversed => Text::new(
                "Tanggal akhir harus sama dengan atau sesudah tanggal awal.",
                "The end date must be on or after the start date.",
            ),
            PeriodError::TooLong => Text::new(
                "Satu laporan mencakup paling lama satu tahun (366 hari).",
                "One report covers a year (366 days) at most.",
            ),
        }
    }
}

/// The longest period one report covers: a year, leap or not.
pub const MAX_DAYS: i32 = 366;

/// Checks a report's period.
pub fn check_period(from: Date, to: Date) -> Result<(), PeriodError> {
    if to < from {
        return Err(PeriodError::Reversed);
    }
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if days >= MAX_DAYS {
        return Err(PeriodError::TooLong);
    }
    Ok(())
}
