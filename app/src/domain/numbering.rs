//! Ticket numbers that look fair to a waiting citizen and stay unique when kiosks issue
//! them offline.
//!
//! An online kiosk takes each number from the server at the tap ([`LeaseBook::offer`]: the
//! next number of the service's day, leased to that kiosk alone), so with every kiosk
//! online a service's numbers follow the order in which citizens took them, and the line
//! (ordered by the time each joined it) is called in increasing order. Blocks of numbers
//! held ahead would have A-021 printed at one kiosk before A-002 at the other, and called
//! first: it reads as queue-jumping. A kiosk that cannot reach the server prints from its
//! own series (`A2-001`, `A2-002` …), visibly apart: the series digit is given to the kiosk
//! once by the server, so no other kiosk can print those numbers.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::ids::{ClientId, ServiceCode, TicketNumber};

/// Why a number could not be issued or leased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum NumberingError {
    #[error("all {max} numbers of {service} for today are used")]
    Exhausted { service: ServiceCode, max: u16 },
    #[error("this kiosk has no series digit yet; connect it to the server once")]
    NoSeries,
    #[error("every kiosk series digit (1–9) is taken")]
    NoSeriesLeft,
    #[error("number {number} was not leased to this kiosk")]
    NotLeased { number: TicketNumber },
    #[error("this kiosk still holds {unused} unused numbers of {service} for today")]
    TooManyUnused { service: ServiceCode, unused: u32 },
}

/// Numbers `start..=end` of one service on one service day, held by one kiosk. A number
/// taken at a tap is a lease of one (`start == end`); stored leases of older versions
/// may be wider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub service: ServiceCode,
    #[serde(with = "super::time_format::date")]
    pub day: Date,
    pub kiosk: ClientId,
    pub start: u16,
    pub end: u16,
}

/// The server's record of what it leased. The server persists each [`Lease`] and series
/// digit as it grants them and rebuilds the book at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaseBook {
    /// Next unleased number per service per day.
    next: BTreeMap<(ServiceCode, Date), u16>,
    leases: Vec<Lease>,
    series: BTreeMap<ClientId, u8>,
    /// Digits of revoked kiosks, with the day they were given up: free again from the
    /// next day (a revoked kiosk may have printed its series that day).
    released: BTreeMap<u8, Date>,
}

impl LeaseBook {
    /// The next number of `service` on `day`, for `kiosk`; nothing changes until it is
    /// [recorded](Self::record) (the server stores it first).
    pub fn offer(
        &self,
        service: &ServiceCode,
        day: Date,
        kiosk: ClientId,
    ) -> Result<Lease, NumberingError> {
        let next = self.next.get(&(service.clone(), day)).copied().unwrap_or(1);
        if next > TicketNumber::MAX_SEQ {
            return Err(NumberingError::Exhausted {
                service: service.clone(),
                max: TicketNumber::MAX_SEQ,
            });
        }
        Ok(Lease {
            service: service.clone(),
            day,
            kiosk,
            start: next,
            end: next,
        })
    }

    /// Offers and records the next number at once (for a book that stores nothing).
    pub fn grant(
        &mut self,
        service: &ServiceCode,
        day: Date,
        kiosk: ClientId,
    ) -> Result<Lease, NumberingError> {
        let lease = self.offer(service, day, kiosk)?;
        self.record(lease.clone());
        Ok(lease)
    }

    /// The kiosk's own series digit, given once and kept until the kiosk is revoked.
    pub fn series_for(&mut self, kiosk: ClientId, today: Date) -> Result<u8, NumberingError> {
        if let Some(s) = self.series.get(&kiosk) {
            return Ok(*s);
        }
        let used: Vec<u8> = self.series.values().copied().collect();
        let s = (1..=9)
            .find(|d| !used.contains(d) && self.released.get(d).is_none_or(|r| *r < today))
            .ok_or(NumberingError::NoSeriesLeft)?;
        self.series.insert(kiosk, s);
        Ok(s)
    }

    /// A revoked kiosk gives its digit up on `day`; another kiosk may have it from the
    /// next day on.
    pub fn release_series(&mut self, kiosk: ClientId, day: Date) {
        if let Some(s) = self.series.remove(&kiosk) {
            self.restore_released(s, day);
        }
    }

    /// Re-records a digit given up on `day`, loaded from the store at start-up.
    pub fn restore_released(&mut self, series: u8, day: Date) {
        let d = self.released.entry(series).or_insert(day);
        *d = (*d).max(day);
    }

