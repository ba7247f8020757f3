//! Paired devices by token digest, so that the 500 displays pulling after a poke do not
//! each cost a database lookup. Entries live briefly: a device revoked through another
//! instance sharing the database is refused here within [`TTL_MS`]; through this instance,
//! at once.

use app::domain::ids::ClientId;

use crate::expiring::Expiring;
use crate::store::DeviceRecord;

pub const TTL_MS: i64 = 30_000;
const MAX_ENTRIES: usize = 10_000;

pub struct TokenCache(Expiring<DeviceRecord>);

impl Default for TokenCache {
    fn default() -> Self {
        Self(Expiring::new(TTL_MS, MAX_ENTRIES))
    }
}

impl TokenCache {
    pub fn get(&self, digest: &str, now_ms: i64) -> Option<DeviceRecord> {
        self.0.get(digest, now_ms)
    }

    pub fn put(&self, digest: String, device: DeviceRecord, now_ms: i64) {
        self.0.put_if(digest, device, i64::MAX, now_ms, || true);
    }

    /// Forgets every token of a device (revoked or paired again).
    pub fn forget(&self, client: ClientId) {
        self.0.retain(|d| d.client != client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::mutation::DeviceRole;

    #[test]
    fn entries_expire_and_are_forgotten_per_device() {
        let c = TokenCache::default();
        let d = DeviceRecord {
            client: ClientId::from_random_bytes([1; 16]),
            role: DeviceRole::Kiosk,
            last_mutation: 0,
            series: Some(1),
            loket: None,
            session: None,
        };
        c.put("a".into(), d.clone(), 0);
        assert_eq!(c.get("a", TTL_MS - 1), Some(d.clone()));
        assert_eq!(c.get("a", TTL_MS), None);
        c.put("b".into(), d.clone(), 0);
        c.forget(d.client);
        assert_eq!(c.get("b", 1), None);
    }
}
