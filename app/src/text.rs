//! The UI's strings, Bahasa Indonesia first. Views take every fixed text from here; texts
//! that are data (service names, requirements) come from the catalogue in both languages.

use crate::domain::i18n::{Lang, Text};

/// A fixed UI text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T(pub &'static str, pub &'static str);

impl T {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.0,
            Lang::En => self.1,
        }
    }
}

impl From<T> for Text {
    fn from(t: T) -> Text {
        Text::new(t.0, t.1)
    }
}

pub const APP: T = T("Antrean", "Antrean");
pub const OFFICE_FALLBACK: T = T(
    "Layanan Administrasi Kependudukan",
    "Population administration services",
);
pub const LOADING: T = T("Memuat…", "Loading…");
pub const NEVER_CONNECTED: T = T(
    "Perangkat ini belum pernah terhubung ke server. Sambungkan sekali ke jaringan kantor untuk memuat daftar layanan.",
    "This device has never reached the server. Connect it to the office network once to load the services.",
);
pub const UNREACHABLE: T = T(
    "Server tidak terjangkau. Periksa jaringan lalu coba lagi.",
    "The server cannot be reached. Check the network and try again.",
);
pub const ONLINE: T = T("Terhubung", "Online");
pub const OFFLINE_KIOSK: T = T(
    "Luring — tiket tetap tercatat",
    "Offline — tickets are still recorded",
);
pub const OFFLINE: T = T(
    "Luring — tindakan tetap tercatat",
    "Offline — actions are still recorded",
);
pub const PENDING: T = T("menunggu dikirim", "waiting to upload");
pub const LANG_TOGGLE: T = T("English", "Bahasa Indonesia");
pub const CHOOSE_DEVICE: T = T("Pilih peran perangkat ini", "Choose this device's role");
pub const KIOSK: T = T("Mesin antrean", "Ticket kiosk");
pub const KIOSK_DESC: T = T(
    "Tablet di pintu masuk: warga mengambil nomor antrean.",
    "Tablet at the entrance: citizens take a number.",
);
pub const COUNTER: T = T("Loket", "Counter");
pub const COUNTER_DESC: T = T(
    "Tablet petugas: panggil, periksa berkas, terima, serahkan.",
    "Officer's tablet: call, check, accept, hand over.",
);
pub const DISPLAY: T = T("Layar panggilan", "Call display");
pub const DISPLAY_DESC: T = T(
    "Layar TV di ruang tunggu dengan suara panggilan.",
    "TV in the waiting room, with voice calls.",
);
pub const ADMIN: T = T("Administrasi", "Administration");
pub const ADMIN_DESC: T = T(
    "Katalog layanan dan indeks kepuasan masyarakat.",
    "Service catalogue and satisfaction index.",
);
pub const FREE: T = T("GRATIS", "FREE");
pub const WAITING_PEOPLE: T = T("orang menunggu", "waiting");
pub const BRING: T = T("Bawa:", "Bring:");
pub const COMPLETION: T = T("Waktu penyelesaian", "Completion time");
pub const WORKING_DAYS: T = T("hari kerja", "working day(s)");
pub const PRODUCT: T = T("Produk", "Product");
pub const FEE: T = T("Biaya", "Fee");
pub const REQUIREMENTS: T = T("Persyaratan", "Requirements");
pub const PROCEDURE: T = T("Prosedur", "Procedure");
pub const TAKE_NUMBER: T = T("Ambil nomor", "Take a number");
pub const BACK: T = T("Kembali", "Back");
pub const PRIORITY_Q: T = T("Layanan prioritas?", "Priority service?");
pub const P_REGULAR: T = T("Umum", "Regular");
pub const P_ELDERLY: T = T("Lansia", "Elderly");
pub const P_DISABLED: T = T("Disabilitas", "Disabled");
pub const P_PREGNANT: T = T("Ibu hamil", "Pregnant");
pub const YOUR_NUMBER: T = T("Nomor antrean Anda", "Your number");
pub const AHEAD: T = T("orang di depan Anda", "people ahead of you");
pub const ABOUT_MIN: T = T("perkiraan tunggu (menit)", "expected wait (min)");
pub const SCAN: T = T(
    "Scan untuk memantau antrean Anda",
    "Scan to follow your ticket",
);
pub const KEEP_TICKET: T = T("Simpan tiket ini", "Keep this ticket");
pub const PRINT: T = T("Cetak", "Print");
pub const DONE: T = T("Selesai", "Done");
pub const LAST_TICKET: T = T("Tiket terakhir", "Last ticket");
pub const REJOIN: T = T(
    "Kembali membawa berkas lengkap, atau mengambil dokumen",
    "Back with complete documents, or to collect",
);
pub const REJOIN_HELP: T = T(
    "Pindai kode QR tiket atau resi, atau ketik nomornya (mis. A-007 atau 20261130-A-007)",
    "Scan the QR code of your ticket or receipt, or type its number (e.g. A-007 or 20261130-A-007)",
);
pub const REJOIN_OK: T = T(
    "Anda masuk antrean kembali. Silakan duduk dan tunggu panggilan.",
    "You are back in the queue. Please wait to be called.",
);
pub const REJOIN_NOT_FOUND: T = T(
    "Tidak ada berkas yang dikembalikan atau dokumen yang menunggu diambil dengan nomor itu.",
    "No returned file and no document waiting for collection has that number.",
);
pub const CHECKED_IN_OK: T = T(
    "Anda tercatat hadir untuk mengambil dokumen. Silakan duduk; nomor Anda akan dipanggil di layar.",
    "You are checked in to collect your document. Please take a seat; your number will be called on the screen.",
);
/// On the counter's ready files: the citizen checked in at the kiosk today.
pub const PRESENT: T = T("Hadir", "Present");
pub const CONFIRM: T = T("Kirim", "Submit");
pub const COOLDOWN: T = T("Tunggu sebentar…", "One moment…");

