//! The state every device and the server hold: the tickets of the open service day and the
//! files still open from earlier days, built by applying events in server order. Tickets
//! that ended on a closed day leave it ([`Replica::prune_closed`]): history lives in the
//! server's store, so no replica grows with the age of the installation.
//!
//! The same [`Replica::decide`] validates a mutation on the device (optimistically) and on
//! the server (authoritatively), so both reach the same verdict on the same state.

use std::collections::{BTreeMap, VecDeque};

use jiff::civil::Date;

use super::calendar::OfficeCalendar;
use super::catalogue::Catalogue;
use super::hlc::Hlc;
use super::ids::{LoketId, ServiceCode, TicketId, TicketNumber};
use super::mutation::{Event, MutationKind};
use super::snapshot::{CallRecord, Snapshot};
use super::ticket::{DecideContext, EventKind, Ticket, TicketError, TicketStatus};

/// The catalogue with its calendar, built once.
#[derive(Debug, Clone)]
pub struct Rules {
    pub catalogue: Catalogue,
    pub calendar: OfficeCalendar,
}

impl Rules {
    pub fn new(catalogue: Catalogue) -> Self {
        let calendar = catalogue.office_calendar();
        Self {
            catalogue,
            calendar,
        }
    }
}

/// How many recent calls and durations are kept.
const RECENT_CALLS: usize = 30;
const RECENT_DURATIONS: usize = 20;

/// Tickets by id, the last applied sequence number, recent calls and service durations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replica {
    tickets: BTreeMap<TicketId, Ticket>,
    /// Tickets by service day and printed number: an issue checks its number without
    /// scanning the replica.
    numbers: BTreeMap<(Date, TicketNumber), TicketId>,
    cursor: u64,
    calls: VecDeque<CallRecord>,
    durations: BTreeMap<ServiceCode, VecDeque<i64>>,
}

impl Replica {
    pub fn from_snapshot(s: Snapshot) -> Self {
        Self {
            numbers: s
                .tickets
                .iter()
                .map(|t| ((t.service_day, t.number), t.id))
                .collect(),
            tickets: s.tickets.into_iter().map(|t| (t.id, t)).collect(),
            cursor: s.cursor,
            calls: s.calls.into_iter().collect(),
            durations: s
                .durations
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            cursor: self.cursor,
            tickets: self.tickets.values().cloned().collect(),
            calls: self.calls.iter().cloned().collect(),
            durations: self
                .durations
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().copied().collect()))
                .collect(),
        }
    }

    /// The sequence number of the last event applied.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.tickets.get(id)
    }

    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// Finds a ticket of a service day by its printed number.
    pub fn by_number(&self, day: Date, number: TicketNumber) -> Option<&Ticket> {
        self.numbers
            .get(&(day, number))
            .and_then(|id| self.tickets.get(id))
    }

    /// The most recent calls, newest first.
    pub fn recent_calls(&self) -> impl Iterator<Item = &CallRecord> {
        self.calls.iter().rev()
    }

    /// The calls made on service day `today`, newest first: a display left on overnight
    /// starts the day without yesterday's last call in large type.
    pub fn calls_of_day<'a>(
        &'a self,
        today: Date,
        calendar: &'a OfficeCalendar,
    ) -> impl Iterator<Item = &'a CallRecord> {
        self.recent_calls()
            .filter(move |c| calendar.service_day(c.at.timestamp()) == today)
    }

    /// Recent service durations of a service in ms, oldest first.
    pub fn durations(&self, service: &ServiceCode) -> Vec<i64> {
        self.durations
            .get(service)
            .map(|d| d.iter().copied().collect())
            .unwrap_or_default()
    }

    /// How many tickets a service issued on a day (the daily cap counts these).
    pub fn issued_count(&self, service: &ServiceCode, day: Date) -> usize {
        self.tickets
            .values()
            .filter(|t| &t.service == service && t.service_day == day)
            .count()
    }

    /// Validates a mutation against this state and returns the events it produces.
    pub fn decide(
        &self,
        kind: &MutationKind,
        at: Hlc,
        rules: &Rules,
    ) -> Result<(TicketId, EventKind), TicketError> {
        decide(self, kind, at, rules)
    }
}

/// What deciding a mutation reads of the state: a [`Replica`], or a [`Draft`] of changes
/// on top of one.
pub trait Lookup {
    fn ticket(&self, id: &TicketId) -> Option<&Ticket>;
    /// A ticket of a service day by its printed number.
    fn by_number(&self, day: Date, number: TicketNumber) -> Option<&Ticket>;
    /// How many tickets a service issued on a day (the daily cap counts these).
    fn issued_count(&self, service: &ServiceCode, day: Date) -> usize;
}

