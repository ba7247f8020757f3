//! The ticket lifecycle: the seed's five steps and what offices need around them.
//!
//! ```text
//! waiting ──call──▶ called ──start──▶ serving ──accept──▶ accepted ──ready──▶ ready
//!    ▲  ▲            │  ▲ recall         │                                   │
//!    │  │         no-show                 └─return──▶ returned_incomplete     call pickup
//!    │  └─reinstate─ no_show                               │ rejoin            ▼
//!    └───────────────────────────────────────────────────┘            pickup_called
//!                                                                            │ hand over
//!                                                                            ▼
//!                                                                        collected
//! ```
//! A pickup call nobody answers ("tidak hadir") puts the copy back among the ready ones,
//! and a pickup call never keeps the loket from calling its queue ([`TicketStatus::
//! occupies_loket`]): the citizen may come back later in the day. Plus transfer (back to waiting for another service or loket) and cancel. The close of a
//! service day (`service_day`) adds three events: a ticket never served that day ends as
//! *not served*, a pickup call nobody answered goes back to *ready*, and a returned file
//! whose time to come back ran out *expires*. Every
//! transition is checked by [`Ticket::decide`], which returns the event to record or a
//! [`TicketError`]; [`Ticket::apply`] performs a recorded event and never fails.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::i18n::{Lang, Text};
use super::ids::{LoketId, RequirementId, ServiceCode, TicketId, TicketNumber};

/// Priority class. Elderly, disabled and pregnant citizens are served first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Regular,
    Elderly,
    Disabled,
    Pregnant,
}

impl Priority {
    /// Sort class: 0 is served first.
    pub fn class(self) -> u8 {
        match self {
            Priority::Regular => 1,
            Priority::Elderly | Priority::Disabled | Priority::Pregnant => 0,
        }
    }
    pub fn is_priority(self) -> bool {
        self.class() == 0
    }
    /// The name on the wire (`regular`, `elderly`, …).
    pub fn name(self) -> &'static str {
        match self {
            Priority::Regular => "regular",
            Priority::Elderly => "elderly",
            Priority::Disabled => "disabled",
            Priority::Pregnant => "pregnant",
        }
    }
    pub const ALL: [Priority; 4] = [
        Priority::Regular,
        Priority::Elderly,
        Priority::Disabled,
        Priority::Pregnant,
    ];
}

/// The pickup receipt (resi pengambilan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// `20261130-A-007`: unique because ticket numbers are unique per service day.
    pub number: String,
    #[serde(with = "super::time_format::timestamp")]
    pub accepted_at: Timestamp,
    #[serde(with = "super::time_format::timestamp")]
    pub due: Timestamp,
}

impl Receipt {
    pub fn number_for(day: Date, ticket: TicketNumber) -> String {
        format!(
            "{:04}{:02}{:02}-{}",
            day.year(),
            day.month(),
            day.day(),
            ticket
        )
    }
}

/// Where a ticket is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    try_from = "super::wire::StatusRecord"
)]
pub enum TicketStatus {
    Waiting,
    Called {
        loket: LoketId,
        calls: u8,
    },
    NoShow,
    Serving {
        loket: LoketId,
    },
    ReturnedIncomplete,
    Accepted,
    Ready,
    PickupCalled {
        loket: LoketId,
        calls: u8,
    },
    Collected,
    Cancelled,
    /// The day closed before the ticket was served (tidak terlayani): terminal.
    NotServed,
    /// A returned file that did not come back within its working days: terminal.
    Expired,
}

impl TicketStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TicketStatus::Collected
                | TicketStatus::Cancelled
                | TicketStatus::NotServed
                | TicketStatus::Expired
        )
    }
    /// Step of the published procedure (1–5) the citizen is at.
    pub fn procedure_step(&self) -> u8 {
        match self {
            TicketStatus::Waiting | TicketStatus::NoShow | TicketStatus::NotServed => 2,
            TicketStatus::Called { .. } => 3,
            TicketStatus::Serving { .. } | TicketStatus::ReturnedIncomplete => 4,
            TicketStatus::Accepted | TicketStatus::Expired => 4,
            TicketStatus::Ready | TicketStatus::PickupCalled { .. } | TicketStatus::Collected => 5,
            TicketStatus::Cancelled => 1,
        }
    }
    /// Which call this is, when the ticket is being called: the loket and the number of
    /// calls, so a recall differs from the call before it.
    pub fn call(&self) -> Option<(LoketId, u8)> {
        match *self {
            TicketStatus::Called { loket, calls } | TicketStatus::PickupCalled { loket, calls } => {
                Some((loket, calls))
            }
            _ => None,
        }
    }
    /// The loket holding the ticket: the one that called it, serves it, or called it to
    /// collect. Only that loket may act on it.
    pub fn holder(&self) -> Option<LoketId> {
        match *self {
            TicketStatus::Called { loket, .. }
            | TicketStatus::Serving { loket }
            | TicketStatus::PickupCalled { loket, .. } => Some(loket),
            _ => None,
        }
    }
    /// Whether the ticket keeps its loket from calling the next one: a citizen called to
    /// the desk or being served does; a copy waiting to be collected does not.
    pub fn occupies_loket(&self) -> bool {
        matches!(
            self,
            TicketStatus::Called { .. } | TicketStatus::Serving { .. }
        )
    }
    /// A short machine name, used in logs and CSS classes.
    pub fn name(&self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called { .. } => "called",
            TicketStatus::NoShow => "no_show",
            TicketStatus::Serving { .. } => "serving",
            TicketStatus::ReturnedIncomplete => "returned_incomplete",
            TicketStatus::Accepted => "accepted",
            TicketStatus::Ready => "ready",
            TicketStatus::PickupCalled { .. } => "pickup_called",
            TicketStatus::Collected => "collected",
            TicketStatus::Cancelled => "cancelled",
            TicketStatus::NotServed => "not_served",
            TicketStatus::Expired => "expired",
        }
    }
    /// The status as the officer reads it.
    pub fn label(&self) -> Text {
        let t = Text::new;
        match self {
            TicketStatus::Waiting => t("Menunggu", "Waiting"),
            TicketStatus::Called { .. } => t("Dipanggil", "Called"),
            TicketStatus::NoShow => t("Tidak hadir", "Did not come"),
            TicketStatus::Serving { .. } => t("Dilayani", "Being served"),
            TicketStatus::ReturnedIncomplete => t(
                "Berkas dikembalikan (belum lengkap)",
                "Documents returned (incomplete)",
            ),
            TicketStatus::Accepted => t("Berkas diterima", "Documents accepted"),
            TicketStatus::Ready => t("Siap diambil", "Ready for pickup"),
            TicketStatus::PickupCalled { .. } => {
                t("Dipanggil untuk mengambil", "Called to collect")
            }
            TicketStatus::Collected => t("Sudah diambil", "Collected"),
            TicketStatus::Cancelled => t("Dibatalkan", "Cancelled"),
            TicketStatus::NotServed => t("Tidak terlayani hari itu", "Not served that day"),
            TicketStatus::Expired => t("Kedaluwarsa", "Expired"),
        }
    }
}

