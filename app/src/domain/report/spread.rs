//! Medians and 90th percentiles of durations.
//!
//! The median of an even count is the mean of the two middle values (rounded down to the
//! second); the 90th percentile is the nearest rank: the smallest value that at least 90 %
//! of the values do not exceed. Both are what a spreadsheet's MEDIAN and PERCENTILE.EXC
//! users expect closely enough, and both are exact on small hand-computed samples.

use serde::{Deserialize, Serialize};

/// The spread of a set of durations, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    pub count: u32,
    pub median_s: Option<u32>,
    pub p90_s: Option<u32>,
}

impl Spread {
    /// The spread of `values` (sorted here).
    pub fn of(mut values: Vec<u32>) -> Self {
        values.sort_unstable();
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            ((u64::from(values[n / 2 - 1]) + u64::from(values[n / 2])) / 2) as u32
        };
        // Nearest rank: ceil(0.9 n), 1-based.
        let rank = (9 * n).div_ceil(10);
        Self {
            count: n as u32,
            median_s: Some(median),
            p90_s: Some(values[rank - 1]),
        }
    }
}

/// Minutes and seconds as an officer reads them: "4 mnt 05 dtk" is written `4:05`.
pub fn minutes(s: u32) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_odd_count_has_its_middle_value_as_median() {
        let s = Spread::of(vec![300, 60, 120]);
        assert_eq!(s.count, 3);
        assert_eq!(s.median_s, Some(120));
        // ceil(2.7) = 3rd value.
        assert_eq!(s.p90_s, Some(300));
    }

    #[test]
    fn an_even_count_averages_the_middle_two() {
        let s = Spread::of(vec![10, 20, 30, 41]);
        assert_eq!(s.median_s, Some(25));
        assert_eq!(s.p90_s, Some(41));
    }

    #[test]
    fn the_90th_percentile_is_the_nearest_rank() {
        // Ten values 1..=10: rank 9 → 9. Eleven values: ceil(9.9) = 10 → 10.
        assert_eq!(Spread::of((1..=10).collect()).p90_s, Some(9));
        assert_eq!(Spread::of((1..=11).collect()).p90_s, Some(10));
        assert_eq!(Spread::of(vec![7]).p90_s, Some(7));
    }

    #[test]
    fn nothing_has_no_median() {
        assert_eq!(Spread::of(Vec::new()), Spread::default());
    }

    #[test]
    fn durations_print_as_minutes_and_seconds() {
        assert_eq!(minutes(0), "0:00");
        assert_eq!(minutes(245), "4:05");
        assert_eq!(minutes(3600), "60:00");
    }
}
