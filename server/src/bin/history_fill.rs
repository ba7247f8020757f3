//! Fills a data directory with history for the year-of-history benchmark (BENCHMARKS.md,
//! item 6): `days` working days before today, `tickets` tickets a day, each through its
//! full lifecycle (issue → call → start → accept → ready → pickup call → hand-over), and
//! each day closed as the server closes it. It writes fast, straight to the store, but
//! through the server's own path: the domain's `Authority` decides every push and close,
//! and `Store::persist_push` / `Store::persist_close` write the same event, token, audit,
//! closed-ticket and checkpoint records the running server writes.
//!
//! Usage: `history_fill <data-dir> <days> <tickets-per-day> [catalogue.toml]`. Prints one
//! JSON line `{"days":D,"tickets":T,"events":E,"seconds":S}`.

use std::time::Instant;

use app::domain::authority::{Authority, Sender};
use app::domain::catalogue::{Catalogue, SEED_TOML};
use app::domain::hlc::Hlc;
use app::domain::ids::{
    ClientId, LoketId, MutationId, RequirementId, TicketId, TicketNumber, TrackingToken,
};
use app::domain::mutation::{DeviceRole, Mutation, MutationKind, PushRequest};
use app::domain::replica::{Replica, Rules};
use app::domain::report::{self, Logged};
use app::domain::ticket::{NewTicket, Priority, TicketCommand};
use rand::RngCore;
use server::config::{Config, Storage};
use server::store::{AuditRow, DeviceRecord, Store};

/// The user name the history's counter actions are recorded under.
const OFFICER: &str = "history";

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b
}

/// A device of the history: its id, its next mutation id and its clock counter.
struct Dev {
    id: ClientId,
    role: DeviceRole,
    loket: Option<LoketId>,
    next: u64,
    counter: u32,
}

impl Dev {
    fn new(role: DeviceRole) -> Self {
        Self {
            id: ClientId::from_random_bytes(random16()),
            role,
            loket: None,
            next: 1,
            counter: 0,
        }
    }
    fn mutation(&mut self, wall_ms: i64, kind: MutationKind) -> Mutation {
        self.counter = self.counter.wrapping_add(1);
        let m = Mutation {
            client_id: self.id,
            mutation_id: MutationId::new(self.next).expect("ids start at 1"),
            at: Hlc {
                wall_ms,
                counter: self.counter,
                client: self.id,
            },
            kind,
        };
        self.next += 1;
        m
    }
}

