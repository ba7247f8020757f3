//! The Antrean server: serves the Leptos app (SSR + the WASM bundle), the sync API and the
//! citizen API, and stores everything in SurrealDB.
//!
//! Layout:
//! - [`config`]: settings from the environment;
//! - [`startup`]: builds the state and the router, binds, serves, shuts down cleanly;
//! - [`store`]: SurrealDB connection, schema migrations, repositories;
//! - [`sync`]: push, pull, number leases, device registration, the live stream;
//! - [`api`]: health, catalogue, the citizen's tracking page data and survey;
//! - [`error`]: the one error type of the HTTP edge.

pub mod api;
pub mod config;
pub mod error;
pub mod startup;
pub mod state;
pub mod store;
pub mod sync;
