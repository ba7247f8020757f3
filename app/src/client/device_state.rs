//! The device runtime's state (the sync client, the credential, the stored settings) and
//! the steps on it that both the runtime's loops ([`super::runtime`]) and the credential
//! flows ([`super::auth`]) take: show the phase, connect, register, publish. Below both,
//! so neither needs the other's internals.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use leptos::prelude::*;
use rexie::Rexie;

use super::net::{self, NetError};
use super::{store, Device};
use crate::domain::catalogue::Catalogue;
use crate::domain::device_phase::{phase, Credential, Facts};
use crate::domain::i18n::Text;
use crate::domain::ids::{ClientId, LoketId};
use crate::domain::mutation::{DeviceRole, RegisterDevice};
use crate::domain::numbering::NumberPool;
use crate::domain::replica::{Replica, Rules};
use crate::domain::sync_client::{ClientMeta, SyncClient, UiEvent};

pub(super) struct Inner {
    pub(super) sync: Option<SyncClient>,
    /// The meta and number pool read from the store, until the sync client is restored
    /// from them.
    pub(super) meta: Option<ClientMeta>,
    pub(super) pool: Option<NumberPool>,
    /// A counter's loket.
    pub(super) loket: Option<LoketId>,
    /// The view version last copied to the screens (`publish`).
    pub(super) published: Option<u64>,
    /// The device has asked the server for the catalogue since it started.
    pub(super) server_tried: bool,
}

pub struct Runtime {
    pub(super) db: Rexie,
    pub(super) role: DeviceRole,
    pub(super) inner: RefCell<Inner>,
    pub(super) wake: mpsc::UnboundedSender<()>,
    /// What the device knows of its credential (a pairing token, or a signed-in officer).
    /// Without one the server may accept, the loops wait instead of knocking.
    pub(super) credential: std::cell::Cell<Credential>,
}

impl Runtime {
    /// Whether the device holds a credential the server may accept.
    pub(super) fn authed(&self) -> bool {
        self.credential.get() == Credential::Held
    }
}

/// Records what the device knows of its credential, and shows the phase that follows.
pub(super) fn set_credential(dev: &Device, rt: &Handle, c: Credential) {
    rt.credential.set(c);
    show_phase(dev, rt);
}

/// Shows the phase the domain decides from what the device knows
/// ([`crate::domain::device_phase::phase`]): the one place that sets it.
pub(super) fn show_phase(dev: &Device, rt: &Handle) {
    let (rules, server_tried) = {
        let inner = rt.inner.borrow();
        (inner.sync.is_some(), inner.server_tried)
    };
    let p = phase(&Facts {
        role: rt.role,
        storage: true,
        credential: rt.credential.get(),
        rules,
        server_tried,
    });
    if dev.phase.get_untracked() != p {
        dev.phase.set(p);
    }
}

pub type Handle = Rc<Runtime>;

pub(super) fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub(super) fn failed(e: String) -> Text {
    Text::new(
        format!("Penyimpanan perangkat gagal; tindakan tidak dicatat. ({e})"),
        format!("The device's storage failed; the action was not recorded. ({e})"),
    )
}

/// A write to the device's storage failed: logged, and told to the user once (until
/// dismissed), since what it held is lost at the next start without it.
pub(super) fn storage_failed(dev: &Device, what: &str, e: &str) {
    leptos::logging::error!("storing {what} failed: {e}");
    let notice = Text::new(
        format!("Penyimpanan perangkat gagal ({what}); data ini bisa hilang saat halaman dimuat ulang. Beri tahu admin. ({e})"),
        format!("The device's storage failed ({what}); this data may be lost when the page reloads. Tell the admin. ({e})"),
    );
    dev.notices.update(|n| {
        if !n.contains(&notice) {
            n.push(notice);
        }
    });
}

/// Stores settings, reporting a failure ([`storage_failed`]); `true` when stored.
pub(super) async fn keep_settings(
    dev: &Device,
    db: &Rexie,
    entries: &[(&str, wasm_bindgen::JsValue)],
) -> bool {
    match store::put_settings(db, entries).await {
        Ok(()) => true,
        Err(e) => {
            let names: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
            storage_failed(dev, &names.join(", "), &e);
            false
        }
    }
}

fn set_aside_notice(n: u32) -> Text {
    Text::new(
        format!("{n} catatan tindakan di perangkat ini tidak terbaca. Catatan itu disimpan terpisah (tidak dihapus) dan tidak dikirim; beri tahu admin."),
        format!("{n} recorded actions on this device could not be read. They are kept apart (not deleted) and not sent; tell the admin."),
    )
}

