//! The sync protocol's wire types: mutations a device sends, events the server records,
//! and the push/pull messages. One set of types, shared by client and server.

use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::i18n::Text;
use super::ids::{ClientId, LoketId, MutationId, TicketId, TrackingToken};
use super::snapshot::Snapshot;
use super::ticket::{EventKind, NewTicket, TicketCommand};

/// Which kind of device sends mutations; decides what it may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    Kiosk,
    Counter,
    Display,
}

impl DeviceRole {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "kiosk" => Some(Self::Kiosk),
            "counter" => Some(Self::Counter),
            "display" => Some(Self::Display),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Counter => "counter",
            Self::Display => "display",
        }
    }
    /// The role as staff name it on screen.
    pub fn label(self) -> Text {
        match self {
            Self::Kiosk => Text::new("Kios tiket", "Ticket kiosk"),
            Self::Counter => Text::new("Tablet loket", "Counter tablet"),
            Self::Display => Text::new("Layar panggilan", "Call display"),
        }
    }
}

/// What a user did, as a device records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MutationKind {
    /// The kiosk issued a ticket. The token is the citizen's secret for `/t/{token}`.
    IssueTicket {
        ticket: NewTicket,
        token: TrackingToken,
    },
    /// An officer acted on a ticket at their loket (`None`: a citizen at the kiosk).
    Ticket {
        ticket: TicketId,
        command: TicketCommand,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loket: Option<LoketId>,
    },
}

impl MutationKind {
    /// The authorization hook: which device role may send which kind. A kiosk issues
    /// tickets, and is also where a citizen rejoins with the completed berkas and checks in
    /// to collect the copy; a display only reads.
    // One arm per grant reads as the table it is; `matches!` would fold it into one line.
    #[allow(clippy::match_like_matches_macro)]
    pub fn allowed_for(&self, role: DeviceRole) -> bool {
        match (self, role) {
            (MutationKind::IssueTicket { .. }, DeviceRole::Kiosk) => true,
            (
                MutationKind::Ticket {
                    command: TicketCommand::Rejoin,
                    ..
                },
                DeviceRole::Kiosk,
            ) => true,
            (
                MutationKind::Ticket {
                    command: TicketCommand::CheckIn,
                    ..
                },
                DeviceRole::Kiosk,
            ) => true,
            (MutationKind::Ticket { .. }, DeviceRole::Counter) => true,
            _ => false,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            MutationKind::IssueTicket { .. } => "issue_ticket",
            MutationKind::Ticket { command, .. } => command.name(),
        }
    }
}

/// One mutation: `{client_id, mutation_id, at, kind}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "super::wire::MutationRecord")]
pub struct Mutation {
    pub client_id: ClientId,
    pub mutation_id: MutationId,
    pub at: Hlc,
    #[serde(flatten)]
    pub kind: MutationKind,
}

/// One recorded event with its place in the server's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Server sequence number, 1, 2, 3 … without gaps.
    pub seq: u64,
    pub at: Hlc,
    pub ticket: TicketId,
    /// Nested, not flattened: an issue event carries the new ticket under `ticket` too.
    pub kind: EventKind,
}

/// `POST /api/sync/push`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// The fate of one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        seq: u64,
    },
    /// Already processed earlier: no effect.
    Duplicate,
    /// Refused; dropped from the outbox and shown to the user.
    Rejected {
        code: String,
        reason: String,
        reason_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "super::wire::OutcomeRecord")]
pub struct MutationOutcome {
    pub mutation_id: MutationId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub outcomes: Vec<MutationOutcome>,
    /// Set when the batch skipped ids: the server stopped there and expects this id next.
    pub expected: Option<MutationId>,
    /// The client's last processed mutation id after this push.
    pub last_processed: u64,
    /// The log's newest sequence number.
    pub cursor: u64,
}

/// The answer to `GET /api/sync/pull?cursor=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Present when the device is new, or its cursor is too old for the log kept.
    pub snapshot: Option<Snapshot>,
    pub events: Vec<Event>,
    pub cursor: u64,
    /// More events wait after these.
    pub more: bool,
}

/// What the live stream sends: the newest sequence number, and for devices the events
/// that took the log from `after` to `cursor` when there are few of them (a call is one
/// event), so a display shows a call without a pull's round trip. A device whose replica
/// is not at `after` pulls instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poke {
    pub cursor: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// The catalogue's version, when the poke says it (a stream's first poke, and a
    /// change made in `/admin`): a device holding another loads the catalogue again.
    #[serde(default, skip_serializing_if = "is_zero_version")]
    pub catalogue: u32,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_version(n: &u32) -> bool {
    *n == 0
}

impl Poke {
    /// Most events a poke carries; a larger batch (a kiosk's reconnect) is pulled.
    pub const MAX_EVENTS: usize = 32;

    /// A poke without events: "pull up to `cursor`".
    pub fn bare(cursor: u64) -> Self {
        Self {
            cursor,
            after: 0,
            events: Vec::new(),
            catalogue: 0,
        }
    }

    /// "Pull up to `cursor`; the catalogue is at `version`".
    pub fn catalogue(cursor: u64, version: u32) -> Self {
        Self {
            catalogue: version,
            ..Self::bare(cursor)
        }
    }

