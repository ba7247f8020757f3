//! Paired devices by token digest, so that the 500 displays pulling after a poke do not
//! each cost a database lookup. Entries live briefly: a device revoked through another
//! instance sharing the database is refused here within [`TTL_MS`]; through this instance,
//! at once.

use std::collections::HashMap;
use std::sync::RwLock;

use app::domain::ids::ClientId;

use crate::store::DeviceRecord;

pub const TTL_MS: i64 = 30_000;
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct TokenCache {
    by_digest: RwLock<HashMap<String, (DeviceRecord, i64)>>,
}

impl TokenCache {
    pub fn get(&self, digest: &str, now_ms: i64) -> Option<DeviceRecord> {
        let m = self.by_digest.read().unwrap_or_else(|p| p.into_inner());
        m.get(digest)
            .filter(|(_, at)| now_ms - at < TTL_MS)
            .map(|(d, _)| d.clone())
    }

    pub fn put(&self, digest: String, device: DeviceRecord, now_ms: i64) {
        let mut m = self.by_digest.write().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_ENTRIES {
            m.retain(|_, (_, at)| now_ms - *at < TTL_MS);
        }
        m.insert(digest, (device, now_ms));
    }

    /// Forgets every token of a device (revoked or paired again).
    pub fn forget(&self, client: ClientId) {
        let mut m = self.by_digest.write().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, (d, _)| d.client != client);
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
