//! How the tagged enums the browser receives are read back: each through one flat record
//! (the tag plus every field any variant has), then checked into the enum.
//!
//! The JSON is unchanged — `{"event": "called", "loket": 2}` — and still written by serde's
//! derive. Reading it with serde's derive for internally tagged (or flattened) enums
//! buffers every value as generic content first and compiles to a large function per
//! enum, plus the buffering machinery itself (BENCHMARKS.md, item 5a). A flat record reads
//! in one pass. The round-trip tests below cover every variant.

use std::fmt;

use jiff::civil::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::accounts::ClaimAnswer;
use super::hlc::Hlc;
use super::ids::{
    ClientId, LoketId, MutationId, RequirementId, ServiceCode, TicketId, TrackingToken,
};
use super::mutation::{Mutation, MutationKind, MutationOutcome, Outcome};
use super::ticket::{EventKind, NewTicket, Receipt, TicketCommand, TicketStatus};

/// Why a record is not a valid variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("unknown {tag} `{name}`")]
    Unknown { tag: &'static str, name: String },
    #[error("`{name}` needs the field `{field}`")]
    Missing {
        name: &'static str,
        field: &'static str,
    },
}

fn need<T>(v: Option<T>, name: &'static str, field: &'static str) -> Result<T, WireError> {
    v.ok_or(WireError::Missing { name, field })
}

fn unknown(tag: &'static str, name: String) -> WireError {
    WireError::Unknown { tag, name }
}

#[derive(Deserialize)]
pub(super) struct StatusRecord {
    state: String,
    loket: Option<LoketId>,
    calls: Option<u8>,
}

impl TryFrom<StatusRecord> for TicketStatus {
    type Error = WireError;

