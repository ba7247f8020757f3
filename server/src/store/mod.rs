//! SurrealDB: connection (embedded on disk, in memory, or a remote server), the schema and
//! its migrations, and the repositories the sync and API layers use.
//!
//! Domain values are stored as JSON text in a `body` field next to the typed columns that
//! queries filter on: the domain types stay the single definition of the data, and the
//! SCHEMAFULL tables still refuse anything unexpected.

mod conn;
pub mod pairings;
pub mod push_subscriptions;
mod reports;
mod schema;
mod session_cache;
mod staff_and_devices;

pub use conn::Conn;
pub use reports::OpenDay;
pub use schema::SCHEMA_VERSION;
pub use staff_and_devices::{
    audit_json, AccountChange, AuditRow, ChangeRefused, Purged, SessionRecord, StaffRecord,
};

use std::collections::BTreeMap;

use app::domain::authority::{ClosePlan, PushPlan};
use app::domain::catalogue::Catalogue;
use app::domain::ids::{ClientId, LoketId, TicketId, TrackingToken};
use app::domain::ikm::SurveyAnswer;
use app::domain::mutation::{DeviceRole, Event};
use app::domain::numbering::Lease;
use app::domain::report::DayFacts;
use app::domain::snapshot::Snapshot;
use app::domain::ticket::Ticket;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::config::{Config, Storage};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] surrealdb::Error),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("cannot prepare the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("the store is not empty: a backup is restored into an empty store only")]
    NotEmpty,
}

type Result<T> = std::result::Result<T, StoreError>;

/// A device as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub client: ClientId,
    pub role: DeviceRole,
    pub last_mutation: u64,
    pub series: Option<u8>,
    /// A counter's loket, set by its signed-in officer.
    pub loket: Option<LoketId>,
    /// The digest of the staff session a counter's actions belong to.
    pub session: Option<String>,
}

/// Everything the server loads at start-up to rebuild its in-memory authority: the last
/// close's checkpoint (if any) and the events after it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub checkpoint: Option<Checkpoint>,
    pub events: Vec<Event>,
    pub devices: Vec<DeviceRecord>,
    pub leases: Vec<Lease>,
    /// Series digits of revoked kiosks, with the day they were given up.
    pub released: Vec<(u8, Date)>,
}

/// The open state as of a day's close: start-up begins here.
#[derive(Debug)]
pub struct Checkpoint {
    pub closed_through: Date,
    pub snapshot: Snapshot,
}

/// The store. Clones share one connection *and one session*: cloning a `Surreal` handle
/// opens a new session in the engine (about 130 KB of session state), and the server's
/// state is cloned for every request and held by every live stream. Measured with 1,000
/// live streams: 190 MB with a handle per clone, a few MB with one shared.
#[derive(Clone)]
pub struct Store {
    db: std::sync::Arc<Conn>,
    sessions: std::sync::Arc<session_cache::SessionCache>,
}

