//! An admin's change to one service's standard in `/admin` (every component the standard
//! publishes: requirements, procedure, completion time, fee, product, legal basis; and the
//! lokets that serve it, its daily quota and the display's running notice) or to the
//! office's hours. The change makes a new version of the catalogue; devices hear of it through
//! their live stream and load it without a reload.
//!
//! Requirements are written one per line, "Indonesian | English" (English optional). A
//! line whose Indonesian text is unchanged keeps its requirement's id, so files returned
//! for it still name it; a new line gets an id made from its words.

use serde::{Deserialize, Serialize};

use super::catalogue::{
    Catalogue, ChannelKind, ComplaintChannel, CompletionTime, Fee, Requirement, Service,
};
use super::i18n::Text;
use super::ids::{LoketId, RequirementId, ServiceCode};

/// `POST /api/admin/services/{code}`: the service's editable parts, as the form has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEdit {
    /// One requirement per line: "Indonesian | English".
    pub requirements: String,
    /// The lokets serving it: "1, 2".
    pub lokets: String,
    /// Tickets a day at most; empty for no quota.
    pub daily_cap: String,
    /// The running notice on the display, in both languages (empty: none).
    pub notice_id: String,
    pub notice_en: String,
    /// The procedure, one step per line: "Indonesian | English".
    #[serde(default)]
    pub procedure: String,
    /// The completion time in working days (1–60).
    #[serde(default)]
    pub completion_days: String,
    /// The fee in rupiah (0: free) and its words, "Indonesian | English".
    #[serde(default)]
    pub fee_rupiah: String,
    #[serde(default)]
    pub fee_text: String,
    /// The product, "Indonesian | English".
    #[serde(default)]
    pub product: String,
    /// The legal basis, one regulation per line.
    #[serde(default)]
    pub legal_basis: String,
    /// The service's name and description, "Indonesian | English".
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The complaint channels, one per line: "kind | Indonesian | English | address"
    /// (English and address optional; kinds in [`CHANNEL_KINDS`]).
    #[serde(default)]
    pub complaints: String,
}

/// `POST /api/admin/services`: a new service: the letter its tickets carry (fixed once
/// numbers are printed with it), then the same fields as an edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewService {
    pub prefix: String,
    #[serde(flatten)]
    pub edit: ServiceEdit,
}

/// `POST /api/admin/services/{code}/offered`: whether the office still offers a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offered {
    pub offered: bool,
}

/// The complaint channel kinds as the form writes them (Indonesian, then the catalogue's
/// own names, which are accepted too).
pub const CHANNEL_KINDS: [(&str, ChannelKind); 6] = [
    ("kotak-saran", ChannelKind::SuggestionBox),
    ("situs", ChannelKind::Website),
    ("whatsapp", ChannelKind::Whatsapp),
    ("email", ChannelKind::Email),
    ("lapor", ChannelKind::LaporSp4n),
    ("petugas", ChannelKind::ComplaintOfficer),
];

fn kind_word(kind: ChannelKind) -> &'static str {
    CHANNEL_KINDS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(w, _)| *w)
        .unwrap_or("petugas")
}

fn kind_of(word: &str) -> Option<ChannelKind> {
    let w = word.trim().to_lowercase().replace(['_', ' '], "-");
    // The catalogue file's own name for the kind ("lapor_sp4n"), written with hyphens.
    let catalogue_name = |k: &ChannelKind| {
        serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(|n| n.replace('_', "-")))
    };
    CHANNEL_KINDS
        .iter()
        .find(|(word, k)| *word == w || catalogue_name(k).as_deref() == Some(w.as_str()))
        .map(|(_, k)| *k)
}

/// One line of the complaint channels field.
fn channel_line(line: &str) -> Result<ComplaintChannel, ChannelProblem> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    if parts.len() < 2 || parts.len() > 4 || parts[1].is_empty() {
        return Err(ChannelProblem::Form);
    }
    let kind = kind_of(parts[0]).ok_or(ChannelProblem::Kind)?;
    let en = parts.get(2).copied().filter(|e| !e.is_empty());
    let address = parts.get(3).copied().filter(|a| !a.is_empty());
    if parts.iter().any(|p| p.chars().count() > MAX_TEXT) {
        return Err(ChannelProblem::Form);
    }
    let fits = match (kind, address) {
        (_, None) => true,
        (ChannelKind::Email, Some(a)) => {
            a.split_once('@')
                .is_some_and(|(u, d)| !u.is_empty() && d.contains('.'))
                && !a.contains(char::is_whitespace)
        }
        (ChannelKind::Whatsapp, Some(a)) => {
            let digits = a.chars().filter(char::is_ascii_digit).count();
            (8..=15).contains(&digits)
                && a.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.'))
        }
        (ChannelKind::Website | ChannelKind::LaporSp4n, Some(a)) => {
            a.contains('.') && !a.contains(char::is_whitespace)
        }
        // Found at the office: the address says where ("Lantai 1, dekat pintu masuk").
        (ChannelKind::SuggestionBox | ChannelKind::ComplaintOfficer, Some(_)) => true,
    };
    if !fits {
        return Err(ChannelProblem::Address);
    }
    Ok(ComplaintChannel {
        kind,
        label: Text::new(parts[1], en.unwrap_or(parts[1])),
        address: address.map(str::to_owned),
    })
}

