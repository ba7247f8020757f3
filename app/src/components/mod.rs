//! Pieces the views share.

mod access;
mod chime;
mod qr;
mod status;

pub use access::{PairingCode, SignInForm};
#[cfg(feature = "hydrate")]
pub use chime::chime;
pub use qr::QrCode;
pub use status::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
