//! The sync status chip, the clock, the language toggle and notices.

use leptos::prelude::*;

use crate::client::{Device, Phase};
use crate::domain::i18n::Lang;
use crate::domain::mutation::DeviceRole;
use crate::text;
use crate::use_lang;

/// A small, calm chip: online, or offline with what is still pending.
#[component]
pub fn SyncChip(device: Device) -> impl IntoView {
    let lang = use_lang();
    let label = move || {
        let s = device.status.get();
        let l = lang.get();
        if device.phase.get() == Phase::Starting {
            return text::LOADING.get(l).to_string();
        }
        let base = if s.online {
            text::ONLINE.get(l)
        } else if device.role == DeviceRole::Kiosk {
            text::OFFLINE_KIOSK.get(l)
        } else {
            text::OFFLINE.get(l)
        };
        if s.pending > 0 {
            format!("{base} · {} {}", s.pending, text::PENDING.get(l))
        } else {
            base.to_string()
        }
    };
    view! {
        <span class="chip" class:chip-offline=move || !device.status.get().online data-testid="sync-chip" role="status" aria-live="polite">
            <span class="chip-dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}

/// Date and WITA clock from the device's ticking `now` (empty during the server render so
/// the HTML never depends on the time it was rendered).
#[component]
pub fn Clock(device: Device) -> impl IntoView {
    let lang = use_lang();
    let text = move || {
        let now = device.now.get();
        let rules = device.rules.get();
        match (now, rules) {
            (0, _) | (_, None) => String::new(),
            (ms, Some(r)) => {
                let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or_default();
                let day = r.calendar.service_day(ts);
                format!(
                    "{} · {} {}",
                    r.calendar.date_in_words(day, lang.get()),
                    r.calendar.clock(ts),
                    r.calendar.zone_name()
                )
            }
        }
    };
    view! { <span class="clock" data-testid="clock">{text}</span> }
}

#[component]
pub fn LangToggle() -> impl IntoView {
    let lang = use_lang();
    view! {
        <button class="btn btn-ghost lang" on:click=move |_| lang.update(|l| *l = if *l == Lang::Id { Lang::En } else { Lang::Id })>
            {move || text::LANG_TOGGLE.get(lang.get())}
        </button>
    }
}

/// Messages from the server (rejections), each in plain words, dismissable.
#[component]
pub fn Notices(device: Device) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Show when=move || !device.notices.get().is_empty()>
            <div class="notices" role="alert" data-testid="notices">
                <ul>
                    {move || device.notices.get().into_iter().map(|n| view! { <li>{n.get(lang.get()).to_string()}</li> }).collect_view()}
                </ul>
                <button class="btn btn-ghost" on:click=move |_| device.dismiss_notices()>{move || text::DISMISS.get(lang.get())}</button>
            </div>
        </Show>
    }
}

/// Shows the children once the device is ready; a calm message before that.
#[component]
pub fn PhaseGate(device: Device, children: ChildrenFn) -> impl IntoView {
    let lang = use_lang();
    move || {
        match device.phase.get() {
        Phase::Starting => view! { <p class="phase" data-testid="phase-starting">{text::LOADING.get(lang.get())}</p> }.into_any(),
        Phase::NeverConnected => view! { <p class="phase phase-warn">{text::NEVER_CONNECTED.get(lang.get())}</p> }.into_any(),
        Phase::Pairing => view! { <super::PairingCode device/> }.into_any(),
        Phase::SignIn => view! { <super::SignInForm device/> }.into_any(),
        Phase::Ready => children().into_any(),
    }
    }
}
