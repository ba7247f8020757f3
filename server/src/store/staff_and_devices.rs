//! Staff accounts, sessions, paired devices, the audit log, and the retention purge.
//!
//! Secrets are never stored: sessions and device tokens are kept as their SHA-256 digests
//! (the tokens carry 256 random bits, so a fast hash is enough), passwords as argon2 hashes.

use app::domain::accounts::{AuditEntry, DeviceSummary, StaffRole, StaffSummary};
use app::domain::ids::{ClientId, LoketId};
use app::domain::mutation::DeviceRole;
use serde_json::{json, Value};

use super::{device_from, DeviceRecord, Result, Store, StoreError};

/// A staff account as the sign-in needs it.
#[derive(Debug, Clone)]
pub struct StaffRecord {
    pub id: String,
    pub username: String,
    pub role: StaffRole,
    pub password_hash: String,
    pub disabled: bool,
    pub must_change_password: bool,
    /// The lokets the account works at; empty: any.
    pub lokets: Vec<LoketId>,
}

/// A change an admin makes to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    Role(StaffRole),
    /// A new (temporary) password hash: the account changes it at next sign-in.
    ResetPassword(String),
    /// The lokets the account works at (empty: any).
    Lokets(Vec<LoketId>),
}

/// Why an account change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRefused {
    NoSuchAccount,
    /// It would leave no enabled admin.
    LastAdmin,
    /// Another account change committed first; try again.
    Conflict,
}

/// A live session, joined with its staff account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub staff_id: String,
    pub username: String,
    pub role: StaffRole,
    pub csrf: String,
    pub must_change_password: bool,
}

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at_ms: i64,
    pub staff_id: String,
    pub action: String,
    pub subject: String,
}

/// What a retention run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    pub tickets: u64,
    pub surveys_anonymised: u64,
    pub audit_rows: u64,
}

fn str_of<'a>(v: &'a Value, k: &str) -> Result<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| StoreError::Corrupt(format!("missing {k}")))
}