pub const CHOOSE_LOKET: T = T("Pilih loket Anda", "Choose your counter");
pub const LOKET: T = T("Loket", "Counter");
pub const QUEUE: T = T("Antrean", "Queue");
pub const NOBODY_WAITING: T = T("Tidak ada yang menunggu.", "Nobody is waiting.");
pub const CALL_NEXT: T = T("Panggil berikutnya", "Call next");
pub const START: T = T("Mulai layanan", "Start service");
pub const RECALL: T = T("Panggil ulang", "Recall");
pub const NO_SHOW: T = T("Tidak hadir", "No-show");
pub const PICKUP_ABSENT: T = T("Tidak datang mengambil", "Did not come to collect");
pub const CHECKLIST: T = T("Periksa kelengkapan berkas", "Check the documents");
pub const ACCEPT: T = T("Terima berkas", "Accept documents");
pub const RETURN: T = T("Kembalikan berkas", "Return documents");
pub const RETURN_HINT: T = T(
    "Yang tidak dicentang dicatat sebagai kurang.",
    "Unticked items are recorded as missing.",
);
pub const CALLED: T = T("Dipanggil", "Called");
pub const SERVING: T = T("Sedang dilayani", "Being served");
pub const TIMES: T = T("kali", "times");
pub const ACCEPTED_TAB: T = T("Berkas diterima", "Accepted files");
pub const ASIDE_TAB: T = T("Tidak hadir / dikembalikan", "No-show / returned");
pub const DUE: T = T("Jatuh tempo", "Due");
pub const NO_RANDOM: T = T(
    "Pembangkit acak perangkat gagal; tiket tidak diterbitkan. Muat ulang halaman.",
    "The device's random generator failed; no ticket was issued. Reload the page.",
);
pub const OVERDUE: T = T("Terlambat", "Overdue");
pub const UNCOLLECTED: T = T("Lama belum diambil", "Long uncollected");
pub const MARK_READY: T = T("Siap diambil", "Ready");
pub const CALL_PICKUP: T = T("Panggil ambil", "Call for pickup");
pub const HAND_OVER: T = T("Serahkan", "Hand over");
pub const REINSTATE: T = T("Masukkan kembali", "Reinstate");
pub const RECEIPT: T = T("Resi pengambilan", "Pickup receipt");
pub const SEARCH_RECEIPT: T = T(
    "Cari nomor resi atau tiket",
    "Search receipt or ticket number",
);
pub const NOTHING_HERE: T = T("Belum ada.", "Nothing yet.");
pub const PICKUP_AT: T = T("Pengambilan di loket", "Pickup at counter");
pub const CHANGE_LOKET: T = T("Ganti loket", "Change counter");
pub const WAITING_SINCE: T = T("menit", "min");
pub const PRIORITY_MARK: T = T("Prioritas", "Priority");
pub const REJOINED_MARK: T = T("Kembali", "Returned");
pub const DISMISS: T = T("Tutup", "Dismiss");