enum ChannelProblem {
    Form,
    Kind,
    Address,
}

/// `POST /api/admin/hours`: the office's hours from Monday to Sunday, each "07.30–15.30"
/// (or "07:30-15:30"), empty for a day the office is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEdit {
    pub days: Vec<String>,
}

impl HoursEdit {
    /// The form's fields for the week as it stands.
    pub fn of(catalogue: &Catalogue) -> HoursEdit {
        let c = &catalogue.calendar;
        let clock = |t: jiff::civil::Time| format!("{:02}.{:02}", t.hour(), t.minute());
        HoursEdit {
            days: [
                c.monday,
                c.tuesday,
                c.wednesday,
                c.thursday,
                c.friday,
                c.saturday,
                c.sunday,
            ]
            .iter()
            .map(|h| {
                h.map(|h| format!("{}–{}", clock(h.open), clock(h.close)))
                    .unwrap_or_default()
            })
            .collect(),
        }
    }
}

/// "07.30", "7:30" → 07:30.
fn clock(text: &str) -> Option<jiff::civil::Time> {
    let (h, m) = text.trim().split_once(['.', ':'])?;
    let (h, m): (i8, i8) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    jiff::civil::Time::new(h, m, 0, 0).ok()
}

/// "07.30–15.30" → the hours; `Ok(None)` for an empty field.
fn day_hours(text: &str) -> Result<Option<super::calendar::Hours>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (a, b) = text.split_once(['–', '—', '-']).ok_or(())?;
    let (open, close) = (clock(a).ok_or(())?, clock(b).ok_or(())?);
    if open >= close {
        return Err(());
    }
    Ok(Some(super::calendar::Hours { open, close }))
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no such service")]
    UnknownService,
    #[error("a service needs at least one requirement")]
    NoRequirement,
    #[error("requirement {0} is written twice")]
    DuplicateRequirement(usize),
    #[error("requirement {0} is too long (at most 300 characters)")]
    LongRequirement(usize),
    #[error("lokets are numbers from 1 to 99, separated by commas")]
    BadLokets,
    #[error("the daily quota is a whole number from 1 to 9999, or empty")]
    BadQuota,
    #[error("the notice is at most 300 characters")]
    LongNotice,
    #[error("a service needs at least one procedure step")]
    NoProcedure,
    #[error("the completion time is a whole number of working days from 1 to 60")]
    BadCompletion,
    #[error("the fee is a whole number of rupiah (0: free), and its words are needed")]
    BadFee,
    #[error("the product is needed")]
    NoProduct,
    #[error("line {0} is too long (at most 300 characters)")]
    LongLine(usize),
    #[error("day {0} (1 = Monday) is not written as 07.30–15.30")]
    BadHours(usize),
    #[error("the office must be open on at least one day")]
    NeverOpen,
    #[error("the service needs a name")]
    NoName,
    #[error("complaint channel {0} is not written as kind | Indonesian | English | address")]
    BadChannel(usize),
    #[error("complaint channel {0} has an unknown kind")]
    UnknownChannelKind(usize),
    #[error("the address of complaint channel {0} does not fit its kind")]
    BadChannelAddress(usize),
    #[error("a service needs at least one complaint channel")]
    NoChannel,
    #[error("the ticket letter is one letter A–Z")]
    BadPrefix,
    #[error("ticket letter {0} is used by another service")]
    PrefixTaken(char),
    #[error("the office must offer at least one service")]
    LastService,
}

