//! `/`: choose what this device is.

use leptos::prelude::*;

use crate::components::LangToggle;
use crate::text;
use crate::use_lang;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let card = move |href: &'static str, title: text::T, desc: text::T, icon: &'static str| {
        view! {
            <a class="role-card" href=href>
                <span class="role-icon" aria-hidden="true" inner_html=icon></span>
                <span class="role-title">{move || title.get(lang.get())}</span>
                <span class="role-desc">{move || desc.get(lang.get())}</span>
            </a>
        }
    };
    view! {
        <main class="page home">
            <header class="bar">
                <h1>{move || text::APP.get(lang.get())}</h1>
                <LangToggle/>
            </header>
            <p class="lead">{move || text::CHOOSE_DEVICE.get(lang.get())}</p>
            <nav class="roles">
                {card("/kiosk", text::KIOSK, text::KIOSK_DESC, ICON_TICKET)}
                {card("/counter", text::COUNTER, text::COUNTER_DESC, ICON_DESK)}
                {card("/display", text::DISPLAY, text::DISPLAY_DESC, ICON_SCREEN)}
                {card("/admin", text::ADMIN, text::ADMIN_DESC, ICON_CHART)}
                {card("/layanan", text::PUBLIC_TITLE, text::PUBLIC_DESC, ICON_BOOK)}
            </nav>
        </main>
    }
}

const ICON_TICKET: &str = r#"<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M3 7h18v4a2 2 0 0 0 0 4v4H3v-4a2 2 0 0 0 0-4z"/><path d="M9 7v12" stroke-dasharray="2 2"/></svg>"#;
const ICON_DESK: &str = r#"<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" stroke-width="1.8"><rect x="3" y="10" width="18" height="4"/><path d="M5 14v6M19 14v6"/><circle cx="12" cy="5" r="2.5"/></svg>"#;
const ICON_SCREEN: &str = r#"<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" stroke-width="1.8"><rect x="2" y="4" width="20" height="13" rx="1"/><path d="M8 21h8M12 17v4"/></svg>"#;
const ICON_CHART: &str = r#"<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/></svg>"#;
const ICON_BOOK: &str = r#"<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M4 4h11a3 3 0 0 1 3 3v13H7a3 3 0 0 1-3-3z"/><path d="M8 9h6M8 13h6"/></svg>"#;
