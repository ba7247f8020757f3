//! Web Push subscriptions and the server's VAPID key.
//!
//! A subscription belongs to one ticket (its tracking token opened the page that made
//! it) and holds only what sending needs: the push service's address, the browser's keys,
//! the language, and the ticket's number and service (for the words and the line). No
//! personal data. Keyed `[ticket, digest of the endpoint]`: one phone following two
//! tickets has one browser subscription and two rows. A row goes when its ticket ends
//! (after the last notice), when the push service says the subscription is gone, and
//! with the ticket's data by retention.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Result, Store, StoreError};

/// At most this many browsers follow one ticket.
pub const PER_TICKET: usize = 4;

/// One stored subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub ticket: String,
    pub token: String,
    pub number: String,
    pub service: String,
    /// The ticket's service day (retention).
    pub day: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub lang: String,
    /// The wait "almost your turn" was sent for (an HLC as JSON), if any.
    /// (Left out when unset: the field's NONE, which a JSON null is not.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_sent: Option<String>,
    pub created_ms: i64,
}

fn key(ticket: &str, endpoint: &str) -> Value {
    let digest = Sha256::digest(endpoint.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    serde_json::json!([ticket, hex])
}

impl Store {
    /// Stores (or renews) a subscription; `false` when the ticket already has
    /// [`PER_TICKET`] other browsers.
    pub async fn subscribe_push(&self, sub: &Subscription) -> Result<bool> {
        let r = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF count(SELECT id FROM push_sub WHERE ticket = $ticket AND id != type::record('push_sub', $key)) >= $cap {
                     THROW 'too many browsers'
                 };
                 UPSERT type::record('push_sub', $key) CONTENT $sub;
                 COMMIT TRANSACTION;",
            )
            .bind(("ticket", sub.ticket.clone()))
            .bind(("key", key(&sub.ticket, &sub.endpoint)))
            .bind(("cap", PER_TICKET as i64))
            .bind(("sub", serde_json::to_value(sub).map_err(|e| StoreError::Corrupt(e.to_string()))?))
            .await?;
        match r.check() {
            Ok(_) => Ok(true),
            Err(e) if e.to_string().contains("too many browsers") => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes one browser's subscription to a ticket.
    pub async fn unsubscribe_push(&self, ticket: &str, endpoint: &str) -> Result<()> {
        self.db
            .query("DELETE type::record('push_sub', $key)")
            .bind(("key", key(ticket, endpoint)))
            .await?
            .check()?;
        Ok(())
    }

    /// Every row of a browser subscription the push service said is gone.
    pub async fn forget_push_endpoint(&self, endpoint: &str) -> Result<()> {
        self.db
            .query("DELETE push_sub WHERE endpoint = $endpoint")
            .bind(("endpoint", endpoint.to_owned()))
            .await?
            .check()?;
        Ok(())
    }

    /// The subscriptions to any of `tickets` or to a ticket of any of `services`.
    pub async fn push_subscriptions_for(
        &self,
        tickets: &[String],
        services: &[String],
    ) -> Result<Vec<Subscription>> {
        let mut r = self
            .db
            .query(
                "SELECT * OMIT id FROM push_sub WHERE ticket IN $tickets;
                 SELECT * OMIT id FROM push_sub WHERE service IN $services;",
            )
            .bind(("tickets", tickets.to_vec()))
            .bind(("services", services.to_vec()))
            .await?
            .check()?;
        let mut rows: Vec<Value> = r.take(0)?;
        rows.extend(r.take::<Vec<Value>>(1)?);
        let mut subs: Vec<Subscription> = rows
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<_>>()?;
        subs.sort_by(|a, b| (&a.ticket, &a.endpoint).cmp(&(&b.ticket, &b.endpoint)));
        subs.dedup_by(|a, b| a.ticket == b.ticket && a.endpoint == b.endpoint);
        Ok(subs)
    }

    /// Records that "almost your turn" went to these tickets for the wait `near`.
    pub async fn mark_push_near(&self, marks: &[(String, String)]) -> Result<()> {
        if marks.is_empty() {
            return Ok(());
        }
        let marks: Vec<Value> = marks
            .iter()
            .map(|(t, n)| serde_json::json!({ "ticket": t, "near": n }))
            .collect();
        self.db
            .query("FOR $m IN $marks { UPDATE push_sub SET near_sent = $m.near WHERE ticket = $m.ticket; };")
            .bind(("marks", marks))
            .await?
            .check()?;
        Ok(())
    }

    /// Drops the subscriptions of tickets that ended: nothing more will be said to them.
    pub async fn drop_push_tickets(&self, tickets: &[String]) -> Result<()> {
        if tickets.is_empty() {
            return Ok(());
        }
        self.db
            .query("DELETE push_sub WHERE ticket IN $tickets")
            .bind(("tickets", tickets.to_vec()))
            .await?
            .check()?;
        Ok(())
    }

    /// How many subscriptions are stored (tests and the health of retention).
    pub async fn push_subscription_count(&self) -> Result<u64> {
        let mut r = self
            .db
            .query("SELECT count() FROM push_sub GROUP ALL")
            .await?
            .check()?;
        let rows: Vec<Value> = r.take(0)?;
        Ok(rows
            .first()
            .and_then(|v| v.get("count"))
            .and_then(Value::as_u64)
            .unwrap_or(0))
    }

    /// The VAPID key pair (PKCS#8), made and stored at the first call; concurrent first
    /// calls keep one.
    pub async fn vapid_key(&self, fresh: Vec<u8>) -> Result<Vec<u8>> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        // One statement: of two first starts at once, the second keeps the first's key.
        let mut r = self
            .db
            .query("UPSERT meta:push SET vapid = vapid ?? $fresh RETURN VALUE vapid")
            .bind(("fresh", STANDARD.encode(fresh)))
            .await?
            .check()?;
        let stored: Option<String> = r.take::<Vec<String>>(0)?.into_iter().next();
        let stored = stored.ok_or_else(|| StoreError::Corrupt("no VAPID key stored".into()))?;
        STANDARD
            .decode(stored)
            .map_err(|e| StoreError::Corrupt(format!("VAPID key: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn sub(ticket: &str, endpoint: &str, day: &str) -> Subscription {
        Subscription {
            ticket: ticket.into(),
            token: format!("token-of-{ticket}"),
            number: "A-001".into(),
            service: "legalisir-ktp-el".into(),
            day: day.into(),
            endpoint: endpoint.into(),
            p256dh: "key".into(),
            auth: "secret".into(),
            lang: "id".into(),
            near_sent: None,
            created_ms: 0,
        }
    }

    #[tokio::test]
    async fn subscriptions_are_capped_marked_forgotten_and_purged_with_their_ticket() {
        let store = Store::open(&Config::for_tests()).await.expect("store");
        for n in 0..PER_TICKET {
            let s = sub("t1", &format!("https://push.example/{n}"), "2026-01-05");
            assert!(store.subscribe_push(&s).await.unwrap());
        }
        // A fifth browser is refused; one of the four renewing is not.
        let fifth = sub("t1", "https://push.example/x", "2026-01-05");
        assert!(!store.subscribe_push(&fifth).await.unwrap());
        let again = sub("t1", "https://push.example/0", "2026-01-05");
        assert!(store.subscribe_push(&again).await.unwrap());
        // The same phone follows a second ticket (same endpoint, another row).
        let other = sub("t2", "https://push.example/0", "2026-03-02");
        assert!(store.subscribe_push(&other).await.unwrap());
        assert_eq!(store.push_subscription_count().await.unwrap(), 5);

        store
            .mark_push_near(&[("t2".into(), "{\"w\":1}".into())])
            .await
            .unwrap();
        let by_service = store
            .push_subscriptions_for(&[], &["legalisir-ktp-el".into()])
            .await
            .unwrap();
        assert_eq!(by_service.len(), 5);
        let t2 = store
            .push_subscriptions_for(&["t2".into()], &[])
            .await
            .unwrap();
        assert_eq!(t2[0].near_sent.as_deref(), Some("{\"w\":1}"));

        // The push service says endpoint 0 is gone: both its rows go.
        store
            .forget_push_endpoint("https://push.example/0")
            .await
            .unwrap();
        assert_eq!(store.push_subscription_count().await.unwrap(), 3);

        // Retention: t1's day is before the cut; kept while its file is open.
        let cut = jiff::civil::date(2026, 2, 1);
        store
            .purge_before(cut, 0, 0, &["t1".to_owned()])
            .await
            .unwrap();
        assert_eq!(store.push_subscription_count().await.unwrap(), 3);
        store.purge_before(cut, 0, 0, &[]).await.unwrap();
        assert_eq!(store.push_subscription_count().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn the_vapid_key_is_made_once_and_kept() {
        let store = Store::open(&Config::for_tests()).await.expect("store");
        let first = store.vapid_key(vec![1, 2, 3]).await.unwrap();
        assert_eq!(first, vec![1, 2, 3]);
        let second = store.vapid_key(vec![4, 5, 6]).await.unwrap();
        assert_eq!(second, first);
    }
}
