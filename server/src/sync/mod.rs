//! The sync API: device registration, push, pull, number leases and the live stream.
//!
//! The database is the source of truth; the in-memory [`Authority`] is a cache of it. Before
//! deciding a push, the server catches up with events other instances may have appended to
//! the same SurrealDB (so several instances can share one database server), and reads the
//! device's record fresh. New events are announced to live subscribers directly, and a
//! background task polls the log's newest sequence number once a second to announce events
//! written by other instances. Polling was chosen over `LIVE SELECT` because it behaves the
//! same on the embedded and the remote engines and costs one key read a second.

pub mod tail;
#[cfg(test)]
mod two_instances;

use std::net::IpAddr;
use std::time::Duration;

use app::domain::authority::{Authority, PushError, Sender};
use app::domain::ids::ClientId;
use app::domain::mutation::{
    DeviceRegistered, DeviceRole, LeaseRequest, MutationKind, Poke, PullResponse, PushRequest,
    PushResponse, RegisterDevice,
};
use app::domain::numbering::Lease;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::{Extension, Json};
use serde::Deserialize;

use self::tail::Tail;
use crate::auth::{ClientAddr, Principal, WS_PROTOCOL};
use crate::error::ApiError;
use crate::state::{now_ms, AppState, Live};
use crate::store::{AuditRow, DeviceRecord, Store, StoreError};
use app::domain::refusal::Refusal;

/// Most events one pull returns.
pub const PULL_LIMIT: usize = 1000;

/// Times a push is decided again after colliding with another instance's write.
const PUSH_ATTEMPTS: u32 = 8;

/// Whether a failed write may have lost a race with another instance sharing the store:
/// the log grew past what this instance had caught up with, or the store reports a
/// conflict or a failed transaction (whose cause, a write-write conflict on the log's
/// sequence number with a transaction still committing, need not be visible yet). A write
/// that fails for another reason fails the same way each time and is answered after the
/// last attempt.
async fn another_writer(store: &Store, auth: &Authority, e: &StoreError) -> bool {
    let text = e.to_string();
    if ["conflict", "already exists", "failed transaction"]
        .iter()
        .any(|t| text.contains(t))
    {
        return true;
    }
    store
        .events_after(auth.replica.cursor(), 1)
        .await
        .is_ok_and(|grown| !grown.is_empty())
}

/// Turns a JSON body rejection into a readable 400/413.
pub fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    match body {
        Ok(Json(v)) => Ok(v),
        Err(JsonRejection::BytesRejection(e)) => Err(ApiError::TooLarge(format!(
            "request body rejected: {}",
            e.body_text()
        ))),
        Err(e) => Err(ApiError::Invalid(e.body_text())),
    }
}

/// Makes persisted events current, in this order: the pull tail, memory (`commit`), the
/// newest sequence number, and then a poke to live subscribers (carrying the events when
/// they are few). Used by pushes and by the day's close.
pub fn go_live(
    s: &AppState,
    mut auth: tokio::sync::MutexGuard<'_, Authority>,
    events: &[app::domain::mutation::Event],
    commit: impl FnOnce(&mut Authority),
) {
    let poke = events
        .first()
        .map(|e| Live::grew(Poke::with_events(e.seq - 1, events)));
    s.tail.extend(events);
    commit(&mut auth);
    s.newest
        .fetch_max(auth.replica.cursor(), std::sync::atomic::Ordering::AcqRel);
    drop(auth);
    if let Some(poke) = poke {
        announce(s, poke);
    }
    s.push.events(events);
}

/// Tells live streams the log grew: the office's devices at once; the citizens' pages
/// through [`pace_citizens`], so a call reaches the display before thousands of phones (or
/// of idle streams someone opened on a few tracking links) are woken.
pub fn announce(s: &AppState, grew: Live) {
    if let Live::Grew { cursor, .. } = &grew {
        let cursor = *cursor;
        s.citizen_news.send_if_modified(|c| {
            let newer = cursor > *c;
            *c = (*c).max(cursor);
            newer
        });
    }
    // Nobody listening is fine.
    let _ = s.live.send(grew);
}

