//! Pieces the views share.

mod chime;
mod gate;
mod qr;
mod standard;
mod status;

#[cfg(feature = "hydrate")]
pub use chime::chime;
pub use gate::{PairingCode, SignInForm};
pub use qr::QrCode;
pub use standard::{OfficeCard, Standard};
pub use status::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