/// Decides and writes one push as the server does; the day's log (for the close's report
/// facts) receives its events.
async fn push(
    auth: &mut Authority,
    store: &Store,
    dev: &Dev,
    mutations: Vec<Mutation>,
    now_ms: i64,
    log: &mut Vec<Logged>,
) -> anyhow::Result<usize> {
    let req = PushRequest {
        client_id: dev.id,
        mutations,
    };
    let plan = auth
        .plan_push(
            Sender {
                role: dev.role,
                loket: dev.loket,
            },
            &req,
            now_ms,
            &Default::default(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rejected = plan.response.outcomes.len() - plan.events.len();
    anyhow::ensure!(
        rejected == 0,
        "{rejected} mutations rejected: {:?}",
        plan.response
            .outcomes
            .iter()
            .find(|o| !matches!(o.outcome, app::domain::mutation::Outcome::Applied { .. }))
    );
    let audit: Vec<AuditRow> = if dev.role == DeviceRole::Counter {
        plan.events
            .iter()
            .map(|e| AuditRow {
                at_ms: e.at.wall_ms,
                staff_id: OFFICER.into(),
                action: e.kind.name().into(),
                subject: e.ticket.simple(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let officer = (dev.role == DeviceRole::Counter).then_some(OFFICER);
    store.persist_push(&plan, &audit, officer).await?;
    log.extend(plan.events.iter().map(|e| Logged {
        event: e.clone(),
        officer: officer.map(str::to_owned),
    }));
    let n = plan.events.len();
    auth.commit(plan);
    Ok(n)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or_else(|| {
        anyhow::anyhow!("usage: history_fill <data-dir> <days> <tickets-per-day> [catalogue.toml]")
    })?;
    let days: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(250);
    let per_day: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2_000);
    let catalogue = match args.next() {
        Some(path) => Catalogue::from_toml(&std::fs::read_to_string(path)?)?,
        None => Catalogue::from_toml(SEED_TOML)?,
    };
    let mut cfg = Config::for_tests();
    cfg.database = "main".into();
    cfg.storage = Storage::Disk(dir.into());
    let store = Store::open(&cfg).await?;
    store.save_catalogue(&catalogue).await?;
    let rules = Rules::new(catalogue);
    let mut auth = Authority::new(rules.clone());

    // Kiosks with their own series (500 numbers a day each), one counter per loket pair.
    let kiosk_count = per_day.div_ceil(500).max(1);
    let mut kiosks: Vec<Dev> = (0..kiosk_count)
        .map(|_| Dev::new(DeviceRole::Kiosk))
        .collect();
    for (i, k) in kiosks.iter().enumerate() {
        let series = u8::try_from(i + 1)?;
        auth.leases.restore_series(k.id, series);
        store
            .register_device(&DeviceRecord {
                client: k.id,
                role: DeviceRole::Kiosk,
                last_mutation: 0,
                series: Some(series),
                loket: None,
                session: None,
            })
            .await?;
    }
    let service = rules.catalogue.services[0].clone();
    let loket = *service
        .lokets
        .first()
        .ok_or_else(|| anyhow::anyhow!("no loket"))?;
    let mut counter = Dev::new(DeviceRole::Counter);
    counter.loket = Some(loket);
    store
        .register_device(&DeviceRecord {
            client: counter.id,
            role: DeviceRole::Counter,
            last_mutation: 0,
            series: None,
            loket: Some(loket),
            session: None,
        })
        .await?;

    let checked: Vec<RequirementId> = service.requirements.iter().map(|r| r.id.clone()).collect();
    let cal = &rules.calendar;
    let today = cal.service_day(jiff::Timestamp::now());
    // The working days before today, oldest first.
    let mut working = Vec::new();
    let mut d = today;
    while working.len() < days as usize {
        d = d.yesterday()?;
        if cal.is_working_day(d) {
            working.push(d);
        }
    }
    working.reverse();

    let started = Instant::now();
    let mut events = 0usize;
    // The open state at the last close and the log since: what the server's close tallies.
    let mut start = Replica::default();
    let mut log: Vec<Logged> = Vec::new();
    for day in &working {
        let open = cal.hours(*day).map(|h| h.open).unwrap_or_default();
        let at = |second: i64| -> anyhow::Result<i64> {
            Ok(jiff::tz::offset(8)
                .to_timestamp(day.to_datetime(open))?
                .as_millisecond()
                + second * 1000)
        };
        let mut tickets: Vec<TicketId> = Vec::with_capacity(per_day as usize);
        for (k, kiosk) in kiosks.iter_mut().enumerate() {
            let mut batch = Vec::new();
            for n in 0..per_day.saturating_sub(500 * k as u32).min(500) {
                let id = TicketId::from_random_bytes(random16());
                tickets.push(id);
                let number =
                    TicketNumber::new(service.prefix, Some((k + 1) as u8), (n + 1) as u16)?;
                batch.push(kiosk.mutation(
                    at(i64::from(n))?,
                    MutationKind::IssueTicket {
                        ticket: NewTicket {
                            id,
                            number,
                            service: service.code.clone(),
                            priority: Priority::Regular,
                            catalogue: 0,
                        },
                        token: TrackingToken::from_random_bytes(random16()),
                    },
                ));
            }
            events += push(&mut auth, &store, kiosk, batch, at(3600)?, &mut log).await?;
        }
        // The rest of each lifecycle: 70 tickets through six steps a batch.
        let steps = |l: LoketId| {
            [
                TicketCommand::Call { loket: l },
                TicketCommand::Start,
                TicketCommand::Accept {
                    checked: checked.clone(),
                },
                TicketCommand::MarkReady,
                TicketCommand::CallPickup { loket: l },
                TicketCommand::HandOver,
            ]
        };
        for (c, chunk) in tickets.chunks(70).enumerate() {
            let mut batch = Vec::new();
            for (i, t) in chunk.iter().enumerate() {
                let s = 600 + (c * 70 + i) as i64 * 6;
                for (j, command) in steps(loket).into_iter().enumerate() {
                    batch.push(counter.mutation(
                        at(s + j as i64)?,
                        MutationKind::Ticket {
                            ticket: *t,
                            command,
                            loket: Some(loket),
                        },
                    ));
                }
            }
            events += push(&mut auth, &store, &counter, batch, at(30_000)?, &mut log).await?;
        }
        let close = cal.closes_at(*day).as_millisecond();
        let plan = auth.plan_close(*day, close);
        events += plan.events.len();
        let open_state = plan.replica().snapshot();
        log.extend(plan.events.iter().map(|e| Logged {
            event: e.clone(),
            officer: None,
        }));
        let facts = report::tally(
            std::mem::take(&mut start),
            &std::mem::take(&mut log),
            &auth.rules,
            *day..=*day,
            cal.closes_at(*day),
        );
        store.persist_close(&plan, &open_state, &facts).await?;
        auth.commit_close(plan);
        start = auth.replica.clone();
    }
    // Written out, so the server's first start on it has nothing to replay.
    store.close().await?;
    println!(
        "{}",
        serde_json::json!({
            "days": working.len(),
            "tickets": working.len() as u64 * u64::from(per_day),
            "events": events,
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}
