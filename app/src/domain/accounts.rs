//! Who may act: staff roles, the rules for names and passwords, and the wire types of
//! sign-in, device pairing and the audit log, shared by the admin page and the server.
//!
//! The server decides every request with these roles (one authorization layer); the views
//! only use them to show or hide what the signed-in person can do.

use serde::{Deserialize, Serialize};

use super::i18n::Text;
use super::ids::{ClientId, LoketId};
use super::mutation::DeviceRole;

/// A staff member's role. Ordered: an admin may do what a supervisor may, a supervisor what
/// an officer may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Serves citizens at a loket.
    Officer,
    /// Reads the audit log and the satisfaction index.
    Supervisor,
    /// Manages staff accounts and pairs or revokes devices.
    Admin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [StaffRole::Officer, StaffRole::Supervisor, StaffRole::Admin];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "officer" => Some(Self::Officer),
            "supervisor" => Some(Self::Supervisor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Self::Officer => Text::new("Petugas loket", "Counter officer"),
            Self::Supervisor => Text::new("Supervisor", "Supervisor"),
            Self::Admin => Text::new("Admin", "Admin"),
        }
    }
}

/// Why a staff name or password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("the user name must be 3–32 characters of a–z, 0–9, '.', '_' or '-'")]
    Username,
    #[error("the password must be at least {MIN_PASSWORD} characters")]
    ShortPassword,
    #[error("the password must be at most {MAX_PASSWORD} characters")]
    LongPassword,
}

impl AccessError {
    pub fn text(&self) -> Text {
        match self {
            Self::Username => Text::new(
                "Nama pengguna 3–32 karakter: huruf kecil a–z, angka, titik, garis bawah atau tanda hubung.",
                "The user name must be 3–32 characters of a–z, 0–9, '.', '_' or '-'.",
            ),
            Self::ShortPassword => Text::new(
                format!("Kata sandi minimal {MIN_PASSWORD} karakter."),
                format!("The password must be at least {MIN_PASSWORD} characters."),
            ),
            Self::LongPassword => Text::new(
                format!("Kata sandi maksimal {MAX_PASSWORD} karakter."),
                format!("The password must be at most {MAX_PASSWORD} characters."),
            ),
        }
    }
}

/// Passwords shorter than this are refused: staff accounts guard the audit log and devices.
pub const MIN_PASSWORD: usize = 10;
/// Bounds the work of hashing an attacker-supplied password.
pub const MAX_PASSWORD: usize = 128;

/// A staff user name: an identifier, never a person's full name (no personal data in logs
/// or in the audit trail beyond what the office chooses as a login).
pub fn check_username(name: &str) -> Result<(), AccessError> {
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AccessError::Username)
    }
}

pub fn check_password(password: &str) -> Result<(), AccessError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        Err(AccessError::ShortPassword)
    } else if n > MAX_PASSWORD {
        Err(AccessError::LongPassword)
    } else {
        Ok(())
    }
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// `POST /api/auth/setup`: the first admin, with the one-time token printed at first start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub setup_token: String,
    pub username: String,
    pub password: String,
}

/// `GET /api/auth/setup`: whether the first admin still has to be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupState {
    pub needed: bool,
}

/// The signed-in person, as `GET /api/auth/me` and the login answer describe them. `csrf`
/// goes into the `X-CSRF-Token` header of every state-changing request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub username: String,
    pub role: StaffRole,
    pub csrf: String,
    /// Signed in with a temporary password: nothing else is allowed until it is changed.
    #[serde(default)]
    pub must_change_password: bool,
    /// The lokets this account works at; empty: any.
    #[serde(default)]
    pub lokets: Vec<LoketId>,
}

/// `POST /api/admin/staff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaff {
    pub username: String,
    pub role: StaffRole,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub username: String,
    pub role: StaffRole,
    pub created_ms: i64,
    #[serde(default)]
    pub disabled: bool,
    /// The lokets the account is assigned to; empty: any.
    #[serde(default)]
    pub lokets: Vec<LoketId>,
}

/// Whether an officer assigned to `assigned` (empty: any loket) may work at `loket`.
pub fn may_work_at(assigned: &[LoketId], loket: LoketId) -> bool {
    assigned.is_empty() || assigned.contains(&loket)
}

/// `POST /api/auth/password`: a signed-in person changes their own password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

/// `POST /api/admin/staff/{username}/role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRole {
    pub role: StaffRole,
}

/// `POST /api/admin/staff/{username}/lokets`: the lokets an account works at, as the
/// admin writes them ("1, 2"; empty: any loket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLokets {
    pub lokets: String,
}

/// The answer to `POST /api/admin/staff/{username}/reset-password`: shown once to the
/// admin, who hands it over; the account must change it at its next sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryPassword {
    pub password: String,
}

/// `POST /api/pairing`: an unpaired kiosk or display asks for a pairing code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingStart {
    pub client_id: ClientId,
    pub role: DeviceRole,
}

/// The answer: `code` is shown on the device for the admin to type; `pairing_id` is the
/// device's secret to collect its token once the admin confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingOffer {
    pub pairing_id: String,
    pub code: String,
    pub expires_ms: i64,
}

/// `POST /api/pairing/claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingClaim {
    pub pairing_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "status",
    rename_all = "snake_case",
    try_from = "super::wire::ClaimRecord"
)]
pub enum ClaimAnswer {
    /// The admin has not confirmed the code yet.
    Pending,
    /// Paired: the device keeps `token` and sends it as `Authorization: Bearer`.
    Paired { token: String, series: Option<u8> },
}