/// Passes the newest cursor on to the citizens' pages [`CITIZEN_DELAY`] after it grew and
/// at most once per [`CITIZEN_POKE_EVERY`]: a page fetches its view on each poke, and a
/// burst of calls is one fetch per page, after the office's own devices were served.
/// The pages are told a shard at a time, [`CITIZEN_SPREAD`] apart in all: waking
/// thousands of streams at once would hold up the next call's pokes to the devices.
pub async fn pace_citizens(s: AppState) {
    let mut news = s.citizen_news.subscribe();
    let step = CITIZEN_SPREAD / s.citizens.len().max(1) as u32;
    while news.changed().await.is_ok() {
        tokio::time::sleep(CITIZEN_DELAY).await;
        let cursor = *news.borrow_and_update();
        for shard in s.citizens.iter() {
            shard.send_replace(cursor);
            tokio::time::sleep(step).await;
        }
        tokio::time::sleep(CITIZEN_POKE_EVERY.saturating_sub(CITIZEN_DELAY + CITIZEN_SPREAD)).await;
    }
}

/// Catches the lease book up with the series digits and leases other instances sharing
/// the store granted (one read of a few rows: the leases of the open day).
pub async fn catch_up_numbering(auth: &mut Authority, store: &Store) -> Result<(), StoreError> {
    let n = store.numbering().await?;
    auth.leases.merge_stored(n.series, n.leases, n.released);
    Ok(())
}

/// Applies events other instances appended since this instance's cursor.
pub async fn catch_up(auth: &mut Authority, store: &Store, tail: &Tail) -> Result<(), StoreError> {
    loop {
        let events = store
            .events_after(auth.replica.cursor(), PULL_LIMIT)
            .await?;
        if events.is_empty() {
            return Ok(());
        }
        for e in &events {
            auth.replica.apply(e);
        }
        tail.extend(&events);
    }
}

async fn device(store: &Store, client: ClientId) -> Result<DeviceRecord, ApiError> {
    store.device(client).await?.ok_or_else(|| {
        ApiError::Unauthenticated(
            "this device is not registered; open its page once while online".into(),
        )
    })
}

/// `POST /api/devices`: a paired kiosk or display refreshes its record (and a kiosk
/// learns its series); a signed-in officer registers the counter tablet they work on.
pub async fn register(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: axum::http::HeaderMap,
    body: Result<Json<RegisterDevice>, JsonRejection>,
) -> Result<Json<DeviceRegistered>, ApiError> {
    let req = json_body(body)?;
    let citizen_origin = s.citizen_port.and_then(|port| {
        let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
        Some(format!("http://{}:{port}", host_name(host)?))
    });
    match &who {
        Principal::Device(d) => {
            if d.client != req.client_id || d.role != req.role {
                return Err(ApiError::Forbidden(
                    "a device may only register itself, in the role it was paired for".into(),
                ));
            }
            Ok(Json(DeviceRegistered {
                series: d.series,
                citizen_origin,
            }))
        }
        Principal::Staff { session, digest } => {
            if req.role != DeviceRole::Counter {
                return Err(ApiError::Forbidden(
                    "kiosks and displays are paired by an admin".into(),
                ));
            }
            // Read before the authority's lock: pushes wait on it.
            let assigned = s.store.staff_lokets(&session.username).await?;
            let mut auth = s.authority.lock().await;
            let loket = req
                .loket
                .ok_or_else(|| ApiError::Invalid("say which loket this counter is".into()))?;
            if !auth.rules.catalogue.lokets().contains(&loket) {
                return Err(ApiError::Invalid(format!(
                    "the office has no Loket {loket}"
                )));
            }
            if !app::domain::accounts::may_work_at(&assigned, loket) {
                return Err(ApiError::Refused(Refusal::NotYourLoket));
            }
            let existing = s.store.device(req.client_id).await?;
            if let Some(d) = &existing {
                if d.role != DeviceRole::Counter {
                    return Err(ApiError::Forbidden(format!(
                        "this device is registered as a {}",
                        d.role.as_str()
                    )));
                }
                // A counter's stream of actions belongs to one sign-in: another officer
                // takes the tablet over only once that sign-in has ended.
                if let Some(owner) = d.session.as_deref().filter(|o| *o != digest.as_str()) {
                    if let Some(other) = s.store.session(owner, now_ms()).await? {
                        if other.staff_id != session.staff_id {
                            return Err(ApiError::Refused(Refusal::TabletInUse));
                        }
                    }
                }
            }
            let record = DeviceRecord {
                client: req.client_id,
                role: DeviceRole::Counter,
                last_mutation: existing.as_ref().map(|d| d.last_mutation).unwrap_or(0),
                series: None,
                loket: Some(loket),
                session: Some(digest.clone()),
            };
            s.store.register_device(&record).await?;
            auth.last_processed
                .entry(req.client_id)
                .or_insert(record.last_mutation);
            Ok(Json(DeviceRegistered {
                series: None,
                citizen_origin,
            }))
        }
        Principal::Anonymous => Err(ApiError::Unauthenticated("sign in first".into())),
    }
}

