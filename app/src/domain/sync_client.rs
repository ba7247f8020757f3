//! The sync client as a sans-IO state machine: inputs go in through `handle_*`, requests
//! and UI events come out through `poll_*`, time is an argument. The IndexedDB store and
//! the HTTP/WebSocket code only move data in and out of it, so every hard case (lost
//! responses, outages, conflicts) is tested here with a simulated network and clock.
//!
//! Visible state = the server-confirmed replica (from pulls) with the pending outbox
//! re-applied on top (rebase). A confirmed push removes mutations from the outbox (they stay
//! in the view, as acknowledged, until the pull that brings their events); their
//! effect then arrives through a pull.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::hlc::HlcClock;
use super::i18n::Text;
use super::ids::{ClientId, MutationId, ServiceCode, TicketId, TicketNumber, TrackingToken};
use super::mutation::{
    Event, Mutation, MutationKind, Outcome, Poke, PullResponse, PushRequest, PushResponse,
};
use super::numbering::{Lease, NumberPool, NumberingError};
use super::replica::{Replica, Rules};
use super::ticket::{NewTicket, Priority, TicketError};

/// Most mutations sent in one push.
pub const PUSH_BATCH: usize = 200;
/// First retry delay after a failed request; doubles up to [`MAX_BACKOFF_MS`].
pub const MIN_BACKOFF_MS: i64 = 500;
pub const MAX_BACKOFF_MS: i64 = 30_000;
/// Pull at least this often even without a poke, in case the live stream is silently
/// broken (a display must never freeze until reloaded).
pub const PERIODIC_PULL_MS: i64 = 15_000;

/// A request the adapter should perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Push(PushRequest),
    Pull { cursor: u64 },
}

/// Something the user should be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiEvent {
    /// The server refused an action done on this device: "A-012 was already called at
    /// Loket 2".
    Rejected {
        number: Option<TicketNumber>,
        message: Text,
    },
}

/// What a device shows in its sync status chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub online: bool,
    pub pending: usize,
    pub last_synced_ms: Option<i64>,
    pub cursor: u64,
}

/// What the store keeps for the client besides the outbox and the confirmed replica.
/// A user action stores only its mutation (one write per tap); the meta is a checkpoint,
/// stored when the outbox shrinks, and the outbox is the journal since that checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMeta {
    pub client_id: ClientId,
    pub clock: HlcClock,
    pub next_id: MutationId,
}

