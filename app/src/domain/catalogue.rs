//! The catalogue: each service the office publishes, as data, with every public component
//! of an Indonesian service standard (PermenPAN-RB 15/2014), plus what the queue needs to
//! run it (ticket prefix, lokets, daily cap).
//!
//! The catalogue is parsed from a TOML document (the seed ships in `server/seed/`); this
//! module only parses and validates it, it never reads files.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, OfficeCalendar, OfficeCalendarSpec};
use super::hlc::Hlc;
use super::i18n::{Lang, Text};
use super::ids::{LoketId, RequirementId, ServiceCode};

/// Why a catalogue document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue is not valid TOML: {0}")]
    Syntax(String),
    #[error("the catalogue offers no service")]
    Empty,
    #[error("service code {0} appears twice")]
    DuplicateCode(ServiceCode),
    #[error("ticket prefix {0} is used by two services")]
    DuplicatePrefix(char),
    #[error("ticket prefix of {0} must be one capital letter A–Z")]
    BadPrefix(ServiceCode),
    #[error("service {0} has no loket")]
    NoLoket(ServiceCode),
    #[error("service {0} has no requirement")]
    NoRequirement(ServiceCode),
    #[error("service {0} lists requirement {1} twice")]
    DuplicateRequirement(ServiceCode, RequirementId),
    #[error("service {0} has a completion time of zero working days")]
    ZeroCompletion(ServiceCode),
    #[error("the office calendar is invalid: {0}")]
    Calendar(#[from] CalendarError),
}

/// The office that publishes the standards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub name: String,
    pub agency: String,
    pub address: String,
    pub phone: String,
    pub website: String,
}

/// What the queue does in the situations the standard leaves open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// How many times a ticket is called (first call plus recalls) before the officer may
    /// mark it a no-show.
    pub max_calls: u8,
    /// A citizen who comes back with the completed berkas re-enters ahead of new tickets.
    pub rejoin_ahead: bool,
    /// Minutes of service assumed for the wait estimate before the day has any measurement.
    pub default_service_minutes: u16,
    /// Seconds a kiosk waits between two tickets (anti-hoarding).
    pub kiosk_cooldown_secs: u16,
    /// Numbers a kiosk may have taken from the server without the server having seen
    /// them printed (taps whose push is still on its way); beyond it the kiosk prints from
    /// its own series, so no kiosk can take a day's numbers away from the others. Named
    /// `lease_block` in catalogues of the time when kiosks held blocks of numbers.
    #[serde(alias = "lease_block")]
    pub max_unissued: u16,
    /// Working days after the day it was returned on that an incomplete file may still come
    /// back with the missing documents and rejoin ahead of new tickets; then it expires.
    pub rejoin_working_days: u8,
    /// Working days after the copy became ready before an uncollected file is flagged for
    /// the office.
    pub collect_flag_working_days: u16,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_calls: 3,
            rejoin_ahead: true,
            default_service_minutes: 5,
            kiosk_cooldown_secs: 5,
            max_unissued: 20,
            rejoin_working_days: 3,
            collect_flag_working_days: 30,
        }
    }
}

impl Policy {
    /// The last service day on which a file returned at `returned_at` may come back. A
    /// returned ticket's `updated_at` is its return: every later change leaves that status.
    pub fn last_rejoin_day(&self, calendar: &OfficeCalendar, returned_at: Hlc) -> Date {
        let mut day = calendar.service_day(returned_at.timestamp());
        for _ in 0..self.rejoin_working_days {
            day = calendar.next_working_day(day);
        }
        day
    }
}

/// One item the citizen must bring; the counter ticks each one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub id: RequirementId,
    pub text: Text,
}

/// Completion time (waktu penyelesaian): working days, and the event the count starts at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionTime {
    pub working_days: u8,
    pub counted_from: Text,
}