impl Lookup for Replica {
    fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        Replica::ticket(self, id)
    }
    fn by_number(&self, day: Date, number: TicketNumber) -> Option<&Ticket> {
        Replica::by_number(self, day, number)
    }
    fn issued_count(&self, service: &ServiceCode, day: Date) -> usize {
        Replica::issued_count(self, service, day)
    }
}

/// The tickets a batch of events changes, on top of a replica that stays as it is: the
/// server decides a push on a draft, so a push costs what it changes, not what the
/// replica holds, and a push that fails to persist leaves nothing to undo.
pub struct Draft<'a> {
    base: &'a Replica,
    changed: BTreeMap<TicketId, Ticket>,
    /// Tickets issued in the draft, by service day and number.
    issued: BTreeMap<(Date, TicketNumber), TicketId>,
}

impl<'a> Draft<'a> {
    pub fn new(base: &'a Replica) -> Self {
        Self {
            base,
            changed: BTreeMap::new(),
            issued: BTreeMap::new(),
        }
    }

    pub fn decide(
        &self,
        kind: &MutationKind,
        at: Hlc,
        rules: &Rules,
    ) -> Result<(TicketId, EventKind), TicketError> {
        decide(self, kind, at, rules)
    }

    /// Applies an event to the draft's tickets, as [`Replica::apply`] would.
    pub fn apply(&mut self, id: TicketId, kind: &EventKind, at: Hlc) {
        if let EventKind::Issued {
            ticket,
            service_day,
        } = kind
        {
            if self.ticket(&id).is_none() {
                self.issued.insert((*service_day, ticket.number), id);
                self.changed
                    .insert(id, Ticket::new(ticket, *service_day, at));
            }
            return;
        }
        let Some(t) = self.ticket(&id) else {
            return;
        };
        let mut t = t.clone();
        t.apply(kind, at);
        self.changed.insert(id, t);
    }
}

impl Lookup for Draft<'_> {
    fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.changed.get(id).or_else(|| self.base.ticket(id))
    }
    fn by_number(&self, day: Date, number: TicketNumber) -> Option<&Ticket> {
        // A ticket's day and number never change, so the base's index stays right.
        match self.issued.get(&(day, number)) {
            Some(id) => self.changed.get(id),
            None => self.base.by_number(day, number),
        }
    }
    fn issued_count(&self, service: &ServiceCode, day: Date) -> usize {
        let new = self
            .issued
            .iter()
            .filter(|((d, _), id)| {
                *d == day && self.changed.get(id).is_some_and(|t| &t.service == service)
            })
            .count();
        self.base.issued_count(service, day) + new
    }
}

/// Validates a mutation against a state and returns the event it produces.
fn decide(
    state: &impl Lookup,
    kind: &MutationKind,
    at: Hlc,
    rules: &Rules,
) -> Result<(TicketId, EventKind), TicketError> {
    match kind {
        MutationKind::IssueTicket { ticket, .. } => {
            let service = rules.catalogue.service(&ticket.service).ok_or_else(|| {
                TicketError::UnknownService {
                    service: ticket.service.clone(),
                }
            })?;
            if ticket.number.prefix() != service.prefix {
                return Err(TicketError::WrongPrefix {
                    number: ticket.number,
                    service: service.code.clone(),
                });
            }
            if state.ticket(&ticket.id).is_some() {
                return Err(TicketError::DuplicateTicket);
            }
            let day = rules.calendar.service_day(at.timestamp());
            // A ticket issued after closing time would only be closed unserved.
            if at.timestamp() >= rules.calendar.closes_at(day) {
                return Err(TicketError::ServiceClosed);
            }
            if state.by_number(day, ticket.number).is_some() {
                return Err(TicketError::DuplicateNumber {
                    number: ticket.number,
                });
            }
            if let Some(cap) = service.daily_cap {
                if state.issued_count(&service.code, day) >= usize::from(cap) {
                    return Err(TicketError::DailyCapReached {
                        service: service.code.clone(),
                        cap,
                    });
                }
            }
            Ok((
                ticket.id,
                EventKind::Issued {
                    ticket: ticket.clone(),
                    service_day: day,
                },
            ))
        }
        MutationKind::Ticket {
            ticket,
            command,
            loket,
        } => {
            let t = state.ticket(ticket).ok_or(TicketError::UnknownTicket)?;
            let service =
                rules
                    .catalogue
                    .service(&t.service)
                    .ok_or_else(|| TicketError::UnknownService {
                        service: t.service.clone(),
                    })?;
            let ctx = DecideContext {
                service,
                policy: &rules.catalogue.policy,
                calendar: &rules.calendar,
                catalogue: &rules.catalogue,
                by: *loket,
            };
            Ok((*ticket, t.decide(command, at, &ctx)?))
        }
    }
}

