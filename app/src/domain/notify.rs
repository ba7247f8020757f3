//! What a citizen's phone is told with the page closed (Web Push): which events of a
//! subscribed ticket make a notification, and its words. The server's notifier feeds this
//! the events a push or a close just applied and the subscribed tickets they concern; the
//! sending (encryption, the push service, retries) is the server's.
//!
//! A citizen hears: that few are ahead (once per wait, [`NEAR`] or fewer), that the
//! number is called (and to which loket), that the file was returned incomplete (what is
//! missing, until when to come back), that the copy is ready, and that the day closed
//! before the number was called. Nothing else: a notification that says nothing new is a
//! reason to switch them off.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::i18n::{Lang, Text};
use super::ids::{LoketId, ServiceCode, TicketId, TicketNumber};
use super::mutation::Event;
use super::queue;
use super::replica::{Replica, Rules};
use super::ticket::{EventKind, TicketStatus};
use super::tracking;

/// "Almost your turn" is sent when this many people or fewer are ahead.
pub const NEAR: usize = 3;

/// A ticket someone subscribed to, as the notifier stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub ticket: TicketId,
    pub number: TicketNumber,
    pub service: ServiceCode,
    /// The wait (the ticket's `queued_at`) an "almost your turn" notice was sent for: a
    /// ticket that comes back with the completed berkas waits anew and hears it again.
    pub near_sent: Option<Hlc>,
}

/// What a notification is about (also its tag: a newer one of the same kind replaces
/// the older on the phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Near,
    Called,
    Returned,
    Ready,
    NotServed,
}

/// One notification for one subscribed ticket, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub ticket: TicketId,
    pub kind: NoticeKind,
    pub title: Text,
    pub body: Text,
    /// For [`NoticeKind::Near`]: the wait it was sent for (see [`Watched::near_sent`]).
    pub near_for: Option<Hlc>,
}

/// What the service worker receives, decrypted: shown as it is. `url` is the ticket's
/// page, opened when the notification is tapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    pub url: String,
    pub tag: String,
}

/// What a browser sends to follow a ticket (`POST /api/t/{token}/push`): its
/// `PushSubscription.toJSON()` with the page's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscribe {
    pub endpoint: String,
    pub keys: PushKeys,
    #[serde(default)]
    pub lang: Lang,
}

/// The subscription's keys, base64url as the browser gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