/// Fee (biaya/tarif).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// Amount in rupiah; 0 is "tidak dipungut biaya".
    pub rupiah: u64,
    pub text: Text,
}

impl Fee {
    pub fn is_free(&self) -> bool {
        self.rupiah == 0
    }
}

/// The kinds of complaint channel an Indonesian standard lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    SuggestionBox,
    Website,
    Whatsapp,
    Email,
    LaporSp4n,
    ComplaintOfficer,
}

/// One complaint channel (pengaduan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintChannel {
    pub kind: ChannelKind,
    pub label: Text,
    /// E-mail address, WhatsApp number in international form, or web address; absent for
    /// channels found at the office (suggestion box, complaint officer) and for numbers the
    /// standard does not publish.
    #[serde(default)]
    pub address: Option<String>,
}

impl ComplaintChannel {
    /// The address as the citizen reads (and copies) it: a number, an e-mail address, a
    /// site without its scheme.
    pub fn shown(&self) -> Option<String> {
        let a = self.address.as_deref()?.trim();
        (!a.is_empty()).then(|| {
            a.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned()
        })
    }

    /// A link the citizen's phone can open, when the channel has an address.
    pub fn link(&self) -> Option<String> {
        let a = self.address.as_deref()?.trim();
        if a.is_empty() {
            return None;
        }
        Some(match self.kind {
            ChannelKind::Email => format!("mailto:{a}"),
            ChannelKind::Whatsapp => {
                // wa.me takes the number in international form: 0812… is +62 812….
                let digits: String = a.chars().filter(char::is_ascii_digit).collect();
                match digits.strip_prefix('0') {
                    Some(rest) => format!("https://wa.me/62{rest}"),
                    None => format!("https://wa.me/{digits}"),
                }
            }
            ChannelKind::Website | ChannelKind::LaporSp4n if a.starts_with("http") => a.to_owned(),
            ChannelKind::Website | ChannelKind::LaporSp4n => format!("https://{a}"),
            ChannelKind::SuggestionBox | ChannelKind::ComplaintOfficer => return None,
        })
    }
}

/// `POST /api/admin/holidays`: the office's whole list of days off, as typed or pasted in
/// `/admin` ([`super::calendar::parse_holidays`] reads it on both sides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayList {
    pub text: String,
}

/// One published service with its standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub code: ServiceCode,
    pub name: Text,
    pub description: Text,
    /// Letter printed before the ticket number.
    pub prefix: char,
    pub lokets: Vec<LoketId>,
    pub requirements: Vec<Requirement>,
    pub procedure: Vec<Text>,
    pub completion: CompletionTime,
    pub fee: Fee,
    pub product: Text,
    pub complaint_channels: Vec<ComplaintChannel>,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Running notice for the display.
    #[serde(default)]
    pub notice: Option<Text>,
    /// Most tickets the kiosk issues for this service in one service day.
    #[serde(default)]
    pub daily_cap: Option<u16>,
    /// No longer offered: the kiosk and the public page leave it out, while the tickets
    /// and files issued for it keep their standard until they end. A service is retired,
    /// never deleted, so everything that names it still finds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl Service {
    pub fn requirement(&self, id: &RequirementId) -> Option<&Requirement> {
        self.requirements.iter().find(|r| &r.id == id)
    }

    /// "Bawa: KTP-el asli, fotokopi KTP-el".
    pub fn requirements_line(&self, lang: Lang) -> String {
        self.requirements
            .iter()
            .map(|r| r.text.get(lang))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every service of the office, the office itself, its calendar and queue policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Raised by every change made in `/admin`; devices compare it with what they hold.
    #[serde(default = "first_version")]
    pub version: u32,
    pub office: Office,
    #[serde(default)]
    pub policy: Policy,
    pub calendar: OfficeCalendarSpec,
    pub services: Vec<Service>,
    /// Requirement lists an admin replaced, kept for the tickets issued under them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierChecklist>,
}

