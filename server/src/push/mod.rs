//! Notifications to citizens' phones with the page closed: standard Web Push, no app, no
//! phone number.
//!
//! The page subscribes its browser to one ticket (`POST /api/t/{token}/push`). Every batch
//! of events a push or a close made live on this instance goes to the notifier (a bounded
//! channel: a full one drops the batch, never the push), which asks the domain
//! (`app::domain::notify`) what the subscribed tickets are to hear, and hands each message
//! to the sender: a bounded queue, 32 deliveries at a time, retried with backoff while the
//! push service is unreachable or busy, and the subscription forgotten when the push
//! service says it is gone. Nothing of this holds up a push or a call.

pub mod webpush;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::domain::hlc::Hlc;
use app::domain::i18n::Lang;
use app::domain::ids::{ServiceCode, TicketId, TicketNumber};
use app::domain::mutation::Event;
use app::domain::notify::{self, NoticeKind, PushSubscribe, Watched};
use app::domain::refusal::Refusal;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Semaphore};

use self::webpush::{SubscriptionKeys, Vapid};
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::push_subscriptions::Subscription;
use crate::store::{Store, StoreError};
use crate::sync::json_body;

/// Batches of events waiting for the notifier.
const BATCHES: usize = 1024;
/// Messages waiting to be sent (each a few hundred bytes).
const QUEUE: usize = 10_000;
/// Deliveries in flight at once.
const IN_FLIGHT: usize = 32;
/// Tries of one message before it is given up.
const ATTEMPTS: u32 = 5;

/// The push services a subscription may name and the contact given to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushConfig {
    /// Origins (`https://host[:port]`, `*.` for any subdomain). A subscription elsewhere
    /// is refused: the server would otherwise post to any address a stranger names.
    pub services: Vec<String>,
    /// `mailto:` or `https:` URL the push services may contact; default: the office's
    /// website from the catalogue.
    pub contact: Option<String>,
}

impl Default for PushConfig {
    /// The push services of the browsers citizens use: Chrome and Android (FCM), Firefox
    /// (Mozilla), Safari (Apple), Edge (Windows).
    fn default() -> Self {
        Self {
            services: [
                "https://fcm.googleapis.com",
                "https://updates.push.services.mozilla.com",
                "https://*.push.apple.com",
                "https://*.notify.windows.com",
            ]
            .map(str::to_owned)
            .to_vec(),
            contact: None,
        }
    }
}

/// Whether `endpoint` is at one of `services`.
pub fn allowed(services: &[String], endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    services.iter().any(|s| {
        let (scheme, rest) = s.split_once("://").unwrap_or(("https", s));
        let (pattern, want_port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (rest, None),
        };
        let want_port = want_port.unwrap_or(if scheme == "http" { 80 } else { 443 });
        let host_ok = match pattern.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
            None => host.eq_ignore_ascii_case(pattern),
        };
        url.scheme() == scheme && port == want_port && host_ok
    })
}

/// Counts since start, for the health page and the tests.
#[derive(Debug, Default)]
pub struct PushStats {
    pub sent: AtomicU64,
    pub gone: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
    pub retried: AtomicU64,
}

/// One message for one browser.
#[derive(Debug, Clone)]
struct Delivery {
    sub: Subscription,
    message: Vec<u8>,
    kind: NoticeKind,
    attempt: u32,
}

/// The server's side of Web Push (in `AppState`).
pub struct Push {
    vapid: Vapid,
    contact: String,
    services: Vec<String>,
    batches: mpsc::Sender<Vec<Event>>,
    deliveries: mpsc::Sender<Delivery>,
    pub stats: PushStats,
}

/// The receiving ends, for [`spawn`].
pub struct PushTasks {
    batches: mpsc::Receiver<Vec<Event>>,
    deliveries: mpsc::Receiver<Delivery>,
}

impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push").field("stats", &self.stats).finish()
    }
}

