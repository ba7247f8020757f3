//! Integration tests against the real server binary and real SurrealDB (in memory or on
//! disk in a temp directory). One binary, a module per feature.

mod helpers;

mod bad_input;
mod citizen;
mod health;
mod sync;
