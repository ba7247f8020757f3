//! A citizen back at the kiosk: with the completed berkas of a returned file (they rejoin
//! the line ahead of new tickets), or for the copy (they check in, and the counter's ready
//! files show them as present). One input serves both: the ticket's number typed
//! (`A-007`), the receipt's number typed or scanned from its QR code (`20261130-A-007`),
//! or the ticket's tracking link scanned (its number asked of the server).

use super::ids::{TicketId, TicketNumber};
use super::replica::Replica;
use super::ticket::{TicketCommand, TicketStatus};

/// What the citizen typed or scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returning {
    /// A ticket's number: the open file of that number (the most recent, should two days'
    /// files share it).
    Number(TicketNumber),
    /// A pickup receipt's number, which names one file of one day.
    Receipt(String),
}

impl Returning {
    /// Reads a ticket number (`A-007`, `a7`) or a receipt number (`20261130-A-007`, as
    /// the receipt prints it and its QR code carries it).
    pub fn parse(typed: &str) -> Option<Self> {
        let typed = typed.trim().to_ascii_uppercase();
        if let Some((date, number)) = typed.split_once('-') {
            if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
                let number = TicketNumber::parse(number).ok()?;
                return Some(Returning::Receipt(format!("{date}-{number}")));
            }
        }
        TicketNumber::parse(&typed).ok().map(Returning::Number)
    }
}

/// What the kiosk does for the citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskReturn {
    /// Send this command for this ticket: rejoin, or check in for the pickup.
    Act(TicketId, TicketCommand),
    /// The file was accepted but its copy is not ready yet.
    NotReady(TicketNumber),
}

/// The open file the citizen means, and what to do with it; `None` when no returned,
/// accepted or ready file matches.
pub fn kiosk_return(replica: &Replica, returning: &Returning) -> Option<KioskReturn> {
    let file = replica
        .tickets()
        .filter(|t| match returning {
            Returning::Number(n) => t.number == *n,
            Returning::Receipt(r) => t.receipt.as_ref().is_some_and(|x| &x.number == r),
        })
        .filter(|t| {
            matches!(
                t.status,
                TicketStatus::ReturnedIncomplete
                    | TicketStatus::Accepted
                    | TicketStatus::Ready
                    | TicketStatus::PickupCalled { .. }
            )
        })
        .max_by_key(|t| t.updated_at)?;
    Some(match file.status {
        TicketStatus::ReturnedIncomplete => KioskReturn::Act(file.id, TicketCommand::Rejoin),
        TicketStatus::Accepted => KioskReturn::NotReady(file.number),
        // A copy already called to the counter: the command is refused with the loket's
        // number ("ditangani di Loket 1"), which is what the citizen needs to hear.
        _ => KioskReturn::Act(file.id, TicketCommand::CheckIn),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::rules;
    use crate::domain::hlc::Hlc;
    use crate::domain::ids::{ClientId, LoketId, RequirementId};
    use crate::domain::mutation::Event;
    use crate::domain::ticket::{EventKind, NewTicket, Priority, Receipt};

    fn at(ms: i64) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 0,
            client: ClientId::from_random_bytes([1; 16]),
        }
    }

    /// A replica with A-001 returned, A-002 accepted and A-003 ready (of 30 November), and
    /// the next day's A-003 waiting.
    fn office() -> (Replica, [TicketId; 4]) {
        let r = rules();
        let mut replica = Replica::default();
        let mut seq = 0;
        let mut apply = |replica: &mut Replica, ticket: TicketId, kind: &EventKind, at: Hlc| {
            seq += 1;
            replica.apply(&Event {
                seq,
                at,
                ticket,
                kind: kind.clone(),
            });
        };
        let day = jiff::civil::date(2026, 11, 30);
        let mut ids = Vec::new();
        for (i, n) in ["A-001", "A-002", "A-003", "A-003"].iter().enumerate() {
            let id = TicketId::from_random_bytes([i as u8 + 1; 16]);
            ids.push(id);
            let number = TicketNumber::parse(n).unwrap();
            let t = NewTicket {
                id,
                number,
                service: r.catalogue.services[0].code.clone(),
                priority: Priority::Regular,
                catalogue: 0,
            };
            let ms = 1_000 * (i as i64 + 1);
            apply(
                &mut replica,
                id,
                &EventKind::Issued {
                    ticket: t,
                    // The last one is the next day's A-003.
                    service_day: if i == 3 { day.tomorrow().unwrap() } else { day },
                },
                at(ms),
            );
            let l = LoketId::new(1).unwrap();
            let steps: Vec<EventKind> = match i {
                0 => vec![
                    EventKind::Called { loket: l },
                    EventKind::Started,
                    EventKind::Returned {
                        missing: vec![RequirementId::parse("fotokopi-ktp-el").unwrap()],
                    },
                ],
                1 | 2 => {
                    let mut v = vec![
                        EventKind::Called { loket: l },
                        EventKind::Started,
                        EventKind::Accepted {
                            receipt: Receipt {
                                number: Receipt::number_for(day, number),
                                accepted_at: at(ms).timestamp(),
                                due: at(ms).timestamp(),
                            },
                        },
                    ];
                    if i == 2 {
                        v.push(EventKind::MarkedReady);
                    }
                    v
                }
                _ => vec![],
            };
            for (k, e) in steps.iter().enumerate() {
                apply(&mut replica, id, e, at(ms + 10 + k as i64));
            }
        }
        (replica, [ids[0], ids[1], ids[2], ids[3]])
    }

    #[test]
    fn numbers_and_receipts_are_read_as_a_citizen_types_or_a_scanner_sends_them() {
        let n = |s| TicketNumber::parse(s).unwrap();
        assert_eq!(
            Returning::parse(" a7 "),
            Some(Returning::Number(n("A-007")))
        );
        assert_eq!(
            Returning::parse("20261130-A-007\n"),
            Some(Returning::Receipt("20261130-A-007".into()))
        );
        assert_eq!(
            Returning::parse("20261130-a7"),
            Some(Returning::Receipt("20261130-A-007".into()))
        );
        assert_eq!(Returning::parse("2026-A-007"), None);
        assert_eq!(Returning::parse("hello"), None);
    }

    #[test]
    fn a_returned_file_rejoins_a_ready_copy_checks_in_and_an_accepted_one_is_not_ready() {
        let (replica, [returned, _accepted, ready, _waiting]) = office();
        let by = |s: &str| kiosk_return(&replica, &Returning::parse(s).unwrap());
        assert_eq!(
            by("A-001"),
            Some(KioskReturn::Act(returned, TicketCommand::Rejoin))
        );
        assert_eq!(
            by("A-002"),
            Some(KioskReturn::NotReady(TicketNumber::parse("A-002").unwrap()))
        );
        // The ready A-003, not today's waiting A-003, by number and by receipt.
        assert_eq!(
            by("A-003"),
            Some(KioskReturn::Act(ready, TicketCommand::CheckIn))
        );
        assert_eq!(
            by("20261130-A-003"),
            Some(KioskReturn::Act(ready, TicketCommand::CheckIn))
        );
        assert_eq!(by("20261201-A-003"), None, "another day's receipt");
        assert_eq!(by("A-009"), None);
    }
}