pub const NOW_CALLING: T = T("Panggilan", "Now calling");
pub const GO_TO: T = T("Silakan menuju", "Please go to");
pub const PICKUPS: T = T("Pengambilan", "Pickups");
pub const LAST_CALLS: T = T("Panggilan terakhir", "Recent calls");
pub const ENABLE_SOUND: T = T("Aktifkan suara", "Enable sound");
pub const SOUND_ON: T = T("Suara aktif", "Sound on");
pub const SOUND_CHECK: T = T("Uji suara", "Sound check");
/// Said by the sound check: heard as a test, never as a call to a loket.
pub const SOUND_CHECK_SAID: T = T(
    "Uji suara. Ini uji pengeras suara, bukan panggilan antrean.",
    "Sound check. This is a test of the speakers, not a call.",
);
pub const SOUND_OFF: T = T(
    "Suara mati: panggilan tidak terdengar. Ketuk layar untuk menyalakan suara.",
    "Sound is off: calls are not heard. Tap the screen to turn the sound on.",
);
pub const STALE: T = T(
    "Koneksi terputus — data terakhir",
    "Connection lost — last data",
);
pub const NO_CALLS: T = T("Belum ada panggilan", "No calls yet");

pub const TRACK_TITLE: T = T("Status antrean Anda", "Your ticket status");
pub const NOT_FOUND: T = T("Tiket tidak ditemukan.", "Ticket not found.");
pub const WHAT_TO_BRING: T = T("Yang perlu dilengkapi:", "Please bring:");
pub const RECEIPT_NO: T = T("Nomor resi", "Receipt number");
pub const ACCEPTED_AT: T = T("Berkas diterima", "Documents accepted");
pub const TICKET_NO: T = T("Nomor antrean", "Ticket");
pub const PHONE: T = T("Telp.", "Phone");
pub const READY_BY: T = T("Selesai paling lambat", "Ready at the latest by");
pub const STANDARD: T = T("Standar pelayanan", "Service standard");
pub const COMPLAINTS: T = T("Pengaduan", "Complaints");
pub const VISIT: T = T("Alamat dan jam layanan", "Address and office hours");
pub const OFFICE_HOURS: T = T("Jam layanan", "Office hours");
pub const SURVEY_TITLE: T = T("Survei kepuasan masyarakat", "Satisfaction survey");
pub const SURVEY_SEND: T = T("Kirim penilaian", "Send rating");
// Notifications with the page closed (Web Push).
pub const PUSH_FOLLOW: T = T("Beri tahu saya", "Notify me");
pub const PUSH_WHY: T = T(
    "Kami kabari di ponsel ini saat giliran Anda dekat, saat dipanggil, dan saat dokumen siap — meski halaman ini ditutup. Tanpa nomor HP.",
    "We tell this phone when your turn is near, when you are called and when the document is ready, even with this page closed. No phone number needed.",
);
pub const PUSH_ON: T = T(
    "Notifikasi aktif untuk tiket ini.",
    "Notifications are on for this ticket.",
);
pub const PUSH_WORKING: T = T("Menyiapkan notifikasi…", "Setting up notifications…");
pub const PUSH_UNSUPPORTED: T = T(
    "Peramban ini tidak dapat menerima notifikasi. Biarkan halaman ini terbuka untuk melihat panggilan.",
    "This browser cannot receive notifications. Keep this page open to see your call.",
);
pub const PUSH_DENIED: T = T(
    "Izin notifikasi tidak diberikan. Izinkan di pengaturan peramban lalu coba lagi.",
    "Notifications were not allowed. Allow them in the browser settings and try again.",
);
pub const SURVEY_THANKS: T = T(
    "Terima kasih atas penilaian Anda.",
    "Thank you for your rating.",
);
pub const SURVEY_INCOMPLETE: T = T(
    "Mohon nilai kesembilan unsur.",
    "Please rate all nine elements.",
);
pub const STEPS: [T; 5] = [
    T("Ambil nomor", "Ticket"),
    T("Menunggu", "Waiting"),
    T("Serahkan berkas", "Hand in"),
    T("Pemeriksaan", "Check"),
    T("Ambil dokumen", "Collect"),
];
pub const FACES: [T; 4] = [
    T("Tidak baik", "Bad"),
    T("Kurang baik", "Poor"),
    T("Baik", "Good"),
    T("Sangat baik", "Very good"),
];
pub const RESPONDENTS: T = T("responden", "respondents");
pub const PAGE_NOT_FOUND: T = T("Halaman tidak ditemukan.", "Page not found.");

