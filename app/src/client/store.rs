//! IndexedDB through rexie: the outbox, the confirmed replica and the device's settings.
//! Values are JSON text with explicit keys. Only moves data; all decisions are in the
//! domain's sync state machine.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::domain::ids::ClientId;
use crate::domain::mutation::{DeviceRole, Mutation};
use crate::domain::snapshot::Snapshot;
use crate::domain::sync_client::read_outbox;

/// Bump when a store is added or changed; `open` creates what is missing.
pub const DB_VERSION: u32 = 2;
const OUTBOX: &str = "outbox";
/// Outbox entries that were not this device's mutations (version 2).
const SET_ASIDE: &str = "set_aside";
const REPLICA: &str = "replica";
const SETTINGS: &str = "settings";

pub type StoreResult<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// One database per device role, so a test browser that opens several device pages keeps
/// a separate identity for each.
pub async fn open(role: DeviceRole) -> StoreResult<Rexie> {
    Rexie::builder(&format!("antrean-{}", role.as_str()))
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(OUTBOX))
        .add_object_store(ObjectStore::new(REPLICA))
        .add_object_store(ObjectStore::new(SETTINGS))
        .add_object_store(ObjectStore::new(SET_ASIDE))
        .build()
        .await
        .map_err(err)
}

fn json<T: Serialize>(v: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(v).unwrap_or_default())
}

fn from_json<T: DeserializeOwned>(v: Option<JsValue>) -> Option<T> {
    v.and_then(|v| v.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())
}

/// Reads one setting.
pub async fn get_setting<T: DeserializeOwned>(db: &Rexie, key: &str) -> StoreResult<Option<T>> {
    let tx = db
        .transaction(&[SETTINGS], TransactionMode::ReadOnly)
        .map_err(err)?;
    let v = tx
        .store(SETTINGS)
        .map_err(err)?
        .get(JsValue::from_str(key))
        .await
        .map_err(err)?;
    tx.done().await.map_err(err)?;
    Ok(from_json(v))
}

/// Writes settings in one transaction.
pub async fn put_settings(db: &Rexie, entries: &[(&str, JsValue)]) -> StoreResult<()> {
    let tx = db
        .transaction(&[SETTINGS], TransactionMode::ReadWrite)
        .map_err(err)?;
    let s = tx.store(SETTINGS).map_err(err)?;
    let (put, done) = futures::join!(put_all(&s, entries), tx.commit());
    put?;
    done.map_err(err)
}

// Writes are issued as one wave of requests followed at once by an explicit commit, all
// polled together: each request waited for in turn costs an event-loop round trip, and so
// does letting the transaction commit itself after the last success event (a kiosk tap
// spent 5 ms here, BENCHMARKS.md 1). `commit` resolves only once the transaction is
// durable and fails if it aborted (a failed put aborts it).

/// Puts entries as one wave of requests.
async fn put_all(s: &rexie::Store, entries: &[(&str, JsValue)]) -> StoreResult<()> {
    s.put_all(
        entries
            .iter()
            .map(|(k, v)| (v.clone(), Some(JsValue::from_str(k)))),
    )
    .await
    .map_err(err)
}

pub fn value<T: Serialize>(v: &T) -> JsValue {
    json(v)
}

/// Stores a user action durably: its mutation in the outbox, the only write of a tap. The
/// clock, next id and number pool it changed are recovered from the outbox on restart
/// (`SyncClient::restore`, `NumberPool::mark_issued`) and stored with `drop_outbox`.
pub async fn save_action(db: &Rexie, m: &Mutation) -> StoreResult<()> {
    let tx = db
        .transaction(&[OUTBOX], TransactionMode::ReadWrite)
        .map_err(err)?;
    let outbox = tx.store(OUTBOX).map_err(err)?;
    let (value, key) = (json(m), JsValue::from_f64(m.mutation_id.get() as f64));
    let (put, done) = futures::join!(outbox.put(&value, Some(&key)), tx.commit());
    put.map_err(err)?;
    done.map_err(err)
}

/// The outbox of device `client` in mutation order, and how many entries this device has
/// set aside in all. Entries that are not its mutations (`sync_client::read_outbox`) move
/// to the set-aside store in the same transaction: kept there, never sent.
pub async fn outbox(
    db: &Rexie,
    client: ClientId,
    now_ms: i64,
) -> StoreResult<(Vec<Mutation>, u32)> {
    let tx = db
        .transaction(&[OUTBOX, SET_ASIDE], TransactionMode::ReadWrite)
        .map_err(err)?;
    let out = tx.store(OUTBOX).map_err(err)?;
    let aside = tx.store(SET_ASIDE).map_err(err)?;
    let all = out.scan(None, None, None, None).await.map_err(err)?;
    let entries: Vec<(Option<f64>, Option<String>)> = all
        .iter()
        .map(|(k, v)| (k.as_f64(), v.as_string()))
        .collect();
    let read = read_outbox(client, &entries);
    for &i in &read.set_aside {
        let (key, value) = &all[i];
        // A key of its own: an entry set aside earlier under the same outbox key stays.
        let kept_as = JsValue::from_str(&format!("{now_ms}:{i}"));
        aside.put(value, Some(&kept_as)).await.map_err(err)?;
        out.delete(key.clone()).await.map_err(err)?;
    }
    let total = aside.count(None).await.map_err(err)?;
    tx.done().await.map_err(err)?;
    Ok((read.mutations, total))
}

/// Removes confirmed mutations and, in the same transaction, stores the settings that
/// replaying them would have given (clock, next id, pool), so nothing the journal held is
/// lost with it.
pub async fn drop_outbox(db: &Rexie, ids: &[u64], settings: &[(&str, JsValue)]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let tx = db
        .transaction(&[OUTBOX, SETTINGS], TransactionMode::ReadWrite)
        .map_err(err)?;
    let s = tx.store(OUTBOX).map_err(err)?;
    let st = tx.store(SETTINGS).map_err(err)?;
    let deletes =
        futures::future::try_join_all(ids.iter().map(|id| s.delete(JsValue::from_f64(*id as f64))));
    let (deleted, rest, done) = futures::join!(deletes, put_all(&st, settings), tx.commit());
    deleted.map_err(err)?;
    rest?;
    done.map_err(err)
}

/// The server-confirmed replica.
pub async fn confirmed(db: &Rexie) -> StoreResult<Option<Snapshot>> {
    let tx = db
        .transaction(&[REPLICA], TransactionMode::ReadOnly)
        .map_err(err)?;
    let v = tx
        .store(REPLICA)
        .map_err(err)?
        .get(JsValue::from_str("confirmed"))
        .await
        .map_err(err)?;
    tx.done().await.map_err(err)?;
    Ok(from_json(v))
}

pub async fn save_confirmed(
    db: &Rexie,
    s: &Snapshot,
    settings: &[(&str, JsValue)],
) -> StoreResult<()> {
    let tx = db
        .transaction(&[REPLICA, SETTINGS], TransactionMode::ReadWrite)
        .map_err(err)?;
    let replica = tx.store(REPLICA).map_err(err)?;
    let st = tx.store(SETTINGS).map_err(err)?;
    let (value, key) = (json(s), JsValue::from_str("confirmed"));
    let (put, rest, done) = futures::join!(
        replica.put(&value, Some(&key)),
        put_all(&st, settings),
        tx.commit()
    );
    put.map_err(err)?;
    rest?;
    done.map_err(err)
}