/// A service's requirements and completion time as they were for tickets issued before
/// version `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierChecklist {
    pub service: ServiceCode,
    pub until: u32,
    pub requirements: Vec<Requirement>,
    /// Working days to complete a file (absent in lists stored before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_days: Option<u8>,
}

fn first_version() -> u32 {
    1
}

impl Catalogue {
    /// Parses and validates a catalogue document.
    pub fn from_toml(text: &str) -> Result<Self, CatalogueError> {
        let cat: Catalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Syntax(e.to_string()))?;
        cat.validate()?;
        Ok(cat)
    }

    /// Checks the invariants the rest of the domain relies on.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        if self.offered().next().is_none() {
            return Err(CatalogueError::Empty);
        }
        let mut codes = BTreeSet::new();
        let mut prefixes = BTreeSet::new();
        for s in &self.services {
            if !codes.insert(&s.code) {
                return Err(CatalogueError::DuplicateCode(s.code.clone()));
            }
            if !s.prefix.is_ascii_uppercase() {
                return Err(CatalogueError::BadPrefix(s.code.clone()));
            }
            if !prefixes.insert(s.prefix) {
                return Err(CatalogueError::DuplicatePrefix(s.prefix));
            }
            if s.lokets.is_empty() {
                return Err(CatalogueError::NoLoket(s.code.clone()));
            }
            if s.requirements.is_empty() {
                return Err(CatalogueError::NoRequirement(s.code.clone()));
            }
            let mut reqs = BTreeSet::new();
            for r in &s.requirements {
                if !reqs.insert(&r.id) {
                    return Err(CatalogueError::DuplicateRequirement(
                        s.code.clone(),
                        r.id.clone(),
                    ));
                }
            }
            if s.completion.working_days == 0 {
                return Err(CatalogueError::ZeroCompletion(s.code.clone()));
            }
        }
        self.calendar.build()?;
        Ok(())
    }

    /// The services the office offers today (the kiosk's buttons, the public page).
    pub fn offered(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(|s| !s.retired)
    }

    pub fn service(&self, code: &ServiceCode) -> Option<&Service> {
        self.services.iter().find(|s| &s.code == code)
    }

    /// A service's requirements for a ticket issued under catalogue `version`: the list in
    /// force then (the first one replaced after it), else today's. Version 0 is "unknown":
    /// today's list.
    pub fn requirements_at(&self, code: &ServiceCode, version: u32) -> &[Requirement] {
        match self.earlier_at(code, version) {
            Some(e) => &e.requirements,
            None => self
                .service(code)
                .map(|s| s.requirements.as_slice())
                .unwrap_or_default(),
        }
    }

    /// A service's completion time in working days for a ticket issued under catalogue
    /// `version` (as [`Self::requirements_at`]).
    pub fn completion_days_at(&self, code: &ServiceCode, version: u32) -> u8 {
        self.earlier_at(code, version)
            .and_then(|e| e.completion_days)
            .or_else(|| self.service(code).map(|s| s.completion.working_days))
            .unwrap_or(1)
    }

    /// The standard in force at `version` when it has been replaced since.
    fn earlier_at(&self, code: &ServiceCode, version: u32) -> Option<&EarlierChecklist> {
        if version == 0 {
            return None;
        }
        self.earlier
            .iter()
            .filter(|e| &e.service == code && e.until > version)
            .min_by_key(|e| e.until)
    }

    pub fn service_by_prefix(&self, prefix: char) -> Option<&Service> {
        self.services.iter().find(|s| s.prefix == prefix)
    }

    /// The office calendar; the catalogue was validated, so building cannot fail.
    pub fn office_calendar(&self) -> OfficeCalendar {
        self.calendar.build().unwrap_or_default()
    }

    /// Every loket named by any service, in order.
    pub fn lokets(&self) -> Vec<LoketId> {
        let set: BTreeSet<LoketId> = self
            .services
            .iter()
            .flat_map(|s| s.lokets.iter().copied())
            .collect();
        set.into_iter().collect()
    }
}