// Pairing and sign-in.
pub const PAIRING_TITLE: T = T("Pasangkan perangkat ini", "Pair this device");
pub const PAIRING_HELP: T = T(
    "Admin membuka halaman Admin, memilih \u{201c}Pasangkan perangkat\u{201d}, lalu mengetik kode ini.",
    "An admin opens the Admin page, chooses \u{201c}Pair a device\u{201d} and types this code.",
);
pub const PAIRING_WAIT: T = T("Meminta kode…", "Requesting a code…");
pub const SIGN_IN_TITLE: T = T("Masuk sebagai petugas", "Sign in as officer");
pub const USERNAME: T = T("Nama pengguna", "User name");
pub const PASSWORD: T = T("Kata sandi", "Password");
pub const SIGN_IN: T = T("Masuk", "Sign in");
pub const SIGN_OUT: T = T("Keluar", "Sign out");
pub const QUOTA_FULL: T = T(
    "Kuota hari ini sudah habis. Silakan datang lagi pada hari kerja berikutnya.",
    "Today's quota is used up. Please come back on the next working day.",
);
pub const TRANSFER_TO: T = T(
    "Pindahkan ke layanan atau loket",
    "Transfer to a service or loket",
);
pub const TRANSFER: T = T("Pindahkan", "Transfer");
pub const PRINT_RECEIPT: T = T("Cetak resi", "Print receipt");
pub const PRINT_RETURN: T = T("Cetak slip", "Print slip");
pub const RECEIPT_TITLE: T = T("RESI PENGAMBILAN", "PICKUP RECEIPT");
pub const RECEIPT_KEEP: T = T(
    "Bawa resi ini saat mengambil dokumen. Layanan gratis.",
    "Bring this receipt to collect the document. The service is free.",
);
pub const RETURN_TITLE: T = T("BERKAS DIKEMBALIKAN", "FILE RETURNED");
pub const RETURN_KEEP: T = T(
    "Lengkapi yang bertanda □, lalu kembali dengan tiket ini tanpa antre ulang.",
    "Complete the items marked □, then come back with this ticket without queuing again.",
);

// The admin page.
pub const SETUP_TITLE: T = T("Buat admin pertama", "Create the first admin");
pub const SETUP_HINT: T = T(
    "Token pemasangan tercetak di konsol server saat pertama dijalankan.",
    "The setup token was printed on the server's console at first start.",
);
pub const SETUP_TOKEN: T = T("Token pemasangan", "Setup token");
pub const AUDIT_LOG: T = T("Log tindakan petugas", "Staff action log");
pub const PAIR_TITLE: T = T("Pasangkan perangkat", "Pair a device");
pub const PAIR_CODE: T = T("Kode di layar perangkat", "Code on the device's screen");
pub const PAIR_PLACE: T = T(
    "Nama tempat (mis. Kios pintu utama)",
    "Place (e.g. Main door kiosk)",
);
pub const PAIR: T = T("Pasangkan", "Pair");
pub const DEVICES: T = T("Perangkat", "Devices");
pub const REVOKED: T = T("Dicabut", "Revoked");
pub const OFFICER_SIGN_IN: T = T("Masuk sebagai petugas", "Officer sign-in");
pub const REVOKE: T = T("Cabut", "Revoke");
pub const STAFF_ACCOUNTS: T = T("Akun petugas", "Staff accounts");
pub const ROLE: T = T("Peran", "Role");
pub const BACKUP_TITLE: T = T("Cadangan data", "Backup");
pub const BACKUP_HINT: T = T(
    "Seluruh data kantor dalam satu berkas. Simpan di tempat lain; dipulihkan ke server kosong dengan `antrean restore BERKAS`.",
    "All of the office's data in one file. Keep it elsewhere; it is restored into an empty server with `antrean restore FILE`.",
);
pub const BACKUP_DOWNLOAD: T = T("Unduh cadangan", "Download a backup");
pub const STAFF_LOKETS: T = T("Loket", "Lokets");
pub const ANY_LOKET: T = T("semua", "any");
pub const CREATE_ACCOUNT: T = T("Buat akun", "Create account");