impl Push {
    /// Loads (or makes, at the first start) the VAPID key.
    pub async fn start(
        store: &Store,
        cfg: &PushConfig,
        website: &str,
    ) -> anyhow::Result<(Push, PushTasks)> {
        let pkcs8 = store.vapid_key(Vapid::generate()?).await?;
        let vapid = Vapid::from_pkcs8(&pkcs8)?;
        let contact = cfg.contact.clone().unwrap_or_else(|| {
            if website.starts_with("https://") {
                website.to_owned()
            } else {
                "mailto:antrean@localhost".to_owned()
            }
        });
        let (batch_tx, batches) = mpsc::channel(BATCHES);
        let (delivery_tx, deliveries) = mpsc::channel(QUEUE);
        Ok((
            Push {
                vapid,
                contact,
                services: cfg.services.clone(),
                batches: batch_tx,
                deliveries: delivery_tx,
                stats: PushStats::default(),
            },
            PushTasks {
                batches,
                deliveries,
            },
        ))
    }

    /// Hands events just made live to the notifier; never waits.
    pub fn events(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        if self.batches.try_send(events.to_vec()).is_err() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                events = events.len(),
                "notifier behind: a batch of events not notified"
            );
        }
    }

    fn enqueue(&self, d: Delivery) {
        if self.deliveries.try_send(d).is_err() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("push queue full: a notification dropped");
        }
    }
}

/// Starts the notifier and the sender.
pub fn spawn(s: AppState, tasks: PushTasks) {
    tokio::spawn(notifier(s.clone(), tasks.batches));
    tokio::spawn(sender(s, tasks.deliveries));
}

async fn notifier(s: AppState, mut batches: mpsc::Receiver<Vec<Event>>) {
    while let Some(mut events) = batches.recv().await {
        // Whatever queued meanwhile is one batch: under load, one store read for many.
        while let Ok(more) = batches.try_recv() {
            events.extend(more);
        }
        if let Err(e) = notify(&s, &events).await {
            tracing::warn!(error = %e, "notifications for a batch of events failed");
        }
    }
}

/// What the subscribed tickets concerned by `events` hear.
async fn notify(s: &AppState, events: &[Event]) -> Result<(), StoreError> {
    let mut tickets: Vec<String> = events.iter().map(|e| e.ticket.simple()).collect();
    tickets.sort();
    tickets.dedup();
    let services: Vec<String> = {
        let auth = s.authority.lock().await;
        let mut v: Vec<String> = events
            .iter()
            .filter_map(|e| auth.replica.ticket(&e.ticket))
            .map(|t| t.service.as_str().to_owned())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let subs = s.store.push_subscriptions_for(&tickets, &services).await?;
    if subs.is_empty() {
        return Ok(());
    }
    let mut watched: Vec<Watched> = Vec::new();
    for sub in &subs {
        let Some(w) = watched_of(sub) else { continue };
        if !watched.iter().any(|x| x.ticket == w.ticket) {
            watched.push(w);
        }
    }
    let (notices, ended) = {
        let auth = s.authority.lock().await;
        let now = jiff::Timestamp::from_millisecond(now_ms()).unwrap_or_default();
        let today = auth.rules.calendar.service_day(now);
        let notices = notify::notices(&auth.replica, &auth.rules, events, &watched, today);
        // Tickets of this batch that ended (or left memory with a closed day): after
        // their last notice there is nothing more to say.
        let ended: Vec<String> = watched
            .iter()
            .filter(|w| events.iter().any(|e| e.ticket == w.ticket))
            .filter(|w| {
                auth.replica
                    .ticket(&w.ticket)
                    .is_none_or(|t| t.status.is_terminal())
            })
            .map(|w| w.ticket.simple())
            .collect();
        (notices, ended)
    };
    let mut marks = Vec::new();
    for n in &notices {
        let ticket = n.ticket.simple();
        for sub in subs.iter().filter(|x| x.ticket == ticket) {
            let lang = if sub.lang == "en" { Lang::En } else { Lang::Id };
            let message = serde_json::to_vec(&n.message(lang, &sub.token)).unwrap_or_default();
            s.push.enqueue(Delivery {
                sub: sub.clone(),
                message,
                kind: n.kind,
                attempt: 0,
            });
        }
        if let Some(near) = n.near_for {
            marks.push((ticket, serde_json::to_string(&near).unwrap_or_default()));
        }
    }
    s.store.mark_push_near(&marks).await?;
    s.store.drop_push_tickets(&ended).await
}

fn watched_of(sub: &Subscription) -> Option<Watched> {
    Some(Watched {
        ticket: TicketId::parse(&sub.ticket).ok()?,
        number: TicketNumber::parse(&sub.number).ok()?,
        service: ServiceCode::parse(&sub.service).ok()?,
        near_sent: sub
            .near_sent
            .as_deref()
            .and_then(|n| serde_json::from_str::<Hlc>(n).ok()),
    })
}

async fn sender(s: AppState, mut deliveries: mpsc::Receiver<Delivery>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for Web Push: notifications are off");
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(d) = deliveries.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (s, client) = (s.clone(), client.clone());
        tokio::spawn(async move {
            deliver(&s, &client, d).await;
            drop(slot);
        });
    }
}

