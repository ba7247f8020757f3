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

use super::catalogue::{Catalogue, Requirement};
use super::i18n::Text;
use super::ids::{LoketId, RequirementId, ServiceCode};

/// `POST /api/admin/services/{code}`: the service's editable parts, as the form has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        let mut lokets: Vec<LoketId> = Vec::new();
        for part in edit
            .lokets
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let l = part
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=99).contains(n))
                .and_then(|n| LoketId::new(n).ok())
                .ok_or(EditError::BadLokets)?;
            if !lokets.contains(&l) {
                lokets.push(l);
            }
        }
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
        if service.requirements != requirements
            || service.completion.working_days != completion_days
        {
            // Tickets issued until now keep the list and the completion time they were
            // issued under.
            let old = std::mem::replace(&mut service.requirements, requirements);
            next.earlier.push(super::catalogue::EarlierChecklist {
                service: code.clone(),
                until: self.version.saturating_add(1),
                requirements: old,
                completion_days: Some(service.completion.working_days),
            });
            // Files stay open for weeks, not for a hundred changes.
            let excess = next.earlier.len().saturating_sub(MAX_EARLIER);
            next.earlier.drain(..excess);
        }
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
        next.version = self.version.saturating_add(1);
        Ok(next)
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
