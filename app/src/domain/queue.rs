//! Queue order, place in line and expected wait: one function for the counter, the
//! display and the citizen page, so they never disagree.
//!
//! Order: a citizen who came back with the completed berkas first (when the policy says
//! so), then priority class (elderly, disabled, pregnant before regular), then the time
//! they joined the line (HLC), then the ticket id. Every device computes the same order
//! from the same tickets.
//!
//! A line belongs to one service day: it holds the tickets that joined it that day (issued,
//! reinstated or back with the completed berkas), so a ticket nobody called yesterday is
//! never first in today's line, even on a device that has not heard of yesterday's close.

use jiff::civil::Date;

use super::catalogue::Policy;
use super::hlc::Hlc;
use super::ids::{LoketId, ServiceCode, TicketId};
use super::replica::{Replica, Rules};
use super::ticket::{Ticket, TicketStatus};

type OrderKey = (u8, u8, Hlc, TicketId);

fn order_key(t: &Ticket, policy: &Policy) -> OrderKey {
    let rejoin = if policy.rejoin_ahead && t.rejoined {
        0
    } else {
        1
    };
    (rejoin, t.priority.class(), t.queued_at, t.id)
}

/// The tickets waiting on `today` for some services, in serving order. A ticket
/// transferred to a specific loket appears only in that loket's line (when `loket` is
/// given).
pub fn waiting_line<'a>(
    replica: &'a Replica,
    rules: &Rules,
    services: &[ServiceCode],
    loket: Option<LoketId>,
    today: Date,
) -> Vec<&'a Ticket> {
    let policy = &rules.catalogue.policy;
    let mut line: Vec<&Ticket> = replica
        .tickets()
        .filter(|t| t.status == TicketStatus::Waiting)
        .filter(|t| t.queued_day(&rules.calendar) == today)
        .filter(|t| services.contains(&t.service))
        .filter(|t| match (t.loket, loket) {
            (Some(assigned), Some(l)) => assigned == l,
            _ => true,
        })
        .collect();
    line.sort_unstable_by_key(|t| order_key(t, policy));
    line
}

/// The ticket a loket should call next, if any.
pub fn next_for_loket<'a>(
    replica: &'a Replica,
    rules: &Rules,
    loket: LoketId,
    services: &[ServiceCode],
    today: Date,
) -> Option<&'a Ticket> {
    waiting_line(replica, rules, services, Some(loket), today)
        .into_iter()
        .next()
}

/// How many tickets are ahead of this one in its service's line on `today` (0 = next), or
/// `None` when the ticket is not waiting in today's line.
pub fn people_ahead(
    replica: &Replica,
    rules: &Rules,
    ticket: &TicketId,
    today: Date,
) -> Option<usize> {
    let t = replica.ticket(ticket)?;
    if t.status != TicketStatus::Waiting {
        return None;
    }
    let line = waiting_line(
        replica,
        rules,
        std::slice::from_ref(&t.service),
        None,
        today,
    );
    line.iter().position(|x| x.id == *ticket)
}

/// How many lokets served a service within the last half hour (at least one): the number
/// of lines the queue drains through.
pub fn open_lokets(replica: &Replica, service: &ServiceCode, now_ms: i64) -> usize {
    let mut lokets: Vec<LoketId> = replica
        .recent_calls()
        .filter(|c| !c.pickup && now_ms - c.at.wall_ms <= 30 * 60 * 1000)
        .filter(|c| {
            replica
                .ticket(&c.ticket)
                .is_some_and(|t| &t.service == service)
        })
        .map(|c| c.loket)
        .collect();
    lokets.sort_unstable();
    lokets.dedup();
    lokets.len().max(1)
}

