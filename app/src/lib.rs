//! Antrean's Leptos app: the kiosk, counter, display and citizen views and the admin page,
//! rendered on the server and hydrated in the browser, plus the pure [`domain`].
//!
//! Layout:
//! - [`domain`]: every rule of the service; no I/O, shared with the server;
//! - [`client`]: the device runtime (IndexedDB, sync, live stream) behind signals;
//! - [`page`]: which page a path shows; [`views`]: one module per page; [`components`]:
//!   pieces they share;
//! - [`text`]: the UI's bilingual strings.

#![recursion_limit = "256"]

pub mod client;
pub mod components;
pub mod domain;
pub mod page;
pub mod text;
pub mod views;

#[cfg(feature = "ssr")]
pub mod ssr_context;

/// The server-side lookups a view may use, as a type that exists in every build.
pub mod ssr_lookup {
    #[cfg(feature = "ssr")]
    pub type Lookup = crate::ssr_context::Lookups;
    #[cfg(not(feature = "ssr"))]
    #[derive(Clone)]
    pub struct Lookup;

    /// The lookup provided by the server for this request; `None` in the browser.
    pub fn current() -> Option<Lookup> {
        #[cfg(feature = "ssr")]
        {
            leptos::prelude::use_context::<Lookup>()
        }
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    }
}

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, Link, Meta, MetaTags, Title};

use crate::domain::i18n::Lang;
use crate::page::Page;

/// The HTML document around the app. Its `<meta>` policy admits only the inline scripts
/// that carry this response's nonce; the server adds the rest of the policy as a header.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    shell_with(options.clone(), options)
}

/// [`shell`] with the scripts of one bundle (`scripts`: the citizen page's own) and the
/// stylesheet of the site (`style`).
pub fn shell_with(scripts: LeptosOptions, style: LeptosOptions) -> impl IntoView {
    let options = scripts;
    let nonce = leptos::nonce::use_nonce();
    let csp = nonce
        .as_ref()
        .map(|n| format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"))
        .unwrap_or_else(|| "script-src 'self' 'wasm-unsafe-eval'".into());
    // The citizen's page opens its live stream from the head, while the phone is still
    // downloading the bundle: on a slow network the bundle takes seconds and the stream's
    // handshake two more round trips; the page adopts the open stream when it starts
    // (`views::citizen`). Outside the app's tree, so it takes no part in hydration.
    let early_live = matches!(Page::current(), Page::Citizen(_)).then(|| {
        let nonce = nonce.as_ref().map(|n| n.to_string());
        view! { <script nonce=nonce>{views::citizen::EARLY_LIVE}</script> }
    });
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta http-equiv="Content-Security-Policy" content=csp/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#12355b"/>
                {early_live}
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=style id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The HTML document for a page that runs no code in the browser (the public page): the
/// same head without the hydration scripts, so a phone downloads no bundle for it.
pub fn shell_static(style: LeptosOptions) -> impl IntoView {
    let csp = leptos::nonce::use_nonce()
        .map(|n| format!("script-src 'self' 'nonce-{n}'"))
        .unwrap_or_else(|| "script-src 'self'".into());
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta http-equiv="Content-Security-Policy" content=csp/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#12355b"/>
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=style id="leptos"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The UI language, shared by every view.
#[derive(Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<UiLang>()
        .map(|l| l.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Id))
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = RwSignal::new(Lang::Id);
    provide_context(UiLang(lang));
    view! {
        // The document's language follows the UI's (screen readers, hyphenation, the
        // browser's offer to translate).
        <Html {..} lang=move || lang.get().tag()/>
        <Title text="Antrean — Dukcapil Badung"/>
        <Meta name="description" content="Antrean layanan Dinas Kependudukan dan Pencatatan Sipil"/>
        <Link rel="apple-touch-icon" href="/icons/icon-192.png"/>
        {match Page::current() {
            // Each page is in the bundles that hydrate it (and in the server's render):
            // the citizens' bundle holds the ticket's page, the admin bundle the admin
            // page, the counter's and the display's bundles their page each, the
            // devices' bundle the kiosk and the home page. The server never sends a
            // bundle with a page it lacks.
            #[cfg(any(feature = "ssr", feature = "citizen-bundle"))]
            Page::Citizen(token) => view! { <views::citizen::CitizenPage token/> }.into_any(),
            // Rendered by the server only: no bundle hydrates it.
            #[cfg(feature = "ssr")]
            Page::Public => view! { <views::public::PublicPage/> }.into_any(),
            #[cfg(any(feature = "ssr", feature = "admin-bundle"))]
            Page::Admin => view! { <views::admin::AdminPage/> }.into_any(),
            #[cfg(any(feature = "ssr", feature = "counter-bundle"))]
            Page::Counter => view! { <views::counter::CounterPage/> }.into_any(),
            #[cfg(any(feature = "ssr", feature = "display-bundle"))]
            Page::Display => view! { <views::display::DisplayPage/> }.into_any(),
            #[cfg(not(any(
                feature = "citizen-bundle",
                feature = "admin-bundle",
                feature = "counter-bundle",
                feature = "display-bundle"
            )))]
            Page::Home => view! { <views::home::HomePage/> }.into_any(),
            #[cfg(not(any(
                feature = "citizen-bundle",
                feature = "admin-bundle",
                feature = "counter-bundle",
                feature = "display-bundle"
            )))]
            Page::Kiosk => view! { <views::kiosk::KioskPage/> }.into_any(),
            // Every other page of a bundle, and a path with no page.
            #[allow(unreachable_patterns)]
            _ => view! { <views::NotFound/> }.into_any(),
        }}
    }
}

/// The browser entry point: hydrates the server-rendered page and, on the office's
/// devices, registers the service worker that keeps their pages working offline.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    if !Page::current().works_offline() {
        return;
    }
    // The worker precaches the page it was registered from (see public/sw.js).
    if let Some(w) = web_sys::window() {
        let path = w.location().pathname().unwrap_or_default();
        let _ = w
            .navigator()
            .service_worker()
            .register(&format!("/sw.js?page={path}"));
    }
}
