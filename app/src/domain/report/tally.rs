//! Events become each service day's [`DayFacts`]: replayed in order on the open state the
//! days started with, so every event is read with the ticket as it was just before it
//! (who holds it, since when it waits, when its service started, its receipt's due time).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use jiff::civil::Date;
use jiff::Timestamp;

use super::super::mutation::Event;
use super::super::replica::{Replica, Rules};
use super::super::ticket::{EventKind, TicketStatus};
use super::{DayFacts, Overdue};

/// An event as the server logged it, with the officer whose counter sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub event: Event,
    pub officer: Option<String>,
}

/// Seconds from `from_ms` to `to_ms`, never negative (device clocks may disagree).
fn seconds(from_ms: i64, to_ms: i64) -> u32 {
    u32::try_from(to_ms.saturating_sub(from_ms).max(0) / 1000).unwrap_or(u32::MAX)
}

/// The facts of every service day the events fall on, replayed from `start` (the open
/// state before the first of them). Files whose due time fell on one of `due_days` (the
/// days being closed) by `as_of`, and that are still not ready at the end, are listed as
/// overdue on their due day.
pub fn tally(
    start: Replica,
    events: &[Logged],
    rules: &Rules,
    due_days: RangeInclusive<Date>,
    as_of: Timestamp,
) -> Vec<DayFacts> {
    let cal = &rules.calendar;
    let mut replica = start;
    let mut days: BTreeMap<Date, DayFacts> = BTreeMap::new();
    for Logged { event: e, officer } in events {
        let before = replica.ticket(&e.ticket).cloned();
        if !replica.apply(e) {
            continue;
        }
        let at = e.at.timestamp();
        let day = cal.service_day(at);
        let facts = days.entry(day).or_insert_with(|| DayFacts::new(day));
        let officer = officer.as_deref();
        if let EventKind::Issued { ticket, .. } = &e.kind {
            let g = facts.group(&ticket.service, None, None);
            g.counts.issued += 1;
            g.issued_by_hour[usize::from(cal.local(at).hour().unsigned_abs()) % 24] += 1;
            continue;
        }
        let Some(t) = before else { continue };
        let holder = t.status.holder();
        let service_time = match (&t.status, t.started_at) {
            (TicketStatus::Serving { .. }, Some(s)) => Some(seconds(s.wall_ms, e.at.wall_ms)),
            _ => None,
        };
        match &e.kind {
            EventKind::Called { loket } if t.status == TicketStatus::Waiting => {
                let wait = seconds(t.queued_at.wall_ms, e.at.wall_ms);
                facts
                    .group(&t.service, Some(*loket), officer)
                    .waits_s
                    .push(wait);
            }
            EventKind::MarkedNoShow => {
                facts.group(&t.service, holder, officer).counts.no_shows += 1
            }
            EventKind::Started => facts.group(&t.service, holder, officer).counts.served += 1,
            EventKind::Returned { missing } => {
                let g = facts.group(&t.service, holder, officer);
                g.counts.returned += 1;
                g.service_s.extend(service_time);
                for r in missing {
                    facts.add_missing(&t.service, r, 1);
                }
            }
            EventKind::Accepted { .. } => {
                let g = facts.group(&t.service, holder, officer);
                g.counts.accepted += 1;
                g.service_s.extend(service_time);
            }
            EventKind::Transferred { .. } => {
                let g = facts.group(&t.service, holder, officer);
                g.counts.transferred += 1;
                g.service_s.extend(service_time);
            }
            EventKind::Cancelled => {
                facts
                    .group(&t.service, holder, officer)
                    .service_s
                    .extend(service_time);
            }
            EventKind::MarkedReady => {
                let on_time = t.receipt.as_ref().is_none_or(|r| at <= r.due);
                let g = facts.group(&t.service, None, officer);
                g.counts.ready += 1;
                g.counts.ready_on_time += u32::from(on_time);
                if let (false, Some(r)) = (on_time, &t.receipt) {
                    facts.overdue.push(Overdue {
                        service: t.service.clone(),
                        receipt: r.number.clone(),
                        accepted_at: r.accepted_at,
                        due: r.due,
                        ready_at: Some(at),
                    });
                }
            }
            EventKind::HandedOver => facts.group(&t.service, holder, officer).counts.collected += 1,
            EventKind::NotServed => facts.group(&t.service, None, None).counts.not_served += 1,
            EventKind::Expired => facts.group(&t.service, None, None).counts.expired += 1,
            _ => {}
        }
    }
    for t in replica.tickets() {
        let (TicketStatus::Accepted, Some(r)) = (&t.status, &t.receipt) else {
            continue;
        };
        let due_day = cal.service_day(r.due);
        if r.due <= as_of && due_days.contains(&due_day) {
            days.entry(due_day)
                .or_insert_with(|| DayFacts::new(due_day))
                .overdue
                .push(Overdue {
                    service: t.service.clone(),
                    receipt: r.number.clone(),
                    accepted_at: r.accepted_at,
                    due: r.due,
                    ready_at: None,
                });
        }
    }
    days.into_values().collect()
}