pub(super) async fn install_rules(dev: &Device, rt: &Handle, c: Catalogue) {
    let rules = Rules::new(c);
    let needs_restore = rt.inner.borrow().sync.is_none();
    if needs_restore {
        let Some(client) = rt.inner.borrow().meta.as_ref().map(|m| m.client_id) else {
            return;
        };
        let outbox = match store::outbox(&rt.db, client, now_ms()).await {
            Ok((outbox, 0)) => outbox,
            Ok((outbox, set_aside)) => {
                leptos::logging::error!(
                    "{set_aside} outbox entries are not this device's mutations; kept in the set_aside store"
                );
                dev.notices.update(|n| n.push(set_aside_notice(set_aside)));
                outbox
            }
            // Without its journal the device would print numbers it already printed.
            Err(e) => {
                leptos::logging::error!("the outbox could not be read: {e}");
                dev.notices.update(|n| n.push(failed(e)));
                return;
            }
        };
        let confirmed = store::confirmed(&rt.db)
            .await
            .ok()
            .flatten()
            .map(Replica::from_snapshot)
            .unwrap_or_default();
        let mut guard = rt.inner.borrow_mut();
        let inner = &mut *guard;
        let Some(meta) = inner.meta.take() else {
            return;
        };
        let pool = inner.pool.take().unwrap_or_default();
        let sync = SyncClient::restore(meta, pool, outbox, confirmed, rules.clone());
        let last = sync.last_issued_in_outbox();
        inner.sync = Some(sync);
        drop(guard);
        if let Some(n) = last {
            dev.last_issued.set(Some(n.to_string()));
        }
    }
    dev.rules.set(Some(rules));
    show_phase(dev, rt);
    publish(dev, rt);
}

/// Fetches the catalogue and registers the device; silent when offline.
pub(super) async fn connect(dev: &Device, rt: &Handle) {
    let fetched = net::catalogue().await;
    rt.inner.borrow_mut().server_tried = true;
    if let Ok(c) = fetched {
        keep_settings(dev, &rt.db, &[("catalogue", store::value(&c))]).await;
        if rt.inner.borrow().sync.is_none() {
            install_rules(dev, rt, c).await;
        } else {
            let rules = Rules::new(c);
            if let Some(s) = rt.inner.borrow_mut().sync.as_mut() {
                s.set_rules(rules.clone());
            }
            dev.rules.set(Some(rules));
        }
    }
    register(dev, rt).await;
    show_phase(dev, rt);
}

pub(super) async fn register(dev: &Device, rt: &Handle) -> bool {
    let client_id = match client_id(rt) {
        Some(c) => c,
        None => return false,
    };
    let loket = rt.inner.borrow().loket;
    // A counter registers once its officer has chosen the loket.
    if rt.role == DeviceRole::Counter && loket.is_none() {
        return false;
    }
    match net::register(&RegisterDevice {
        client_id,
        role: rt.role,
        loket,
    })
    .await
    {
        Ok(r) => {
            // Without the rules yet there is no sync client to keep it: the next
            // registration (the next connection) brings the digit again.
            let pool = r.series.and_then(|digit| {
                let mut inner = rt.inner.borrow_mut();
                let s = inner.sync.as_mut()?;
                s.handle_series(digit);
                Some(s.pool().clone())
            });
            if let Some(pool) = pool {
                keep_settings(dev, &rt.db, &[("pool", store::value(&pool))]).await;
            }
            if rt.role == DeviceRole::Kiosk
                && dev.citizen_origin.get_untracked() != r.citizen_origin
            {
                keep_settings(
                    dev,
                    &rt.db,
                    &[("citizen_origin", store::value(&r.citizen_origin))],
                )
                .await;
                dev.citizen_origin.set(r.citizen_origin);
            }
            true
        }
        Err(NetError::Refused { status: 409, .. }) if rt.role == DeviceRole::Counter => {
            dev.notices
                .update(|n| n.push(crate::domain::refusal::Refusal::TabletInUse.text()));
            false
        }
        Err(_) => false,
    }
}

pub(super) fn client_id(rt: &Handle) -> Option<ClientId> {
    let inner = rt.inner.borrow();
    inner
        .sync
        .as_ref()
        .map(|s| s.client_id())
        .or(inner.meta.as_ref().map(|m| m.client_id))
}

/// Copies the state machine's visible state into the page's signals.
pub(super) fn publish(dev: &Device, rt: &Handle) {
    let mut guard = rt.inner.borrow_mut();
    let inner = &mut *guard;
    let Some(sync) = inner.sync.as_mut() else {
        return;
    };
    let mut notes = Vec::new();
    while let Some(UiEvent::Rejected { number, message }) = sync.poll_ui_event() {
        let prefix = number.map(|n| format!("{n}: ")).unwrap_or_default();
        // The reason usually names the ticket already; avoid saying it twice.
        notes.push(match number {
            Some(n) if message.id.contains(&n.to_string()) => message,
            _ => Text::new(
                format!("{prefix}{}", message.id),
                format!("{prefix}{}", message.en),
            ),
        });
    }
    // Copy the view (and wake every screen) only when it changed: the loop publishes on
    // every wake, and a counter's replica holds the whole day.
    let version = sync.view_version();
    let view = (inner.published != Some(version)).then(|| sync.view().clone());
    let status = sync.status();
    inner.published = Some(version);
    drop(guard);
    if let Some(view) = view {
        dev.replica.set(view);
    }
    if dev.status.get_untracked() != status {
        dev.status.set(status);
    }
    if !notes.is_empty() {
        dev.notices.update(|n| n.extend(notes));
    }
}
