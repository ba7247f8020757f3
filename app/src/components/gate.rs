//! What a device shows before it may work: the pairing code, or the officer's sign-in.

use leptos::prelude::*;

use crate::client::Device;
use crate::text;
use crate::use_lang;

/// The code an admin types to pair this kiosk or display.
#[component]
pub fn PairingCode(device: Device) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="pairing" aria-labelledby="pairing-title">
            <h2 id="pairing-title">{move || text::PAIRING_TITLE.get(lang.get())}</h2>
            {move || match device.pairing_code.get() {
                Some(code) => view! {
                    <p class="pairing-code" data-testid="pairing-code" aria-live="polite">
                        {format!("{} {}", &code[..3], &code[3..])}
                    </p>
                }.into_any(),
                None => view! { <p class="phase">{text::PAIRING_WAIT.get(lang.get())}</p> }.into_any(),
            }}
            <p class="pairing-help">{move || text::PAIRING_HELP.get(lang.get())}</p>
        </section>
    }
}

/// The counter's sign-in form.
#[component]
pub fn SignInForm(device: Device) -> impl IntoView {
    let lang = use_lang();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<crate::domain::i18n::Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (u, p) = (username.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            let r = device.sign_in(u.trim().to_owned(), p).await;
            busy.set(false);
            match r {
                Ok(()) => password.set(String::new()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="sign-in card" on:submit=submit data-testid="sign-in">
            <h2>{move || text::SIGN_IN_TITLE.get(lang.get())}</h2>
            <label>
                <span>{move || text::USERNAME.get(lang.get())}</span>
                <input type="text" name="username" autocomplete="username" required
                    autocapitalize="none" spellcheck="false"
                    prop:value=username on:input=move |e| username.set(event_target_value(&e))/>
            </label>
            <label>
                <span>{move || text::PASSWORD.get(lang.get())}</span>
                <input type="password" name="password" autocomplete="current-password" required
                    prop:value=password on:input=move |e| password.set(event_target_value(&e))/>
            </label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.get(lang.get()).to_string()}</p> })}
            <button class="btn btn-primary" type="submit" disabled=move || busy.get()>
                {move || text::SIGN_IN.get(lang.get())}
            </button>
        </form>
    }
}
