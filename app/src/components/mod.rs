//! Pieces the views share.

mod access;
mod qr;
mod status;

pub use access::{PairingCode, SignInForm};
pub use qr::QrCode;
pub use status::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
