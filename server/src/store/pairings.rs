//! Pairing requests (see `auth::pairing`): one row per request, keyed by the digest of the
//! device's pairing id.

use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;
use serde_json::Value;

use super::{Result, Store, StoreError};
use crate::auth::pairing::Pending;

/// What [`Store::pairing_open`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    Yes,
    TooMany,
    CodeTaken,
}

/// What [`Store::pairing_claim`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    Unknown,
    Pending,
    /// Collected now: the device record carries the new token's digest.
    Paired {
        client: ClientId,
        series: Option<u8>,
    },
}

/// The errors of a query's statements, in one text (empty: none failed).
fn thrown(r: &mut surrealdb::IndexedResults) -> String {
    r.take_errors()
        .values()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn pending_from(v: &Value) -> Option<Pending> {
    Some(Pending {
        client: ClientId::parse(v.get("client")?.as_str()?).ok()?,
        role: DeviceRole::parse(v.get("role")?.as_str()?)?,
        code: v.get("code")?.as_str()?.to_owned(),
        expires_ms: v.get("expires_ms")?.as_i64()?,
        ip: v.get("ip")?.as_str()?.parse().ok()?,
    })
}

impl Store {
    /// Stores a request, after dropping expired ones and the same device's earlier one
    /// from the same address; refused over the limits, or when its code is waiting already.
    pub async fn pairing_open(
        &self,
        key: &str,
        p: &Pending,
        now_ms: i64,
        max_total: usize,
        max_per_address: usize,
    ) -> Result<Opened> {
        let mut r = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 DELETE pairing WHERE expires_ms <= $now OR (client = $client AND ip = $ip);
                 IF count(SELECT id FROM pairing) >= $max OR count(SELECT id FROM pairing WHERE ip = $ip) >= $mine {
                     THROW 'too many pairings'
                 };
                 IF count(SELECT id FROM pairing WHERE code = $code) > 0 { THROW 'code taken' };
                 CREATE type::record('pairing', $key) CONTENT {
                     client: $client, role: $role, code: $code, expires_ms: $expires, ip: $ip, granted: false
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("now", now_ms))
            .bind(("client", p.client.simple()))
            .bind(("ip", p.ip.to_string()))
            .bind(("max", max_total as i64))
            .bind(("mine", max_per_address as i64))
            .bind(("code", p.code.clone()))
            .bind(("key", key.to_owned()))
            .bind(("role", p.role.as_str()))
            .bind(("expires", p.expires_ms))
            .await?;
        // Every statement of a failed transaction fails; the THROW says why.
        let errors = thrown(&mut r);
        if errors.is_empty() {
            Ok(Opened::Yes)
        } else if errors.contains("too many pairings") {
            Ok(Opened::TooMany)
        } else if errors.contains("code taken") {
            Ok(Opened::CodeTaken)
        } else {
            Err(StoreError::Corrupt(errors))
        }
    }

    /// The open, unconfirmed request showing `code`.
    pub async fn pairing_by_code(&self, code: &str, now_ms: i64) -> Result<Option<Pending>> {
        let mut r = self
            .db
            .query("SELECT * FROM pairing WHERE code = $code AND expires_ms > $now AND granted = false")
            .bind(("code", code.to_owned()))
            .bind(("now", now_ms))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows.first().and_then(pending_from))
    }

    pub async fn pairing_grant(&self, code: &str, series: Option<u8>) -> Result<()> {
        self.db
            .query("UPDATE pairing SET granted = true, series = $series WHERE code = $code")
            .bind(("code", code.to_owned()))
            .bind(("series", series.map(i64::from)))
            .await?
            .check()?;
        Ok(())
    }

    /// The device's poll. Once granted, the request is deleted and the device record given
    /// `token_hash` in one transaction: of two polls at once, one collects.
    pub async fn pairing_claim(&self, key: &str, now_ms: i64, token_hash: &str) -> Result<Claimed> {
        let mut r = self
            .db
            .query("SELECT * FROM type::record('pairing', $key)")
            .bind(("key", key.to_owned()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        let Some(row) = rows.first() else {
            return Ok(Claimed::Unknown);
        };
        let p = pending_from(row).ok_or_else(|| StoreError::Corrupt("pairing".into()))?;
        if p.expires_ms <= now_ms {
            self.db
                .query("DELETE type::record('pairing', $key)")
                .bind(("key", key.to_owned()))
                .await?
                .check()?;
            return Ok(Claimed::Unknown);
        }
        if row.get("granted").and_then(Value::as_bool) != Some(true) {
            return Ok(Claimed::Pending);
        }
        let series = row
            .get("series")
            .and_then(Value::as_u64)
            .and_then(|s| u8::try_from(s).ok());
        let mut r = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF count(SELECT id FROM type::record('pairing', $key)) = 0 { THROW 'claimed' };
                 DELETE type::record('pairing', $key);
                 UPDATE type::record('device', $client) SET token_hash = $hash;
                 COMMIT TRANSACTION;",
            )
            .bind(("key", key.to_owned()))
            .bind(("client", p.client.simple()))
            .bind(("hash", token_hash.to_owned()))
            .await?;
        let errors = thrown(&mut r);
        if errors.is_empty() {
            Ok(Claimed::Paired {
                client: p.client,
                series,
            })
        } else if errors.contains("claimed") || errors.contains("conflict") {
            // Collected by a poll a moment before this one.
            Ok(Claimed::Unknown)
        } else {
            Err(StoreError::Corrupt(errors))
        }
    }
}
