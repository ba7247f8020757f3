//! The schema in SurrealQL, applied at start-up as ordered migrations. The applied version
//! is stored in `meta:schema`; each migration runs in its own transaction together with
//! the version bump, so a crash leaves the schema at a whole version.

use super::Conn;
use serde_json::Value;

use super::StoreError;

/// Migrations in order; index + 1 is the version they bring the schema to. Never edit one
/// that has shipped: add the next.
const MIGRATIONS: &[&str] = &[
    // 1: the event log, devices, leases, tracking tokens, surveys, catalogue.
    "
    DEFINE TABLE IF NOT EXISTS meta SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS version ON meta TYPE option<int>;
    DEFINE FIELD IF NOT EXISTS seq ON meta TYPE option<int>;

    DEFINE TABLE IF NOT EXISTS catalogue SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS body ON catalogue TYPE string;

    DEFINE TABLE IF NOT EXISTS event SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS seq ON event TYPE int ASSERT $value > 0;
    DEFINE FIELD IF NOT EXISTS ticket ON event TYPE string;
    DEFINE FIELD IF NOT EXISTS at_ms ON event TYPE int;
    DEFINE FIELD IF NOT EXISTS body ON event TYPE string;
    DEFINE INDEX IF NOT EXISTS event_seq ON event FIELDS seq UNIQUE;
    DEFINE INDEX IF NOT EXISTS event_ticket ON event FIELDS ticket;

    DEFINE TABLE IF NOT EXISTS device SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS client ON device TYPE string;
    DEFINE FIELD IF NOT EXISTS role ON device TYPE string ASSERT $value IN ['kiosk', 'counter', 'display'];
    DEFINE FIELD IF NOT EXISTS last_mutation ON device TYPE int DEFAULT 0;
    DEFINE FIELD IF NOT EXISTS series ON device TYPE option<int>;

    DEFINE TABLE IF NOT EXISTS lease SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS service ON lease TYPE string;
    DEFINE FIELD IF NOT EXISTS day ON lease TYPE string;
    DEFINE FIELD IF NOT EXISTS kiosk ON lease TYPE string;
    DEFINE FIELD IF NOT EXISTS first ON lease TYPE int;
    DEFINE FIELD IF NOT EXISTS last ON lease TYPE int;
    DEFINE FIELD IF NOT EXISTS body ON lease TYPE string;
    DEFINE INDEX IF NOT EXISTS lease_block ON lease FIELDS service, day, first UNIQUE;

    DEFINE TABLE IF NOT EXISTS token SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS ticket ON token TYPE string;

    DEFINE TABLE IF NOT EXISTS survey SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS ticket ON survey TYPE string;
    DEFINE FIELD IF NOT EXISTS service ON survey TYPE string;
    DEFINE FIELD IF NOT EXISTS day ON survey TYPE string;
    DEFINE FIELD IF NOT EXISTS scores ON survey TYPE array<int, 9>;
    DEFINE FIELD IF NOT EXISTS at_ms ON survey TYPE int;
    ",
    // 2: staff accounts and sessions, paired devices, the audit log.
    "
    DEFINE TABLE IF NOT EXISTS staff SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS username ON staff TYPE string;
    DEFINE FIELD IF NOT EXISTS role ON staff TYPE string ASSERT $value IN ['officer', 'supervisor', 'admin'];
    DEFINE FIELD IF NOT EXISTS password_hash ON staff TYPE string;
    DEFINE FIELD IF NOT EXISTS created_ms ON staff TYPE int;
    DEFINE INDEX IF NOT EXISTS staff_username ON staff FIELDS username UNIQUE;

    DEFINE TABLE IF NOT EXISTS session SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS staff ON session TYPE string;
    DEFINE FIELD IF NOT EXISTS csrf ON session TYPE string;
    DEFINE FIELD IF NOT EXISTS expires_ms ON session TYPE int;

    DEFINE FIELD IF NOT EXISTS token_hash ON device TYPE option<string>;
    DEFINE FIELD IF NOT EXISTS revoked ON device TYPE bool DEFAULT false;
    DEFINE FIELD IF NOT EXISTS label ON device TYPE option<string>;
    DEFINE FIELD IF NOT EXISTS paired_ms ON device TYPE option<int>;
    DEFINE INDEX IF NOT EXISTS device_token ON device FIELDS token_hash;

    DEFINE TABLE IF NOT EXISTS audit SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS at_ms ON audit TYPE int;
    DEFINE FIELD IF NOT EXISTS staff ON audit TYPE string;
    DEFINE FIELD IF NOT EXISTS action ON audit TYPE string;
    DEFINE FIELD IF NOT EXISTS subject ON audit TYPE string;
    DEFINE INDEX IF NOT EXISTS audit_at ON audit FIELDS at_ms;
    DEFINE INDEX IF NOT EXISTS survey_at ON survey FIELDS at_ms;
    DEFINE INDEX IF NOT EXISTS event_at ON event FIELDS at_ms;
    ",
    // 3: no secondary indexes on the tables every push writes. An event's record id is
    // its sequence number, so reads by cursor are key-range scans; an audit row's id is
    // `[at_ms, random]`, so the newest-first listing is a backward key scan. The ticket and
    // time indexes served only the six-hourly retention purge, which scans instead; they
    // cost more than half of every push's write time (BENCHMARKS.md, #4).
    "
    REMOVE INDEX IF EXISTS event_seq ON event;
    REMOVE INDEX IF EXISTS event_ticket ON event;
    REMOVE INDEX IF EXISTS event_at ON event;
    REMOVE INDEX IF EXISTS audit_at ON audit;
    LET $old = SELECT at_ms, staff, action, subject FROM audit;
    DELETE audit;
    FOR $a IN $old {
        CREATE type::record('audit', [$a.at_ms, rand::string(16)]) CONTENT $a;
    };
    ",
    // 4: the service day. A day's close keeps the tickets that ended (their final state,
    // keyed by ticket id, for the citizen's page and reports) and a checkpoint of the open
    // state with the log's sequence number it stands for: start-up reads the checkpoint
    // and the events after it, never the whole log.
    "
    DEFINE TABLE IF NOT EXISTS closed_ticket SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS day ON closed_ticket TYPE string;
    DEFINE FIELD IF NOT EXISTS status ON closed_ticket TYPE string;
    DEFINE FIELD IF NOT EXISTS body ON closed_ticket TYPE string;

    DEFINE TABLE IF NOT EXISTS checkpoint SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS cursor ON checkpoint TYPE int;
    DEFINE FIELD IF NOT EXISTS closed_through ON checkpoint TYPE string;
    DEFINE FIELD IF NOT EXISTS body ON checkpoint TYPE string;

    -- Retention works by day, by key ranges where it can: each close records the log's
    -- sequence number (record id: the day as yyyymmdd), so the events of the days before
    -- the cut are a key range; tokens carry their ticket's service day. Tokens stored
    -- before this version count from the day of the migration (kept longer, never less).
    DEFINE TABLE IF NOT EXISTS day_close SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS cursor ON day_close TYPE int;
    DEFINE FIELD IF NOT EXISTS day ON token TYPE option<string>;
    UPDATE token SET day = time::format(time::now(), '%Y-%m-%d') WHERE day = NONE;
    ",
    // 5: a counter belongs to the loket and the staff session that registered it.
    "
    DEFINE FIELD IF NOT EXISTS loket ON device TYPE option<int>;
    DEFINE FIELD IF NOT EXISTS session ON device TYPE option<string>;
    -- A revoked kiosk's series digit is free again from the day after this one.
    DEFINE FIELD IF NOT EXISTS revoked_day ON device TYPE option<string>;
    ",
    // 6: accounts can be disabled, and a reset password must be changed at next sign-in.
    "
    DEFINE FIELD IF NOT EXISTS disabled ON staff TYPE bool DEFAULT false;
    DEFINE FIELD IF NOT EXISTS must_change_password ON staff TYPE bool DEFAULT false;
    -- Written by every account change, so two changes at once conflict (see
    -- Store::change_account) instead of each seeing the other admin still enabled.
    DEFINE FIELD IF NOT EXISTS accounts_changed ON meta TYPE option<int>;
    UPDATE staff SET disabled = false WHERE disabled = NONE;
    UPDATE staff SET must_change_password = false WHERE must_change_password = NONE;
    ",
    // 7: retention reads only what it deletes. Its `WHERE day < $cut` scanned every ended
    // ticket and every tracking token ever stored (a year: 500,000 each, while the server
    // started); with these the planner scans the index range before the cut. Built in the
    // background (CONCURRENTLY): on a year's store, building them in the migration's
    // transaction kept the upgraded server from listening for 48 s and took 4.4 GB.
    "
    DEFINE INDEX IF NOT EXISTS closed_ticket_day ON closed_ticket FIELDS day CONCURRENTLY;
    DEFINE INDEX IF NOT EXISTS token_day ON token FIELDS day CONCURRENTLY;
    ",
    // 8: reports. An event records the officer whose counter sent it (user name; none for
    // kiosks and the close). Each close stores the facts of the days it tallied (see
    // `app::domain::report`), keyed `[day, closed day]` so events that arrive after their
    // day closed add a row to that day instead of replacing it; a report over a range
    // reads a key range of these, never the event log.
    "
    DEFINE FIELD IF NOT EXISTS staff ON event TYPE option<string>;
    DEFINE TABLE IF NOT EXISTS report_day SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS body ON report_day TYPE string;
    ",
    // 9: an officer may be assigned to lokets (none: any loket).
    "
    DEFINE FIELD IF NOT EXISTS lokets ON staff TYPE array<int> DEFAULT [];
    ",
    // 10: Web Push. Subscriptions per ticket (see store/push_subscriptions.rs), found by
    // ticket and by service (the line a call moved); the server's VAPID key in meta.
    "
    DEFINE TABLE IF NOT EXISTS push_sub SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS ticket ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS token ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS number ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS service ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS day ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS endpoint ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS p256dh ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS auth ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS lang ON push_sub TYPE string;
    DEFINE FIELD IF NOT EXISTS near_sent ON push_sub TYPE option<string>;
    DEFINE FIELD IF NOT EXISTS created_ms ON push_sub TYPE int;
    DEFINE INDEX IF NOT EXISTS push_sub_ticket ON push_sub FIELDS ticket;
    DEFINE INDEX IF NOT EXISTS push_sub_service ON push_sub FIELDS service;
    DEFINE FIELD IF NOT EXISTS vapid ON meta TYPE option<string>;
    ",
    // 11: the reports of days closed before version 8 are rebuilt once from the log
    // (report_backfill.rs); this says it was done. A store with no close yet has nothing
    // to rebuild: done from the start (its start-up then reads no report at all).
    "
    DEFINE FIELD IF NOT EXISTS report_backfill ON meta TYPE option<bool>;
    IF count(SELECT id FROM day_close LIMIT 1) = 0 {
        UPSERT meta:reports SET report_backfill = true;
    };
    ",
    // 12: pairing requests in the store, so any instance serves each step of a pairing
    // (auth/pairing.rs); no secret in them.
    "
    DEFINE TABLE IF NOT EXISTS pairing SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS client ON pairing TYPE string;
    DEFINE FIELD IF NOT EXISTS role ON pairing TYPE string;
    DEFINE FIELD IF NOT EXISTS code ON pairing TYPE string;
    DEFINE FIELD IF NOT EXISTS expires_ms ON pairing TYPE int;
    DEFINE FIELD IF NOT EXISTS ip ON pairing TYPE string;
    DEFINE FIELD IF NOT EXISTS granted ON pairing TYPE bool DEFAULT false;
    DEFINE FIELD IF NOT EXISTS series ON pairing TYPE option<int>;
    DEFINE INDEX IF NOT EXISTS pairing_code ON pairing FIELDS code;
    ",
];

