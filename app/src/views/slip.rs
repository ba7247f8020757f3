//! The counter's printed slips: the pickup receipt (resi) handed over when a berkas is
//! accepted, and the return slip listing what was missing. Printed through the browser on
//! the same thermal stylesheet as the kiosk ticket; on screen the slip is hidden.

use leptos::prelude::*;

use crate::components::QrCode;
use crate::domain::i18n::{Lang, Text};
use crate::domain::replica::Rules;
use crate::domain::ticket::{Ticket, TicketStatus};
use crate::text;
use crate::use_lang;

/// What to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Slip {
    /// The office: name, address, phone and hours.
    pub office: Vec<Text>,
    pub title: Text,
    pub number: String,
    pub service: Text,
    /// Lines under the number: the receipt's times and rule, or the missing documents.
    pub lines: Vec<Text>,
    /// Scanned at hand-over to find the file: the receipt number.
    pub qr: Option<String>,
    /// Where to complain, with each channel's address.
    pub complaints: Vec<Text>,
}

impl Slip {
    /// The slip for a ticket as it stands: a receipt once accepted, a return slip when
    /// returned incomplete; nothing otherwise.
    pub fn for_ticket(t: &Ticket, rules: &Rules) -> Option<Slip> {
        let service = rules.catalogue.service(&t.service)?;
        let cal = &rules.calendar;
        let both = |f: &dyn Fn(Lang) -> String| Text::new(f(Lang::Id), f(Lang::En));
        let o = &rules.catalogue.office;
        let office = vec![
            Text::new(o.name.clone(), o.name.clone()),
            Text::new(o.address.clone(), o.address.clone()),
            both(&|l| {
                format!(
                    "{} {} · {}",
                    text::PHONE.get(l),
                    o.phone,
                    cal.week_in_words(l)
                )
            }),
        ];
        let complaints = std::iter::once(Text::new(text::COMPLAINTS.0, text::COMPLAINTS.1))
            .chain(service.complaint_channels.iter().map(|c| match c.shown() {
                Some(a) => both(&|l| format!("{}: {a}", c.label.get(l))),
                None => c.label.clone(),
            }))
            .collect();
        // A priority ticket says so wherever its number is printed.
        let mark = super::priority_mark(t.priority);
        let ticket = both(&|l| match &mark {
            Some(m) => format!("{} {} ({})", text::TICKET_NO.get(l), t.number, m.get(l)),
            None => format!("{} {}", text::TICKET_NO.get(l), t.number),
        });
        match (&t.status, &t.receipt) {
            (
                TicketStatus::Accepted | TicketStatus::Ready | TicketStatus::PickupCalled { .. },
                Some(r),
            ) => {
                let days = t.completion_days(&rules.catalogue);
                Some(Slip {
                    office,
                    title: Text::new(text::RECEIPT_TITLE.0, text::RECEIPT_TITLE.1),
                    number: r.number.clone(),
                    service: service.name.clone(),
                    lines: vec![
                        ticket,
                        both(&|l| {
                            format!(
                                "{}: {}",
                                text::ACCEPTED_AT.get(l),
                                cal.moment_in_words(r.accepted_at, l)
                            )
                        }),
                        both(&|l| {
                            format!(
                                "{}: {}",
                                text::READY_BY.get(l),
                                cal.moment_in_words(r.due, l)
                            )
                        }),
                        both(&|l| {
                            format!(
                                "{days} {}. {}",
                                text::WORKING_DAYS.get(l),
                                service.completion.counted_from.get(l)
                            )
                        }),
                        Text::new(text::RECEIPT_KEEP.0, text::RECEIPT_KEEP.1),
                    ],
                    qr: Some(r.number.clone()),
                    complaints,
                })
            }
            (TicketStatus::ReturnedIncomplete, _) => Some(Slip {
                office,
                title: Text::new(text::RETURN_TITLE.0, text::RETURN_TITLE.1),
                number: t.number.to_string(),
                service: service.name.clone(),
                lines: std::iter::once(ticket)
                    .chain(
                        t.missing
                            .iter()
                            .filter_map(|m| {
                                t.checklist(&rules.catalogue).iter().find(|r| &r.id == m)
                            })
                            .map(|r| {
                                Text::new(format!("□ {}", r.text.id), format!("□ {}", r.text.en))
                            }),
                    )
                    .chain(std::iter::once(Text::new(
                        text::RETURN_KEEP.0,
                        text::RETURN_KEEP.1,
                    )))
                    .collect(),
                qr: None,
                complaints,
            }),
            _ => None,
        }
    }
}

/// Where the counter puts the slip to print; provided by the counter page.
#[derive(Clone, Copy)]
pub struct PrintSlot(pub RwSignal<Option<Slip>>);

/// Shows `slip` in the print-only area and opens the browser's print dialog.
pub fn print(slot: PrintSlot, slip: Slip) {
    slot.0.set(Some(slip));
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        // Let the slip render before the print snapshot is taken.
        gloo_timers::future::TimeoutFuture::new(50).await;
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
}

/// The printed slip (hidden on screen).
#[component]
pub fn SlipView(printer: PrintSlot) -> impl IntoView {
    let lang = use_lang();
    // A fixed wrapper: the slip comes and goes inside it, never beside other dynamic nodes.
    view! { <div class="print-area">{move || {
        printer.0.get().map(|s| {
            let qr = s.qr.clone();
            view! {
                <section class="print-only print-slip" data-testid="print-slip">
                    <div class="slip-office">
                        {s.office.iter().map(|l| view! { <p>{l.get(lang.get()).to_string()}</p> }).collect_view()}
                    </div>
                    <p class="slip-title">{s.title.get(lang.get()).to_string()}</p>
                    <p class="slip-number" data-testid="slip-number">{s.number.clone()}</p>
                    <p class="slip-service">{s.service.get(lang.get()).to_string()}</p>
                    {s.lines.iter().map(|l| view! { <p>{l.get(lang.get()).to_string()}</p> }).collect_view()}
                    {qr.map(|q| view! { <QrCode text=q label="resi"/> })}
                    <div class="slip-complaints">
                        {s.complaints.iter().map(|l| view! { <p>{l.get(lang.get()).to_string()}</p> }).collect_view()}
                    </div>
                </section>
            }
        })
    }}</div> }
}