// Device states the runtime reports.
pub const NOT_READY: T = T(
    "Perangkat belum siap. Tunggu sebentar lalu coba lagi.",
    "The device is not ready yet. Wait a moment and try again.",
);
pub const NO_NUMBERS: T = T(
    "Nomor antrean belum tersedia: sambungkan kios ke server sekali.",
    "No ticket numbers yet: connect the kiosk to the server once.",
);
pub const WAIT_BEFORE_LOKET_CHANGE: T = T(
    "Tunggu sampai semua tindakan terkirim ke server sebelum ganti loket.",
    "Wait until every action has reached the server before changing the counter.",
);

// Accounts.
pub const DISABLE: T = T("Nonaktifkan", "Disable");
pub const ENABLE: T = T("Aktifkan", "Enable");
pub const RESET_PASSWORD: T = T("Atur ulang kata sandi", "Reset password");
pub const DISABLED: T = T("Nonaktif", "Disabled");
pub const YOU: T = T("Anda", "You");
pub const CHANGE_PASSWORD: T = T("Ganti kata sandi", "Change password");
pub const CURRENT_PASSWORD: T = T("Kata sandi saat ini", "Current password");
pub const NEW_PASSWORD: T = T("Kata sandi baru", "New password");
pub const MUST_CHANGE_PASSWORD: T = T(
    "Anda masuk dengan kata sandi sementara. Buat kata sandi baru untuk melanjutkan.",
    "You signed in with a temporary password. Choose a new one to go on.",
);
pub const PASSWORD_CHANGED: T = T("Kata sandi sudah diganti.", "Your password was changed.");
pub const ACCOUNT_SAVED: T = T("Perubahan akun disimpan.", "The account change is saved.");
pub const TEMPORARY_PASSWORD_FOR: T = T("Kata sandi sementara untuk", "Temporary password for");
pub const TEMPORARY_PASSWORD_HINT: T = T(
    "Serahkan kepada pemilik akun; ia harus menggantinya saat masuk berikutnya.",
    "Hand it to the account's owner; they must change it at their next sign-in.",
);
pub const CHANGE_PASSWORD_IN_ADMIN: T = T(
    "Kata sandi ini sementara. Buka /admin di tablet ini, buat kata sandi baru, lalu masuk lagi di sini.",
    "This password is temporary. Open /admin on this tablet, choose a new one, then sign in here again.",
);

// Holidays.
pub const HOLIDAYS: T = T("Hari libur", "Holidays");
pub const HOLIDAYS_HINT: T = T(
    "Satu hari per baris: tanggal lalu nama, mis. \"2027-01-01 Tahun Baru 2027 Masehi\". Tempel daftar dari SKB libur nasional dan cuti bersama serta hari libur daerah Bali. Berlaku untuk resi yang diterbitkan sesudahnya.",
    "One day per line: the date, then the name, e.g. \"2027-01-01 New Year 2027\". Paste the list of the joint decree on national holidays and cuti bersama, and Bali's regional days. Applies to receipts issued afterwards.",
);
pub const SAVE_HOLIDAYS: T = T("Simpan hari libur", "Save holidays");
pub const HOLIDAYS_SAVED: T = T("Hari libur disimpan:", "Holidays saved:");
pub const DAYS: T = T("hari", "days");