/// The version a database has after start-up.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub async fn version(db: &Conn) -> Result<i64, StoreError> {
    // `meta` may not exist yet on a fresh database; selecting from a missing table
    // returns nothing rather than failing.
    let mut r = db.query("SELECT VALUE version FROM meta:schema").await?;
    let rows: Vec<Value> = r.take(0).unwrap_or_default();
    Ok(rows.first().and_then(Value::as_i64).unwrap_or(0))
}

/// Applies every migration above the stored version, then gives the indexes built in the
/// background a moment to finish.
pub async fn migrate(db: &Conn) -> Result<(), StoreError> {
    migrate_to(db, MIGRATIONS.len()).await?;
    settle_indexes(db, std::time::Duration::from_secs(5)).await
}

/// The indexes defined `CONCURRENTLY` (migration 7).
const BACKGROUND_INDEXES: [(&str, &str); 2] = [
    ("closed_ticket_day", "closed_ticket"),
    ("token_day", "token"),
];

/// Waits up to `limit` for the background index builds to be ready. While one builds, a
/// write to its table can fail its transaction (a fresh database's first push did); a
/// small store's build takes milliseconds. A year's store takes longer than `limit`: the
/// server then starts anyway (the reason for building them in the background), and a
/// push that fails meanwhile is sent again by its device.
async fn settle_indexes(db: &Conn, limit: std::time::Duration) -> Result<(), StoreError> {
    let until = std::time::Instant::now() + limit;
    for (index, table) in BACKGROUND_INDEXES {
        loop {
            let mut r = db
                .query(format!("INFO FOR INDEX {index} ON {table}"))
                .await?;
            let info: Option<Value> = r.take(0).unwrap_or_default();
            let status = info
                .as_ref()
                .and_then(|v| v.pointer("/building/status"))
                .and_then(Value::as_str)
                .unwrap_or("ready")
                .to_owned();
            if status == "ready" || std::time::Instant::now() >= until {
                if status != "ready" {
                    tracing::warn!(index, status, "index still building; starting anyway");
                }
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    Ok(())
}

/// Applies the migrations above the stored version up to version `to`.
async fn migrate_to(db: &Conn, to: usize) -> Result<(), StoreError> {
    let from = version(db).await?;
    for (i, m) in MIGRATIONS
        .iter()
        .enumerate()
        .take(to)
        .skip(from.max(0) as usize)
    {
        let to = i as i64 + 1;
        db.query(format!(
            "BEGIN TRANSACTION;\n{}\nUPSERT meta:schema SET version = {to};\nCOMMIT TRANSACTION;",
            m.trim()
        ))
        .await?
        .check()?;
        tracing::info!(version = to, "schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditRow, Store};

    #[tokio::test]
    async fn a_migrated_database_has_its_background_indexes_ready() {
        let db = Conn::any("mem://").await.unwrap();
        db.use_ns_db("antrean", "test").await.unwrap();
        migrate(&db).await.unwrap();
        for (index, table) in BACKGROUND_INDEXES {
            let mut r = db
                .query(format!("INFO FOR INDEX {index} ON {table}"))
                .await
                .unwrap();
            let info: Option<Value> = r.take(0).unwrap();
            assert_eq!(
                info.as_ref().and_then(|v| v.pointer("/building/status")),
                Some(&Value::from("ready")),
                "{index}: {info:?}"
            );
        }
    }

    #[tokio::test]
    async fn migration_3_rekeys_existing_audit_rows_into_time_order() {
        let db = Conn::any("mem://").await.unwrap();
        db.use_ns_db("antrean", "test").await.unwrap();
        migrate_to(&db, 2).await.unwrap();
        // Version 2 rows had random ids, so key order said nothing about time.
        for (at, subject) in [(100, "A1-003"), (9, "A1-001"), (10, "A1-002")] {
            db.query("CREATE audit CONTENT { at_ms: $at, staff: 's', action: 'called', subject: $subject }")
                .bind(("at", at))
                .bind(("subject", subject))
                .await
                .unwrap()
                .check()
                .unwrap();
        }
        migrate(&db).await.unwrap();
        assert_eq!(version(&db).await.unwrap(), SCHEMA_VERSION);
        let store = Store {
            db: std::sync::Arc::new(db),
            sessions: Default::default(),
        };
        store
            .add_audit(&[AuditRow {
                at_ms: 50,
                staff_id: "s".into(),
                action: "recalled".into(),
                subject: "A1-004".into(),
            }])
            .await
            .unwrap();
        let subjects: Vec<String> = store
            .audit(10)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.subject)
            .collect();
        assert_eq!(subjects, ["A1-003", "A1-004", "A1-002", "A1-001"]);
        assert_eq!(store.audit(2).await.unwrap().len(), 2);
    }
}