impl EditError {
    /// The refusal as the admin reads it.
    pub fn text(&self) -> Text {
        match self {
            EditError::UnknownService => Text::new("Layanan tidak ditemukan.", "No such service."),
            EditError::NoRequirement => Text::new(
                "Isi paling sedikit satu persyaratan.",
                "Enter at least one requirement.",
            ),
            EditError::DuplicateRequirement(n) => Text::new(
                format!("Persyaratan baris {n} ditulis dua kali."),
                format!("Requirement on line {n} is written twice."),
            ),
            EditError::LongRequirement(n) => Text::new(
                format!("Persyaratan baris {n} terlalu panjang (maksimal 300 karakter)."),
                format!("Requirement on line {n} is too long (300 characters at most)."),
            ),
            EditError::BadLokets => Text::new(
                "Loket ditulis sebagai angka 1–99 dipisah koma, misalnya 1, 2.",
                "Write lokets as numbers 1–99 separated by commas, e.g. 1, 2.",
            ),
            EditError::BadQuota => Text::new(
                "Kuota harian berupa angka 1–9999, atau kosongkan.",
                "The daily quota is a number from 1 to 9999, or empty.",
            ),
            EditError::LongNotice => Text::new(
                "Pengumuman paling panjang 300 karakter.",
                "The notice is 300 characters at most.",
            ),
            EditError::NoProcedure => Text::new(
                "Isi paling sedikit satu langkah prosedur.",
                "Enter at least one procedure step.",
            ),
            EditError::BadCompletion => Text::new(
                "Waktu penyelesaian berupa angka hari kerja 1–60.",
                "The completion time is a number of working days from 1 to 60.",
            ),
            EditError::BadFee => Text::new(
                "Biaya berupa angka rupiah (0 bila gratis) dan keterangannya wajib diisi.",
                "The fee is a number of rupiah (0 when free) and its words are required.",
            ),
            EditError::NoProduct => Text::new("Isi produk layanan.", "Enter the product."),
            EditError::LongLine(n) => Text::new(
                format!("Baris {n} terlalu panjang (maksimal 300 karakter)."),
                format!("Line {n} is too long (300 characters at most)."),
            ),
            EditError::BadHours(d) => {
                let i = d.saturating_sub(1).min(6);
                Text::new(
                    format!(
                        "Jam layanan hari {} ditulis seperti 07.30–15.30 (buka sebelum tutup), atau kosong bila tutup.",
                        super::calendar::DAY_NAMES_ID[i]
                    ),
                    format!(
                        "Write {}'s hours like 07.30–15.30 (opening before closing), or leave it empty when closed.",
                        super::calendar::DAY_NAMES_EN[i]
                    ),
                )
            }
            EditError::NeverOpen => Text::new(
                "Kantor harus buka paling sedikit satu hari.",
                "The office must be open on at least one day.",
            ),
            EditError::NoName => Text::new("Isi nama layanan.", "Enter the service's name."),
            EditError::BadChannel(n) => Text::new(
                format!("Saluran pengaduan baris {n} ditulis: jenis | nama | name | alamat."),
                format!("Write complaint channel {n} as: kind | Indonesian | English | address."),
            ),
            EditError::UnknownChannelKind(n) => {
                let kinds = CHANNEL_KINDS.map(|(w, _)| w).join(", ");
                Text::new(
                    format!("Jenis saluran pengaduan baris {n} tidak dikenal; pilih salah satu: {kinds}."),
                    format!("The kind of complaint channel {n} is unknown; use one of: {kinds}."),
                )
            }
            EditError::BadChannelAddress(n) => Text::new(
                format!("Alamat saluran pengaduan baris {n} tidak sesuai jenisnya (e-mail dengan @, WhatsApp berupa nomor, situs berupa alamat web)."),
                format!("The address of complaint channel {n} does not fit its kind (an e-mail with @, a WhatsApp number, a web address)."),
            ),
            EditError::NoChannel => Text::new(
                "Isi paling sedikit satu saluran pengaduan.",
                "Enter at least one complaint channel.",
            ),
            EditError::BadPrefix => Text::new(
                "Huruf tiket berupa satu huruf A–Z.",
                "The ticket letter is one letter A–Z.",
            ),
            EditError::PrefixTaken(c) => Text::new(
                format!("Huruf {c} sudah dipakai layanan lain."),
                format!("Letter {c} is already used by another service."),
            ),
            EditError::LastService => Text::new(
                "Kantor harus menawarkan paling sedikit satu layanan.",
                "The office must offer at least one service.",
            ),
        }
    }
}

const MAX_TEXT: usize = 300;

/// Replaced requirement lists kept for open tickets.
const MAX_EARLIER: usize = 100;

/// "Indonesian | English" → a text in both (English optional: the Indonesian stands for
/// both); `None` for an empty line.
fn both_languages(line: &str) -> Option<Text> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (id, en) = match line.split_once('|') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (line, ""),
    };
    Some(Text::new(id, if en.is_empty() { id } else { en }))
}

/// A text as the form writes it: "Indonesian | English", or once when both are the same.
fn text_line(t: &Text) -> String {
    if t.en == t.id {
        t.id.clone()
    } else {
        format!("{} | {}", t.id, t.en)
    }
}

/// An id from a requirement's words: "Fotokopi KTP-el" → `fotokopi-ktp-el`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s: String = out.trim_end_matches('-').chars().take(36).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        s.push_str("syarat");
    }
    s
}

