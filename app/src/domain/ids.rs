//! Identifiers and labels, each built only through `parse`/`TryFrom`, so the UI, the
//! server and the store accept exactly the same inputs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("service code must be 2–32 characters of a–z, 0–9 and '-': {0:?}")]
    ServiceCode(String),
    #[error("loket must be a number from 1 to 99: {0:?}")]
    Loket(String),
    #[error("ticket number must look like A-007 (or A2-007 for a kiosk's own series): {0:?}")]
    TicketNumber(String),
    #[error("tracking token is malformed")]
    TrackingToken,
    #[error("requirement id must be 1–40 characters of a–z, 0–9 and '-': {0:?}")]
    Requirement(String),
    #[error("mutation ids start at 1")]
    MutationId,
    #[error("not a UUID: {0:?}")]
    Uuid(String),
}

fn is_slug(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $err:ident, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdError> {
                if is_slug(s, $min, $max) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdError::$err(s.to_owned()))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A service in the catalogue, e.g. `legalisir-ktp-el`.
    ServiceCode, ServiceCode, 2, 32
);
string_id!(
    /// One requirement of a service, e.g. `fotokopi-ktp-el`.
    RequirementId, Requirement, 1, 40
);

/// A counter (loket), numbered 1–99 as painted above the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct LoketId(u8);

impl LoketId {
    pub fn new(n: u8) -> Result<Self, IdError> {
        if (1..=99).contains(&n) {
            Ok(Self(n))
        } else {
            Err(IdError::Loket(n.to_string()))
        }
    }
    pub fn parse(s: &str) -> Result<Self, IdError> {
        s.trim()
            .parse::<u8>()
            .map_err(|_| IdError::Loket(s.to_owned()))
            .and_then(Self::new)
    }
    pub fn get(self) -> u8 {
        self.0
    }

