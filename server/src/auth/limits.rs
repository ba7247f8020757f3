//! Fixed-window rate limits per client address, for the routes anyone may call.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Which allowance a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Sign-in and first-admin setup: slows password guessing.
    Login,
    /// Pairing requests and claims from unpaired devices.
    Pairing,
    /// Unknown tracking tokens (misses) asked for by one address, counted by the citizen
    /// routes themselves: phones on the office Wi-Fi share one address and fetch their
    /// own pages on every poke, which never counts.
    Citizen,
}

impl Bucket {
    /// Requests allowed per window.
    fn allowance(self) -> u32 {
        match self {
            Bucket::Login => 10,
            Bucket::Pairing => 60,
            Bucket::Citizen => 60,
        }
    }
}

const WINDOW_MS: i64 = 60_000;
/// Bounds the table's memory under a flood of distinct addresses.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub struct Limits {
    windows: Mutex<HashMap<(IpAddr, Bucket), (i64, u32)>>,
}

impl Limits {
    /// Counts a request; `false` when the address used up its allowance for this window.
    pub fn allow(&self, ip: IpAddr, bucket: Bucket, now_ms: i64) -> bool {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() >= MAX_ENTRIES {
            w.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
        }
        let entry = w.entry((ip, bucket)).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS {
            *entry = (now_ms, 0);
        }
        entry.1 += 1;
        entry.1 <= bucket.allowance()
    }
}

/// Wrong passwords per account, whatever address they come from: after
/// [`Backoff::FREE`] the account waits 2, 4, 8 … seconds (at most 15 minutes) before the
/// next try is even checked, so guessing from many addresses gains nothing. A right
/// password resets it.
#[derive(Default)]
pub struct Backoff {
    accounts: Mutex<HashMap<String, (u32, i64)>>,
}

impl Backoff {
    pub const FREE: u32 = 5;
    const MAX_WAIT_MS: i64 = 15 * 60_000;

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// `Err(ms)`: the account must wait this long before another try.
    pub fn check(&self, username: &str, now_ms: i64) -> Result<(), i64> {
        let a = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        match a.get(&Self::key(username)) {
            Some((_, until)) if *until > now_ms => Err(*until - now_ms),
            _ => Ok(()),
        }
    }

    pub fn failed(&self, username: &str, now_ms: i64) {
        let mut a = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if a.len() >= MAX_ENTRIES {
            a.retain(|_, (_, until)| *until > now_ms);
        }
        let e = a.entry(Self::key(username)).or_insert((0, 0));
        e.0 += 1;
        if e.0 > Self::FREE {
            let wait = 1000i64
                .saturating_mul(1 << (e.0 - Self::FREE).min(20))
                .min(Self::MAX_WAIT_MS);
            e.1 = now_ms + wait;
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut a = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        a.remove(&Self::key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_waits_longer_after_each_wrong_password_past_five() {
        let b = Backoff::default();
        for _ in 0..Backoff::FREE {
            assert_eq!(b.check("Ani", 0), Ok(()));
            b.failed("ani", 0);
        }
        assert_eq!(b.check("ani", 0), Ok(()));
        b.failed("ani", 0);
        assert_eq!(b.check("ani", 0), Err(2_000));
        assert_eq!(b.check("ani", 2_000), Ok(()));
        b.failed("ani", 2_000);
        assert_eq!(b.check("ANI", 2_000), Err(4_000));
        for _ in 0..30 {
            b.failed("ani", 10_000);
        }
        assert_eq!(b.check("ani", 10_000), Err(Backoff::MAX_WAIT_MS));
        assert_eq!(b.check("budi", 10_000), Ok(()), "per account");
        b.succeeded("ani");
        assert_eq!(b.check("ani", 10_000), Ok(()));
    }

    #[test]
    fn allowance_resets_each_window() {
        let l = Limits::default();
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        let other: IpAddr = "10.0.0.8".parse().unwrap();
        for _ in 0..10 {
            assert!(l.allow(ip, Bucket::Login, 0));
        }
        assert!(!l.allow(ip, Bucket::Login, 59_999));
        assert!(l.allow(other, Bucket::Login, 59_999));
        assert!(l.allow(ip, Bucket::Citizen, 59_999));
        assert!(l.allow(ip, Bucket::Login, 60_000));
    }
}
