//! `/kiosk`: the ticket machine at the door. Shows each service's standard before the
//! citizen queues, issues numbered tickets (also offline), prints them, and lets a citizen
//! who was sent to complete the berkas re-enter with the same ticket.

use leptos::prelude::*;

use crate::client::{Device, IssuedTicket};
use crate::components::{Clock, LangToggle, Notices, PhaseGate, QrCode, SyncChip};
use crate::domain::catalogue::Service;
use crate::domain::i18n::{Lang, Text};
use crate::domain::ids::{ServiceCode, TicketNumber, TrackingToken};
use crate::domain::kiosk_return::{kiosk_return, KioskReturn, Returning};
use crate::domain::mutation::{DeviceRole, MutationKind};
use crate::domain::queue;
use crate::domain::ticket::{Priority, TicketCommand, TicketError};
use crate::text;
use crate::use_lang;

/// Seconds the ticket screen stays up, and idle seconds before a detail screen resets and
/// the kiosk speaks Indonesian again for the next citizen.
const TICKET_SECS: i64 = 20;
const IDLE_SECS: i64 = 60;

#[derive(Clone, PartialEq)]
enum Screen {
    Start,
    Detail(ServiceCode),
    /// The ticket just issued, in [`Ticket::shown`].
    Ticket,
    Rejoin,
}

/// The ticket screen's state. The screen stays mounted (hidden) and its QR code is drawn
/// for the next ticket's token before the tap, so a tap only stores the ticket and fills in
/// its number (BENCHMARKS.md, item 1).
#[derive(Clone, Copy)]
struct Ticket {
    /// The tracking token the next ticket will carry; made after hydration and after each
    /// ticket, never during the server render.
    next_token: RwSignal<Option<TrackingToken>>,
    /// The ticket on screen, once stored.
    shown: RwSignal<Option<IssuedTicket>>,
}

fn priority_icon(p: Priority) -> &'static str {
    match p {
        Priority::Regular => {
            r#"<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8"><circle cx="12" cy="6" r="3"/><path d="M6 21v-6a6 6 0 0 1 12 0v6"/></svg>"#
        }
        Priority::Elderly => {
            r#"<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8"><circle cx="11" cy="4.5" r="2.5"/><path d="M11 8l-2 6 3 2v5M9 14l-3 7M14 10l3 3v8"/></svg>"#
        }
        Priority::Disabled => {
            r#"<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8"><circle cx="10" cy="4" r="2"/><path d="M10 7v6h6l3 6"/><path d="M8 10a6 6 0 1 0 7 9"/></svg>"#
        }
        Priority::Pregnant => {
            r#"<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8"><circle cx="11" cy="4" r="2.5"/><path d="M10 8c-2 3-2 6 0 8v5M12 9c4 1 5 6 1 8"/></svg>"#
        }
    }
}