impl ServiceEdit {
    /// The form's fields for a service as it stands.
    pub fn of(catalogue: &Catalogue, code: &ServiceCode) -> Option<ServiceEdit> {
        let s = catalogue.service(code)?;
        Some(ServiceEdit {
            requirements: s
                .requirements
                .iter()
                .map(|r| format!("{} | {}", r.text.id, r.text.en))
                .collect::<Vec<_>>()
                .join("\n"),
            lokets: s
                .lokets
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            daily_cap: s.daily_cap.map(|c| c.to_string()).unwrap_or_default(),
            notice_id: s.notice.as_ref().map(|n| n.id.clone()).unwrap_or_default(),
            notice_en: s.notice.as_ref().map(|n| n.en.clone()).unwrap_or_default(),
            procedure: s
                .procedure
                .iter()
                .map(text_line)
                .collect::<Vec<_>>()
                .join("\n"),
            completion_days: s.completion.working_days.to_string(),
            fee_rupiah: s.fee.rupiah.to_string(),
            fee_text: text_line(&s.fee.text),
            product: text_line(&s.product),
            legal_basis: s.legal_basis.join("\n"),
            name: text_line(&s.name),
            description: text_line(&s.description),
            complaints: s
                .complaint_channels
                .iter()
                .map(|c| {
                    let mut line =
                        format!("{} | {} | {}", kind_word(c.kind), c.label.id, c.label.en);
                    if let Some(a) = &c.address {
                        line.push_str(" | ");
                        line.push_str(a);
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }
}

impl Catalogue {
    /// The catalogue with the week's hours of `edit`, as its next version.
    pub fn with_hours(&self, edit: &HoursEdit) -> Result<Catalogue, EditError> {
        if edit.days.len() != 7 {
            return Err(EditError::BadHours(edit.days.len().min(7) + 1));
        }
        let mut week = [None; 7];
        for (i, text) in edit.days.iter().enumerate() {
            week[i] = day_hours(text).map_err(|()| EditError::BadHours(i + 1))?;
        }
        if week.iter().all(Option::is_none) {
            return Err(EditError::NeverOpen);
        }
        let mut next = self.clone();
        let c = &mut next.calendar;
        [
            c.monday,
            c.tuesday,
            c.wednesday,
            c.thursday,
            c.friday,
            c.saturday,
            c.sunday,
        ] = week;
        next.version = self.version.saturating_add(1);
        Ok(next)
    }

    /// The catalogue with `edit` applied to service `code`, as its next version.
    pub fn with_service_edit(
        &self,
        code: &ServiceCode,
        edit: &ServiceEdit,
    ) -> Result<Catalogue, EditError> {
        let mut next = self.clone();
        let service = next
            .services
            .iter_mut()
            .find(|s| &s.code == code)
            .ok_or(EditError::UnknownService)?;
        let old = service.clone();
        edit.apply(service)?;
        if service.requirements != old.requirements
            || service.completion.working_days != old.completion.working_days
        {
            // Tickets issued until now keep the list and the completion time they were
            // issued under.
            next.earlier.push(super::catalogue::EarlierChecklist {
                service: code.clone(),
                until: self.version.saturating_add(1),
                requirements: old.requirements,
                completion_days: Some(old.completion.working_days),
            });
            // Files stay open for weeks, not for a hundred changes.
            let excess = next.earlier.len().saturating_sub(MAX_EARLIER);
            next.earlier.drain(..excess);
        }
        next.version = self.version.saturating_add(1);
        Ok(next)
    }

    /// The catalogue with a new service, as its next version, and the new service's code
    /// (made from its Indonesian name). Its completion time is counted from the same
    /// moment as the office's other services'.
    pub fn with_new_service(
        &self,
        new: &NewService,
    ) -> Result<(Catalogue, ServiceCode), EditError> {
        let mut letters = new.prefix.trim().chars().flat_map(char::to_uppercase);
        let prefix = match (letters.next(), letters.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => c,
            _ => return Err(EditError::BadPrefix),
        };
        if self.services.iter().any(|s| s.prefix == prefix) {
            return Err(EditError::PrefixTaken(prefix));
        }
        let name = both_languages(&new.edit.name).ok_or(EditError::NoName)?;
        let mut base: String = slug(&name.id).chars().take(28).collect();
        while base.ends_with('-') {
            base.pop();
        }
        if base.chars().count() < 2 {
            base = format!("layanan-{}", prefix.to_ascii_lowercase());
        }
        let mut code_text = base.clone();
        let mut k = 2;
        while self.services.iter().any(|s| s.code.as_str() == code_text) {
            code_text = format!("{base}-{k}");
            k += 1;
        }
        let code = ServiceCode::parse(&code_text).map_err(|_| EditError::NoName)?;
        let counted_from = self
            .services
            .first()
            .map(|s| s.completion.counted_from.clone())
            .unwrap_or_else(|| Text::new("", ""));
        let mut service = Service {
            code: code.clone(),
            name: name.clone(),
            description: name,
            prefix,
            lokets: Vec::new(),
            requirements: Vec::new(),
            procedure: Vec::new(),
            completion: CompletionTime {
                working_days: 1,
                counted_from,
            },
            fee: Fee {
                rupiah: 0,
                text: Text::new("", ""),
            },
            product: Text::new("", ""),
            complaint_channels: Vec::new(),
            legal_basis: Vec::new(),
            notice: None,
            daily_cap: None,
            retired: false,
        };
        new.edit.apply(&mut service)?;
        let mut next = self.clone();
        next.services.push(service);
        next.version = self.version.saturating_add(1);
        Ok((next, code))
    }

    /// The catalogue with service `code` offered again or no longer, as its next version.
    pub fn with_service_offered(
        &self,
        code: &ServiceCode,
        offered: bool,
    ) -> Result<Catalogue, EditError> {
        let mut next = self.clone();
        let service = next
            .services
            .iter_mut()
            .find(|s| &s.code == code)
            .ok_or(EditError::UnknownService)?;
        service.retired = !offered;
        if next.offered().next().is_none() {
            return Err(EditError::LastService);
        }
        next.version = self.version.saturating_add(1);
        Ok(next)
    }
}

impl ServiceEdit {
    /// Checks the form and writes it into `service`; a requirement whose Indonesian words
    /// are unchanged keeps its id.
    fn apply(&self, service: &mut Service) -> Result<(), EditError> {
        let edit = self;
        let mut requirements: Vec<Requirement> = Vec::new();
        for (i, line) in edit
            .requirements
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let n = i + 1;
            let (id_text, en_text) = match line.split_once('|') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (line, ""),
            };
            if id_text.chars().count() > MAX_TEXT || en_text.chars().count() > MAX_TEXT {
                return Err(EditError::LongRequirement(n));
            }
            if requirements.iter().any(|r| r.text.id == id_text) {
                return Err(EditError::DuplicateRequirement(n));
            }
            let kept = service
                .requirements
                .iter()
                .find(|r| r.text.id == id_text)
                .map(|r| r.id.clone());
            let id = match kept {
                Some(id) => id,
                None => {
                    let base = slug(id_text);
                    let mut candidate = base.clone();
                    let mut k = 2;
                    while requirements.iter().any(|r| r.id.as_str() == candidate)
                        || service
                            .requirements
                            .iter()
                            .any(|r| r.id.as_str() == candidate && r.text.id != id_text)
                    {
                        candidate = format!("{base}-{k}");
                        k += 1;
                    }
                    RequirementId::parse(&candidate).map_err(|_| EditError::LongRequirement(n))?
                }
            };
            let en = if en_text.is_empty() { id_text } else { en_text };
            requirements.push(Requirement {
                id,
                text: Text::new(id_text, en),
            });
        }
        if requirements.is_empty() {
            return Err(EditError::NoRequirement);
        }
        let lokets = LoketId::parse_list(&edit.lokets).map_err(|_| EditError::BadLokets)?;
        if lokets.is_empty() {
            return Err(EditError::BadLokets);
        }
        let cap = edit.daily_cap.trim();
        let daily_cap = if cap.is_empty() {
            None
        } else {
            Some(
                cap.parse::<u16>()
                    .ok()
                    .filter(|n| (1..=9999).contains(n))
                    .ok_or(EditError::BadQuota)?,
            )
        };
        let (nid, nen) = (edit.notice_id.trim(), edit.notice_en.trim());
        if nid.chars().count() > MAX_TEXT || nen.chars().count() > MAX_TEXT {
            return Err(EditError::LongNotice);
        }
        let mut procedure = Vec::new();
        for (i, line) in edit.procedure.lines().enumerate() {
            if line.chars().count() > 2 * MAX_TEXT {
                return Err(EditError::LongLine(i + 1));
            }
            procedure.extend(both_languages(line));
        }
        if procedure.is_empty() {
            return Err(EditError::NoProcedure);
        }
        let completion_days = edit
            .completion_days
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| (1..=60).contains(d))
            .ok_or(EditError::BadCompletion)?;
        // "25.000" is how a fee is written in Indonesian.
        let rupiah = edit
            .fee_rupiah
            .trim()
            .replace('.', "")
            .parse::<u64>()
            .map_err(|_| EditError::BadFee)?;
        let fee_text = both_languages(&edit.fee_text).ok_or(EditError::BadFee)?;
        let product = both_languages(&edit.product).ok_or(EditError::NoProduct)?;
        let mut legal_basis = Vec::new();
        for (i, line) in edit.legal_basis.lines().map(str::trim).enumerate() {
            if line.chars().count() > MAX_TEXT {
                return Err(EditError::LongLine(i + 1));
            }
            if !line.is_empty() {
                legal_basis.push(line.to_owned());
            }
        }
        let name = both_languages(&edit.name).ok_or(EditError::NoName)?;
        let description = both_languages(&edit.description).unwrap_or_else(|| name.clone());
        if [&name.id, &name.en, &description.id, &description.en]
            .iter()
            .any(|t| t.chars().count() > MAX_TEXT)
        {
            return Err(EditError::LongLine(1));
        }
        let mut complaint_channels = Vec::new();
        for (i, line) in edit
            .complaints
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            complaint_channels.push(channel_line(line).map_err(|p| match p {
                ChannelProblem::Form => EditError::BadChannel(i + 1),
                ChannelProblem::Kind => EditError::UnknownChannelKind(i + 1),
                ChannelProblem::Address => EditError::BadChannelAddress(i + 1),
            })?);
        }
        if complaint_channels.is_empty() {
            return Err(EditError::NoChannel);
        }
        service.requirements = requirements;
        service.procedure = procedure;
        service.completion.working_days = completion_days;
        service.fee.rupiah = rupiah;
        service.fee.text = fee_text;
        service.product = product;
        service.legal_basis = legal_basis;
        service.lokets = lokets;
        service.daily_cap = daily_cap;
        service.notice =
            (!nid.is_empty()).then(|| Text::new(nid, if nen.is_empty() { nid } else { nen }));
        service.name = name;
        service.description = description;
        service.complaint_channels = complaint_channels;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    fn edit(c: &Catalogue) -> ServiceEdit {
        ServiceEdit::of(c, &fixtures::ktp()).unwrap()
    }

    #[test]
    fn complaint_channels_are_written_one_per_line_with_their_kind_and_address() {
        let c = fixtures::rules().catalogue;
        let mut e = edit(&c);
        e.complaints = "kotak-saran | Kotak saran | Suggestion box | Lantai 1\n\n\
            whatsapp | WhatsApp Kepala Dinas | | 0812-3456-7890\n\
            email | Surel | E-mail | pengaduan@badungkab.go.id\n\
            lapor_sp4n | LAPOR! | LAPOR! | www.lapor.go.id\n\
            Petugas | Petugas pengaduan"
            .into();
        let next = c.with_service_edit(&fixtures::ktp(), &e).unwrap();
        let ch = &next.service(&fixtures::ktp()).unwrap().complaint_channels;
        let kinds: Vec<ChannelKind> = ch.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ChannelKind::SuggestionBox,
                ChannelKind::Whatsapp,
                ChannelKind::Email,
                ChannelKind::LaporSp4n,
                ChannelKind::ComplaintOfficer
            ]
        );
        // No English: the Indonesian stands for both; the number links as wa.me/62….
        assert_eq!(ch[1].label.en, "WhatsApp Kepala Dinas");
        assert_eq!(ch[1].link().as_deref(), Some("https://wa.me/6281234567890"));
        assert_eq!(ch[0].shown().as_deref(), Some("Lantai 1"));
        assert_eq!(ch[4].address, None);
        // And the form writes them back the same way.
        let again = next
            .with_service_edit(
                &fixtures::ktp(),
                &ServiceEdit::of(&next, &fixtures::ktp()).unwrap(),
            )
            .unwrap();
        assert_eq!(again.services, next.services);

        let refused = |lines: &str| {
            let mut e = edit(&c);
            e.complaints = lines.into();
            c.with_service_edit(&fixtures::ktp(), &e).unwrap_err()
        };
        assert_eq!(refused(""), EditError::NoChannel);
        assert_eq!(
            refused("email | Surel | | a@b.id\nfax | Faks"),
            EditError::UnknownChannelKind(2)
        );
        assert_eq!(refused("email"), EditError::BadChannel(1));
        assert_eq!(refused("email | | E-mail"), EditError::BadChannel(1));
        assert_eq!(
            refused("email | Surel | | pengaduan.badung"),
            EditError::BadChannelAddress(1)
        );
        assert_eq!(
            refused("whatsapp | WA | | 12345"),
            EditError::BadChannelAddress(1)
        );
        assert_eq!(
            refused("situs | Web | | badung kab"),
            EditError::BadChannelAddress(1)
        );
        assert!(refused("fax | Faks")
            .text()
            .id
            .contains("kotak-saran, situs, whatsapp"));
    }

