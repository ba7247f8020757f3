//! The counter's printed slips: the pickup receipt (resi) handed over when a berkas is
//! accepted, and the return slip listing what was missing. Printed through the browser on
//! the same thermal stylesheet as the kiosk ticket; on screen the slip is hidden.

use leptos::prelude::*;

use crate::components::QrCode;
use crate::domain::i18n::Text;
use crate::domain::replica::Rules;
use crate::domain::ticket::{Ticket, TicketStatus};
use crate::text;
use crate::use_lang;

/// What to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Slip {
    pub title: Text,
    pub number: String,
    pub service: Text,
    /// Lines under the number: the receipt's due time, or the missing documents.
    pub lines: Vec<Text>,
    /// Scanned at hand-over to find the file: the receipt number.
    pub qr: Option<String>,
}

impl Slip {
    /// The slip for a ticket as it stands: a receipt once accepted, a return slip when
    /// returned incomplete; nothing otherwise.
    pub fn for_ticket(t: &Ticket, rules: &Rules) -> Option<Slip> {
        let service = rules.catalogue.service(&t.service)?;
        match (&t.status, &t.receipt) {
            (
                TicketStatus::Accepted | TicketStatus::Ready | TicketStatus::PickupCalled { .. },
                Some(r),
            ) => {
                let due_id = rules
                    .calendar
                    .moment_in_words(r.due, crate::domain::i18n::Lang::Id);
                let due_en = rules
                    .calendar
                    .moment_in_words(r.due, crate::domain::i18n::Lang::En);
                Some(Slip {
                    title: Text::new(text::RECEIPT_TITLE.0, text::RECEIPT_TITLE.1),
                    number: r.number.clone(),
                    service: service.name.clone(),
                    lines: vec![
                        Text::new(
                            format!("Nomor antrean {}", t.number),
                            format!("Ticket {}", t.number),
                        ),
                        Text::new(format!("Selesai: {due_id}"), format!("Ready: {due_en}")),
                        Text::new(text::RECEIPT_KEEP.0, text::RECEIPT_KEEP.1),
                    ],
                    qr: Some(r.number.clone()),
                })
            }
            (TicketStatus::ReturnedIncomplete, _) => Some(Slip {
                title: Text::new(text::RETURN_TITLE.0, text::RETURN_TITLE.1),
                number: t.number.to_string(),
                service: service.name.clone(),
                lines: t
                    .missing
                    .iter()
                    .filter_map(|m| service.requirement(m))
                    .map(|r| Text::new(format!("□ {}", r.text.id), format!("□ {}", r.text.en)))
                    .chain(std::iter::once(Text::new(
                        text::RETURN_KEEP.0,
                        text::RETURN_KEEP.1,
                    )))
                    .collect(),
                qr: None,
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
                    <p class="ticket-office">{move || s.title.get(lang.get()).to_string()}</p>
                    <p class="slip-number" data-testid="slip-number">{s.number.clone()}</p>
                    <p>{s.service.get(lang.get()).to_string()}</p>
                    {s.lines.iter().map(|l| view! { <p>{l.get(lang.get()).to_string()}</p> }).collect_view()}
                    {qr.map(|q| view! { <QrCode text=q label="resi"/> })}
                </section>
            }
        })
    }}</div> }
}
