//! Drives the domain's [`SyncClient`] in the browser: loads it from IndexedDB, performs the
//! requests it asks for, feeds it the answers, pokes from the live stream and online/offline
//! events, and publishes its visible state to the page's signals. Runs on the page's single
//! thread (rexie is `!Send`); a `RefCell` borrow is never held across an `.await`.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::device_state::{
    connect, failed, install_rules, keep_settings, now_ms, publish, register, storage_failed,
    Handle, Inner, Runtime,
};
use super::net::{self, NetError};
use super::{auth, store, Device, IssuedTicket};
use crate::domain::catalogue::Catalogue;
use crate::domain::device_phase::{phase, Credential, Facts};
use crate::domain::i18n::Text;
use crate::domain::ids::{ClientId, LoketId, ServiceCode, TicketId, TrackingToken};
use crate::domain::mutation::{LeaseRequest, MutationKind};
use crate::domain::numbering::NumberPool;
use crate::domain::queue;
use crate::domain::snapshot::Snapshot;
use crate::domain::sync_client::{ClientMeta, IssueError, Request, SyncClient};
use crate::domain::ticket::Priority;

/// 16 bytes from the browser's cryptographic generator, or `None` when it is missing or
/// fails: ids and tracking tokens are never made from anything weaker (an all-zero token
/// would let anyone read the ticket).
fn random_bytes() -> Option<[u8; 16]> {
    let mut b = [0u8; 16];
    let c = web_sys::window().and_then(|w| w.crypto().ok())?;
    c.get_random_values_with_u8_array(&mut b).ok()?;
    Some(b)
}

fn no_randomness() -> Text {
    crate::text::NO_RANDOM.into()
}

/// Opens the store, restores the sync client and starts the loops. `None` when IndexedDB
/// is unavailable (then the page says so).
pub async fn start(dev: Device) -> Option<Handle> {
    // The clock first: views time idle screens from it, and a tap recorded at time 0
    // would look a day old at the next tick.
    spawn_clock(dev);
    let db = match store::open(dev.role).await {
        Ok(db) => db,
        Err(e) => {
            leptos::logging::error!("IndexedDB unavailable: {e}");
            dev.phase.set(phase(&Facts {
                role: dev.role,
                storage: false,
                credential: Credential::Unknown,
                rules: false,
                server_tried: false,
            }));
            return None;
        }
    };
    let meta: Option<ClientMeta> = store::get_setting(&db, "meta").await.ok().flatten();
    let meta = match meta {
        Some(m) => m,
        None => {
            let Some(bytes) = random_bytes() else {
                dev.notices.update(|n| n.push(no_randomness()));
                return None;
            };
            let id = ClientId::from_random_bytes(bytes);
            let m = ClientMeta {
                client_id: id,
                clock: crate::domain::hlc::HlcClock::new(id),
                next_id: crate::domain::ids::MutationId::FIRST,
            };
            keep_settings(&dev, &db, &[("meta", store::value(&m))]).await;
            m
        }
    };
    let pool: Option<NumberPool> = store::get_setting(&db, "pool").await.ok().flatten();
    let last: Option<String> = store::get_setting(&db, "last_issued").await.ok().flatten();
    dev.last_issued.set(last);
    let citizen_origin: Option<String> = store::get_setting(&db, "citizen_origin")
        .await
        .ok()
        .flatten();
    dev.citizen_origin.set(citizen_origin);
    let loket = store::get_setting::<String>(&db, "loket")
        .await
        .ok()
        .flatten()
        .and_then(|s| LoketId::parse(&s).ok());
    dev.loket.set(loket);
    let (wake, wake_rx) = mpsc::unbounded();
    let rt = Rc::new(Runtime {
        db,
        role: dev.role,
        inner: RefCell::new(Inner {
            sync: None,
            meta: Some(meta),
            pool,
            loket,
            published: None,
            server_tried: false,
        }),
        wake,
        credential: std::cell::Cell::new(Credential::Unknown),
    });
    let cached: Option<Catalogue> = store::get_setting(&rt.db, "catalogue").await.ok().flatten();
    if let Some(c) = cached {
        install_rules(&dev, &rt, c).await;
    }
    // Fresh catalogue and registration when the server answers; offline, the cached ones.
    if auth::restore(&dev, &rt).await {
        connect(&dev, &rt).await;
    }
    watch_online(&dev, &rt);
    leptos::task::spawn_local(live_loop(dev, rt.clone()));
    leptos::task::spawn_local(sync_loop(dev, rt.clone(), wake_rx));
    Some(rt)
}