    /// Lokets as an admin writes them, "1, 2": in the order written, each once; empty text
    /// is an empty list (the caller decides whether that is allowed).
    pub fn parse_list(text: &str) -> Result<Vec<LoketId>, IdError> {
        let mut lokets: Vec<LoketId> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let l = LoketId::parse(part)?;
            if !lokets.contains(&l) {
                lokets.push(l);
            }
        }
        Ok(lokets)
    }
}
impl TryFrom<u8> for LoketId {
    type Error = IdError;
    fn try_from(n: u8) -> Result<Self, IdError> {
        Self::new(n)
    }
}
impl From<LoketId> for u8 {
    fn from(l: LoketId) -> u8 {
        l.0
    }
}
impl fmt::Display for LoketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Builds the id from 16 random bytes supplied by the caller (the domain never
            /// draws randomness itself).
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }
            pub fn from_uuid(u: Uuid) -> Self {
                Self(u)
            }
            pub fn parse(s: &str) -> Result<Self, IdError> {
                Uuid::parse_str(s).map(Self).map_err(|_| IdError::Uuid(s.to_owned()))
            }
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
            /// The id as 32 lowercase hex digits, safe as a database record key.
            pub fn simple(&self) -> String {
                self.0.simple().to_string()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

uuid_id!(
    /// A device install (kiosk, counter or display tablet), made once and kept in IndexedDB.
    ClientId
);
uuid_id!(
    /// The identity of a ticket. The printed number is only a label.
    TicketId
);

impl ClientId {
    /// The office itself, as the author of the events no device sends (a day's close):
    /// the nil UUID, which no random device id can be.
    pub const OFFICE: ClientId = ClientId(Uuid::nil());
}

/// The n-th mutation a client made: 1, 2, 3 … never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct MutationId(u64);

impl MutationId {
    pub const FIRST: MutationId = MutationId(1);
    pub fn new(n: u64) -> Result<Self, IdError> {
        if n >= 1 {
            Ok(Self(n))
        } else {
            Err(IdError::MutationId)
        }
    }
    pub fn get(self) -> u64 {
        self.0
    }
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}
impl TryFrom<u64> for MutationId {
    type Error = IdError;
    fn try_from(n: u64) -> Result<Self, IdError> {
        Self::new(n)
    }
}
impl From<MutationId> for u64 {
    fn from(m: MutationId) -> u64 {
        m.0
    }
}

/// The random part of a citizen's tracking link `/t/{token}`: 128 bits or more, base64url
/// without padding. It says nothing about the person or the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingToken(String);

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Decodes base64url (padding and foreign characters skipped): the push key a browser
/// needs as bytes.
pub fn base64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = B64URL.iter().position(|a| *a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

impl TrackingToken {
    /// Encodes 16 random bytes supplied by the caller as 22 base64url characters.
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        let mut out = String::with_capacity(22);
        let mut acc: u32 = 0;
        let mut bits = 0;
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 6 {
                bits -= 6;
                out.push(B64URL[((acc >> bits) & 63) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(B64URL[((acc << (6 - bits)) & 63) as usize] as char);
        }
        Self(out)
    }
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if (22..=64).contains(&s.len()) && s.bytes().all(|b| B64URL.contains(&b)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::TrackingToken)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The token in a tracking link as a scanner types it from the ticket's QR code
    /// (`http://host/t/TOKEN`, with or without scheme, query or fragment).
    pub fn from_link(link: &str) -> Option<Self> {
        let (_, rest) = link.trim().split_once("/t/")?;
        let token = rest.split(['?', '#', '/']).next()?;
        Self::parse(token).ok()
    }
}
impl TryFrom<String> for TrackingToken {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<TrackingToken> for String {
    fn from(t: TrackingToken) -> String {
        t.0
    }
}

/// The label a citizen reads and hears: a service prefix letter and three digits
/// (`A-007`), or, for a kiosk that ran out of leased numbers while offline, the prefix,
/// the kiosk's series digit and three digits (`A2-007`), which no other kiosk can issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNumber {
    prefix: char,
    series: Option<u8>,
    seq: u16,
}

impl TicketNumber {
    pub const MAX_SEQ: u16 = 999;

    pub fn new(prefix: char, series: Option<u8>, seq: u16) -> Result<Self, IdError> {
        let ok = prefix.is_ascii_uppercase()
            && series.is_none_or(|s| (1..=9).contains(&s))
            && (1..=Self::MAX_SEQ).contains(&seq);
        if ok {
            Ok(Self {
                prefix,
                series,
                seq,
            })
        } else {
            Err(IdError::TicketNumber(format!("{prefix}{series:?}-{seq}")))
        }
    }

    /// Accepts `A-007`, `a007`, `A 7`, `A2-007`: what an officer may type.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let err = || IdError::TicketNumber(s.to_owned());
        let t: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        let mut chars = t.chars();
        let prefix = chars.next().ok_or_else(err)?.to_ascii_uppercase();
        let rest: &str = chars.as_str();
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        // The series digit is only present when the original text had it before a dash
        // ("A2-007"); plain digits are the sequence ("A007", "A7").
        let dashed_series = s
            .trim()
            .split_once('-')
            .map(|(head, _)| head.trim().len() == 2);
        let (series, seq) = if dashed_series == Some(true) {
            (
                Some(rest[..1].parse::<u8>().map_err(|_| err())?),
                &rest[1..],
            )
        } else {
            (None, rest)
        };
        let seq: u16 = seq.parse().map_err(|_| err())?;
        Self::new(prefix, series, seq).map_err(|_| err())
    }

    pub fn prefix(&self) -> char {
        self.prefix
    }
    pub fn series(&self) -> Option<u8> {
        self.series
    }
    pub fn seq(&self) -> u16 {
        self.seq
    }

    /// How the number is read out in Indonesian, digit by digit as offices do:
    /// `A-007` → "A, nol, nol, tujuh".
    pub fn spoken_id(&self) -> String {
        const DIGITS: [&str; 10] = [
            "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
        ];
        let mut parts = vec![self.prefix.to_string()];
        if let Some(s) = self.series {
            parts.push(DIGITS[s as usize].to_owned());
        }
        for d in format!("{:03}", self.seq).bytes() {
            parts.push(DIGITS[(d - b'0') as usize].to_owned());
        }
        parts.join(", ")
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.series {
            Some(s) => write!(f, "{}{}-{:03}", self.prefix, s, self.seq),
            None => write!(f, "{}-{:03}", self.prefix, self.seq),
        }
    }
}
impl FromStr for TicketNumber {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}
impl TryFrom<String> for TicketNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<TicketNumber> for String {
    fn from(n: TicketNumber) -> String {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn base64url_decodes_what_a_token_encodes() {
        let bytes: [u8; 16] = core::array::from_fn(|i| (i * 37 + 5) as u8);
        let t = TrackingToken::from_random_bytes(bytes);
        assert_eq!(base64url_decode(t.as_str()), bytes);
        assert_eq!(
            base64url_decode("BTBZMqHH6r4Tts7J_aSIgg=="),
            base64url_decode("BTBZMqHH6r4Tts7J_aSIgg")
        );
    }

    use super::*;

    #[test]
    fn a_scanned_tracking_link_gives_its_token() {
        let t = TrackingToken::from_random_bytes([7; 16]);
        for link in [
            format!("http://10.0.0.2:3000/t/{}", t.as_str()),
            format!("antrean.local/t/{}?utm=x", t.as_str()),
            format!(" https://x/t/{}#top\n", t.as_str()),
        ] {
            assert_eq!(TrackingToken::from_link(&link), Some(t.clone()), "{link}");
        }
        assert_eq!(TrackingToken::from_link("A-007"), None);
        assert_eq!(TrackingToken::from_link("http://x/t/short"), None);
    }

    #[test]
    fn ticket_numbers_print_with_three_digits() {
        assert_eq!(
            TicketNumber::new('A', None, 7).unwrap().to_string(),
            "A-007"
        );
        assert_eq!(
            TicketNumber::new('B', Some(2), 12).unwrap().to_string(),
            "B2-012"
        );
    }

    #[test]
    fn an_officer_may_type_a_number_loosely() {
        let a7 = TicketNumber::new('A', None, 7).unwrap();
        for s in ["A-007", "a007", "A 7", " a-7 "] {
            assert_eq!(TicketNumber::parse(s).unwrap(), a7, "{s}");
        }
        assert_eq!(
            TicketNumber::parse("A2-007").unwrap(),
            TicketNumber::new('A', Some(2), 7).unwrap()
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for s in ["", "A", "7", "A-0", "A-1000", "Ä-001", "A-x1", "A0-001"] {
            assert!(TicketNumber::parse(s).is_err(), "{s} should be refused");
        }
    }

    #[test]
    fn numbers_are_spoken_digit_by_digit() {
        let n = TicketNumber::parse("A-007").unwrap();
        assert_eq!(n.spoken_id(), "A, nol, nol, tujuh");
    }

    #[test]
    fn tracking_tokens_carry_128_bits_in_22_characters() {
        let t = TrackingToken::from_random_bytes([0xff; 16]);
        assert_eq!(t.as_str().len(), 22);
        assert_eq!(TrackingToken::parse(t.as_str()).unwrap(), t);
        assert!(TrackingToken::parse("short").is_err());
        assert!(TrackingToken::parse("aaaaaaaaaaaaaaaaaaaaa/").is_err());
        let other = TrackingToken::from_random_bytes([0x00; 16]);
        assert_ne!(t, other);
    }

    #[test]
    fn lokets_run_from_1_to_99() {
        assert!(LoketId::new(0).is_err());
        assert!(LoketId::new(100).is_err());
        assert_eq!(LoketId::parse(" 2 ").unwrap().get(), 2);
    }

    #[test]
    fn service_codes_are_slugs() {
        assert!(ServiceCode::parse("legalisir-ktp-el").is_ok());
        for bad in ["", "a", "Legalisir", "-x", "x-", "a b"] {
            assert!(ServiceCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_round_trip_through_json() {
        let n: TicketNumber = serde_json::from_str("\"A-012\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"A-012\"");
        assert!(serde_json::from_str::<LoketId>("0").is_err());
        assert!(serde_json::from_str::<MutationId>("0").is_err());
    }
}
