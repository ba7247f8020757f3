//! What a device keeps and receives of the replica ([`super::replica::Replica`]): its
//! serialisable state, and the calls a display announces. Apart from the replica, so the
//! wire types ([`super::mutation`]) carry a snapshot without depending on the rules that
//! build one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::ids::{LoketId, ServiceCode, TicketId, TicketNumber};
use super::ticket::Ticket;

/// A call announced on the display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The event's sequence number (0 while only local): the display announces each once.
    pub seq: u64,
    pub ticket: TicketId,
    pub number: TicketNumber,
    pub loket: LoketId,
    pub at: Hlc,
    pub pickup: bool,
    pub recall: bool,
}

/// The serialisable state of a replica, sent to new devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Snapshot {
    pub cursor: u64,
    pub tickets: Vec<Ticket>,
    pub calls: Vec<CallRecord>,
    pub durations: BTreeMap<ServiceCode, Vec<i64>>,
}