    fn try_from(r: StatusRecord) -> Result<Self, WireError> {
        Ok(match r.state.as_str() {
            "waiting" => TicketStatus::Waiting,
            "called" => TicketStatus::Called {
                loket: need(r.loket, "called", "loket")?,
                calls: need(r.calls, "called", "calls")?,
            },
            "no_show" => TicketStatus::NoShow,
            "serving" => TicketStatus::Serving {
                loket: need(r.loket, "serving", "loket")?,
            },
            "returned_incomplete" => TicketStatus::ReturnedIncomplete,
            "accepted" => TicketStatus::Accepted,
            "ready" => TicketStatus::Ready,
            "pickup_called" => TicketStatus::PickupCalled {
                loket: need(r.loket, "pickup_called", "loket")?,
                calls: need(r.calls, "pickup_called", "calls")?,
            },
            "collected" => TicketStatus::Collected,
            "cancelled" => TicketStatus::Cancelled,
            "not_served" => TicketStatus::NotServed,
            "expired" => TicketStatus::Expired,
            _ => return Err(unknown("state", r.state)),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct CommandRecord {
    cmd: String,
    loket: Option<LoketId>,
    missing: Option<Vec<RequirementId>>,
    checked: Option<Vec<RequirementId>>,
    service: Option<ServiceCode>,
}

impl TryFrom<CommandRecord> for TicketCommand {
    type Error = WireError;

    fn try_from(r: CommandRecord) -> Result<Self, WireError> {
        Ok(match r.cmd.as_str() {
            "call" => TicketCommand::Call {
                loket: need(r.loket, "call", "loket")?,
            },
            "recall" => TicketCommand::Recall,
            "no_show" => TicketCommand::NoShow,
            "reinstate" => TicketCommand::Reinstate,
            "start" => TicketCommand::Start,
            "return_incomplete" => TicketCommand::ReturnIncomplete {
                missing: need(r.missing, "return_incomplete", "missing")?,
            },
            "rejoin" => TicketCommand::Rejoin,
            "accept" => TicketCommand::Accept {
                checked: need(r.checked, "accept", "checked")?,
            },
            "mark_ready" => TicketCommand::MarkReady,
            "check_in" => TicketCommand::CheckIn,
            "call_pickup" => TicketCommand::CallPickup {
                loket: need(r.loket, "call_pickup", "loket")?,
            },
            "hand_over" => TicketCommand::HandOver,
            "transfer" => TicketCommand::Transfer {
                service: need(r.service, "transfer", "service")?,
                loket: r.loket,
            },
            "cancel" => TicketCommand::Cancel,
            _ => return Err(unknown("command", r.cmd)),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct EventRecord {
    event: String,
    ticket: Option<NewTicket>,
    #[serde(
        default,
        deserialize_with = "super::time_format::date::deserialize_some"
    )]
    service_day: Option<Date>,
    loket: Option<LoketId>,
    missing: Option<Vec<RequirementId>>,
    receipt: Option<Receipt>,
    service: Option<ServiceCode>,
}

impl TryFrom<EventRecord> for EventKind {
    type Error = WireError;

    fn try_from(r: EventRecord) -> Result<Self, WireError> {
        Ok(match r.event.as_str() {
            "issued" => EventKind::Issued {
                ticket: need(r.ticket, "issued", "ticket")?,
                service_day: need(r.service_day, "issued", "service_day")?,
            },
            "called" => EventKind::Called {
                loket: need(r.loket, "called", "loket")?,
            },
            "recalled" => EventKind::Recalled,
            "marked_no_show" => EventKind::MarkedNoShow,
            "reinstated" => EventKind::Reinstated,
            "started" => EventKind::Started,
            "returned" => EventKind::Returned {
                missing: need(r.missing, "returned", "missing")?,
            },
            "rejoined" => EventKind::Rejoined,
            "accepted" => EventKind::Accepted {
                receipt: need(r.receipt, "accepted", "receipt")?,
            },
            "marked_ready" => EventKind::MarkedReady,
            "checked_in" => EventKind::CheckedIn,
            "pickup_called" => EventKind::PickupCalled {
                loket: need(r.loket, "pickup_called", "loket")?,
            },
            "handed_over" => EventKind::HandedOver,
            "transferred" => EventKind::Transferred {
                service: need(r.service, "transferred", "service")?,
                loket: r.loket,
            },
            "cancelled" => EventKind::Cancelled,
            "not_served" => EventKind::NotServed,
            "pickup_missed" => EventKind::PickupMissed,
            "expired" => EventKind::Expired,
            _ => return Err(unknown("event", r.event)),
        })
    }
}

/// A mutation's `ticket`: the new ticket (an object) when issuing, else the ticket's id.
enum TicketField {
    New(NewTicket),
    Id(TicketId),
}

impl<'de> Deserialize<'de> for TicketField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = TicketField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a ticket id or a new ticket")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TicketField, E> {
                TicketId::parse(s).map(TicketField::Id).map_err(E::custom)
            }
            fn visit_map<M: MapAccess<'de>>(self, m: M) -> Result<TicketField, M::Error> {
                NewTicket::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(TicketField::New)
            }
        }
        d.deserialize_any(Either)
    }
}

#[derive(Deserialize)]
pub(super) struct MutationRecord {
    client_id: ClientId,
    mutation_id: MutationId,
    at: Hlc,
    kind: String,
    ticket: Option<TicketField>,
    token: Option<TrackingToken>,
    command: Option<TicketCommand>,
    loket: Option<LoketId>,
}

impl TryFrom<MutationRecord> for Mutation {
    type Error = WireError;