    /// The poke announcing `events` (in sequence order, contiguous) appended after `after`.
    pub fn with_events(after: u64, events: &[Event]) -> Self {
        let cursor = events.last().map_or(after, |e| e.seq);
        if events.len() > Self::MAX_EVENTS {
            return Self::bare(cursor);
        }
        Self {
            cursor,
            after,
            events: events.to_vec(),
            catalogue: 0,
        }
    }
}

/// `POST /api/devices`: a device announces itself with its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterDevice {
    pub client_id: ClientId,
    pub role: DeviceRole,
    /// A counter's loket: its officer's actions are accepted at this loket only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loket: Option<LoketId>,
}

/// The answer: a kiosk gets its own series digit for the numbers it prints without the
/// server, and, where the tablets use HTTPS, the plain origin its printed tracking links
/// must use (citizens' phones do not trust the office's certificate authority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRegistered {
    pub series: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_origin: Option<String>,
}

/// `POST /api/sync/lease`: a kiosk asks for a block of numbers of a service for today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub client_id: ClientId,
    pub service: super::ids::ServiceCode,
}

/// The most mutations one push may carry.
pub const MAX_BATCH: usize = 500;
/// How far in the future a mutation's clock may be before it is refused, in ms.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{LoketId, ServiceCode, TicketNumber};
    use crate::domain::ticket::Priority;

    #[test]
    fn a_kiosk_may_only_issue_and_rejoin_and_a_display_may_send_nothing() {
        let issue = MutationKind::IssueTicket {
            ticket: NewTicket {
                id: TicketId::from_random_bytes([1; 16]),
                number: TicketNumber::parse("A-001").unwrap(),
                service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
                priority: Priority::Regular,
                catalogue: 0,
            },
            token: TrackingToken::from_random_bytes([2; 16]),
        };
        let call = MutationKind::Ticket {
            ticket: TicketId::from_random_bytes([1; 16]),
            command: TicketCommand::Call {
                loket: LoketId::new(1).unwrap(),
            },
            loket: LoketId::new(1).ok(),
        };
        assert!(issue.allowed_for(DeviceRole::Kiosk));
        assert!(!issue.allowed_for(DeviceRole::Counter));
        assert!(!call.allowed_for(DeviceRole::Kiosk));
        assert!(call.allowed_for(DeviceRole::Counter));
        assert!(!call.allowed_for(DeviceRole::Display));
        assert!(!issue.allowed_for(DeviceRole::Display));
        // A citizen at the kiosk rejoins or checks in for the pickup; nothing else.
        let by_citizen = |command| MutationKind::Ticket {
            ticket: TicketId::from_random_bytes([1; 16]),
            command,
            loket: None,
        };
        for c in [TicketCommand::Rejoin, TicketCommand::CheckIn] {
            assert!(
                by_citizen(c.clone()).allowed_for(DeviceRole::Kiosk),
                "{c:?}"
            );
            assert!(!by_citizen(c).allowed_for(DeviceRole::Display));
        }
        assert!(!by_citizen(TicketCommand::HandOver).allowed_for(DeviceRole::Kiosk));
    }

    #[test]
    fn every_event_survives_json() {
        use crate::domain::ids::RequirementId;
        let id = TicketId::from_random_bytes([3; 16]);
        let at = Hlc {
            wall_ms: 5,
            counter: 0,
            client: ClientId::from_random_bytes([1; 16]),
        };
        let kinds = vec![
            EventKind::Issued {
                ticket: NewTicket {
                    id,
                    number: TicketNumber::parse("A-001").unwrap(),
                    service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
                    priority: Priority::Elderly,
                    catalogue: 0,
                },
                service_day: jiff::civil::date(2026, 11, 30),
            },
            EventKind::Called {
                loket: LoketId::new(1).unwrap(),
            },
            EventKind::Returned {
                missing: vec![RequirementId::parse("fotokopi-ktp-el").unwrap()],
            },
            EventKind::Accepted {
                receipt: crate::domain::ticket::Receipt {
                    number: "20261130-A-001".into(),
                    accepted_at: jiff::Timestamp::from_millisecond(5).unwrap(),
                    due: jiff::Timestamp::from_millisecond(86_400_005).unwrap(),
                },
            },
            EventKind::HandedOver,
        ];
        for (seq, kind) in kinds.into_iter().enumerate() {
            let e = Event {
                seq: seq as u64 + 1,
                at,
                ticket: id,
                kind,
            };
            let back: Event = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
            assert_eq!(back, e);
        }
    }

    #[test]
    fn a_mutation_reads_as_flat_json() {
        let m = Mutation {
            client_id: ClientId::from_random_bytes([1; 16]),
            mutation_id: MutationId::FIRST,
            at: Hlc {
                wall_ms: 5,
                counter: 0,
                client: ClientId::from_random_bytes([1; 16]),
            },
            kind: MutationKind::Ticket {
                ticket: TicketId::from_random_bytes([3; 16]),
                command: TicketCommand::Recall,
                loket: LoketId::new(4).ok(),
            },
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["kind"], "ticket");
        assert_eq!(json["command"]["cmd"], "recall");
        assert_eq!(json["loket"], 4);
        let back: Mutation = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }
}