    #[test]
    fn a_new_service_gets_a_code_from_its_name_and_a_letter_no_other_service_has() {
        let c = fixtures::rules().catalogue;
        let mut form = edit(&c);
        form.name = "Legalisir Akta Kelahiran | Certified copy of a birth certificate".into();
        form.description = String::new();
        form.requirements = "Akta kelahiran asli | Original birth certificate".into();
        let new = NewService {
            prefix: " c ".into(),
            edit: form.clone(),
        };
        let (next, code) = c.with_new_service(&new).unwrap();
        assert_eq!(code.as_str(), "legalisir-akta-kelahiran");
        assert_eq!(next.version, c.version + 1);
        next.validate().unwrap();
        let s = next.service(&code).unwrap();
        assert_eq!(s.prefix, 'C');
        assert_eq!(s.description, s.name);
        assert_eq!(s.requirements[0].id.as_str(), "akta-kelahiran-asli");
        // Counted from the same moment as the office's other services.
        assert_eq!(
            s.completion.counted_from,
            c.services[0].completion.counted_from
        );
        assert!(next.offered().any(|o| o.code == code));
        // The same name again gets a code of its own; letters are never shared.
        let (twice, code2) = next
            .with_new_service(&NewService {
                prefix: "D".into(),
                edit: form.clone(),
            })
            .unwrap();
        assert_eq!(code2.as_str(), "legalisir-akta-kelahiran-2");
        twice.validate().unwrap();
        let taken = c.services[0].prefix;
        for (prefix, why) in [
            (taken.to_string(), EditError::PrefixTaken(taken)),
            ("CD".into(), EditError::BadPrefix),
            ("7".into(), EditError::BadPrefix),
            (String::new(), EditError::BadPrefix),
        ] {
            let new = NewService {
                prefix,
                edit: form.clone(),
            };
            assert_eq!(c.with_new_service(&new).unwrap_err(), why);
        }
        let mut nameless = form;
        nameless.name = " ".into();
        let new = NewService {
            prefix: "E".into(),
            edit: nameless,
        };
        assert_eq!(c.with_new_service(&new).unwrap_err(), EditError::NoName);
    }

