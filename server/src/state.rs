//! The state every handler shares.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Instant;

use app::domain::authority::Authority;
use app::domain::ids::ClientId;
use app::domain::public_page::PeriodIkm;
use axum::extract::ws::Utf8Bytes;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::sync::{broadcast, watch, Mutex};

use std::sync::atomic::AtomicU64;

use crate::auth::cache::TokenCache;
use crate::auth::limits::Limits;
use crate::auth::pairing::Pairings;
use crate::store::Store;
use crate::sync::tail::Tail;

/// The public page's index of the last month, kept for the month it was computed in
/// (`crate::public_page`).
pub type IkmCache = Mutex<Option<(jiff::civil::Date, Option<PeriodIkm>)>>;

/// What the live stream tells its subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// The log grew to `cursor`; `poke` is the devices' message, serialised once for all
    /// subscribers (with the new events when there are few).
    Grew { cursor: u64, poke: Utf8Bytes },
    /// This device was revoked: its open streams close at once.
    Revoked(ClientId),
    /// This staff session ended (sign-out, or a sign-in that replaced it): its streams
    /// close at once.
    SessionEnded(String),
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    /// The authoritative replica, device counters and leases. Pushes and leases take the
    /// lock for the whole plan → persist → commit sequence, so they are serialised.
    pub authority: Arc<Mutex<Authority>>,
    /// What the office's devices and counters hear (see [`crate::sync::announce`]).
    pub live: broadcast::Sender<Live>,
    /// The newest cursor announced, for the citizens' pacer ([`crate::sync::pace_citizens`]).
    pub citizen_news: watch::Sender<u64>,
    /// What citizens' pages hear, each page on one shard: the newest cursor, at most once
    /// per [`crate::sync::CITIZEN_POKE_EVERY`] and after the devices.
    pub citizens: Arc<[watch::Sender<u64>]>,
    pub started: Instant,
    pub limits: Arc<Limits>,
    pub pairings: Arc<Pairings>,
    /// The one-time token that creates the first admin, with the moment it expires; `None`
    /// once an account exists or a setup has taken it.
    pub setup_token: Arc<StdMutex<Option<(String, Instant)>>>,
    /// Whether session cookies carry `Secure` (off only for plain-HTTP office networks).
    pub secure_cookies: bool,
    /// How long tickets and survey links are kept, in days.
    pub retention_days: u32,
    /// Held by a retention run: the scheduled one and an admin's never run at once (two
    /// purges of the same rows would conflict).
    pub retention_running: Arc<Mutex<()>>,
    /// The newest events of the log, for pulls.
    pub tail: Arc<Tail>,
    /// The newest sequence number this instance has applied.
    pub newest: Arc<AtomicU64>,
    /// Paired devices by token digest, so a device's requests need no database lookup.
    pub device_tokens: Arc<TokenCache>,
    /// Open connections (the accept loop's limits).
    pub census: Arc<crate::connections::Census>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Wrong passwords per account.
    pub backoff: Arc<crate::auth::limits::Backoff>,
    /// Open live streams (their limits).
    pub streams: Arc<crate::streams::Streams>,
    /// The public page's index of the last month.
    pub public_ikm: Arc<IkmCache>,
    /// The plain port, when the tablets use HTTPS: citizens' tracking links (the QR codes
    /// kiosks print) go there, since a phone does not trust the office's authority.
    pub citizen_port: Option<u16>,
    /// Web Push to citizens' phones.
    pub push: Arc<crate::push::Push>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

/// Milliseconds since the Unix epoch: the server's clock, read only at the edge.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