/// The host of a `Host` header, without its port (`[::1]:3443` → `[::1]`); `None` for one
/// that is not a plain name or address (it goes into a link the kiosk prints).
fn host_name(host: &str) -> Option<&str> {
    let name = match host.strip_prefix('[') {
        Some(rest) => &host[..rest.find(']')? + 2],
        None => host.split(':').next()?,
    };
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    (!name.is_empty() && plain).then_some(name)
}

fn push_error(e: PushError) -> ApiError {
    match e {
        PushError::TooLarge { .. } => ApiError::TooLarge(e.to_string()),
        PushError::Gap { .. } => ApiError::Conflict(e.to_string()),
        _ => ApiError::Invalid(e.to_string()),
    }
}

/// `POST /api/sync/push`.
pub async fn push(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let req = json_body(body)?;
    let dev = device(&s.store, req.client_id).await?;
    let officer = match &who {
        Principal::Device(d) if d.client == req.client_id => None,
        Principal::Staff { session, digest }
            if dev.role == DeviceRole::Counter && dev.session.as_ref() == Some(digest) =>
        {
            Some((session.staff_id.clone(), session.username.clone()))
        }
        Principal::Staff { .. } if dev.role == DeviceRole::Counter => {
            return Err(ApiError::Forbidden(
                "this counter's actions belong to another sign-in; sign in again on this tablet"
                    .into(),
            ))
        }
        _ => {
            return Err(ApiError::Forbidden(
                "a device may only send its own actions".into(),
            ))
        }
    };
    let sender = Sender {
        role: dev.role,
        loket: dev.loket,
    };
    let new_tokens: Vec<_> = req
        .mutations
        .iter()
        .filter_map(|m| match &m.kind {
            MutationKind::IssueTicket { token, .. } => Some(token.clone()),
            MutationKind::Ticket { .. } => None,
        })
        .collect();
    // Another instance sharing the store may append to the log between our catch-up and
    // our write: our events then collide with its (the same sequence numbers) and nothing
    // of ours is stored. The push is decided again on the log as it now is, as if it had
    // arrived a moment later; a batch the other instance applied meanwhile (the same batch
    // sent to both) is then recognised as already processed.
    let mut attempt = 0u32;
    let (auth, plan) = loop {
        let mut auth = s.authority.lock().await;
        catch_up(&mut auth, &s.store, &s.tail).await?;
        // A kiosk's numbers may come from leases another instance granted.
        if sender.role == DeviceRole::Kiosk && !new_tokens.is_empty() {
            catch_up_numbering(&mut auth, &s.store).await?;
        }
        // Under the lock: no other push of this instance can store one of these tokens
        // in between.
        let taken = s.store.tokens_taken(new_tokens.clone()).await?;
        s.newest
            .fetch_max(auth.replica.cursor(), std::sync::atomic::Ordering::AcqRel);
        let last_mutation = if attempt == 0 {
            dev.last_mutation
        } else {
            device(&s.store, req.client_id).await?.last_mutation
        };
        let known = auth.last_processed.entry(req.client_id).or_insert(0);
        *known = (*known).max(last_mutation);
        let before = *known;
        let now = now_ms();
        let plan = auth
            .plan_push(sender, &req, now, &taken)
            .map_err(push_error)?;
        let changed = !plan.events.is_empty() || plan.response.last_processed != before;
        if !changed {
            break (auth, plan);
        }
        // Each action a counter applies is recorded against its signed-in officer.
        let audit: Vec<AuditRow> = officer
            .as_ref()
            .map(|(staff_id, _)| {
                plan.events
                    .iter()
                    .map(|e| AuditRow {
                        // The server's own time: a device's clock orders its events, but
                        // the audit log and its retention trust no device.
                        at_ms: now,
                        staff_id: staff_id.clone(),
                        action: e.kind.name().into(),
                        subject: auth
                            .replica
                            .ticket(&e.ticket)
                            .map(|t| t.number.to_string())
                            .unwrap_or_else(|| e.ticket.simple()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let username = officer.as_ref().map(|(_, name)| name.as_str());
        match s.store.persist_push(&plan, &audit, username).await {
            Ok(()) => break (auth, plan),
            Err(e) if attempt < PUSH_ATTEMPTS && another_writer(&s.store, &auth, &e).await => {
                attempt += 1;
                drop(auth);
                tracing::debug!(
                    attempt,
                    "push collided with another instance's; deciding it again"
                );
                // Two instances retrying in step would collide again.
                tokio::time::sleep(Duration::from_millis(rand::random_range(1..=10))).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let resp = plan.response.clone();
    let applied = plan.events.len();
    go_live(&s, auth, &plan.events.clone(), |a| a.commit(plan));
    tracing::debug!(
        mutations = req.mutations.len(),
        applied,
        cursor = resp.cursor,
        "push"
    );
    Ok(Json(resp))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    cursor: u64,
}

/// `GET /api/sync/pull?cursor=N`: events after N, or a snapshot of the service day for a
/// device that has nothing yet (cursor 0).
pub async fn pull(
    State(s): State<AppState>,
    q: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::Invalid(e.body_text()))?;
    if q.cursor == 0 {
        return Ok(Json(snapshot(&s).await?));
    }
    // Devices pull right after each poke, nearly always from the tail.
    let newest = s.newest.load(std::sync::atomic::Ordering::Acquire);
    let events = match s.tail.after(q.cursor, newest, PULL_LIMIT) {
        Some(events) => events,
        None => s.store.events_after(q.cursor, PULL_LIMIT).await?,
    };
    // Sequence numbers have no gaps but those retention makes: a device whose cursor
    // is older than the oldest event kept starts over from the open state.
    let purged = match events.first() {
        Some(e) => e.seq > q.cursor + 1,
        None => q.cursor < newest,
    };
    if purged {
        return Ok(Json(snapshot(&s).await?));
    }
    let more = events.len() == PULL_LIMIT;
    let cursor = events.last().map(|e| e.seq).unwrap_or(q.cursor);
    Ok(Json(PullResponse {
        snapshot: None,
        events,
        cursor,
        more,
    }))
}

/// The open state for a device that starts over: the replica holds only the open day and
/// the open files, so this costs the same in the tenth year as on the first day.
async fn snapshot(s: &AppState) -> Result<PullResponse, ApiError> {
    let snapshot = {
        let mut auth = s.authority.lock().await;
        catch_up(&mut auth, &s.store, &s.tail).await?;
        auth.replica.snapshot()
    };
    Ok(PullResponse {
        cursor: snapshot.cursor,
        snapshot: Some(snapshot),
        events: vec![],
        more: false,
    })
}

/// `POST /api/sync/lease`: the next number of a service for a kiosk's tap.
pub async fn lease(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<LeaseRequest>, JsonRejection>,
) -> Result<Json<Lease>, ApiError> {
    let req = json_body(body)?;
    match &who {
        Principal::Device(d) if d.client == req.client_id && d.role == DeviceRole::Kiosk => {}
        _ => {
            return Err(ApiError::Forbidden(
                "a kiosk leases numbers for itself only".into(),
            ))
        }
    }
    let mut auth = s.authority.lock().await;
    if auth.rules.catalogue.service(&req.service).is_none() {
        return Err(ApiError::NotFound(format!(
            "unknown service {}",
            req.service
        )));
    }
    let day = auth.rules.calendar.service_day(jiff::Timestamp::now());
    // Another instance sharing the store may have leased the same next number a moment
    // ago: the store's unique block refuses the second, which then looks again.
    let mut attempt = 0;
    loop {
        catch_up_numbering(&mut auth, &s.store).await?;
        let lease = auth
            .plan_lease(&req.service, day, req.client_id)
            .map_err(|e| ApiError::Conflict(e.to_string()))?;
        match s.store.save_lease(&lease).await {
            Ok(()) => {
                auth.leases.record(lease.clone());
                return Ok(Json(lease));
            }
            Err(e) if attempt < PUSH_ATTEMPTS && e.to_string().contains("already") => {
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `GET /api/sync/live`: a WebSocket that sends a [`Poke`] whenever the log grows (with
/// the new events when they are few), and closes when the device is revoked or the
/// officer's session ends.
pub async fn live(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let subscriber = match who {
        Principal::Device(d) => Subscriber::Device(d.client),
        Principal::Staff { digest, .. } => Subscriber::Staff(digest),
        Principal::Anonymous => return Err(ApiError::Unauthenticated("sign in first".into())),
    };
    open_stream(&s, subscriber, ip, &headers, ws)
}

/// Upgrades to a live stream for `who`, within the caller's stream limits and only from
/// this site's pages (a browser always sends `Origin` on a WebSocket; another site's page
/// must not ride on the office's cookies).
pub fn open_stream(
    s: &AppState,
    who: Subscriber,
    ip: IpAddr,
    headers: &HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    if !same_origin(headers) {
        return Err(ApiError::Forbidden(
            "live streams open only from this server's own pages".into(),
        ));
    }
    let ws = ws.map_err(|e| ApiError::Invalid(e.body_text()))?;
    let key = match &who {
        Subscriber::Device(c) => format!("device:{}", c.simple()),
        Subscriber::Staff(digest) => format!("session:{digest}"),
        Subscriber::Citizen(token) => format!("citizen:{token}"),
    };
    let slot = s.streams.admit(key, ip).ok_or_else(|| {
        ApiError::TooMany("too many live streams open for this caller; close some first".into())
    })?;
    let s = s.clone();
    Ok(
        small_buffers(ws.protocols([WS_PROTOCOL])).on_upgrade(move |socket| async move {
            live_session(socket, s, who).await;
            drop(slot);
        }),
    )
}

/// Whether a request's `Origin` (if any) names the host it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Who holds a live stream: a device or a counter's officer gets the events inside its
/// pokes; a citizen's page (by its tracking token) only learns that something changed.
#[derive(Debug, Clone)]
pub enum Subscriber {
    Device(ClientId),
    Staff(String),
    Citizen(String),
}

/// Pokes are small (a few events at most): small buffers keep hundreds of open streams
/// cheap.
pub fn small_buffers(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(64 * 1024)
}

/// A ping about this often keeps a quiet stream open through the connection's idle
/// timeout. Each stream's first ping comes at a random point of the first period, so
/// streams opened together do not all ping at the same moment ever after.
const PING_EVERY: Duration = Duration::from_secs(30);
/// The least time between two pokes to the citizens' pages.
pub const CITIZEN_POKE_EVERY: Duration = Duration::from_secs(1);
/// How long the citizens' pages wait behind the office's devices.
pub const CITIZEN_DELAY: Duration = Duration::from_millis(100);
/// Over how long one poke to every citizen's page is spread, and in how many shards.
pub const CITIZEN_SPREAD: Duration = Duration::from_millis(480);
pub const CITIZEN_SHARDS: usize = 16;
/// A stream that has sent nothing (not even a pong) for this long is gone.
const SILENT_FOR: Duration = Duration::from_secs(75);

/// Whether the credential behind a stream still holds (checked when the stream lagged
/// and may have missed its revocation).
async fn still_valid(s: &AppState, who: &Subscriber) -> bool {
    match who {
        Subscriber::Device(c) => s.store.device_active(*c).await.unwrap_or(false),
        Subscriber::Staff(digest) => matches!(s.store.session(digest, now_ms()).await, Ok(Some(_))),
        Subscriber::Citizen(_) => true,
    }
}

fn pings() -> tokio::time::Interval {
    let first = PING_EVERY.mul_f64(rand::random_range(0.5..1.0));
    tokio::time::interval_at(tokio::time::Instant::now() + first, PING_EVERY)
}

/// Forwards pokes to one subscriber until it leaves, goes silent, or (a device, an
/// officer's session) loses its credential.
pub async fn live_session(socket: WebSocket, s: AppState, who: Subscriber) {
    match who {
        Subscriber::Citizen(_) => citizen_session(socket, s).await,
        Subscriber::Device(_) | Subscriber::Staff(_) => office_session(socket, s, who).await,
    }
}

/// A citizen's page only learns that something changed (it fetches its own view).
async fn citizen_session(mut socket: WebSocket, s: AppState) {
    let shard = rand::random_range(0..s.citizens.len());
    let mut news = s.citizens[shard].subscribe();
    let cursor = *news.borrow_and_update();
    if send_text(&mut socket, bare_poke(cursor)).await.is_err() {
        return;
    }
    let mut ping = pings();
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            changed = news.changed() => {
                let cursor = *news.borrow_and_update();
                if changed.is_err() || send_text(&mut socket, bare_poke(cursor)).await.is_err() {
                    return;
                }
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => heard = tokio::time::Instant::now(),
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_FOR
                    || socket.send(Message::Ping(Default::default())).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

/// A device or an officer's session gets every poke, events included, until its
/// credential ends.
async fn office_session(mut socket: WebSocket, s: AppState, who: Subscriber) {
    let mut rx = s.live.subscribe();
    if send_text(&mut socket, office_poke(&s).await).await.is_err() {
        return;
    }
    let mut ping = pings();
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(Live::Grew { poke, .. }) => {
                    if send_text(&mut socket, poke).await.is_err() {
                        return;
                    }
                }
                Ok(Live::Revoked(c)) if matches!(who, Subscriber::Device(d) if d == c) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                Ok(Live::SessionEnded(d)) if matches!(&who, Subscriber::Staff(mine) if *mine == d) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                Ok(Live::Revoked(_) | Live::SessionEnded(_)) => {}
                // A slow subscriber skipped messages: the newest poke is all it needs,
                // but it may have missed its own revocation.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if !still_valid(&s, &who).await {
                        let _ = socket.send(Message::Close(None)).await;
                        return;
                    }
                    if send_text(&mut socket, office_poke(&s).await).await.is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => heard = tokio::time::Instant::now(),
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_FOR
                    || socket.send(Message::Ping(Default::default())).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

/// A device's poke with the newest cursor and the catalogue's version: what a stream
/// starts with, and what a subscriber that fell behind is told.
async fn office_poke(s: &AppState) -> Utf8Bytes {
    let (cursor, version) = {
        let auth = s.authority.lock().await;
        (auth.replica.cursor(), auth.rules.catalogue.version)
    };
    serde_json::to_string(&Poke::catalogue(cursor, version))
        .unwrap_or_default()
        .into()
}

fn bare_poke(cursor: u64) -> Utf8Bytes {
    serde_json::to_string(&Poke::bare(cursor))
        .unwrap_or_default()
        .into()
}

async fn send_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), axum::Error> {
    socket.send(Message::Text(text)).await
}

impl Live {
    /// The announcement of `poke`, serialised once.
    pub fn grew(poke: Poke) -> Self {
        Self::Grew {
            cursor: poke.cursor,
            poke: serde_json::to_string(&poke).unwrap_or_default().into(),
        }
    }
}

/// Announces events appended by other instances sharing the database, after taking them
/// into this instance's replica and tail.
pub fn spawn_log_watcher(s: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let Ok(last) = s.store.last_seq().await else {
                continue;
            };
            if last > s.newest.load(std::sync::atomic::Ordering::Acquire) {
                let mut auth = s.authority.lock().await;
                if catch_up(&mut auth, &s.store, &s.tail).await.is_ok() {
                    let cursor = auth.replica.cursor();
                    s.newest
                        .fetch_max(cursor, std::sync::atomic::Ordering::AcqRel);
                    drop(auth);
                    announce(&s, Live::grew(Poke::bare(cursor)));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn a_host_header_gives_its_name_without_the_port_and_nothing_else() {
        assert_eq!(host_name("192.168.1.10:3443"), Some("192.168.1.10"));
        assert_eq!(host_name("antrean.lan"), Some("antrean.lan"));
        assert_eq!(host_name("[fd00::1]:3443"), Some("[fd00::1]"));
        assert_eq!(host_name("evil.example/x?"), None);
        assert_eq!(host_name("a b"), None);
        assert_eq!(host_name(""), None);
    }
}
