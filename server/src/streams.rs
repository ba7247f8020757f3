//! How many live streams (WebSockets) a caller may hold open: per credential (a device,
//! a staff session, a tracking token) and per address. A display reloading keeps well
//! under the first; 4,000 streams on one token do not get past it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Streams {
    per_token: usize,
    per_address: usize,
    open: Mutex<(HashMap<String, usize>, HashMap<IpAddr, usize>)>,
}

/// One open stream's place; given back when the stream ends.
#[derive(Debug)]
pub struct StreamSlot {
    streams: Arc<Streams>,
    key: String,
    ip: IpAddr,
}

impl Streams {
    pub fn new(per_token: usize, per_address: usize) -> Self {
        Self {
            per_token,
            per_address,
            open: Mutex::default(),
        }
    }

    /// A place for a stream held by `key` from `ip`, or `None` over a limit.
    pub fn admit(self: &Arc<Self>, key: String, ip: IpAddr) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, addresses) = &mut *open;
        let t = tokens.get(&key).copied().unwrap_or(0);
        let a = addresses.get(&ip).copied().unwrap_or(0);
        if t >= self.per_token || a >= self.per_address {
            return None;
        }
        tokens.insert(key.clone(), t + 1);
        addresses.insert(ip, a + 1);
        Some(StreamSlot {
            streams: self.clone(),
            key,
            ip,
        })
    }

    /// Streams open now.
    #[cfg(test)]
    fn open(&self) -> usize {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.1.values().sum()
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, addresses) = &mut *open;
        fn give_back<K: std::hash::Hash + Eq>(m: &mut HashMap<K, usize>, k: &K) {
            if let Some(n) = m.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    m.remove(k);
                }
            }
        }
        give_back(tokens, &self.key);
        give_back(addresses, &self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_per_token_and_per_address() {
        let s = Arc::new(Streams::new(2, 3));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t1 = s.admit("t".into(), a).unwrap();
        let t2 = s.admit("t".into(), b).unwrap();
        assert!(s.admit("t".into(), b).is_none(), "per token");
        let u1 = s.admit("u".into(), a).unwrap();
        let v1 = s.admit("v".into(), a).unwrap();
        assert!(s.admit("w".into(), a).is_none(), "per address");
        drop(t1);
        let t3 = s.admit("t".into(), a).unwrap();
        drop((t2, t3, u1, v1));
        assert_eq!(s.open(), 0);
        assert!(s.open.lock().unwrap().0.is_empty());
    }
}
