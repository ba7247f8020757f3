//! Pieces the views share.

mod qr;
mod status;

pub use qr::QrCode;
pub use status::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