/// How long a notification is worth delivering: a call or "almost your turn" is stale
/// after a quarter of an hour; the rest keeps for a day.
fn ttl(kind: NoticeKind) -> (&'static str, &'static str) {
    match kind {
        NoticeKind::Near | NoticeKind::Called => ("900", "high"),
        _ => ("86400", "normal"),
    }
}

async fn deliver(s: &AppState, client: &reqwest::Client, d: Delivery) {
    let push = &s.push;
    let Ok(url) = reqwest::Url::parse(&d.sub.endpoint) else {
        push.stats.failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let sealed = SubscriptionKeys::parse(&d.sub.p256dh, &d.sub.auth)
        .and_then(|k| webpush::encrypt(&k, &d.message))
        .and_then(|body| {
            push.vapid
                .authorization(&url, &push.contact, now_ms() / 1000)
                .map(|a| (body, a))
        });
    let (body, authorization) = match sealed {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(error = %e, "a notification could not be sealed");
            push.stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let (ttl, urgency) = ttl(d.kind);
    let answer = client
        .post(url)
        .header("TTL", ttl)
        .header("Urgency", urgency)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header("Authorization", authorization)
        .body(body)
        .send()
        .await;
    let retry_after = |r: &reqwest::Response| {
        r.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    };
    match answer {
        Ok(r) if r.status().is_success() => {
            push.stats.sent.fetch_add(1, Ordering::Relaxed);
        }
        // The browser unsubscribed, or the subscription expired.
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => {
            push.stats.gone.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = s.store.forget_push_endpoint(&d.sub.endpoint).await {
                tracing::warn!(error = %e, "a gone subscription could not be removed");
            }
        }
        Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
            let wait = retry_after(&r);
            retry(s, d, wait, r.status().as_u16());
        }
        Ok(r) => {
            push.stats.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                status = r.status().as_u16(),
                "a push service refused a notification"
            );
        }
        Err(e) => retry(s, d, None, if e.is_timeout() { 408 } else { 0 }),
    }
}

/// Tries again after 1, 2, 4, 8 s (or what the push service asked, up to 5 minutes);
/// gives up after [`ATTEMPTS`].
fn retry(s: &AppState, mut d: Delivery, asked: Option<Duration>, status: u16) {
    d.attempt += 1;
    if d.attempt >= ATTEMPTS {
        s.push.stats.failed.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(status, "a notification given up after {ATTEMPTS} tries");
        return;
    }
    s.push.stats.retried.fetch_add(1, Ordering::Relaxed);
    let wait = asked
        .unwrap_or(Duration::from_secs(1 << (d.attempt - 1)))
        .min(Duration::from_secs(300));
    let s = s.clone();
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        s.push.enqueue(d);
    });
}

/// `GET /api/push/key`: the server's VAPID public key, the browser's
/// `applicationServerKey`.
pub async fn key(State(s): State<AppState>) -> Json<Value> {
    Json(json!({ "key": s.push.vapid.public_key() }))
}

