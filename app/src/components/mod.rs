//! Pieces the views share.

mod chime;
mod gate;
mod qr;
mod status;

#[cfg(feature = "hydrate")]
pub use chime::chime;
pub use gate::{PairingCode, SignInForm};
pub use qr::QrCode;
pub use status::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