/// What an officer (or the citizen through the officer) does to an existing ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "cmd",
    rename_all = "snake_case",
    try_from = "super::wire::CommandRecord"
)]
pub enum TicketCommand {
    Call {
        loket: LoketId,
    },
    Recall,
    NoShow,
    Reinstate,
    Start,
    ReturnIncomplete {
        missing: Vec<RequirementId>,
    },
    Rejoin,
    Accept {
        checked: Vec<RequirementId>,
    },
    MarkReady,
    /// The citizen back for the copy says so at the kiosk (the receipt's QR code or its
    /// number): the counter's ready files show them as present.
    CheckIn,
    CallPickup {
        loket: LoketId,
    },
    HandOver,
    Transfer {
        service: ServiceCode,
        loket: Option<LoketId>,
    },
    Cancel,
}

impl TicketCommand {
    pub fn name(&self) -> &'static str {
        match self {
            TicketCommand::Call { .. } => "call",
            TicketCommand::Recall => "recall",
            TicketCommand::NoShow => "no_show",
            TicketCommand::Reinstate => "reinstate",
            TicketCommand::Start => "start",
            TicketCommand::ReturnIncomplete { .. } => "return_incomplete",
            TicketCommand::Rejoin => "rejoin",
            TicketCommand::Accept { .. } => "accept",
            TicketCommand::MarkReady => "mark_ready",
            TicketCommand::CheckIn => "check_in",
            TicketCommand::CallPickup { .. } => "call_pickup",
            TicketCommand::HandOver => "hand_over",
            TicketCommand::Transfer { .. } => "transfer",
            TicketCommand::Cancel => "cancel",
        }
    }
}

/// A new ticket as the kiosk made it (the tracking token travels separately: it is a
/// secret of the citizen's and never enters the event log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    pub id: TicketId,
    pub number: TicketNumber,
    pub service: ServiceCode,
    pub priority: Priority,
    /// The catalogue's version the kiosk issued it under: its checklist stays that
    /// version's (0: before versions, the current one).
    #[serde(default, skip_serializing_if = "is_zero_version")]
    pub catalogue: u32,
}

fn is_zero_version(n: &u32) -> bool {
    *n == 0
}

/// What happened to a ticket; the event log is a sequence of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "event",
    rename_all = "snake_case",
    try_from = "super::wire::EventRecord"
)]
pub enum EventKind {
    Issued {
        ticket: NewTicket,
        #[serde(with = "super::time_format::date")]
        service_day: Date,
    },
    Called {
        loket: LoketId,
    },
    Recalled,
    MarkedNoShow,
    Reinstated,
    Started,
    Returned {
        missing: Vec<RequirementId>,
    },
    Rejoined,
    Accepted {
        receipt: Receipt,
    },
    MarkedReady,
    /// The citizen checked in at the kiosk for the pickup.
    CheckedIn,
    PickupCalled {
        loket: LoketId,
    },
    HandedOver,
    Transferred {
        service: ServiceCode,
        loket: Option<LoketId>,
    },
    Cancelled,
    /// Recorded by the day's close: waiting, called or absent at closing time.
    NotServed,
    /// A pickup call nobody answered: by the officer ("tidak hadir"), or by the day's
    /// close for one still open at closing time. The copy is ready again.
    PickupMissed,
    /// Recorded by a day's close: a returned file past its working days to come back.
    Expired,
}

impl EventKind {
    /// The event's name on the wire and in the audit log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "issued",
            Self::Called { .. } => "called",
            Self::Recalled => "recalled",
            Self::MarkedNoShow => "marked_no_show",
            Self::Reinstated => "reinstated",
            Self::Started => "started",
            Self::Returned { .. } => "returned",
            Self::Rejoined => "rejoined",
            Self::Accepted { .. } => "accepted",
            Self::MarkedReady => "marked_ready",
            Self::CheckedIn => "checked_in",
            Self::PickupCalled { .. } => "pickup_called",
            Self::HandedOver => "handed_over",
            Self::Transferred { .. } => "transferred",
            Self::Cancelled => "cancelled",
            Self::NotServed => "not_served",
            Self::PickupMissed => "pickup_missed",
            Self::Expired => "expired",
        }
    }
}