    fn try_from(r: MutationRecord) -> Result<Self, WireError> {
        let kind = match (r.kind.as_str(), r.ticket) {
            ("issue_ticket", Some(TicketField::New(ticket))) => MutationKind::IssueTicket {
                ticket,
                token: need(r.token, "issue_ticket", "token")?,
            },
            ("issue_ticket", _) => {
                return Err(WireError::Missing {
                    name: "issue_ticket",
                    field: "ticket",
                })
            }
            ("ticket", Some(TicketField::Id(ticket))) => MutationKind::Ticket {
                ticket,
                command: need(r.command, "ticket", "command")?,
                loket: r.loket,
            },
            ("ticket", _) => {
                return Err(WireError::Missing {
                    name: "ticket",
                    field: "ticket",
                })
            }
            _ => return Err(unknown("kind", r.kind)),
        };
        Ok(Mutation {
            client_id: r.client_id,
            mutation_id: r.mutation_id,
            at: r.at,
            kind,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct OutcomeRecord {
    mutation_id: MutationId,
    outcome: String,
    seq: Option<u64>,
    code: Option<String>,
    reason: Option<String>,
    reason_id: Option<String>,
}

impl TryFrom<OutcomeRecord> for MutationOutcome {
    type Error = WireError;

    fn try_from(r: OutcomeRecord) -> Result<Self, WireError> {
        let outcome = match r.outcome.as_str() {
            "applied" => Outcome::Applied {
                seq: need(r.seq, "applied", "seq")?,
            },
            "duplicate" => Outcome::Duplicate,
            "rejected" => Outcome::Rejected {
                code: need(r.code, "rejected", "code")?,
                reason: need(r.reason, "rejected", "reason")?,
                reason_id: need(r.reason_id, "rejected", "reason_id")?,
            },
            _ => return Err(unknown("outcome", r.outcome)),
        };
        Ok(MutationOutcome {
            mutation_id: r.mutation_id,
            outcome,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct ClaimRecord {
    status: String,
    token: Option<String>,
    series: Option<u8>,
}

impl TryFrom<ClaimRecord> for ClaimAnswer {
    type Error = WireError;

    fn try_from(r: ClaimRecord) -> Result<Self, WireError> {
        Ok(match r.status.as_str() {
            "pending" => ClaimAnswer::Pending,
            "paired" => ClaimAnswer::Paired {
                token: need(r.token, "paired", "token")?,
                series: r.series,
            },
            _ => return Err(unknown("status", r.status)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::ids::TicketNumber;
    use super::super::ticket::Priority;
    use super::*;
    use serde::Serialize;

    fn round_trip<T>(v: &T)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let json = serde_json::to_string(v).unwrap();
        let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(&back, v, "{json}");
    }

    fn loket(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    fn reqs() -> Vec<RequirementId> {
        vec![RequirementId::parse("ktp-el-asli").unwrap()]
    }

    fn service() -> ServiceCode {
        ServiceCode::parse("legalisir-ktp-el").unwrap()
    }

    #[test]
    fn every_status_reads_back_as_written() {
        for s in [
            TicketStatus::Waiting,
            TicketStatus::Called {
                loket: loket(2),
                calls: 3,
            },
            TicketStatus::NoShow,
            TicketStatus::Serving { loket: loket(1) },
            TicketStatus::ReturnedIncomplete,
            TicketStatus::Accepted,
            TicketStatus::Ready,
            TicketStatus::PickupCalled {
                loket: loket(4),
                calls: 1,
            },
            TicketStatus::Collected,
            TicketStatus::Cancelled,
            TicketStatus::NotServed,
            TicketStatus::Expired,
        ] {
            round_trip(&s);
        }
    }

    #[test]
    fn every_command_reads_back_as_written() {
        for c in [
            TicketCommand::Call { loket: loket(2) },
            TicketCommand::Recall,
            TicketCommand::NoShow,
            TicketCommand::Reinstate,
            TicketCommand::Start,
            TicketCommand::ReturnIncomplete { missing: reqs() },
            TicketCommand::Rejoin,
            TicketCommand::Accept { checked: reqs() },
            TicketCommand::MarkReady,
            TicketCommand::CheckIn,
            TicketCommand::CallPickup { loket: loket(3) },
            TicketCommand::HandOver,
            TicketCommand::Transfer {
                service: service(),
                loket: None,
            },
            TicketCommand::Transfer {
                service: service(),
                loket: Some(loket(5)),
            },
            TicketCommand::Cancel,
        ] {
            round_trip(&c);
        }
    }

    #[test]
    fn every_event_reads_back_as_written() {
        let ticket = NewTicket {
            id: TicketId::from_random_bytes([7; 16]),
            number: TicketNumber::parse("A-007").unwrap(),
            service: service(),
            priority: Priority::Elderly,
            catalogue: 0,
        };
        let receipt = Receipt {
            number: "20261130-A-007".into(),
            accepted_at: jiff::Timestamp::from_millisecond(1_796_004_000_000).unwrap(),
            due: jiff::Timestamp::from_millisecond(1_796_110_200_000).unwrap(),
        };
        for e in [
            EventKind::Issued {
                ticket,
                service_day: jiff::civil::date(2026, 11, 30),
            },
            EventKind::Called { loket: loket(2) },
            EventKind::Recalled,
            EventKind::MarkedNoShow,
            EventKind::Reinstated,
            EventKind::Started,
            EventKind::Returned { missing: reqs() },
            EventKind::Rejoined,
            EventKind::Accepted { receipt },
            EventKind::MarkedReady,
            EventKind::CheckedIn,
            EventKind::PickupCalled { loket: loket(1) },
            EventKind::HandedOver,
            EventKind::Transferred {
                service: service(),
                loket: Some(loket(3)),
            },
            EventKind::Transferred {
                service: service(),
                loket: None,
            },
            EventKind::Cancelled,
            EventKind::NotServed,
            EventKind::PickupMissed,
            EventKind::Expired,
        ] {
            round_trip(&e);
        }
    }

    #[test]
    fn mutations_outcomes_and_claim_answers_read_back_as_written() {
        let at = Hlc {
            wall_ms: 5,
            counter: 1,
            client: ClientId::from_random_bytes([1; 16]),
        };
        let ticket = NewTicket {
            id: TicketId::from_random_bytes([7; 16]),
            number: TicketNumber::parse("A-007").unwrap(),
            service: service(),
            priority: Priority::Regular,
            catalogue: 0,
        };
        let token = TrackingToken::from_random_bytes([9; 16]);
        for kind in [
            MutationKind::IssueTicket {
                ticket: ticket.clone(),
                token,
            },
            MutationKind::Ticket {
                ticket: ticket.id,
                command: TicketCommand::Call { loket: loket(1) },
                loket: Some(loket(1)),
            },
            MutationKind::Ticket {
                ticket: ticket.id,
                command: TicketCommand::Rejoin,
                loket: None,
            },
        ] {
            round_trip(&Mutation {
                client_id: at.client,
                mutation_id: MutationId::new(3).unwrap(),
                at,
                kind,
            });
        }
        for outcome in [
            Outcome::Applied { seq: 9 },
            Outcome::Duplicate,
            Outcome::Rejected {
                code: "c".into(),
                reason: "r".into(),
                reason_id: "ri".into(),
            },
        ] {
            round_trip(&MutationOutcome {
                mutation_id: MutationId::new(4).unwrap(),
                outcome,
            });
        }
        round_trip(&ClaimAnswer::Pending);
        round_trip(&ClaimAnswer::Paired {
            token: "t".into(),
            series: Some(2),
        });
        round_trip(&ClaimAnswer::Paired {
            token: "t".into(),
            series: None,
        });
    }

    #[test]
    fn a_mutation_whose_ticket_does_not_fit_its_kind_is_refused() {
        let client = ClientId::from_random_bytes([1; 16]);
        let at = Hlc {
            wall_ms: 1,
            counter: 0,
            client,
        };
        let ticket = NewTicket {
            id: TicketId::from_random_bytes([7; 16]),
            number: TicketNumber::parse("A-007").unwrap(),
            service: service(),
            priority: Priority::Regular,
            catalogue: 0,
        };
        let m = |kind| Mutation {
            client_id: client,
            mutation_id: MutationId::new(1).unwrap(),
            at,
            kind,
        };
        let issue = m(MutationKind::IssueTicket {
            ticket: ticket.clone(),
            token: TrackingToken::from_random_bytes([9; 16]),
        });
        let call = m(MutationKind::Ticket {
            ticket: ticket.id,
            command: TicketCommand::Recall,
            loket: Some(loket(1)),
        });
        let relabelled = |m: &Mutation, kind: &str| {
            let mut v = serde_json::to_value(m).unwrap();
            v["kind"] = kind.into();
            serde_json::from_value::<Mutation>(v)
                .unwrap_err()
                .to_string()
        };
        assert!(relabelled(&issue, "ticket").contains("`ticket` needs the field `ticket`"));
        assert!(
            relabelled(&call, "issue_ticket").contains("`issue_ticket` needs the field `ticket`")
        );
        assert!(relabelled(&call, "teleport").contains("unknown kind `teleport`"));
    }

    #[test]
    fn the_tag_may_come_anywhere_and_other_fields_are_ignored() {
        let c: TicketCommand =
            serde_json::from_str(r#"{"loket": 4, "note": "x", "cmd": "call"}"#).unwrap();
        assert_eq!(c, TicketCommand::Call { loket: loket(4) });
        let s: TicketStatus = serde_json::from_str(r#"{"state":"ready","loket":2}"#).unwrap();
        assert_eq!(s, TicketStatus::Ready);
    }

    #[test]
    fn bad_records_are_refused_with_the_reason() {
        let err = |json: &str| {
            serde_json::from_str::<EventKind>(json)
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#"{"event":"called"}"#).contains("`called` needs the field `loket`"));
        assert!(err(r#"{"event":"exploded"}"#).contains("unknown event `exploded`"));
        assert!(err(r#"{"loket":2}"#).contains("missing field `event`"));
        assert!(err(r#"{"event":"called","loket":0}"#).contains("loket"));
        let err = serde_json::from_str::<TicketCommand>(r#"{"cmd":"transfer"}"#).unwrap_err();
        assert!(err
            .to_string()
            .contains("`transfer` needs the field `service`"));
        let err = serde_json::from_str::<TicketStatus>(r#"{"state":"called","loket":1}"#);
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("`called` needs the field `calls`"));
    }
}