/// The settings a user action changes, stored when the outbox entries that journal them
/// are dropped.
fn checkpoint(dev: &Device, rt: &Handle) -> Vec<(&'static str, wasm_bindgen::JsValue)> {
    let inner = rt.inner.borrow();
    let mut v = Vec::new();
    if let Some(s) = inner.sync.as_ref() {
        v.push(("meta", store::value(s.meta())));
        v.push(("pool", store::value(s.pool())));
    }
    if let Some(n) = dev.last_issued.get_untracked() {
        v.push(("last_issued", store::value(&n)));
    }
    v
}

/// A user action: decided on the visible state, stored durably, then sent.
pub async fn act(dev: Device, rt: Handle, kind: MutationKind) -> Result<(), Text> {
    let m = {
        let mut inner = rt.inner.borrow_mut();
        let sync = inner.sync.as_mut().ok_or_else(super::not_ready)?;
        sync.handle_user_action(kind, now_ms())
            .map_err(|e| e.text())?
    };
    store::save_action(&rt.db, &m).await.map_err(failed)?;
    publish(&dev, &rt);
    let _ = rt.wake.unbounded_send(());
    Ok(())
}

pub async fn issue_ticket(
    dev: Device,
    rt: Handle,
    service: ServiceCode,
    priority: Priority,
    token: TrackingToken,
) -> Result<IssuedTicket, Text> {
    take_number(&rt, &service).await;
    let id = TicketId::from_random_bytes(random_bytes().ok_or_else(no_randomness)?);
    let now = now_ms();
    let (m, ticket_id, number, day) = {
        let mut guard = rt.inner.borrow_mut();
        let sync = guard.sync.as_mut().ok_or_else(super::not_ready)?;
        let (m, ticket, day) = sync
            .issue_ticket(&service, priority, id, token.clone(), now)
            .map_err(|e| match e {
                IssueError::Numbering(_) => Text::from(crate::text::NO_NUMBERS),
                IssueError::Refused(e) => e.text(),
            })?;
        (m, ticket.id, ticket.number, day)
    };
    mark("antrean:decided");
    store::save_action(&rt.db, &m).await.map_err(failed)?;
    mark("antrean:stored");
    dev.last_issued.set(Some(number.to_string()));
    let (ahead, wait_minutes) = {
        let inner = rt.inner.borrow();
        let sync = inner.sync.as_ref().ok_or_else(super::not_ready)?;
        let rules = sync.rules();
        let policy = &rules.catalogue.policy;
        let ahead = queue::people_ahead(sync.view(), rules, &ticket_id, day).unwrap_or(0);
        let lokets = queue::open_lokets(sync.view(), &service, now);
        (
            ahead,
            queue::expected_wait_minutes(ahead, &sync.view().durations(&service), lokets, policy),
        )
    };
    // The citizen waits for the ticket screen, not for the rest of the kiosk (the copy of
    // the replica for the other views grows with the day's tickets): publish in the next
    // task, after the ticket is on screen.
    leptos::task::spawn_local(async move {
        TimeoutFuture::new(0).await;
        publish(&dev, &rt);
        let _ = rt.wake.unbounded_send(());
    });
    Ok(IssuedTicket {
        number,
        service,
        priority,
        token,
        issued_ms: now,
        ahead,
        wait_minutes,
    })
}

/// A fresh tracking token from the browser's cryptographic generator; `None` when it
/// failed.
pub fn fresh_token() -> Option<TrackingToken> {
    random_bytes().map(TrackingToken::from_random_bytes)
}

/// A User Timing mark, replacing the previous one of the same name (so they never pile
/// up): the benchmarks split a kiosk tap into decision, storage and rendering with them.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        p.clear_marks_with_mark_name(name);
        let _ = p.mark(name);
    }
}

/// See [`Device::set_loket`].
pub async fn set_loket(dev: Device, rt: Handle, loket: Option<LoketId>) -> Result<(), Text> {
    let pending = rt
        .inner
        .borrow()
        .sync
        .as_ref()
        .is_some_and(|s| s.outbox().next().is_some());
    if pending && loket != rt.inner.borrow().loket {
        return Err(crate::text::WAIT_BEFORE_LOKET_CHANGE.into());
    }
    let value = loket.map(|l| l.to_string()).unwrap_or_default();
    store::put_settings(&rt.db, &[("loket", store::value(&value))])
        .await
        .map_err(failed)?;
    rt.inner.borrow_mut().loket = loket;
    dev.loket.set(loket);
    if loket.is_some() {
        // Offline, the next connection registers it.
        register(&dev, &rt).await;
    }
    Ok(())
}

/// How long a tap waits for the server's number before printing from the kiosk's own
/// series: a citizen at the kiosk should not notice (the server answers in milliseconds on
/// the office LAN), and a hung network must not hold the kiosk.
const TAKE_TIMEOUT_MS: u32 = 1_500;