/// Why a command was refused. Messages read well to an officer, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TicketError {
    #[error("ticket not found")]
    UnknownTicket,
    #[error("unknown service {service}")]
    UnknownService { service: ServiceCode },
    #[error("{number} was already called at Loket {loket}")]
    AlreadyCalled {
        number: TicketNumber,
        loket: LoketId,
    },
    #[error("{number} is being served at Loket {loket}")]
    BeingServed {
        number: TicketNumber,
        loket: LoketId,
    },
    #[error("{number} cannot {action} while it is {state}")]
    WrongState {
        number: TicketNumber,
        action: String,
        state: String,
    },
    #[error("{number} has been called {calls} times; mark it as not present")]
    RecallLimit { number: TicketNumber, calls: u8 },
    #[error("Loket {loket} does not serve {service}")]
    LoketNotForService {
        loket: LoketId,
        service: ServiceCode,
    },
    #[error("{number} is handled at Loket {loket}")]
    OtherLoket {
        number: TicketNumber,
        loket: LoketId,
    },
    #[error("this counter works at Loket {at}; it cannot call to Loket {asked}")]
    NotThisLoket { at: LoketId, asked: LoketId },
    #[error("say which requirements are missing before returning the berkas")]
    NothingMissing,
    #[error("{requirement} is not a requirement of this service")]
    UnknownRequirement { requirement: RequirementId },
    #[error("every requirement must be checked before accepting; not checked: {missing:?}")]
    ChecklistIncomplete { missing: Vec<RequirementId> },
    #[error("number {number} was already issued today")]
    DuplicateNumber { number: TicketNumber },
    #[error("this ticket was already issued")]
    DuplicateTicket,
    #[error("number {number} does not belong to service {service}")]
    WrongPrefix {
        number: TicketNumber,
        service: ServiceCode,
    },
    #[error("the daily quota of {cap} tickets for {service} is reached")]
    DailyCapReached { service: ServiceCode, cap: u16 },
    #[error("no ticket is waiting")]
    QueueEmpty,
    #[error("today's service has closed; please come back on the next working day")]
    ServiceClosed,
    #[error("{number} was in the line of an earlier day, which has closed")]
    DayOver { number: TicketNumber },
    #[error("the copy of {number} is not ready yet; the receipt says when it will be")]
    NotReadyYet { number: TicketNumber },
    #[error("the time to come back with the completed berkas of {number} ended on {}", dmy(*.last_day))]
    RejoinExpired {
        number: TicketNumber,
        #[serde(with = "super::time_format::date")]
        last_day: Date,
    },
}

/// A date as both languages write it on a form: 03-12-2026.
fn dmy(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), d.month(), d.year())
}

impl TicketError {
    /// The message shown to the officer or the citizen.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            TicketError::UnknownTicket => "Tiket tidak ditemukan.".into(),
            TicketError::UnknownService { service } => format!("Layanan {service} tidak dikenal."),
            TicketError::AlreadyCalled { number, loket } => {
                format!("{number} sudah dipanggil di Loket {loket}.")
            }
            TicketError::BeingServed { number, loket } => {
                format!("{number} sedang dilayani di Loket {loket}.")
            }
            TicketError::WrongState {
                number,
                action,
                state,
            } => {
                format!("{number} tidak dapat di-{action} karena berstatus {state}.")
            }
            TicketError::RecallLimit { number, calls } => {
                format!("{number} sudah dipanggil {calls} kali; tandai tidak hadir.")
            }
            TicketError::LoketNotForService { loket, service } => {
                format!("Loket {loket} tidak melayani {service}.")
            }
            TicketError::OtherLoket { number, loket } => {
                format!("{number} ditangani di Loket {loket}.")
            }
            TicketError::NotThisLoket { at, asked } => {
                format!("Perangkat ini bertugas di Loket {at}; tidak dapat memanggil ke Loket {asked}.")
            }
            TicketError::NothingMissing => {
                "Tandai persyaratan yang kurang sebelum mengembalikan berkas.".into()
            }
            TicketError::UnknownRequirement { requirement } => {
                format!("{requirement} bukan persyaratan layanan ini.")
            }
            TicketError::ChecklistIncomplete { .. } => {
                "Semua persyaratan harus dicentang sebelum berkas diterima.".into()
            }
            TicketError::DuplicateNumber { number } => {
                format!("Nomor {number} sudah terbit hari ini.")
            }
            TicketError::DuplicateTicket => "Tiket ini sudah pernah diterbitkan.".into(),
            TicketError::WrongPrefix { number, service } => {
                format!("Nomor {number} bukan milik layanan {service}.")
            }
            TicketError::DailyCapReached { service, cap } => {
                format!("Kuota harian {cap} tiket untuk {service} sudah habis. Silakan datang kembali besok.")
            }
            TicketError::QueueEmpty => "Tidak ada antrean yang menunggu.".into(),
            TicketError::ServiceClosed => {
                "Layanan hari ini sudah ditutup. Silakan datang kembali pada hari kerja berikutnya."
                    .into()
            }
            TicketError::DayOver { number } => {
                format!("{number} adalah antrean hari sebelumnya yang sudah ditutup.")
            }
            TicketError::NotReadyYet { number } => format!(
                "Salinan untuk {number} belum siap; waktu selesainya tertulis di resi."
            ),
            TicketError::RejoinExpired { number, last_day } => format!(
                "Batas waktu kembali dengan berkas lengkap untuk {number} berakhir {}. Silakan ambil nomor baru.",
                dmy(*last_day)
            ),
        }
    }

    /// The message in both languages.
    pub fn text(&self) -> super::i18n::Text {
        super::i18n::Text::new(self.message(Lang::Id), self.message(Lang::En))
    }

    /// A stable code for the wire and the logs.
    pub fn code(&self) -> &'static str {
        match self {
            TicketError::UnknownTicket => "unknown_ticket",
            TicketError::UnknownService { .. } => "unknown_service",
            TicketError::AlreadyCalled { .. } => "already_called",
            TicketError::BeingServed { .. } => "being_served",
            TicketError::WrongState { .. } => "wrong_state",
            TicketError::RecallLimit { .. } => "recall_limit",
            TicketError::LoketNotForService { .. } => "loket_not_for_service",
            TicketError::OtherLoket { .. } => "other_loket",
            TicketError::NotThisLoket { .. } => "not_this_loket",
            TicketError::NothingMissing => "nothing_missing",
            TicketError::UnknownRequirement { .. } => "unknown_requirement",
            TicketError::ChecklistIncomplete { .. } => "checklist_incomplete",
            TicketError::DuplicateNumber { .. } => "duplicate_number",
            TicketError::DuplicateTicket => "duplicate_ticket",
            TicketError::WrongPrefix { .. } => "wrong_prefix",
            TicketError::DailyCapReached { .. } => "daily_cap_reached",
            TicketError::QueueEmpty => "queue_empty",
            TicketError::ServiceClosed => "service_closed",
            TicketError::DayOver { .. } => "day_over",
            TicketError::NotReadyYet { .. } => "not_ready_yet",
            TicketError::RejoinExpired { .. } => "rejoin_expired",
        }
    }
}

