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
    /// Citizen pages and surveys by tracking token. Generous: phones on the office Wi-Fi
    /// share one address and each fetches its page on every poke; guessing a 128-bit token
    /// is hopeless anyway, this only sheds load.
    Citizen,
}

impl Bucket {
    /// Requests allowed per window.
    fn allowance(self) -> u32 {
        match self {
            Bucket::Login => 10,
            Bucket::Pairing => 60,
            Bucket::Citizen => 1_200,
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

#[cfg(test)]
mod tests {
    use super::*;

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
