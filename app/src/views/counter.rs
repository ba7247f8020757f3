//! `/counter`: the officer's tablet at one loket. Left, the queue for the loket's services;
//! right, the current ticket with the next step as the big button and the requirement
//! checklist; a tab for accepted files (due, ready, pickup, hand-over) and one for
//! no-shows and returned files.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::slip::{print, PrintSlot, Slip, SlipView};
use crate::client::Device;
use crate::components::{Clock, LangToggle, Notices, PhaseGate, SyncChip};
use crate::domain::i18n::Text;
use crate::domain::ids::{LoketId, RequirementId, ServiceCode, TicketId, TicketNumber};
use crate::domain::mutation::{DeviceRole, MutationKind};
use crate::domain::queue;
use crate::domain::service_day;
use crate::domain::ticket::{Ticket, TicketCommand, TicketStatus};
use crate::text;
use crate::use_lang;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Queue,
    Accepted,
    Aside,
}

#[component]
pub fn CounterPage() -> impl IntoView {
    let device = Device::start(DeviceRole::Counter);
    let lang = use_lang();
    // The loket is a device setting the runtime restores from IndexedDB.
    let loket = device.loket;
    let print_slot = PrintSlot(RwSignal::new(None));
    provide_context(print_slot);
    view! {
        <main class="page counter">
            <header class="bar">
                <div class="bar-title">
                    <span class="logo" aria-hidden="true">"A"</span>
                    <h1>{move || match loket.get() {
                        Some(l) => format!("{} {l}", text::LOKET.get(lang.get())),
                        None => text::COUNTER.get(lang.get()).to_string(),
                    }}</h1>
                </div>
                <div class="bar-side">
                    <Clock device/>
                    <SyncChip device/>
                    {move || loket.get().map(|_| view! {
                        <button class="btn btn-ghost" on:click=move |_| choose(device, None)>{move || text::CHANGE_LOKET.get(lang.get())}</button>
                    })}
                    {move || device.officer.get().map(|name| view! {
                        <span class="officer" data-testid="officer">{name}</span>
                        <button class="btn btn-ghost" on:click=move |_| {
                            leptos::task::spawn_local(async move { device.sign_out().await });
                        }>{move || text::SIGN_OUT.get(lang.get())}</button>
                    })}
                    <LangToggle/>
                </div>
            </header>
            <Notices device/>
            <SlipView printer=print_slot/>
            <PhaseGate device>
                {move || match loket.get() {
                    None => view! { <LoketPicker device/> }.into_any(),
                    Some(l) => view! { <Workbench device loket=l/> }.into_any(),
                }}
            </PhaseGate>
        </main>
    }
}

/// Sets the counter's loket; a refusal (actions still waiting to be sent) is a notice.
fn choose(device: Device, loket: Option<LoketId>) {
    leptos::task::spawn_local(async move {
        if let Err(e) = device.set_loket(loket).await {
            device.notices.update(|n| n.push(e));
        }
    });
}

#[component]
fn LoketPicker(device: Device) -> impl IntoView {
    let lang = use_lang();
    let lokets = move || device.lokets();
    view! {
        <section class="picker">
            <h2>{move || text::CHOOSE_LOKET.get(lang.get())}</h2>
            <div class="picker-grid">
                {move || lokets().into_iter().map(|l| view! {
                    <button class="btn btn-primary btn-xl" data-testid=format!("loket-{l}")
                        on:click=move |_| choose(device, Some(l))>
                        {move || format!("{} {l}", text::LOKET.get(lang.get()))}
                    </button>
                }).collect_view()}
            </div>
        </section>
    }
}