fn parse<T: DeserializeOwned>(v: &Value) -> Result<T> {
    let body = v
        .get("body")
        .and_then(Value::as_str)
        .ok_or_else(|| StoreError::Corrupt("missing body".into()))?;
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The `checkpoint:current` row (start-up and the open day's report both begin there).
/// What [`Store::numbering`] reads.
pub struct Numbering {
    pub series: Vec<(ClientId, u8)>,
    pub leases: Vec<Lease>,
    pub released: Vec<(u8, Date)>,
}

/// Revoked kiosks' digits with the day they were given up.
fn released_from(rows: &[Value]) -> Vec<(u8, Date)> {
    rows.iter()
        .filter_map(|v| {
            let series = u8::try_from(v.get("series")?.as_u64()?).ok()?;
            let day = v.get("revoked_day")?.as_str()?.parse().ok()?;
            Some((series, day))
        })
        .collect()
}

fn checkpoint_from(v: &Value) -> Result<Checkpoint> {
    let closed_through = v
        .get("closed_through")
        .and_then(Value::as_str)
        .and_then(|d| app::domain::time_format::parse_date(d).ok())
        .ok_or_else(|| StoreError::Corrupt("checkpoint day".into()))?;
    Ok(Checkpoint {
        closed_through,
        snapshot: parse(v)?,
    })
}

pub(crate) fn to_body<T: serde::Serialize>(v: &T) -> String {
    // Serialising our own plain data types cannot fail.
    serde_json::to_string(v).unwrap_or_default()
}

/// An event as stored: its record id is its sequence number; `officer` is the user name
/// of the officer whose counter sent it (reports).
pub fn event_row(e: &Event, officer: Option<&str>) -> Value {
    let mut row = json!({
        "id": e.seq,
        "seq": e.seq,
        "ticket": e.ticket.simple(),
        "at_ms": e.at.wall_ms,
        "body": to_body(e),
    });
    // Absent, not null: the field is `option<string>`, and SurrealDB's NULL is not NONE.
    if let Some(o) = officer {
        row["staff"] = json!(o);
    }
    row
}

/// A tracking token as stored: its record id is the token; its service day tells
/// retention when it may go.
pub fn token_row(token: &TrackingToken, ticket: TicketId, day: Date) -> Value {
    json!({ "id": token.as_str(), "ticket": ticket.simple(), "day": app::domain::time_format::print_date(day) })
}

/// The event records after `cursor`, at most `limit`: the key range `from..to`.
fn seq_range(cursor: u64, limit: usize) -> (u64, u64) {
    let from = cursor.saturating_add(1).min(i64::MAX as u64);
    (from, from.saturating_add(limit as u64).min(i64::MAX as u64))
}

/// A service day as a record key that sorts like the date: 2026-12-01 → 20261201.
pub fn day_key(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

impl Store {
    /// Connects as configured and brings the schema up to date.
    pub async fn open(cfg: &Config) -> Result<Self> {
        let store = Self::connect(cfg).await?;
        schema::migrate(&store.db).await?;
        Ok(store)
    }

    /// Connects as configured, schema untouched.
    async fn connect(cfg: &Config) -> Result<Self> {
        let db = match &cfg.storage {
            Storage::Memory => Conn::any("mem://").await?,
            Storage::Disk(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::DataDir(dir.display().to_string(), e))?;
                let abs = dir
                    .canonicalize()
                    .map_err(|e| StoreError::DataDir(dir.display().to_string(), e))?;
                Conn::embedded(
                    &abs.join("antrean.db").display().to_string(),
                    cfg.disk_memory,
                )
                .await?
            }
            Storage::Remote { url, user, pass } => {
                let db = Conn::any(url).await?;
                if let (Some(u), Some(p)) = (user, pass) {
                    db.signin_root(u, p).await?;
                }
                db
            }
        };
        db.use_ns_db(&cfg.namespace, &cfg.database).await?;
        Ok(Self {
            db: std::sync::Arc::new(db),
            sessions: Default::default(),
        })
    }

    /// Loads a backup into the configured store, which must be empty (a restore never
    /// mixes two offices' data), then brings its schema up to date and closes it.
    pub async fn restore(cfg: &Config, file: &std::path::Path) -> Result<()> {
        let store = Self::connect(cfg).await?;
        let mut r = store.db.query("INFO FOR DB").await?.check()?;
        let info: Option<Value> = r.take(0)?;
        let tables = info
            .as_ref()
            .and_then(|i| i.get("tables"))
            .and_then(Value::as_object)
            .map_or(0, |t| t.len());
        if tables > 0 {
            store.close().await?;
            return Err(StoreError::NotEmpty);
        }
        store.db.import(file).await?;
        schema::migrate(&store.db).await?;
        store.close().await
    }

    /// The whole database as SurrealQL, in chunks (`GET /api/admin/backup`).
    pub async fn backup(&self) -> Result<surrealdb::method::Backup> {
        Ok(self.db.export().await?)
    }

    /// A store on a session of its own, for long background work (retention) that should
    /// not share the requests' session.
    pub fn own_session(&self) -> Store {
        Store {
            db: std::sync::Arc::new((*self.db).clone()),
            sessions: self.sessions.clone(),
        }
    }

    /// Writes out what the embedded store holds in memory and closes it: the last thing a
    /// process does with its store, so that the next start has no log to replay.
    pub async fn close(&self) -> Result<()> {
        Ok(self.db.close().await?)
    }

    /// The connection itself, for tools that measure the database alone (the ingest
    /// benchmark's floor). The application goes through the methods here.
    pub fn db(&self) -> &Conn {
        &self.db
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        match self.db.query("RETURN 1").await {
            Ok(r) => r.check().is_ok(),
            Err(_) => false,
        }
    }

    pub async fn schema_version(&self) -> Result<i64> {
        schema::version(&self.db).await
    }

    /// The catalogue, if one was stored.
    pub async fn catalogue(&self) -> Result<Option<Catalogue>> {
        let mut r = self
            .db
            .query("SELECT body FROM catalogue:current")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.first().map(parse).transpose()
    }

    pub async fn save_catalogue(&self, c: &Catalogue) -> Result<()> {
        self.db
            .query("UPSERT catalogue:current CONTENT { body: $body }")
            .bind(("body", to_body(c)))
            .await?
            .check()?;
        Ok(())
    }

    /// What other instances sharing the store may have granted since this one looked:
    /// the paired kiosks' series digits, the leases of open days, the digits given up.
    pub async fn numbering(&self) -> Result<Numbering> {
        let mut r = self
            .db
            .query(
                "SELECT client, series FROM device WHERE revoked = false AND series != NONE;
                 SELECT body FROM lease;
                 SELECT series, revoked_day FROM device WHERE revoked = true AND series != NONE AND revoked_day != NONE",
            )
            .await?
            .check()?;
        let series: Vec<Value> = r.take(0)?;
        let leases: Vec<Value> = r.take(1)?;
        let released: Vec<Value> = r.take(2)?;
        Ok(Numbering {
            series: series
                .iter()
                .filter_map(|v| {
                    let client = ClientId::parse(v.get("client")?.as_str()?).ok()?;
                    Some((client, u8::try_from(v.get("series")?.as_u64()?).ok()?))
                })
                .collect(),
            leases: leases.iter().map(parse).collect::<Result<_>>()?,
            released: released_from(&released),
        })
    }

    /// Loads what the authority needs at start-up: the checkpoint, the events after it
    /// (a day's worth at most, whatever the age of the log), the devices and the leases
    /// still open (a close deletes its days' leases).
    pub async fn load(&self) -> Result<Loaded> {
        let mut r = self
            .db
            .query(
                "SELECT cursor, closed_through, body FROM checkpoint:current;
                 SELECT client, role, last_mutation, IF revoked THEN NONE ELSE series END AS series, loket, session FROM device;
                 SELECT body FROM lease;
                 SELECT series, revoked_day FROM device WHERE revoked = true AND series != NONE AND revoked_day != NONE",
            )
            .await?
            .check()?;
        let checkpoint: Vec<Value> = r.take(0)?;
        let devices: Vec<Value> = r.take(1)?;
        let leases: Vec<Value> = r.take(2)?;
        let released: Vec<Value> = r.take(3)?;
        let released = released_from(&released);
        let checkpoint = checkpoint.first().map(checkpoint_from).transpose()?;
        let mut events = Vec::new();
        let mut cursor = checkpoint.as_ref().map_or(0, |c| c.snapshot.cursor);
        loop {
            let batch = self.events_after(cursor, 10_000).await?;
            let Some(last) = batch.last() else { break };
            cursor = last.seq;
            events.extend(batch);
        }
        Ok(Loaded {
            checkpoint,
            events,
            devices: devices.iter().map(device_from).collect::<Result<_>>()?,
            leases: leases.iter().map(parse).collect::<Result<_>>()?,
            released,
        })
    }

    /// Writes a day's close in one transaction: its events, the final state of the
    /// tickets that ended, the checkpoint of what stays open, and the end of the leases of
    /// the days before the closed one (see `Authority::commit_close`). Either all of it is stored or none.
    pub async fn persist_close(
        &self,
        plan: &ClosePlan,
        open: &Snapshot,
        facts: &[DayFacts],
    ) -> Result<()> {
        let events: Vec<Value> = plan.events.iter().map(|e| event_row(e, None)).collect();
        let through = day_key(plan.through);
        let facts: Vec<Value> = facts
            .iter()
            .map(|f| json!({ "id": [day_key(f.day), through], "body": to_body(f) }))
            .collect();
        let ended: Vec<Value> = plan
            .ended
            .iter()
            .map(|t| {
                json!({
                    "id": t.id.simple(),
                    "day": app::domain::time_format::print_date(t.service_day),
                    "status": t.status.name(),
                    "body": to_body(t),
                })
            })
            .collect();
        let mut q = String::from("BEGIN TRANSACTION;\n");
        if !events.is_empty() {
            q.push_str("INSERT INTO event $events; UPSERT meta:log SET seq = $cursor;\n");
        }
        q.push_str(
            // A few hundred rows once a day; UPSERT so a ticket that ended twice (it cannot,
            // but a replayed close must not fail) keeps its last state.
            "FOR $t IN $ended { UPSERT type::record('closed_ticket', $t.id) CONTENT { day: $t.day, status: $t.status, body: $t.body } };
             UPSERT checkpoint:current CONTENT { cursor: $cursor, closed_through: $day, body: $open };
             UPSERT type::record('day_close', $day_key) CONTENT { cursor: $cursor };
             FOR $f IN $facts { UPSERT type::record('report_day', $f.id) CONTENT { body: $f.body } };
             DELETE lease WHERE day < $day;
             COMMIT TRANSACTION;",
        );
        self.db
            .query(q)
            .bind(("events", Value::Array(events)))
            .bind(("ended", Value::Array(ended)))
            .bind(("facts", Value::Array(facts)))
            .bind(("cursor", open.cursor as i64))
            .bind(("day", app::domain::time_format::print_date(plan.through)))
            .bind(("open", to_body(open)))
            .bind(("day_key", day_key(plan.through)))
            .await?
            .check()?;
        Ok(())
    }

    /// A ticket that ended on a closed day, as it ended.
    pub async fn closed_ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let mut r = self
            .db
            .query("SELECT body FROM type::record('closed_ticket', $id)")
            .bind(("id", id.simple()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.first().map(parse).transpose()
    }

    /// Events after `cursor`, at most `limit`, in order.
    pub async fn events_after(&self, cursor: u64, limit: usize) -> Result<Vec<Event>> {
        // The record id is the sequence number: a key-range scan, in key order, bounded at
        // both ends so a pull from far back reads only its own page. SurrealQL takes no
        // parameters in a range, so the integers are formatted in. SurrealDB's integers
        // are i64: a cursor beyond that has nothing after it.
        let (from, to) = seq_range(cursor, limit);
        let mut r = self
            .db
            .query(format!(
                "SELECT seq, body FROM event:{from}..{to} LIMIT {limit}"
            ))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter().map(parse).collect()
    }

    /// The newest sequence number in the log (0 when empty).
    pub async fn last_seq(&self) -> Result<u64> {
        let mut r = self
            .db
            .query("SELECT VALUE seq FROM meta:log")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows.first().and_then(Value::as_u64).unwrap_or(0))
    }

    /// Writes a push in one transaction: its events, the tokens of new tickets, the
    /// device's last processed mutation id and the staff actions for the audit log. Either
    /// all of it is stored or none.
    pub async fn persist_push(
        &self,
        plan: &PushPlan,
        audit: &[AuditRow],
        officer: Option<&str>,
    ) -> Result<()> {
        let events: Vec<Value> = plan.events.iter().map(|e| event_row(e, officer)).collect();
        let tokens: Vec<Value> = plan
            .tokens
            .iter()
            .map(|(t, id, day)| token_row(t, *id, *day))
            .collect();
        self.db
            .query(
                // Bulk INSERTs: one statement per table is measurably faster than a FOR
                // loop of CREATEs, and a duplicate id still fails the whole transaction.
                "BEGIN TRANSACTION;
                 INSERT INTO event $events;
                 INSERT INTO token $tokens;
                 UPDATE type::record('device', $client) SET last_mutation = $last;
                 UPSERT meta:log SET seq = $cursor;
                 INSERT INTO audit $audit;
                 COMMIT TRANSACTION;",
            )
            .bind(("audit", staff_and_devices::audit_json(audit)))
            .bind(("events", Value::Array(events)))
            .bind(("tokens", Value::Array(tokens)))
            .bind(("client", plan.client.simple()))
            .bind(("last", plan.response.last_processed as i64))
            .bind(("cursor", plan.response.cursor as i64))
            .await?
            .check()?;
        Ok(())
    }

    /// A registered device.
    pub async fn device(&self, client: ClientId) -> Result<Option<DeviceRecord>> {
        let mut r = self
            .db
            .query(
                "SELECT client, role, last_mutation, series, loket, session FROM type::record('device', $client)",
            )
            .bind(("client", client.simple()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.first().map(device_from).transpose()
    }

    /// Records a device (idempotent: a known device keeps its id, counter and series).
    pub async fn register_device(&self, d: &DeviceRecord) -> Result<()> {
        self.db
            .query(
                // A new record gets last_mutation's DEFAULT 0; a known one keeps its own.
                "UPSERT type::record('device', $client) MERGE { client: $client, role: $role, series: $series, loket: $loket, session: $owner }",
            )
            .bind(("client", d.client.simple()))
            .bind(("role", d.role.as_str()))
            .bind(("series", d.series.map(i64::from)))
            .bind(("loket", d.loket.map(|l| i64::from(l.get()))))
            .bind(("owner", d.session.clone()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn save_lease(&self, l: &Lease) -> Result<()> {
        self.db
            .query("CREATE lease CONTENT { service: $service, day: $day, kiosk: $kiosk, first: $first, last: $last, body: $body }")
            .bind(("service", l.service.to_string()))
            .bind(("day", l.day.to_string()))
            .bind(("kiosk", l.kiosk.simple()))
            .bind(("first", i64::from(l.start)))
            .bind(("last", i64::from(l.end)))
            .bind(("body", to_body(l)))
            .await?
            .check()?;
        Ok(())
    }

    /// Which of these tracking tokens the store already holds (a push's new tickets are
    /// checked before they are decided: a token names one ticket only).
    pub async fn tokens_taken(
        &self,
        tokens: Vec<TrackingToken>,
    ) -> Result<std::collections::BTreeSet<TrackingToken>> {
        if tokens.is_empty() {
            return Ok(Default::default());
        }
        let toks: Vec<String> = tokens.iter().map(|t| t.as_str().to_owned()).collect();
        let mut r = self
            .db
            .query("RETURN array::filter($toks, |$t| type::record('token', $t).ticket != NONE)")
            .bind(("toks", toks))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        let found: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(Value::as_str).collect();
        Ok(tokens
            .into_iter()
            .filter(|t| found.contains(t.as_str()))
            .collect())
    }

    /// The ticket a tracking token belongs to.
    pub async fn ticket_for_token(&self, token: &TrackingToken) -> Result<Option<TicketId>> {
        let mut r = self
            .db
            .query("SELECT VALUE ticket FROM type::record('token', $tok)")
            .bind(("tok", token.as_str().to_owned()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows
            .first()
            .and_then(Value::as_str)
            .and_then(|s| TicketId::parse(s).ok()))
    }

    /// Stores a survey answer; returns false when the ticket already answered.
    pub async fn save_survey(
        &self,
        ticket: TicketId,
        service: &str,
        day: &str,
        answer: SurveyAnswer,
        at_ms: i64,
    ) -> Result<bool> {
        let scores: Vec<i64> = answer.scores().iter().map(|s| i64::from(*s)).collect();
        let r = self
            .db
            .query("CREATE type::record('survey', $ticket) CONTENT { ticket: $ticket, service: $service, day: $day, scores: $scores, at_ms: $at }")
            .bind(("ticket", ticket.simple()))
            .bind(("service", service.to_owned()))
            .bind(("day", day.to_owned()))
            .bind(("scores", scores))
            .bind(("at", at_ms))
            .await?;
        match r.check() {
            Ok(_) => Ok(true),
            // The record id is the ticket: a second answer collides and is refused.
            Err(e) if e.to_string().contains("already exists") => Ok(false),
            // Answers sent at the same moment conflict in their transactions: one was
            // kept, and this one is the second.
            Err(e) if self.survey_done(ticket).await? => {
                tracing::debug!(error = %e, "concurrent survey answer refused");
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn survey_done(&self, ticket: TicketId) -> Result<bool> {
        let mut r = self
            .db
            .query("SELECT VALUE ticket FROM type::record('survey', $ticket)")
            .bind(("ticket", ticket.simple()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(!rows.is_empty())
    }

    /// All survey answers, optionally of one service.
    pub async fn surveys(&self) -> Result<BTreeMap<String, Vec<SurveyAnswer>>> {
        let mut r = self
            .db
            .query("SELECT service, scores FROM survey")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        let mut out: BTreeMap<String, Vec<SurveyAnswer>> = BTreeMap::new();
        for row in rows {
            let service = row
                .get("service")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let scores: [u8; 9] =
                serde_json::from_value(row.get("scores").cloned().unwrap_or_default())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let answer =
                SurveyAnswer::new(scores).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.entry(service).or_default().push(answer);
        }
        Ok(out)
    }
}

fn device_from(v: &Value) -> Result<DeviceRecord> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("device {what}"));
    let key = v
        .get("client")
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("client"))?;
    Ok(DeviceRecord {
        client: ClientId::parse(key).map_err(|_| corrupt("key"))?,
        role: v
            .get("role")
            .and_then(Value::as_str)
            .and_then(DeviceRole::parse)
            .ok_or_else(|| corrupt("role"))?,
        last_mutation: v.get("last_mutation").and_then(Value::as_u64).unwrap_or(0),
        series: v
            .get("series")
            .and_then(Value::as_u64)
            .and_then(|s| u8::try_from(s).ok()),
        loket: v
            .get("loket")
            .and_then(Value::as_u64)
            .and_then(|l| u8::try_from(l).ok())
            .and_then(|l| LoketId::new(l).ok()),
        session: v.get("session").and_then(Value::as_str).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DiskMemory;
    use app::domain::hlc::Hlc;
    use app::domain::ids::{ServiceCode, TicketNumber};
    use app::domain::mutation::PushResponse;
    use app::domain::ticket::{EventKind, NewTicket, Priority};

    fn bytes(n: u64) -> [u8; 16] {
        let mut b = [7u8; 16];
        b[..8].copy_from_slice(&n.to_be_bytes());
        b
    }

    fn issued(seq: u64, client: ClientId) -> Event {
        let ticket = TicketId::from_random_bytes(bytes(seq));
        Event {
            seq,
            at: Hlc {
                wall_ms: 1_764_547_200_000 + seq as i64,
                counter: 0,
                client,
            },
            ticket,
            kind: EventKind::Issued {
                ticket: NewTicket {
                    id: ticket,
                    number: TicketNumber::new('A', Some(1), seq as u16).expect("number"),
                    service: ServiceCode::parse("legalisir-ktp-el").expect("code"),
                    priority: Priority::Regular,
                    catalogue: 0,
                },
                service_day: jiff::civil::date(2026, 12, 1),
            },
        }
    }

    fn plan(client: ClientId, seqs: std::ops::RangeInclusive<u64>) -> PushPlan {
        let events: Vec<Event> = seqs.map(|s| issued(s, client)).collect();
        let cursor = events.last().map_or(0, |e| e.seq);
        PushPlan {
            client,
            response: PushResponse {
                outcomes: Vec::new(),
                expected: None,
                last_processed: cursor,
                cursor,
            },
            tokens: events
                .iter()
                .map(|e| {
                    (
                        TrackingToken::from_random_bytes(bytes(e.seq + 1000)),
                        e.ticket,
                        jiff::civil::date(2026, 12, 1),
                    )
                })
                .collect(),
            events,
        }
    }

    fn seqs(events: &[Event]) -> Vec<u64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[tokio::test]
    async fn the_log_reads_back_in_sequence_order_across_digit_boundaries() {
        let store = Store::open(&Config::for_tests()).await.expect("store");
        let client = ClientId::from_random_bytes(bytes(1));
        store
            .persist_push(&plan(client, 1..=9), &[], None)
            .await
            .expect("first push");
        let audit = [AuditRow {
            at_ms: 1,
            staff_id: "s".into(),
            action: "call".into(),
            subject: "A1-010".into(),
        }];
        store
            .persist_push(&plan(client, 10..=120), &audit, Some("wayan"))
            .await
            .expect("second push");

        assert_eq!(
            seqs(&store.events_after(0, 5).await.unwrap()),
            vec![1, 2, 3, 4, 5]
        );
        assert_eq!(
            seqs(&store.events_after(8, 4).await.unwrap()),
            vec![9, 10, 11, 12]
        );
        assert_eq!(
            seqs(&store.events_after(98, 4).await.unwrap()),
            vec![99, 100, 101, 102]
        );
        assert!(store.events_after(120, 10).await.unwrap().is_empty());
        assert!(store.events_after(u64::MAX, 10).await.unwrap().is_empty());
        assert_eq!(
            seqs(&store.load().await.unwrap().events),
            (1..=120).collect::<Vec<_>>()
        );
        assert_eq!(store.last_seq().await.unwrap(), 120);
        let token = TrackingToken::from_random_bytes(bytes(1010));
        assert_eq!(
            store.ticket_for_token(&token).await.unwrap(),
            Some(TicketId::from_random_bytes(bytes(10)))
        );
        assert_eq!(store.audit(10).await.unwrap().len(), 1);
        // Which of a batch's tokens the store holds already.
        let fresh = TrackingToken::from_random_bytes(bytes(5));
        let taken = store
            .tokens_taken(vec![fresh.clone(), token.clone()])
            .await
            .expect("tokens_taken");
        assert_eq!(taken.into_iter().collect::<Vec<_>>(), vec![token]);
        assert!(store.tokens_taken(vec![fresh]).await.unwrap().is_empty());
    }

    /// Bytes in the files of `dir`.
    fn bytes_in(dir: &std::path::Path) -> u64 {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn the_embedded_store_closes_with_nothing_to_replay_and_its_memory_bounds_apply() {
        let dir = std::env::temp_dir().join(format!("antrean-store-{}", uuid::Uuid::new_v4()));
        let mut cfg = Config::for_tests();
        cfg.storage = Storage::Disk(dir.clone());
        cfg.disk_memory = DiskMemory {
            block_cache_bytes: 1 << 20,
            memtable_bytes: 8 << 20,
        };
        let store = Store::open(&cfg).await.expect("store");
        let client = ClientId::from_random_bytes(bytes(1));
        store
            .persist_push(&plan(client, 1..=200), &[], None)
            .await
            .expect("push");
        let wal = dir.join("antrean.db").join("wal");
        assert!(bytes_in(&wal) > 10_000, "the push is in the log first");
        // The memtable is also the largest transaction the engine takes: at 8 MB one of
        // 4 MB goes in and one of 12 MB is refused, so the bound reached the engine (its
        // own default is up to 1 GiB).
        let write = |id: &'static str, mb: usize| {
            let store = store.clone();
            async move {
                store
                    .db()
                    .query(format!("CREATE scratch:{id} SET value = $v"))
                    .bind(("v", "x".repeat(mb << 20)))
                    .await
                    .and_then(|r| r.check().map(drop))
            }
        };
        write("small", 4).await.expect("4 MB fits an 8 MB memtable");
        assert!(
            write("big", 12).await.is_err(),
            "12 MB fits an 8 MB memtable"
        );
        store.close().await.expect("close");
        drop(store);
        assert!(
            bytes_in(&wal) < 1_000,
            "closing wrote the memtable out: {} bytes of log left",
            bytes_in(&wal)
        );

        let store = Store::open(&cfg).await.expect("reopened");
        assert_eq!(
            seqs(&store.events_after(0, 500).await.unwrap()),
            (1..=200).collect::<Vec<_>>()
        );
        store.close().await.expect("close");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_push_that_collides_with_a_stored_event_writes_nothing() {
        let store = Store::open(&Config::for_tests()).await.expect("store");
        let client = ClientId::from_random_bytes(bytes(1));
        store
            .persist_push(&plan(client, 1..=3), &[], None)
            .await
            .expect("first push");
        // Events 3..=5: 3 exists, so neither 4, 5 nor their tokens may be stored.
        assert!(store
            .persist_push(&plan(client, 3..=5), &[], None)
            .await
            .is_err());
        assert_eq!(
            seqs(&store.events_after(0, 10).await.unwrap()),
            vec![1, 2, 3]
        );
        let token = TrackingToken::from_random_bytes(bytes(1004));
        assert_eq!(store.ticket_for_token(&token).await.unwrap(), None);
        assert_eq!(store.last_seq().await.unwrap(), 3);
    }
}
