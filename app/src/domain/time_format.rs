//! The text forms of dates, clock times and timestamps in our documents and on the wire:
//! `2026-11-30`, `07:30:00`, `2026-11-30T02:00:00Z` — the ISO 8601 forms jiff itself prints,
//! so everything already stored reads back unchanged.
//!
//! Why not jiff's own serde: its parsers accept all of RFC 9557 (time-zone annotations,
//! POSIX rules, the TZ database) and carry every one of their error messages, about a
//! tenth of the browser bundle; these few forms are all we ever write. Used through
//! `#[serde(with = "...")]` on each field; the jiff `serde` feature is off, so a new date
//! field without it does not compile.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use jiff::Timestamp;

/// Why a text is not a date, time or timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not {expected}")]
pub struct TimeFormatError {
    text: String,
    expected: &'static str,
}

const DATE: &str = "a date written YYYY-MM-DD";
const TIME: &str = "a time written HH:MM or HH:MM:SS";
const TIMESTAMP: &str = "a UTC time written YYYY-MM-DDTHH:MM:SSZ";

fn refuse(text: &str, expected: &'static str) -> TimeFormatError {
    TimeFormatError {
        text: text.chars().take(40).collect(),
        expected,
    }
}

/// Exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<i32> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

pub fn print_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn parse_date(text: &str) -> Result<Date, TimeFormatError> {
    let parts = || {
        let (y, rest) = text.split_once('-')?;
        let (m, d) = rest.split_once('-')?;
        Date::new(
            digits(y, 4)? as i16,
            digits(m, 2)? as i8,
            digits(d, 2)? as i8,
        )
        .ok()
    };
    parts().ok_or_else(|| refuse(text, DATE))
}

/// Seconds always; the fraction only when there is one, without trailing zeros.
fn write_time(out: &mut String, t: Time) {
    let _ = write!(out, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    let nanos = t.subsec_nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        let _ = write!(out, ".{}", frac.trim_end_matches('0'));
    }
}

pub fn print_time(t: Time) -> String {
    let mut out = String::with_capacity(8);
    write_time(&mut out, t);
    out
}

pub fn parse_time(text: &str) -> Result<Time, TimeFormatError> {
    let parts = || {
        let (clock, frac) = match text.split_once('.') {
            Some((c, f)) => (c, Some(f)),
            None => (text, None),
        };
        let mut fields = clock.split(':');
        let h = digits(fields.next()?, 2)?;
        let m = digits(fields.next()?, 2)?;
        let s = match fields.next() {
            Some(s) => digits(s, 2)?,
            None if frac.is_none() => 0,
            None => return None,
        };
        if fields.next().is_some() {
            return None;
        }
        let nanos = match frac {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 => {
                digits(f, f.len())? * 10i32.pow(9 - f.len() as u32)
            }
            Some(_) => return None,
        };
        Time::new(h as i8, m as i8, s as i8, nanos).ok()
    };
    parts().ok_or_else(|| refuse(text, TIME))
}

pub fn print_timestamp(t: Timestamp) -> String {
    let dt = Offset::UTC.to_datetime(t);
    let mut out = print_date(dt.date());
    out.push('T');
    write_time(&mut out, dt.time());
    out.push('Z');
    out
}

/// A date, `T` (or `t`, or a space), a time with seconds, and `Z` or a `±HH:MM` offset.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, TimeFormatError> {
    let parts = || {
        let (date, rest) = (text.get(..10)?, text.get(11..)?);
        if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
            return None;
        }
        let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
            (c, Offset::UTC)
        } else {
            let at = rest.len().checked_sub(6)?;
            let (c, o) = (rest.get(..at)?, rest.get(at..)?);
            let sign = match o.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = o[1..].split_once(':')?;
            let secs = sign * (digits(oh, 2)? * 3600 + digits(om, 2)? * 60);
            (c, Offset::from_seconds(secs).ok()?)
        };
        if clock.len() < 8 {
            return None; // seconds are required in a timestamp
        }
        let dt = DateTime::from_parts(parse_date(date).ok()?, parse_time(clock).ok()?);
        offset.to_timestamp(dt).ok()
    };
    parts().ok_or_else(|| refuse(text, TIMESTAMP))
}

