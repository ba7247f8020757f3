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

/// An officer's command as the loket it concerns sends it: the loket it calls to, else
/// the loket holding the ticket, else Loket 1.
pub fn act(
    state: &impl super::replica::Lookup,
    ticket: TicketId,
    command: super::ticket::TicketCommand,
) -> MutationKind {
    use super::ticket::TicketCommand as C;
    let loket = match &command {
        C::Call { loket } | C::CallPickup { loket } => *loket,
        _ => state
            .ticket(&ticket)
            .and_then(|t| t.status.holder())
            .unwrap_or(super::ids::LoketId::new(1).expect("loket")),
    };
    MutationKind::Ticket {
        ticket,
        command,
        loket: Some(loket),
    }
}

/// Decides `kind` on the replica as the server would, at `wall_ms` plus the event's
/// sequence number (so later steps come later), and applies the event.
pub fn decide_and_apply(
    r: &mut super::replica::Replica,
    rules: &Rules,
    kind: &MutationKind,
    wall_ms: i64,
) {
    let seq = r.cursor() + 1;
    let at = super::hlc::Hlc {
        wall_ms: wall_ms + seq as i64,
        counter: 0,
        client: super::ids::ClientId::from_random_bytes([9; 16]),
    };
    let (ticket, kind) = r.decide(kind, at, rules).expect("decided");
    assert!(r.apply(&super::mutation::Event {
        seq,
        at,
        ticket,
        kind,
    }));
}

/// Accepting a file of the seed's first service with every requirement ticked.
pub fn accept_all(rules: &Rules) -> super::ticket::TicketCommand {
    super::ticket::TicketCommand::Accept {
        checked: rules.catalogue.services[0]
            .requirements
            .iter()
            .map(|q| q.id.clone())
            .collect(),
    }
}

/// Issues `A-{n}` as a ticket whose id and token are made of `id_byte`.
pub fn issue_kind(n: u16, id_byte: u8, priority: Priority) -> MutationKind {
    MutationKind::IssueTicket {
        ticket: NewTicket {
            id: TicketId::from_random_bytes([id_byte; 16]),
            number: TicketNumber::new('A', None, n).expect("number"),
            service: ktp(),
            priority,
            catalogue: 0,
        },
        token: TrackingToken::from_random_bytes([id_byte; 16]),
    }
}
