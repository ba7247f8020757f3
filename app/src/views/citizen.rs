//! `/t/{token}`: the citizen's page, opened from the ticket's QR code. Server-rendered with
//! the ticket's status so it paints at once on a slow phone, then refreshed live. Shows no
//! personal data: there is none.

use leptos::prelude::*;

use crate::components::{LangToggle, OfficeCard, Standard};
use crate::domain::i18n::Text;
use crate::domain::ikm;
use crate::domain::ticket::TicketStatus;
use crate::domain::tracking::CitizenView;
use crate::text;
use crate::use_lang;

/// Fetches the page's data: through the server's lookup during the server render, over
/// HTTP in the browser. The browser future is not `Send`; it only ever runs on the page's
/// one thread, which `SendWrapper` asserts.
fn fetch_view(
    token: String,
    #[allow(unused_variables)] lookup: Option<crate::ssr_lookup::Lookup>,
) -> impl std::future::Future<Output = Result<CitizenView, String>> + Send + 'static {
    #[cfg(feature = "ssr")]
    {
        async move {
            match lookup {
                Some(l) => l.citizen(token).await,
                None => Err("no lookup".to_string()),
            }
        }
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        send_wrapper::SendWrapper::new(async move {
            crate::client::net::citizen_view(&token)
                .await
                .map_err(|e| format!("{e:?}"))
        })
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        async move {
            let _ = token;
            Err("unavailable".to_string())
        }
    }
}

/// The page's head opens the live stream before the bundle has arrived (see `shell_with`)
/// and counts what it hears; [`adopt_early_live`] takes it over.
pub const EARLY_LIVE: &str = r#"(function(){var m=location.pathname.match(/^\/t\/([A-Za-z0-9_-]{1,64})$/);if(!m||!window.WebSocket)return;try{var w=new WebSocket((location.protocol=="https:"?"wss://":"ws://")+location.host+"/api/t/"+m[1]+"/live");w.heard=0;w.onmessage=function(){w.heard++};window.antreanLive=w}catch(e){}})();"#;

/// Takes over the stream the head opened: each poke then counts into `tick`, and one that
/// came before counts once now (the page was rendered before it). Resolves when that
/// stream ends; at once when there was none.
#[cfg(feature = "hydrate")]
async fn adopt_early_live(tick: RwSignal<u32>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = wasm_bindgen::JsValue::from_str("antreanLive");
    let Some(ws) = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|v| v.dyn_into::<web_sys::WebSocket>().ok())
    else {
        return;
    };
    let _ = js_sys::Reflect::delete_property(&window, &key);
    if ws.ready_state() > web_sys::WebSocket::OPEN {
        return;
    }
    let heard = js_sys::Reflect::get(&ws, &wasm_bindgen::JsValue::from_str("heard"))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    if heard > 0.0 {
        tick.update(|t| *t += 1);
    }
    let on_message = Closure::<dyn FnMut()>::new(move || tick.update(|t| *t += 1));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let (done, ended) = futures::channel::oneshot::channel::<()>();
    let done = std::cell::Cell::new(Some(done));
    let on_close = Closure::<dyn FnMut()>::new(move || {
        if let Some(d) = done.take() {
            let _ = d.send(());
        }
    });
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let _ = web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.mark("antrean-live"));
    let _ = ended.await;
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

/// Counts the server's pokes on `/api/t/{token}/live` into `tick`: first on the stream the
/// page's head opened, then on its own; reconnects, waiting longer after each attempt that
/// brought nothing (an unknown token, no network).
#[cfg(feature = "hydrate")]
async fn live_pokes(token: String, tick: RwSignal<u32>) {
    use futures::StreamExt;
    use gloo_net::websocket::futures::WebSocket;
    adopt_early_live(tick).await;
    let mut wait = 2_000u32;
    loop {
        let url = crate::client::net::ws_url(&format!("/api/t/{token}/live"));
        if let Some(Ok(ws)) = url.map(|u| WebSocket::open(&u)) {
            let (_, mut rx) = ws.split();
            while let Some(Ok(_)) = rx.next().await {
                wait = 2_000;
                tick.update(|t| *t += 1);
            }
        }
        gloo_timers::future::TimeoutFuture::new(wait).await;
        wait = (wait * 2).min(60_000);
    }
}

