//! Pairing requests waiting for an admin: kept in memory only (a device whose request
//! was lost to a restart simply asks again), bounded in number and age.

use std::collections::HashMap;
use std::sync::Mutex;

use app::domain::accounts::ClaimAnswer;
use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;

use super::secrets;

/// How long a code stays valid.
pub const PAIRING_TTL_MS: i64 = 10 * 60_000;
const MAX_PENDING: usize = 200;
/// Requests one address may have waiting: a flood from one address cannot fill the table
/// and keep the office's real displays from getting a code.
pub const MAX_PENDING_PER_ADDRESS: usize = 8;

#[derive(Debug, Clone)]
pub struct Pending {
    pub client: ClientId,
    pub role: DeviceRole,
    pub code: String,
    pub expires_ms: i64,
    /// Where the request came from.
    pub ip: std::net::IpAddr,
    /// Set when an admin confirmed: the token and series the device collects once.
    pub granted: Option<(String, Option<u8>)>,
}

#[derive(Default)]
pub struct Pairings {
    /// By the digest of the device's pairing id.
    pending: Mutex<HashMap<String, Pending>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PairingError {
    TooMany,
}

impl Pairings {
    /// Opens a request; returns the pairing id (the device's secret) and the code.
    /// A device's new request replaces its own earlier one from the same address; a
    /// request made from another address (client ids are not secret) cancels nothing.
    pub fn open(
        &self,
        client: ClientId,
        role: DeviceRole,
        ip: std::net::IpAddr,
        now_ms: i64,
    ) -> Result<(String, Pending), PairingError> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.retain(|_, v| v.expires_ms > now_ms && !(v.client == client && v.ip == ip));
        let mine = p.values().filter(|v| v.ip == ip).count();
        if p.len() >= MAX_PENDING || mine >= MAX_PENDING_PER_ADDRESS {
            return Err(PairingError::TooMany);
        }
        let code = loop {
            let c = secrets::pairing_code();
            if !p.values().any(|v| v.code == c) {
                break c;
            }
        };
        let id = secrets::token();
        let entry = Pending {
            client,
            role,
            code,
            expires_ms: now_ms + PAIRING_TTL_MS,
            ip,
            granted: None,
        };
        p.insert(secrets::digest(&id), entry.clone());
        Ok((id, entry))
    }

    /// The request an admin typed the code of, if it is still open.
    pub fn by_code(&self, code: &str, now_ms: i64) -> Option<Pending> {
        let p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.values()
            .find(|v| v.code == code && v.expires_ms > now_ms && v.granted.is_none())
            .cloned()
    }

    /// Records the admin's confirmation.
    pub fn grant(&self, code: &str, token: String, series: Option<u8>) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = p.values_mut().find(|v| v.code == code) {
            v.granted = Some((token, series));
        }
    }

    /// The device's poll: pending while waiting, the grant once (then the request is
    /// gone), `None` for an unknown or expired pairing id.
    pub fn claim(&self, pairing_id: &str, now_ms: i64) -> Option<ClaimAnswer> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let key = secrets::digest(pairing_id);
        match p.get(&key) {
            None => None,
            Some(v) if v.granted.is_some() => p
                .remove(&key)
                .and_then(|v| v.granted)
                .map(|(token, series)| ClaimAnswer::Paired { token, series }),
            Some(v) if v.expires_ms <= now_ms => {
                p.remove(&key);
                None
            }
            Some(_) => Some(ClaimAnswer::Pending),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientId {
        ClientId::from_random_bytes([n; 16])
    }

    fn ip(n: u8) -> std::net::IpAddr {
        std::net::IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn one_address_cannot_fill_the_table_or_cancel_another_devices_request() {
        let p = Pairings::default();
        let (real, _) = p.open(client(1), DeviceRole::Display, ip(1), 0).unwrap();
        for n in 0..MAX_PENDING_PER_ADDRESS {
            p.open(client(100 + n as u8), DeviceRole::Display, ip(9), 0)
                .unwrap();
        }
        assert_eq!(
            p.open(client(99), DeviceRole::Display, ip(9), 0)
                .unwrap_err(),
            PairingError::TooMany
        );
        // The attacker knows the display's client id, but asking in its name from its own
        // address leaves the display's request alone (and is over its limit anyway).
        let _ = p.open(client(1), DeviceRole::Display, ip(9), 0);
        assert_eq!(p.claim(&real, 1), Some(ClaimAnswer::Pending));
        // Another real device still gets a code.
        assert!(p.open(client(2), DeviceRole::Kiosk, ip(2), 0).is_ok());
    }

    #[test]
    fn a_grant_is_collected_once() {
        let p = Pairings::default();
        let (id, pending) = p.open(client(1), DeviceRole::Kiosk, ip(1), 0).unwrap();
        assert_eq!(p.claim(&id, 1), Some(ClaimAnswer::Pending));
        assert!(p.by_code(&pending.code, 1).is_some());
        p.grant(&pending.code, "tok".into(), Some(1));
        assert!(
            p.by_code(&pending.code, 1).is_none(),
            "a code is confirmed once"
        );
        assert_eq!(
            p.claim(&id, 2),
            Some(ClaimAnswer::Paired {
                token: "tok".into(),
                series: Some(1)
            })
        );
        assert_eq!(p.claim(&id, 3), None);
        assert_eq!(p.claim("not-an-id", 3), None);
    }

    #[test]
    fn codes_expire_and_a_new_request_replaces_the_old() {
        let p = Pairings::default();
        let (id, pending) = p.open(client(1), DeviceRole::Display, ip(1), 0).unwrap();
        assert!(p.by_code(&pending.code, PAIRING_TTL_MS).is_none());
        assert_eq!(p.claim(&id, PAIRING_TTL_MS), None);
        let (a, _) = p.open(client(2), DeviceRole::Kiosk, ip(2), 0).unwrap();
        let (b, _) = p.open(client(2), DeviceRole::Kiosk, ip(2), 1).unwrap();
        assert_eq!(p.claim(&a, 2), None);
        assert_eq!(p.claim(&b, 2), Some(ClaimAnswer::Pending));
    }
}
