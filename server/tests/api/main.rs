//! Integration tests against the real server binary and real SurrealDB (in memory or on
//! disk in a temp directory). One binary, a module per feature.

mod helpers;

mod accounts_and_pairing;
mod auth_matrix;
mod backup;
mod bad_input;
mod catalogue_edits;
mod citizen;
mod connections;
mod deploy;
mod fuzz;
mod health;
mod ownership;
mod push;
mod races;
mod rate_limits;
mod reports;
mod service_day;
mod site;
mod sync;
mod tls;
