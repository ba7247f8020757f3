//! `/layanan`: the office's public page, for anyone, on the phone's small bundle. Every
//! service standard with all its published components, the last month's satisfaction
//! index, and the queue now per service (refreshed every 30 seconds). Rendered by the
//! server with its data, so it reads at once on a slow phone.

use leptos::prelude::*;

use crate::components::{LangToggle, OfficeCard, Standard};
use crate::domain::public_page::{PublicService, PublicView};
use crate::text;
use crate::use_lang;

/// The page's data: through the server's lookup while rendering, over HTTP in the browser.
fn fetch(
    #[allow(unused_variables)] lookup: Option<crate::ssr_lookup::Lookup>,
) -> impl std::future::Future<Output = Result<PublicView, String>> + Send + 'static {
    #[cfg(feature = "ssr")]
    {
        async move {
            match lookup {
                Some(l) => l.public().await,
                None => Err("no lookup".to_string()),
            }
        }
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        send_wrapper::SendWrapper::new(async move {
            crate::client::net::public_view()
                .await
                .map_err(|e| format!("{e:?}"))
        })
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        async move { Err("unavailable".to_string()) }
    }
}

#[component]
pub fn PublicPage() -> impl IntoView {
    let lang = use_lang();
    let lookup = crate::ssr_lookup::current();
    let tick = RwSignal::new(0u32);
    let data = Resource::new(move || tick.get(), move |_| fetch(lookup.clone()));
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            leptos::task::spawn_local(async move {
                loop {
                    gloo_timers::future::TimeoutFuture::new(30_000).await;
                    tick.update(|t| *t += 1);
                }
            });
        }
    });
    view! {
        <main class="page citizen public">
            <header class="bar">
                <h1>{move || text::PUBLIC_TITLE.get(lang.get())}</h1>
                <LangToggle/>
            </header>
            <Transition fallback=move || view! { <p class="phase">{move || text::LOADING.get(lang.get())}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <PublicBody v/> }.into_any(),
                        Err(_) => view! { <p class="phase phase-warn">{move || text::UNREACHABLE.get(lang.get())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn PublicBody(v: PublicView) -> impl IntoView {
    let lang = use_lang();
    let name = v.office.name.clone();
    let ikm = v.ikm.clone();
    view! {
        <section class="standard public-head">
            <p class="office-name">{name}</p>
            <p>{move || text::PUBLIC_LEAD.get(lang.get())}</p>
        </section>
        <section class="standard" data-testid="public-ikm">
            <h2>{move || text::IKM_LAST_MONTH.get(lang.get())}</h2>
            {match ikm {
                Some(p) => {
                    let p = StoredValue::new(p);
                    view! {
                        <p class="public-ikm-value">
                            <span data-testid="public-ikm-value">{move || p.with_value(|p| p.value(lang.get()))}</span>
                            <span class="badge">{p.with_value(|p| p.grade.letter())}</span>
                        </p>
                        <p>{move || p.with_value(|p| format!(
                            "{} · {} {} · {}",
                            p.grade.label().get(lang.get()),
                            p.respondents,
                            text::RESPONDENTS.get(lang.get()),
                            p.words.get(lang.get()),
                        ))}</p>
                    }
                    .into_any()
                }
                None => view! { <p class="muted">{move || text::IKM_NONE_YET.get(lang.get())}</p> }.into_any(),
            }}
        </section>
        {(!v.open_now).then(|| view! {
            <p class="notice-closed" data-testid="public-closed">{move || text::OFFICE_CLOSED_NOW.get(lang.get())}</p>
        })}
        {v.services.into_iter().map(|s| view! { <ServiceCard s/> }).collect_view()}
        <OfficeCard office=v.office hours=v.hours/>
    }
}

#[component]
fn ServiceCard(s: PublicService) -> impl IntoView {
    let lang = use_lang();
    let name = s.service.name.clone();
    let description = s.service.description.clone();
    let prefix = s.service.prefix;
    let code = s.service.code.as_str().to_owned();
    let (waiting, wait) = (s.waiting, s.wait_minutes);
    view! {
        <article class="public-service" data-testid=format!("public-{code}")>
            <h2 class="public-service-name">
                <span class="service-prefix">{prefix.to_string()}</span>
                {move || name.get(lang.get()).to_string()}
            </h2>
            <p class="muted">{move || description.get(lang.get()).to_string()}</p>
            <p class="queue-now" data-testid="queue-now">
                <strong>{move || text::QUEUE_NOW.get(lang.get())}</strong>": "
                {move || format!("{waiting} {}", text::PEOPLE_WAITING.get(lang.get()))}
                {wait.map(|m| view! {
                    " · "{move || format!("{} {m} {}", text::WAIT_ABOUT.get(lang.get()), text::REPORT_MINUTES.get(lang.get()))}
                })}
            </p>
            <Standard service=s.service/>
        </article>
    }
}