#[component]
pub fn CitizenPage(token: String) -> impl IntoView {
    let lang = use_lang();
    let token = StoredValue::new(token);
    let token = move || token.get_value();
    let lookup = crate::ssr_lookup::current();
    let tick = RwSignal::new(0u32);
    let alerted = RwSignal::new(String::new());
    let data = Resource::new(
        move || (token(), tick.get()),
        move |(t, _)| fetch_view(t, lookup.clone()),
    );

    // Live, in the browser only: the server pokes this page whenever the log grows and the
    // page fetches its one small JSON again; a slow timer covers a blocked WebSocket.
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            let t = token();
            leptos::task::spawn_local(live_pokes(t, tick));
            leptos::task::spawn_local(async move {
                loop {
                    gloo_timers::future::TimeoutFuture::new(15_000).await;
                    tick.update(|t| *t += 1);
                }
            });
        }
    });

    view! {
        <main class="page citizen">
            <header class="bar">
                <h1>{move || text::TRACK_TITLE.get(lang.get())}</h1>
                <LangToggle/>
            </header>
            <Transition fallback=move || view! { <p class="phase">{text::LOADING.get(lang.get())}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <TicketCard view=v token=token() tick alerted/> }.into_any(),
                        Err(_) => view! { <p class="phase phase-warn" data-testid="not-found">{move || text::NOT_FOUND.get(lang.get())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn TicketCard(
    view: CitizenView,
    token: String,
    tick: RwSignal<u32>,
    /// The status last alerted, so a call rings once.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    alerted: RwSignal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let v = view;
    let step = v.step;
    let headline = v.headline.clone();
    let called_loket = v.status.call().map(|(loket, _)| loket);
    // Vibrate and ring once per call (each poke refetches the view; a repeated view of
    // the same call stays quiet). Browsers may refuse either until the page was touched.
    #[cfg(feature = "hydrate")]
    {
        let key = match v.status.call() {
            Some((loket, calls)) => format!("{}:{loket}:{calls}", v.status.name()),
            None => v.status.name().to_owned(),
        };
        if called_loket.is_some() && alerted.get_untracked() != key {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().vibrate_with_duration(400);
            }
            if let Ok(a) = web_sys::AudioContext::new() {
                crate::components::chime(&a);
            }
        }
        alerted.set(key);
    }
    let service = v.service.clone();
    let name = service.name.clone();
    let missing = v.missing.clone();
    let receipt = v.receipt.clone();
    let ready = matches!(
        v.status,
        TicketStatus::Ready | TicketStatus::PickupCalled { .. }
    );
    let rated = v.status == TicketStatus::Collected && !v.survey_open;
    // Ended without the copy (not served, expired, cancelled): no step is "now"; the
    // headline says what to do instead.
    let ended = v.status.is_terminal() && v.status != TicketStatus::Collected;
    view! {
        <article class="citizen-card" data-testid="citizen-card" data-status=v.status.name()>
            {called_loket.map(|l| view! {
                <p class="go-to" data-testid="go-to">{move || format!("{} {} {l}", text::GO_TO.get(lang.get()), text::LOKET.get(lang.get()))}</p>
            })}
            <p class="citizen-number" data-testid="citizen-number">{v.number.to_string()}</p>
            <p class="citizen-service">{move || name.get(lang.get()).to_string()}</p>
            <p class="headline" class:headline-ended=ended data-testid="headline">{move || headline.get(lang.get()).to_string()}</p>
            <ol class="timeline" aria-label="Langkah">
                {text::STEPS.iter().enumerate().map(|(i, s)| {
                    let n = i as u8 + 1;
                    let s = *s;
                    view! {
                        <li class:done=move || n < step class:now=move || !ended && n == step aria-current=move || (!ended && n == step).then_some("step")>
                            <span class="dot">{n}</span>
                            <span>{move || s.get(lang.get())}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(!missing.is_empty()).then(|| view! {
                <div class="missing" data-testid="missing">
                    <h2>{move || text::WHAT_TO_BRING.get(lang.get())}</h2>
                    <ul>{missing.iter().map(|m| { let m = m.clone(); view! { <li>{move || m.get(lang.get()).to_string()}</li> } }).collect_view()}</ul>
                </div>
            })}
            {receipt.map(|r| view! {
                <dl class="receipt" data-testid="receipt">
                    <dt>{move || text::RECEIPT_NO.get(lang.get())}</dt>
                    <dd>{r.number.clone()}</dd>
                    <dt>{move || text::READY_BY.get(lang.get())}</dt>
                    <dd data-testid="due">{move || r.due_words.get(lang.get()).to_string()}</dd>
                </dl>
            })}
            {ready.then(|| view! { <p class="ready" data-testid="ready">{move || text::MARK_READY.get(lang.get())}</p> })}
            {rated.then(|| view! { <p class="ok" data-testid="survey-thanks">{move || text::SURVEY_THANKS.get(lang.get())}</p> })}
        </article>
        {(!v.status.is_terminal()).then(|| view! { <Notify token=token.clone()/> })}
        {v.survey_open.then(|| view! { <Survey token tick/> })}
        <Standard service=service/>
        <OfficeCard office=v.office hours=v.hours/>
    }
}

/// Where "Beri tahu saya" stands on this phone (the server renders only the offer).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Follow {
    Offer,
    Working,
    On,
    /// This browser cannot be notified: nothing to offer.
    Unsupported,
    Failed(Text),
}

/// "Beri tahu saya": notifications for this ticket with the page closed. Rendered as an
/// offer on the server and at hydration; the browser then says whether it already
/// follows the ticket, or cannot.
#[component]
fn Notify(token: String) -> impl IntoView {
    let lang = use_lang();
    let state = RwSignal::new(Follow::Offer);
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let token = StoredValue::new(token);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let t = token.get_value();
        if !crate::client::push::supported() {
            state.set(Follow::Unsupported);
        } else if crate::client::push::following(&t) {
            state.set(Follow::On);
        }
    });
    let follow = move |_| {
        state.set(Follow::Working);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let t = token.get_value();
            state.set(
                match crate::client::push::follow(&t, lang.get_untracked()).await {
                    Ok(()) => Follow::On,
                    Err(e) => Follow::Failed(e),
                },
            );
        });
    };
    view! {
        <section class="notify" data-testid="notify" hidden=move || state.get() == Follow::Unsupported>
            {move || match state.get() {
                Follow::On => view! { <p class="ok" data-testid="notify-on">{text::PUSH_ON.get(lang.get())}</p> }.into_any(),
                Follow::Working => view! { <p class="phase">{text::PUSH_WORKING.get(lang.get())}</p> }.into_any(),
                Follow::Unsupported => ().into_any(),
                Follow::Offer | Follow::Failed(_) => view! {
                    <button class="btn btn-primary" data-testid="notify-me" on:click=follow>{text::PUSH_FOLLOW.get(lang.get())}</button>
                    <p class="hint">{text::PUSH_WHY.get(lang.get())}</p>
                }.into_any(),
            }}
            {move || match state.get() {
                Follow::Failed(e) => Some(view! { <p class="error" role="alert" data-testid="notify-error">{e.get(lang.get()).to_string()}</p> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn Survey(token: String, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let token = StoredValue::new(token);
    let scores = RwSignal::new([0u8; 9]);
    let state = RwSignal::new(None::<Result<(), Text>>);
    let send = move |_| {
        let s = scores.get_untracked();
        let token = token.get_value();
        leptos::task::spawn_local(async move {
            let r = post_survey(token, s).await;
            let ok = r.is_ok();
            state.set(Some(r));
            if ok {
                tick.update(|t| *t += 1);
            }
        });
    };
    view! {
        <section class="survey" data-testid="survey">
            <h2>{move || text::SURVEY_TITLE.get(lang.get())}</h2>
            {(0..9).map(|i| {
                let el = ikm::element_text(i);
                view! {
                    <fieldset class="survey-q">
                        <legend>{move || format!("{}. {}", i + 1, el.get(lang.get()))}</legend>
                        <div class="faces">
                            {(1u8..=4).map(|score| view! {
                                <button class="face" class:face-on=move || scores.get()[i] == score
                                    aria-pressed=move || (scores.get()[i] == score).to_string()
                                    data-testid=format!("q{}-{}", i + 1, score)
                                    on:click=move |_| scores.update(|s| s[i] = score)>
                                    <span aria-hidden="true">{["☹", "😐", "🙂", "😀"][score as usize - 1]}</span>
                                    <span>{move || text::FACES[score as usize - 1].get(lang.get())}</span>
                                </button>
                            }).collect_view()}
                        </div>
                    </fieldset>
                }
            }).collect_view()}
            <button class="btn btn-primary btn-xl" data-testid="survey-send" on:click=send>{move || text::SURVEY_SEND.get(lang.get())}</button>
            {move || state.get().map(|r| match r {
                Ok(()) => view! { <p class="ok" data-testid="survey-sent">{text::SURVEY_THANKS.get(lang.get())}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.get(lang.get()).to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

async fn post_survey(token: String, scores: [u8; 9]) -> Result<(), Text> {
    let Ok(scores) = ikm::SurveyAnswer::new(scores) else {
        return Err(text::SURVEY_INCOMPLETE.into());
    };
    #[cfg(feature = "hydrate")]
    {
        use crate::client::net::{self, NetError};
        match net::survey(&token, &ikm::SurveyBody { scores }).await {
            Ok(()) => Ok(()),
            Err(NetError::Refused { code, .. }) => Err(code.text()),
            Err(NetError::Unreachable) => Err(text::UNREACHABLE.into()),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (token, scores);
        Err(text::UNREACHABLE.into())
    }
}