/// `#[serde(with = "time_format::date")]`
pub mod date {
    use jiff::civil::Date;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::print_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_date(&text).map_err(D::Error::custom)
    }

    /// For an optional field (with `#[serde(default)]`): a present date.
    pub fn deserialize_some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        deserialize(d).map(Some)
    }
}

/// `#[serde(with = "time_format::time")]`
pub mod time {
    use jiff::civil::Time;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::print_time(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_time(&text).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "time_format::timestamp")]`
pub mod timestamp {
    use jiff::Timestamp;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::print_timestamp(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_timestamp(&text).map_err(D::Error::custom)
    }
}

/// `#[serde(default, with = "time_format::timestamp_opt")]`: an optional moment.
pub mod timestamp_opt {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::timestamp::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super::timestamp")] Timestamp);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn dates_read_and_print_as_iso() {
        assert_eq!(parse_date("2026-11-30"), Ok(date(2026, 11, 30)));
        assert_eq!(print_date(date(2027, 3, 8)), "2027-03-08");
        assert_eq!(print_date(date(5, 1, 2)), "0005-01-02");
    }

    #[test]
    fn malformed_dates_are_refused_with_the_form_expected() {
        for bad in [
            "2026-11-31",
            "2026-13-01",
            "26-11-30",
            "2026-1-30",
            "2026/11/30",
            "2026-11-30T",
            "",
            "２０２６-11-30",
        ] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.to_string().contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn times_read_with_or_without_seconds() {
        assert_eq!(parse_time("07:30"), Ok(Time::constant(7, 30, 0, 0)));
        assert_eq!(parse_time("15:30:00"), Ok(Time::constant(15, 30, 0, 0)));
        assert_eq!(
            parse_time("15:30:05.25"),
            Ok(Time::constant(15, 30, 5, 250_000_000))
        );
        assert_eq!(print_time(Time::constant(7, 30, 0, 0)), "07:30:00");
        assert_eq!(
            print_time(Time::constant(7, 30, 1, 5_000_000)),
            "07:30:01.005"
        );
        for bad in [
            "24:00",
            "7:30",
            "07:60",
            "07:30:00:00",
            "07:30.5",
            "07:30:00.",
            "0730",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_read_utc_and_offsets() {
        let t = parse_timestamp("2026-11-30T02:00:00Z").unwrap();
        assert_eq!(t.as_millisecond(), 1_796_004_000_000);
        assert_eq!(parse_timestamp("2026-11-30T10:00:00+08:00"), Ok(t));
        assert_eq!(parse_timestamp("2026-11-30 02:00:00z"), Ok(t));
        assert_eq!(print_timestamp(t), "2026-11-30T02:00:00Z");
        let ms = Timestamp::from_millisecond(1_796_004_000_120).unwrap();
        assert_eq!(print_timestamp(ms), "2026-11-30T02:00:00.12Z");
        for bad in [
            "2026-11-30T02:00Z",
            "2026-11-30T02:00:00",
            "2026-11-30T02:00:00+0800",
            "2026-11-30T02:00:00+08:00[Asia/Makassar]",
            "2026-11-30",
            "tomorrow",
        ] {
            let err = parse_timestamp(bad).unwrap_err();
            assert!(err.to_string().contains("UTC time"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_forms_are_the_ones_jiff_prints_and_reads() {
        // Documents and databases written before this module hold jiff's own output.
        let t: Timestamp = "2026-12-01T07:05:09.5Z".parse().unwrap();
        assert_eq!(print_timestamp(t), t.to_string());
        assert_eq!(parse_timestamp(&t.to_string()), Ok(t));
        let d = date(2026, 12, 25);
        assert_eq!(print_date(d), d.to_string());
        let tm = Time::constant(13, 0, 0, 0);
        assert_eq!(print_time(tm), tm.to_string());
    }

    proptest! {
        #[test]
        fn every_timestamp_in_range_round_trips(ms in 0i64..4_102_444_800_000) {
            let t = Timestamp::from_millisecond(ms).unwrap();
            let text = print_timestamp(t);
            prop_assert_eq!(&text, &t.to_string());
            prop_assert_eq!(parse_timestamp(&text), Ok(t));
        }

        #[test]
        fn every_date_round_trips(days in 0i32..3_600_000) {
            let d = date(1, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            prop_assert_eq!(parse_date(&print_date(d)), Ok(d));
            prop_assert_eq!(print_date(d), d.to_string());
        }
    }
}
