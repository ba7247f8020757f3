//! The server's verdict on a push, as a pure function: duplicates, gaps, the device's
//! right to send each kind, validation through the same [`Replica::decide`] the devices
//! run, and the events to append. The server persists a [`PushPlan`] in one transaction
//! and only then [`Authority::commit`]s it to memory, so a failed write changes nothing.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::service_day;
use super::ticket::Ticket;

use super::ids::{ClientId, MutationId, TicketId, TrackingToken};
use super::mutation::{
    DeviceRole, Event, MutationKind, MutationOutcome, Outcome, PushRequest, PushResponse,
    MAX_BATCH, MAX_CLOCK_SKEW_MS,
};
use super::numbering::LeaseBook;
use super::replica::{Draft, Replica, Rules};

/// Why a whole push was refused (nothing applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PushError {
    #[error("a push carries at most {max} mutations, this one has {got}")]
    TooLarge { max: usize, got: usize },
    #[error("mutation {mutation_id} belongs to another device")]
    ForeignMutation { mutation_id: u64 },
    #[error("mutation ids must increase within a batch: {after} follows {before}")]
    NotAscending { before: u64, after: u64 },
    #[error("mutation {mutation_id} is dated {ahead_s} s in the future; check the device's clock")]
    ClockAhead { mutation_id: u64, ahead_s: i64 },
    #[error("expected mutation {expected} next, got {got}; resend from {expected}")]
    Gap { expected: u64, got: u64 },
}

/// What a push will do, computed without changing anything.
#[derive(Debug, Clone, PartialEq)]
pub struct PushPlan {
    pub client: ClientId,
    pub response: PushResponse,
    /// Events to append, with their sequence numbers.
    pub events: Vec<Event>,
    /// Tracking tokens of newly issued tickets, with their service day (retention).
    pub tokens: Vec<(TrackingToken, TicketId, Date)>,
}

/// What closing the service days up to `through` does, computed without changing anything:
/// the events to append (authored by [`ClientId::OFFICE`]) and the tickets that then end
/// and leave memory (the server keeps them in its store).
#[derive(Debug, Clone, PartialEq)]
pub struct ClosePlan {
    pub through: Date,
    pub events: Vec<Event>,
    pub ended: Vec<Ticket>,
    replica: Replica,
}

/// The authoritative state: the replica, each device's last processed mutation id, the
/// number leases, and the last service day closed.
#[derive(Debug, Clone)]
pub struct Authority {
    pub rules: Rules,
    pub replica: Replica,
    pub last_processed: BTreeMap<ClientId, u64>,
    pub leases: LeaseBook,
    pub last_closed: Option<Date>,
}

impl ClosePlan {
    /// The replica after the close: what stays open.
    pub fn replica(&self) -> &Replica {
        &self.replica
    }
}

impl Authority {
    pub fn new(rules: Rules) -> Self {
        Self {
            rules,
            replica: Replica::default(),
            last_processed: BTreeMap::new(),
            leases: LeaseBook::default(),
            last_closed: None,
        }
    }

    /// Whether the days up to `through` still need closing: never closed, or something in
    /// memory belongs to them (a kiosk that was offline at closing time pushed yesterday's
    /// tickets after the close).
    pub fn close_due(&self, through: Date) -> bool {
        self.last_closed.is_none_or(|d| d < through)
            || !service_day::close_through(&self.replica, &self.rules, through).is_empty()
    }

    /// Plans the close of every service day up to `through` at the server's time `now_ms`
    /// (module `service_day` has the rules). Running it again plans no event.
    pub fn plan_close(&self, through: Date, now_ms: i64) -> ClosePlan {
        let mut replica = self.replica.clone();
        let events: Vec<Event> = service_day::close_through(&replica, &self.rules, through)
            .into_iter()
            .zip(replica.cursor() + 1..)
            .map(|((ticket, kind, closed_at), seq)| Event {
                seq,
                // The moment its day closed; never later than now.
                at: Hlc {
                    wall_ms: closed_at.as_millisecond().min(now_ms),
                    counter: 0,
                    client: ClientId::OFFICE,
                },
                ticket,
                kind,
            })
            .collect();
        for e in &events {
            replica.apply(e);
        }
        let ended = replica.prune_closed(through, &self.rules.calendar);
        ClosePlan {
            through,
            events,
            ended,
            replica,
        }
    }

