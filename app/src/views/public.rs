//! `/layanan`: the office's public page, for anyone. Every service standard with all its
//! published components, the last month's satisfaction index, and the queue now per
//! service. Rendered by the server and sent without any bundle: a phone on a slow network
//! downloads the page and the stylesheet, nothing else. A one-line script (with the
//! response's nonce) reloads it every 30 seconds; the language is a link
//! (`/layanan?lang=en`).

use leptos::prelude::*;

use crate::components::{OfficeCard, Standard};
use crate::domain::i18n::Lang;
use crate::domain::public_page::{PublicService, PublicView};
use crate::text;
use crate::use_lang;

/// How often the page reloads itself, in seconds.
pub const REFRESH_SECS: u32 = 30;

#[component]
pub fn PublicPage() -> impl IntoView {
    let lang = use_lang();
    let english = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| {
            p.uri
                .query()
                .map(|q| q.split('&').any(|kv| kv == "lang=en"))
        })
        .unwrap_or(false);
    if english {
        lang.set(Lang::En);
    }
    let lookup = crate::ssr_lookup::current();
    let data = Resource::new(
        || (),
        move |_| {
            let lookup = lookup.clone();
            async move {
                match lookup {
                    Some(l) => l.public().await,
                    None => Err("no lookup".to_string()),
                }
            }
        },
    );
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    let reload = format!(
        "setTimeout(function(){{location.reload()}},{});",
        REFRESH_SECS * 1000
    );
    let (other, other_href) = if english {
        ("Bahasa Indonesia", "/layanan")
    } else {
        ("English", "/layanan?lang=en")
    };
    view! {
        <main class="page citizen public">
            <header class="bar">
                <h1>{text::PUBLIC_TITLE.get(lang.get_untracked())}</h1>
                <a class="btn btn-ghost lang" href=other_href data-testid="public-lang">{other}</a>
            </header>
            <Suspense fallback=move || view! { <p class="phase">{text::LOADING.get(lang.get_untracked())}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <PublicBody v/> }.into_any(),
                        Err(_) => view! { <p class="phase phase-warn">{text::UNREACHABLE.get(lang.get_untracked())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <script nonce=nonce>{reload}</script>
        </main>
    }
}

#[component]
fn PublicBody(v: PublicView) -> impl IntoView {
    let l = use_lang().get_untracked();
    let ikm = v.ikm.clone().map(|p| {
        view! {
            <p class="public-ikm-value">
                <span data-testid="public-ikm-value">{p.value(l)}</span>
                <span class="badge">{p.grade.letter()}</span>
            </p>
            <p>{format!(
                "{} · {} {} · {}",
                p.grade.label().get(l),
                p.respondents,
                text::RESPONDENTS.get(l),
                p.words.get(l),
            )}</p>
        }
    });
    let none = v
        .ikm
        .is_none()
        .then(|| view! { <p class="muted">{text::IKM_NONE_YET.get(l)}</p> });
    view! {
        <section class="standard public-head">
            <p class="office-name">{v.office.name.clone()}</p>
            <p>{text::PUBLIC_LEAD.get(l)}</p>
        </section>
        <section class="standard" data-testid="public-ikm">
            <h2>{text::IKM_LAST_MONTH.get(l)}</h2>
            {ikm}
            {none}
        </section>
        {(!v.open_now).then(|| view! {
            <p class="notice-closed" data-testid="public-closed">{text::OFFICE_CLOSED_NOW.get(l)}</p>
        })}
        {v.services.into_iter().map(|s| view! { <ServiceCard s/> }).collect_view()}
        <OfficeCard office=v.office hours=v.hours/>
    }
}

#[component]
fn ServiceCard(s: PublicService) -> impl IntoView {
    let l = use_lang().get_untracked();
    let code = s.service.code.as_str().to_owned();
    let wait = s.wait_minutes.map(|m| {
        format!(
            " · {} {m} {}",
            text::WAIT_ABOUT.get(l),
            text::REPORT_MINUTES.get(l)
        )
    });
    view! {
        <article class="public-service" data-testid=format!("public-{code}")>
            <h2 class="public-service-name">
                <span class="service-prefix">{s.service.prefix.to_string()}</span>
                {s.service.name.get(l).to_owned()}
            </h2>
            <p class="muted">{s.service.description.get(l).to_owned()}</p>
            <p class="queue-now" data-testid="queue-now">
                <strong>{text::QUEUE_NOW.get(l)}</strong>": "
                {format!("{} {}", s.waiting, text::PEOPLE_WAITING.get(l))}
                {wait}
            </p>
            <Standard service=s.service/>
        </article>
    }
}
