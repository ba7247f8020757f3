//! Test fixtures shared by the domain's tests: the seed rules and a ticket-issuing
//! mutation kind.

use super::catalogue::{Catalogue, SEED_TOML};
use super::ids::{ServiceCode, TicketId, TicketNumber, TrackingToken};
use super::mutation::MutationKind;
use super::replica::Rules;
use super::ticket::{NewTicket, Priority};

pub fn rules() -> Rules {
    Rules::new(Catalogue::from_toml(SEED_TOML).expect("the seed parses"))
}

pub fn ktp() -> ServiceCode {
    ServiceCode::parse("legalisir-ktp-el").expect("code")
}

/// Issues `A-{n}` as a ticket whose id and token are made of `id_byte`.
pub fn issue_kind(n: u16, id_byte: u8, priority: Priority) -> MutationKind {
    MutationKind::IssueTicket {
        ticket: NewTicket {
            id: TicketId::from_random_bytes([id_byte; 16]),
            number: TicketNumber::new('A', None, n).expect("number"),
            service: ktp(),
            priority,
        },
        token: TrackingToken::from_random_bytes([id_byte; 16]),
    }
}
