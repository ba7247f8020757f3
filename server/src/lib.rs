//! The Antrean server: serves the Leptos app (SSR + the WASM bundle), the sync API and the
//! citizen API, and stores everything in SurrealDB.
//!
//! Layout:
//! - [`config`]: settings from the environment;
//! - [`connections`]: the accept loop: connection limits and timeouts;
//! - [`startup`]: builds the state and the router, binds, serves, shuts down cleanly;
//! - [`store`]: SurrealDB connection, schema migrations, repositories;
//! - [`sync`]: push, pull, number leases, device registration, the live stream;
//! - [`api`]: health, catalogue, the citizen's tracking page data and survey;
//! - [`routes`]: every API route with its access rule; [`auth`]: the one authorization
//!   layer, rate limits, secrets and pairing codes;
//! - [`staff`]: accounts, sign-in, the audit log; [`devices`]: pairing and revocation;
//! - [`closing`]: the service day's close at closing time;
//! - [`retention`]: the scheduled purge of old tickets;
//! - [`streams`]: how many live streams a caller may hold;
//! - [`site`]: the compiled site's hashed names, service worker and cache headers;
//! - [`error`]: the one error type of the HTTP edge.

#![recursion_limit = "256"]

pub mod api;
pub mod auth;
pub mod backup;
pub mod catalogue_edits;
pub mod closing;
pub mod config;
pub mod connections;
pub mod devices;
pub mod error;
pub mod expiring;
pub mod heap;
pub mod public_page;
pub mod push;
pub mod report_backfill;
pub mod reports;
pub mod retention;
pub mod routes;
pub mod site;
pub mod staff;
pub mod startup;
pub mod state;
pub mod store;
pub mod streams;
pub mod sync;
pub mod tls;
