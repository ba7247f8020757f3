//! Why the server refused a request, as a code both sides share. The server sends the
//! code (with its HTTP status and an English message for logs and API users); the device
//! words it in the user's language, so no English reaches an Indonesian sentence.

use serde::{Deserialize, Serialize};

use super::accounts::AccessError;
use super::i18n::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    // One general reason per status, for refusals no view words more precisely.
    Invalid,
    SignInFirst,
    NotAllowed,
    NotFound,
    Conflict,
    TooLarge,
    TooMany,
    // Staff accounts and the first set-up.
    WrongCredentials,
    WrongSetupToken,
    SetupTokenExpired,
    SetupDone,
    UsernameTaken,
    Username,
    ShortPassword,
    LongPassword,
    RoleTooLow,
    StaleSession,
    AccountDisabled,
    ChangePasswordFirst,
    WrongCurrentPassword,
    OwnAccount,
    LastAdmin,
    NoSuchAccount,
    // Devices and pairing.
    DeviceNotPaired,
    CounterSignsIn,
    PairingCodeUnknown,
    PairingExpired,
    AlreadyPaired,
    TooManyPairings,
    NoSuchDevice,
    TabletInUse,
    NotYourLoket,
    // The citizen.
    TicketNotFound,
    SurveyClosed,
    SurveyAnswered,
    // Notifications (Web Push).
    PushTicketEnded,
    PushSubscriptionInvalid,
    PushTooManyBrowsers,
}

impl Refusal {
    /// The HTTP status the refusal travels with.
    pub fn status(self) -> u16 {
        use Refusal::*;
        match self {
            Invalid
            | Username
            | ShortPassword
            | LongPassword
            | CounterSignsIn
            | PushSubscriptionInvalid => 400,
            SignInFirst | WrongCredentials | DeviceNotPaired => 401,
            NotAllowed | WrongSetupToken | SetupTokenExpired | RoleTooLow | StaleSession
            | AccountDisabled | ChangePasswordFirst | WrongCurrentPassword | NotYourLoket => 403,
            NotFound | PairingCodeUnknown | PairingExpired | NoSuchDevice | TicketNotFound
            | NoSuchAccount => 404,
            Conflict | SetupDone | UsernameTaken | AlreadyPaired | TabletInUse | SurveyClosed
            | SurveyAnswered | OwnAccount | LastAdmin | PushTicketEnded | PushTooManyBrowsers => {
                409
            }
            TooLarge => 413,
            TooMany | TooManyPairings => 429,
        }
    }

    /// The general reason for a status, for an answer that carries no code.
    pub fn of_status(status: u16) -> Self {
        match status {
            401 => Refusal::SignInFirst,
            403 => Refusal::NotAllowed,
            404 => Refusal::NotFound,
            409 => Refusal::Conflict,
            413 => Refusal::TooLarge,
            429 => Refusal::TooMany,
            _ => Refusal::Invalid,
        }
    }