// Reports (/admin).
pub const REPORT_TITLE: T = T("Laporan pelayanan", "Service report");
pub const REPORT_FROM: T = T("Dari tanggal", "From");
pub const REPORT_TO: T = T("Sampai tanggal", "To");
pub const REPORT_SHOW: T = T("Tampilkan", "Show");
pub const REPORT_PRINT: T = T("Cetak (A4)", "Print (A4)");
pub const REPORT_CSV: T = T("Unduh CSV", "Download CSV");
pub const REPORT_CSV_DAILY: T = T("Unduh CSV per hari", "Download CSV by day");
pub const REPORT_EMPTY: T = T(
    "Belum ada kegiatan pada periode ini.",
    "Nothing happened in this period.",
);
pub const REPORT_PERIOD: T = T("Periode", "Period");
pub const REPORT_ON_TIME: T = T("Selesai tepat waktu", "Completed on time");
pub const REPORT_MEDIAN_WAIT: T = T("Median waktu tunggu", "Median wait");
pub const REPORT_MINUTES: T = T("menit", "min");
pub const BY_SERVICE: T = T("Per layanan", "By service");
pub const BY_LOKET: T = T("Per loket", "By loket");
pub const BY_OFFICER: T = T("Per petugas", "By officer");
pub const SERVICE: T = T("Layanan", "Service");
pub const OFFICER: T = T("Petugas", "Officer");
pub const MISSING_TITLE: T = T(
    "Persyaratan yang paling sering kurang",
    "Most frequently missing requirements",
);
pub const REQUIREMENT: T = T("Persyaratan", "Requirement");
pub const COUNT: T = T("Jumlah", "Count");
pub const OVERDUE_TITLE: T = T(
    "Berkas yang melewati waktu penyelesaian",
    "Files past their completion time",
);
pub const READY_AT: T = T("Siap", "Ready");
pub const NOT_YET: T = T("belum", "not yet");
pub const CHART_PER_HOUR: T = T(
    "Tiket diterbitkan per jam (WITA)",
    "Tickets issued per hour (WITA)",
);
pub const CHART_WAIT: T = T("Sebaran waktu tunggu (menit)", "Waiting times (minutes)");
pub const CHART_DAILY: T = T(
    "Tren harian: diterbitkan dan dilayani",
    "Daily trend: issued and served",
);
pub const IKM_PERIOD: T = T(
    "Indeks Kepuasan Masyarakat (PermenPAN-RB 14/2017)",
    "Community Satisfaction Index (PermenPAN-RB 14/2017)",
);
pub const IKM_ELEMENT: T = T("Unsur pelayanan", "Service element");
pub const IKM_TOTAL: T = T("Jumlah nilai", "Total score");
pub const IKM_NRR: T = T("NRR", "Mean (NRR)");
pub const IKM_WEIGHTED: T = T("NRR tertimbang", "Weighted mean");
pub const IKM_INDEX: T = T("IKM (1–4)", "Index (1–4)");
pub const IKM_CONVERTED: T = T("Nilai konversi (25–100)", "Converted value (25–100)");
pub const IKM_QUALITY: T = T("Mutu pelayanan", "Service quality");
pub const IKM_PERFORMANCE: T = T("Kinerja unit pelayanan", "Performance");

// The public page (/layanan).
pub const LEGAL_BASIS: T = T("Dasar hukum", "Legal basis");
pub const PUBLIC_TITLE: T = T("Standar pelayanan", "Service standards");
pub const PUBLIC_DESC: T = T(
    "Untuk masyarakat: persyaratan, prosedur, biaya, pengaduan dan antrean saat ini",
    "For the public: requirements, procedure, fee, complaints and the queue now",
);
pub const PUBLIC_LEAD: T = T(
    "Persyaratan, prosedur, waktu, biaya dan pengaduan setiap layanan, serta antrean saat ini.",
    "Requirements, procedure, time, fee and complaints of every service, and the queue now.",
);
pub const QUEUE_NOW: T = T("Antrean saat ini", "Queue now");
pub const PEOPLE_WAITING: T = T("orang menunggu", "people waiting");
pub const WAIT_ABOUT: T = T("Perkiraan tunggu tiket baru", "A new ticket waits about");
pub const OFFICE_CLOSED_NOW: T = T(
    "Kantor sedang tutup. Ambil nomor antrean pada jam layanan.",
    "The office is closed now. Take a number during office hours.",
);
pub const IKM_LAST_MONTH: T = T("Indeks Kepuasan Masyarakat", "Community Satisfaction Index");
pub const IKM_NONE_YET: T = T(
    "Belum ada penilaian pada bulan lalu.",
    "No ratings were given last month.",
);

