//! The newest events of the log, kept in memory so that the pull every device makes after
//! each poke is answered without a database query. Older cursors fall back to the database.

use std::collections::VecDeque;
use std::sync::RwLock;

use app::domain::mutation::Event;

/// How many of the newest events are kept: a busy day's hour and more.
pub const TAIL_LEN: usize = 4096;

#[derive(Default)]
pub struct Tail {
    events: RwLock<VecDeque<Event>>,
}

impl Tail {
    /// Appends events in log order; an event that does not continue the tail (a gap after
    /// a restart, or another instance's events not seen) restarts it.
    pub fn extend<'a>(&self, new: impl IntoIterator<Item = &'a Event>) {
        let mut t = self.events.write().unwrap_or_else(|p| p.into_inner());
        for e in new {
            if t.back().is_some_and(|b| b.seq + 1 != e.seq) {
                t.clear();
            }
            if t.back().is_none_or(|b| b.seq < e.seq) {
                t.push_back(e.clone());
            }
            if t.len() > TAIL_LEN {
                t.pop_front();
            }
        }
    }

    /// The events after `cursor` (at most `limit`), when the tail covers them all up to
    /// `newest`; `None` sends the caller to the database.
    pub fn after(&self, cursor: u64, newest: u64, limit: usize) -> Option<Vec<Event>> {
        let t = self.events.read().unwrap_or_else(|p| p.into_inner());
        let first = t.front()?.seq;
        let last = t.back()?.seq;
        if cursor.saturating_add(1) < first || last < newest {
            return None;
        }
        Some(
            t.iter()
                .filter(|e| e.seq > cursor)
                .take(limit)
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::hlc::Hlc;
    use app::domain::ids::{ClientId, TicketId};
    use app::domain::ticket::EventKind;

    fn ev(seq: u64) -> Event {
        Event {
            seq,
            at: Hlc {
                wall_ms: 0,
                counter: 0,
                client: ClientId::from_random_bytes([1; 16]),
            },
            ticket: TicketId::from_random_bytes([2; 16]),
            kind: EventKind::Recalled,
        }
    }

    fn seqs(v: Option<Vec<Event>>) -> Option<Vec<u64>> {
        v.map(|v| v.iter().map(|e| e.seq).collect())
    }

    #[test]
    fn serves_recent_cursors_and_refuses_what_it_does_not_hold() {
        let t = Tail::default();
        assert_eq!(seqs(t.after(0, 0, 10)), None, "empty: ask the database");
        t.extend(&[ev(5), ev(6), ev(7)]);
        assert_eq!(seqs(t.after(4, 7, 10)), Some(vec![5, 6, 7]));
        assert_eq!(seqs(t.after(6, 7, 10)), Some(vec![7]));
        assert_eq!(seqs(t.after(7, 7, 10)), Some(vec![]));
        assert_eq!(seqs(t.after(u64::MAX, 7, 10)), Some(vec![]), "no overflow");
        assert_eq!(seqs(t.after(5, 7, 1)), Some(vec![6]));
        assert_eq!(seqs(t.after(3, 7, 10)), None, "event 4 is not held");
        assert_eq!(seqs(t.after(6, 8, 10)), None, "event 8 is not held yet");
        // A gap restarts the tail; a replayed event is ignored.
        t.extend(&[ev(7), ev(9)]);
        assert_eq!(seqs(t.after(8, 9, 10)), Some(vec![9]));
        assert_eq!(seqs(t.after(6, 9, 10)), None);
    }

    #[test]
    fn keeps_only_the_newest() {
        let t = Tail::default();
        let all: Vec<Event> = (1..=(TAIL_LEN as u64 + 10)).map(ev).collect();
        t.extend(&all);
        let newest = TAIL_LEN as u64 + 10;
        assert_eq!(seqs(t.after(5, newest, 1)), None);
        assert_eq!(seqs(t.after(10, newest, 1)), Some(vec![11]));
    }
}
