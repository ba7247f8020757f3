//! What the citizen's phone shows for one ticket, computed from the replica: the status in
//! plain words, place in line, expected wait, loket, what is missing, the receipt's due
//! time. No personal data: the ticket carries none.

use serde::{Deserialize, Serialize};

use super::catalogue::{Office, Service};
use super::i18n::{Lang, Text};
use super::ids::{LoketId, TicketId, TicketNumber};
use super::queue;
use super::replica::{Replica, Rules};
use super::service_day;
use super::ticket::{Ticket, TicketStatus};

/// The receipt as the citizen reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub number: String,
    pub due_ms: i64,
    pub due_words: Text,
}

/// The citizen page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenView {
    pub number: TicketNumber,
    pub service: Service,
    pub status: TicketStatus,
    /// Procedure step 1–5 the citizen is at.
    pub step: u8,
    pub ahead: Option<usize>,
    pub wait_minutes: Option<u32>,
    pub loket: Option<LoketId>,
    pub missing: Vec<Text>,
    pub receipt: Option<ReceiptView>,
    /// The survey can be answered (collected, not yet answered).
    pub survey_open: bool,
    pub headline: Text,
    /// Where the office is and how to reach it, for the page's footer.
    pub office: Office,
    /// The week's office hours in words.
    pub hours: Text,
}

/// Builds the view of one ticket: one the replica holds (the open day and open files), or
/// one that ended on a closed day (then `t` comes from the store, and the replica only
/// says that it is in no line). `None` when its service left the catalogue.
pub fn citizen_view(
    replica: &Replica,
    rules: &Rules,
    t: &Ticket,
    now_ms: i64,
    survey_done: bool,
) -> Option<CitizenView> {
    let id: &TicketId = &t.id;
    let service = rules.catalogue.service(&t.service)?.clone();
    let policy = &rules.catalogue.policy;
    let now = jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default();
    let today = rules.calendar.service_day(now);
    let ahead = queue::people_ahead(replica, rules, id, today);
    let wait_minutes = ahead.map(|a| {
        let lokets = queue::open_lokets(replica, &t.service, now_ms);
        queue::expected_wait_minutes(a, &replica.durations(&t.service), lokets, policy)
    });
    let loket = match t.status {
        TicketStatus::Called { loket, .. }
        | TicketStatus::Serving { loket }
        | TicketStatus::PickupCalled { loket, .. } => Some(loket),
        _ => None,
    };
    let missing = t
        .missing
        .iter()
        .filter_map(|m| t.checklist(&rules.catalogue).iter().find(|r| &r.id == m))
        .map(|r| r.text.clone())
        .collect();
    let receipt = t.receipt.as_ref().map(|r| ReceiptView {
        number: r.number.clone(),
        due_ms: r.due.as_millisecond(),
        due_words: Text::new(
            rules.calendar.moment_in_words(r.due, Lang::Id),
            rules.calendar.moment_in_words(r.due, Lang::En),
        ),
    });
    let headline = match t.status {
        // The deadline is the point of the sentence: after it the file expires.
        TicketStatus::ReturnedIncomplete => {
            let last = policy.last_rejoin_day(&rules.calendar, t.updated_at);
            Text::new(
                format!(
                    "Berkas belum lengkap. Lengkapi lalu kembali dengan tiket yang sama paling lambat {}.",
                    rules.calendar.date_in_words(last, Lang::Id)
                ),
                format!(
                    "Documents incomplete. Complete them and come back with the same ticket by {}.",
                    rules.calendar.date_in_words(last, Lang::En)
                ),
            )
        }
        // Checked in at the kiosk today: the citizen is here, waiting for the call.
        TicketStatus::Ready if t.present_on(today, &rules.calendar) => Text::new(
            "Anda tercatat hadir untuk mengambil dokumen. Tunggu nomor Anda dipanggil di layar.",
            "You are checked in to collect your document. Wait for your number on the screen.",
        ),
        // Where and until when: a ready copy waits at the service's lokets.
        TicketStatus::Ready => ready_where_and_when(rules, t)
            .unwrap_or_else(|| headline(&t.status, ahead, wait_minutes, loket)),
        // Waiting in the line of a day that is over: the close will say so; say it now.
        TicketStatus::Waiting if ahead.is_none() => {
            headline(&TicketStatus::NotServed, None, None, None)
        }
        _ => headline(&t.status, ahead, wait_minutes, loket),
    };
    Some(CitizenView {
        number: t.number,
        step: t.status.procedure_step(),
        status: t.status.clone(),
        ahead,
        wait_minutes,
        loket,
        missing,
        receipt,
        survey_open: t.status == TicketStatus::Collected && !survey_done,
        headline,
        service,
        office: rules.catalogue.office.clone(),
        hours: Text::new(
            rules.calendar.week_in_words(Lang::Id),
            rules.calendar.week_in_words(Lang::En),
        ),
    })
}