/// One ticket as every device sees it. No personal data: a number, a service, times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: TicketNumber,
    pub service: ServiceCode,
    pub priority: Priority,
    #[serde(with = "super::time_format::date")]
    pub service_day: Date,
    pub issued_at: Hlc,
    /// Position key in the waiting line: the issue time, or the time of reinstatement.
    pub queued_at: Hlc,
    /// Came back with the completed berkas (re-enters ahead of new tickets by policy).
    pub rejoined: bool,
    /// Set by a transfer to a specific loket; otherwise any loket of the service serves it.
    pub loket: Option<LoketId>,
    pub status: TicketStatus,
    /// What was missing the last time the berkas was returned.
    pub missing: Vec<RequirementId>,
    pub receipt: Option<Receipt>,
    pub called_at: Option<Hlc>,
    pub started_at: Option<Hlc>,
    /// When the copy became ready: an uncollected file is flagged some working days later.
    #[serde(default)]
    pub ready_at: Option<Hlc>,
    /// When the citizen last checked in at the kiosk to collect the copy (present that
    /// service day; a missed pickup call forgets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present_at: Option<Hlc>,
    pub updated_at: Hlc,
    /// The catalogue's version it was issued under (see [`NewTicket::catalogue`]).
    #[serde(default, skip_serializing_if = "is_zero_version")]
    pub catalogue: u32,
}

/// What [`Ticket::decide`] needs to know beyond the ticket itself.
pub struct DecideContext<'a> {
    pub service: &'a super::catalogue::Service,
    pub policy: &'a super::catalogue::Policy,
    pub calendar: &'a super::calendar::OfficeCalendar,
    pub catalogue: &'a super::catalogue::Catalogue,
    /// The loket acting (a counter's), or `None` (a kiosk: a citizen rejoining).
    pub by: Option<LoketId>,
}

impl Ticket {
    pub fn new(t: &NewTicket, service_day: Date, at: Hlc) -> Self {
        Self {
            id: t.id,
            number: t.number,
            service: t.service.clone(),
            priority: t.priority,
            service_day,
            issued_at: at,
            queued_at: at,
            rejoined: false,
            loket: None,
            status: TicketStatus::Waiting,
            missing: Vec::new(),
            receipt: None,
            called_at: None,
            started_at: None,
            ready_at: None,
            present_at: None,
            updated_at: at,
            catalogue: t.catalogue,
        }
    }