impl Replica {
    /// Applies a sequenced event. An event at or below the cursor was applied already and
    /// changes nothing; returns whether it was applied.
    pub fn apply(&mut self, e: &Event) -> bool {
        if e.seq <= self.cursor {
            return false;
        }
        self.apply_kind(e.seq, e.ticket, &e.kind, e.at);
        self.cursor = e.seq;
        true
    }

    /// Applies an event that is not in the server's log yet (an optimistic local effect).
    pub fn apply_local(&mut self, ticket: TicketId, kind: &EventKind, at: Hlc) {
        self.apply_kind(0, ticket, kind, at);
    }

    fn apply_kind(&mut self, seq: u64, id: TicketId, kind: &EventKind, at: Hlc) {
        if let EventKind::Issued {
            ticket,
            service_day,
        } = kind
        {
            if !self.tickets.contains_key(&id) {
                self.numbers.insert((*service_day, ticket.number), id);
                self.tickets
                    .insert(id, Ticket::new(ticket, *service_day, at));
            }
            return;
        }
        let Some(t) = self.tickets.get_mut(&id) else {
            return;
        };
        let before = t.status.clone();
        t.apply(kind, at);
        let call = match (kind, &t.status) {
            (EventKind::Called { loket }, _) => Some((*loket, false, false)),
            (EventKind::Recalled, TicketStatus::Called { loket, .. }) => {
                Some((*loket, false, true))
            }
            (EventKind::PickupCalled { loket }, _) => Some((
                *loket,
                true,
                matches!(before, TicketStatus::PickupCalled { .. }),
            )),
            _ => None,
        };
        if let Some((loket, pickup, recall)) = call {
            self.calls.push_back(CallRecord {
                seq,
                ticket: id,
                number: t.number,
                loket,
                at,
                pickup,
                recall,
            });
            while self.calls.len() > RECENT_CALLS {
                self.calls.pop_front();
            }
        }
        if matches!(
            kind,
            EventKind::Accepted { .. } | EventKind::Returned { .. }
        ) {
            if let Some(d) = t.service_duration_ms(at) {
                let ds = self.durations.entry(t.service.clone()).or_default();
                ds.push_back(d);
                while ds.len() > RECENT_DURATIONS {
                    ds.pop_front();
                }
            }
        }
    }

    /// Takes out the tickets that ended (collected, cancelled, not served, expired) on a
    /// service day up to `through`, and returns them. Open files stay whatever their age;
    /// a ticket that ended today stays until its day is over, for the day's screens.
    pub fn prune_closed(&mut self, through: Date, calendar: &OfficeCalendar) -> Vec<Ticket> {
        let gone: Vec<TicketId> = self
            .tickets
            .values()
            .filter(|t| t.status.is_terminal() && t.updated_day(calendar) <= through)
            .map(|t| t.id)
            .collect();
        let mut out = Vec::with_capacity(gone.len());
        for id in &gone {
            if let Some(t) = self.tickets.remove(id) {
                self.numbers.remove(&(t.service_day, t.number));
                out.push(t);
            }
        }
        // Calls are kept for the display's history; a call of a pruned ticket stays as
        // it was announced.
        out
    }