    #[test]
    fn a_service_no_longer_offered_stays_for_its_tickets_and_the_last_one_cannot_go() {
        let c = fixtures::rules().catalogue;
        let ktp = fixtures::ktp();
        let retired = c.with_service_offered(&ktp, false).unwrap();
        assert!(retired.offered().all(|s| s.code != ktp));
        // Still found by everything that names it: tickets, files, reports.
        assert!(retired.service(&ktp).unwrap().retired);
        assert_eq!(retired.requirements_at(&ktp, 1), c.requirements_at(&ktp, 1));
        retired.validate().unwrap();
        let mut only_one = retired.clone();
        for s in only_one.services.clone() {
            if s.code != ktp {
                only_one = only_one
                    .with_service_offered(&s.code, false)
                    .unwrap_or(only_one);
            }
        }
        assert_eq!(only_one.offered().count(), 1);
        let last = only_one.offered().next().unwrap().code.clone();
        assert_eq!(
            only_one.with_service_offered(&last, false).unwrap_err(),
            EditError::LastService
        );
        let back = retired.with_service_offered(&ktp, true).unwrap();
        assert!(back.offered().any(|s| s.code == ktp));
        assert_eq!(back.version, c.version + 2);
        assert_eq!(
            c.with_service_offered(&ServiceCode::parse("tidak-ada").unwrap(), false)
                .unwrap_err(),
            EditError::UnknownService
        );
    }

    #[test]
    fn the_form_reads_back_to_the_same_service_as_the_next_version() {
        let c = fixtures::rules().catalogue;
        let next = c.with_service_edit(&fixtures::ktp(), &edit(&c)).unwrap();
        assert_eq!(next.services, c.services);
        assert_eq!(next.version, c.version + 1);
    }