    /// How many numbers of its leases for `service` on `day` the kiosk has not issued
    /// (as far as the server knows: `issued` says whether a number reached it).
    pub fn unused(
        &self,
        kiosk: ClientId,
        service: &ServiceCode,
        day: Date,
        issued: impl Fn(u16) -> bool,
    ) -> u32 {
        self.leases
            .iter()
            .filter(|l| l.kiosk == kiosk && &l.service == service && l.day == day)
            .flat_map(|l| l.start..=l.end)
            .filter(|n| !issued(*n))
            .count() as u32
    }

    /// Whether `kiosk` may have printed `number` for `service` on `day`: inside one of its
    /// leases, or in its own series.
    pub fn check(
        &self,
        kiosk: ClientId,
        service: &ServiceCode,
        day: Date,
        number: TicketNumber,
    ) -> Result<(), NumberingError> {
        let ok = match number.series() {
            Some(s) => self.series.get(&kiosk) == Some(&s),
            None => self.leases.iter().any(|l| {
                l.kiosk == kiosk
                    && &l.service == service
                    && l.day == day
                    && (l.start..=l.end).contains(&number.seq())
            }),
        };
        if ok {
            Ok(())
        } else {
            Err(NumberingError::NotLeased { number })
        }
    }

    /// Records a lease: one just offered and stored, or one loaded from the store at
    /// start-up.
    pub fn record(&mut self, lease: Lease) {
        let next = self
            .next
            .entry((lease.service.clone(), lease.day))
            .or_insert(1);
        *next = (*next).max(lease.end.saturating_add(1));
        self.leases.push(lease);
    }

    /// Catches up with what the store holds, which other instances sharing it may have
    /// granted: the kiosks' series digits as they are now (`series`: paired kiosks only, so
    /// a kiosk revoked elsewhere lets its digit go), every lease stored (a lease known
    /// already is not counted twice) and the digits given up.
    pub fn merge_stored(
        &mut self,
        series: impl IntoIterator<Item = (ClientId, u8)>,
        leases: impl IntoIterator<Item = Lease>,
        released: impl IntoIterator<Item = (u8, Date)>,
    ) {
        self.series = series.into_iter().collect();
        for l in leases {
            if !self.leases.contains(&l) {
                self.record(l);
            }
        }
        for (s, day) in released {
            self.restore_released(s, day);
        }
    }

    /// Re-records a kiosk's series digit loaded from the store at start-up.
    pub fn restore_series(&mut self, kiosk: ClientId, series: u8) {
        self.series.insert(kiosk, series);
    }

    /// Leases of days before `today` are of no use any more.
    pub fn prune(&mut self, today: Date) {
        self.leases.retain(|l| l.day >= today);
        self.next.retain(|(_, d), _| *d >= today);
        self.released.retain(|_, d| *d >= today);
    }

    pub fn leases(&self) -> &[Lease] {
        &self.leases
    }
}

/// A kiosk's numbers of one service on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PoolEntry {
    service: ServiceCode,
    #[serde(with = "super::time_format::date")]
    day: Date,
    /// Numbers taken from the server and not yet printed, as inclusive ranges in order
    /// (normally none, or the one taken for the tap under way).
    free: Vec<(u16, u16)>,
    /// Next number of the kiosk's own series.
    own_next: u16,
}

/// A kiosk's numbers: those taken from the server and not yet printed, and its own series.
/// Persisted in IndexedDB as JSON (hence a list, not a map keyed by tuples).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberPool {
    series: Option<u8>,
    entries: Vec<PoolEntry>,
}

impl NumberPool {
    pub fn set_series(&mut self, series: u8) {
        self.series = Some(series);
    }

    pub fn series(&self) -> Option<u8> {
        self.series
    }

    fn entry(&self, service: &ServiceCode, day: Date) -> Option<&PoolEntry> {
        self.entries
            .iter()
            .find(|e| &e.service == service && e.day == day)
    }

