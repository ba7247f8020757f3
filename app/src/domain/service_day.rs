//! The service day: the queue belongs to one day, files (berkas) outlive it.
//!
//! A day closes at the office's closing time (the midnight that ends it, on a day off).
//! Closing a day, and every day before it, means:
//! - a ticket still waiting, called or marked absent in that day's line ends as *not
//!   served* (tidak terlayani), a terminal status that reports count;
//! - a pickup call nobody answered goes back to *ready*: the copy waits to be collected;
//! - a file returned incomplete may come back (and rejoin ahead of new tickets) on the day
//!   it was returned and the next [`Policy::rejoin_working_days`] working days; at the close
//!   of the last of them it *expires*;
//! - accepted and ready files carry over until collected; a ready copy not collected
//!   [`Policy::collect_flag_working_days`] working days later is flagged for the office;
//! - a ticket being served at closing time stays with its officer until finished.
//!
//! The close is computed here from the replica alone, so the server records the same
//! events whenever it runs it (at closing time, or at the next start when it was down), and
//! running it twice records nothing the second time. Devices never wait for it to start a
//! new day: a line only holds tickets that joined it that day ([`Ticket::queued_day`]).

use jiff::civil::Date;
use jiff::Timestamp;

use super::calendar::OfficeCalendar;
use super::catalogue::Policy;
use super::ids::TicketId;
use super::replica::{Replica, Rules};
use super::ticket::{EventKind, Ticket, TicketStatus};

/// The latest service day whose close has passed at `now`.
pub fn last_closed_day(calendar: &OfficeCalendar, now: Timestamp) -> Date {
    let today = calendar.service_day(now);
    if calendar.closes_at(today) <= now {
        today
    } else {
        today.yesterday().unwrap_or(today)
    }
}

/// Whether a ready copy has waited too long to be collected, on `today`.
pub fn collection_overdue(
    calendar: &OfficeCalendar,
    policy: &Policy,
    ticket: &Ticket,
    today: Date,
) -> bool {
    collect_by(calendar, policy, ticket).is_some_and(|last| today > last)
}

/// The last day a ready copy is waiting for its owner (`collect_flag_working_days` working
/// days after it was ready); `None` when nothing waits to be collected.
pub fn collect_by(calendar: &OfficeCalendar, policy: &Policy, ticket: &Ticket) -> Option<Date> {
    if !matches!(
        ticket.status,
        TicketStatus::Ready | TicketStatus::PickupCalled { .. }
    ) {
        return None;
    }
    let mut day = calendar.service_day(ticket.ready_at?.timestamp());
    for _ in 0..policy.collect_flag_working_days {
        day = calendar.next_working_day(day);
    }
    Some(day)
}