    #[test]
    fn a_requirement_keeps_its_id_while_its_words_stay_and_a_new_one_gets_one_from_its_words() {
        let c = fixtures::rules().catalogue;
        let mut e = edit(&c);
        e.requirements =
            "Fotokopi KTP-el | Photocopy\nPas foto 3×4 (2 lembar) | Two photos\nKTP-el asli".into();
        e.lokets = "2, 1, 2".into();
        e.daily_cap = "150".into();
        e.notice_id = "Bawa pulpen sendiri.".into();
        e.notice_en = String::new();
        let next = c.with_service_edit(&fixtures::ktp(), &e).unwrap();
        let s = next.service(&fixtures::ktp()).unwrap();
        let ids: Vec<&str> = s.requirements.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["fotokopi-ktp-el", "pas-foto-3-4-2-lembar", "ktp-el-asli"]
        );
        assert_eq!(s.requirements[0].text.en, "Photocopy");
        // No English given: the Indonesian words stand for both.
        assert_eq!(s.requirements[2].text.en, "KTP-el asli");
        assert_eq!(s.lokets.iter().map(|l| l.get()).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(s.daily_cap, Some(150));
        // A fee as Indonesians write it, and a product in one language.
        let mut e2 = edit(&next);
        e2.fee_rupiah = "25.000".into();
        e2.fee_text = "Rp25.000 | IDR 25,000".into();
        e2.product = "Salinan legalisir".into();
        e2.legal_basis = "UU 23/2006\n\nPerpres 96/2018".into();
        let s2 = next.with_service_edit(&fixtures::ktp(), &e2).unwrap();
        let s2 = s2.service(&fixtures::ktp()).unwrap();
        assert_eq!(
            (s2.fee.rupiah, s2.fee.text.en.as_str()),
            (25_000, "IDR 25,000")
        );
        assert_eq!(s2.product.en, "Salinan legalisir");
        assert_eq!(s2.legal_basis, ["UU 23/2006", "Perpres 96/2018"]);
        assert_eq!(
            s.notice.as_ref().map(|n| n.en.as_str()),
            Some("Bawa pulpen sendiri.")
        );
        assert!(next.validate().is_ok());
    }

    #[test]
    fn bad_forms_are_refused_with_the_line_that_is_wrong() {
        let c = fixtures::rules().catalogue;
        let k = fixtures::ktp();
        let with = |f: &dyn Fn(&mut ServiceEdit)| {
            let mut e = edit(&c);
            f(&mut e);
            c.with_service_edit(&k, &e).unwrap_err()
        };
        assert_eq!(
            with(&|e| e.requirements = " \n ".into()),
            EditError::NoRequirement
        );
        assert_eq!(
            with(&|e| e.requirements = "A\nB\nA | again".into()),
            EditError::DuplicateRequirement(3)
        );
        assert_eq!(
            with(&|e| e.requirements = "x".repeat(301)),
            EditError::LongRequirement(1)
        );
        for l in ["", "0", "1, x", "100", "-1"] {
            assert_eq!(
                with(&|e| e.lokets = l.into()),
                EditError::BadLokets,
                "{l:?}"
            );
        }
        for q in ["0", "abc", "10000", "1.5"] {
            assert_eq!(
                with(&|e| e.daily_cap = q.into()),
                EditError::BadQuota,
                "{q:?}"
            );
        }
        assert_eq!(
            with(&|e| e.notice_id = "n".repeat(301)),
            EditError::LongNotice
        );
        assert_eq!(with(&|e| e.procedure = "\n".into()), EditError::NoProcedure);
        for d in ["0", "61", "satu", ""] {
            assert_eq!(
                with(&|e| e.completion_days = d.into()),
                EditError::BadCompletion,
                "{d:?}"
            );
        }
        assert_eq!(with(&|e| e.fee_rupiah = "gratis".into()), EditError::BadFee);
        assert_eq!(with(&|e| e.fee_text = " ".into()), EditError::BadFee);
        assert_eq!(with(&|e| e.product = String::new()), EditError::NoProduct);
        assert_eq!(
            with(&|e| e.legal_basis = "x".repeat(301)),
            EditError::LongLine(1)
        );
        let other = ServiceCode::parse("tidak-ada").unwrap();
        assert_eq!(
            c.with_service_edit(&other, &edit(&c)).unwrap_err(),
            EditError::UnknownService
        );
        assert!(!EditError::BadQuota.text().id.is_empty());
    }

