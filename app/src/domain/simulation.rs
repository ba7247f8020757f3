//! Deterministic simulation of the whole sync design: two kiosks and two counters, a
//! server (the pure [`Authority`]), a lossy network that drops requests, responses and
//! live-stream pokes and goes down for a while, devices restarting at random points from
//! what their store kept, and a fake clock that runs over several service days, with the
//! server closing each day at closing time (also while devices are cut off). Whatever
//! happens, once the network heals every device converges to the server's open state,
//! every mutation is applied exactly once, no number is issued twice on a day, and no
//! ticket of a closed day is left waiting.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::authority::{Authority, Sender};
use super::catalogue::{Catalogue, SEED_TOML};
use super::ids::{
    ClientId, LoketId, MutationId, RequirementId, ServiceCode, TicketId, TrackingToken,
};
use super::mutation::{DeviceRole, Event, MutationKind, Outcome, Poke, PullResponse};
use super::numbering::NumberPool;
use super::queue;
use super::replica::{Replica, Rules};
use super::service_day;
use super::sync_client::{ClientMeta, IssueError, Request, SyncClient};
use super::ticket::{Priority, TicketCommand, TicketStatus};

const T0: i64 = 1_796_004_000_000; // Monday 30 November 2026, 10:00 WITA

/// A small deterministic generator (xorshift64*): the domain never draws real randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn bytes(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        b
    }
}

struct Device {
    role: DeviceRole,
    sync: SyncClient,
    loket: LoketId,
    /// What the device's store holds besides the outbox (which holds every action as it
    /// is taken): as the browser adapter writes them.
    stored: Stored,
}

/// The store's checkpoint: the meta and number pool written when acknowledged actions
/// leave the outbox, the confirmed replica (and meta) written after each pull.
#[derive(Clone)]
struct Stored {
    meta: ClientMeta,
    pool: NumberPool,
    confirmed: Replica,
}

struct Sim {
    rng: Rng,
    now: i64,
    server: Authority,
    devices: Vec<Device>,
    /// Every (client, mutation id) the server applied; applying one twice fails the test.
    applied: BTreeSet<(ClientId, MutationId)>,
    loss_percent: u64,
    /// The network is down until this time.
    down_until: i64,
    /// Every event the server committed: history, which the replicas let go of.
    log: Vec<Event>,
    /// Chance per step that the clock jumps hours ahead (over closing time, midnight).
    day_jump_percent: u64,
}

fn service() -> ServiceCode {
    ServiceCode::parse("legalisir-ktp-el").unwrap()
}

impl Sim {
    fn new(seed: u64, loss_percent: u64) -> Self {
        let rules = Rules::new(Catalogue::from_toml(SEED_TOML).unwrap());
        let mut rng = Rng(seed | 1);
        let mut server = Authority::new(rules.clone());
        let mut devices = Vec::new();
        for (i, role) in [
            DeviceRole::Kiosk,
            DeviceRole::Kiosk,
            DeviceRole::Counter,
            DeviceRole::Counter,
        ]
        .into_iter()
        .enumerate()
        {
            let id = ClientId::from_random_bytes(rng.bytes());
            let mut sync = SyncClient::new(id, rules.clone());
            if role == DeviceRole::Kiosk {
                sync.handle_series(
                    server
                        .leases
                        .series_for(id, jiff::civil::date(2026, 1, 1))
                        .unwrap(),
                );
            }
            let stored = Stored {
                meta: sync.meta().clone(),
                pool: sync.pool().clone(),
                confirmed: Replica::default(),
            };
            devices.push(Device {
                role,
                sync,
                stored,
                loket: LoketId::new((i as u8).saturating_sub(1).max(1)).unwrap(),
            });
        }
        Self {
            rng,
            now: T0,
            server,
            devices,
            applied: BTreeSet::new(),
            loss_percent,
            down_until: 0,
            log: Vec::new(),
            day_jump_percent: 0,
        }
    }

    fn network_up(&self) -> bool {
        self.now >= self.down_until
    }