/// Expected wait in whole minutes for someone with `ahead` people before them: the median
/// of the day's recent service durations (or the policy's default before there is any),
/// times the rounds needed with `lokets` lokets serving in parallel. The citizen's own
/// turn starts when the people ahead are done, so zero ahead waits zero.
pub fn expected_wait_minutes(
    ahead: usize,
    durations_ms: &[i64],
    lokets: usize,
    policy: &Policy,
) -> u32 {
    if ahead == 0 {
        return 0;
    }
    let per_ticket_ms = if durations_ms.is_empty() {
        i64::from(policy.default_service_minutes) * 60_000
    } else {
        let mut d = durations_ms.to_vec();
        d.sort_unstable();
        let mid = d.len() / 2;
        if d.len() % 2 == 1 {
            d[mid]
        } else {
            d[mid - 1] / 2 + d[mid] / 2
        }
    };
    // Saturating: durations come from device clocks (bounded on the wire, but a wait must
    // never be what breaks a citizen's page).
    let rounds = i64::try_from(ahead.div_ceil(lokets.max(1))).unwrap_or(i64::MAX);
    let ms = rounds.saturating_mul(per_ticket_ms.max(0));
    // Round up: "sekitar 3 menit" is a better promise than "0 menit".
    u32::try_from(ms.saturating_add(59_999) / 60_000).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::{Catalogue, SEED_TOML};
    use crate::domain::ids::{ClientId, TicketNumber, TrackingToken};
    use crate::domain::mutation::{Event, MutationKind};
    use crate::domain::replica::Rules;
    use crate::domain::ticket::{NewTicket, Priority, TicketCommand};

    const T0: i64 = 1_796_004_000_000;

    struct World {
        r: Replica,
        rules: Rules,
        seq: u64,
    }

    impl World {
        fn new() -> Self {
            Self {
                r: Replica::default(),
                rules: Rules::new(Catalogue::from_toml(SEED_TOML).unwrap()),
                seq: 0,
            }
        }
        fn run(&mut self, k: MutationKind, ms: i64) {
            let at = Hlc {
                wall_ms: ms,
                counter: 0,
                client: ClientId::from_random_bytes([1; 16]),
            };
            let (ticket, kind) = self.r.decide(&k, at, &self.rules).unwrap();
            self.seq += 1;
            self.r.apply(&Event {
                seq: self.seq,
                at,
                ticket,
                kind,
            });
        }
        fn issue(&mut self, n: u16, p: Priority, ms: i64) -> TicketId {
            let id = TicketId::from_random_bytes([n as u8; 16]);
            self.run(
                MutationKind::IssueTicket {
                    ticket: NewTicket {
                        id,
                        number: TicketNumber::new('A', None, n).unwrap(),
                        service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
                        priority: p,
                        catalogue: 0,
                    },
                    token: TrackingToken::from_random_bytes([n as u8; 16]),
                },
                ms,
            );
            id
        }
        fn cmd(&mut self, id: TicketId, c: TicketCommand, ms: i64) {
            let kind = super::super::fixtures::act(&self.r, id, c);
            self.run(kind, ms);
        }
        fn today(&self) -> Date {
            self.rules
                .calendar
                .service_day(jiff::Timestamp::from_millisecond(T0).unwrap())
        }
        fn line(&self) -> Vec<String> {
            waiting_line(
                &self.r,
                &self.rules,
                &[ServiceCode::parse("legalisir-ktp-el").unwrap()],
                None,
                self.today(),
            )
            .iter()
            .map(|t| t.number.to_string())
            .collect()
        }
    }

    fn l(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    #[test]
    fn priority_citizens_go_first_then_by_issue_time() {
        let mut w = World::new();
        w.issue(1, Priority::Regular, T0);
        w.issue(2, Priority::Regular, T0 + 1);
        w.issue(3, Priority::Elderly, T0 + 2);
        assert_eq!(w.line(), ["A-003", "A-001", "A-002"]);
    }

    #[test]
    fn a_citizen_back_with_the_completed_berkas_goes_ahead_of_new_tickets() {
        let mut w = World::new();
        let a = w.issue(1, Priority::Regular, T0);
        w.issue(2, Priority::Regular, T0 + 1);
        w.cmd(a, TicketCommand::Call { loket: l(1) }, T0 + 2);
        w.cmd(a, TicketCommand::Start, T0 + 3);
        w.cmd(
            a,
            TicketCommand::ReturnIncomplete {
                missing: vec![crate::domain::ids::RequirementId::parse("fotokopi-ktp-el").unwrap()],
            },
            T0 + 4,
        );
        w.issue(3, Priority::Elderly, T0 + 5);
        w.cmd(a, TicketCommand::Rejoin, T0 + 6);
        assert_eq!(w.line(), ["A-001", "A-003", "A-002"]);
    }

    #[test]
    fn people_ahead_counts_only_the_same_service() {
        let mut w = World::new();
        w.issue(1, Priority::Regular, T0);
        let b = w.issue(2, Priority::Regular, T0 + 1);
        assert_eq!(people_ahead(&w.r, &w.rules, &b, w.today()), Some(1));
        // The next day it is in no line: nobody is "ahead" of a ticket of a closed day.
        let tomorrow = w.today().tomorrow().unwrap();
        assert_eq!(people_ahead(&w.r, &w.rules, &b, tomorrow), None);
        w.cmd(b, TicketCommand::Call { loket: l(1) }, T0 + 2);
        assert_eq!(people_ahead(&w.r, &w.rules, &b, w.today()), None);
    }

    #[test]
    fn expected_wait_uses_the_median_and_the_lokets_serving() {
        let p = Policy::default();
        assert_eq!(expected_wait_minutes(0, &[], 1, &p), 0);
        assert_eq!(expected_wait_minutes(3, &[], 1, &p), 15);
        // Median of 2, 3, 10 minutes is 3; 4 ahead over 2 lokets is 2 rounds.
        assert_eq!(
            expected_wait_minutes(4, &[120_000, 180_000, 600_000], 2, &p),
            6
        );
        // Even count: median of 2 and 4 minutes is 3.
        assert_eq!(expected_wait_minutes(1, &[120_000, 240_000], 1, &p), 3);
        // Absurd durations (clocks of 1970 and 9999) give a long wait, not a panic.
        let huge = crate::domain::hlc::MAX_WALL_MS;
        assert_eq!(
            expected_wait_minutes(usize::MAX, &[huge, huge], 1, &p),
            u32::MAX
        );
    }

    #[test]
    fn open_lokets_count_the_lokets_that_called_recently() {
        let mut w = World::new();
        let a = w.issue(1, Priority::Regular, T0);
        let b = w.issue(2, Priority::Regular, T0 + 1);
        let svc = ServiceCode::parse("legalisir-ktp-el").unwrap();
        assert_eq!(open_lokets(&w.r, &svc, T0), 1);
        w.cmd(a, TicketCommand::Call { loket: l(1) }, T0 + 2);
        w.cmd(b, TicketCommand::Call { loket: l(2) }, T0 + 3);
        assert_eq!(open_lokets(&w.r, &svc, T0 + 60_000), 2);
        assert_eq!(open_lokets(&w.r, &svc, T0 + 3_600_000), 1);
    }
}