    /// Makes a persisted close the current state. Leases of the days before the closed
    /// one go with it; the closed day's own stay until the next close, so numbers are
    /// never leased twice on a day that has closed but not ended.
    pub fn commit_close(&mut self, plan: ClosePlan) {
        self.replica = plan.replica;
        self.last_closed = Some(
            self.last_closed
                .map_or(plan.through, |d| d.max(plan.through)),
        );
        self.leases.prune(plan.through);
    }

    /// Decides the fate of every mutation of a batch, in order.
    pub fn plan_push(
        &self,
        role: DeviceRole,
        req: &PushRequest,
        now_ms: i64,
    ) -> Result<PushPlan, PushError> {
        if req.mutations.len() > MAX_BATCH {
            return Err(PushError::TooLarge {
                max: MAX_BATCH,
                got: req.mutations.len(),
            });
        }
        let mut prev: Option<MutationId> = None;
        for m in &req.mutations {
            if m.client_id != req.client_id {
                return Err(PushError::ForeignMutation {
                    mutation_id: m.mutation_id.get(),
                });
            }
            if let Some(p) = prev {
                if m.mutation_id <= p {
                    return Err(PushError::NotAscending {
                        before: p.get(),
                        after: m.mutation_id.get(),
                    });
                }
            }
            prev = Some(m.mutation_id);
            let ahead = m.at.wall_ms - now_ms;
            if ahead > MAX_CLOCK_SKEW_MS {
                return Err(PushError::ClockAhead {
                    mutation_id: m.mutation_id.get(),
                    ahead_s: ahead / 1000,
                });
            }
        }

        let mut last = self
            .last_processed
            .get(&req.client_id)
            .copied()
            .unwrap_or(0);
        // Decided on a draft of the tickets the batch touches, not on a copy of the
        // replica: a push costs what it changes, however much the replica holds.
        let mut draft = Draft::new(&self.replica);
        let mut seq = self.replica.cursor();
        let mut outcomes = Vec::with_capacity(req.mutations.len());
        let mut events = Vec::new();
        let mut tokens = Vec::new();
        let mut expected = None;
        for m in &req.mutations {
            let id = m.mutation_id.get();
            if id <= last {
                outcomes.push(MutationOutcome {
                    mutation_id: m.mutation_id,
                    outcome: Outcome::Duplicate,
                });
                continue;
            }
            if id > last + 1 {
                if outcomes.is_empty() {
                    return Err(PushError::Gap {
                        expected: last + 1,
                        got: id,
                    });
                }
                expected = MutationId::new(last + 1).ok();
                break;
            }
            // From here on the mutation is processed: `last` advances whether it is
            // applied or rejected, so one bad mutation never blocks those behind it.
            last = id;
            let verdict = if m.kind.allowed_for(role) {
                self.check_number(role, m, &m.kind).and_then(|()| {
                    draft
                        .decide(&m.kind, m.at, &self.rules)
                        .map_err(Rejection::from)
                })
            } else {
                Err(Rejection {
                    code: "forbidden".into(),
                    reason: format!(
                        "a {} device may not {}",
                        role.as_str(),
                        m.kind.name().replace('_', " ")
                    ),
                    reason_id: format!(
                        "Perangkat {} tidak berwenang untuk tindakan ini.",
                        role.as_str()
                    ),
                })
            };
            match verdict {
                Ok((ticket, kind)) => {
                    seq += 1;
                    let e = Event {
                        seq,
                        at: m.at,
                        ticket,
                        kind,
                    };
                    draft.apply(e.ticket, &e.kind, e.at);
                    if let (
                        MutationKind::IssueTicket { token, ticket },
                        super::ticket::EventKind::Issued { service_day, .. },
                    ) = (&m.kind, &e.kind)
                    {
                        tokens.push((token.clone(), ticket.id, *service_day));
                    }
                    events.push(e);
                    outcomes.push(MutationOutcome {
                        mutation_id: m.mutation_id,
                        outcome: Outcome::Applied { seq },
                    });
                }
                Err(r) => outcomes.push(MutationOutcome {
                    mutation_id: m.mutation_id,
                    outcome: Outcome::Rejected {
                        code: r.code,
                        reason: r.reason,
                        reason_id: r.reason_id,
                    },
                }),
            }
        }
        Ok(PushPlan {
            client: req.client_id,
            response: PushResponse {
                outcomes,
                expected,
                last_processed: last,
                cursor: seq,
            },
            events,
            tokens,
        })
    }

