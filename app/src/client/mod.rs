//! The device runtime: reactive signals the views read, and (in the browser) the adapters
//! that move data between the domain's sync state machine, IndexedDB and the network.
//!
//! The server-rendered HTML never depends on this state: signals start empty
//! ([`Phase::Starting`]) on both sides, and the browser fills them after hydration from
//! IndexedDB, then from the network. So a page served from the service worker's cache
//! hydrates offline without a mismatch.

#[cfg(feature = "hydrate")]
mod auth;
#[cfg(feature = "hydrate")]
mod device_state;
#[cfg(feature = "hydrate")]
pub(crate) mod net;
#[cfg(feature = "hydrate")]
pub(crate) mod push;
#[cfg(feature = "hydrate")]
mod runtime;
#[cfg(feature = "hydrate")]
mod store;

use leptos::prelude::*;

use crate::domain::i18n::Text;
use crate::domain::ids::{ServiceCode, TicketNumber, TrackingToken};
use crate::domain::mutation::{DeviceRole, MutationKind};
use crate::domain::replica::{Replica, Rules};
use crate::domain::sync_client::SyncStatus;
use crate::domain::ticket::Priority;

pub use crate::domain::device_phase::Phase;

/// A ticket the kiosk just issued, for the ticket screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTicket {
    pub number: TicketNumber,
    pub service: ServiceCode,
    pub priority: Priority,
    pub token: TrackingToken,
    pub issued_ms: i64,
    pub ahead: usize,
    pub wait_minutes: u32,
}

/// The handle the views use. Cheap to copy; all fields are signals.
#[derive(Clone, Copy)]
pub struct Device {
    pub role: DeviceRole,
    pub phase: RwSignal<Phase>,
    /// The visible state: confirmed by the server plus this device's pending actions.
    pub replica: RwSignal<Replica>,
    pub rules: RwSignal<Option<Rules>>,
    pub status: RwSignal<SyncStatus>,
    /// Messages for the user (rejections from the server), newest last.
    pub notices: RwSignal<Vec<Text>>,
    /// Wall clock in ms, ticking every second in the browser (0 during the server render).
    pub now: RwSignal<i64>,
    /// The last ticket issued on this kiosk (kept in IndexedDB).
    pub last_issued: RwSignal<Option<String>>,
    /// The code this unpaired device shows for the admin to type.
    pub pairing_code: RwSignal<Option<String>>,
    /// The officer signed in on this counter.
    pub officer: RwSignal<Option<String>>,
    /// The loket this counter works at (kept in IndexedDB; the server accepts the
    /// officer's actions at this loket only).
    pub loket: RwSignal<Option<crate::domain::ids::LoketId>>,
    /// The lokets the signed-in officer is assigned to (empty: any).
    pub assigned: RwSignal<Vec<crate::domain::ids::LoketId>>,
    /// Where a kiosk's printed tracking links point, when not at its own origin: the
    /// server's plain address while the tablets use HTTPS (kept in IndexedDB).
    pub citizen_origin: RwSignal<Option<String>>,
    #[cfg(feature = "hydrate")]
    rt: StoredValue<Option<device_state::Handle>, LocalStorage>,
}

impl Device {
    /// Today's service day by the device's ticking clock (`None` before the first tick and
    /// during the server render). Read inside a memo, it changes once a day: screens left
    /// open overnight roll over to the new day's line by themselves.
    pub fn today(&self) -> Option<jiff::civil::Date> {
        let now = self.now.get();
        if now == 0 {
            return None;
        }
        let ts = jiff::Timestamp::from_millisecond(now).ok()?;
        self.rules
            .with(|r| r.as_ref().map(|r| r.calendar.service_day(ts)))
    }

