//! The floor for the push-ingest benchmark (BENCHMARKS.md, #4): the same event records the
//! server writes for a push, inserted straight into embedded SurrealDB on disk (surrealkv,
//! the server's schema) in batches, with nothing else around them: no HTTP, no JSON
//! decoding of requests, no domain checks, no tokens or device counters.
//!
//! Usage: `ingest_floor [records] [batch]`; prints one JSON line `{"records":N,"seconds":S}`.

use std::time::Instant;

use app::domain::hlc::Hlc;
use app::domain::ids::{ClientId, ServiceCode, TicketId, TicketNumber};
use app::domain::mutation::Event;
use app::domain::ticket::{EventKind, NewTicket, Priority};
use rand::RngCore;
use serde_json::{json, Value};
use server::config::{Config, Storage};
use server::store::Store;

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let records: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let batch: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let dir = std::env::temp_dir().join(format!("antrean-floor-{}", rand::rng().next_u64()));
    let mut cfg = Config::for_tests();
    cfg.storage = Storage::Disk(dir.clone());
    let store = Store::open(&cfg).await?;
    let client = ClientId::from_random_bytes(random16());
    let service = ServiceCode::parse("legalisir-ktp-el")?;
    let now = jiff::Timestamp::now().as_millisecond();
    let events: Vec<Value> = (1..=records)
        .map(|seq| {
            let ticket = TicketId::from_random_bytes(random16());
            let e = Event {
                seq,
                at: Hlc {
                    wall_ms: now,
                    counter: seq as u32,
                    client,
                },
                ticket,
                kind: EventKind::Issued {
                    ticket: NewTicket {
                        id: ticket,
                        number: TicketNumber::new('A', Some(1), (seq % 999 + 1) as u16)
                            .expect("number"),
                        service: service.clone(),
                        priority: Priority::Regular,
                    },
                    service_day: jiff::civil::date(2026, 12, 1),
                },
            };
            json!({
                "seq": seq,
                "ticket": ticket.simple(),
                "at_ms": now,
                "body": serde_json::to_string(&e).expect("json"),
            })
        })
        .collect();
    let t0 = Instant::now();
    for chunk in events.chunks(batch) {
        store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 FOR $e IN $events { CREATE type::record('event', $e.seq) CONTENT $e; };
                 COMMIT TRANSACTION;",
            )
            .bind(("events", Value::Array(chunk.to_vec())))
            .await?
            .check()?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", json!({ "records": records, "seconds": seconds }));
    Ok(())
}