/// `POST /api/admin/pairing/confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPairing {
    pub code: String,
    /// Where the device stands, e.g. "Kiosk pintu utama".
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub client_id: ClientId,
    pub role: DeviceRole,
    pub label: String,
    pub paired_ms: Option<i64>,
    pub revoked: bool,
}

/// One staff action in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub username: String,
    /// What was done: the event kind (`called`, `accepted`, `handed_over`, …) or an admin
    /// action (`paired_device`, `revoked_device`, `created_staff`).
    pub action: String,
    /// The ticket number or device the action was about.
    pub subject: String,
}

/// An audit action in words, for the supervisor's log (unknown codes are shown as they are).
pub fn action_label(action: &str) -> Text {
    let (id, en) = match action {
        "called" => ("memanggil", "called"),
        "recalled" => ("memanggil ulang", "recalled"),
        "marked_no_show" => ("menandai tidak hadir", "marked no-show"),
        "reinstated" => ("mengantrekan kembali", "reinstated"),
        "started" => ("mulai melayani", "started serving"),
        "returned" => ("mengembalikan berkas", "returned the file"),
        "rejoined" => ("menerima kembali", "took back"),
        "accepted" => ("menerima berkas", "accepted the file"),
        "marked_ready" => ("menandai siap", "marked ready"),
        "checked_in" => (
            "hadir untuk mengambil (kios)",
            "checked in to collect (kiosk)",
        ),
        "pickup_called" => ("memanggil pengambilan", "called for pickup"),
        "handed_over" => ("menyerahkan dokumen", "handed over"),
        "transferred" => ("memindahkan", "transferred"),
        "cancelled" => ("membatalkan", "cancelled"),
        "paired_device" => ("memasangkan perangkat", "paired a device"),
        "revoked_device" => ("mencabut perangkat", "revoked a device"),
        "created_staff" => ("membuat akun", "created an account"),
        "disabled_staff" => ("menonaktifkan akun", "disabled an account"),
        "enabled_staff" => ("mengaktifkan akun", "enabled an account"),
        "changed_role" => ("mengubah peran", "changed a role"),
        "reset_password" => ("mengatur ulang kata sandi", "reset a password"),
        "changed_own_password" => ("mengganti kata sandinya", "changed their password"),
        "changed_holidays" => ("mengubah hari libur", "changed the holidays"),
        "changed_lokets" => ("mengubah loket petugas", "changed an officer's lokets"),
        "downloaded_backup" => ("mengunduh cadangan data", "downloaded a backup"),
        "changed_service" => ("mengubah standar layanan", "changed a service standard"),
        "added_service" => ("menambah layanan", "added a service"),
        "retired_service" => ("menghentikan layanan", "stopped offering a service"),
        "offered_service" => ("menawarkan kembali layanan", "offered a service again"),
        "changed_hours" => ("mengubah jam layanan", "changed the office hours"),
        "pickup_missed" => ("menandai tidak datang mengambil", "marked not collected"),
        other => (other, other),
    };
    Text::new(id, en)
}

/// The longest free-text label a device or note may carry.
pub const MAX_LABEL: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_officer_works_at_the_lokets_assigned_or_anywhere_when_none_are() {
        let l = |n| LoketId::new(n).unwrap();
        assert!(may_work_at(&[], l(3)));
        assert!(may_work_at(&[l(1), l(2)], l(2)));
        assert!(!may_work_at(&[l(1), l(2)], l(3)));
        assert_eq!(LoketId::parse_list(" 2, 1,2 ,"), Ok(vec![l(2), l(1)]));
        assert_eq!(LoketId::parse_list(""), Ok(vec![]));
        assert!(LoketId::parse_list("1, dua").is_err());
        assert!(LoketId::parse_list("0").is_err());
        assert!(LoketId::parse_list("100").is_err());
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(StaffRole::Officer < StaffRole::Supervisor);
        assert!(StaffRole::Supervisor < StaffRole::Admin);
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }

    #[test]
    fn usernames() {
        for ok in ["adi", "petugas.loket-1", "sup_2", &"a".repeat(32)] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        for bad in ["ab", "Adi", "ni ka", "ñame", "", &"a".repeat(33), "a/b"] {
            assert_eq!(check_username(bad), Err(AccessError::Username), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert_eq!(check_password("123456789"), Err(AccessError::ShortPassword));
        assert_eq!(check_password("1234567890"), Ok(()));
        // Counted in characters, not bytes.
        assert_eq!(check_password("ééééééééé"), Err(AccessError::ShortPassword));
        assert_eq!(check_password(&"x".repeat(128)), Ok(()));
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(AccessError::LongPassword)
        );
    }

    #[test]
    fn every_event_has_words_in_the_audit_log() {
        use crate::domain::ticket::EventKind;
        let names = [
            EventKind::Recalled.name(),
            EventKind::MarkedNoShow.name(),
            EventKind::Reinstated.name(),
            EventKind::Started.name(),
            EventKind::Rejoined.name(),
            EventKind::MarkedReady.name(),
            EventKind::CheckedIn.name(),
            EventKind::HandedOver.name(),
            EventKind::Cancelled.name(),
        ];
        for n in names.into_iter().chain([
            "called",
            "accepted",
            "returned",
            "pickup_called",
            "transferred",
        ]) {
            assert_ne!(action_label(n).id, n, "{n} has no Indonesian words");
        }
        assert_eq!(action_label("something_new").en, "something_new");
    }

    #[test]
    fn claim_answer_wire_shape() {
        let v = serde_json::to_value(ClaimAnswer::Paired {
            token: "t".into(),
            series: Some(1),
        })
        .unwrap();
        assert_eq!(v["status"], "paired");
        assert_eq!(
            serde_json::to_value(ClaimAnswer::Pending).unwrap()["status"],
            "pending"
        );
    }
}
