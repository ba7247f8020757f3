//! The state every handler shares.

use std::sync::Arc;
use std::time::Instant;

use app::domain::authority::Authority;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::sync::{broadcast, Mutex};

use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    /// The authoritative replica, device counters and leases. Pushes and leases take the
    /// lock for the whole plan → persist → commit sequence, so they are serialised.
    pub authority: Arc<Mutex<Authority>>,
    /// Pokes live subscribers with the newest sequence number.
    pub live: broadcast::Sender<u64>,
    pub started: Instant,
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
