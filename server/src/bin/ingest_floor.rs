//! The floor for the push-ingest benchmark (BENCHMARKS.md, #4): the same records the
//! server writes for the benchmark's pushes — an event per mutation, a tracking token per
//! issued ticket, an audit row per officer action — inserted straight into embedded
//! SurrealDB on disk (surrealkv, the server's schema) with one bulk `INSERT` per table and
//! batch, and nothing around them: no HTTP, no JSON requests, no domain decisions, no
//! device records, no catch-up with other instances.
//!
//! Usage: `ingest_floor <issues> <actions> <batch>`: `issues` issued tickets first, then
//! `actions` officer actions, in batches like the benchmark's pushes. Prints one JSON line
//! `{"records":N,"seconds":S}` where N counts mutations (issues + actions).

use std::time::Instant;

use app::domain::hlc::Hlc;
use app::domain::ids::{ClientId, LoketId, ServiceCode, TicketId, TicketNumber, TrackingToken};
use app::domain::mutation::Event;
use app::domain::ticket::{EventKind, NewTicket, Priority};
use rand::RngCore;
use serde_json::{json, Value};
use server::config::{Config, Storage};
use server::store::{audit_json, event_row, token_row, AuditRow, Store};

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b
}

fn arg(args: &mut impl Iterator<Item = String>, default: u64) -> anyhow::Result<u64> {
    Ok(args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(default))
}

/// One batch: its event rows, token rows and audit rows.
#[derive(Default)]
struct Batch {
    events: Vec<Value>,
    tokens: Vec<Value>,
    audit: Vec<AuditRow>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let issues = arg(&mut args, 4_000)?;
    let actions = arg(&mut args, 6_000)?;
    let batch = arg(&mut args, 500)?.max(1);
    let dir = std::env::temp_dir().join(format!("antrean-floor-{}", rand::rng().next_u64()));
    let mut cfg = Config::for_tests();
    cfg.storage = Storage::Disk(dir.clone());
    let store = Store::open(&cfg).await?;
    let client = ClientId::from_random_bytes(random16());
    let service = ServiceCode::parse("legalisir-ktp-el")?;
    let loket = LoketId::new(1)?;
    let now = jiff::Timestamp::now().as_millisecond();
    let tickets: Vec<TicketId> = (0..issues.clamp(1, 200))
        .map(|_| TicketId::from_random_bytes(random16()))
        .collect();

    // Issues and actions never share a batch, as in the benchmark (kiosks, then a counter).
    let mut batches: Vec<Batch> = Vec::new();
    let mut seq = 0u64;
    for (count, issuing) in [(issues, true), (actions, false)] {
        for i in 0..count {
            if i % batch == 0 {
                batches.push(Batch::default());
            }
            let b = batches.last_mut().expect("pushed above");
            seq += 1;
            let (ticket, kind) = if issuing {
                let ticket = TicketId::from_random_bytes(random16());
                let kind = EventKind::Issued {
                    ticket: NewTicket {
                        id: ticket,
                        number: TicketNumber::new('A', Some(1), (i % 999 + 1) as u16)?,
                        service: service.clone(),
                        priority: Priority::Regular,
                        catalogue: 0,
                    },
                    service_day: jiff::civil::date(2026, 12, 1),
                };
                let token = TrackingToken::from_random_bytes(random16());
                b.tokens
                    .push(token_row(&token, ticket, jiff::civil::date(2026, 12, 1)));
                (ticket, kind)
            } else {
                let ticket = tickets[i as usize % tickets.len()];
                b.audit.push(AuditRow {
                    at_ms: now,
                    staff_id: "bench".into(),
                    action: "called".into(),
                    subject: "A1-001".into(),
                });
                (ticket, EventKind::Called { loket })
            };
            let e = Event {
                seq,
                at: Hlc {
                    wall_ms: now,
                    counter: seq as u32,
                    client,
                },
                ticket,
                kind,
            };
            b.events.push(event_row(&e, (!issuing).then_some("bench")));
        }
    }

    // The audit rows' ids are drawn here, outside the timed part, as the server draws them
    // before its transaction.
    let batches: Vec<(Batch, Value)> = batches
        .into_iter()
        .map(|b| {
            let audit = audit_json(&b.audit);
            (b, audit)
        })
        .collect();
    let t0 = Instant::now();
    for (b, audit) in batches {
        store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 INSERT INTO event $events;
                 INSERT INTO token $tokens;
                 INSERT INTO audit $audit;
                 COMMIT TRANSACTION;",
            )
            .bind(("events", Value::Array(b.events)))
            .bind(("tokens", Value::Array(b.tokens)))
            .bind(("audit", audit))
            .await?
            .check()?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    store.close().await?;
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{}",
        json!({ "records": issues + actions, "seconds": seconds })
    );
    Ok(())
}
