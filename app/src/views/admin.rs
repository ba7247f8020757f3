//! `/admin`: the catalogue as published, and the satisfaction index. Read-only for now;
//! editing and accounts come with the auth work.

use leptos::prelude::*;

use crate::components::LangToggle;
use crate::domain::catalogue::Catalogue;
use crate::domain::ikm::IkmReport;
use crate::text;
use crate::use_lang;

#[cfg(feature = "hydrate")]
async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Option<T> {
    gloo_net::http::Request::get(url)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    let catalogue = RwSignal::new(None::<Catalogue>);
    let report = RwSignal::new(None::<IkmReport>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            catalogue.set(get_json("/api/catalogue").await);
            report.set(get_json("/api/ikm").await);
        });
    });
    view! {
        <main class="page admin">
            <header class="bar">
                <h1>{move || text::ADMIN.get(lang.get())}</h1>
                <LangToggle/>
            </header>
            <section class="card">
                <h2>{move || text::IKM_TITLE.get(lang.get())}</h2>
                <div data-testid="ikm">
                {move || match report.get().and_then(|r| r.overall) {
                    Some(r) => view! {
                        <p class="ikm-value">{format!("{:.2}", r.ikm)}<span class="badge">{format!("{:?}", r.grade)}</span></p>
                        <p>{move || format!("{} · {} {}", r.grade.label().get(lang.get()), r.respondents, text::RESPONDENTS.get(lang.get()))}</p>
                    }.into_any(),
                    None => view! { <p class="muted">{move || text::NOTHING_HERE.get(lang.get())}</p> }.into_any(),
                }}
                </div>
            </section>
            {move || catalogue.get().map(|c| c.services.into_iter().map(|s| {
                let name = s.name.clone();
                view! {
                    <section class="card">
                        <h2>{move || format!("{} — {}", s.prefix, name.get(lang.get()))}</h2>
                        <p>{format!("Loket: {}", s.lokets.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "))}</p>
                        <p>{s.requirements_line(lang.get())}</p>
                    </section>
                }
            }).collect_view())}
        </main>
    }
}
