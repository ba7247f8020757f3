//! One module per route. Views are thin: they read the device's signals and call the
//! domain; rules live in `crate::domain`.

pub mod admin;
pub mod citizen;
pub mod counter;
pub mod display;
pub mod home;
pub mod kiosk;
pub mod slip;

use leptos::prelude::*;

use crate::text;
use crate::use_lang;

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
