//! "Beri tahu saya" in the browser: asks for permission, registers the notification
//! worker (`/push-sw.js`, scope `/t/`), subscribes with the server's key and hands the
//! subscription to the server. The worker shows what arrives (see public/push-sw.js).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::client::net::{self, NetError};
use crate::domain::i18n::{Lang, Text};
use crate::domain::notify::PushSubscribe;
use crate::text;

/// Whether this browser can be notified at all (a secure context with service workers,
/// the Push API and notifications).
pub fn supported() -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let has = |name: &str| js_sys::Reflect::has(&w, &name.into()).unwrap_or(false);
    w.is_secure_context() && has("PushManager") && has("Notification") && has("ServiceWorker")
}

/// The key in local storage that remembers this page's ticket is followed.
fn remembered(token: &str) -> String {
    format!("antrean-push-{token}")
}

/// Whether this browser already follows `token` (said before, permission still given).
pub fn following(token: &str) -> bool {
    let granted = web_sys::Notification::permission() == web_sys::NotificationPermission::Granted;
    granted
        && web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(&remembered(token)).ok().flatten())
            .is_some()
}

/// Follows the ticket of `token`; the sentence to show when it cannot.
pub async fn follow(token: &str, lang: Lang) -> Result<(), Text> {
    if !supported() {
        return Err(text::PUSH_UNSUPPORTED.into());
    }
    let unsupported = |_| Text::from(text::PUSH_UNSUPPORTED);
    let asked = web_sys::Notification::request_permission().map_err(unsupported)?;
    let answer = JsFuture::from(asked).await.map_err(unsupported)?;
    if answer.as_string().as_deref() != Some("granted") {
        return Err(text::PUSH_DENIED.into());
    }
    let window = web_sys::window().ok_or(Text::from(text::PUSH_UNSUPPORTED))?;
    let workers = window.navigator().service_worker();
    let options = web_sys::RegistrationOptions::new();
    options.set_scope("/t/");
    JsFuture::from(workers.register_with_options("/push-sw.js", &options))
        .await
        .map_err(unsupported)?;
    let ready = JsFuture::from(workers.ready().map_err(unsupported)?)
        .await
        .map_err(unsupported)?;
    let registration: web_sys::ServiceWorkerRegistration = ready.dyn_into().map_err(unsupported)?;
    let key = net::push_key().await.map_err(refused)?;
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&base64url_bytes(&key).into());
    let manager = registration.push_manager().map_err(unsupported)?;
    let subscribed = manager
        .subscribe_with_options(&options)
        .map_err(unsupported)?;
    // No push service reachable from this browser (or the user blocked it): say so.
    let subscription = JsFuture::from(subscribed).await.map_err(unsupported)?;
    let json = js_sys::JSON::stringify(&subscription)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(Text::from(text::PUSH_UNSUPPORTED))?;
    let mut body: PushSubscribe =
        serde_json::from_str(&json).map_err(|_| Text::from(text::PUSH_UNSUPPORTED))?;
    body.lang = lang;
    net::push_subscribe(token, &body).await.map_err(refused)?;
    if let Some(s) = window.local_storage().ok().flatten() {
        let _ = s.set_item(&remembered(token), "1");
    }
    Ok(())
}

fn refused(e: NetError) -> Text {
    match e {
        NetError::Refused { code, .. } => code.text(),
        NetError::Unreachable => text::UNREACHABLE.into(),
    }
}

/// The key as bytes: `applicationServerKey` takes a buffer everywhere, a string not.
fn base64url_bytes(s: &str) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(crate::domain::ids::base64url_decode(s).as_slice())
}