impl ClientMeta {
    /// Replays the journal on the checkpoint: the next action gets a newer id and a later
    /// timestamp than any in the outbox. Replaying entries already counted changes nothing.
    pub fn catch_up<'a>(&mut self, journal: impl IntoIterator<Item = &'a Mutation>) {
        for m in journal {
            self.clock.catch_up(&m.at);
            if m.mutation_id >= self.next_id {
                self.next_id = m.mutation_id.next();
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    Push { last: MutationId },
    Pull,
}

/// The sync state machine of one device.
#[derive(Debug, Clone)]
pub struct SyncClient {
    rules: Rules,
    meta: ClientMeta,
    confirmed: Replica,
    outbox: VecDeque<Mutation>,
    /// Mutations the server applied whose events the confirmed replica has not pulled yet,
    /// with the sequence number of their event. They stay visible until the pull brings
    /// them, so an acknowledged action never seems undone for a moment.
    acked: VecDeque<(Mutation, u64)>,
    view: Replica,
    /// Changes whenever `view` does, so a device republishes (copies the view to its
    /// screens) only then, not on every wake of its sync loop.
    view_version: u64,
    online: bool,
    /// The last request got an answer (false after a failure, until the next answer).
    reachable: bool,
    in_flight: Option<InFlight>,
    pull_wanted: bool,
    /// The newest sequence number the server has announced (poke, push or pull answer).
    /// A pull answer that stops short of it leaves a pull wanted: a poke that arrives
    /// while a pull is under way is not forgotten when that pull answers.
    newest_known: u64,
    retry_at: Option<i64>,
    backoff_ms: i64,
    last_pull_ms: Option<i64>,
    last_synced_ms: Option<i64>,
    /// The last service day whose ended tickets this device has dropped (at its own
    /// closing time, online or not: a device left running for days stays small).
    pruned_through: Option<jiff::civil::Date>,
    ui: VecDeque<UiEvent>,
    /// Tickets the server refused because another ticket holds their tracking token: the
    /// adapter issues each again, same id and number, with a fresh token it draws
    /// ([`SyncClient::poll_reissue`]). The citizen's number stays good.
    reissue: VecDeque<NewTicket>,
    /// A kiosk's numbers: the one taken from the server for the tap under way, and its own
    /// series for taps without the server. Stored by the adapter with the meta.
    pool: NumberPool,
}

/// Why a kiosk's tap issued no ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueError {
    /// No number: no series digit yet, or the day's numbers are used up.
    Numbering(NumberingError),
    /// The rules refuse it (the service is closed, unknown, …).
    Refused(TicketError),
}

/// The outbox as the device's store read it back: the mutations to send, in order, and
/// the positions of the entries that are not this device's mutations (damaged, or written
/// by another version of the app). Those are set aside by the adapter, kept and reported:
/// never sent, and never silently dropped, since a citizen may hold the ticket one of them
/// issued.
#[derive(Debug, Default, PartialEq)]
pub struct OutboxRead {
    pub mutations: Vec<Mutation>,
    pub set_aside: Vec<usize>,
}

/// Reads the stored outbox of device `client`: each entry's stored text (`None` when the
/// stored value is not text) and its key as a number (`None` when it is not one).
pub fn read_outbox(client: ClientId, entries: &[(Option<f64>, Option<String>)]) -> OutboxRead {
    let mut read = OutboxRead::default();
    for (i, (key, text)) in entries.iter().enumerate() {
        let m = text
            .as_deref()
            .and_then(|t| serde_json::from_str::<Mutation>(t).ok())
            .filter(|m| m.client_id == client && *key == Some(m.mutation_id.get() as f64));
        match m {
            Some(m) => read.mutations.push(m),
            None => read.set_aside.push(i),
        }
    }
    read.mutations.sort_unstable_by_key(|m| m.mutation_id);
    read
}

impl SyncClient {
    /// A fresh device.
    pub fn new(client_id: ClientId, rules: Rules) -> Self {
        let meta = ClientMeta {
            client_id,
            clock: HlcClock::new(client_id),
            next_id: MutationId::FIRST,
        };
        Self::restore(
            meta,
            NumberPool::default(),
            Vec::new(),
            Replica::default(),
            rules,
        )
    }

    /// A device restarted from what its store kept: the meta and the number pool of the
    /// last checkpoint are caught up with the outbox (the journal of the taps since).
    pub fn restore(
        mut meta: ClientMeta,
        pool: NumberPool,
        outbox: Vec<Mutation>,
        confirmed: Replica,
        rules: Rules,
    ) -> Self {
        meta.catch_up(&outbox);
        let mut c = Self {
            rules,
            meta,
            view: confirmed.clone(),
            view_version: 0,
            confirmed,
            outbox: outbox.into(),
            acked: VecDeque::new(),
            online: true,
            // Not "connected" until a request got an answer: a device started with the
            // server down never says it is online.
            reachable: false,
            in_flight: None,
            pull_wanted: true,
            newest_known: 0,
            retry_at: None,
            backoff_ms: 0,
            last_pull_ms: None,
            last_synced_ms: None,
            pruned_through: None,
            ui: VecDeque::new(),
            reissue: VecDeque::new(),
            pool,
        };
        // Taps since the stored pool are only in the outbox: take their numbers out again.
        let issued: Vec<_> = c
            .issued_in_outbox()
            .map(|(service, day, number)| (service.clone(), day, number))
            .collect();
        for (service, day, number) in issued {
            c.pool.mark_issued(&service, day, number);
        }
        c.rebase();
        c
    }

    pub fn client_id(&self) -> ClientId {
        self.meta.client_id
    }
    pub fn meta(&self) -> &ClientMeta {
        &self.meta
    }
    /// What the user sees: confirmed state plus pending actions.
    pub fn view(&self) -> &Replica {
        &self.view
    }
    /// A number that changes whenever [`Self::view`] does.
    pub fn view_version(&self) -> u64 {
        self.view_version
    }
    pub fn confirmed(&self) -> &Replica {
        &self.confirmed
    }
    pub fn outbox(&self) -> impl Iterator<Item = &Mutation> {
        self.outbox.iter()
    }
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// A new version of the catalogue from the server: decisions from now on use it.
    pub fn set_rules(&mut self, rules: Rules) {
        self.rules = rules;
    }
    pub fn status(&self) -> SyncStatus {
        SyncStatus {
            online: self.online && self.reachable,
            pending: self.outbox.len(),
            last_synced_ms: self.last_synced_ms,
            cursor: self.confirmed.cursor(),
        }
    }

    /// A user action: validated on the visible state, applied to it at once, and queued.
    /// The caller stores the returned mutation in the outbox; the meta is caught up from
    /// it on restart (see [`ClientMeta`]).
    pub fn handle_user_action(
        &mut self,
        kind: MutationKind,
        now_ms: i64,
    ) -> Result<Mutation, TicketError> {
        let mut clock = self.meta.clock.clone();
        let at = clock.tick(now_ms);
        let (ticket, event) = self.view.decide(&kind, at, &self.rules)?;
        self.meta.clock = clock;
        self.view.apply_local(ticket, &event, at);
        self.view_version += 1;
        let m = Mutation {
            client_id: self.meta.client_id,
            mutation_id: self.meta.next_id,
            at,
            kind,
        };
        self.meta.next_id = self.meta.next_id.next();
        self.outbox.push_back(m.clone());
        Ok(m)
    }

    /// Whether a kiosk's tap should take its number from the server first: only while the
    /// server answers (the adapter gives up after a short wait, then the kiosk prints from
    /// its own series; see [`crate::domain::numbering`]).
    pub fn takes_numbers_online(&self) -> bool {
        self.status().online
    }

    /// Taking a number from the server failed for want of an answer: the server counts
    /// as unreachable until the next answer, so the next taps do not wait for it.
    pub fn handle_take_failed(&mut self) {
        self.reachable = false;
    }

    /// A kiosk's tap: the ticket's number from its pool (the number just taken from the
    /// server, else the kiosk's own series) for the service day of the tap's timestamp,
    /// issued as a user action. The day is the timestamp's, not the wall clock's: they
    /// differ when the clock was carried past midnight by a later device's timestamp.
    /// Nothing changes when it fails.
    pub fn issue_ticket(
        &mut self,
        service: &ServiceCode,
        priority: Priority,
        id: TicketId,
        token: TrackingToken,
        now_ms: i64,
    ) -> Result<(Mutation, NewTicket, jiff::civil::Date), IssueError> {
        let svc = self.rules.catalogue.service(service).ok_or_else(|| {
            IssueError::Refused(TicketError::UnknownService {
                service: service.clone(),
            })
        })?;
        let (code, prefix) = (svc.code.clone(), svc.prefix);
        let day = self
            .rules
            .calendar
            .service_day(self.meta.clock.peek(now_ms).timestamp());
        // Earlier days' numbers are of no use any more: a kiosk left on for months keeps
        // one day's pool.
        let mut drawn = self.pool.clone();
        drawn.prune(day);
        let number = drawn
            .next(&code, prefix, day)
            .map_err(IssueError::Numbering)?;
        let ticket = NewTicket {
            id,
            number,
            service: code,
            priority,
            catalogue: self.rules.catalogue.version,
        };
        let m = self
            .handle_user_action(
                MutationKind::IssueTicket {
                    ticket: ticket.clone(),
                    token,
                },
                now_ms,
            )
            .map_err(IssueError::Refused)?;
        self.pool = drawn;
        Ok((m, ticket, day))
    }

    /// The server gave this kiosk its series digit (at registration).
    pub fn handle_series(&mut self, series: u8) {
        self.pool.set_series(series);
    }

    /// The server gave the tap under way its number.
    pub fn handle_number_taken(&mut self, lease: &Lease) {
        self.pool.add_lease(lease);
    }

    /// A kiosk's numbers, for the adapter to store with the meta.
    pub fn pool(&self) -> &NumberPool {
        &self.pool
    }

    /// The next request to perform, if any is due. One request is in flight at a time.
    pub fn poll_request(&mut self, now_ms: i64) -> Option<Request> {
        if !self.online || self.in_flight.is_some() || self.retry_at.is_some_and(|t| now_ms < t) {
            return None;
        }
        self.retry_at = None;
        if let Some(last) = self
            .outbox
            .iter()
            .take(PUSH_BATCH)
            .next_back()
            .map(|m| m.mutation_id)
        {
            self.in_flight = Some(InFlight::Push { last });
            return Some(Request::Push(PushRequest {
                client_id: self.meta.client_id,
                mutations: self.outbox.iter().take(PUSH_BATCH).cloned().collect(),
            }));
        }
        let periodic = self
            .last_pull_ms
            .is_none_or(|t| now_ms - t >= PERIODIC_PULL_MS);
        if self.pull_wanted || periodic {
            self.in_flight = Some(InFlight::Pull);
            self.last_pull_ms = Some(now_ms);
            return Some(Request::Pull {
                cursor: self.confirmed.cursor(),
            });
        }
        None
    }

    /// When the adapter should wake the machine up next (ms), if ever.
    pub fn poll_timeout(&self) -> Option<i64> {
        if let Some(t) = self.retry_at {
            return Some(t);
        }
        self.last_pull_ms.map(|t| t + PERIODIC_PULL_MS)
    }

    pub fn poll_ui_event(&mut self) -> Option<UiEvent> {
        self.ui.pop_front()
    }

    /// A ticket to issue again with a fresh tracking token: the adapter draws one and
    /// calls [`SyncClient::handle_user_action`] with `IssueTicket { ticket, token }`.
    pub fn poll_reissue(&mut self) -> Option<NewTicket> {
        self.reissue.pop_front()
    }

    /// The server answered a push. Returns the mutations that left the outbox (the server
    /// processed them: applied or refused for good), which the adapter deletes from the
    /// device's durable journal.
    pub fn handle_push_response(&mut self, resp: &PushResponse, now_ms: i64) -> Vec<MutationId> {
        self.in_flight = None;
        self.reachable = true;
        self.backoff_ms = 0;
        self.last_synced_ms = Some(now_ms);
        for o in &resp.outcomes {
            let Outcome::Rejected {
                code,
                reason,
                reason_id,
            } = &o.outcome
            else {
                continue;
            };
            let sent = self.outbox.iter().find(|m| m.mutation_id == o.mutation_id);
            let number = sent.and_then(|m| self.number_of(&m.kind));
            let message = match sent.map(|m| &m.kind) {
                Some(MutationKind::IssueTicket { ticket, .. }) if code == "token_taken" => {
                    self.reissue.push_back(ticket.clone());
                    Text::new(
                        "kode QR tiket ini diganti; nomornya tetap berlaku. Kode QR yang \
                         tercetak tidak menunjukkan tiket ini."
                            .to_string(),
                        "this ticket's QR code was replaced; its number stays valid. The \
                         printed QR code does not show this ticket."
                            .to_string(),
                    )
                }
                _ => Text::new(reason_id.clone(), reason.clone()),
            };
            self.ui.push_back(UiEvent::Rejected { number, message });
        }
        let done = resp.last_processed;
        let mut left = Vec::new();
        while self
            .outbox
            .front()
            .is_some_and(|m| m.mutation_id.get() <= done)
        {
            let Some(m) = self.outbox.pop_front() else {
                break;
            };
            left.push(m.mutation_id);
            let applied = resp.outcomes.iter().find_map(|o| match o.outcome {
                Outcome::Applied { seq } if o.mutation_id == m.mutation_id => Some(seq),
                _ => None,
            });
            if let Some(seq) = applied.filter(|seq| *seq > self.confirmed.cursor()) {
                self.acked.push_back((m, seq));
            }
        }
        self.newest_known = self.newest_known.max(resp.cursor);
        if resp.cursor > self.confirmed.cursor() {
            self.pull_wanted = true;
        }
        self.rebase();
        left
    }

    /// The server answered a pull.
    pub fn handle_pull(&mut self, resp: PullResponse, now_ms: i64) {
        self.in_flight = None;
        self.reachable = true;
        self.backoff_ms = 0;
        self.last_synced_ms = Some(now_ms);
        if let Some(s) = resp.snapshot {
            self.confirmed = Replica::from_snapshot(s);
        }
        self.take_events(&resp.events, now_ms);
        self.newest_known = self.newest_known.max(resp.cursor);
        self.pull_wanted = resp.more || self.newest_known > self.confirmed.cursor();
    }

    /// Applies confirmed events (from a pull or a poke) and recomputes the view.
    fn take_events(&mut self, events: &[Event], now_ms: i64) {
        for e in events {
            self.meta.clock.observe(&e.at, now_ms);
            self.confirmed.apply(e);
        }
        let cursor = self.confirmed.cursor();
        self.acked.retain(|(_, seq)| *seq > cursor);
        self.rebase();
    }

    /// A request failed (network down, server gone, 5xx): retry later with backoff.
    pub fn handle_request_failed(&mut self, now_ms: i64) {
        if matches!(self.in_flight, Some(InFlight::Pull)) {
            self.pull_wanted = true;
        }
        self.in_flight = None;
        self.reachable = false;
        self.backoff_ms = (self.backoff_ms * 2).clamp(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
        self.retry_at = Some(now_ms + self.backoff_ms);
    }

    /// The live stream says the log reached `poke.cursor`. When the poke carries the events
    /// that follow this replica's cursor exactly, they are applied here and no pull is
    /// needed; otherwise (a gap, a skipped poke, a large batch) the device pulls. Returns
    /// whether the confirmed replica changed.
    pub fn handle_poke(&mut self, poke: Poke, now_ms: i64) -> bool {
        self.newest_known = self.newest_known.max(poke.cursor);
        let contiguous = !poke.events.is_empty()
            && poke.after == self.confirmed.cursor()
            && poke
                .events
                .iter()
                .zip(poke.after + 1..)
                .all(|(e, seq)| e.seq == seq);
        if contiguous {
            // A pull already under way still answers; its events are then no-ops.
            self.last_synced_ms = Some(now_ms);
            self.take_events(&poke.events, now_ms);
            return true;
        }
        if poke.cursor > self.confirmed.cursor() {
            self.pull_wanted = true;
        }
        false
    }

    /// The live stream ended. Whatever ended it (a revocation, a restart, the network), a
    /// pull now tells: a revoked device learns it at once instead of showing stale calls
    /// until its next periodic pull, and a reconnected one what it missed.
    pub fn handle_stream_lost(&mut self) {
        self.pull_wanted = true;
    }

    /// The browser went online or offline.
    pub fn handle_online(&mut self, online: bool) {
        self.online = online;
        if online {
            // Coming back is the moment to try at once, not after the backoff.
            self.retry_at = None;
            self.backoff_ms = 0;
            self.pull_wanted = true;
        }
    }

    /// Time passed; requests due by now become available through `poll_request`.
    pub fn handle_tick(&mut self, now_ms: i64) {
        let now = jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default();
        let through = super::service_day::last_closed_day(&self.rules.calendar, now);
        if self.pruned_through != Some(through) {
            self.pruned_through = Some(through);
            if !self
                .confirmed
                .prune_closed(through, &self.rules.calendar)
                .is_empty()
            {
                self.rebase();
            }
        }
        if self
            .last_pull_ms
            .is_some_and(|t| now_ms - t >= PERIODIC_PULL_MS)
        {
            self.pull_wanted = true;
        }
    }

    /// The tickets this device issued that wait in its outbox, oldest first, with their
    /// service day (of their timestamp, as the server counts it): a restarted kiosk takes
    /// their numbers out of its stored pool.
    fn issued_in_outbox(
        &self,
    ) -> impl Iterator<Item = (&ServiceCode, jiff::civil::Date, TicketNumber)> {
        self.outbox.iter().filter_map(|m| match &m.kind {
            MutationKind::IssueTicket { ticket, .. } => Some((
                &ticket.service,
                self.rules.calendar.service_day(m.at.timestamp()),
                ticket.number,
            )),
            MutationKind::Ticket { .. } => None,
        })
    }

    /// The number of the last ticket this kiosk issued that still waits in its outbox
    /// (the kiosk shows it after a restart).
    pub fn last_issued_in_outbox(&self) -> Option<TicketNumber> {
        self.issued_in_outbox().last().map(|(_, _, n)| n)
    }

    fn number_of(&self, kind: &MutationKind) -> Option<TicketNumber> {
        match kind {
            MutationKind::IssueTicket { ticket, .. } => Some(ticket.number),
            MutationKind::Ticket { ticket, .. } => self.view.ticket(ticket).map(|t| t.number),
        }
    }

    /// Recomputes the visible state. A pending mutation that no longer fits (another
    /// device got there first) is left out of the view; the server will reject it and
    /// the user is told then.
    fn rebase(&mut self) {
        let mut view = self.confirmed.clone();
        for m in self.acked.iter().map(|(m, _)| m).chain(&self.outbox) {
            if let Ok((ticket, event)) = view.decide(&m.kind, m.at, &self.rules) {
                view.apply_local(ticket, &event, m.at);
            }
        }
        if view != self.view {
            self.view = view;
            self.view_version += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::authority::Authority;
    use crate::domain::ids::{LoketId, ServiceCode, TicketId};
    use crate::domain::mutation::DeviceRole;
    use crate::domain::ticket::{Priority, TicketCommand};

    const NOW: i64 = 1_796_004_000_000;

    use crate::domain::fixtures::rules;

    fn issue(n: u16) -> MutationKind {
        crate::domain::fixtures::issue_kind(n, n as u8, Priority::Regular)
    }

    fn server() -> Authority {
        let mut a = Authority::new(rules());
        let day = a
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        // The kiosk took numbers 1 to 100.
        a.leases.record(crate::domain::numbering::Lease {
            service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
            day,
            kiosk: ClientId::from_random_bytes([1; 16]),
            start: 1,
            end: 100,
        });
        a
    }

    fn serve(a: &mut Authority, role: DeviceRole, req: Request) -> Result<Reply, ()> {
        match req {
            Request::Push(p) => {
                // A counter is registered at the loket its actions name.
                let loket = p.mutations.iter().find_map(|m| match &m.kind {
                    MutationKind::Ticket { loket, .. } => *loket,
                    MutationKind::IssueTicket { .. } => None,
                });
                let sender = crate::domain::authority::Sender { role, loket };
                let plan = a
                    .plan_push(sender, &p, NOW, &Default::default())
                    .map_err(|_| ())?;
                let r = plan.response.clone();
                a.commit(plan);
                Ok(Reply::Push(r))
            }
            Request::Pull { cursor } => Ok(Reply::Pull(pull(a, cursor))),
        }
    }

    enum Reply {
        Push(PushResponse),
        Pull(PullResponse),
    }

    /// The simulated server keeps no separate log: a pull answers with a snapshot.
    fn pull(a: &Authority, cursor: u64) -> PullResponse {
        let s = a.replica.snapshot();
        PullResponse {
            cursor: s.cursor,
            snapshot: (s.cursor != cursor).then_some(s),
            events: vec![],
            more: false,
        }
    }

    #[test]
    fn a_poke_that_arrives_while_a_pull_is_under_way_is_pulled_after_it() {
        let mut a = server();
        let kiosk_id = ClientId::from_random_bytes([1; 16]);
        let mut kiosk = SyncClient::new(kiosk_id, rules());
        let mut counter = SyncClient::new(ClientId::from_random_bytes([3; 16]), rules());
        let mut push_one = |a: &mut Authority, n: u16| {
            kiosk.handle_user_action(issue(n), NOW).unwrap();
            let req = kiosk.poll_request(NOW).unwrap();
            let Ok(Reply::Push(r)) = serve(a, DeviceRole::Kiosk, req) else {
                panic!()
            };
            kiosk.handle_push_response(&r, NOW);
            r.cursor
        };
        let first = push_one(&mut a, 1);
        // The counter starts a pull; the server answers as of the first ticket.
        let req = counter.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(answer)) = serve(&mut a, DeviceRole::Counter, req) else {
            panic!()
        };
        assert_eq!(answer.cursor, first);
        // Meanwhile a second ticket is pushed and its (bare) poke arrives first.
        let second = push_one(&mut a, 2);
        assert!(!counter.handle_poke(Poke::bare(second), NOW));
        counter.handle_pull(answer, NOW);
        // The counter pulls again at once, not at the next periodic pull.
        assert!(matches!(
            counter.poll_request(NOW + 1),
            Some(Request::Pull { cursor }) if cursor == first
        ));
    }

    #[test]
    fn an_unreadable_outbox_entry_is_set_aside_not_dropped_and_the_rest_is_read_in_order() {
        let me = ClientId::from_random_bytes([1; 16]);
        let mut kiosk = SyncClient::new(me, rules());
        let first = kiosk.handle_user_action(issue(1), NOW).unwrap();
        let second = kiosk.handle_user_action(issue(2), NOW).unwrap();
        let mut other = SyncClient::new(ClientId::from_random_bytes([2; 16]), rules());
        let foreign = other.handle_user_action(issue(3), NOW).unwrap();
        let entry = |m: &Mutation| {
            (
                Some(m.mutation_id.get() as f64),
                Some(serde_json::to_string(m).unwrap()),
            )
        };
        let entries = vec![
            entry(&second),
            (Some(7.0), Some("{\"kind\": \"from a newer app\"}".into())),
            entry(&first),
            (Some(8.0), None),
            entry(&foreign),
            // Stored under another key than its own id.
            (Some(99.0), entry(&first).1),
        ];
        let read = read_outbox(me, &entries);
        assert_eq!(read.mutations, vec![first, second]);
        assert_eq!(read.set_aside, vec![1, 3, 4, 5]);
        assert_eq!(read_outbox(me, &[]), OutboxRead::default());
    }

    #[test]
    fn a_lost_live_stream_asks_for_a_pull_at_once() {
        let mut a = server();
        let mut display = SyncClient::new(ClientId::from_random_bytes([4; 16]), rules());
        let req = display.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(answer)) = serve(&mut a, DeviceRole::Display, req) else {
            panic!()
        };
        display.handle_pull(answer, NOW);
        assert!(
            display.poll_request(NOW + 1_000).is_none(),
            "nothing due yet"
        );
        display.handle_stream_lost();
        assert!(matches!(
            display.poll_request(NOW + 1_000),
            Some(Request::Pull { .. })
        ));
    }

    #[test]
    fn the_view_version_moves_when_the_view_does_and_only_then() {
        let mut a = server();
        let mut c = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        let v0 = c.view_version();
        c.handle_user_action(issue(1), NOW).unwrap();
        let v1 = c.view_version();
        assert_ne!(v1, v0, "an action changes what the user sees");
        let req = c.poll_request(NOW).unwrap();
        let Ok(Reply::Push(r)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        c.handle_push_response(&r, NOW);
        assert_eq!(c.view_version(), v1, "an acknowledgement shows nothing new");
        let req = c.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(p)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        c.handle_pull(p, NOW);
        let v2 = c.view_version();
        let before = c.view().clone();
        // A pull that brings nothing new leaves the version, and so the screens, alone.
        c.handle_pull(pull(&a, c.confirmed().cursor()), NOW);
        assert_eq!(c.view_version(), v2);
        assert_eq!(c.view(), &before);
        // Another kiosk's ticket arrives: the version moves.
        let other_id = ClientId::from_random_bytes([2; 16]);
        let day = a
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        let lease = a
            .leases
            .grant(
                &ServiceCode::parse("legalisir-ktp-el").unwrap(),
                day,
                other_id,
            )
            .unwrap();
        let mut other = SyncClient::new(other_id, rules());
        let kind = crate::domain::fixtures::issue_kind(lease.start, 2, Priority::Regular);
        other.handle_user_action(kind, NOW).unwrap();
        let req = other.poll_request(NOW).unwrap();
        let Ok(Reply::Push(r)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        assert!(
            matches!(r.outcomes[0].outcome, Outcome::Applied { .. }),
            "{r:?}"
        );
        c.handle_pull(pull(&a, c.confirmed().cursor()), NOW);
        assert_ne!(c.view_version(), v2);
        assert_eq!(c.view().tickets().count(), 2);
    }

    #[test]
    fn a_device_restarted_from_its_last_checkpoint_and_outbox_goes_on_after_the_outbox() {
        let mut c = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        c.handle_user_action(issue(1), NOW).unwrap();
        let checkpoint = c.meta().clone();
        // Two more taps in the same millisecond, stored only as outbox entries.
        c.handle_user_action(issue(2), NOW).unwrap();
        c.handle_user_action(issue(3), NOW).unwrap();
        let outbox: Vec<Mutation> = c.outbox().cloned().collect();
        let mut restarted = SyncClient::restore(
            checkpoint,
            NumberPool::default(),
            outbox.clone(),
            Replica::default(),
            rules(),
        );
        assert_eq!(restarted.meta(), c.meta());
        // The device's clock went back while it was off.
        let next = restarted
            .handle_user_action(issue(4), NOW - 60_000)
            .unwrap();
        for m in &outbox {
            assert!(next.mutation_id > m.mutation_id && next.at > m.at, "{m:?}");
        }
        assert_eq!(restarted.status().pending, 4);
        // The kiosk's pool is caught up from the same journal.
        let day = rules()
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        let issued: Vec<(jiff::civil::Date, u16)> = restarted
            .issued_in_outbox()
            .map(|(_, d, n)| (d, n.seq()))
            .collect();
        assert_eq!(issued, [(day, 1), (day, 2), (day, 3), (day, 4)]);
    }

    #[test]
    fn a_tap_prints_the_number_taken_from_the_server_else_the_kiosks_own_series() {
        let mut a = Authority::new(rules());
        let id = ClientId::from_random_bytes([9; 16]);
        let mut c = SyncClient::new(id, rules());
        let svc = ServiceCode::parse("legalisir-ktp-el").unwrap();
        let day = c
            .rules()
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(NOW).unwrap());
        let tap = |c: &mut SyncClient, n: u8, at: i64| {
            c.issue_ticket(
                &svc,
                Priority::Regular,
                TicketId::from_random_bytes([n; 16]),
                TrackingToken::from_random_bytes([n; 16]),
                at,
            )
        };
        // No number taken and no series yet: nothing issued, nothing changed.
        assert_eq!(
            tap(&mut c, 1, NOW).unwrap_err(),
            IssueError::Numbering(NumberingError::NoSeries)
        );
        assert_eq!((c.status().pending, c.view().tickets().count()), (0, 0));
        c.handle_series(a.leases.series_for(id, day).unwrap());
        // Online: the number the server gave for this tap.
        c.handle_number_taken(&a.leases.grant(&svc, day, id).unwrap());
        let (m, t, d) = tap(&mut c, 2, NOW).unwrap();
        assert_eq!((t.number.to_string(), d), ("A-001".to_owned(), day));
        assert!(matches!(m.kind, MutationKind::IssueTicket { ref ticket, .. } if ticket == &t));
        // Offline: the kiosk's own series, visibly apart.
        let (_, t, _) = tap(&mut c, 3, NOW + 1).unwrap();
        assert_eq!(t.number.to_string(), "A1-001");
        // A number taken on an earlier day is never printed today.
        let mut old = a.leases.grant(&svc, day, id).unwrap();
        old.day = day.yesterday().unwrap();
        c.handle_number_taken(&old);
        let (_, t, _) = tap(&mut c, 4, NOW + 2).unwrap();
        assert_eq!(t.number.to_string(), "A1-002");
        assert_eq!(c.status().pending, 3);
        // Restarted from the pool stored before these taps and its journal: the series
        // goes on after them.
        let mut stored = NumberPool::default();
        stored.set_series(1);
        let outbox: Vec<Mutation> = c.outbox().cloned().collect();
        let mut again = SyncClient::restore(
            c.meta().clone(),
            stored,
            outbox,
            Replica::default(),
            rules(),
        );
        let (_, t, _) = tap(&mut again, 5, NOW + 3).unwrap();
        assert_eq!(t.number.to_string(), "A1-003");
    }

    #[test]
    fn an_action_shows_at_once_and_leaves_the_outbox_when_confirmed() {
        let mut a = server();
        let mut c = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        let m = c.handle_user_action(issue(1), NOW).unwrap();
        assert_eq!(c.view().tickets().count(), 1);
        assert_eq!(c.status().pending, 1);
        let req = c.poll_request(NOW).unwrap();
        assert!(matches!(req, Request::Push(_)));
        let Ok(Reply::Push(r)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        // An answer that processed nothing leaves the journal alone …
        let nothing = PushResponse {
            last_processed: 0,
            outcomes: vec![],
            ..r.clone()
        };
        assert!(c.handle_push_response(&nothing, NOW).is_empty());
        assert_eq!(c.status().pending, 1);
        // … and the real one names the mutation the device may delete from it.
        assert_eq!(c.handle_push_response(&r, NOW), [m.mutation_id]);
        assert_eq!(c.status().pending, 0);
        let req = c.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(p)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        c.handle_pull(p, NOW);
        assert_eq!(c.confirmed().tickets().count(), 1);
        assert_eq!(c.view(), c.confirmed());
    }

    #[test]
    fn an_acknowledged_action_stays_visible_until_the_pull_brings_it() {
        let mut a = server();
        let mut kiosk = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        kiosk.handle_user_action(issue(1), NOW).unwrap();
        let req = kiosk.poll_request(NOW).unwrap();
        let Ok(Reply::Push(r)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        kiosk.handle_push_response(&r, NOW);
        // Pushed and acknowledged, not pulled yet: still on screen, no longer pending.
        assert_eq!(kiosk.status().pending, 0);
        assert_eq!(kiosk.view().tickets().count(), 1);
        assert_eq!(kiosk.confirmed().tickets().count(), 0);
        let req = kiosk.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(p)) = serve(&mut a, DeviceRole::Kiosk, req) else {
            panic!()
        };
        kiosk.handle_pull(p, NOW);
        assert_eq!(kiosk.view(), kiosk.confirmed());
        assert!(kiosk.acked.is_empty());
    }

    /// Ticket `n` issued on `kiosk` and served; the events the server appended for it.
    fn appended(a: &mut Authority, kiosk: &mut SyncClient, n: u16) -> Vec<Event> {
        kiosk.handle_user_action(issue(n), NOW).unwrap();
        let Some(Request::Push(p)) = kiosk.poll_request(NOW) else {
            panic!("a push")
        };
        let sender = crate::domain::authority::Sender {
            role: DeviceRole::Kiosk,
            loket: None,
        };
        let plan = a.plan_push(sender, &p, NOW, &Default::default()).unwrap();
        let events = plan.events.clone();
        kiosk.handle_push_response(&plan.response, NOW);
        a.commit(plan);
        events
    }

    fn kiosk() -> SyncClient {
        SyncClient::new(ClientId::from_random_bytes([1; 16]), rules())
    }

    fn synced_display(a: &mut Authority) -> SyncClient {
        let mut d = SyncClient::new(ClientId::from_random_bytes([9; 16]), rules());
        let req = d.poll_request(NOW).unwrap();
        let Ok(Reply::Pull(p)) = serve(a, DeviceRole::Display, req) else {
            panic!()
        };
        d.handle_pull(p, NOW);
        assert!(d.poll_request(NOW).is_none());
        d
    }

    #[test]
    fn a_poke_with_the_next_events_is_applied_without_a_pull() {
        let (mut a, mut k) = (server(), kiosk());
        appended(&mut a, &mut k, 1);
        let mut d = synced_display(&mut a);
        let after = d.confirmed().cursor();
        let events = appended(&mut a, &mut k, 2);
        assert!(d.handle_poke(Poke::with_events(after, &events), NOW));
        assert_eq!(d.confirmed(), &a.replica);
        assert_eq!(d.view().tickets().count(), 2);
        assert!(
            d.poll_request(NOW).is_none(),
            "no pull after a complete poke"
        );
        // The same poke again (or a late pull answer with those events) changes nothing.
        assert!(!d.handle_poke(Poke::with_events(after, &events), NOW));
        assert_eq!(d.confirmed(), &a.replica);
    }

    #[test]
    fn a_poke_after_a_gap_or_without_events_asks_for_a_pull_and_applies_nothing() {
        let (mut a, mut k) = (server(), kiosk());
        let mut d = synced_display(&mut a);
        let before = d.confirmed().clone();
        let missed = appended(&mut a, &mut k, 1);
        let next = appended(&mut a, &mut k, 2);
        // The poke for `missed` never arrived: `next` does not follow this replica.
        assert!(!d.handle_poke(Poke::with_events(missed[0].seq, &next), NOW));
        assert_eq!(d.confirmed(), &before);
        assert!(matches!(d.poll_request(NOW), Some(Request::Pull { .. })));

        let mut d = synced_display(&mut server());
        assert!(!d.handle_poke(Poke::bare(5), NOW));
        assert!(matches!(d.poll_request(NOW), Some(Request::Pull { .. })));
    }

    #[test]
    fn a_large_batch_is_announced_without_its_events() {
        let (mut a, mut k) = (server(), kiosk());
        let events: Vec<Event> = (1..=Poke::MAX_EVENTS as u16 + 1)
            .flat_map(|n| appended(&mut a, &mut k, n))
            .collect();
        let p = Poke::with_events(0, &events);
        assert!(p.events.is_empty());
        assert_eq!(p.cursor, events.last().unwrap().seq);
        let small = Poke::with_events(0, &events[..3]);
        assert_eq!((small.after, small.cursor, small.events.len()), (0, 3, 3));
    }

    #[test]
    fn a_failed_request_backs_off_then_retries() {
        let mut c = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        c.handle_user_action(issue(1), NOW).unwrap();
        assert!(c.poll_request(NOW).is_some());
        c.handle_request_failed(NOW);
        assert_eq!(c.poll_timeout(), Some(NOW + MIN_BACKOFF_MS));
        assert!(c.poll_request(NOW + 100).is_none());
        assert!(c.poll_request(NOW + MIN_BACKOFF_MS).is_some());
        c.handle_request_failed(NOW + MIN_BACKOFF_MS);
        assert_eq!(c.poll_timeout(), Some(NOW + 3 * MIN_BACKOFF_MS));
    }

    #[test]
    fn nothing_is_sent_offline_and_coming_online_sends_at_once() {
        let mut c = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        c.handle_online(false);
        c.handle_user_action(issue(1), NOW).unwrap();
        assert!(c.poll_request(NOW).is_none());
        c.handle_online(true);
        assert!(matches!(c.poll_request(NOW), Some(Request::Push(_))));
    }

    #[test]
    fn the_officer_who_lost_a_race_is_told_which_ticket_and_loket() {
        let mut a = server();
        let kiosk = ClientId::from_random_bytes([1; 16]);
        let mut k = SyncClient::new(kiosk, rules());
        k.handle_user_action(issue(12), NOW).unwrap();
        let r = k.poll_request(NOW).unwrap();
        serve(&mut a, DeviceRole::Kiosk, r).ok();
        let mut c1 = SyncClient::new(ClientId::from_random_bytes([2; 16]), rules());
        let mut c2 = SyncClient::new(ClientId::from_random_bytes([3; 16]), rules());
        for c in [&mut c1, &mut c2] {
            let r = c.poll_request(NOW).unwrap();
            let Ok(Reply::Pull(p)) = serve(&mut a, DeviceRole::Counter, r) else {
                panic!()
            };
            c.handle_pull(p, NOW);
        }
        let id = TicketId::from_random_bytes([12; 16]);
        c1.handle_user_action(
            MutationKind::Ticket {
                ticket: id,
                command: TicketCommand::Call {
                    loket: LoketId::new(2).unwrap(),
                },
                loket: LoketId::new(2).ok(),
            },
            NOW,
        )
        .unwrap();
        c2.handle_user_action(
            MutationKind::Ticket {
                ticket: id,
                command: TicketCommand::Call {
                    loket: LoketId::new(1).unwrap(),
                },
                loket: LoketId::new(1).ok(),
            },
            NOW,
        )
        .unwrap();
        for c in [&mut c1, &mut c2] {
            let r = c.poll_request(NOW).unwrap();
            let Ok(Reply::Push(p)) = serve(&mut a, DeviceRole::Counter, r) else {
                panic!()
            };
            c.handle_push_response(&p, NOW);
        }
        assert_eq!(c1.poll_ui_event(), None);
        let Some(UiEvent::Rejected { number, message }) = c2.poll_ui_event() else {
            panic!("c2 must be told")
        };
        assert_eq!(number.unwrap().to_string(), "A-012");
        assert_eq!(message.en, "A-012 was already called at Loket 2");
        assert_eq!(message.id, "A-012 sudah dipanggil di Loket 2.");
    }

    #[test]
    fn a_ticket_whose_token_is_taken_is_issued_again_with_a_fresh_one() {
        let mut a = server();
        let mut k = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        k.handle_user_action(issue(1), NOW).unwrap();
        // A-002 reuses A-001's token (a broken random source, or a replayed token).
        let MutationKind::IssueTicket { ticket, .. } = issue(2) else {
            unreachable!()
        };
        let MutationKind::IssueTicket { token: taken, .. } = issue(1) else {
            unreachable!()
        };
        k.handle_user_action(
            MutationKind::IssueTicket {
                ticket: ticket.clone(),
                token: taken,
            },
            NOW,
        )
        .unwrap();
        let r = k.poll_request(NOW).unwrap();
        let Ok(Reply::Push(p)) = serve(&mut a, DeviceRole::Kiosk, r) else {
            panic!()
        };
        k.handle_push_response(&p, NOW);
        let Some(UiEvent::Rejected { number, message }) = k.poll_ui_event() else {
            panic!("the kiosk must be told")
        };
        assert_eq!(number.unwrap().to_string(), "A-002");
        assert!(
            message.id.contains("nomornya tetap berlaku"),
            "{}",
            message.id
        );
        // The same ticket, number and all, goes again with a token of its own.
        assert_eq!(k.poll_reissue(), Some(ticket.clone()));
        assert_eq!(k.poll_reissue(), None);
        let fresh = crate::domain::ids::TrackingToken::from_random_bytes([99; 16]);
        k.handle_user_action(
            MutationKind::IssueTicket {
                ticket: ticket.clone(),
                token: fresh,
            },
            NOW + 1,
        )
        .unwrap();
        let r = k.poll_request(NOW + 1).unwrap();
        let Ok(Reply::Push(p)) = serve(&mut a, DeviceRole::Kiosk, r) else {
            panic!()
        };
        assert!(matches!(p.outcomes[0].outcome, Outcome::Applied { .. }));
        assert_eq!(
            a.replica.ticket(&ticket.id).map(|t| t.number.to_string()),
            Some("A-002".into())
        );
    }

    #[test]
    fn other_rejections_ask_for_no_reissue() {
        let mut a = server();
        let mut k = SyncClient::new(ClientId::from_random_bytes([1; 16]), rules());
        k.handle_user_action(issue(1), NOW).unwrap();
        let r = k.poll_request(NOW).unwrap();
        serve(&mut a, DeviceRole::Kiosk, r).ok();
        // A second kiosk with no lease issues A-005: refused, but not for its token.
        let mut k2 = SyncClient::new(ClientId::from_random_bytes([2; 16]), rules());
        k2.handle_user_action(issue(5), NOW).unwrap();
        let r = k2.poll_request(NOW).unwrap();
        let Ok(Reply::Push(p)) = serve(&mut a, DeviceRole::Kiosk, r) else {
            panic!()
        };
        k2.handle_push_response(&p, NOW);
        assert!(matches!(
            &p.outcomes[0].outcome,
            Outcome::Rejected { code, .. } if code != "token_taken"
        ));
        assert!(k2.poll_ui_event().is_some());
        assert!(k2.poll_reissue().is_none());
    }
}
