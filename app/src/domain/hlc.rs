//! Hybrid logical clock: wall time in milliseconds, a counter, and the client id, so every
//! device orders events the same way even when tablet clocks drift.

use serde::{Deserialize, Serialize};

use super::ids::ClientId;

/// One timestamp. Ordered by wall time, then counter, then client id: a total order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "HlcRecord")]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub wall_ms: i64,
    pub counter: u32,
    pub client: ClientId,
}

/// The latest wall time a clock may show: the last millisecond of the year 9999, the end
/// of the calendar's range. With the earliest, 1970, no difference of two wall times can
/// overflow, whatever a device sends.
pub const MAX_WALL_MS: i64 = 253_402_300_799_999;

#[derive(Deserialize)]
struct HlcRecord {
    wall_ms: i64,
    counter: u32,
    client: ClientId,
}

impl TryFrom<HlcRecord> for Hlc {
    type Error = String;
    fn try_from(r: HlcRecord) -> Result<Self, String> {
        if !(0..=MAX_WALL_MS).contains(&r.wall_ms) {
            return Err(format!(
                "wall_ms {} is outside 1970 to 9999; check the device's clock",
                r.wall_ms
            ));
        }
        Ok(Hlc {
            wall_ms: r.wall_ms,
            counter: r.counter,
            client: r.client,
        })
    }
}

impl Hlc {
    pub fn timestamp(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.wall_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }
}

/// A device's clock state. `now_ms` is always passed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HlcClock {
    client: ClientId,
    wall_ms: i64,
    counter: u32,
}

impl HlcClock {
    pub fn new(client: ClientId) -> Self {
        Self {
            client,
            wall_ms: 0,
            counter: 0,
        }
    }

    /// A new timestamp for a local event: never below any timestamp issued or observed.
    pub fn tick(&mut self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms {
            self.wall_ms = now_ms;
            self.counter = 0;
        } else {
            self.counter = self.counter.saturating_add(1);
        }
        Hlc {
            wall_ms: self.wall_ms,
            counter: self.counter,
            client: self.client,
        }
    }

    /// The timestamp the next `tick(now_ms)` will give, without moving the clock: a kiosk
    /// draws a ticket's number for the service day of that timestamp, the day the server
    /// and every replica count the ticket in.
    pub fn peek(&self, now_ms: i64) -> Hlc {
        self.clone().tick(now_ms)
    }

    /// Moves the clock up to a timestamp this device issued before (read back from its
    /// journal), so the next tick orders after it. Never moves the clock back.
    pub fn catch_up(&mut self, issued: &Hlc) {
        if (issued.wall_ms, issued.counter) > (self.wall_ms, self.counter) {
            self.wall_ms = issued.wall_ms;
            self.counter = issued.counter;
        }
    }

    /// Takes in a timestamp seen from another device so local events order after it.
    pub fn observe(&mut self, seen: &Hlc, now_ms: i64) {
        let max_wall = self.wall_ms.max(seen.wall_ms).max(now_ms);
        self.counter = if max_wall == self.wall_ms && max_wall == seen.wall_ms {
            self.counter.max(seen.counter).saturating_add(1)
        } else if max_wall == self.wall_ms {
            self.counter.saturating_add(1)
        } else if max_wall == seen.wall_ms {
            seen.counter.saturating_add(1)
        } else {
            0
        };
        self.wall_ms = max_wall;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientId {
        ClientId::from_random_bytes([n; 16])
    }

    #[test]
    fn a_wall_time_outside_the_calendar_is_refused_on_the_wire() {
        let c = client(1).to_string();
        for bad in [i64::MIN, -1, MAX_WALL_MS + 1, i64::MAX] {
            let json = format!(r#"{{"wall_ms":{bad},"counter":0,"client":"{c}"}}"#);
            let err = serde_json::from_str::<Hlc>(&json).unwrap_err().to_string();
            assert!(err.contains("outside 1970 to 9999"), "{err}");
        }
        let json = format!(r#"{{"wall_ms":{MAX_WALL_MS},"counter":0,"client":"{c}"}}"#);
        let h: Hlc = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_value(h).unwrap()["wall_ms"], MAX_WALL_MS);
    }

    #[test]
    fn ticks_are_strictly_increasing_even_when_the_wall_clock_goes_back() {
        let mut c = HlcClock::new(client(1));
        let a = c.tick(1_000);
        let b = c.tick(900);
        let d = c.tick(1_000);
        assert!(a < b && b < d);
    }

    #[test]
    fn peeking_gives_the_next_tick_and_leaves_the_clock_alone() {
        let mut c = HlcClock::new(client(1));
        c.tick(2_000);
        let before = c.clone();
        for now in [1_000, 2_000, 3_000] {
            let peeked = c.peek(now);
            assert_eq!(c, before);
            assert_eq!(peeked, c.clone().tick(now));
        }
        // Ahead of the wall clock (it saw a later device): the peek stays ahead too.
        assert_eq!(c.peek(1_000).wall_ms, 2_000);
    }

    #[test]
    fn a_clock_caught_up_with_its_journal_ticks_after_every_entry() {
        let mut c = HlcClock::new(client(1));
        let old = c.clone();
        let issued: Vec<Hlc> = (0..3).map(|_| c.tick(1_000)).collect();
        let mut restored = old;
        for at in issued.iter().rev() {
            restored.catch_up(at);
        }
        assert_eq!(restored, c);
        // The wall clock went back while the device was off: still after the journal.
        assert!(issued.iter().all(|at| restored.tick(500) > *at));
        // An entry older than the clock leaves it alone.
        let before = restored.clone();
        restored.catch_up(&issued[0]);
        assert_eq!(restored, before);
    }

    #[test]
    fn a_device_behind_orders_its_next_event_after_what_it_saw() {
        let mut fast = HlcClock::new(client(1));
        let mut slow = HlcClock::new(client(2));
        let seen = fast.tick(10_000);
        slow.observe(&seen, 5_000);
        assert!(slow.tick(5_001) > seen);
    }
}