impl Notice {
    /// The message in the subscriber's language, for the page of tracking token `token`.
    pub fn message(&self, lang: Lang, token: &str) -> PushMessage {
        PushMessage {
            title: self.title.get(lang).to_owned(),
            body: self.body.get(lang).to_owned(),
            url: format!("/t/{token}"),
            tag: format!(
                "antrean-{}",
                serde_json::to_value(self.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The notices `events` (just applied to `replica`, in order) make for the subscribed
/// tickets `watched`, on service day `today`.
pub fn notices(
    replica: &Replica,
    rules: &Rules,
    events: &[Event],
    watched: &[Watched],
    today: Date,
) -> Vec<Notice> {
    let mut out: Vec<Notice> = Vec::new();
    for w in watched {
        // One notice of each kind per ticket and batch: the latest.
        for e in events.iter().filter(|e| e.ticket == w.ticket) {
            if let Some(n) = event_notice(replica, rules, w, e) {
                out.retain(|o| !(o.ticket == n.ticket && o.kind == n.kind));
                out.push(n);
            }
        }
    }
    out.extend(near_notices(replica, rules, events, watched, today));
    out
}

fn title(number: TicketNumber) -> Text {
    Text::new(format!("Antrean {number}"), format!("Ticket {number}"))
}

/// The notice an event of a subscribed ticket makes, if any.
fn event_notice(replica: &Replica, rules: &Rules, w: &Watched, e: &Event) -> Option<Notice> {
    let at = |loket: LoketId| Some(loket);
    let (kind, body) = match &e.kind {
        EventKind::Called { loket } => (
            NoticeKind::Called,
            tracking::headline(
                &TicketStatus::Called {
                    loket: *loket,
                    calls: 1,
                },
                None,
                None,
                at(*loket),
            ),
        ),
        // A recall is the same call again: the loket holding the ticket.
        EventKind::Recalled => {
            let loket = replica.ticket(&w.ticket)?.status.holder()?;
            (
                NoticeKind::Called,
                tracking::headline(
                    &TicketStatus::Called { loket, calls: 2 },
                    None,
                    None,
                    at(loket),
                ),
            )
        }
        EventKind::PickupCalled { loket } => (
            NoticeKind::Called,
            tracking::headline(
                &TicketStatus::PickupCalled {
                    loket: *loket,
                    calls: 1,
                },
                None,
                None,
                at(*loket),
            ),
        ),
        EventKind::Returned { missing } => (
            NoticeKind::Returned,
            returned(replica, rules, w, e.at, missing),
        ),
        EventKind::MarkedReady => (NoticeKind::Ready, ready(replica, rules, w)),
        EventKind::NotServed => (
            NoticeKind::NotServed,
            tracking::headline(&TicketStatus::NotServed, None, None, None),
        ),
        _ => return None,
    };
    Some(Notice {
        ticket: w.ticket,
        kind,
        title: title(w.number),
        body,
        near_for: None,
    })
}

/// What is missing and until when the citizen may come back with it.
fn returned(
    replica: &Replica,
    rules: &Rules,
    w: &Watched,
    at: Hlc,
    missing: &[super::ids::RequirementId],
) -> Text {
    let items: Vec<&Text> = replica
        .ticket(&w.ticket)
        .map(|t| t.checklist(&rules.catalogue))
        .unwrap_or_default()
        .iter()
        .filter(|r| missing.contains(&r.id))
        .map(|r| &r.text)
        .collect();
    let list = |lang: Lang| {
        items
            .iter()
            .map(|t| t.get(lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let last = rules.catalogue.policy.last_rejoin_day(&rules.calendar, at);
    Text::new(
        format!(
            "Berkas belum lengkap. Kurang: {}. Kembali dengan tiket yang sama paling lambat {}.",
            list(Lang::Id),
            rules.calendar.date_in_words(last, Lang::Id)
        ),
        format!(
            "Documents incomplete. Missing: {}. Come back with the same ticket by {}.",
            list(Lang::En),
            rules.calendar.date_in_words(last, Lang::En)
        ),
    )
}

/// Where and until when to collect a ready copy, as the page says it.
fn ready(replica: &Replica, rules: &Rules, w: &Watched) -> Text {
    replica
        .ticket(&w.ticket)
        .and_then(|t| tracking::ready_where_and_when(rules, t))
        .unwrap_or_else(|| tracking::headline(&TicketStatus::Ready, None, None, None))
}

/// "Almost your turn" for subscribed tickets now [`NEAR`] or fewer from the front of a
/// line someone left, once per wait. Each such line is ordered once.
fn near_notices(
    replica: &Replica,
    rules: &Rules,
    events: &[Event],
    watched: &[Watched],
    today: Date,
) -> Vec<Notice> {
    // Only someone leaving a line brings the others nearer (a ticket joining it, even
    // ahead, does not): the lines a call, a transfer or a cancellation touched.
    let mut touched: Vec<&ServiceCode> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Called { .. } | EventKind::Transferred { .. } | EventKind::Cancelled
            )
        })
        .filter_map(|e| replica.ticket(&e.ticket).map(|t| &t.service))
        .collect();
    touched.sort();
    touched.dedup();
    let mut out = Vec::new();
    for service in touched {
        if !watched.iter().any(|w| &w.service == service) {
            continue;
        }
        let line = queue::waiting_line(replica, rules, std::slice::from_ref(service), None, today);
        for (ahead, t) in line.iter().enumerate().take(NEAR + 1) {
            let Some(w) = watched.iter().find(|w| w.ticket == t.id) else {
                continue;
            };
            if w.near_sent == Some(t.queued_at) {
                continue;
            }
            let body = if ahead == 0 {
                Text::new(
                    "Anda berikutnya. Bersiaplah menuju loket.",
                    "You are next. Get ready to go to the counter.",
                )
            } else {
                Text::new(
                    format!("Tinggal {ahead} orang lagi di depan Anda. Bersiaplah."),
                    format!("{ahead} ahead of you now. Get ready."),
                )
            };
            out.push(Notice {
                ticket: t.id,
                kind: NoticeKind::Near,
                title: title(w.number),
                body,
                near_for: Some(t.queued_at),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{act, decide_and_apply, issue_kind, ktp, rules};
    use crate::domain::ticket::{Priority, TicketCommand};

    // Monday 30 November 2026, 10:00 WITA.
    const MONDAY: i64 = 1_796_004_000_000;

    fn id(n: u8) -> TicketId {
        TicketId::from_random_bytes([n; 16])
    }

    fn loket(n: u8) -> LoketId {
        LoketId::new(n).unwrap()
    }

    /// Six tickets A-001..A-006 waiting; the last one watched.
    fn line() -> (Replica, Rules, Watched) {
        let rules = rules();
        let mut r = Replica::default();
        for n in 1..=6u8 {
            decide_and_apply(
                &mut r,
                &rules,
                &issue_kind(n.into(), n, Priority::Regular),
                MONDAY,
            );
        }
        let w = Watched {
            ticket: id(6),
            number: r.ticket(&id(6)).unwrap().number,
            service: ktp(),
            near_sent: None,
        };
        (r, rules, w)
    }

    /// Applies `command` on ticket `n` and returns the event it made.
    fn step(r: &mut Replica, rules: &Rules, n: u8, command: TicketCommand) -> Event {
        let k = act(r, id(n), command);
        decide_and_apply(r, rules, &k, MONDAY);
        let seq = r.cursor();
        let t = r.ticket(&id(n)).unwrap();
        // The fixture applied it; rebuild the event as the log has it.
        let kind = match &t.status {
            TicketStatus::Called { loket, .. } => EventKind::Called { loket: *loket },
            TicketStatus::Serving { .. } => EventKind::Started,
            TicketStatus::ReturnedIncomplete => EventKind::Returned {
                missing: t.missing.clone(),
            },
            TicketStatus::Accepted => EventKind::Accepted {
                receipt: t.receipt.clone().unwrap(),
            },
            TicketStatus::Ready => EventKind::MarkedReady,
            other => panic!("not used here: {other:?}"),
        };
        Event {
            seq,
            at: t.updated_at,
            ticket: id(n),
            kind,
        }
    }

    fn today(rules: &Rules) -> Date {
        rules
            .calendar
            .service_day(jiff::Timestamp::from_millisecond(MONDAY).unwrap())
    }

    #[test]
    fn almost_your_turn_is_said_once_when_three_are_ahead() {
        let (mut r, rules, mut w) = line();
        let day = today(&rules);
        // Someone joining the line brings nobody nearer, even with one ahead only.
        let seq = r.cursor();
        let joined = Event {
            seq,
            at: r.ticket(&id(6)).unwrap().issued_at,
            ticket: id(6),
            kind: EventKind::Rejoined,
        };
        let front = Watched {
            ticket: id(2),
            number: r.ticket(&id(2)).unwrap().number,
            service: ktp(),
            near_sent: None,
        };
        assert!(notices(&r, &rules, &[joined], &[front], day).is_empty());
        // A-001 called: four ahead of A-006 (A-002..A-005), nothing yet.
        let e = step(&mut r, &rules, 1, TicketCommand::Call { loket: loket(1) });
        assert!(notices(&r, &rules, &[e], std::slice::from_ref(&w), day).is_empty());
        // A-002 called: three ahead.
        let e = step(&mut r, &rules, 2, TicketCommand::Call { loket: loket(2) });
        let n = notices(
            &r,
            &rules,
            std::slice::from_ref(&e),
            std::slice::from_ref(&w),
            day,
        );
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].kind, NoticeKind::Near);
        assert_eq!(n[0].title.id, "Antrean A-006");
        assert_eq!(
            n[0].body.id,
            "Tinggal 3 orang lagi di depan Anda. Bersiaplah."
        );
        // Sent: the same wait does not hear it again.
        w.near_sent = n[0].near_for;
        assert!(notices(&r, &rules, &[e], std::slice::from_ref(&w), day).is_empty());
        let e = step(&mut r, &rules, 3, TicketCommand::Call { loket: loket(1) });
        assert!(notices(&r, &rules, &[e], std::slice::from_ref(&w), day).is_empty());
    }

    #[test]
    fn a_call_says_which_loket_and_a_return_what_is_missing_and_until_when() {
        let (mut r, rules, w) = line();
        let day = today(&rules);
        let watched = vec![
            Watched {
                ticket: id(1),
                number: r.ticket(&id(1)).unwrap().number,
                service: ktp(),
                near_sent: Some(r.ticket(&id(1)).unwrap().queued_at),
            },
            w,
        ];
        let e = step(&mut r, &rules, 1, TicketCommand::Call { loket: loket(2) });
        let n = notices(&r, &rules, &[e], &watched, day);
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].kind, NoticeKind::Called);
        assert_eq!(n[0].body.id, "Silakan menuju Loket 2");
        assert_eq!(n[0].message(Lang::En, "tok").body, "Please go to counter 2");
        assert_eq!(n[0].message(Lang::En, "tok").url, "/t/tok");
        assert_eq!(n[0].message(Lang::Id, "tok").tag, "antrean-called");
        let started = step(&mut r, &rules, 1, TicketCommand::Start);
        let first = rules.catalogue.services[0].requirements[0].clone();
        let back = step(
            &mut r,
            &rules,
            1,
            TicketCommand::ReturnIncomplete {
                missing: vec![first.id.clone()],
            },
        );
        // Two events in one batch: only the return speaks.
        let n = notices(&r, &rules, &[started, back], &watched[..1], day);
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].kind, NoticeKind::Returned);
        assert!(n[0].body.id.contains(&first.text.id), "{}", n[0].body.id);
        // Three working days after Monday 30 November.
        assert!(
            n[0].body
                .id
                .ends_with("paling lambat Kamis, 3 Desember 2026."),
            "{}",
            n[0].body.id
        );
    }

    #[test]
    fn a_ready_copy_and_a_closed_day_are_told() {
        let (mut r, rules, _) = line();
        let day = today(&rules);
        let watched = vec![Watched {
            ticket: id(1),
            number: r.ticket(&id(1)).unwrap().number,
            service: ktp(),
            near_sent: Some(r.ticket(&id(1)).unwrap().queued_at),
        }];
        step(&mut r, &rules, 1, TicketCommand::Call { loket: loket(1) });
        step(&mut r, &rules, 1, TicketCommand::Start);
        step(
            &mut r,
            &rules,
            1,
            crate::domain::fixtures::accept_all(&rules),
        );
        let e = step(&mut r, &rules, 1, TicketCommand::MarkReady);
        let n = notices(&r, &rules, &[e], &watched, day);
        assert_eq!(n[0].kind, NoticeKind::Ready);
        assert!(
            n[0].body
                .id
                .starts_with("Dokumen siap diambil di Loket 1 atau 2"),
            "{}",
            n[0].body.id
        );
        // The close's event, for a ticket the replica no longer holds.
        let watched = vec![Watched {
            ticket: id(9),
            number: TicketNumber::new('A', None, 9).unwrap(),
            service: ktp(),
            near_sent: None,
        }];
        let closed = Event {
            seq: 99,
            at: r.ticket(&id(1)).unwrap().updated_at,
            ticket: id(9),
            kind: EventKind::NotServed,
        };
        let n = notices(&r, &rules, &[closed], &watched, day);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, NoticeKind::NotServed);
        assert!(n[0].body.id.starts_with("Layanan hari ini sudah ditutup"));
        assert_eq!(n[0].title.en, "Ticket A-009");
    }
}