    /// Creates the device for a page and, in the browser, starts its runtime once the page
    /// has hydrated.
    pub fn start(role: DeviceRole) -> Self {
        let d = Device {
            role,
            phase: RwSignal::new(Phase::Starting),
            replica: RwSignal::new(Replica::default()),
            rules: RwSignal::new(None),
            status: RwSignal::new(SyncStatus {
                // Until a request succeeds (an unpaired kiosk started with the server
                // down must not say "Terhubung").
                online: false,
                pending: 0,
                last_synced_ms: None,
                cursor: 0,
            }),
            notices: RwSignal::new(Vec::new()),
            now: RwSignal::new(0),
            last_issued: RwSignal::new(None),
            pairing_code: RwSignal::new(None),
            officer: RwSignal::new(None),
            loket: RwSignal::new(None),
            assigned: RwSignal::new(Vec::new()),
            citizen_origin: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            rt: StoredValue::new_local(None),
        };
        #[cfg(feature = "hydrate")]
        {
            // Effects run only in the browser, after hydration.
            Effect::new(move |prev: Option<()>| {
                if prev.is_none() {
                    leptos::task::spawn_local(async move {
                        let handle = runtime::start(d).await;
                        d.rt.set_value(handle);
                    });
                }
            });
        }
        d
    }

    /// Issues a ticket on this kiosk: numbered by the server at the tap while it answers,
    /// else from the kiosk's own series; applied locally and stored in IndexedDB before
    /// this returns.
    /// `token` is the ticket's tracking token, made beforehand with [`Device::fresh_token`]
    /// so that the ticket screen's QR code is drawn before the tap.
    pub async fn issue_ticket(
        &self,
        service: ServiceCode,
        priority: Priority,
        token: TrackingToken,
    ) -> Result<IssuedTicket, Text> {
        #[cfg(feature = "hydrate")]
        {
            let Some(h) = self.rt.get_value() else {
                return Err(not_ready());
            };
            runtime::issue_ticket(*self, h, service, priority, token).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (service, priority, token);
            Err(not_ready())
        }
    }

    /// A new random tracking token for the next ticket; `None` during the server render
    /// (the first render must not differ between server and browser) and when the
    /// browser's random generator failed.
    pub fn fresh_token() -> Option<TrackingToken> {
        #[cfg(feature = "hydrate")]
        {
            runtime::fresh_token()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            None
        }
    }

    /// Performs an officer's action (or a kiosk's rejoin) and stores it durably.
    pub async fn act(&self, kind: MutationKind) -> Result<(), Text> {
        #[cfg(feature = "hydrate")]
        {
            let Some(h) = self.rt.get_value() else {
                return Err(not_ready());
            };
            runtime::act(*self, h, kind).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = kind;
            Err(not_ready())
        }
    }

    /// Sets (or, with `None`, leaves) the counter's loket and registers it with the
    /// server. Refused while actions wait to be sent: they were taken at the old loket.
    pub async fn set_loket(&self, loket: Option<crate::domain::ids::LoketId>) -> Result<(), Text> {
        #[cfg(feature = "hydrate")]
        {
            let Some(h) = self.rt.get_value() else {
                return Err(not_ready());
            };
            runtime::set_loket(*self, h, loket).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = loket;
            Err(not_ready())
        }
    }

    /// Signs an officer in on this counter.
    pub async fn sign_in(&self, username: String, password: String) -> Result<(), Text> {
        #[cfg(feature = "hydrate")]
        {
            let Some(h) = self.rt.get_value() else {
                return Err(not_ready());
            };
            auth::sign_in(*self, h, username, password).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (username, password);
            Err(not_ready())
        }
    }

    pub async fn sign_out(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(h) = self.rt.get_value() {
            auth::sign_out(*self, h).await;
        }
    }

    /// Every loket of the office, from the catalogue (empty until it is loaded); reactive.
    /// The lokets this counter may be set to: the office's, those the officer is assigned
    /// to when they are.
    pub fn lokets(&self) -> Vec<crate::domain::ids::LoketId> {
        let assigned = self.assigned.get();
        self.rules
            .get()
            .map(|r| r.catalogue.lokets())
            .unwrap_or_default()
            .into_iter()
            .filter(|l| crate::domain::accounts::may_work_at(&assigned, *l))
            .collect()
    }

    pub fn dismiss_notices(&self) {
        self.notices.set(Vec::new());
    }
}

fn not_ready() -> Text {
    crate::text::NOT_READY.into()
}