    /// The sentence the user reads.
    pub fn text(self) -> Text {
        use Refusal::*;
        let t = Text::new;
        match self {
            Invalid => t(
                "Permintaan tidak dapat diproses: periksa isian lalu coba lagi.",
                "The request cannot be processed: check what you entered and try again.",
            ),
            SignInFirst => t("Silakan masuk dulu.", "Please sign in first."),
            NotAllowed => t(
                "Anda tidak berwenang melakukan ini.",
                "You are not allowed to do this.",
            ),
            NotFound => t("Data tidak ditemukan.", "Not found."),
            Conflict => t(
                "Permintaan bertabrakan dengan perubahan lain. Muat ulang halaman lalu coba lagi.",
                "The request clashes with another change. Reload the page and try again.",
            ),
            TooLarge => t("Data yang dikirim terlalu besar.", "What was sent is too large."),
            TooMany => t(
                "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
                "Too many attempts. Wait a moment and try again.",
            ),
            WrongCredentials => t(
                "Nama pengguna atau kata sandi salah.",
                "Wrong user name or password.",
            ),
            WrongSetupToken => t(
                "Kode penyiapan salah. Salin kode dari log server.",
                "Wrong set-up code. Copy the code from the server's log.",
            ),
            SetupTokenExpired => t(
                "Kode penyiapan sudah kedaluwarsa. Jalankan ulang server untuk kode baru.",
                "The set-up code expired. Restart the server for a new one.",
            ),
            SetupDone => t(
                "Penyiapan sudah selesai. Masuk dengan akun yang ada.",
                "Set-up is done. Sign in with an existing account.",
            ),
            UsernameTaken => t(
                "Nama pengguna itu sudah dipakai.",
                "That user name is taken.",
            ),
            Username => AccessError::Username.text(),
            ShortPassword => AccessError::ShortPassword.text(),
            LongPassword => AccessError::LongPassword.text(),
            RoleTooLow => t(
                "Peran Anda tidak mencukupi untuk ini.",
                "Your role does not allow this.",
            ),
            StaleSession => t(
                "Sesi halaman ini sudah tidak berlaku. Muat ulang halaman.",
                "This page's session is no longer valid. Reload the page.",
            ),
            AccountDisabled => t(
                "Akun ini dinonaktifkan. Hubungi admin kantor.",
                "This account is disabled. Ask the office's admin.",
            ),
            ChangePasswordFirst => t(
                "Ganti kata sandi sementara Anda dulu.",
                "Change your temporary password first.",
            ),
            WrongCurrentPassword => t(
                "Kata sandi saat ini salah.",
                "The current password is wrong.",
            ),
            OwnAccount => t(
                "Akun Anda sendiri tidak dapat diubah di sini; minta admin lain.",
                "Your own account cannot be changed here; ask another admin.",
            ),
            LastAdmin => t(
                "Harus tetap ada setidaknya satu admin aktif.",
                "At least one active admin must remain.",
            ),
            NoSuchAccount => t("Akun tidak ditemukan.", "No such account."),
            DeviceNotPaired => t(
                "Perangkat ini dicabut atau belum dipasangkan. Minta admin memasangkannya lagi.",
                "This device was revoked or is not paired. Ask an admin to pair it again.",
            ),
            CounterSignsIn => t(
                "Tablet loket tidak dipasangkan: petugas cukup masuk di tablet itu.",
                "A counter tablet is not paired: an officer signs in on it.",
            ),
            PairingCodeUnknown => t(
                "Tidak ada perangkat yang menampilkan kode ini. Periksa kodenya atau minta kode baru.",
                "No device shows this code. Check it, or ask for a new one.",
            ),
            PairingExpired => t(
                "Permintaan pemasangan ini kedaluwarsa. Minta kode baru.",
                "This pairing request expired. Ask for a new code.",
            ),
            AlreadyPaired => t(
                "Perangkat ini sudah dipasangkan. Cabut dulu di daftar perangkat untuk memasangkannya lagi.",
                "This device is already paired. Revoke it in the device list first to pair it again.",
            ),
            TooManyPairings => t(
                "Terlalu banyak perangkat menunggu dipasangkan. Coba lagi sebentar lagi.",
                "Too many devices are waiting to be paired. Try again shortly.",
            ),
            NoSuchDevice => t("Perangkat tidak ditemukan.", "No such device."),
            TabletInUse => t(
                "Tablet ini masih dipakai petugas lain yang belum keluar. Minta petugas itu keluar dulu, lalu masuk lagi.",
                "Another officer is still signed in on this tablet. Ask them to sign out, then sign in again.",
            ),
            NotYourLoket => t(
                "Akun Anda tidak ditugaskan di loket ini. Pilih loket Anda, atau minta admin menambahkannya.",
                "Your account is not assigned to this loket. Choose your loket, or ask an admin to add it.",
            ),
            TicketNotFound => t(
                "Tiket tidak ditemukan. Periksa tautan pada tiket Anda.",
                "Ticket not found. Check the link on your ticket.",
            ),
            SurveyClosed => t(
                "Survei dibuka setelah dokumen diambil.",
                "The survey opens once the document is collected.",
            ),
            SurveyAnswered => t(
                "Survei untuk tiket ini sudah diisi. Terima kasih!",
                "The survey for this ticket was already answered. Thank you!",
            ),
            PushTicketEnded => t(
                "Layanan untuk tiket ini sudah selesai; tidak ada lagi yang perlu diberitahukan.",
                "This ticket's service is over; there is nothing more to notify.",
            ),
            PushSubscriptionInvalid => t(
                "Peramban ini tidak dapat menerima notifikasi dari kami.",
                "This browser cannot receive our notifications.",
            ),
            PushTooManyBrowsers => t(
                "Tiket ini sudah diikuti dari terlalu banyak perangkat.",
                "This ticket is already followed from too many devices.",
            ),
        }
    }
}

impl From<AccessError> for Refusal {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Username => Refusal::Username,
            AccessError::ShortPassword => Refusal::ShortPassword,
            AccessError::LongPassword => Refusal::LongPassword,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reason, in declaration order (a new one the list misses fails to compile in
    /// `status` and `text`, not here: keep them together).
    const ALL: [Refusal; 38] = {
        use Refusal::*;
        [
            Invalid,
            SignInFirst,
            NotAllowed,
            NotFound,
            Conflict,
            TooLarge,
            TooMany,
            WrongCredentials,
            WrongSetupToken,
            SetupTokenExpired,
            SetupDone,
            UsernameTaken,
            Username,
            ShortPassword,
            LongPassword,
            RoleTooLow,
            StaleSession,
            AccountDisabled,
            ChangePasswordFirst,
            WrongCurrentPassword,
            OwnAccount,
            LastAdmin,
            NoSuchAccount,
            DeviceNotPaired,
            CounterSignsIn,
            PairingCodeUnknown,
            PairingExpired,
            AlreadyPaired,
            TooManyPairings,
            NoSuchDevice,
            TabletInUse,
            NotYourLoket,
            TicketNotFound,
            SurveyClosed,
            SurveyAnswered,
            PushTicketEnded,
            PushSubscriptionInvalid,
            PushTooManyBrowsers,
        ]
    };

    #[test]
    fn a_code_travels_as_a_snake_case_string_and_comes_back() {
        let json = serde_json::to_string(&Refusal::WrongCredentials).unwrap();
        assert_eq!(json, "\"wrong_credentials\"");
        assert_eq!(
            serde_json::from_str::<Refusal>(&json).unwrap(),
            Refusal::WrongCredentials
        );
    }

    #[test]
    fn each_general_reason_belongs_to_its_status() {
        for status in [400, 401, 403, 404, 409, 413, 429] {
            assert_eq!(Refusal::of_status(status).status(), status);
        }
        // Anything else the device cannot place reads as an invalid request.
        assert_eq!(Refusal::of_status(418), Refusal::Invalid);
    }

    #[test]
    fn every_reason_is_worded_in_both_languages_and_never_empty() {
        for r in ALL {
            let t = r.text();
            assert!(!t.id.is_empty() && !t.en.is_empty(), "{r:?}");
            assert_ne!(t.id, t.en, "{r:?} is not translated");
            assert!((400..500).contains(&r.status()), "{r:?}");
        }
    }
}