// The service editor (/admin).
pub const REQUIREMENTS_EDIT: T = T(
    "Persyaratan (satu per baris: Indonesia | Inggris)",
    "Requirements (one per line: Indonesian | English)",
);
pub const LOKETS_EDIT: T = T(
    "Loket yang melayani (mis. 1, 2)",
    "Serving lokets (e.g. 1, 2)",
);
pub const QUOTA_EDIT: T = T(
    "Kuota harian (kosong: tanpa batas)",
    "Daily quota (empty: none)",
);
pub const NOTICE_ID: T = T(
    "Pengumuman di layar (Indonesia)",
    "Display notice (Indonesian)",
);
pub const NOTICE_EN: T = T("Pengumuman di layar (Inggris)", "Display notice (English)");
pub const SAVE_STANDARD: T = T("Simpan standar layanan", "Save the service standard");
pub const STANDARD_SAVED: T = T(
    "Standar layanan disimpan; kios dan loket memakainya sekarang",
    "Service standard saved; kiosks and counters use it now",
);
pub const VERSION: T = T("versi", "version");
pub const HOURS_TITLE: T = T("Jam layanan (WITA)", "Office hours (WITA)");
pub const HOURS_HINT: T = T(
    "Tulis seperti 07.30–15.30; kosongkan hari kantor tutup. Berlaku mulai sekarang, juga untuk penutupan hari ini.",
    "Write like 07.30–15.30; leave closed days empty. Applies from now, today's close included.",
);
pub const SAVE_HOURS: T = T("Simpan jam layanan", "Save office hours");
pub const HOURS_SAVED: T = T("Jam layanan disimpan", "Office hours saved");
pub const PROCEDURE_EDIT: T = T(
    "Prosedur (satu langkah per baris: Indonesia | Inggris)",
    "Procedure (one step per line: Indonesian | English)",
);
pub const COMPLETION_EDIT: T = T(
    "Waktu penyelesaian (hari kerja)",
    "Completion time (working days)",
);
pub const FEE_RUPIAH_EDIT: T = T("Biaya (rupiah; 0 bila gratis)", "Fee (rupiah; 0 when free)");
pub const FEE_TEXT_EDIT: T = T(
    "Keterangan biaya (Indonesia | Inggris)",
    "Fee in words (Indonesian | English)",
);
pub const PRODUCT_EDIT: T = T(
    "Produk layanan (Indonesia | Inggris)",
    "Product (Indonesian | English)",
);
pub const LEGAL_EDIT: T = T("Dasar hukum (satu per baris)", "Legal basis (one per line)");
pub const NAME_EDIT: T = T(
    "Nama layanan (Indonesia | Inggris)",
    "Service name (Indonesian | English)",
);
pub const DESCRIPTION_EDIT: T = T(
    "Keterangan singkat (Indonesia | Inggris)",
    "Short description (Indonesian | English)",
);
pub const COMPLAINTS_EDIT: T = T(
    "Saluran pengaduan (satu per baris: jenis | nama | name | alamat; jenis: kotak-saran, situs, whatsapp, email, lapor, petugas)",
    "Complaint channels (one per line: kind | Indonesian | English | address; kinds: kotak-saran, situs, whatsapp, email, lapor, petugas)",
);
pub const PREFIX_EDIT: T = T(
    "Huruf tiket (satu huruf A–Z, tetap setelah dibuat)",
    "Ticket letter (one letter A–Z, fixed once created)",
);
pub const NEW_SERVICE_TITLE: T = T("Tambah layanan", "Add a service");
pub const ADD_SERVICE: T = T("Tambah layanan", "Add the service");
pub const SERVICE_ADDED: T = T(
    "Layanan ditambahkan; kios menampilkannya sekarang",
    "Service added; kiosks show it now",
);
pub const RETIRE_SERVICE: T = T("Tidak ditawarkan lagi", "No longer offered");
pub const OFFER_SERVICE: T = T("Tawarkan lagi", "Offer again");
pub const SERVICE_RETIRED: T = T(
    "Layanan tidak ditawarkan lagi; tiket dan berkas yang sudah ada tetap dilayani",
    "Service no longer offered; existing tickets and files are still served",
);
pub const SERVICE_OFFERED: T = T("Layanan ditawarkan lagi", "Service offered again");
pub const RETIRED_MARK: T = T("tidak ditawarkan", "not offered");