    /// The requirements this ticket's file is checked against: its service's as the
    /// catalogue had them when the ticket was issued.
    pub fn checklist<'a>(
        &self,
        catalogue: &'a super::catalogue::Catalogue,
    ) -> &'a [super::catalogue::Requirement] {
        catalogue.requirements_at(&self.service, self.catalogue)
    }

    /// The working days its file has to be completed in: its service's completion time
    /// as the catalogue had it when the ticket was issued.
    pub fn completion_days(&self, catalogue: &super::catalogue::Catalogue) -> u8 {
        catalogue.completion_days_at(&self.service, self.catalogue)
    }

    fn wrong_state(&self, cmd: &TicketCommand) -> TicketError {
        TicketError::WrongState {
            number: self.number,
            action: cmd.name().to_owned(),
            state: self.status.name().to_owned(),
        }
    }

    /// Checks a command against the ticket's state and returns the event to record.
    pub fn decide(
        &self,
        cmd: &TicketCommand,
        at: Hlc,
        ctx: &DecideContext<'_>,
    ) -> Result<EventKind, TicketError> {
        use TicketCommand as C;
        use TicketStatus as S;
        let serves = |loket: LoketId| -> Result<(), TicketError> {
            if !ctx.service.lokets.contains(&loket) {
                return Err(TicketError::LoketNotForService {
                    loket,
                    service: self.service.clone(),
                });
            }
            match self.loket {
                Some(assigned) if assigned != loket => Err(TicketError::OtherLoket {
                    number: self.number,
                    loket: assigned,
                }),
                _ => Ok(()),
            }
        };
        // A counter calls to its own loket only.
        if let (Some(at), C::Call { loket } | C::CallPickup { loket }) = (ctx.by, cmd) {
            if *loket != at {
                return Err(TicketError::NotThisLoket { at, asked: *loket });
            }
        }
        // A ticket being called, served or called to collect belongs to the loket holding
        // it: another loket (or a device that lost a race to call it) is told so. Calling a
        // held ticket again gets its own, more precise answer below.
        if let Some(holder) = self.status.holder() {
            let call_again = matches!(
                (&self.status, cmd),
                (S::Called { .. } | S::Serving { .. }, C::Call { .. })
            );
            if !call_again && ctx.by != Some(holder) {
                return Err(TicketError::OtherLoket {
                    number: self.number,
                    loket: holder,
                });
            }
        }
        // Yesterday's line closed with its day: its tickets are never called today, on any
        // device, even before the server's close reaches it.
        let today = ctx.calendar.service_day(at.timestamp());
        if matches!(self.status, S::Waiting | S::NoShow)
            && self.queued_day(ctx.calendar) < today
            && matches!(cmd, C::Call { .. } | C::Reinstate)
        {
            return Err(TicketError::DayOver {
                number: self.number,
            });
        }
        match (&self.status, cmd) {
            (S::Waiting, C::Call { loket }) => {
                serves(*loket)?;
                Ok(EventKind::Called { loket: *loket })
            }
            (S::Called { loket, .. }, C::Call { .. }) => Err(TicketError::AlreadyCalled {
                number: self.number,
                loket: *loket,
            }),
            (S::Serving { loket }, C::Call { .. }) => Err(TicketError::BeingServed {
                number: self.number,
                loket: *loket,
            }),
            (S::Called { calls, .. }, C::Recall) => {
                if *calls >= ctx.policy.max_calls {
                    Err(TicketError::RecallLimit {
                        number: self.number,
                        calls: *calls,
                    })
                } else {
                    Ok(EventKind::Recalled)
                }
            }
            (S::Called { .. }, C::NoShow) => Ok(EventKind::MarkedNoShow),
            (S::NoShow, C::Reinstate) => Ok(EventKind::Reinstated),
            (S::Called { .. }, C::Start) => Ok(EventKind::Started),
            (S::Serving { .. }, C::ReturnIncomplete { missing }) => {
                if missing.is_empty() {
                    return Err(TicketError::NothingMissing);
                }
                let checklist = self.checklist(ctx.catalogue);
                for r in missing {
                    if !checklist.iter().any(|q| &q.id == r) {
                        return Err(TicketError::UnknownRequirement {
                            requirement: r.clone(),
                        });
                    }
                }
                let mut missing = missing.clone();
                missing.sort_unstable();
                missing.dedup();
                Ok(EventKind::Returned { missing })
            }
            (S::ReturnedIncomplete, C::Rejoin) => {
                let last_day = ctx.policy.last_rejoin_day(ctx.calendar, self.updated_at);
                if today > last_day {
                    return Err(TicketError::RejoinExpired {
                        number: self.number,
                        last_day,
                    });
                }
                Ok(EventKind::Rejoined)
            }
            (S::Serving { .. }, C::Accept { checked }) => {
                let unchecked: Vec<RequirementId> = self
                    .checklist(ctx.catalogue)
                    .iter()
                    .filter(|r| !checked.contains(&r.id))
                    .map(|r| r.id.clone())
                    .collect();
                if !unchecked.is_empty() {
                    return Err(TicketError::ChecklistIncomplete { missing: unchecked });
                }
                let accepted_at = at.timestamp();
                let due = ctx
                    .calendar
                    .due_time(accepted_at, self.completion_days(ctx.catalogue));
                let day = ctx.calendar.service_day(accepted_at);
                Ok(EventKind::Accepted {
                    receipt: Receipt {
                        number: Receipt::number_for(day, self.number),
                        accepted_at,
                        due,
                    },
                })
            }
            (S::Accepted, C::MarkReady) => Ok(EventKind::MarkedReady),
            (S::Ready, C::CheckIn) => Ok(EventKind::CheckedIn),
            (S::Accepted, C::CheckIn) => Err(TicketError::NotReadyYet {
                number: self.number,
            }),
            (S::Ready, C::CallPickup { loket }) => Ok(EventKind::PickupCalled { loket: *loket }),
            (S::PickupCalled { calls, .. }, C::CallPickup { loket }) => {
                if *calls >= ctx.policy.max_calls {
                    Err(TicketError::RecallLimit {
                        number: self.number,
                        calls: *calls,
                    })
                } else {
                    Ok(EventKind::PickupCalled { loket: *loket })
                }
            }
            (S::Ready | S::PickupCalled { .. }, C::HandOver) => Ok(EventKind::HandedOver),
            (S::PickupCalled { .. }, C::NoShow) => Ok(EventKind::PickupMissed),
            (
                S::Waiting
                | S::Called { .. }
                | S::Serving { .. }
                | S::NoShow
                | S::ReturnedIncomplete,
                C::Transfer { service, loket },
            ) => {
                let target =
                    ctx.catalogue
                        .service(service)
                        .ok_or_else(|| TicketError::UnknownService {
                            service: service.clone(),
                        })?;
                if let Some(l) = loket {
                    if !target.lokets.contains(l) {
                        return Err(TicketError::LoketNotForService {
                            loket: *l,
                            service: service.clone(),
                        });
                    }
                }
                Ok(EventKind::Transferred {
                    service: service.clone(),
                    loket: *loket,
                })
            }
            (s, C::Cancel) if !s.is_terminal() => Ok(EventKind::Cancelled),
            _ => Err(self.wrong_state(cmd)),
        }
    }

    /// Performs a recorded event. Events come from `decide`, so the transition is known to
    /// be legal; an event that does not fit the state (a stale duplicate) changes nothing.
    pub fn apply(&mut self, e: &EventKind, at: Hlc) {
        use EventKind as E;
        use TicketStatus as S;
        let next = match (&self.status, e) {
            (S::Waiting, E::Called { loket }) => {
                self.called_at = Some(at);
                S::Called {
                    loket: *loket,
                    calls: 1,
                }
            }
            (S::Called { loket, calls }, E::Recalled) => S::Called {
                loket: *loket,
                calls: calls.saturating_add(1),
            },
            (S::Called { .. }, E::MarkedNoShow) => S::NoShow,
            (S::NoShow, E::Reinstated) => {
                self.queued_at = at;
                S::Waiting
            }
            (S::Called { loket, .. }, E::Started) => {
                self.started_at = Some(at);
                S::Serving { loket: *loket }
            }
            (S::Serving { .. }, E::Returned { missing }) => {
                self.missing = missing.clone();
                S::ReturnedIncomplete
            }
            (S::ReturnedIncomplete, E::Rejoined) => {
                self.rejoined = true;
                self.queued_at = at;
                S::Waiting
            }
            (S::Serving { .. }, E::Accepted { receipt }) => {
                self.missing.clear();
                self.receipt = Some(receipt.clone());
                S::Accepted
            }
            (S::Accepted, E::MarkedReady) => {
                self.ready_at = Some(at);
                S::Ready
            }
            (S::Ready | S::PickupCalled { .. }, E::CheckedIn) => {
                self.present_at = Some(at);
                self.status.clone()
            }
            (S::Ready, E::PickupCalled { loket }) => S::PickupCalled {
                loket: *loket,
                calls: 1,
            },
            (S::PickupCalled { calls, .. }, E::PickupCalled { loket }) => S::PickupCalled {
                loket: *loket,
                calls: calls.saturating_add(1),
            },
            (S::Ready | S::PickupCalled { .. }, E::HandedOver) => S::Collected,
            (s, E::Transferred { service, loket }) if !s.is_terminal() => {
                self.service = service.clone();
                self.loket = *loket;
                S::Waiting
            }
            (s, E::Cancelled) if !s.is_terminal() => S::Cancelled,
            (S::Waiting | S::Called { .. } | S::NoShow, E::NotServed) => S::NotServed,
            (S::PickupCalled { .. }, E::PickupMissed) => {
                self.present_at = None;
                S::Ready
            }
            (S::ReturnedIncomplete, E::Expired) => S::Expired,
            _ => return,
        };
        self.status = next;
        self.updated_at = at;
    }

    /// The service day the ticket joined the line it is in (issue, rejoin or
    /// reinstatement): a line belongs to one day.
    pub fn queued_day(&self, calendar: &super::calendar::OfficeCalendar) -> Date {
        calendar.service_day(self.queued_at.timestamp())
    }

    /// Whether the citizen checked in for the pickup on `day` (and was not since called in
    /// vain).
    pub fn present_on(&self, day: Date, calendar: &super::calendar::OfficeCalendar) -> bool {
        self.present_at
            .is_some_and(|at| calendar.service_day(at.timestamp()) == day)
    }

    /// The service day of the ticket's last change.
    pub fn updated_day(&self, calendar: &super::calendar::OfficeCalendar) -> Date {
        calendar.service_day(self.updated_at.timestamp())
    }

    /// Seconds from the start of service to the decision (accept or return), when known:
    /// the input of the wait estimate.
    pub fn service_duration_ms(&self, decided_at: Hlc) -> Option<i64> {
        self.started_at
            .map(|s| (decided_at.wall_ms - s.wall_ms).max(0))
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::domain::catalogue::{Catalogue, SEED_TOML};
    use crate::domain::ids::ClientId;

    #[test]
    fn event_names_are_the_wire_tags() {
        for e in [
            EventKind::Recalled,
            EventKind::MarkedNoShow,
            EventKind::HandedOver,
            EventKind::Called {
                loket: LoketId::new(1).unwrap(),
            },
        ] {
            assert_eq!(serde_json::to_value(&e).unwrap()["event"], e.name());
        }
    }

    fn cat() -> Catalogue {
        Catalogue::from_toml(SEED_TOML).unwrap()
    }

    fn at(ms: i64) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 0,
            client: ClientId::from_random_bytes([1; 16]),
        }
    }

    fn ticket() -> Ticket {
        let t = NewTicket {
            id: TicketId::from_random_bytes([2; 16]),
            number: TicketNumber::parse("A-007").unwrap(),
            service: ServiceCode::parse("legalisir-ktp-el").unwrap(),
            priority: Priority::Regular,
            catalogue: 0,
        };
        Ticket::new(&t, jiff::civil::date(2026, 11, 30), at(0))
    }

    /// Runs a command as the loket it concerns: the one it calls to, else the one
    /// holding the ticket, else Loket 1.
    fn run(t: &mut Ticket, cmd: TicketCommand, ms: i64) -> Result<EventKind, TicketError> {
        let by = match &cmd {
            TicketCommand::Call { loket } | TicketCommand::CallPickup { loket } => *loket,
            _ => t.status.holder().unwrap_or(loket(1)),
        };
        run_by(t, Some(by), cmd, ms)
    }

    fn run_by(
        t: &mut Ticket,
        by: Option<LoketId>,
        cmd: TicketCommand,
        ms: i64,
    ) -> Result<EventKind, TicketError> {
        let c = cat();
        let cal = c.office_calendar();
        let ctx = DecideContext {
            service: &c.services[0],
            policy: &c.policy,
            calendar: &cal,
            catalogue: &c,
            by,
        };
        let e = t.decide(&cmd, at(ms), &ctx)?;
        t.apply(&e, at(ms));
        Ok(e)
    }

    #[test]
    fn only_the_loket_holding_a_ticket_acts_on_it() {
        let mut t = ticket();
        run_by(
            &mut t,
            Some(loket(1)),
            TicketCommand::Call { loket: loket(1) },
            1,
        )
        .unwrap();
        // Loket 2 (or a counter that lost the race to call it) may not start, mark absent,
        // recall, transfer or cancel loket 1's ticket.
        for cmd in [
            TicketCommand::Start,
            TicketCommand::NoShow,
            TicketCommand::Recall,
            TicketCommand::Cancel,
            TicketCommand::Transfer {
                service: ServiceCode::parse("legalisir-kk").unwrap(),
                loket: None,
            },
        ] {
            let err = run_by(&mut t, Some(loket(2)), cmd, 2).unwrap_err();
            assert_eq!(err.message(Lang::Id), "A-007 ditangani di Loket 1.");
        }
        // Nor may a device with no loket.
        assert!(matches!(
            run_by(&mut t, None, TicketCommand::Start, 2),
            Err(TicketError::OtherLoket { .. })
        ));
        run_by(&mut t, Some(loket(1)), TicketCommand::Start, 3).unwrap();
        assert!(matches!(
            run_by(&mut t, Some(loket(2)), TicketCommand::Cancel, 4),
            Err(TicketError::OtherLoket { .. })
        ));
        // The pickup call belongs to its loket too; a ready file is anyone's.
        run_by(
            &mut t,
            Some(loket(1)),
            TicketCommand::Accept {
                checked: cat().services[0]
                    .requirements
                    .iter()
                    .map(|r| r.id.clone())
                    .collect(),
            },
            5,
        )
        .unwrap();
        run_by(&mut t, Some(loket(2)), TicketCommand::MarkReady, 6).unwrap();
        run_by(
            &mut t,
            Some(loket(2)),
            TicketCommand::CallPickup { loket: loket(2) },
            7,
        )
        .unwrap();
        assert!(matches!(
            run_by(&mut t, Some(loket(1)), TicketCommand::HandOver, 8),
            Err(TicketError::OtherLoket { .. })
        ));
        run_by(&mut t, Some(loket(2)), TicketCommand::HandOver, 9).unwrap();
        assert_eq!(t.status, TicketStatus::Collected);
    }

    #[test]
    fn a_counter_calls_to_its_own_loket_only() {
        let mut t = ticket();
        let err = run_by(
            &mut t,
            Some(loket(1)),
            TicketCommand::Call { loket: loket(2) },
            1,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TicketError::NotThisLoket {
                at: loket(1),
                asked: loket(2)
            }
        );
        assert_eq!(t.status, TicketStatus::Waiting);
    }

    fn loket(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    fn req(s: &str) -> RequirementId {
        RequirementId::parse(s).unwrap()
    }

    #[test]
    fn the_five_steps_run_from_waiting_to_collected() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        run(&mut t, TicketCommand::Start, 2).unwrap();
        // 2026-11-30 02:00 UTC is 10:00 WITA on a Monday.
        let accepted_ms = "2026-11-30T02:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        let e = run(
            &mut t,
            TicketCommand::Accept {
                checked: vec![req("ktp-el-asli"), req("fotokopi-ktp-el")],
            },
            accepted_ms,
        )
        .unwrap();
        let EventKind::Accepted { receipt } = e else {
            panic!("expected acceptance")
        };
        assert_eq!(receipt.number, "20261130-A-007");
        assert_eq!(
            cat()
                .office_calendar()
                .moment_in_words(receipt.due, Lang::Id),
            "Selasa, 1 Desember 2026 pukul 15.30 WITA"
        );
        run(&mut t, TicketCommand::MarkReady, accepted_ms + 1).unwrap();
        run(
            &mut t,
            TicketCommand::CallPickup { loket: loket(2) },
            accepted_ms + 2,
        )
        .unwrap();
        run(&mut t, TicketCommand::HandOver, accepted_ms + 3).unwrap();
        assert_eq!(t.status, TicketStatus::Collected);
    }

    #[test]
    fn a_citizen_checks_in_at_the_kiosk_for_a_ready_copy_only_and_is_present_that_day() {
        let cal = cat().office_calendar();
        // Monday 30 November 2026, 10:00 WITA.
        let monday = "2026-11-30T02:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        let mut t = ticket();
        // Issued that morning: a line belongs to its day.
        t.queued_at = at(monday - 1);
        run(&mut t, TicketCommand::Call { loket: loket(1) }, monday).unwrap();
        run(&mut t, TicketCommand::Start, monday + 1).unwrap();
        run(
            &mut t,
            TicketCommand::Accept {
                checked: vec![req("ktp-el-asli"), req("fotokopi-ktp-el")],
            },
            monday + 2,
        )
        .unwrap();
        // Too early: the copy is not ready, and the kiosk says so.
        let early = run_by(&mut t, None, TicketCommand::CheckIn, monday + 3).unwrap_err();
        assert_eq!(early, TicketError::NotReadyYet { number: t.number });
        assert!(early.message(Lang::Id).contains("belum siap"));
        run(&mut t, TicketCommand::MarkReady, monday + 4).unwrap();
        let day = jiff::civil::date(2026, 11, 30);
        assert!(!t.present_on(day, &cal));
        assert_eq!(
            run_by(&mut t, None, TicketCommand::CheckIn, monday + 5),
            Ok(EventKind::CheckedIn)
        );
        assert_eq!(t.status, TicketStatus::Ready, "still waiting for its call");
        assert!(t.present_on(day, &cal));
        assert!(
            !t.present_on(day.tomorrow().unwrap(), &cal),
            "present that day only"
        );
        // Called while present; the officer finds nobody: no longer present.
        run(
            &mut t,
            TicketCommand::CallPickup { loket: loket(2) },
            monday + 6,
        )
        .unwrap();
        assert!(t.present_on(day, &cal));
        run(&mut t, TicketCommand::NoShow, monday + 7).unwrap();
        assert!(!t.present_on(day, &cal));
        // Nothing else is checked in: a waiting ticket, a collected copy.
        let mut w = ticket();
        assert!(matches!(
            run_by(&mut w, None, TicketCommand::CheckIn, monday),
            Err(TicketError::WrongState { .. })
        ));
        run(
            &mut t,
            TicketCommand::CallPickup { loket: loket(2) },
            monday + 8,
        )
        .unwrap();
        run(&mut t, TicketCommand::HandOver, monday + 9).unwrap();
        assert!(run_by(&mut t, None, TicketCommand::CheckIn, monday + 10).is_err());
    }

    #[test]
    fn a_citizen_who_does_not_come_to_collect_goes_back_to_ready_and_frees_the_loket() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        assert!(t.status.occupies_loket());
        run(&mut t, TicketCommand::Start, 2).unwrap();
        assert!(t.status.occupies_loket());
        run(
            &mut t,
            TicketCommand::Accept {
                checked: vec![req("ktp-el-asli"), req("fotokopi-ktp-el")],
            },
            3,
        )
        .unwrap();
        run(&mut t, TicketCommand::MarkReady, 4).unwrap();
        run(&mut t, TicketCommand::CallPickup { loket: loket(2) }, 5).unwrap();
        assert!(
            !t.status.occupies_loket(),
            "a pickup call leaves the queue to the loket"
        );
        run(&mut t, TicketCommand::NoShow, 6).unwrap();
        assert_eq!(t.status, TicketStatus::Ready);
        // Called again later, collected then.
        run(&mut t, TicketCommand::CallPickup { loket: loket(1) }, 7).unwrap();
        run(&mut t, TicketCommand::HandOver, 8).unwrap();
        assert_eq!(t.status, TicketStatus::Collected);
        // Nobody can be absent from a ready copy nobody called.
        let mut r = ticket();
        run(&mut r, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        run(&mut r, TicketCommand::Start, 2).unwrap();
        run(
            &mut r,
            TicketCommand::Accept {
                checked: vec![req("ktp-el-asli"), req("fotokopi-ktp-el")],
            },
            3,
        )
        .unwrap();
        run(&mut r, TicketCommand::MarkReady, 4).unwrap();
        assert!(run(&mut r, TicketCommand::NoShow, 5).is_err());
    }

    #[test]
    fn accepting_needs_every_requirement_ticked() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        run(&mut t, TicketCommand::Start, 2).unwrap();
        let err = run(
            &mut t,
            TicketCommand::Accept {
                checked: vec![req("ktp-el-asli")],
            },
            3,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TicketError::ChecklistIncomplete {
                missing: vec![req("fotokopi-ktp-el")]
            }
        );
        assert!(matches!(t.status, TicketStatus::Serving { .. }));
    }

    #[test]
    fn an_incomplete_berkas_is_returned_with_what_is_missing_and_rejoins_ahead() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        run(&mut t, TicketCommand::Start, 2).unwrap();
        assert_eq!(
            run(
                &mut t,
                TicketCommand::ReturnIncomplete { missing: vec![] },
                3
            ),
            Err(TicketError::NothingMissing)
        );
        run(
            &mut t,
            TicketCommand::ReturnIncomplete {
                missing: vec![req("fotokopi-ktp-el")],
            },
            3,
        )
        .unwrap();
        assert_eq!(t.status, TicketStatus::ReturnedIncomplete);
        assert_eq!(t.missing, vec![req("fotokopi-ktp-el")]);
        run(&mut t, TicketCommand::Rejoin, 4).unwrap();
        assert_eq!(t.status, TicketStatus::Waiting);
        assert!(t.rejoined);
    }

    #[test]
    fn a_ticket_is_recalled_up_to_the_limit_then_marked_no_show_and_can_be_reinstated() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        run(&mut t, TicketCommand::Recall, 2).unwrap();
        run(&mut t, TicketCommand::Recall, 3).unwrap();
        assert_eq!(
            run(&mut t, TicketCommand::Recall, 4),
            Err(TicketError::RecallLimit {
                number: t.number,
                calls: 3
            })
        );
        run(&mut t, TicketCommand::NoShow, 5).unwrap();
        run(&mut t, TicketCommand::Reinstate, 6).unwrap();
        assert_eq!(t.status, TicketStatus::Waiting);
        assert_eq!(t.queued_at.wall_ms, 6);
    }

    #[test]
    fn a_second_call_names_the_loket_that_has_the_ticket() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(2) }, 1).unwrap();
        let err = run(&mut t, TicketCommand::Call { loket: loket(1) }, 2).unwrap_err();
        assert_eq!(err.to_string(), "A-007 was already called at Loket 2");
        assert_eq!(err.message(Lang::Id), "A-007 sudah dipanggil di Loket 2.");
    }

    #[test]
    fn a_loket_cannot_call_a_service_it_does_not_serve() {
        let mut t = ticket();
        let err = run(&mut t, TicketCommand::Call { loket: loket(3) }, 1).unwrap_err();
        assert!(matches!(err, TicketError::LoketNotForService { .. }));
    }

    #[test]
    fn a_transfer_sends_the_ticket_back_to_wait_for_the_other_service() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Call { loket: loket(1) }, 1).unwrap();
        let kk = ServiceCode::parse("legalisir-kk").unwrap();
        run(
            &mut t,
            TicketCommand::Transfer {
                service: kk.clone(),
                loket: Some(loket(3)),
            },
            2,
        )
        .unwrap();
        assert_eq!(t.status, TicketStatus::Waiting);
        assert_eq!(t.service, kk);
        assert_eq!(t.loket, Some(loket(3)));
    }

    #[test]
    fn collected_and_cancelled_tickets_accept_no_command() {
        let mut t = ticket();
        run(&mut t, TicketCommand::Cancel, 1).unwrap();
        for cmd in [
            TicketCommand::Call { loket: loket(1) },
            TicketCommand::Cancel,
            TicketCommand::Rejoin,
        ] {
            assert!(matches!(
                run(&mut t, cmd, 2),
                Err(TicketError::WrongState { .. })
            ));
        }
    }

    #[test]
    fn applying_an_event_that_does_not_fit_changes_nothing() {
        let mut t = ticket();
        let before = t.clone();
        t.apply(&EventKind::HandedOver, at(9));
        assert_eq!(t, before);
    }
}