/// `POST /api/t/{token}/push`: this browser wants to hear about this ticket.
pub async fn subscribe(
    State(s): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Path(token): Path<String>,
    body: Result<Json<PushSubscribe>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // The token first: a wrong token learns nothing, not even what a valid body looks like.
    let ticket = crate::api::ticket_id(&s, &token, Some(ip)).await?;
    let body = json_body(body)?;
    if body.endpoint.len() > 2048 || !allowed(&s.push.services, &body.endpoint) {
        return Err(ApiError::Refused(Refusal::PushSubscriptionInvalid));
    }
    let keys = SubscriptionKeys::parse(&body.keys.p256dh, &body.keys.auth)
        .map_err(|_| ApiError::Refused(Refusal::PushSubscriptionInvalid))?;
    let t = s
        .authority
        .lock()
        .await
        .replica
        .ticket(&ticket)
        .filter(|t| !t.status.is_terminal())
        .cloned()
        .ok_or(ApiError::Refused(Refusal::PushTicketEnded))?;
    let sub = Subscription {
        ticket: ticket.simple(),
        token,
        number: t.number.to_string(),
        service: t.service.as_str().to_owned(),
        day: app::domain::time_format::print_date(t.service_day),
        endpoint: body.endpoint,
        p256dh: keys.p256dh_b64(),
        auth: keys.auth_b64(),
        lang: match body.lang {
            Lang::Id => "id",
            Lang::En => "en",
        }
        .to_owned(),
        near_sent: None,
        created_ms: now_ms(),
    };
    if !s.store.subscribe_push(&sub).await? {
        return Err(ApiError::Refused(Refusal::PushTooManyBrowsers));
    }
    Ok(Json(json!({ "status": "subscribed" })))
}

/// The body of `DELETE /api/t/{token}/push`.
#[derive(Debug, serde::Deserialize)]
pub struct Unsubscribe {
    pub endpoint: String,
}

/// `DELETE /api/t/{token}/push`: this browser no longer wants to hear about this ticket.
pub async fn unsubscribe(
    State(s): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Path(token): Path<String>,
    body: Result<Json<Unsubscribe>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let ticket = crate::api::ticket_id(&s, &token, Some(ip)).await?;
    let body = json_body(body)?;
    s.store
        .unsubscribe_push(&ticket.simple(), &body.endpoint)
        .await?;
    Ok(Json(json!({ "status": "unsubscribed" })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_push_services_are_posted_to() {
        let d = PushConfig::default().services;
        assert!(allowed(&d, "https://fcm.googleapis.com/fcm/send/abc:def"));
        assert!(allowed(
            &d,
            "https://updates.push.services.mozilla.com/wpush/v2/x"
        ));
        assert!(allowed(&d, "https://web.push.apple.com/QGx"));
        assert!(allowed(
            &d,
            "https://wns2-db5p.notify.windows.com/w/?token=x"
        ));
        // Not over plain HTTP, not another port, not a look-alike, not the office LAN.
        assert!(!allowed(&d, "http://fcm.googleapis.com/fcm/send/abc"));
        assert!(!allowed(&d, "https://fcm.googleapis.com:8443/fcm/send/abc"));
        assert!(!allowed(&d, "https://fcm.googleapis.com.evil.example/x"));
        assert!(!allowed(&d, "https://evilpush.apple.com.example/x"));
        assert!(!allowed(&d, "https://push.apple.com/x"));
        assert!(!allowed(&d, "https://user:pw@fcm.googleapis.com/x"));
        assert!(!allowed(&d, "http://192.168.1.10:3000/api/admin/close-day"));
        assert!(!allowed(&d, "not a url"));
        // A test's own push service, named by the office.
        let local = vec!["http://127.0.0.1:4123".to_owned()];
        assert!(allowed(&local, "http://127.0.0.1:4123/push/1"));
        assert!(!allowed(&local, "http://127.0.0.1:4124/push/1"));
    }
}
