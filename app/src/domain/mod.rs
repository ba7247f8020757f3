//! The rules of the service, and nothing else.
//!
//! This module is compiled into both the WASM client and the server. It owns the
//! catalogue of services, the ticket lifecycle, offline-safe numbering, queue order and
//! wait estimates, working-day deadlines, the satisfaction index (IKM), the mutation and
//! event types of the sync protocol, and the sync client's state machine.
//!
//! It must not do I/O: no leptos, web-sys, rexie, axum, SurrealDB or tokio, and it never
//! reads the clock or a random source. `now`, ids and tokens are always arguments, so every
//! rule is a pure function that the tests drive with a fake clock.
//!
//! Words used throughout (Bahasa Indonesia where it is the real term):
//! - *loket*: a service counter, numbered from 1;
//! - *berkas*: the documents of an application;
//! - *resi*: the pickup receipt handed over when the berkas is accepted;
//! - *WITA*: Bali's time zone (Asia/Makassar, UTC+8).

pub mod accounts;
pub mod announce;
pub mod authority;
pub mod calendar;
pub mod catalogue;
pub mod catalogue_edit;
pub mod device_phase;
pub mod hlc;
pub mod i18n;
pub mod ids;
pub mod ikm;
pub mod kiosk_return;
pub mod mutation;
pub mod notify;
pub mod numbering;
pub mod public_page;
pub mod queue;
pub mod refusal;
pub mod replica;
pub mod report;
pub mod service_day;
pub mod snapshot;
pub mod sync_client;
pub mod ticket;
pub mod time_format;
pub mod tracking;
pub mod wire;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod simulation;