    /// One user action on device `d`, chosen from what its screen shows.
    fn act(&mut self, d: usize) {
        let now = self.now;
        let day = self
            .server
            .rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(now).unwrap());
        let rules = self.server.rules.clone();
        let up = self.network_up();
        let dev = &mut self.devices[d];
        match dev.role {
            DeviceRole::Kiosk => {
                // Online, the number is taken from the server at the tap; offline, the
                // kiosk's own series.
                if up {
                    if let Ok(lease) = self
                        .server
                        .plan_lease(&service(), day, dev.sync.client_id())
                    {
                        self.server.leases.record(lease.clone());
                        dev.sync.handle_number_taken(&lease);
                    }
                }
                let priority = if self.rng.chance(20) {
                    Priority::Elderly
                } else {
                    Priority::Regular
                };
                let id = TicketId::from_random_bytes(self.rng.bytes());
                let token = TrackingToken::from_random_bytes(self.rng.bytes());
                // A kiosk always issues, except after the day's closing time.
                match dev.sync.issue_ticket(&service(), priority, id, token, now) {
                    Ok(_) | Err(IssueError::Refused(super::ticket::TicketError::ServiceClosed)) => {
                    }
                    Err(e) => panic!("a kiosk issues until closing time: {e:?}"),
                }
            }
            DeviceRole::Counter => {
                let loket = dev.loket;
                let view = dev.sync.view();
                let cmd = match view.current_at(loket, day, &rules.calendar) {
                    None => queue::next_for_loket(view, &rules, loket, &[service()], day)
                        .map(|t| (t.id, TicketCommand::Call { loket })),
                    Some(t) => Some((
                        t.id,
                        match t.status {
                            TicketStatus::Called { .. } if self.rng.chance(10) => {
                                TicketCommand::Recall
                            }
                            TicketStatus::Called { .. } => TicketCommand::Start,
                            TicketStatus::Serving { .. } if self.rng.chance(25) => {
                                TicketCommand::ReturnIncomplete {
                                    missing: vec![RequirementId::parse("fotokopi-ktp-el").unwrap()],
                                }
                            }
                            TicketStatus::Serving { .. } => TicketCommand::Accept {
                                checked: vec![
                                    RequirementId::parse("ktp-el-asli").unwrap(),
                                    RequirementId::parse("fotokopi-ktp-el").unwrap(),
                                ],
                            },
                            _ => TicketCommand::HandOver,
                        },
                    )),
                };
                if let Some((ticket, command)) = cmd {
                    // Local validation may refuse (e.g. recall limit): that is the officer
                    // seeing a message, not a sync problem.
                    let _ = dev.sync.handle_user_action(
                        MutationKind::Ticket {
                            ticket,
                            command,
                            loket: Some(loket),
                        },
                        now,
                    );
                }
            }
            DeviceRole::Display => {}
        }
    }

    /// Lets device `d` perform its next request over the lossy network.
    fn exchange(&mut self, d: usize) {
        let now = self.now;
        let up = self.network_up();
        let lose_request = self.rng.chance(self.loss_percent);
        let lose_response = self.rng.chance(self.loss_percent);
        let dev = &mut self.devices[d];
        dev.sync.handle_tick(now);
        let Some(req) = dev.sync.poll_request(now) else {
            return;
        };
        if !up || lose_request {
            dev.sync.handle_request_failed(now);
            return;
        }
        match req {
            Request::Push(p) => {
                let plan = self
                    .server
                    .plan_push(
                        Sender {
                            role: dev.role,
                            loket: (dev.role == DeviceRole::Counter).then_some(dev.loket),
                        },
                        &p,
                        now,
                        &Default::default(),
                    )
                    .expect("well-formed batch");
                // A ticket held by a loket (called, served, called to collect) is acted on
                // by that loket only, whatever raced offline.
                let mut before = self.server.replica.clone();
                let mut events = plan.events.iter();
                for (o, m) in plan.response.outcomes.iter().zip(&p.mutations) {
                    if matches!(o.outcome, Outcome::Applied { .. }) {
                        assert!(
                            self.applied.insert((p.client_id, o.mutation_id)),
                            "mutation applied twice"
                        );
                        let e = events.next().expect("an event per applied mutation");
                        if let MutationKind::Ticket { loket, .. } = &m.kind {
                            let holder = before.ticket(&e.ticket).and_then(|t| t.status.holder());
                            assert!(
                                holder.is_none() || holder == *loket,
                                "{:?} acted on a ticket held by {holder:?}",
                                loket
                            );
                        }
                        before.apply(e);
                    }
                }
                let resp = plan.response.clone();
                let p_cursor_before = self.server.replica.cursor();
                let resp_events = plan.events.clone();
                self.log.extend(plan.events.iter().cloned());
                self.server.commit(plan);
                let dev = &mut self.devices[d];
                if lose_response {
                    dev.sync.handle_request_failed(now);
                } else {
                    dev.sync.handle_push_response(&resp, now);
                    dev.stored.meta = dev.sync.meta().clone();
                    dev.stored.pool = dev.sync.pool().clone();
                }
                self.poke_others(d, p_cursor_before, &resp_events);
            }
            Request::Pull { cursor } => {
                let s = self.server.replica.snapshot();
                let resp = PullResponse {
                    cursor: s.cursor,
                    snapshot: (s.cursor != cursor).then_some(s),
                    events: vec![],
                    more: false,
                };
                if lose_response {
                    dev.sync.handle_request_failed(now);
                } else {
                    dev.sync.handle_pull(resp, now);
                    dev.stored.confirmed = dev.sync.confirmed().clone();
                    dev.stored.meta = dev.sync.meta().clone();
                }
            }
        }
    }

    /// The live stream: after a push applied events, the other devices hear of them (with
    /// the events, as the server sends small batches), each poke lost as often as a
    /// response.
    fn poke_others(&mut self, from: usize, after: u64, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let cursor = self.server.replica.cursor();
        for d in 0..self.devices.len() {
            if d == from || !self.network_up() || self.rng.chance(self.loss_percent.max(10)) {
                continue;
            }
            let poke = Poke {
                cursor,
                after,
                events: events.to_vec(),
                catalogue: 0,
            };
            let dev = &mut self.devices[d];
            if dev.sync.handle_poke(poke, self.now) {
                dev.stored.confirmed = dev.sync.confirmed().clone();
                dev.stored.meta = dev.sync.meta().clone();
            }
        }
    }

    /// Device `d` restarts (a reload, a crash, the tablet's battery): whatever was in
    /// memory is gone, and it starts again from its store: the checkpoint and the outbox.
    fn restart(&mut self, d: usize) {
        let rules = self.server.rules.clone();
        let dev = &mut self.devices[d];
        let outbox: Vec<_> = dev.sync.outbox().cloned().collect();
        let s = dev.stored.clone();
        dev.sync = SyncClient::restore(s.meta, s.pool, outbox, s.confirmed, rules);
    }

    /// The server closes every service day whose closing time has passed, whatever the
    /// network is doing.
    fn close_days(&mut self) {
        let now = jiff::Timestamp::from_millisecond(self.now).unwrap();
        let through = service_day::last_closed_day(&self.server.rules.calendar, now);
        if self.server.close_due(through) {
            let plan = self.server.plan_close(through, self.now);
            self.log.extend(plan.events.iter().cloned());
            self.server.commit_close(plan);
        }
    }

    fn drive(&mut self, steps: usize) {
        for _ in 0..steps {
            self.now += 1 + (self.rng.next() % 2_000) as i64;
            if self.rng.chance(self.day_jump_percent) {
                // Jump to some time in the next hours: past closing, overnight, or into the
                // next morning.
                self.now += (self.rng.next() % (20 * 3_600_000)) as i64;
            }
            self.close_days();
            if self.rng.chance(3) {
                self.down_until = self.now + (self.rng.next() % 60_000) as i64;
            }
            let d = (self.rng.next() % self.devices.len() as u64) as usize;
            if self.rng.chance(2) {
                self.restart(d);
            } else if self.rng.chance(40) {
                self.act(d);
            } else {
                self.exchange(d);
            }
        }
    }

    /// Heals the network and runs until every device is idle and up to date.
    fn settle(&mut self) {
        self.loss_percent = 0;
        self.down_until = 0;
        for _ in 0..200 {
            self.now += 31_000; // past any backoff and the periodic pull
            self.close_days();
            for d in 0..self.devices.len() {
                for _ in 0..10 {
                    self.exchange(d);
                }
            }
        }
    }
}

