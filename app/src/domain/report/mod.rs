//! Reports for the office's supervisors: what happened on each service day, per service,
//! per loket and per officer, and the satisfaction index for a period.
//!
//! A report is built in two steps, so that a month's report costs the same after ten years
//! as after one:
//! 1. [`tally`]: the events of the days being closed, replayed from the open state the
//!    day started with, become one [`DayFacts`] per service day: counts, every waiting and
//!    service time, the missing requirements, the files that passed their due time. The
//!    server stores them with the day's close (and tallies the open day on request).
//! 2. [`summary::build`]: the facts of a date range become a [`Report`]: the tables, the
//!    medians and 90th percentiles, the chart series and the IKM table.
//!
//! What each figure counts (all by the WITA service day of the event):
//! - *issued*: tickets issued; *served*: services started at a loket (a citizen who came
//!   back with a completed file is served again); *not served*: tickets the day's close
//!   ended unserved; *no-shows*: "tidak hadir" at a call; *returned*: files returned
//!   incomplete (a file returned twice counts twice, and so do its missing items);
//!   *accepted*, *ready*, *collected*: receipts given, copies made ready, copies handed
//!   over; *transferred*: tickets sent to another service or loket while being served;
//!   *expired*: returned files that did not come back in time.
//! - *waiting time*: from entering the line (issue, reinstatement, rejoining) to the
//!   first call after it (a transferred ticket keeps its place, so its wait counts from
//!   there); *service time*: from the start of service to its end
//!   (accepted, returned, transferred or cancelled).
//! - *within the standard*: a copy made ready by its receipt's due time, counted on the
//!   day it became ready; *overdue*: a file whose due time passed before it was ready,
//!   listed on its due day (and, when made ready later, with the time it was).
//! - By loket and by officer: what a loket's officer did (an action with no loket, such
//!   as marking a copy ready, counts for the officer only). An issue or a close has no
//!   loket and no officer.

pub mod chart;
pub mod csv;
pub mod spread;
pub mod summary;
pub mod tally;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ids::{LoketId, RequirementId, ServiceCode};

pub use summary::{build, Report, Row};
pub use tally::{tally, Logged};

/// How many of each thing happened in one group on one day (or a period, summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub issued: u32,
    pub served: u32,
    pub not_served: u32,
    pub no_shows: u32,
    pub returned: u32,
    pub accepted: u32,
    pub ready: u32,
    /// Of `ready`, made ready by the receipt's due time.
    pub ready_on_time: u32,
    pub collected: u32,
    pub transferred: u32,
    pub expired: u32,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.issued += o.issued;
        self.served += o.served;
        self.not_served += o.not_served;
        self.no_shows += o.no_shows;
        self.returned += o.returned;
        self.accepted += o.accepted;
        self.ready += o.ready;
        self.ready_on_time += o.ready_on_time;
        self.collected += o.collected;
        self.transferred += o.transferred;
        self.expired += o.expired;
    }
}

/// One group's day: a service, and the loket and officer that acted (none for issues and
/// the close's own events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub service: ServiceCode,
    pub loket: Option<LoketId>,
    pub officer: Option<String>,
    pub counts: Counts,
    /// Waiting times in seconds, one per first call.
    pub waits_s: Vec<u32>,
    /// Service times in seconds, one per service that ended.
    pub service_s: Vec<u32>,
    /// Tickets issued in each hour of the day (WITA), 00–23.
    pub issued_by_hour: [u32; 24],
}

impl Group {
    fn new(service: ServiceCode, loket: Option<LoketId>, officer: Option<String>) -> Self {
        Self {
            service,
            loket,
            officer,
            counts: Counts::default(),
            waits_s: Vec::new(),
            service_s: Vec::new(),
            issued_by_hour: [0; 24],
        }
    }
}

/// A requirement found missing when a file was returned, with how often on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub service: ServiceCode,
    pub requirement: RequirementId,
    pub count: u32,
}

/// A file whose receipt's due time passed before its copy was ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub service: ServiceCode,
    /// The receipt's number (`20261130-A-007`).
    pub receipt: String,
    #[serde(with = "super::time_format::timestamp")]
    pub accepted_at: Timestamp,
    #[serde(with = "super::time_format::timestamp")]
    pub due: Timestamp,
    /// When the copy was made ready, if it was by the time this was recorded.
    #[serde(default, with = "super::time_format::timestamp_opt")]
    pub ready_at: Option<Timestamp>,
}

/// Everything the reports need of one service day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFacts {
    #[serde(with = "super::time_format::date")]
    pub day: Date,
    pub groups: Vec<Group>,
    pub missing: Vec<Missing>,
    pub overdue: Vec<Overdue>,
}

impl DayFacts {
    pub fn new(day: Date) -> Self {
        Self {
            day,
            groups: Vec::new(),
            missing: Vec::new(),
            overdue: Vec::new(),
        }
    }

    /// The group of a service, loket and officer, added when new.
    pub fn group(
        &mut self,
        service: &ServiceCode,
        loket: Option<LoketId>,
        officer: Option<&str>,
    ) -> &mut Group {
        let i = match self.groups.iter().position(|g| {
            &g.service == service && g.loket == loket && g.officer.as_deref() == officer
        }) {
            Some(i) => i,
            None => {
                self.groups.push(Group::new(
                    service.clone(),
                    loket,
                    officer.map(str::to_owned),
                ));
                self.groups.len() - 1
            }
        };
        &mut self.groups[i]
    }

    /// Adds another tally of the same day (events that reached the server after its close).
    pub fn merge(&mut self, o: &DayFacts) {
        for g in &o.groups {
            let mine = self.group(&g.service, g.loket, g.officer.as_deref());
            mine.counts.add(&g.counts);
            mine.waits_s.extend(&g.waits_s);
            mine.service_s.extend(&g.service_s);
            for (a, b) in mine.issued_by_hour.iter_mut().zip(g.issued_by_hour) {
                *a += b;
            }
        }
        for m in &o.missing {
            self.add_missing(&m.service, &m.requirement, m.count);
        }
        self.overdue.extend(o.overdue.iter().cloned());
    }

    pub fn add_missing(&mut self, service: &ServiceCode, requirement: &RequirementId, n: u32) {
        match self
            .missing
            .iter_mut()
            .find(|m| &m.service == service && &m.requirement == requirement)
        {
            Some(m) => m.count += n,
            None => self.missing.push(Missing {
                service: service.clone(),
                requirement: requirement.clone(),
                count: n,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