/// Online, a kiosk takes the tap's number from the server, so that numbers follow the
/// order of the taps across kiosks. Without an answer in time the tap goes on with the
/// kiosk's own series, and the server counts as unreachable until it answers again (the
/// next taps do not wait); a refusal (the kiosk holds too many numbers the server has not
/// seen printed) also leaves the series.
async fn take_number(rt: &Handle, service: &ServiceCode) {
    let client_id = match rt.inner.borrow().sync.as_ref() {
        Some(s) if s.takes_numbers_online() => s.client_id(),
        _ => return,
    };
    let req = LeaseRequest {
        client_id,
        service: service.clone(),
    };
    let taken = net::lease(&req).fuse();
    let timeout = TimeoutFuture::new(TAKE_TIMEOUT_MS).fuse();
    futures::pin_mut!(taken, timeout);
    let answer = futures::select! {
        r = taken => Some(r),
        _ = timeout => None,
    };
    let mut inner = rt.inner.borrow_mut();
    let Some(s) = inner.sync.as_mut() else {
        return;
    };
    match answer {
        Some(Ok(lease)) => s.handle_number_taken(&lease),
        Some(Err(NetError::Refused { .. })) => {}
        Some(Err(_)) | None => s.handle_take_failed(),
    }
}

/// Issues again, with fresh tracking tokens, the tickets the server refused for a token
/// another ticket holds (see [`SyncClient::poll_reissue`]).
async fn reissue(dev: &Device, rt: &Handle) {
    loop {
        let again = {
            let mut inner = rt.inner.borrow_mut();
            let Some(s) = inner.sync.as_mut() else {
                return;
            };
            let Some(ticket) = s.poll_reissue() else {
                return;
            };
            fresh_token().ok_or_else(no_randomness).and_then(|token| {
                s.handle_user_action(MutationKind::IssueTicket { ticket, token }, now_ms())
                    .map_err(|e| e.text())
            })
        };
        let saved = match again {
            Ok(m) => store::save_action(&rt.db, &m).await.map_err(failed),
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            leptos::logging::error!("reissue failed: {}", e.en);
            dev.notices.update(|n| n.push(e));
        }
    }
}

/// Performs the requests the state machine asks for, forever.
async fn sync_loop(dev: Device, rt: Handle, mut wake_rx: mpsc::UnboundedReceiver<()>) {
    loop {
        if !rt.authed() {
            // Pairing or sign-in is under way; actions wait in the outbox.
            publish(&dev, &rt);
            futures::select! {
                _ = wake_rx.next().fuse() => {},
                _ = TimeoutFuture::new(1_000).fuse() => {},
            }
            continue;
        }
        let req = {
            let mut inner = rt.inner.borrow_mut();
            inner.sync.as_mut().and_then(|s| {
                s.handle_tick(now_ms());
                s.poll_request(now_ms())
            })
        };
        match req {
            Some(Request::Push(p)) => {
                let res = net::push(&p).await;
                let done: Vec<u64> = match res {
                    Ok(resp) => {
                        let left = rt
                            .inner
                            .borrow_mut()
                            .sync
                            .as_mut()
                            .map(|s| s.handle_push_response(&resp, now_ms()))
                            .unwrap_or_default();
                        reissue(&dev, &rt).await;
                        left.iter().map(|id| id.get()).collect()
                    }
                    Err(NetError::Refused {
                        status: 401 | 403, ..
                    }) => {
                        if let Some(s) = rt.inner.borrow_mut().sync.as_mut() {
                            s.handle_request_failed(now_ms());
                        }
                        auth::recover(&dev, &rt).await;
                        Vec::new()
                    }
                    Err(e) => {
                        if let NetError::Refused { code, .. } = e {
                            let why = code.text();
                            dev.notices.update(|n| {
                                n.push(Text::new(
                                    format!("Server menolak kiriman: {}", why.id),
                                    format!("The server refused the upload: {}", why.en),
                                ))
                            });
                        }
                        if let Some(s) = rt.inner.borrow_mut().sync.as_mut() {
                            s.handle_request_failed(now_ms());
                        }
                        Vec::new()
                    }
                };
                if let Err(e) = store::drop_outbox(&rt.db, &done, &checkpoint(&dev, &rt)).await {
                    // The entries stay and are sent again: the server answers them as
                    // duplicates; the checkpoint is written with the next cleanup.
                    storage_failed(&dev, "outbox", &e);
                }
                publish(&dev, &rt);
                continue;
            }
            Some(Request::Pull { cursor }) => {
                let res = net::pull(cursor).await;
                let was_authed = rt.authed();
                let saved = {
                    let mut inner = rt.inner.borrow_mut();
                    match (res, inner.sync.as_mut()) {
                        (Ok(resp), Some(s)) => {
                            s.handle_pull(resp, now_ms());
                            Some(confirmed_state(s))
                        }
                        (Err(e), Some(s)) => {
                            s.handle_request_failed(now_ms());
                            if matches!(
                                e,
                                NetError::Refused {
                                    status: 401 | 403,
                                    ..
                                }
                            ) {
                                rt.credential.set(Credential::Unknown);
                            }
                            None
                        }
                        _ => None,
                    }
                };
                if let Some(state) = saved {
                    keep_confirmed(&dev, &rt, state).await;
                }
                if was_authed && !rt.authed() {
                    auth::recover(&dev, &rt).await;
                }
                publish(&dev, &rt);
                continue;
            }
            None => {}
        }
        publish(&dev, &rt);
        let wait = {
            let inner = rt.inner.borrow();
            inner
                .sync
                .as_ref()
                .and_then(|s| s.poll_timeout())
                .map(|t| (t - now_ms()).clamp(20, 15_000))
                .unwrap_or(2_000)
        };
        futures::select! {
            _ = wake_rx.next().fuse() => {},
            _ = TimeoutFuture::new(wait as u32).fuse() => {},
        }
        // Without a catalogue there is nothing to sync; keep trying to fetch it.
        if rt.inner.borrow().sync.is_none() {
            connect(&dev, &rt).await;
        }
    }
}