fn services_of(device: &Device, loket: LoketId) -> Vec<ServiceCode> {
    device
        .rules
        .get()
        .map(|r| {
            r.catalogue
                .services
                .iter()
                .filter(|s| s.lokets.contains(&loket))
                .map(|s| s.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Performs an officer's action at this counter's loket.
fn run(device: Device, ticket: TicketId, command: TicketCommand, error: RwSignal<Option<Text>>) {
    let loket = device.loket.get_untracked();
    leptos::task::spawn_local(async move {
        error.set(
            device
                .act(MutationKind::Ticket {
                    ticket,
                    command,
                    loket,
                })
                .await
                .err(),
        );
    });
}

#[component]
fn Workbench(device: Device, loket: LoketId) -> impl IntoView {
    let lang = use_lang();
    let tab = RwSignal::new(Tab::Queue);
    let error = RwSignal::new(None::<Text>);
    let services = Signal::derive(move || services_of(&device, loket));
    // Changes once a day: a counter left open overnight shows the new day's line.
    let today = Memo::new(move |_| device.today());
    let line = Signal::derive(move || {
        let rules = device.rules.get();
        let svcs = services.get();
        let Some(today) = today.get() else {
            return Vec::new();
        };
        device.replica.with(|r| {
            rules
                .map(|rules| {
                    queue::waiting_line(r, &rules, &svcs, Some(loket), today)
                        .into_iter()
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // A memo, so a confirmation that changes nothing does not rebuild the current ticket.
    let current = Memo::new(move |_| {
        let today = today.get()?;
        device.rules.with(|rules| {
            let cal = &rules.as_ref()?.calendar;
            device
                .replica
                .with(|r| r.current_at(loket, today, cal).cloned())
        })
    });
    // The checklist belongs to the ticket being served; it survives re-renders and is
    // cleared when the next ticket comes up.
    let checked = RwSignal::new(BTreeSet::<RequirementId>::new());
    let checked_for = RwSignal::new(None::<TicketId>);
    Effect::new(move |_| {
        let id = current.get().map(|t| t.id);
        if id != checked_for.get_untracked() {
            checked_for.set(id);
            checked.set(BTreeSet::new());
        }
    });
    let call_next = move || {
        if current
            .get_untracked()
            .is_some_and(|t| t.status.occupies_loket())
        {
            return;
        }
        match line.get_untracked().first() {
            Some(t) => run(device, t.id, TicketCommand::Call { loket }, error),
            None => error.set(Some(text::NOBODY_WAITING.into())),
        }
    };
    // Keyboard at the counter: Space/Enter for the primary action, R recall, N no-show.
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            let target_is_input = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "BUTTON"));
            if target_is_input || tab.get_untracked() != Tab::Queue {
                return;
            }
            let cur = current.get_untracked();
            let free = cur.as_ref().is_none_or(|t| !t.status.occupies_loket());
            match (ev.key().as_str(), cur) {
                (" " | "Enter", _) if free => {
                    ev.prevent_default();
                    call_next();
                }
                (" " | "Enter", Some(t)) if matches!(t.status, TicketStatus::Called { .. }) => {
                    ev.prevent_default();
                    run(device, t.id, TicketCommand::Start, error);
                }
                ("r" | "R", Some(t))
                    if matches!(
                        t.status,
                        TicketStatus::Called { .. } | TicketStatus::PickupCalled { .. }
                    ) =>
                {
                    let cmd = if matches!(t.status, TicketStatus::PickupCalled { .. }) {
                        TicketCommand::CallPickup { loket }
                    } else {
                        TicketCommand::Recall
                    };
                    run(device, t.id, cmd, error);
                }
                ("n" | "N", Some(t))
                    if matches!(
                        t.status,
                        TicketStatus::Called { .. } | TicketStatus::PickupCalled { .. }
                    ) =>
                {
                    run(device, t.id, TicketCommand::NoShow, error)
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    let tab_button = move |t: Tab, label: text::T, testid: &'static str| {
        view! {
            <button class="tab" class:tab-on=move || tab.get() == t role="tab" aria-selected=move || (tab.get() == t).to_string()
                data-testid=testid on:click=move |_| tab.set(t)>{move || label.get(lang.get())}</button>
        }
    };
    view! {
        <nav class="tabs" role="tablist">
            {tab_button(Tab::Queue, text::QUEUE, "tab-queue")}
            {tab_button(Tab::Accepted, text::ACCEPTED_TAB, "tab-accepted")}
            {tab_button(Tab::Aside, text::ASIDE_TAB, "tab-aside")}
        </nav>
        {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="counter-error">{e.get(lang.get()).to_string()}</p> })}
        {move || match tab.get() {
            Tab::Queue => view! {
                <div class="panes">
                    <section class="pane queue" aria-label="Antrean">
                        <h2>{move || format!("{} ({})", text::QUEUE.get(lang.get()), line.get().len())}</h2>
                        <QueueList device line/>
                    </section>
                    <section class="pane current" aria-live="polite">
                        {move || {
                            let next = move || view! {
                                <div class="empty-current">
                                    <button class="btn btn-primary btn-xxl" data-testid="call-next" disabled=move || line.get().is_empty()
                                        on:click=move |_| call_next()>
                                        {move || text::CALL_NEXT.get(lang.get())}<kbd>"Space"</kbd>
                                    </button>
                                    <Show when=move || line.get().is_empty()>
                                        <p class="muted">{move || text::NOBODY_WAITING.get(lang.get())}</p>
                                    </Show>
                                </div>
                            };
                            match current.get() {
                                None => next().into_any(),
                                // A copy waiting to be collected leaves the queue to the loket.
                                Some(t) if !t.status.occupies_loket() => view! {
                                    {next()}
                                    <CurrentTicket device ticket=t loket error checked/>
                                }.into_any(),
                                Some(t) => view! { <CurrentTicket device ticket=t loket error checked/> }.into_any(),
                            }
                        }}
                    </section>
                </div>
            }.into_any(),
            Tab::Accepted => view! { <AcceptedFiles device loket error/> }.into_any(),
            Tab::Aside => view! { <AsideList device services error/> }.into_any(),
        }}
    }
}

#[component]
fn QueueList(device: Device, line: Signal<Vec<Ticket>>) -> impl IntoView {
    let lang = use_lang();
    // The clock ticks every second; waiting times are shown in minutes, so rows follow a
    // once-a-minute signal, and a row is rebuilt only when its own ticket changes (a long
    // queue re-rendered whole every second before).
    let minute = Memo::new(move |_| device.now.get() / 60_000);
    view! {
        <ol class="queue-list" data-testid="queue-list">
            <For
                each=move || line.get()
                key=|t| (t.id, t.queued_at.wall_ms, t.priority, t.rejoined)
                let:t
            >
                <li class="queue-row" data-testid="queue-row">
                    <span class="num">{t.number.to_string()}</span>
                    <span class="wait">{move || {
                        // Re-run once a minute; the exact time is read without tracking.
                        let _ = minute.get();
                        let now = device.now.get_untracked();
                        let mins = if now > 0 { ((now - t.queued_at.wall_ms) / 60_000).max(0) } else { 0 };
                        format!("{mins} {}", text::WAITING_SINCE.get(lang.get()))
                    }}</span>
                    {t.priority.is_priority().then(|| view! { <span class="badge badge-prio">{move || text::PRIORITY_MARK.get(lang.get())}</span> })}
                    {t.rejoined.then(|| view! { <span class="badge badge-back">{move || text::REJOINED_MARK.get(lang.get())}</span> })}
                </li>
            </For>
        </ol>
    }
}

#[component]
fn CurrentTicket(
    device: Device,
    ticket: Ticket,
    loket: LoketId,
    error: RwSignal<Option<Text>>,
    checked: RwSignal<BTreeSet<RequirementId>>,
) -> impl IntoView {
    let lang = use_lang();
    let id = ticket.id;
    let rules = device.rules.get_untracked();
    let service = rules
        .as_ref()
        .and_then(|r| r.catalogue.service(&ticket.service).cloned());
    // The ticket's own checklist: its service's as it was when the ticket was issued.
    let checklist = rules
        .as_ref()
        .map(|r| ticket.checklist(&r.catalogue).to_vec())
        .unwrap_or_default();
    let service_name = service.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let number = ticket.number.to_string();
    let body = match ticket.status.clone() {
        TicketStatus::Called { calls, .. } => view! {
            <p class="state">{move || format!("{} · {calls} {}", text::CALLED.get(lang.get()), text::TIMES.get(lang.get()))}</p>
            <div class="actions">
                <button class="btn btn-primary btn-xxl" data-testid="start" on:click=move |_| run(device, id, TicketCommand::Start, error)>
                    {move || text::START.get(lang.get())}<kbd>"Enter"</kbd>
                </button>
                <button class="btn btn-secondary btn-xl" data-testid="recall" on:click=move |_| run(device, id, TicketCommand::Recall, error)>
                    {move || text::RECALL.get(lang.get())}<kbd>"R"</kbd>
                </button>
                <button class="btn btn-warn btn-xl" data-testid="no-show" on:click=move |_| run(device, id, TicketCommand::NoShow, error)>
                    {move || text::NO_SHOW.get(lang.get())}<kbd>"N"</kbd>
                </button>
            </div>
        }
        .into_any(),
        TicketStatus::Serving { .. } => {
            let reqs = checklist.clone();
            let all: Vec<RequirementId> = reqs.iter().map(|r| r.id.clone()).collect();
            let all2 = all.clone();
            let complete = move || all.iter().all(|r| checked.get().contains(r));
            let missing = move || all2.iter().filter(|r| !checked.get().contains(*r)).cloned().collect::<Vec<_>>();
            let missing2 = missing.clone();
            view! {
                <p class="state">{move || text::SERVING.get(lang.get())}</p>
                <fieldset class="req-check" data-testid="checklist">
                    <legend>{move || text::CHECKLIST.get(lang.get())}</legend>
                    {reqs.into_iter().map(|r| {
                        let rid = r.id.clone();
                        let rid2 = r.id.clone();
                        view! {
                            <label class="req-row">
                                <input type="checkbox" data-testid=format!("req-{}", r.id)
                                    prop:checked=move || checked.get().contains(&rid)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        checked.update(|c| { if on { c.insert(rid2.clone()); } else { c.remove(&rid2); } });
                                    }/>
                                <span>{move || r.text.get(lang.get()).to_string()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <p class="muted">{move || text::RETURN_HINT.get(lang.get())}</p>
                <div class="actions">
                    <button class="btn btn-success btn-xxl" data-testid="accept" disabled=move || !complete()
                        on:click=move |_| run(device, id, TicketCommand::Accept { checked: checked.get_untracked().into_iter().collect() }, error)>
                        {move || text::ACCEPT.get(lang.get())}
                    </button>
                    <button class="btn btn-warn btn-xl" data-testid="return" disabled=move || missing().is_empty()
                        on:click=move |_| run(device, id, TicketCommand::ReturnIncomplete { missing: missing2() }, error)>
                        {move || text::RETURN.get(lang.get())}
                    </button>
                </div>
            }
            .into_any()
        }
        TicketStatus::PickupCalled { calls, .. } => view! {
            <p class="state">{move || format!("{} · {calls} {}", text::PICKUP_AT.get(lang.get()), text::TIMES.get(lang.get()))}</p>
            <div class="actions">
                <button class="btn btn-success btn-xxl" data-testid="hand-over" on:click=move |_| run(device, id, TicketCommand::HandOver, error)>
                    {move || text::HAND_OVER.get(lang.get())}
                </button>
                <button class="btn btn-secondary btn-xl" on:click=move |_| run(device, id, TicketCommand::CallPickup { loket }, error)>
                    {move || text::RECALL.get(lang.get())}<kbd>"R"</kbd>
                </button>
                <button class="btn btn-warn btn-xl" data-testid="pickup-absent" on:click=move |_| run(device, id, TicketCommand::NoShow, error)>
                    {move || text::PICKUP_ABSENT.get(lang.get())}<kbd>"N"</kbd>
                </button>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    let transferable = matches!(
        ticket.status,
        TicketStatus::Called { .. } | TicketStatus::Serving { .. }
    );
    view! {
        <div class="current-ticket" data-testid="current">
            <p class="current-number" data-testid="current-number">{number}</p>
            <p class="current-service">{move || service_name.get(lang.get()).to_string()}</p>
            {ticket.priority.is_priority().then(|| view! { <span class="badge badge-prio">{move || text::PRIORITY_MARK.get(lang.get())}</span> })}
            {body}
            {transferable.then(|| view! { <Transfer device ticket=id current=ticket.service.clone() error/> })}
        </div>
    }
}

/// Sends the ticket to another service's queue (the citizen came for something else).
#[component]
fn Transfer(
    device: Device,
    ticket: TicketId,
    current: ServiceCode,
    error: RwSignal<Option<Text>>,
) -> impl IntoView {
    let lang = use_lang();
    // Targets: another service (any of its lokets), or a particular loket of any service.
    let targets: Vec<(ServiceCode, Option<LoketId>, Text)> = device
        .rules
        .get_untracked()
        .map(|r| {
            r.catalogue
                .offered()
                .flat_map(|s| {
                    let any = (s.code != current).then(|| {
                        (
                            s.code.clone(),
                            None,
                            Text::new(
                                format!("{} — loket mana pun", s.name.id),
                                format!("{} — any loket", s.name.en),
                            ),
                        )
                    });
                    let lokets = s.lokets.iter().map(|l| {
                        (
                            s.code.clone(),
                            Some(*l),
                            Text::new(
                                format!("{} — Loket {l}", s.name.id),
                                format!("{} — Loket {l}", s.name.en),
                            ),
                        )
                    });
                    any.into_iter().chain(lokets).collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default();
    let encode = |code: &ServiceCode, loket: Option<LoketId>| {
        format!(
            "{code}|{}",
            loket.map(|l| l.to_string()).unwrap_or_default()
        )
    };
    let first = targets.first().map(|(c, l, _)| encode(c, *l));
    let target = RwSignal::new(first);
    (!targets.is_empty()).then(|| view! {
        <div class="transfer" data-testid="transfer">
            <label>
                <span>{move || text::TRANSFER_TO.get(lang.get())}</span>
                <select data-testid="transfer-service" on:change=move |e| target.set(Some(event_target_value(&e)))>
                    {targets.into_iter().map(|(code, loket, label)| view! {
                        <option value=encode(&code, loket)>{move || label.get(lang.get()).to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button class="btn btn-secondary" data-testid="transfer-go" on:click=move |_| {
                let Some(choice) = target.get_untracked() else { return };
                let Some((code, loket)) = choice.split_once('|') else { return };
                let Ok(service) = ServiceCode::parse(code) else { return };
                let loket = loket.parse::<u8>().ok().and_then(|l| LoketId::new(l).ok());
                run(device, ticket, TicketCommand::Transfer { service, loket }, error);
            }>{move || text::TRANSFER.get(lang.get())}</button>
        </div>
    })
}

#[component]
fn AcceptedFiles(device: Device, loket: LoketId, error: RwSignal<Option<Text>>) -> impl IntoView {
    let lang = use_lang();
    let search = RwSignal::new(String::new());
    let files = move || {
        let q = search.get().trim().to_ascii_uppercase();
        let typed = TicketNumber::parse(&q).ok();
        device.replica.with(|r| {
            let mut v: Vec<Ticket> = r
                .tickets()
                .filter(|t| {
                    matches!(
                        t.status,
                        TicketStatus::Accepted
                            | TicketStatus::Ready
                            | TicketStatus::PickupCalled { .. }
                    )
                })
                .filter(|t| {
                    q.is_empty()
                        || Some(t.number) == typed
                        || t.receipt.as_ref().is_some_and(|x| x.number.contains(&q))
                })
                .cloned()
                .collect();
            // Citizens who checked in at the kiosk today first: they are here.
            let today = device.today();
            device.rules.with(|rules| {
                let present = |t: &Ticket| match (today, rules) {
                    (Some(day), Some(r)) => t.present_on(day, &r.calendar),
                    _ => false,
                };
                v.sort_by_cached_key(|t| {
                    (!present(t), t.receipt.as_ref().map(|x| x.due), t.number)
                });
            });
            v
        })
    };
    view! {
        <section class="pane files">
            <input class="input-xl" type="search" data-testid="receipt-search"
                placeholder=move || text::SEARCH_RECEIPT.get(lang.get())
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <table class="files-table" data-testid="files">
                <tbody>
                    {move || {
                        let files = files();
                        if files.is_empty() {
                            return view! { <tr><td class="muted">{text::NOTHING_HERE.get(lang.get())}</td></tr> }.into_any();
                        }
                        let now = device.now.get();
                        let rules = device.rules.get();
                        let slot = expect_context::<PrintSlot>();
                        files.into_iter().map(|t| {
                            let id = t.id;
                            let t2 = t.clone();
                            let rules = rules.clone();
                            let due = t.receipt.as_ref().map(|r| r.due);
                            let overdue = due.is_some_and(|d| now > 0 && d.as_millisecond() < now && t.status == TicketStatus::Accepted);
                            // A copy left uncollected for the policy's working days is
                            // flagged for the office.
                            let uncollected = now > 0 && rules.as_ref().is_some_and(|r| {
                                let today = r.calendar.service_day(jiff::Timestamp::from_millisecond(now).unwrap_or_default());
                                service_day::collection_overdue(&r.calendar, &r.catalogue.policy, &t, today)
                            });
                            let due_text = match (&device.rules.get_untracked(), due) {
                                (Some(r), Some(d)) => r.calendar.moment_in_words(d, lang.get()),
                                _ => String::new(),
                            };
                            let receipt = t.receipt.as_ref().map(|r| r.number.clone()).unwrap_or_default();
                            let present = now > 0 && rules.as_ref().is_some_and(|r| {
                                let today = r.calendar.service_day(jiff::Timestamp::from_millisecond(now).unwrap_or_default());
                                t.present_on(today, &r.calendar)
                            });
                            let action = match t.status {
                                TicketStatus::Accepted => view! {
                                    <button class="btn btn-secondary" data-testid="mark-ready" on:click=move |_| run(device, id, TicketCommand::MarkReady, error)>
                                        {move || text::MARK_READY.get(lang.get())}
                                    </button>
                                }.into_any(),
                                TicketStatus::Ready => view! {
                                    <button class="btn btn-primary" data-testid="call-pickup" on:click=move |_| run(device, id, TicketCommand::CallPickup { loket }, error)>
                                        {move || text::CALL_PICKUP.get(lang.get())}
                                    </button>
                                    <button class="btn btn-success" on:click=move |_| run(device, id, TicketCommand::HandOver, error)>
                                        {move || text::HAND_OVER.get(lang.get())}
                                    </button>
                                }.into_any(),
                                _ => view! {
                                    <button class="btn btn-success" data-testid="hand-over-file" on:click=move |_| run(device, id, TicketCommand::HandOver, error)>
                                        {move || text::HAND_OVER.get(lang.get())}
                                    </button>
                                    <button class="btn btn-warn" data-testid="pickup-absent-file" on:click=move |_| run(device, id, TicketCommand::NoShow, error)>
                                        {move || text::PICKUP_ABSENT.get(lang.get())}
                                    </button>
                                }.into_any(),
                            };
                            view! {
                                <tr class:overdue=overdue class:uncollected=uncollected data-testid="file-row" data-uncollected=uncollected.to_string()>
                                    <td class="num">{t.number.to_string()}</td>
                                    <td>
                                        {receipt}
                                        {present.then(|| view! { <span class="badge badge-present" data-testid="present">{move || text::PRESENT.get(lang.get())}</span> })}
                                    </td>
                                    <td>
                                        {move || if overdue { format!("{} · ", text::OVERDUE.get(lang.get())) } else { String::new() }}
                                        {move || if uncollected { format!("{} · ", text::UNCOLLECTED.get(lang.get())) } else { String::new() }}
                                        {due_text}
                                    </td>
                                    <td class="row-actions">
                                        {action}
                                        <button class="btn btn-secondary" data-testid="print-receipt" on:click=move |_| {
                                            if let Some(slip) = rules.as_ref().and_then(|r| Slip::for_ticket(&t2, r)) {
                                                print(slot, slip);
                                            }
                                        }>{move || text::PRINT_RECEIPT.get(lang.get())}</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn AsideList(
    device: Device,
    services: Signal<Vec<ServiceCode>>,
    error: RwSignal<Option<Text>>,
) -> impl IntoView {
    let lang = use_lang();
    let today = Memo::new(move |_| device.today());
    let rows = move || {
        let svcs = services.get();
        let today = today.get();
        let rules = device.rules.get();
        // Absent citizens of an earlier day are not reinstated (that day's line closed);
        // returned files may come back for some working days.
        let of_today = move |t: &Ticket| {
            rules
                .as_ref()
                .zip(today)
                .is_some_and(|(r, d)| t.queued_day(&r.calendar) == d)
        };
        device.replica.with(|r| {
            r.tickets()
                .filter(|t| {
                    svcs.contains(&t.service)
                        && match t.status {
                            TicketStatus::NoShow => of_today(t),
                            TicketStatus::ReturnedIncomplete => true,
                            _ => false,
                        }
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="pane aside">
            <ul class="aside-list">
                {move || rows().into_iter().map(|t| {
                    let id = t.id;
                    let status = t.status.label();
                    let (label, cmd) = if t.status == TicketStatus::NoShow {
                        (text::REINSTATE, TicketCommand::Reinstate)
                    } else {
                        (text::REJOIN, TicketCommand::Rejoin)
                    };
                    let slip = device.rules.with_untracked(|r| r.as_ref().and_then(|r| Slip::for_ticket(&t, r)));
                    let slot = expect_context::<PrintSlot>();
                    view! {
                        <li class="queue-row">
                            <span class="num">{t.number.to_string()}</span>
                            <span>{move || status.get(lang.get()).to_string()}</span>
                            <button class="btn btn-secondary" on:click=move |_| run(device, id, cmd.clone(), error)>{move || label.get(lang.get())}</button>
                            {slip.map(|s| view! {
                                <button class="btn btn-secondary" data-testid="print-return" on:click=move |_| print(slot, s.clone())>
                                    {move || text::PRINT_RETURN.get(lang.get())}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
