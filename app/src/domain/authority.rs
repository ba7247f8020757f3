//! The server's verdict on a push, as a pure function: duplicates, gaps, the device's
//! right to send each kind, validation through the same [`Replica::decide`] the devices
//! run, and the events to append. The server persists a [`PushPlan`] in one transaction
//! and only then [`Authority::commit`]s it to memory, so a failed write changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::service_day;
use super::ticket::Ticket;

use super::ids::{
    ClientId, LoketId, MutationId, ServiceCode, TicketId, TicketNumber, TrackingToken,
};
use super::mutation::{
    DeviceRole, Event, MutationKind, MutationOutcome, Outcome, PushRequest, PushResponse,
    MAX_BATCH, MAX_CLOCK_SKEW_MS,
};
use super::numbering::{Lease, LeaseBook, NumberingError};
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

/// How far in the past a mutation may be dated: a week covers a kiosk offline over a long
/// weekend; older claims are refused, so no device can date its actions before the
/// history that retention keeps.
pub const MAX_CLOCK_BEHIND_MS: i64 = 7 * 86_400_000;

/// Who sends a push, as the server's access layer established it: the device's role and,
/// for a counter, the loket it was registered at by its signed-in officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender {
    pub role: DeviceRole,
    pub loket: Option<LoketId>,
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

    /// Takes over a close another instance sharing the store made and stored (its events
    /// already applied, as a catch-up does): the tickets that ended leave memory as after
    /// a close of its own. `false` when something of those days is still open here (a
    /// kiosk's late tickets): this instance then closes it itself.
    pub fn adopt_close(&mut self, through: Date) -> bool {
        if !service_day::close_through(&self.replica, &self.rules, through).is_empty() {
            return false;
        }
        self.replica.prune_closed(through, &self.rules.calendar);
        self.last_closed = Some(self.last_closed.map_or(through, |d| d.max(through)));
        self.leases.prune(through);
        true
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

    /// The next number of a service on `day` for a kiosk's tap; the server
    /// [records](LeaseBook::record) it once it is stored. A kiosk holding more than
    /// `max_unissued` numbers the server has not seen printed gets none (it prints from its
    /// own series): an honest kiosk's taps reach the server within seconds, and one kiosk
    /// cannot take a day's numbers from the others.
    pub fn plan_lease(
        &self,
        service: &ServiceCode,
        day: Date,
        kiosk: ClientId,
    ) -> Result<Lease, NumberingError> {
        let size = self.rules.catalogue.policy.max_unissued;
        let prefix = self.rules.catalogue.service(service).map(|s| s.prefix);
        let issued = |n: u16| {
            prefix
                .and_then(|p| TicketNumber::new(p, None, n).ok())
                .is_some_and(|number| self.replica.by_number(day, number).is_some())
        };
        let unused = self.leases.unused(kiosk, service, day, issued);
        if unused > u32::from(size) {
            return Err(NumberingError::TooManyUnused {
                service: service.clone(),
                unused,
            });
        }
        self.leases.offer(service, day, kiosk)
    }

    /// Decides the fate of every mutation of a batch, in order. `taken` holds the batch's
    /// tracking tokens that the store already knows: a ticket carrying one is refused
    /// (a token is the citizen's secret and names one ticket only).
    pub fn plan_push(
        &self,
        sender: Sender,
        req: &PushRequest,
        now_ms: i64,
        taken: &BTreeSet<TrackingToken>,
    ) -> Result<PushPlan, PushError> {
        let role = sender.role;
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
            // Wall times are within 1970..9999 (checked on the wire): no overflow.
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
        // Tickets on which a mutation of this batch was refused: the device's later
        // mutations on them followed from it and get the same answer.
        let mut refused: BTreeMap<TicketId, Rejection> = BTreeMap::new();
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
            let target = match &m.kind {
                MutationKind::IssueTicket { ticket, .. } => ticket.id,
                MutationKind::Ticket { ticket, .. } => *ticket,
            };
            let verdict = if let Some(r) = refused.get(&target) {
                Err(r.clone())
            } else if m.kind.allowed_for(role) {
                Self::check_time(m, now_ms)
                    .and_then(|()| Self::check_loket(sender, &m.kind))
                    .and_then(|()| Self::check_token(&m.kind, taken, &tokens))
                    .and_then(|()| self.check_number(role, m, &m.kind))
                    .and_then(|()| {
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
                Err(r) => {
                    refused.entry(target).or_insert_with(|| r.clone());
                    outcomes.push(MutationOutcome {
                        mutation_id: m.mutation_id,
                        outcome: Outcome::Rejected {
                            code: r.code,
                            reason: r.reason,
                            reason_id: r.reason_id,
                        },
                    })
                }
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

    /// A mutation may be dated at most [`MAX_CLOCK_BEHIND_MS`] before the server's time.
    fn check_time(m: &super::mutation::Mutation, now_ms: i64) -> Result<(), Rejection> {
        if now_ms - m.at.wall_ms <= MAX_CLOCK_BEHIND_MS {
            return Ok(());
        }
        Err(Rejection {
            code: "too_old".into(),
            reason: "this action is dated more than 7 days ago; check the device's clock".into(),
            reason_id:
                "Tindakan ini bertanggal lebih dari 7 hari yang lalu; periksa jam perangkat.".into(),
        })
    }

    /// A new ticket's token must be new: not in the store, not earlier in the batch.
    fn check_token(
        kind: &MutationKind,
        taken: &BTreeSet<TrackingToken>,
        batch: &[(TrackingToken, TicketId, Date)],
    ) -> Result<(), Rejection> {
        let MutationKind::IssueTicket { token, .. } = kind else {
            return Ok(());
        };
        if !taken.contains(token) && !batch.iter().any(|(t, _, _)| t == token) {
            return Ok(());
        }
        Err(Rejection {
            code: "token_taken".into(),
            reason: "this ticket's tracking token belongs to another ticket; issue it again".into(),
            reason_id:
                "Kode pelacakan tiket ini sudah dipakai tiket lain; terbitkan ulang tiketnya."
                    .into(),
        })
    }

    /// A counter acts at the loket it was registered at; a kiosk at none.
    fn check_loket(sender: Sender, kind: &MutationKind) -> Result<(), Rejection> {
        let MutationKind::Ticket { loket, .. } = kind else {
            return Ok(());
        };
        if *loket == sender.loket {
            return Ok(());
        }
        Err(match sender.loket {
            Some(at) => Rejection {
                code: "wrong_loket".into(),
                reason: format!("this counter is signed in at Loket {at}"),
                reason_id: format!("Perangkat ini terdaftar di Loket {at}."),
            },
            None => Rejection {
                code: "wrong_loket".into(),
                reason: "this device acts at no loket".into(),
                reason_id: "Perangkat ini tidak terdaftar di loket mana pun.".into(),
            },
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

#[derive(Clone)]
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
        // The kiosk took numbers 1 to 50 (older catalogues' blocks were wider).
        a.leases.record(Lease {
            service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
            day,
            kiosk: kiosk(),
            start: 1,
            end: 50,
        });
        a
    }

    #[test]
    fn a_close_made_by_another_instance_is_taken_over_not_made_again() {
        let mut here = authority();
        push(&mut here, DeviceRole::Kiosk, vec![issue(1, 1)]).unwrap();
        let day = here
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        let mut other = here.clone();
        let plan = other.plan_close(day, NOW + 86_400_000);
        let events = plan.events.clone();
        assert_eq!(events.len(), 1, "A-001 not served");
        other.commit_close(plan);
        // Before catching up, the day is still open here.
        assert!(!here.clone().adopt_close(day));
        for e in &events {
            here.replica.apply(e);
        }
        assert!(here.adopt_close(day));
        assert!(!here.close_due(day));
        assert_eq!(here.replica, other.replica);
        assert_eq!(here.last_closed, Some(day));
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

    /// A kiosk, or a counter registered at Loket 1.
    fn sender(role: DeviceRole) -> Sender {
        Sender {
            role,
            loket: (role == DeviceRole::Counter).then(|| loket(1)),
        }
    }

    fn loket(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    fn push(
        a: &mut Authority,
        role: DeviceRole,
        ms: Vec<Mutation>,
    ) -> Result<PushResponse, PushError> {
        let plan = a.plan_push(
            sender(role),
            &PushRequest {
                client_id: kiosk(),
                mutations: ms,
            },
            NOW,
            &BTreeSet::new(),
        )?;
        let r = plan.response.clone();
        a.commit(plan);
        Ok(r)
    }

    /// A counter at a loket, with its own stream of mutations.
    struct Counter {
        id: ClientId,
        at: LoketId,
        next: std::cell::Cell<u64>,
    }

    impl Counter {
        fn new(n: u8) -> Self {
            Self {
                id: ClientId::from_random_bytes([10 + n; 16]),
                at: loket(n),
                next: std::cell::Cell::new(1),
            }
        }
        fn act(&self, ticket: TicketId, command: TicketCommand) -> Mutation {
            self.act_as(Some(self.at), ticket, command)
        }
        fn act_as(
            &self,
            at: Option<LoketId>,
            ticket: TicketId,
            command: TicketCommand,
        ) -> Mutation {
            let id = self.next.get();
            self.next.set(id + 1);
            Mutation {
                client_id: self.id,
                mutation_id: MutationId::new(id).unwrap(),
                at: Hlc {
                    wall_ms: NOW + 100 + id as i64,
                    counter: 0,
                    client: self.id,
                },
                kind: MutationKind::Ticket {
                    ticket,
                    command,
                    loket: at,
                },
            }
        }
        fn push(&self, a: &mut Authority, ms: Vec<Mutation>) -> Vec<Outcome> {
            let plan = a
                .plan_push(
                    Sender {
                        role: DeviceRole::Counter,
                        loket: Some(self.at),
                    },
                    &PushRequest {
                        client_id: self.id,
                        mutations: ms,
                    },
                    NOW + 1_000,
                    &BTreeSet::new(),
                )
                .unwrap();
            let r = plan
                .response
                .outcomes
                .iter()
                .map(|o| o.outcome.clone())
                .collect();
            a.commit(plan);
            r
        }
    }

    fn code(o: &Outcome) -> &str {
        match o {
            Outcome::Rejected { code, .. } => code,
            Outcome::Applied { .. } => "applied",
            Outcome::Duplicate => "duplicate",
        }
    }

    fn issued_id(n: u16) -> TicketId {
        match issue(1, n).kind {
            MutationKind::IssueTicket { ticket, .. } => ticket.id,
            _ => unreachable!(),
        }
    }

    #[test]
    fn the_loser_of_a_call_race_is_told_and_its_actions_that_followed_are_refused_alike() {
        let mut a = authority();
        push(&mut a, DeviceRole::Kiosk, vec![issue(1, 1)]).unwrap();
        let t = issued_id(1);
        let (one, two) = (Counter::new(1), Counter::new(2));
        // Both called A-001 offline; loket 1's push arrives first.
        let won = one.push(
            &mut a,
            vec![one.act(t, TicketCommand::Call { loket: loket(1) })],
        );
        assert_eq!(code(&won[0]), "applied");
        let lost = two.push(
            &mut a,
            vec![
                two.act(t, TicketCommand::Call { loket: loket(2) }),
                two.act(t, TicketCommand::Start),
                two.act(t, TicketCommand::NoShow),
            ],
        );
        let notices: Vec<_> = lost
            .iter()
            .map(|o| match o {
                Outcome::Rejected {
                    code, reason_id, ..
                } => (code.as_str(), reason_id.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            notices,
            vec![("already_called", "A-001 sudah dipanggil di Loket 1."); 3]
        );
        // Loket 1 keeps its ticket and goes on with it.
        assert_eq!(
            a.replica.ticket(&t).unwrap().status,
            crate::domain::ticket::TicketStatus::Called {
                loket: loket(1),
                calls: 1
            }
        );
        let next = one.push(&mut a, vec![one.act(t, TicketCommand::Start)]);
        assert_eq!(code(&next[0]), "applied");
        // In a later batch, loket 2 still cannot touch it.
        let later = two.push(&mut a, vec![two.act(t, TicketCommand::Cancel)]);
        assert_eq!(code(&later[0]), "other_loket");
    }

    #[test]
    fn a_counter_acts_only_at_the_loket_it_is_registered_at() {
        let mut a = authority();
        push(&mut a, DeviceRole::Kiosk, vec![issue(1, 1)]).unwrap();
        let t = issued_id(1);
        let one = Counter::new(1);
        let r = one.push(
            &mut a,
            vec![
                // Claims to be loket 2, then no loket at all.
                one.act_as(Some(loket(2)), t, TicketCommand::Call { loket: loket(2) }),
                one.act_as(None, t, TicketCommand::Cancel),
            ],
        );
        assert_eq!(code(&r[0]), "wrong_loket");
        assert_eq!(code(&r[1]), "wrong_loket");
        assert_eq!(
            a.replica.ticket(&t).unwrap().status,
            crate::domain::ticket::TicketStatus::Waiting
        );
        // Calling to another loket from its own is refused by the rule itself.
        let r = one.push(
            &mut a,
            vec![one.act(t, TicketCommand::Call { loket: loket(2) })],
        );
        assert_eq!(code(&r[0]), "not_this_loket");
    }

    #[test]
    fn a_ticket_whose_token_is_taken_is_refused_and_blocks_nothing() {
        let mut a = authority();
        let token_of = |m: &Mutation| match &m.kind {
            MutationKind::IssueTicket { token, .. } => token.clone(),
            _ => unreachable!(),
        };
        let stored = issue(1, 1);
        let taken = BTreeSet::from([token_of(&stored)]);
        // The same token again later in the batch is refused too.
        let mut again = issue(3, 3);
        let second = issue(2, 2);
        if let MutationKind::IssueTicket { token, .. } = &mut again.kind {
            *token = token_of(&second);
        }
        let plan = a
            .plan_push(
                sender(DeviceRole::Kiosk),
                &PushRequest {
                    client_id: kiosk(),
                    mutations: vec![stored, second, again],
                },
                NOW,
                &taken,
            )
            .unwrap();
        let codes: Vec<_> = plan
            .response
            .outcomes
            .iter()
            .map(|o| code(&o.outcome).to_owned())
            .collect();
        assert_eq!(codes, ["token_taken", "applied", "token_taken"]);
        assert_eq!(plan.tokens.len(), 1);
        a.commit(plan);
    }

    #[test]
    fn a_kiosk_takes_a_number_only_while_the_server_has_seen_most_of_its_taken_ones() {
        let mut a = authority();
        let svc = ServiceCode::parse("legalisir-ktp-el").unwrap();
        let day = a
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        let max = a.rules.catalogue.policy.max_unissued;
        // The fixture's kiosk took 50 numbers, none issued: no more.
        assert!(matches!(
            a.plan_lease(&svc, day, kiosk()),
            Err(NumberingError::TooManyUnused { unused: 50, .. })
        ));
        // Issuing numbers brings it back to the limit: the next one is 51.
        let batch: Vec<Mutation> = (1..=(50 - max)).map(|n| issue(u64::from(n), n)).collect();
        push(&mut a, DeviceRole::Kiosk, batch).unwrap();
        let lease = a.plan_lease(&svc, day, kiosk()).unwrap();
        assert_eq!((lease.start, lease.end), (51, 51));
        // Offered, not yet given: the same number again until it is recorded.
        assert_eq!(a.plan_lease(&svc, day, kiosk()).unwrap(), lease);
        a.leases.record(lease);
        assert!(a.plan_lease(&svc, day, kiosk()).is_err());
        // Another kiosk is not held back by this one, and gets the next number.
        let other = ClientId::from_random_bytes([7; 16]);
        assert_eq!(a.plan_lease(&svc, day, other).unwrap().start, 52);
    }

    #[test]
    fn an_action_dated_more_than_a_week_back_is_refused_and_blocks_nothing() {
        let mut a = authority();
        let mut old = issue(1, 1);
        old.at.wall_ms = NOW - MAX_CLOCK_BEHIND_MS - 1;
        let mut epoch = issue(2, 2);
        epoch.at.wall_ms = 0;
        let r = push(&mut a, DeviceRole::Kiosk, vec![old, epoch, issue(3, 3)]).unwrap();
        let codes: Vec<_> = r
            .outcomes
            .iter()
            .map(|o| code(&o.outcome).to_owned())
            .collect();
        assert_eq!(codes, ["too_old", "too_old", "applied"]);
        assert_eq!(r.last_processed, 3);
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
        if let MutationKind::IssueTicket { ticket, token } = &mut dup.kind {
            ticket.id = TicketId::from_random_bytes([99; 16]);
            *token = TrackingToken::from_random_bytes([99; 16]);
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
            loket: None,
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
            a.plan_push(
                sender(DeviceRole::Kiosk),
                &req(vec![future]),
                NOW,
                &BTreeSet::new()
            ),
            Err(PushError::ClockAhead { .. })
        ));
        assert!(matches!(
            a.plan_push(
                sender(DeviceRole::Kiosk),
                &req(vec![issue(2, 2), issue(1, 1)]),
                NOW,
                &BTreeSet::new()
            ),
            Err(PushError::NotAscending { .. })
        ));
        let big: Vec<_> = (1..=(MAX_BATCH as u64 + 1)).map(|i| issue(i, 1)).collect();
        assert!(matches!(
            a.plan_push(sender(DeviceRole::Kiosk), &req(big), NOW, &BTreeSet::new()),
            Err(PushError::TooLarge { .. })
        ));
    }
}
