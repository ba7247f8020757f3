//! A map whose entries expire: what the server keeps of a lookup for a few seconds (a
//! device's token, a staff session) so that frequent requests skip the store. Bounded: at
//! its size, expired entries are swept before a new one goes in.

use std::collections::HashMap;
use std::sync::RwLock;

pub struct Expiring<V> {
    ttl_ms: i64,
    max_entries: usize,
    map: RwLock<HashMap<String, (V, i64)>>,
}

impl<V: Clone> Expiring<V> {
    /// Entries kept `ttl_ms` at most; about `max_entries` live ones.
    pub fn new(ttl_ms: i64, max_entries: usize) -> Self {
        Self {
            ttl_ms,
            max_entries,
            map: RwLock::default(),
        }
    }

    /// The value kept for `key`, unless it expired by `now_ms`.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<V> {
        let m = self.map.read().unwrap_or_else(|p| p.into_inner());
        m.get(key)
            .filter(|(_, until)| now_ms < *until)
            .map(|(v, _)| v.clone())
    }

    /// Keeps `v` until `now_ms` plus the time to live, or `until_ms` if sooner, when
    /// `keep()` (asked under the write lock, so no [`Expiring::clear`] slips between the
    /// question and the insert) says so.
    pub fn put_if(
        &self,
        key: String,
        v: V,
        until_ms: i64,
        now_ms: i64,
        keep: impl FnOnce() -> bool,
    ) {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        if !keep() {
            return;
        }
        if m.len() >= self.max_entries {
            m.retain(|_, (_, until)| now_ms < *until);
        }
        m.insert(key, (v, until_ms.min(now_ms.saturating_add(self.ttl_ms))));
    }

    /// Forgets the entries whose value fails `keep`.
    pub fn retain(&self, mut keep: impl FnMut(&V) -> bool) {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, (v, _)| keep(v));
    }

    /// Forgets everything; `then` runs under the write lock (see [`Expiring::put_if`]).
    pub fn clear_then(&self, then: impl FnOnce()) {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        then();
        m.clear();
    }

    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_ttl_or_their_own_end_and_the_map_stays_bounded() {
        let m: Expiring<u32> = Expiring::new(100, 2);
        m.put_if("a".into(), 1, i64::MAX, 0, || true);
        assert_eq!(m.get("a", 99), Some(1));
        assert_eq!(m.get("a", 100), None, "the time to live");
        m.put_if("b".into(), 2, 50, 0, || true);
        assert_eq!(m.get("b", 49), Some(2));
        assert_eq!(m.get("b", 50), None, "its own end first");
        m.put_if("c".into(), 3, i64::MAX, 0, || false);
        assert_eq!(m.get("c", 1), None, "not kept when told not to");
        // Full (a, b), both expired at 200: swept before c goes in.
        m.put_if("c".into(), 3, i64::MAX, 200, || true);
        assert_eq!(m.len(), 1);
        m.put_if("d".into(), 4, i64::MAX, 200, || true);
        m.retain(|v| *v != 3);
        assert_eq!((m.get("c", 201), m.get("d", 201)), (None, Some(4)));
        let mut ran = false;
        m.clear_then(|| ran = true);
        assert!(ran && m.is_empty());
    }
}