    fn entry_mut(&mut self, service: &ServiceCode, day: Date) -> &mut PoolEntry {
        let i = match self
            .entries
            .iter()
            .position(|e| &e.service == service && e.day == day)
        {
            Some(i) => i,
            None => {
                self.entries.push(PoolEntry {
                    service: service.clone(),
                    day,
                    free: Vec::new(),
                    own_next: 1,
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }

    pub fn add_lease(&mut self, lease: &Lease) {
        let e = self.entry_mut(&lease.service, lease.day);
        e.free.push((lease.start, lease.end));
    }

    /// Numbers taken from the server and not yet printed.
    pub fn remaining(&self, service: &ServiceCode, day: Date) -> u16 {
        self.entry(service, day)
            .map(|e| e.free.iter().map(|(a, b)| b - a + 1).sum())
            .unwrap_or(0)
    }

    /// The next number to print: one taken from the server, else the kiosk's own series.
    pub fn next(
        &mut self,
        service: &ServiceCode,
        prefix: char,
        day: Date,
    ) -> Result<TicketNumber, NumberingError> {
        let series = self.series;
        let exhausted = || NumberingError::Exhausted {
            service: service.clone(),
            max: TicketNumber::MAX_SEQ,
        };
        let e = self.entry_mut(service, day);
        if let Some(first) = e.free.first_mut() {
            let n = first.0;
            if first.0 == first.1 {
                e.free.remove(0);
            } else {
                first.0 += 1;
            }
            return TicketNumber::new(prefix, None, n).map_err(|_| exhausted());
        }
        let series = series.ok_or(NumberingError::NoSeries)?;
        let n = TicketNumber::new(prefix, Some(series), e.own_next).map_err(|_| exhausted())?;
        e.own_next += 1;
        Ok(n)
    }

    /// Takes a number this kiosk printed out of the pool, when its journal (the outbox) is
    /// replayed on the last stored pool after a restart: a leased number leaves its block,
    /// a number of the kiosk's own series moves the series past it. Taking a number
    /// already taken changes nothing, so the journal may overlap the stored pool.
    pub fn mark_issued(&mut self, service: &ServiceCode, day: Date, number: TicketNumber) {
        let seq = number.seq();
        match number.series() {
            None => {
                let Some(e) = self
                    .entries
                    .iter_mut()
                    .find(|e| &e.service == service && e.day == day)
                else {
                    return;
                };
                let Some(i) = e.free.iter().position(|(a, b)| (*a..=*b).contains(&seq)) else {
                    return;
                };
                let (a, b) = e.free[i];
                match (seq == a, seq == b) {
                    (true, true) => {
                        e.free.remove(i);
                    }
                    (true, false) => e.free[i].0 = seq + 1,
                    (false, true) => e.free[i].1 = seq - 1,
                    (false, false) => {
                        e.free[i].1 = seq - 1;
                        e.free.insert(i + 1, (seq + 1, b));
                    }
                }
            }
            Some(s) if Some(s) == self.series => {
                let e = self.entry_mut(service, day);
                e.own_next = e.own_next.max(seq + 1);
            }
            Some(_) => {}
        }
    }

    /// Forgets the numbers of earlier days.
    pub fn prune(&mut self, today: Date) {
        self.entries.retain(|e| e.day >= today);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_book_catches_up_with_what_another_instance_granted() {
        let day = jiff::civil::date(2026, 12, 1);
        let svc = ServiceCode::parse("legalisir-ktp-el").unwrap();
        let (k1, k2) = (
            ClientId::from_random_bytes([1; 16]),
            ClientId::from_random_bytes([2; 16]),
        );
        // Instance A granted k1 number 1 and gave k1 digit 1; this instance knows nothing.
        let mut other = LeaseBook::default();
        let lease = other.offer(&svc, day, k1).unwrap();
        other.record(lease.clone());
        let mut here = LeaseBook::default();
        here.merge_stored([(k1, 1)], [lease.clone()], []);
        // Its next number and digit are not given again; merging twice changes nothing.
        assert_eq!(here.offer(&svc, day, k2).unwrap().start, 2);
        assert_eq!(here.series_for(k2, day).unwrap(), 2);
        let before = here.clone();
        here.merge_stored([(k1, 1), (k2, 2)], [lease.clone()], []);
        assert_eq!(here.leases().len(), before.leases().len());
        assert!(here.check(k1, &svc, day, lease_number(&lease)).is_ok());
        // k1 revoked elsewhere today: its digit is free from tomorrow only.
        here.merge_stored([(k2, 2)], [lease], [(1, day)]);
        let k3 = ClientId::from_random_bytes([3; 16]);
        assert_eq!(here.series_for(k3, day).unwrap(), 3);
        let k4 = ClientId::from_random_bytes([4; 16]);
        assert_eq!(here.series_for(k4, day.tomorrow().unwrap()).unwrap(), 1);
    }

    fn lease_number(l: &Lease) -> TicketNumber {
        TicketNumber::new('A', None, l.start).unwrap()
    }

    fn svc() -> ServiceCode {
        ServiceCode::parse("legalisir-ktp-el").unwrap()
    }

    fn kiosk(n: u8) -> ClientId {
        ClientId::from_random_bytes([n; 16])
    }

    #[test]
    fn numbers_never_overlap_and_restart_each_day() {
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        let a = book.grant(&svc(), d, kiosk(1)).unwrap();
        let b = book.grant(&svc(), d, kiosk(2)).unwrap();
        assert_eq!((a.start, a.end, b.start, b.end), (1, 1, 2, 2));
        let c = book.grant(&svc(), date(2026, 12, 1), kiosk(1)).unwrap();
        assert_eq!(c.start, 1);
    }

    #[test]
    fn an_offer_changes_nothing_until_it_is_recorded() {
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        let offer = book.offer(&svc(), d, kiosk(1)).unwrap();
        assert_eq!(book.offer(&svc(), d, kiosk(2)).unwrap().start, offer.start);
        assert!(book.leases().is_empty());
        book.record(offer);
        assert_eq!(book.offer(&svc(), d, kiosk(2)).unwrap().start, 2);
    }

    #[test]
    fn with_every_kiosk_online_numbers_follow_the_order_of_the_taps() {
        let mut book = LeaseBook::default();
        let mut pools = [NumberPool::default(), NumberPool::default()];
        let d = date(2026, 11, 30);
        let mut printed = Vec::new();
        for k in [0usize, 1, 1, 0, 1, 0, 0] {
            let lease = book.grant(&svc(), d, kiosk(k as u8)).unwrap();
            pools[k].add_lease(&lease);
            printed.push(pools[k].next(&svc(), 'A', d).unwrap().to_string());
        }
        assert_eq!(
            printed,
            ["A-001", "A-002", "A-003", "A-004", "A-005", "A-006", "A-007"]
        );
    }

    #[test]
    fn a_kiosk_out_of_numbers_offline_uses_its_own_series() {
        let mut pool = NumberPool::default();
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        pool.set_series(book.series_for(kiosk(1), d).unwrap());
        pool.add_lease(&book.grant(&svc(), d, kiosk(1)).unwrap());
        assert_eq!(pool.next(&svc(), 'A', d).unwrap().to_string(), "A-001");
        assert_eq!(pool.next(&svc(), 'A', d).unwrap().to_string(), "A1-001");
        assert_eq!(pool.next(&svc(), 'A', d).unwrap().to_string(), "A1-002");
        assert!(book
            .check(kiosk(1), &svc(), d, TicketNumber::parse("A1-002").unwrap())
            .is_ok());
        assert!(book
            .check(kiosk(2), &svc(), d, TicketNumber::parse("A1-002").unwrap())
            .is_err());
        assert!(book
            .check(kiosk(2), &svc(), d, TicketNumber::parse("A-001").unwrap())
            .is_err());
    }

    #[test]
    fn a_pool_survives_json() {
        let mut pool = NumberPool::default();
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        pool.set_series(3);
        pool.add_lease(&book.grant(&svc(), d, kiosk(1)).unwrap());
        pool.add_lease(&book.grant(&svc(), d, kiosk(1)).unwrap());
        pool.next(&svc(), 'A', d).unwrap();
        let json = serde_json::to_string(&pool).unwrap();
        let back: NumberPool = serde_json::from_str(&json).unwrap();
        assert_eq!(back, pool);
    }

    #[test]
    fn a_revoked_kiosks_digit_is_free_again_from_the_next_day() {
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        for k in 1..=9 {
            assert_eq!(book.series_for(kiosk(k), d).unwrap(), k);
        }
        assert_eq!(
            book.series_for(kiosk(10), d),
            Err(NumberingError::NoSeriesLeft)
        );
        book.release_series(kiosk(4), d);
        // Not on the day it printed its last tickets.
        assert_eq!(
            book.series_for(kiosk(10), d),
            Err(NumberingError::NoSeriesLeft)
        );
        let next = date(2026, 12, 1);
        assert_eq!(book.series_for(kiosk(10), next).unwrap(), 4);
        // The revoked kiosk's numbers are no longer its own.
        assert!(book
            .check(
                kiosk(4),
                &svc(),
                next,
                TicketNumber::parse("A4-001").unwrap()
            )
            .is_err());
        book.prune(next);
        assert!(book.released.is_empty());
    }

    #[test]
    fn unused_counts_the_leased_numbers_not_yet_issued() {
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        for k in [1, 1, 1, 2, 1] {
            book.grant(&svc(), d, kiosk(k)).unwrap();
        }
        // Kiosk 1 holds 1, 2, 3 and 5; 1 and 2 reached the server.
        assert_eq!(book.unused(kiosk(1), &svc(), d, |n| n <= 2), 2);
        assert_eq!(book.unused(kiosk(2), &svc(), d, |_| false), 1);
    }

    #[test]
    fn the_range_ends_at_999() {
        let mut book = LeaseBook::default();
        let d = date(2026, 11, 30);
        let mut taken = 0;
        let mut last = None;
        while let Ok(l) = book.grant(&svc(), d, kiosk(1)) {
            taken += 1;
            last = Some(l);
        }
        assert_eq!((taken, last.unwrap().end), (999, 999));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Issue(usize),
        Toggle(usize),
        /// The kiosk stores its journal and pool with the server's acknowledgement.
        Sync(usize),
        /// The kiosk restarts from its stored pool and journal.
        Restart(usize),
        NextDay,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..4usize).prop_map(Op::Issue),
            2 => (0..4usize).prop_map(Op::Toggle),
            1 => (0..4usize).prop_map(Op::Sync),
            1 => (0..4usize).prop_map(Op::Restart),
            1 => Just(Op::NextDay),
        ]
    }

    /// A day's entry as far as printing goes: the day, the taken numbers, the series' next.
    type Held = (Date, Vec<(u16, u16)>, u16);

    /// What a pool would still print: taken numbers and the series' next, per day
    /// (an entry with nothing in it prints what no entry prints).
    fn held(p: &NumberPool) -> Vec<Held> {
        let mut v: Vec<_> = p
            .entries
            .iter()
            .filter(|e| !e.free.is_empty() || e.own_next > 1)
            .map(|e| (e.day, e.free.clone(), e.own_next))
            .collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Kiosks issue online and offline, restart, come back, in any interleaving: no
        /// two tickets of one service day ever carry the same number, the server accepts
        /// each, and the plain numbers (taken from the server at the tap) follow the order
        /// of the taps. A kiosk stores its pool with an acknowledged push and each tap only
        /// in its journal, as the device does.
        #[test]
        fn never_two_tickets_with_one_number(ops in proptest::collection::vec(op(), 1..300)) {
            let mut book = LeaseBook::default();
            let mut pools: Vec<NumberPool> = (0..4).map(|_| NumberPool::default()).collect();
            let mut online = [true; 4];
            let mut day = date(2026, 11, 30);
            for (i, p) in pools.iter_mut().enumerate() {
                p.set_series(book.series_for(kiosk(i as u8), day).unwrap());
            }
            let mut stored = pools.clone();
            let mut journals: Vec<Vec<(Date, TicketNumber)>> = vec![Vec::new(); 4];
            let mut issued: BTreeSet<(Date, TicketNumber)> = BTreeSet::new();
            let mut last_plain: Option<(Date, u16)> = None;
            for o in ops {
                match o {
                    Op::Issue(k) => {
                        if online[k] {
                            if let Ok(l) = book.grant(&svc(), day, kiosk(k as u8)) {
                                pools[k].add_lease(&l);
                            }
                        }
                        if let Ok(n) = pools[k].next(&svc(), 'A', day) {
                            prop_assert!(issued.insert((day, n)), "{} issued twice", n);
                            if n.series().is_none() {
                                if let Some((d, seq)) = last_plain.filter(|(d, _)| *d == day) {
                                    prop_assert!(n.seq() > seq, "{} after {}-{}", n, d, seq);
                                }
                                last_plain = Some((day, n.seq()));
                            }
                            prop_assert!(book.check(kiosk(k as u8), &svc(), day, n).is_ok());
                            journals[k].push((day, n));
                        }
                    }
                    Op::Sync(k) if online[k] => {
                        stored[k] = pools[k].clone();
                        journals[k].clear();
                    }
                    Op::Sync(_) => {}
                    Op::Restart(k) => {
                        let mut p = stored[k].clone();
                        for (d, n) in &journals[k] {
                            p.mark_issued(&svc(), *d, *n);
                        }
                        prop_assert_eq!(held(&p), held(&pools[k]));
                        pools[k] = p;
                    }
                    Op::Toggle(k) => online[k] = !online[k],
                    Op::NextDay => day = day.tomorrow().unwrap(),
                }
            }
        }
    }
}