/// The seed shipped with Antrean: the Badung standard for Legalisir KTP-el, and Legalisir
/// Kartu Keluarga published in the same form.
pub const SEED_TOML: &str = include_str!("../../../server/seed/catalogue.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Catalogue {
        Catalogue::from_toml(SEED_TOML).expect("seed parses")
    }

    #[test]
    fn the_seed_carries_legalisir_ktp_el_exactly_as_published() {
        let cat = seed();
        let s = cat
            .service(&ServiceCode::parse("legalisir-ktp-el").unwrap())
            .unwrap();
        assert_eq!(s.requirements.len(), 2);
        assert_eq!(s.requirements[0].text.id, "KTP-el asli");
        assert_eq!(s.requirements[1].text.id, "Fotokopi KTP-el");
        assert_eq!(s.procedure.len(), 5);
        assert!(s.procedure[0].id.contains("nomor antrean"));
        assert!(s.procedure[4]
            .id
            .contains("Kartu Tanda Penduduk Elektronik"));
        assert_eq!(s.completion.working_days, 1);
        assert!(s.completion.counted_from.id.to_lowercase().contains("resi"));
        assert!(s.fee.is_free());
        assert_eq!(s.fee.text.id, "Tidak dipungut biaya");
        assert_eq!(s.product.id, "Legalisir e-KTP");
        assert_eq!(s.complaint_channels.len(), 7);
        assert_eq!(cat.office.phone, "0361 8947979");
        assert!(cat.office.address.contains("Mangupraja Mandala"));
        assert!(cat.office.address.contains("80351"));
    }

    #[test]
    fn the_seed_has_a_second_service_in_the_same_form() {
        let cat = seed();
        assert!(cat.services.len() >= 2);
        let kk = cat
            .service(&ServiceCode::parse("legalisir-kk").unwrap())
            .unwrap();
        assert_ne!(kk.prefix, cat.services[0].prefix);
        assert_eq!(kk.procedure.len(), 5);
    }

    #[test]
    fn complaint_channels_become_working_links() {
        let cat = seed();
        let links: Vec<_> = cat.services[0]
            .complaint_channels
            .iter()
            .filter_map(|c| c.link())
            .collect();
        assert!(links.contains(&"mailto:disdukcapil@badungkab.go.id".to_owned()));
        assert!(links
            .iter()
            .any(|l| l.starts_with("https://") && l.contains("lapor")));
        let wa = ComplaintChannel {
            kind: ChannelKind::Whatsapp,
            label: Text::new("WA", "WA"),
            address: Some("+62 812-3456-789".into()),
        };
        assert_eq!(wa.link().unwrap(), "https://wa.me/628123456789");
        assert_eq!(wa.shown().unwrap(), "+62 812-3456-789");
        // As offices write it, with the trunk zero.
        let local = ComplaintChannel {
            address: Some("0812 3456 789".into()),
            ..wa
        };
        assert_eq!(local.link().unwrap(), "https://wa.me/628123456789");
        let web = &cat.services[0].complaint_channels[1];
        assert_eq!(web.shown().unwrap(), "www.badungkab.go.id");
        // A channel without an address is a label only.
        assert!(cat.services[0].complaint_channels[0].shown().is_none());
    }

    #[test]
    fn a_catalogue_with_two_services_on_one_prefix_is_refused() {
        let doubled = SEED_TOML.replace("prefix = \"B\"", "prefix = \"A\"");
        assert_eq!(
            Catalogue::from_toml(&doubled),
            Err(CatalogueError::DuplicatePrefix('A'))
        );
    }

    #[test]
    fn broken_toml_is_refused_with_the_reason() {
        let err = Catalogue::from_toml("[office").unwrap_err();
        assert!(matches!(err, CatalogueError::Syntax(_)));
    }
}