/// Where the printed tracking links point: the server's plain address when the kiosk
/// runs over HTTPS (a phone does not trust the office's authority), else the kiosk's own
/// origin.
fn origin(device: Device) -> String {
    if let Some(o) = device.citizen_origin.get() {
        return o;
    }
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[component]
pub fn KioskPage() -> impl IntoView {
    let device = Device::start(DeviceRole::Kiosk);
    let lang = use_lang();
    let screen = RwSignal::new(Screen::Start);
    let last_tap = RwSignal::new(0i64);
    let cooldown_until = RwSignal::new(0i64);
    let ticket = Ticket {
        next_token: RwSignal::new(None),
        shown: RwSignal::new(None),
    };
    // A token for the next ticket whenever none is waiting (effects run only in the browser).
    Effect::new(move |_| {
        if ticket.next_token.with(Option::is_none) {
            if let Some(token) = Device::fresh_token() {
                ticket.next_token.set(Some(token));
            }
        }
    });

    let go = move |s: Screen| {
        // Leaving the ticket clears it, so nothing of one citizen's ticket stays behind,
        // and the next citizen is greeted in Indonesian.
        if s != Screen::Ticket && ticket.shown.with_untracked(Option::is_some) {
            ticket.shown.set(None);
            lang.set(Lang::Id);
        }
        last_tap.set(device.now.get_untracked());
        screen.set(s);
    };
    // Idle return: the ticket screen after a few seconds, other screens after a minute.
    Effect::new(move |_| {
        let now = device.now.get();
        let since = now - last_tap.get_untracked();
        let idle = since > IDLE_SECS * 1000;
        let reset = match screen.get_untracked() {
            Screen::Start => false,
            Screen::Ticket => since > TICKET_SECS * 1000,
            _ => idle,
        };
        if reset && now > 0 {
            go(Screen::Start);
        }
        if idle && now > 0 && lang.get_untracked() != Lang::Id {
            lang.set(Lang::Id);
        }
    });

    let office = move || {
        device
            .rules
            .get()
            .map(|r| r.catalogue.office.name.clone())
            .unwrap_or_else(|| text::OFFICE_FALLBACK.get(lang.get()).to_string())
    };

    view! {
        // Any touch (the language button too) counts as someone at the kiosk.
        <main class="page kiosk" on:pointerdown=move |_| last_tap.set(device.now.get_untracked())>
            <header class="bar">
                <div class="bar-title">
                    <span class="logo" aria-hidden="true">"A"</span>
                    <h1 data-testid="office">{office}</h1>
                </div>
                <div class="bar-side">
                    <Clock device/>
                    <SyncChip device/>
                    <LangToggle/>
                </div>
            </header>
            <Notices device/>
            <PhaseGate device>
                {move || match screen.get() {
                    Screen::Start => view! { <StartScreen device go/> }.into_any(),
                    Screen::Detail(code) => view! { <DetailScreen device code go cooldown_until ticket/> }.into_any(),
                    Screen::Ticket => ().into_any(),
                    Screen::Rejoin => view! { <RejoinScreen device go/> }.into_any(),
                }}
                <TicketScreen device ticket go/>
            </PhaseGate>
            <footer class="kiosk-foot">
                <span data-testid="last-issued">
                    {move || device.last_issued.get().map(|n| format!("{}: {n}", text::LAST_TICKET.get(lang.get())))}
                </span>
            </footer>
        </main>
    }
}

#[component]
fn StartScreen(
    device: Device,
    go: impl Fn(Screen) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let services = move || {
        device
            .rules
            .get()
            .map(|r| r.catalogue.offered().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let today = Memo::new(move |_| device.today());
    // People in today's line: yesterday's unserved tickets are not waiting any more.
    let waiting = move |code: &ServiceCode| {
        let Some(today) = today.get() else {
            return 0;
        };
        device.rules.with(|rules| {
            rules.as_ref().map_or(0, |rules| {
                device.replica.with(|r| {
                    queue::waiting_line(r, rules, std::slice::from_ref(code), None, today).len()
                })
            })
        })
    };
    // The daily quota as this kiosk knows it; the server checks it again on sync.
    let full = move |s: &Service| {
        let now = device.now.get();
        s.daily_cap.is_some_and(|cap| {
            device.rules.with(|r| {
                r.as_ref().is_some_and(|r| {
                    let today = r
                        .calendar
                        .service_day(jiff::Timestamp::from_millisecond(now).unwrap_or_default());
                    device
                        .replica
                        .with(|rep| rep.issued_count(&s.code, today) >= usize::from(cap))
                })
            })
        })
    };
    view! {
        <section class="services" aria-label="Layanan">
            {move || services().into_iter().map(|s: Service| {
                let code = s.code.clone();
                let code2 = s.code.clone();
                let name = s.name.clone();
                let desc = s.description.clone();
                let s2 = s.clone();
                let is_full = Memo::new(move |_| full(&s2));
                view! {
                    <button class="service-card" data-testid=format!("service-{}", s.code)
                        disabled=move || is_full.get()
                        on:click=move |_| go(Screen::Detail(code.clone()))>
                        <span class="service-prefix" aria-hidden="true">{s.prefix.to_string()}</span>
                        <span class="service-name">{move || name.get(lang.get()).to_string()}</span>
                        <span class="service-desc">{move || desc.get(lang.get()).to_string()}</span>
                        <span class="service-meta">
                            {s.fee.is_free().then(|| view! { <span class="badge badge-free">{move || text::FREE.get(lang.get())}</span> })}
                            <span class="waiting">{move || format!("{} {}", waiting(&code2), text::WAITING_PEOPLE.get(lang.get()))}</span>
                        </span>
                        {move || is_full.get().then(|| view! {
                            <span class="service-full" data-testid="quota-full">{move || text::QUOTA_FULL.get(lang.get())}</span>
                        })}
                    </button>
                }
            }).collect_view()}
        </section>
        <button class="btn btn-secondary btn-wide" data-testid="rejoin" on:click=move |_| go(Screen::Rejoin)>
            {move || text::REJOIN.get(lang.get())}
        </button>
    }
}

#[component]
fn DetailScreen(
    device: Device,
    code: ServiceCode,
    go: impl Fn(Screen) + Copy + Send + Sync + 'static,
    cooldown_until: RwSignal<i64>,
    ticket: Ticket,
) -> impl IntoView {
    let lang = use_lang();
    let priority = RwSignal::new(Priority::Regular);
    // A tap in progress. Not a signal: a tap must not change the page before the ticket is
    // stored, or the browser repaints the detail screen while the transaction waits for
    // the page's thread (BENCHMARKS.md, item 1). The button shows it only when storage is
    // slow.
    let busy = StoredValue::new(false);
    let slow = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let service = device
        .rules
        .get_untracked()
        .and_then(|r| r.catalogue.service(&code).cloned());
    let Some(s) = service else {
        return view! { <p class="phase">{text::LOADING.get(lang.get_untracked())}</p> }.into_any();
    };
    let cooldown = move || device.now.get() < cooldown_until.get();
    let take = {
        let code = code.clone();
        move |_| {
            if busy.get_value() || cooldown() {
                return;
            }
            // No token: the random generator failed (an effect makes one as soon as the
            // kiosk starts). Say so instead of doing nothing.
            let Some(token) = ticket.next_token.get_untracked() else {
                error.set(Some(text::NO_RANDOM.into()));
                return;
            };
            busy.set_value(true);
            let code = code.clone();
            // Cancelled as soon as the tap ends: left pending, it fired into the next
            // citizen's tap (BENCHMARKS.md, item 1).
            #[cfg(feature = "hydrate")]
            let slow_after = gloo_timers::callback::Timeout::new(150, move || slow.set(true));
            leptos::task::spawn_local(async move {
                let issued = device
                    .issue_ticket(code, priority.get_untracked(), token)
                    .await;
                #[cfg(feature = "hydrate")]
                drop(slow_after);
                match issued {
                    Ok(t) => {
                        let secs = device.rules.with_untracked(|r| {
                            r.as_ref()
                                .map_or(5, |r| r.catalogue.policy.kiosk_cooldown_secs)
                        });
                        // No cooldown configured: none at all (not "until the next
                        // clock tick", which `issued_ms + 0` would mean).
                        if secs > 0 {
                            cooldown_until.set(t.issued_ms + i64::from(secs) * 1000);
                        }
                        // The ticket first: the stylesheet hides this screen while a
                        // ticket is shown, and the screen is swapped in the next task.
                        ticket.shown.set(Some(t));
                        #[cfg(feature = "hydrate")]
                        gloo_timers::future::TimeoutFuture::new(0).await;
                        // Unless the citizen already left the ticket.
                        if ticket.shown.with_untracked(Option::is_some) {
                            go(Screen::Ticket);
                        }
                        // The token is spent; the effect above makes the next one.
                        ticket.next_token.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set_value(false);
                if slow.get_untracked() {
                    slow.set(false);
                }
            });
        }
    };
    let name = s.name.clone();
    let product = s.product.clone();
    let fee = s.fee.text.clone();
    let days = s.completion.working_days;
    let counted = s.completion.counted_from.clone();
    let reqs = s.requirements.clone();
    let code_for_list = code.clone();
    view! {
        <section class="detail">
            <h2 class="detail-title">{move || name.get(lang.get()).to_string()}</h2>
            <div class="detail-grid">
                <div class="card">
                    <h3>{move || text::BRING.get(lang.get())}</h3>
                    <ul class="checklist" data-testid="requirements">
                        // The list follows the catalogue: an admin's change reaches a
                        // kiosk left open on this screen.
                        {move || {
                            let reqs = device
                                .rules
                                .with(|r| r.as_ref().and_then(|r| r.catalogue.service(&code_for_list).map(|s| s.requirements.clone())))
                                .unwrap_or_else(|| reqs.clone());
                            reqs.into_iter().map(|r| view! {
                                <li><span class="tick" aria-hidden="true">"✓"</span>{move || r.text.get(lang.get()).to_string()}</li>
                            }).collect_view()
                        }}
                    </ul>
                </div>
                <dl class="card facts">
                    <dt>{move || text::FEE.get(lang.get())}</dt>
                    <dd class="free">{move || fee.get(lang.get()).to_string()}</dd>
                    <dt>{move || text::COMPLETION.get(lang.get())}</dt>
                    <dd>{move || format!("{days} {}", text::WORKING_DAYS.get(lang.get()))}<small>{move || counted.get(lang.get()).to_string()}</small></dd>
                    <dt>{move || text::PRODUCT.get(lang.get())}</dt>
                    <dd>{move || product.get(lang.get()).to_string()}</dd>
                </dl>
            </div>
            <fieldset class="priority">
                <legend>{move || text::PRIORITY_Q.get(lang.get())}</legend>
                {Priority::ALL.into_iter().map(|p| view! {
                    <button class="prio" class:prio-on=move || priority.get() == p aria-pressed=move || (priority.get() == p).to_string()
                        data-testid=format!("priority-{}", p.name())
                        on:click=move |_| priority.set(p)>
                        <span inner_html=priority_icon(p) aria-hidden="true"></span>
                        <span>{move || super::priority_label(p).get(lang.get())}</span>
                    </button>
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.get(lang.get()).to_string()}</p> })}
            <div class="actions">
                <button class="btn btn-secondary btn-xl" on:click=move |_| go(Screen::Start)>{move || text::BACK.get(lang.get())}</button>
                <button class="btn btn-primary btn-xl" data-testid="take-number" disabled=move || slow.get() || cooldown() aria-busy=move || slow.get().to_string() on:click=take>
                    {move || if cooldown() { text::COOLDOWN.get(lang.get()) } else { text::TAKE_NUMBER.get(lang.get()) }}
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn TicketScreen(
    device: Device,
    ticket: Ticket,
    go: impl Fn(Screen) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    // The shown ticket's link, else the next one's: the same token, so the QR code drawn
    // while the screen was hidden is the one the citizen scans.
    let url = Memo::new(move |_| {
        let token = ticket
            .shown
            .with(|t| t.as_ref().map(|t| t.token.clone()))
            .or_else(|| ticket.next_token.get());
        token
            .map(|t| format!("{}/t/{}", origin(device), t.as_str()))
            .unwrap_or_default()
    });
    // What the screen says, worked out once per ticket. The screen's elements exist before
    // the tap and only their text changes, so the ticket appears without building views.
    let texts = Memo::new(move |_| {
        ticket.shown.with(|t| {
            t.as_ref().map(|t| {
                device.rules.with_untracked(|rules| {
                    TicketTexts::new(t, rules.as_ref(), &url.get_untracked())
                })
            })
        })
    });
    let say = move |f: fn(&TicketTexts, Lang) -> String| {
        move || texts.with(|t| t.as_ref().map(|t| f(t, lang.get())).unwrap_or_default())
    };
    view! {
        <section class="ticket" data-testid="ticket" hidden=move || texts.with(Option::is_none)>
            <p class="ticket-office print-only">{say(|t, _| t.office.clone())}</p>
            <p class="ticket-label">{move || text::YOUR_NUMBER.get(lang.get())}</p>
            <p class="ticket-number" data-testid="ticket-number">{say(|t, _| t.number.clone())}</p>
            <p class="ticket-priority" data-testid="ticket-priority" hidden=move || texts.with(|t| t.as_ref().is_none_or(|t| t.priority.is_none()))>
                {say(|t, l| t.priority.as_ref().map(|p| p.get(l).to_string()).unwrap_or_default())}
            </p>
            <p class="ticket-service">{say(|t, l| t.service.get(l).to_string())}</p>
            <p class="ticket-time">{say(|t, l| t.when.get(l).to_string())}</p>
            <div class="ticket-stats screen-only">
                <div><strong data-testid="ahead">{say(|t, _| t.ahead.to_string())}</strong><span>{move || text::AHEAD.get(lang.get())}</span></div>
                <div><strong>{say(|t, _| t.wait_minutes.to_string())}</strong><span>{move || text::ABOUT_MIN.get(lang.get())}</span></div>
            </div>
            <QrCode text=url label="QR"/>
            <p class="ticket-scan">{move || text::SCAN.get(lang.get())}</p>
            <p class="ticket-url" data-testid="track-url">{say(|t, _| t.short_url.clone())}</p>
            <p class="ticket-keep print-only">{move || text::KEEP_TICKET.get(lang.get())}</p>
            <div class="actions screen-only">
                <button class="btn btn-secondary btn-xl" on:click=move |_| print_page()>{move || text::PRINT.get(lang.get())}</button>
                <button class="btn btn-primary btn-xl" data-testid="done" on:click=move |_| go(Screen::Start)>
                    {move || text::DONE.get(lang.get())}
                </button>
            </div>
        </section>
    }
}

/// The ticket screen's texts for one ticket.
#[derive(Clone, PartialEq)]
struct TicketTexts {
    office: String,
    number: String,
    /// "Prioritas: Lansia" on a priority ticket.
    priority: Option<Text>,
    service: Text,
    when: Text,
    ahead: usize,
    wait_minutes: u32,
    short_url: String,
}

impl TicketTexts {
    fn new(t: &IssuedTicket, rules: Option<&crate::domain::replica::Rules>, url: &str) -> Self {
        let (office, service, when) = rules
            .map(|r| {
                let ts = jiff::Timestamp::from_millisecond(t.issued_ms).unwrap_or_default();
                let day = r.calendar.service_day(ts);
                let clock = r.calendar.clock(ts);
                let when = Text::new(
                    format!("{} {clock}", r.calendar.date_in_words(day, Lang::Id)),
                    format!("{} {clock}", r.calendar.date_in_words(day, Lang::En)),
                );
                let service = r
                    .catalogue
                    .service(&t.service)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (r.catalogue.office.name.clone(), service, when)
            })
            .unwrap_or_default();
        TicketTexts {
            office,
            number: t.number.to_string(),
            priority: super::priority_mark(t.priority),
            service,
            when,
            ahead: t.ahead,
            wait_minutes: t.wait_minutes,
            short_url: url.replace("http://", "").replace("https://", ""),
        }
    }
}

/// The ticket number behind a tracking token, asked of the server (the kiosk does not
/// keep citizens' tokens). `None` offline: the citizen then types the number.
async fn number_for(token: TrackingToken) -> Option<TicketNumber> {
    #[cfg(feature = "hydrate")]
    {
        crate::client::net::citizen_view(token.as_str())
            .await
            .ok()
            .map(|v| v.number)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = token;
        None
    }
}

#[component]
fn RejoinScreen(
    device: Device,
    go: impl Fn(Screen) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let input = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<Text, Text>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = input.get_untracked();
        leptos::task::spawn_local(async move {
            // A scanned ticket QR code types the tracking link; its number comes from the
            // server. A receipt's QR code types the receipt's number.
            let returning = match TrackingToken::from_link(&typed) {
                Some(token) => number_for(token).await.map(Returning::Number),
                None => Returning::parse(&typed),
            };
            let found = returning.and_then(|r| {
                device
                    .replica
                    .with_untracked(|replica| kiosk_return(replica, &r))
            });
            let (id, command) = match found {
                Some(KioskReturn::Act(id, command)) => (id, command),
                Some(KioskReturn::NotReady(number)) => {
                    result.set(Some(Err(TicketError::NotReadyYet { number }.text())));
                    return;
                }
                None => {
                    result.set(Some(Err(text::REJOIN_NOT_FOUND.into())));
                    return;
                }
            };
            let done: Text = if command == TicketCommand::CheckIn {
                text::CHECKED_IN_OK.into()
            } else {
                text::REJOIN_OK.into()
            };
            let r = device
                .act(MutationKind::Ticket {
                    ticket: id,
                    command,
                    loket: None,
                })
                .await;
            result.set(Some(r.map(|()| done)));
        });
    };
    view! {
        <section class="rejoin">
            <h2>{move || text::REJOIN.get(lang.get())}</h2>
            <form on:submit=submit>
                <label for="rejoin-number">{move || text::REJOIN_HELP.get(lang.get())}</label>
                <input id="rejoin-number" class="input-xl" autocomplete="off" inputmode="text" autofocus
                    data-testid="rejoin-number"
                    prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))/>
                <button class="btn btn-primary btn-xl" type="submit" data-testid="rejoin-submit">{move || text::CONFIRM.get(lang.get())}</button>
            </form>
            {move || result.get().map(|r| match r {
                Ok(done) => view! { <p class="ok" role="status" data-testid="rejoin-ok">{move || done.get(lang.get()).to_string()}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.get(lang.get()).to_string()}</p> }.into_any(),
            })}
            <button class="btn btn-secondary btn-xl" on:click=move |_| go(Screen::Start)>{move || text::BACK.get(lang.get())}</button>
        </section>
    }
}
