//! One module per route. Views are thin: they read the device's signals and call the
//! domain; rules live in `crate::domain`.

pub mod admin;
pub mod citizen;
pub mod counter;
pub mod display;
pub mod home;
pub mod kiosk;
#[cfg(feature = "ssr")]
pub mod public;
pub mod reports;
pub mod service_editor;
pub mod slip;

use leptos::prelude::*;

use crate::domain::i18n::Text;
use crate::domain::ticket::Priority;
use crate::text;
use crate::use_lang;

/// A priority group's name, as the kiosk's buttons say it.
pub fn priority_label(p: Priority) -> text::T {
    match p {
        Priority::Regular => text::P_REGULAR,
        Priority::Elderly => text::P_ELDERLY,
        Priority::Disabled => text::P_DISABLED,
        Priority::Pregnant => text::P_PREGNANT,
    }
}

/// "Prioritas: Lansia", printed and shown wherever a priority ticket's number is; `None`
/// for a regular ticket.
pub fn priority_mark(p: Priority) -> Option<Text> {
    let (mark, name) = (text::PRIORITY_MARK, priority_label(p));
    p.is_priority().then(|| {
        Text::new(
            format!("{}: {}", mark.0, name.0),
            format!("{}: {}", mark.1, name.1),
        )
    })
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum_status_not_found());
        }
    }
    let lang = use_lang();
    view! {
        <main class="page narrow">
            <h1>{move || text::PAGE_NOT_FOUND.get(lang.get())}</h1>
            <a class="btn" href="/">"Antrean"</a>
        </main>
    }
}

#[cfg(feature = "ssr")]
fn axum_status_not_found() -> http::StatusCode {
    http::StatusCode::NOT_FOUND
}