/// What every replica must agree on: the cursor and every open ticket. Ended tickets leave
/// each replica at its own closing time (history is the server's store).
fn open_state(r: &Replica) -> (u64, Vec<super::ticket::Ticket>) {
    (
        r.cursor(),
        r.tickets()
            .filter(|t| !t.status.is_terminal())
            .cloned()
            .collect(),
    )
}

fn check_converged(sim: &Sim) -> Result<(), TestCaseError> {
    let server = open_state(&sim.server.replica);
    for dev in &sim.devices {
        prop_assert_eq!(dev.sync.status().pending, 0, "outbox drained");
        prop_assert_eq!(
            &open_state(dev.sync.confirmed()),
            &server,
            "device converged"
        );
        prop_assert_eq!(dev.sync.view(), dev.sync.confirmed());
        let last = sim
            .server
            .last_processed
            .get(&dev.sync.client_id())
            .copied()
            .unwrap_or(0);
        prop_assert_eq!(
            last + 1,
            dev.sync.meta().next_id.get(),
            "every mutation processed once"
        );
    }
    // Over the whole history, not only what memory still holds.
    let mut numbers = BTreeMap::new();
    for e in &sim.log {
        if let super::ticket::EventKind::Issued {
            ticket,
            service_day,
        } = &e.kind
        {
            prop_assert!(
                numbers
                    .insert((*service_day, ticket.number), ticket.id)
                    .is_none(),
                "number {} twice on {}",
                ticket.number,
                service_day
            );
        }
    }
    // Every closed day's line is empty: nothing of day D waits in day D+1's line.
    let cal = &sim.server.rules.calendar;
    let now = jiff::Timestamp::from_millisecond(sim.now).unwrap();
    let closed = service_day::last_closed_day(cal, now);
    for t in sim.server.replica.tickets() {
        prop_assert!(
            !(matches!(
                t.status,
                TicketStatus::Waiting | TicketStatus::Called { .. } | TicketStatus::NoShow
            ) && t.queued_day(cal) <= closed),
            "{} of {} still in line after its day closed",
            t.number,
            t.queued_day(cal)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn devices_converge_and_the_server_holds_each_mutation_once(seed in any::<u64>(), loss in 0u64..40) {
        let mut sim = Sim::new(seed, loss);
        sim.drive(150);
        sim.settle();
        check_converged(&sim)?;
    }
}

#[test]
fn a_long_lossy_day_converges() {
    let mut sim = Sim::new(42, 30);
    sim.drive(5_000);
    sim.settle();
    check_converged(&sim).unwrap();
    assert!(
        sim.server.replica.tickets().count() > 100,
        "the day issued tickets"
    );
    assert!(
        sim.server
            .replica
            .tickets()
            .any(|t| t.status == TicketStatus::Accepted),
        "counters accepted files"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn days_close_and_devices_converge_across_them(seed in any::<u64>(), loss in 0u64..40) {
        let mut sim = Sim::new(seed, loss);
        sim.day_jump_percent = 2;
        sim.drive(300);
        sim.settle();
        check_converged(&sim)?;
    }
}

#[test]
fn a_week_of_lossy_days_closes_every_day_and_keeps_memory_to_the_open_files() {
    let mut sim = Sim::new(7, 25);
    sim.day_jump_percent = 1;
    sim.drive(8_000);
    sim.settle();
    check_converged(&sim).unwrap();
    let cal = &sim.server.rules.calendar;
    let days: BTreeSet<_> = sim
        .log
        .iter()
        .filter_map(|e| match &e.kind {
            super::ticket::EventKind::Issued { service_day, .. } => Some(*service_day),
            _ => None,
        })
        .collect();
    assert!(days.len() >= 4, "tickets on several days: {days:?}");
    assert!(
        sim.log
            .iter()
            .any(|e| e.kind == super::ticket::EventKind::NotServed),
        "some day closed with citizens still waiting"
    );
    let issued = sim
        .log
        .iter()
        .filter(|e| matches!(e.kind, super::ticket::EventKind::Issued { .. }))
        .count();
    let held = sim.server.replica.tickets().count();
    let open = sim
        .server
        .replica
        .tickets()
        .filter(|t| !t.status.is_terminal())
        .count();
    let closed =
        service_day::last_closed_day(cal, jiff::Timestamp::from_millisecond(sim.now).unwrap());
    let ended_since_close = sim
        .server
        .replica
        .tickets()
        .filter(|t| t.status.is_terminal() && t.updated_day(cal) >= closed)
        .count();
    assert!(
        held <= open + ended_since_close + issued / days.len(),
        "memory holds {held} of {issued} tickets ever issued ({open} open)"
    );
    for d in &sim.devices {
        assert!(d.sync.confirmed().tickets().count() <= held + issued / days.len());
    }
}
