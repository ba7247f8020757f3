//! The device's credential: a kiosk or display pairs once with a code an admin confirms
//! and keeps its token in IndexedDB; a counter works as the officer signed in on it (the
//! browser keeps the session cookie; the CSRF token is kept next to the officer's name so
//! the counter also works after a reload while the server is away).

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::device_state::{
    client_id, connect, keep_settings, publish, register, set_credential, Handle,
};
use super::net::{self, NetError};
use super::{store, Device};
use crate::domain::accounts::{ClaimAnswer, Login, PairingStart, SessionInfo};
use crate::domain::device_phase::Credential;
use crate::domain::i18n::Text;
use crate::domain::mutation::DeviceRole;

/// Loads the stored credential. `true` when the device may talk to the server now; else
/// pairing or sign-in has been started and will connect when done.
pub async fn restore(dev: &Device, rt: &Handle) -> bool {
    match rt.role {
        DeviceRole::Counter => {
            let cached: Option<SessionInfo> =
                store::get_setting(&rt.db, "session").await.ok().flatten();
            match net::me().await {
                Ok(info) => {
                    accept_session(dev, rt, info).await;
                    true
                }
                Err(NetError::Unreachable) => {
                    // Offline: the officer signed in earlier keeps working; the outbox
                    // goes out when the server is back.
                    if let Some(info) = cached {
                        net::set_csrf(Some(info.csrf.clone()));
                        dev.assigned.set(info.lokets);
                        dev.officer.set(Some(info.username));
                        set_credential(dev, rt, Credential::Held);
                    }
                    true
                }
                Err(NetError::Refused { .. }) => {
                    ask_sign_in(dev, rt);
                    false
                }
            }
        }
        _ => {
            let token: Option<String> = store::get_setting(&rt.db, "token").await.ok().flatten();
            match token {
                Some(t) => {
                    net::set_bearer(Some(t));
                    set_credential(dev, rt, Credential::Held);
                    true
                }
                None => {
                    start_pairing(dev, rt);
                    false
                }
            }
        }
    }
}

/// The server refused the credential (revoked device, expired session): pair or sign in
/// again. Pending actions stay in the outbox.
pub async fn recover(dev: &Device, rt: &Handle) {
    set_credential(dev, rt, Credential::Unknown);
    match rt.role {
        DeviceRole::Counter => match net::me().await {
            // Only the CSRF token was stale (e.g. a sign-in from another tab).
            Ok(info) => accept_session(dev, rt, info).await,
            Err(NetError::Refused { .. }) => ask_sign_in(dev, rt),
            Err(NetError::Unreachable) => set_credential(dev, rt, Credential::Held),
        },
        _ => {
            if register(dev, rt).await {
                set_credential(dev, rt, Credential::Held);
                return;
            }
            keep_settings(dev, &rt.db, &[("token", store::value(&None::<String>))]).await;
            net::set_bearer(None);
            dev.notices
                .update(|n| n.push(crate::domain::refusal::Refusal::DeviceNotPaired.text()));
            start_pairing(dev, rt);
        }
    }
}

async fn accept_session(dev: &Device, rt: &Handle, info: SessionInfo) {
    net::set_csrf(Some(info.csrf.clone()));
    keep_settings(dev, &rt.db, &[("session", store::value(&info))]).await;
    dev.assigned.set(info.lokets);
    dev.officer.set(Some(info.username));
    set_credential(dev, rt, Credential::Held);
    let _ = rt.wake.unbounded_send(());
}

fn ask_sign_in(dev: &Device, rt: &Handle) {
    dev.officer.set(None);
    set_credential(dev, rt, Credential::Missing);
}

/// The counter's sign-in form.
pub async fn sign_in(
    dev: Device,
    rt: Handle,
    username: String,
    password: String,
) -> Result<(), Text> {
    match net::login(&Login { username, password }).await {
        // The session stays: /admin in this browser asks for the new password at once.
        Ok(info) if info.must_change_password => Err(crate::text::CHANGE_PASSWORD_IN_ADMIN.into()),
        Ok(info) => {
            accept_session(&dev, &rt, info).await;
            connect(&dev, &rt).await;
            publish(&dev, &rt);
            Ok(())
        }
        Err(NetError::Refused { code, .. }) => Err(code.text()),
        Err(NetError::Unreachable) => Err(crate::text::UNREACHABLE.into()),
    }
}

pub async fn sign_out(dev: Device, rt: Handle) {
    let _ = net::logout().await;
    net::set_csrf(None);
    keep_settings(
        &dev,
        &rt.db,
        &[("session", store::value(&None::<SessionInfo>))],
    )
    .await;
    ask_sign_in(&dev, &rt);
}

/// Asks for a pairing code, shows it, and polls until an admin confirms it; then keeps
/// the token and connects. A code that expired is replaced by a new one.
fn start_pairing(dev: &Device, rt: &Handle) {
    let dev = *dev;
    let rt = rt.clone();
    set_credential(&dev, &rt, Credential::Missing);
    leptos::task::spawn_local(async move {
        let Some(client_id) = client_id(&rt) else {
            return;
        };
        loop {
            dev.pairing_code.set(None);
            let offer = match net::pairing_start(&PairingStart {
                client_id,
                role: rt.role,
            })
            .await
            {
                Ok(o) => o,
                Err(_) => {
                    TimeoutFuture::new(3_000).await;
                    continue;
                }
            };
            dev.pairing_code.set(Some(offer.code.clone()));
            loop {
                TimeoutFuture::new(2_000).await;
                match net::pairing_claim(&offer.pairing_id).await {
                    Ok(ClaimAnswer::Pending) | Err(NetError::Unreachable) => continue,
                    // The series arrives again with the registration `connect` does.
                    Ok(ClaimAnswer::Paired { token, .. }) => {
                        keep_settings(
                            &dev,
                            &rt.db,
                            &[("token", store::value(&Some(token.clone())))],
                        )
                        .await;
                        net::set_bearer(Some(token));
                        dev.pairing_code.set(None);
                        set_credential(&dev, &rt, Credential::Held);
                        connect(&dev, &rt).await;
                        publish(&dev, &rt);
                        let _ = rt.wake.unbounded_send(());
                        return;
                    }
                    // Expired: ask for a new code.
                    Err(NetError::Refused { .. }) => break,
                }
            }
        }
    });
}