/// What closing every service day up to and including `day` records, ticket by ticket, in
/// ticket-id order, each with the closing moment of the day it happened on (a close that
/// runs late, after the server was down, still dates "not served" at that day's closing
/// time). Empty when those days are closed already.
pub fn close_through(
    replica: &Replica,
    rules: &Rules,
    day: Date,
) -> Vec<(TicketId, EventKind, Timestamp)> {
    let cal = &rules.calendar;
    let policy = &rules.catalogue.policy;
    replica
        .tickets()
        .filter_map(|t| {
            let (event, on) = match t.status {
                TicketStatus::Waiting | TicketStatus::Called { .. } | TicketStatus::NoShow
                    if t.queued_day(cal) <= day =>
                {
                    (EventKind::NotServed, t.queued_day(cal))
                }
                TicketStatus::PickupCalled { .. } if t.updated_day(cal) <= day => {
                    (EventKind::PickupMissed, t.updated_day(cal))
                }
                TicketStatus::ReturnedIncomplete => {
                    let last = policy.last_rejoin_day(cal, t.updated_at);
                    if last > day {
                        return None;
                    }
                    (EventKind::Expired, last)
                }
                _ => return None,
            };
            Some((t.id, event, cal.closes_at(on)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{self, issue_kind};
    use crate::domain::hlc::Hlc;
    use crate::domain::ids::{ClientId, LoketId, RequirementId};
    use crate::domain::mutation::{Event, MutationKind};
    use crate::domain::ticket::{Priority, TicketCommand, TicketError};
    use jiff::civil::date;
    use jiff::tz;

    fn wita(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
        tz::offset(8)
            .to_timestamp(date(y, m, d).at(h, min, 0, 0))
            .unwrap()
            .as_millisecond()
    }

    fn at(ms: i64) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 0,
            client: ClientId::from_random_bytes([3; 16]),
        }
    }

    /// A replica driven through the same decide → apply path as the server.
    struct Office {
        rules: Rules,
        replica: Replica,
    }

    impl Office {
        fn new() -> Self {
            Self {
                rules: fixtures::rules(),
                replica: Replica::default(),
            }
        }
        fn record(&mut self, ticket: TicketId, kind: EventKind, ms: i64) {
            let seq = self.replica.cursor() + 1;
            self.replica.apply(&Event {
                seq,
                at: at(ms),
                ticket,
                kind,
            });
        }
        fn act(&mut self, kind: MutationKind, ms: i64) -> Result<TicketId, TicketError> {
            let (id, e) = self.replica.decide(&kind, at(ms), &self.rules)?;
            self.record(id, e, ms);
            Ok(id)
        }
        /// Issues `A-{n}` (a regular ticket) at `ms`.
        fn issue(&mut self, n: u8, ms: i64) -> TicketId {
            self.act(issue_kind(u16::from(n), n, Priority::Regular), ms)
                .unwrap()
        }
        fn cmd(
            &mut self,
            id: TicketId,
            command: TicketCommand,
            ms: i64,
        ) -> Result<(), TicketError> {
            let kind = crate::domain::fixtures::act(&self.replica, id, command);
            self.act(kind, ms).map(|_| ())
        }
        fn close(&mut self, day: Date, ms: i64) -> usize {
            let events = close_through(&self.replica, &self.rules, day);
            let n = events.len();
            for (id, e, _) in events {
                self.record(id, e, ms);
            }
            n
        }
        fn status(&self, id: TicketId) -> TicketStatus {
            self.replica.ticket(&id).unwrap().status.clone()
        }
    }

    fn loket(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    fn photocopy() -> Vec<RequirementId> {
        vec![RequirementId::parse("fotokopi-ktp-el").unwrap()]
    }

    #[test]
    fn a_working_day_closes_at_closing_time_and_a_day_off_at_midnight() {
        let r = fixtures::rules();
        let cal = &r.calendar;
        // Monday 30 November 2026 closes 15:30; Friday 4 December at 13:00.
        let mon = cal.closes_at(date(2026, 11, 30)).as_millisecond();
        assert_eq!(mon, wita(2026, 11, 30, 15, 30));
        assert_eq!(
            cal.closes_at(date(2026, 12, 4)).as_millisecond(),
            wita(2026, 12, 4, 13, 0)
        );
        // Saturday ends at midnight.
        assert_eq!(
            cal.closes_at(date(2026, 12, 5)).as_millisecond(),
            wita(2026, 12, 6, 0, 0)
        );
        let ts = |ms| Timestamp::from_millisecond(ms).unwrap();
        assert_eq!(
            last_closed_day(cal, ts(wita(2026, 11, 30, 15, 29))),
            date(2026, 11, 29)
        );
        assert_eq!(
            last_closed_day(cal, ts(wita(2026, 11, 30, 15, 30))),
            date(2026, 11, 30)
        );
        assert_eq!(
            last_closed_day(cal, ts(wita(2026, 12, 1, 6, 0))),
            date(2026, 11, 30)
        );
    }

    #[test]
    fn closing_ends_the_unserved_keeps_the_files_and_spares_the_one_being_served() {
        let mut o = Office::new();
        let mon = |h, m| wita(2026, 11, 30, h, m);
        let waiting = o.issue(1, mon(8, 0));
        let called = o.issue(2, mon(8, 1));
        let absent = o.issue(3, mon(8, 2));
        let serving = o.issue(4, mon(8, 3));
        let accepted = o.issue(5, mon(8, 4));
        let pickup = o.issue(6, mon(8, 5));
        o.cmd(called, TicketCommand::Call { loket: loket(1) }, mon(9, 0))
            .unwrap();
        o.cmd(absent, TicketCommand::Call { loket: loket(2) }, mon(9, 0))
            .unwrap();
        o.cmd(absent, TicketCommand::NoShow, mon(9, 5)).unwrap();
        for (id, l) in [(serving, 1), (accepted, 2), (pickup, 1)] {
            o.cmd(id, TicketCommand::Call { loket: loket(l) }, mon(10, 0))
                .unwrap();
        }
        o.cmd(serving, TicketCommand::Start, mon(10, 1)).unwrap();
        o.cmd(accepted, TicketCommand::Start, mon(10, 1)).unwrap();
        let all = vec![
            RequirementId::parse("ktp-el-asli").unwrap(),
            RequirementId::parse("fotokopi-ktp-el").unwrap(),
        ];
        o.cmd(
            accepted,
            TicketCommand::Accept {
                checked: all.clone(),
            },
            mon(10, 5),
        )
        .unwrap();
        o.cmd(pickup, TicketCommand::Start, mon(10, 6)).unwrap();
        o.cmd(pickup, TicketCommand::Accept { checked: all }, mon(10, 7))
            .unwrap();
        o.cmd(pickup, TicketCommand::MarkReady, mon(11, 0)).unwrap();
        o.cmd(
            pickup,
            TicketCommand::CallPickup { loket: loket(2) },
            mon(15, 0),
        )
        .unwrap();

        assert_eq!(o.close(date(2026, 11, 30), mon(15, 30)), 4);
        assert_eq!(o.status(waiting), TicketStatus::NotServed);
        assert_eq!(o.status(called), TicketStatus::NotServed);
        assert_eq!(o.status(absent), TicketStatus::NotServed);
        assert!(matches!(o.status(serving), TicketStatus::Serving { .. }));
        assert_eq!(o.status(accepted), TicketStatus::Accepted);
        assert_eq!(o.status(pickup), TicketStatus::Ready);
        // Closing again records nothing.
        assert_eq!(o.close(date(2026, 11, 30), mon(15, 31)), 0);
        // The one being served is finished after closing, by its officer.
        o.cmd(
            serving,
            TicketCommand::ReturnIncomplete {
                missing: photocopy(),
            },
            mon(15, 40),
        )
        .unwrap();
        assert_eq!(o.status(serving), TicketStatus::ReturnedIncomplete);
    }

    #[test]
    fn yesterdays_waiting_ticket_is_in_no_line_and_cannot_be_called_even_before_the_close() {
        let mut o = Office::new();
        let old = o
            .act(
                issue_kind(1, 1, Priority::Regular),
                wita(2026, 11, 30, 15, 0),
            )
            .unwrap();
        let new = o
            .act(issue_kind(1, 2, Priority::Regular), wita(2026, 12, 1, 8, 0))
            .unwrap();
        let today = date(2026, 12, 1);
        let line = crate::domain::queue::waiting_line(
            &o.replica,
            &o.rules,
            &[fixtures::ktp()],
            None,
            today,
        );
        assert_eq!(line.iter().map(|t| t.id).collect::<Vec<_>>(), vec![new]);
        assert_eq!(
            o.cmd(
                old,
                TicketCommand::Call { loket: loket(1) },
                wita(2026, 12, 1, 8, 5)
            ),
            Err(TicketError::DayOver {
                number: o.replica.ticket(&old).unwrap().number
            })
        );
    }

    #[test]
    fn a_returned_file_may_rejoin_for_three_working_days_then_expires() {
        let mut o = Office::new();
        // Returned on Thursday 3 December 2026: it may come back Thursday, Friday, Monday
        // and Tuesday 8 December; it expires at Tuesday's close.
        let thu = |h, m| wita(2026, 12, 3, h, m);
        let id = o.issue(1, thu(8, 0));
        o.cmd(id, TicketCommand::Call { loket: loket(1) }, thu(8, 10))
            .unwrap();
        o.cmd(id, TicketCommand::Start, thu(8, 11)).unwrap();
        o.cmd(
            id,
            TicketCommand::ReturnIncomplete {
                missing: photocopy(),
            },
            thu(8, 15),
        )
        .unwrap();
        assert_eq!(
            o.rules
                .catalogue
                .policy
                .last_rejoin_day(&o.rules.calendar, at(thu(8, 15))),
            date(2026, 12, 8)
        );
        for d in [date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 7)] {
            assert_eq!(
                o.close(d, o.rules.calendar.closes_at(d).as_millisecond()),
                0
            );
        }
        assert_eq!(o.status(id), TicketStatus::ReturnedIncomplete);
        let mut twin = Office::new();
        twin.replica = o.replica.clone();
        // Coming back on Tuesday works, ahead of the day's new tickets.
        twin.cmd(id, TicketCommand::Rejoin, wita(2026, 12, 8, 9, 0))
            .unwrap();
        assert_eq!(twin.status(id), TicketStatus::Waiting);
        // Without coming back, Tuesday's close expires the file…
        let before_close = o.replica.clone();
        assert_eq!(o.close(date(2026, 12, 8), wita(2026, 12, 8, 15, 30)), 1);
        assert_eq!(o.status(id), TicketStatus::Expired);
        // …and a kiosk that did not hear of the close yet is refused on Wednesday all the
        // same: the window is a rule of the ticket, not of the close.
        assert_eq!(
            Office {
                rules: fixtures::rules(),
                replica: before_close,
            }
            .cmd(id, TicketCommand::Rejoin, wita(2026, 12, 9, 8, 0)),
            Err(TicketError::RejoinExpired {
                number: o.replica.ticket(&id).unwrap().number,
                last_day: date(2026, 12, 8)
            })
        );
    }

    #[test]
    fn a_ready_copy_not_collected_for_thirty_working_days_is_flagged() {
        let mut o = Office::new();
        let mon = |h, m| wita(2026, 11, 30, h, m);
        let id = o.issue(1, mon(8, 0));
        o.cmd(id, TicketCommand::Call { loket: loket(1) }, mon(8, 1))
            .unwrap();
        o.cmd(id, TicketCommand::Start, mon(8, 2)).unwrap();
        let all = vec![
            RequirementId::parse("ktp-el-asli").unwrap(),
            RequirementId::parse("fotokopi-ktp-el").unwrap(),
        ];
        o.cmd(id, TicketCommand::Accept { checked: all }, mon(8, 3))
            .unwrap();
        o.cmd(id, TicketCommand::MarkReady, mon(9, 0)).unwrap();
        let t = o.replica.ticket(&id).unwrap().clone();
        let flagged = |d| collection_overdue(&o.rules.calendar, &o.rules.catalogue.policy, &t, d);
        // 30 working days after Monday 30 November 2026, skipping weekends and the seed's
        // holidays (cuti bersama on 24 and Christmas on 25 December 2026, New Year's Day,
        // Galungan and Umanis Galungan on 13 and 14 January 2027), is Monday 18 January
        // 2027; it is flagged from the day after.
        assert!(!flagged(date(2027, 1, 18)));
        assert!(flagged(date(2027, 1, 19)));
        // Carried over all that time: closing days never touches it.
        assert_eq!(o.close(date(2027, 1, 18), wita(2027, 1, 18, 15, 30)), 0);
        assert_eq!(o.status(id), TicketStatus::Ready);
    }
}