/// A boolean column; absent (a row from before it existed) is false.
fn flag(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// The `lokets` field of a staff row (absent on rows written before schema 9: any loket).
fn lokets_of(v: &Value) -> Vec<LoketId> {
    v.get("lokets")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .filter_map(|n| u8::try_from(n).ok())
                .filter_map(|n| LoketId::new(n).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn role_of(v: &Value) -> Result<StaffRole> {
    StaffRole::parse(str_of(v, "role")?).ok_or_else(|| StoreError::Corrupt("staff role".into()))
}

/// Audit rows with ids `[at_ms, random]`: the table's key order is time order, so the
/// newest-first listing is a backward key scan and no index is written per action.
pub fn audit_json(rows: &[AuditRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let tie = format!("{:016x}", rand::random::<u64>());
                json!({ "id": [r.at_ms, tie], "at_ms": r.at_ms, "staff": r.staff_id, "action": r.action, "subject": r.subject })
            })
            .collect(),
    )
}

impl Store {
    pub async fn staff_count(&self) -> Result<u64> {
        let mut r = self
            .db
            .query("RETURN count(SELECT id FROM staff)")
            .await?
            .check()?;
        let n: Option<Value> = r.take(0)?;
        Ok(n.and_then(|v| v.as_u64()).unwrap_or(0))
    }

    /// Creates an account; `false` when the user name is taken. With `only_if_first`, the
    /// check that no account exists happens in the same transaction, so two racing setup
    /// requests cannot both create an admin.
    pub async fn create_staff(
        &self,
        s: &StaffRecord,
        created_ms: i64,
        only_if_first: bool,
    ) -> Result<bool> {
        let mut r = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF $first AND count(SELECT id FROM staff) > 0 { THROW 'setup already done' };
                 IF count(SELECT id FROM staff WHERE username = $username) > 0 { THROW 'user name taken' };
                 CREATE type::record('staff', $id) CONTENT {
                     username: $username, role: $role, password_hash: $hash, created_ms: $at
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("first", only_if_first))
            .bind(("id", s.id.clone()))
            .bind(("username", s.username.clone()))
            .bind(("role", s.role.as_str()))
            .bind(("hash", s.password_hash.clone()))
            .bind(("at", created_ms))
            .await?;
        // In a failed transaction every statement reports an error; the cause is among them.
        let errors = r.take_errors();
        if errors.is_empty() {
            return Ok(true);
        }
        let refused = errors.values().any(|e| {
            let m = e.to_string();
            m.contains("user name taken") || m.contains("setup already done")
        });
        match errors.into_values().next() {
            Some(_) if refused => Ok(false),
            Some(e) => Err(e.into()),
            None => Ok(true),
        }
    }

    pub async fn staff_by_username(&self, username: &str) -> Result<Option<StaffRecord>> {
        let mut r = self
            .db
            .query("SELECT record::id(id) AS id, username, role, password_hash, disabled, must_change_password, lokets FROM staff WHERE username = $u LIMIT 1")
            .bind(("u", username.to_owned()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.first()
            .map(|v| {
                Ok(StaffRecord {
                    id: str_of(v, "id")?.to_owned(),
                    username: str_of(v, "username")?.to_owned(),
                    role: role_of(v)?,
                    password_hash: str_of(v, "password_hash")?.to_owned(),
                    disabled: flag(v, "disabled"),
                    must_change_password: flag(v, "must_change_password"),
                    lokets: lokets_of(v),
                })
            })
            .transpose()
    }

    /// The lokets an account works at (empty: any, and for an unknown account).
    pub async fn staff_lokets(&self, username: &str) -> Result<Vec<LoketId>> {
        Ok(self
            .staff_by_username(username)
            .await?
            .map(|r| r.lokets)
            .unwrap_or_default())
    }

    /// Applies an admin's change to the account `username` in one transaction, refusing
    /// one that would leave no enabled admin. Disabling, resetting the password and
    /// changing the role end the account's sessions; their cookie digests are returned, so
    /// their live streams can be closed too.
    pub async fn change_account(
        &self,
        username: &str,
        change: &AccountChange,
    ) -> std::result::Result<Vec<String>, Result<ChangeRefused>> {
        let (set, ends_sessions, hash) = match change {
            AccountChange::Disable => ("disabled = true", true, String::new()),
            AccountChange::Enable => ("disabled = false", false, String::new()),
            AccountChange::Role(_) => ("role = $role", true, String::new()),
            AccountChange::ResetPassword(h) => (
                "password_hash = $hash, must_change_password = true",
                true,
                h.clone(),
            ),
            AccountChange::Lokets(_) => ("lokets = $lokets", false, String::new()),
        };
        let lokets: Vec<i64> = match change {
            AccountChange::Lokets(l) => l.iter().map(|l| i64::from(l.get())).collect(),
            _ => Vec::new(),
        };
        let role = match change {
            AccountChange::Role(r) => r.as_str(),
            _ => "",
        };
        // The account stays an admin after the change only if it is one, stays enabled
        // and keeps the role.
        let stays_admin = match change {
            AccountChange::Disable => "false",
            AccountChange::Role(r) if *r != StaffRole::Admin => "false",
            _ => "$s.role = 'admin' AND !$s.disabled",
        };
        let sql = format!(
            "BEGIN TRANSACTION;
             UPSERT meta:accounts SET accounts_changed = time::unix(time::now());
             LET $s = (SELECT id, role, disabled FROM staff WHERE username = $u)[0];
             IF $s = NONE {{ THROW 'no such account' }};
             IF $s.role = 'admin' AND !$s.disabled AND !({stays_admin})
                AND count(SELECT id FROM staff WHERE role = 'admin' AND !disabled AND username != $u) = 0
                {{ THROW 'last admin' }};
             UPDATE $s.id SET {set};
             SELECT VALUE record::id(id) FROM session WHERE $ends AND staff = record::id($s.id);
             DELETE session WHERE $ends AND staff = record::id($s.id);
             COMMIT TRANSACTION;"
        );
        let r = self
            .db
            .query(sql)
            .bind(("u", username.to_owned()))
            .bind(("role", role))
            .bind(("hash", hash))
            .bind(("ends", ends_sessions))
            .bind(("lokets", lokets))
            .await;
        self.sessions.clear();
        let mut r = r.map_err(|e| Err(e.into()))?;
        let errors = r.take_errors();
        if let Some(e) = errors.values().find_map(|e| {
            let m = e.to_string();
            if m.contains("no such account") {
                Some(ChangeRefused::NoSuchAccount)
            } else if m.contains("last admin") {
                Some(ChangeRefused::LastAdmin)
            } else if m.to_lowercase().contains("conflict") {
                Some(ChangeRefused::Conflict)
            } else {
                None
            }
        }) {
            return Err(Ok(e));
        }
        if let Some(e) = errors.into_values().next() {
            return Err(Err(e.into()));
        }
        // The SELECT of the sessions: BEGIN, the UPSERT, LET, two IFs and the UPDATE come
        // first (the transaction's own statements have their places in the response too).
        let ended: Vec<String> = r.take(6).map_err(|e| Err(e.into()))?;
        Ok(ended)
    }

    /// Sets an account's own new password, clears the temporary flag, and ends its other
    /// sessions (those whose digest is not `keep`); returns their digests.
    pub async fn set_own_password(
        &self,
        staff_id: &str,
        hash: &str,
        keep: &str,
    ) -> Result<Vec<String>> {
        let r = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 UPDATE type::record('staff', $id) SET password_hash = $hash, must_change_password = false;
                 SELECT VALUE record::id(id) FROM session WHERE staff = $id AND record::id(id) != $keep;
                 DELETE session WHERE staff = $id AND record::id(id) != $keep;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", staff_id.to_owned()))
            .bind(("hash", hash.to_owned()))
            .bind(("keep", keep.to_owned()))
            .await;
        self.sessions.clear();
        let mut r = r?.check()?;
        // After BEGIN and the UPDATE.
        Ok(r.take(2)?)
    }

    pub async fn list_staff(&self) -> Result<Vec<StaffSummary>> {
        let mut r = self
            .db
            .query(
                "SELECT username, role, created_ms, disabled, lokets FROM staff ORDER BY username",
            )
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter()
            .map(|v| {
                Ok(StaffSummary {
                    username: str_of(v, "username")?.to_owned(),
                    role: role_of(v)?,
                    created_ms: v.get("created_ms").and_then(Value::as_i64).unwrap_or(0),
                    disabled: flag(v, "disabled"),
                    lokets: lokets_of(v),
                })
            })
            .collect()
    }

    pub async fn create_session(
        &self,
        digest: &str,
        staff_id: &str,
        csrf: &str,
        expires_ms: i64,
    ) -> Result<()> {
        self.db
            .query("CREATE type::record('session', $d) CONTENT { staff: $s, csrf: $c, expires_ms: $e }")
            .bind(("d", digest.to_owned()))
            .bind(("s", staff_id.to_owned()))
            .bind(("c", csrf.to_owned()))
            .bind(("e", expires_ms))
            .await?
            .check()?;
        Ok(())
    }

    /// The session behind a cookie digest, if it exists and has not expired.
    pub async fn session(&self, digest: &str, now_ms: i64) -> Result<Option<SessionRecord>> {
        if let Some(s) = self.sessions.get(digest, now_ms) {
            return Ok(Some(s));
        }
        let changes = self.sessions.changes();
        let mut r = self
            .db
            .query(
                "LET $s = (SELECT staff, csrf, expires_ms FROM type::record('session', $d))[0];
                 IF $s = NONE OR $s.expires_ms <= $now { RETURN NONE } ELSE {
                     RETURN (SELECT record::id(id) AS id, username, role, must_change_password,
                                    $s.csrf AS csrf, $s.expires_ms AS expires_ms
                             FROM type::record('staff', $s.staff) WHERE !disabled)[0]
                 };",
            )
            .bind(("d", digest.to_owned()))
            .bind(("now", now_ms))
            .await?
            .check()?;
        let v: Option<Value> = r.take(1)?;
        match v {
            Some(v) if v.is_object() => {
                let session = SessionRecord {
                    staff_id: str_of(&v, "id")?.to_owned(),
                    username: str_of(&v, "username")?.to_owned(),
                    role: role_of(&v)?,
                    csrf: str_of(&v, "csrf")?.to_owned(),
                    must_change_password: flag(&v, "must_change_password"),
                };
                if let Some(expires_ms) = v.get("expires_ms").and_then(Value::as_i64) {
                    self.sessions
                        .put(changes, digest, session.clone(), expires_ms, now_ms);
                }
                Ok(Some(session))
            }
            _ => Ok(None),
        }
    }

    pub async fn delete_session(&self, digest: &str) -> Result<()> {
        self.db
            .query("DELETE type::record('session', $d)")
            .bind(("d", digest.to_owned()))
            .await?
            .check()?;
        self.sessions.clear();
        Ok(())
    }

    /// Pairs (or re-pairs) a device: a new token digest, not revoked.
    pub async fn pair_device(
        &self,
        d: &DeviceRecord,
        token_digest: &str,
        label: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.db
            .query(
                "UPSERT type::record('device', $client) MERGE {
                     client: $client, role: $role, series: $series, token_hash: $hash,
                     revoked: false, label: $label, paired_ms: $now
                 }",
            )
            .bind(("client", d.client.simple()))
            .bind(("role", d.role.as_str()))
            .bind(("series", d.series.map(i64::from)))
            .bind(("hash", token_digest.to_owned()))
            .bind(("label", label.to_owned()))
            .bind(("now", now_ms))
            .await?
            .check()?;
        Ok(())
    }

    /// The paired device holding this token (revoking a device clears its digest).
    pub async fn device_by_token(&self, digest: &str) -> Result<Option<DeviceRecord>> {
        let mut r = self
            .db
            .query("SELECT client, role, last_mutation, series, loket, session FROM device WHERE token_hash = $h AND revoked = false LIMIT 1")
            .bind(("h", digest.to_owned()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.first().map(device_from).transpose()
    }

    /// Paired kiosks and displays, and the counters officers registered.
    pub async fn list_devices(&self) -> Result<Vec<DeviceSummary>> {
        let mut r = self
            .db
            .query("SELECT client, role, label, paired_ms, revoked FROM device ORDER BY paired_ms DESC")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter()
            .map(|v| {
                Ok(DeviceSummary {
                    client_id: ClientId::parse(str_of(v, "client")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    role: DeviceRole::parse(str_of(v, "role")?)
                        .ok_or_else(|| StoreError::Corrupt("device role".into()))?,
                    label: v
                        .get("label")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    paired_ms: v.get("paired_ms").and_then(Value::as_i64),
                    revoked: v.get("revoked").and_then(Value::as_bool).unwrap_or(false),
                })
            })
            .collect()
    }

    /// Whether a device is registered and not revoked.
    pub async fn device_active(&self, client: ClientId) -> Result<bool> {
        let mut r = self
            .db
            .query("SELECT VALUE revoked FROM type::record('device', $c)")
            .bind(("c", client.simple()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows.first().is_some_and(|v| v.as_bool() == Some(false)))
    }

    /// Whether a device holds a pairing token that has not been revoked.
    pub async fn device_paired(&self, client: ClientId) -> Result<bool> {
        let mut r = self
            .db
            .query("SELECT VALUE token_hash != NONE AND revoked = false FROM type::record('device', $c)")
            .bind(("c", client.simple()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows.first().and_then(Value::as_bool).unwrap_or(false))
    }

    /// Revokes a device on `day` (its series digit is free from the next day); `false`
    /// when there is no such device.
    pub async fn revoke_device(&self, client: ClientId, day: jiff::civil::Date) -> Result<bool> {
        let mut r = self
            .db
            .query("UPDATE type::record('device', $c) SET revoked = true, token_hash = NONE, revoked_day = $day RETURN client")
            .bind(("c", client.simple()))
            .bind(("day", day.to_string()))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(!rows.is_empty())
    }

    pub async fn add_audit(&self, rows: &[AuditRow]) -> Result<()> {
        self.db
            .query("INSERT INTO audit $rows")
            .bind(("rows", audit_json(rows)))
            .await?
            .check()?;
        Ok(())
    }

    /// The newest audit entries first, with user names.
    pub async fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut r = self
            .db
            // A literal LIMIT lets SurrealDB stop the backward scan early.
            .query(format!(
                "SELECT at_ms, action, subject,
                        (SELECT VALUE username FROM type::record('staff', $parent.staff))[0] AS username
                 FROM audit ORDER BY id DESC LIMIT {limit}"
            ))
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        rows.iter()
            .map(|v| {
                Ok(AuditEntry {
                    at_ms: v.get("at_ms").and_then(Value::as_i64).unwrap_or(0),
                    username: v
                        .get("username")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_owned(),
                    action: str_of(v, "action")?.to_owned(),
                    subject: str_of(v, "subject")?.to_owned(),
                })
            })
            .collect()
    }

    /// Retention, by service day: the events recorded up to the last close before the
    /// cut (a key range), the final state and tracking tokens of tickets that ended before
    /// it (never those of files still open: `open`), survey answers of that age cut loose
    /// from their ticket (re-keyed: the record id was the ticket), audit rows before it (a
    /// key range) and expired sessions. What it reads is bounded by the retention period,
    /// not by the age of the installation, and it takes no lock of the server's: pushes go
    /// on meanwhile. Each step is its own transaction; a step that fails is retried whole
    /// by the next run.
    pub async fn purge_before(
        &self,
        cut_day: jiff::civil::Date,
        cutoff_ms: i64,
        now_ms: i64,
        open: &[String],
    ) -> Result<Purged> {
        let cut = app::domain::time_format::print_date(cut_day);
        // The log up to the last close before the cut.
        let mut r = self
            .db
            .query(format!(
                "SELECT VALUE cursor FROM day_close:..{} ORDER BY id DESC LIMIT 1",
                super::day_key(cut_day)
            ))
            .await?
            .check()?;
        let through: Option<i64> = r.take::<Vec<i64>>(0)?.first().copied();
        if let Some(through) = through.filter(|t| *t > 0) {
            // In slices, so no transaction holds a year of deletions at once.
            let mut from = 1i64;
            let mut r = self
                .db
                .query("SELECT VALUE seq FROM event LIMIT 1")
                .await?
                .check()?;
            if let Some(first) = r.take::<Vec<i64>>(0)?.first() {
                from = *first;
            }
            while from <= through {
                let to = (from + 20_000).min(through + 1);
                self.db
                    .query(format!("DELETE event:{from}..{to}"))
                    .await?
                    .check()?;
                from = to;
            }
        }
        let mut r = self
            .db
            .query("DELETE closed_ticket WHERE day < $cut RETURN BEFORE")
            .bind(("cut", cut.clone()))
            .await?
            .check()?;
        let tickets = r.take::<Vec<Value>>(0)?.len() as u64;
        // Tracking links, and the push subscriptions made through them.
        self.db
            .query(
                "DELETE token WHERE day < $cut AND ticket NOT IN $open;
                 DELETE push_sub WHERE day < $cut AND ticket NOT IN $open;",
            )
            .bind(("cut", cut))
            .bind(("open", open.to_vec()))
            .await?
            .check()?;
        // Survey answers of that age: their record id was the ticket's, so each is
        // written anew under a random id, without the ticket.
        let mut r = self
            .db
            .query(
                "SELECT count() FROM survey WHERE at_ms < $cutms AND ticket != '' GROUP ALL;
                 BEGIN TRANSACTION;
                 FOR $s IN (SELECT * FROM survey WHERE at_ms < $cutms AND ticket != '') {
                     CREATE survey CONTENT { ticket: '', service: $s.service, day: $s.day, scores: $s.scores, at_ms: $s.at_ms };
                     DELETE $s.id;
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("cutms", cutoff_ms))
            .await?
            .check()?;
        let surveys_anonymised = r
            .take::<Vec<Value>>(0)?
            .first()
            .and_then(|v| v.get("count"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let mut r = self
            .db
            .query(format!(
                "DELETE audit:[0, '']..[{cutoff_ms}, ''] RETURN BEFORE; DELETE session WHERE expires_ms <= $now;"
            ))
            .bind(("now", now_ms))
            .await?
            .check()?;
        let audit_rows = r.take::<Vec<Value>>(0)?.len() as u64;
        Ok(Purged {
            tickets,
            surveys_anonymised,
            audit_rows,
        })
    }
}