/// What a device keeps of its confirmed state: the replica's snapshot and the sync meta.
fn confirmed_state(s: &SyncClient) -> (Snapshot, wasm_bindgen::JsValue) {
    (s.confirmed().snapshot(), store::value(s.meta()))
}

async fn keep_confirmed(
    dev: &Device,
    rt: &Handle,
    (snapshot, meta): (Snapshot, wasm_bindgen::JsValue),
) {
    // The next pull or poke writes the whole state again.
    if let Err(e) = store::save_confirmed(&rt.db, &snapshot, &[("meta", meta)]).await {
        storage_failed(dev, "replica", &e);
    }
}

/// The live stream: each poke says the log grew, and usually carries the new events;
/// reconnects by itself.
async fn live_loop(dev: Device, rt: Handle) {
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::Message;
    loop {
        if !rt.authed() {
            TimeoutFuture::new(1_000).await;
            continue;
        }
        if let Some(url) = net::live_url() {
            if let Ok(ws) = WebSocket::open_with_protocols(&url, &net::live_protocols()) {
                let (_, mut rx) = ws.split();
                while let Some(Ok(msg)) = rx.next().await {
                    if let Message::Text(t) = msg {
                        if let Ok(p) = serde_json::from_str::<crate::domain::mutation::Poke>(&t) {
                            // A new catalogue (an admin's change): load it, no reload.
                            let held = dev.rules.get_untracked().map(|r| r.catalogue.version);
                            if p.catalogue != 0 && held != Some(p.catalogue) {
                                connect(&dev, &rt).await;
                            }
                            let saved = rt.inner.borrow_mut().sync.as_mut().and_then(|s| {
                                s.handle_online(true);
                                s.handle_poke(p, now_ms()).then(|| confirmed_state(s))
                            });
                            if let Some(state) = saved {
                                // Shown first: the display announces without waiting for
                                // the write.
                                publish(&dev, &rt);
                                keep_confirmed(&dev, &rt, state).await;
                            }
                            let _ = rt.wake.unbounded_send(());
                        }
                    }
                }
                // Ended: a pull tells why (or what was missed) before the reconnect.
                if let Some(s) = rt.inner.borrow_mut().sync.as_mut() {
                    s.handle_stream_lost();
                }
                let _ = rt.wake.unbounded_send(());
            }
        }
        TimeoutFuture::new(2_000).await;
    }
}

/// Browser online/offline events speed up recovery; failures are still detected by the
/// requests themselves (a tablet may be "online" on a Wi-Fi without the server).
fn watch_online(dev: &Device, rt: &Handle) {
    let Some(w) = web_sys::window() else { return };
    for (name, online) in [("online", true), ("offline", false)] {
        let rt = rt.clone();
        let dev = *dev;
        let cb = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = rt.inner.borrow_mut().sync.as_mut() {
                s.handle_online(online);
            }
            publish(&dev, &rt);
            let _ = rt.wake.unbounded_send(());
        });
        let _ = w.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        cb.forget();
    }
}

fn spawn_clock(dev: Device) {
    dev.now.set(now_ms());
    leptos::task::spawn_local(async move {
        loop {
            TimeoutFuture::new(1_000).await;
            dev.now.set(now_ms());
        }
    });
}