    /// The ticket a loket is handling now (called, serving or pickup-called there). A call
    /// made on an earlier day is not current: the close will record what became of it. A
    /// ticket being served stays with its loket until finished.
    pub fn current_at(
        &self,
        loket: LoketId,
        today: Date,
        calendar: &OfficeCalendar,
    ) -> Option<&Ticket> {
        self.tickets
            .values()
            .filter(|t| match t.status {
                TicketStatus::Serving { loket: l } => l == loket,
                TicketStatus::Called { loket: l, .. }
                | TicketStatus::PickupCalled { loket: l, .. } => {
                    l == loket && t.updated_day(calendar) >= today
                }
                _ => false,
            })
            // A ticket being served holds the loket over a copy still waiting for its
            // owner: the officer may call the next citizen while one is due to collect.
            .max_by_key(|t| (t.status.occupies_loket(), t.updated_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::SEED_TOML;
    use crate::domain::ids::ClientId;
    use crate::domain::ticket::{Priority, TicketCommand};

    fn rules() -> Rules {
        Rules::new(Catalogue::from_toml(SEED_TOML).unwrap())
    }

    fn at(ms: i64) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 0,
            client: ClientId::from_random_bytes([9; 16]),
        }
    }

    const NOON: i64 = 1_796_004_000_000; // 2026-11-30 10:00 WITA

    fn issue(n: u16, id: u8) -> MutationKind {
        crate::domain::fixtures::issue_kind(n, id, Priority::Regular)
    }

    fn event(r: &Replica, seq: u64, k: &MutationKind, ms: i64) -> Event {
        let (ticket, kind) = r.decide(k, at(ms), &rules()).unwrap();
        Event {
            seq,
            at: at(ms),
            ticket,
            kind,
        }
    }

    #[test]
    fn an_event_applied_twice_is_a_no_op() {
        let mut r = Replica::default();
        let e = event(&r, 1, &issue(1, 1), NOON);
        assert!(r.apply(&e));
        let once = r.clone();
        assert!(!r.apply(&e));
        assert_eq!(r, once);
    }

    #[test]
    fn the_same_number_cannot_be_issued_twice_in_a_day() {
        let mut r = Replica::default();
        let e = event(&r, 1, &issue(1, 1), NOON);
        r.apply(&e);
        let err = r.decide(&issue(1, 2), at(NOON + 5), &rules()).unwrap_err();
        assert_eq!(
            err,
            TicketError::DuplicateNumber {
                number: TicketNumber::new('A', None, 1).unwrap()
            }
        );
        // The next service day the number is free again.
        assert!(r
            .decide(&issue(1, 2), at(NOON + 86_400_000), &rules())
            .is_ok());
    }

    #[test]
    fn calls_are_recorded_for_the_display_with_recalls_marked() {
        let mut r = Replica::default();
        let e = event(&r, 1, &issue(1, 1), NOON);
        r.apply(&e);
        let id = TicketId::from_random_bytes([1; 16]);
        let call = MutationKind::Ticket {
            ticket: id,
            command: TicketCommand::Call {
                loket: LoketId::new(2).unwrap(),
            },
            loket: LoketId::new(2).ok(),
        };
        let e = event(&r, 2, &call, NOON + 1);
        r.apply(&e);
        let e = event(
            &r,
            3,
            &MutationKind::Ticket {
                ticket: id,
                command: TicketCommand::Recall,
                loket: LoketId::new(2).ok(),
            },
            NOON + 2,
        );
        r.apply(&e);
        let calls: Vec<_> = r.recent_calls().collect();
        assert_eq!(calls.len(), 2);
        assert!(calls[0].recall && !calls[1].recall);
        assert_eq!(calls[0].seq, 3);
        let rules = rules();
        let today = rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOON).unwrap());
        assert_eq!(
            r.current_at(LoketId::new(2).unwrap(), today, &rules.calendar)
                .unwrap()
                .id,
            id
        );
        assert_eq!(r.calls_of_day(today, &rules.calendar).count(), 2);
        // The next day the unanswered call is no longer the loket's current ticket, nor a
        // call of the day.
        let tomorrow = today.tomorrow().unwrap();
        assert_eq!(r.calls_of_day(tomorrow, &rules.calendar).count(), 0);
        assert!(r
            .current_at(LoketId::new(2).unwrap(), tomorrow, &rules.calendar)
            .is_none());
    }

    #[test]
    fn a_loket_serving_someone_shows_them_before_a_copy_still_waiting_for_its_owner() {
        use crate::domain::fixtures::{accept_all, act, decide_and_apply};
        let rules = rules();
        let two = LoketId::new(2).unwrap();
        let mut r = Replica::default();
        let step = |r: &mut Replica, k: MutationKind| decide_and_apply(r, &rules, &k, NOON);
        let (a, b) = (
            TicketId::from_random_bytes([1; 16]),
            TicketId::from_random_bytes([2; 16]),
        );
        step(&mut r, issue(1, 1));
        step(&mut r, issue(2, 2));
        for c in [
            TicketCommand::Call { loket: two },
            TicketCommand::Start,
            accept_all(&rules),
            TicketCommand::MarkReady,
            TicketCommand::CallPickup { loket: two },
        ] {
            let k = act(&r, a, c);
            step(&mut r, k);
        }
        let today = rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOON).unwrap());
        assert_eq!(r.current_at(two, today, &rules.calendar).unwrap().id, a);
        // The next citizen is called while A-001 is awaited at the loket; the loket now
        // shows them, and a later recall of the pickup does not push them aside.
        let k = act(&r, b, TicketCommand::Call { loket: two });
        step(&mut r, k);
        assert_eq!(r.current_at(two, today, &rules.calendar).unwrap().id, b);
        let k = act(&r, a, TicketCommand::CallPickup { loket: two });
        step(&mut r, k);
        assert_eq!(r.current_at(two, today, &rules.calendar).unwrap().id, b);
    }

    #[test]
    fn a_snapshot_round_trips() {
        let mut r = Replica::default();
        let e = event(&r, 1, &issue(1, 1), NOON);
        r.apply(&e);
        let s = r.snapshot();
        let json = serde_json::to_string(&s).unwrap();
        let back = Replica::from_snapshot(serde_json::from_str(&json).unwrap());
        assert_eq!(back, r);
    }
}
