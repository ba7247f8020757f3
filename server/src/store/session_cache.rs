//! Staff sessions by cookie digest, so that a counter's every request (a pull after each
//! poke, all day) does not cost a read of the session and its account while the store is
//! busy writing: 32 officers signing in at once made those reads a counter's slowest
//! requests (BENCHMARKS.md, item 9b).
//!
//! The store empties it after every write to an account or a session ([`Store`]'s methods
//! call [`SessionCache::clear`]), so a change made through this instance holds at once; an entry is kept [`TTL_MS`] at most, so one made through
//! another instance sharing the database holds within that.
//!
//! [`Store`]: super::Store

use std::sync::atomic::{AtomicU64, Ordering};

use super::staff_and_devices::SessionRecord;
use crate::expiring::Expiring;

pub const TTL_MS: i64 = 5_000;
const MAX_ENTRIES: usize = 10_000;

pub struct SessionCache {
    by_digest: Expiring<SessionRecord>,
    /// Counts the changes: a read that began before one is not kept (it may have seen the
    /// account as it was).
    changes: AtomicU64,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            by_digest: Expiring::new(TTL_MS, MAX_ENTRIES),
            changes: AtomicU64::new(0),
        }
    }
}

impl SessionCache {
    /// The session read for `digest` less than [`TTL_MS`] ago and not expired.
    pub fn get(&self, digest: &str, now_ms: i64) -> Option<SessionRecord> {
        self.by_digest.get(digest, now_ms)
    }

    /// What to pass to [`SessionCache::put`] with a read that starts now.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// Keeps a session read from the store, unless an account or session changed since
    /// the read began (`changes`, from [`SessionCache::changes`]).
    pub fn put(
        &self,
        changes: u64,
        digest: &str,
        session: SessionRecord,
        expires_ms: i64,
        now_ms: i64,
    ) {
        self.by_digest
            .put_if(digest.to_owned(), session, expires_ms, now_ms, || {
                self.changes() == changes
            });
    }

    /// After a change to any account or session (called once it is written): its
    /// sessions may have ended, or its role changed.
    pub fn clear(&self) {
        self.by_digest.clear_then(|| {
            self.changes.fetch_add(1, Ordering::SeqCst);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::accounts::StaffRole;

    #[test]
    fn entries_end_with_the_session_the_ttl_or_a_change() {
        let c = SessionCache::default();
        let s = SessionRecord {
            staff_id: "s1".into(),
            username: "petugas".into(),
            role: StaffRole::Officer,
            csrf: "x".into(),
            must_change_password: false,
        };
        let n = c.changes();
        c.put(n, "a", s.clone(), 1_000, 0);
        assert_eq!(c.get("a", 999).map(|s| s.username), Some("petugas".into()));
        assert!(c.get("a", 1_000).is_none(), "expired");
        c.put(n, "b", s.clone(), 1_000_000, 0);
        assert!(c.get("b", TTL_MS - 1).is_some());
        assert!(c.get("b", TTL_MS).is_none(), "read too long ago");
        c.put(n, "d", s.clone(), 1_000_000, 0);
        assert!(c.get("d", 1).is_some());
        c.clear();
        assert!(c.get("d", 1).is_none());
        // A read that began before the change is not kept.
        c.put(n, "e", s.clone(), 1_000_000, 0);
        assert!(c.get("e", 1).is_none());
        c.put(c.changes(), "e", s, 1_000_000, 0);
        assert!(c.get("e", 1).is_some());
    }
}