    #[test]
    fn a_ticket_keeps_the_checklist_of_the_version_it_was_issued_under() {
        use super::super::hlc::Hlc;
        use super::super::ids::ClientId;
        use super::super::mutation::MutationKind;
        use super::super::replica::{Replica, Rules};
        use super::super::ticket::{Priority, TicketCommand, TicketError};

        let v1 = fixtures::rules().catalogue;
        assert_eq!(v1.version, 1);
        let k = fixtures::ktp();
        // Version 2 adds a requirement; version 3 drops the photocopy.
        let mut e = edit(&v1);
        e.requirements.push_str("\nSurat kuasa");
        let v2 = v1.with_service_edit(&k, &e).unwrap();
        let mut e = edit(&v2);
        e.requirements = "KTP-el asli\nSurat kuasa".into();
        e.completion_days = "3".into();
        let v3 = v2.with_service_edit(&k, &e).unwrap();
        // The completion time (the receipt's due rule) is kept the same way.
        assert_eq!(v3.completion_days_at(&k, 1), 1);
        assert_eq!(v3.completion_days_at(&k, 2), 1);
        assert_eq!(v3.completion_days_at(&k, 3), 3);
        let ids = |v: u32| -> Vec<String> {
            v3.requirements_at(&k, v)
                .iter()
                .map(|r| r.id.to_string())
                .collect()
        };
        assert_eq!(ids(1), ["ktp-el-asli", "fotokopi-ktp-el"]);
        assert_eq!(ids(2), ["ktp-el-asli", "fotokopi-ktp-el", "surat-kuasa"]);
        assert_eq!(ids(3), ["ktp-el-asli", "surat-kuasa"]);
        assert_eq!(ids(0), ids(3), "unknown version: today's list");
        // Another service's list did not change.
        let kk = ServiceCode::parse("legalisir-kk").unwrap();
        assert_eq!(
            v3.requirements_at(&kk, 1),
            v1.service(&kk).unwrap().requirements.as_slice()
        );

        // At the counter, under version 3: a version-1 ticket is accepted with the two
        // documents of version 1; a version-3 ticket needs version 3's.
        let rules = Rules::new(v3.clone());
        let mut r = Replica::default();
        let issue = |n: u16, version: u32| {
            let MutationKind::IssueTicket { mut ticket, token } =
                fixtures::issue_kind(n, n as u8, Priority::Regular)
            else {
                unreachable!()
            };
            ticket.catalogue = version;
            (ticket.id, MutationKind::IssueTicket { ticket, token })
        };
        fn accept(
            r: &mut Replica,
            rules: &Rules,
            id: super::super::ids::TicketId,
            checked: &[&str],
            ms: i64,
        ) -> Result<super::super::ticket::EventKind, TicketError> {
            for cmd in [
                TicketCommand::Call {
                    loket: super::super::ids::LoketId::new(1).unwrap(),
                },
                TicketCommand::Start,
            ] {
                let kind = fixtures::act(r, id, cmd);
                fixtures::decide_and_apply(r, rules, &kind, ms);
            }
            let checked = checked
                .iter()
                .map(|c| RequirementId::parse(c).unwrap())
                .collect();
            let kind = fixtures::act(r, id, TicketCommand::Accept { checked });
            let at = Hlc {
                wall_ms: ms + 100,
                counter: 0,
                client: ClientId::from_random_bytes([5; 16]),
            };
            r.decide(&kind, at, rules).map(|(_, e)| e)
        }
        let t0 = 1_764_547_200_000 + 3_600_000;
        let (old, kind) = issue(1, 1);
        fixtures::decide_and_apply(&mut r, &rules, &kind, t0);
        let (new, kind) = issue(2, 3);
        fixtures::decide_and_apply(&mut r, &rules, &kind, t0);
        let two = ["ktp-el-asli", "fotokopi-ktp-el"];
        // Accepted with its two documents, due after version 1's one working day (today
        // the standard says three).
        match accept(&mut r, &rules, old, &two, t0 + 1_000) {
            Ok(super::super::ticket::EventKind::Accepted { receipt }) => {
                assert_eq!(receipt.due, rules.calendar.due_time(receipt.accepted_at, 1))
            }
            other => panic!("{other:?}"),
        }
        let refused = accept(&mut r, &rules, new, &two, t0 + 3_000);
        assert!(
            matches!(refused, Err(TicketError::ChecklistIncomplete { ref missing }) if missing.len() == 1),
            "{refused:?}"
        );
    }

    #[test]
    fn the_weeks_hours_read_back_and_bad_ones_are_named() {
        let c = fixtures::rules().catalogue;
        let form = HoursEdit::of(&c);
        assert_eq!(form.days[0], "07.30–15.30");
        assert_eq!(form.days[4], "07.30–13.00");
        assert_eq!(form.days[6], "");
        let same = c.with_hours(&form).unwrap();
        assert_eq!(same.calendar, c.calendar);
        assert_eq!(same.version, c.version + 1);
        // Saturday mornings, written the other way.
        let mut e = form.clone();
        e.days[5] = "8:00 - 12:00".into();
        let next = c.with_hours(&e).unwrap();
        let sat = next.calendar.saturday.unwrap();
        assert_eq!((sat.open.hour(), sat.close.hour()), (8, 12));
        assert!(next
            .office_calendar()
            .is_working_day(jiff::civil::date(2026, 12, 5)));
        for (day, bad) in [
            (1, "15.30–07.30"),
            (2, "07.30"),
            (3, "25.00–26.00"),
            (4, "pagi"),
        ] {
            let mut e = form.clone();
            e.days[day - 1] = bad.into();
            assert_eq!(
                c.with_hours(&e).unwrap_err(),
                EditError::BadHours(day),
                "{bad}"
            );
        }
        assert_eq!(
            c.with_hours(&HoursEdit {
                days: vec![String::new(); 7]
            })
            .unwrap_err(),
            EditError::NeverOpen
        );
        assert!(c.with_hours(&HoursEdit { days: vec![] }).is_err());
        assert!(EditError::BadHours(6).text().id.contains("Sabtu"));
    }

    #[test]
    fn ids_are_made_of_words() {
        assert_eq!(slug("Surat Pengantar RT/RW"), "surat-pengantar-rt-rw");
        assert_eq!(slug("—"), "syarat");
        assert!(slug(&"panjang ".repeat(20)).len() <= 36);
    }
}