    /// Numbers printed by a kiosk must come from its leases or its own series.
    fn check_number(
        &self,
        role: DeviceRole,
        m: &super::mutation::Mutation,
        kind: &MutationKind,
    ) -> Result<(), Rejection> {
        let MutationKind::IssueTicket { ticket, .. } = kind else {
            return Ok(());
        };
        if role != DeviceRole::Kiosk {
            return Ok(());
        }
        let day = self.rules.calendar.service_day(m.at.timestamp());
        self.leases
            .check(m.client_id, &ticket.service, day, ticket.number)
            .map_err(|e| Rejection {
                code: "not_leased".into(),
                reason: e.to_string(),
                reason_id: format!("Nomor {} bukan jatah kios ini.", ticket.number),
            })
    }

    /// Makes a persisted plan the current state: its events, applied to the replica.
    pub fn commit(&mut self, plan: PushPlan) {
        for e in &plan.events {
            self.replica.apply(e);
        }
        self.last_processed
            .insert(plan.client, plan.response.last_processed);
    }
}

struct Rejection {
    code: String,
    reason: String,
    reason_id: String,
}

impl From<super::ticket::TicketError> for Rejection {
    fn from(e: super::ticket::TicketError) -> Self {
        let text = e.text();
        Rejection {
            code: e.code().into(),
            reason: text.en,
            reason_id: text.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::{Catalogue, SEED_TOML};
    use crate::domain::hlc::Hlc;
    use crate::domain::ids::{LoketId, ServiceCode};
    use crate::domain::mutation::Mutation;
    use crate::domain::ticket::{Priority, TicketCommand};

    const NOW: i64 = 1_796_004_000_000;

    fn kiosk() -> ClientId {
        ClientId::from_random_bytes([1; 16])
    }

    fn authority() -> Authority {
        let mut a = Authority::new(Rules::new(Catalogue::from_toml(SEED_TOML).unwrap()));
        let day = a
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        a.leases
            .grant(
                &ServiceCode::parse("legalisir-ktp-el").unwrap(),
                day,
                kiosk(),
                50,
            )
            .unwrap();
        a
    }

    fn issue(id: u64, n: u16) -> Mutation {
        Mutation {
            client_id: kiosk(),
            mutation_id: MutationId::new(id).unwrap(),
            at: Hlc {
                wall_ms: NOW + id as i64,
                counter: 0,
                client: kiosk(),
            },
            kind: crate::domain::fixtures::issue_kind(n, n as u8, Priority::Regular),
        }
    }

    fn push(
        a: &mut Authority,
        role: DeviceRole,
        ms: Vec<Mutation>,
    ) -> Result<PushResponse, PushError> {
        let plan = a.plan_push(
            role,
            &PushRequest {
                client_id: kiosk(),
                mutations: ms,
            },
            NOW,
        )?;
        let r = plan.response.clone();
        a.commit(plan);
        Ok(r)
    }

    #[test]
    fn a_replayed_batch_changes_nothing_and_says_so() {
        let mut a = authority();
        let batch = vec![issue(1, 1), issue(2, 2)];
        push(&mut a, DeviceRole::Kiosk, batch.clone()).unwrap();
        let state = a.replica.clone();
        let r = push(&mut a, DeviceRole::Kiosk, batch).unwrap();
        assert!(r.outcomes.iter().all(|o| o.outcome == Outcome::Duplicate));
        assert_eq!(a.replica, state);
    }

    #[test]
    fn a_gap_stops_the_batch_and_names_the_id_expected() {
        let mut a = authority();
        assert_eq!(
            push(&mut a, DeviceRole::Kiosk, vec![issue(2, 2)]),
            Err(PushError::Gap {
                expected: 1,
                got: 2
            })
        );
        let r = push(&mut a, DeviceRole::Kiosk, vec![issue(1, 1), issue(3, 3)]).unwrap();
        assert_eq!(r.outcomes.len(), 1);
        assert_eq!(r.expected, Some(MutationId::new(2).unwrap()));
        assert_eq!(r.last_processed, 1);
    }

    #[test]
    fn a_rejected_mutation_does_not_block_the_ones_behind_it() {
        let mut a = authority();
        // The second mutation is another ticket printed with the first one's number.
        let mut dup = issue(2, 1);
        if let MutationKind::IssueTicket { ticket, .. } = &mut dup.kind {
            ticket.id = TicketId::from_random_bytes([99; 16]);
        }
        let r = push(
            &mut a,
            DeviceRole::Kiosk,
            vec![issue(1, 1), dup, issue(3, 3)],
        )
        .unwrap();
        assert!(matches!(r.outcomes[0].outcome, Outcome::Applied { seq: 1 }));
        assert!(
            matches!(&r.outcomes[1].outcome, Outcome::Rejected { code, .. } if code == "duplicate_number")
        );
        assert!(matches!(r.outcomes[2].outcome, Outcome::Applied { seq: 2 }));
        assert_eq!(r.last_processed, 3);
    }

    #[test]
    fn a_kiosk_may_not_call_and_a_counter_may_not_issue() {
        let mut a = authority();
        let mut call = issue(1, 1);
        call.kind = MutationKind::Ticket {
            ticket: TicketId::from_random_bytes([1; 16]),
            command: TicketCommand::Call {
                loket: LoketId::new(1).unwrap(),
            },
        };
        let r = push(&mut a, DeviceRole::Kiosk, vec![call]).unwrap();
        assert!(
            matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "forbidden")
        );
        let mut b = authority();
        let r = push(&mut b, DeviceRole::Counter, vec![issue(1, 1)]).unwrap();
        assert!(
            matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "forbidden")
        );
    }

    #[test]
    fn numbers_outside_the_kiosks_leases_are_rejected() {
        let mut a = authority();
        let r = push(&mut a, DeviceRole::Kiosk, vec![issue(1, 77)]).unwrap();
        assert!(
            matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "not_leased")
        );
    }

    #[test]
    fn bad_batches_are_refused_whole() {
        let a = authority();
        let mut future = issue(1, 1);
        future.at.wall_ms = NOW + 3_600_000;
        let req = |ms| PushRequest {
            client_id: kiosk(),
            mutations: ms,
        };
        assert!(matches!(
            a.plan_push(DeviceRole::Kiosk, &req(vec![future]), NOW),
            Err(PushError::ClockAhead { .. })
        ));
        assert!(matches!(
            a.plan_push(DeviceRole::Kiosk, &req(vec![issue(2, 2), issue(1, 1)]), NOW),
            Err(PushError::NotAscending { .. })
        ));
        let big: Vec<_> = (1..=(MAX_BATCH as u64 + 1)).map(|i| issue(i, 1)).collect();
        assert!(matches!(
            a.plan_push(DeviceRole::Kiosk, &req(big), NOW),
            Err(PushError::TooLarge { .. })
        ));
    }
}