/// Where and until when a ready copy waits: at its service's lokets, during office hours,
/// until the last day to collect it (the page's headline and the push notification).
pub fn ready_where_and_when(rules: &Rules, t: &Ticket) -> Option<Text> {
    let last = service_day::collect_by(&rules.calendar, &rules.catalogue.policy, t)?;
    let lokets = &rules.catalogue.service(&t.service)?.lokets;
    Some(Text::new(
        format!(
            "Dokumen siap diambil di Loket {} pada jam layanan, paling lambat {}.",
            lokets_in_words(lokets, Lang::Id),
            rules.calendar.date_in_words(last, Lang::Id)
        ),
        format!(
            "Your document is ready: collect it at counter {} during office hours, by {}.",
            lokets_in_words(lokets, Lang::En),
            rules.calendar.date_in_words(last, Lang::En)
        ),
    ))
}

/// "1 atau 2", "1, 2 atau 3" / "1 or 2".
fn lokets_in_words(lokets: &[LoketId], lang: Lang) -> String {
    let names: Vec<String> = lokets.iter().map(ToString::to_string).collect();
    let or = if lang == Lang::Id { "atau" } else { "or" };
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
    }
}

/// The status in one plain sentence.
pub fn headline(
    status: &TicketStatus,
    ahead: Option<usize>,
    wait: Option<u32>,
    loket: Option<LoketId>,
) -> Text {
    let l = loket.map(|l| l.to_string()).unwrap_or_default();
    match status {
        TicketStatus::Waiting => match (ahead, wait) {
            (Some(0), _) => Text::new(
                "Menunggu dipanggil — Anda berikutnya",
                "Waiting to be called — you are next",
            ),
            (Some(a), Some(w)) => Text::new(
                format!("Menunggu dipanggil — {a} orang di depan Anda, sekitar {w} menit"),
                format!("Waiting to be called — {a} ahead of you, about {w} min"),
            ),
            _ => Text::new("Menunggu dipanggil", "Waiting to be called"),
        },
        TicketStatus::Called { .. } => Text::new(
            format!("Silakan menuju Loket {l}"),
            format!("Please go to counter {l}"),
        ),
        TicketStatus::NoShow => Text::new(
            "Anda tidak hadir saat dipanggil. Silakan lapor ke petugas loket.",
            "You were not present when called. Please see the counter officer.",
        ),
        TicketStatus::Serving { .. } => Text::new(
            format!("Sedang dilayani di Loket {l}"),
            format!("Being served at counter {l}"),
        ),
        TicketStatus::ReturnedIncomplete => Text::new(
            "Berkas belum lengkap. Lengkapi lalu kembali dengan tiket yang sama.",
            "Documents incomplete. Complete them and come back with the same ticket.",
        ),
        TicketStatus::Accepted => Text::new(
            "Berkas diterima — sedang diproses",
            "Documents accepted — being processed",
        ),
        TicketStatus::Ready => {
            Text::new("Dokumen siap diambil", "Your document is ready for pickup")
        }
        TicketStatus::PickupCalled { .. } => Text::new(
            format!("Silakan ambil dokumen di Loket {l}"),
            format!("Please collect your document at counter {l}"),
        ),
        TicketStatus::Collected => Text::new(
            "Dokumen sudah diambil. Terima kasih!",
            "Document collected. Thank you!",
        ),
        TicketStatus::Cancelled => Text::new("Tiket dibatalkan", "Ticket cancelled"),
        TicketStatus::NotServed => Text::new(
            "Layanan hari ini sudah ditutup sebelum nomor Anda dipanggil. Silakan ambil nomor baru pada hari kerja berikutnya.",
            "Today's service closed before your number was called. Please take a new number on the next working day.",
        ),
        TicketStatus::Expired => Text::new(
            "Batas waktu melengkapi berkas sudah lewat. Silakan ambil nomor baru dan bawa berkas lengkap.",
            "The time to complete your documents has passed. Please take a new number and bring the complete documents.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_copy_says_where_and_until_when_to_collect_it() {
        use crate::domain::fixtures::{accept_all, act, decide_and_apply, issue_kind, rules};
        use crate::domain::ticket::{Priority, TicketCommand};
        // Monday 30 November 2026, 10:00 WITA.
        const MONDAY: i64 = 1_796_004_000_000;
        let rules = rules();
        let mut r = Replica::default();
        let id = TicketId::from_random_bytes([1; 16]);
        decide_and_apply(&mut r, &rules, &issue_kind(1, 1, Priority::Regular), MONDAY);
        for c in [
            TicketCommand::Call {
                loket: LoketId::new(1).unwrap(),
            },
            TicketCommand::Start,
            accept_all(&rules),
            TicketCommand::MarkReady,
        ] {
            let k = act(&r, id, c);
            decide_and_apply(&mut r, &rules, &k, MONDAY);
        }
        let t = r.ticket(&id).unwrap().clone();
        assert_eq!(t.status, TicketStatus::Ready);
        let v = citizen_view(&r, &rules, &t, MONDAY + 60_000, false).unwrap();
        // Thirty working days from Monday 30 November, over the cuti bersama of 24
        // December, Christmas and New Year's Day.
        assert_eq!(
            v.headline.id,
            "Dokumen siap diambil di Loket 1 atau 2 pada jam layanan, paling lambat Senin, 18 Januari 2027."
        );
        assert!(
            v.headline.en.contains("counter 1 or 2"),
            "{}",
            v.headline.en
        );
        assert_eq!(v.office.phone, "0361 8947979");
        assert!(v.hours.id.starts_with("Senin–Kamis 07.30–15.30"));
        // Checked in at the kiosk: the page says the citizen is expected.
        let k = act(&r, id, TicketCommand::CheckIn);
        decide_and_apply(&mut r, &rules, &k, MONDAY + 120_000);
        let t = r.ticket(&id).unwrap().clone();
        let v = citizen_view(&r, &rules, &t, MONDAY + 180_000, false).unwrap();
        assert!(
            v.headline.id.contains("tercatat hadir"),
            "{}",
            v.headline.id
        );
        // The next day the citizen is not there any more: where and until when again.
        let v = citizen_view(&r, &rules, &t, MONDAY + 86_400_000, false).unwrap();
        assert!(
            v.headline.id.starts_with("Dokumen siap diambil di Loket"),
            "{}",
            v.headline.id
        );
    }

    #[test]
    fn lokets_are_listed_as_people_say_them() {
        let l = |n| LoketId::new(n).unwrap();
        assert_eq!(lokets_in_words(&[l(1)], Lang::Id), "1");
        assert_eq!(lokets_in_words(&[l(1), l(2)], Lang::Id), "1 atau 2");
        assert_eq!(lokets_in_words(&[l(1), l(2), l(3)], Lang::En), "1, 2 or 3");
    }

    #[test]
    fn the_headline_speaks_plainly() {
        let h = headline(&TicketStatus::Waiting, Some(4), Some(12), None);
        assert_eq!(
            h.id,
            "Menunggu dipanggil — 4 orang di depan Anda, sekitar 12 menit"
        );
        let l = LoketId::new(2).unwrap();
        assert_eq!(
            headline(
                &TicketStatus::Called { loket: l, calls: 1 },
                None,
                None,
                Some(l)
            )
            .id,
            "Silakan menuju Loket 2"
        );
    }
}
