//! Pairing requests waiting for an admin, kept in the store: a device may ask through one
//! instance, the admin confirm through another and the device collect through a third.
//! Bounded in number (per address too) and age; a request lost to its expiry is simply
//! asked again. No secret is stored: a request is keyed by the digest of the device's
//! pairing id, and the device's token is made when it collects it (the store keeps its
//! digest only).

use app::domain::accounts::ClaimAnswer;
use app::domain::ids::ClientId;
use app::domain::mutation::DeviceRole;

use super::secrets;
use crate::store::pairings::{Claimed, Opened};
use crate::store::{Store, StoreError};

/// How long a code stays valid.
pub const PAIRING_TTL_MS: i64 = 10 * 60_000;
const MAX_PENDING: usize = 200;
/// Requests one address may have waiting: a flood from one address cannot fill the table
/// and keep the office's real displays from getting a code.
pub const MAX_PENDING_PER_ADDRESS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client: ClientId,
    pub role: DeviceRole,
    pub code: String,
    pub expires_ms: i64,
    /// Where the request came from.
    pub ip: std::net::IpAddr,
}

pub struct Pairings {
    store: Store,
}

#[derive(Debug)]
pub enum PairingError {
    TooMany,
    Store(StoreError),
}

impl From<StoreError> for PairingError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl Pairings {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Opens a request; returns the pairing id (the device's secret) and the code.
    /// A device's new request replaces its own earlier one from the same address; a
    /// request made from another address (client ids are not secret) cancels nothing.
    pub async fn open(
        &self,
        client: ClientId,
        role: DeviceRole,
        ip: std::net::IpAddr,
        now_ms: i64,
    ) -> Result<(String, Pending), PairingError> {
        // A code already waiting (one in a hundred thousand at most) is drawn again.
        for _ in 0..8 {
            let id = secrets::token();
            let entry = Pending {
                client,
                role,
                code: secrets::pairing_code(),
                expires_ms: now_ms + PAIRING_TTL_MS,
                ip,
            };
            let opened = self
                .store
                .pairing_open(
                    &secrets::digest(&id),
                    &entry,
                    now_ms,
                    MAX_PENDING,
                    MAX_PENDING_PER_ADDRESS,
                )
                .await?;
            match opened {
                Opened::Yes => return Ok((id, entry)),
                Opened::TooMany => return Err(PairingError::TooMany),
                Opened::CodeTaken => continue,
            }
        }
        Err(PairingError::TooMany)
    }

    /// The request an admin typed the code of, if it is still open.
    pub async fn by_code(&self, code: &str, now_ms: i64) -> Result<Option<Pending>, StoreError> {
        self.store.pairing_by_code(code, now_ms).await
    }

    /// Records the admin's confirmation (the device record was paired already).
    pub async fn grant(&self, code: &str, series: Option<u8>) -> Result<(), StoreError> {
        self.store.pairing_grant(code, series).await
    }

    /// The device's poll: pending while waiting, its token once (made now; then the
    /// request is gone), `None` for an unknown or expired pairing id.
    pub async fn claim(
        &self,
        pairing_id: &str,
        now_ms: i64,
    ) -> Result<Option<ClaimAnswer>, StoreError> {
        let token = secrets::token();
        let claimed = self
            .store
            .pairing_claim(
                &secrets::digest(pairing_id),
                now_ms,
                &secrets::digest(&token),
            )
            .await?;
        Ok(match claimed {
            Claimed::Unknown => None,
            Claimed::Pending => Some(ClaimAnswer::Pending),
            Claimed::Paired { series, .. } => Some(ClaimAnswer::Paired { token, series }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    async fn pairings() -> Pairings {
        Pairings::new(Store::open(&Config::for_tests()).await.expect("store"))
    }

    fn client(n: u8) -> ClientId {
        ClientId::from_random_bytes([n; 16])
    }

    fn ip(n: u8) -> std::net::IpAddr {
        std::net::IpAddr::from([10, 0, 0, n])
    }

    #[tokio::test]
    async fn one_address_cannot_fill_the_table_or_cancel_another_devices_request() {
        let p = pairings().await;
        let open = |c: u8, role, i: u8| p.open(client(c), role, ip(i), 0);
        let (real, _) = open(1, DeviceRole::Display, 1).await.unwrap();
        for n in 0..MAX_PENDING_PER_ADDRESS {
            open(100 + n as u8, DeviceRole::Display, 9).await.unwrap();
        }
        let over = open(99, DeviceRole::Display, 9).await;
        assert!(matches!(over, Err(PairingError::TooMany)), "{over:?}");
        // The attacker knows the display's client id, but asking in its name from its own
        // address leaves the display's request alone (and is over its limit anyway).
        let _ = open(1, DeviceRole::Display, 9).await;
        assert_eq!(p.claim(&real, 1).await.unwrap(), Some(ClaimAnswer::Pending));
        // Another real device still gets a code.
        assert!(open(2, DeviceRole::Kiosk, 2).await.is_ok());
    }

    #[tokio::test]
    async fn a_grant_is_collected_once_with_a_token_only_the_device_learns() {
        let p = pairings().await;
        let store = p.store.clone();
        let (id, pending) = p
            .open(client(1), DeviceRole::Kiosk, ip(1), 0)
            .await
            .unwrap();
        assert_eq!(p.claim(&id, 1).await.unwrap(), Some(ClaimAnswer::Pending));
        assert!(p.by_code(&pending.code, 1).await.unwrap().is_some());
        // The admin's confirmation pairs the device record (with a token nobody holds).
        let record = crate::store::DeviceRecord {
            client: client(1),
            role: DeviceRole::Kiosk,
            last_mutation: 0,
            series: Some(1),
            loket: None,
            session: None,
        };
        store
            .pair_device(&record, &secrets::digest(&secrets::token()), "k", 0)
            .await
            .unwrap();
        p.grant(&pending.code, Some(1)).await.unwrap();
        assert!(
            p.by_code(&pending.code, 1).await.unwrap().is_none(),
            "a code is confirmed once"
        );
        let Some(ClaimAnswer::Paired { token, series }) = p.claim(&id, 2).await.unwrap() else {
            panic!("not paired");
        };
        assert_eq!(series, Some(1));
        let held = store
            .device_by_token(&secrets::digest(&token))
            .await
            .unwrap();
        assert_eq!(
            held.map(|d| d.client),
            Some(client(1)),
            "the token is the device's"
        );
        assert_eq!(p.claim(&id, 3).await.unwrap(), None);
        assert_eq!(p.claim("not-an-id", 3).await.unwrap(), None);
    }

    #[tokio::test]
    async fn codes_expire_and_a_new_request_replaces_the_old() {
        let p = pairings().await;
        let (id, pending) = p
            .open(client(1), DeviceRole::Display, ip(1), 0)
            .await
            .unwrap();
        assert!(p
            .by_code(&pending.code, PAIRING_TTL_MS)
            .await
            .unwrap()
            .is_none());
        assert_eq!(p.claim(&id, PAIRING_TTL_MS).await.unwrap(), None);
        let (a, _) = p
            .open(client(2), DeviceRole::Kiosk, ip(2), 0)
            .await
            .unwrap();
        let (b, _) = p
            .open(client(2), DeviceRole::Kiosk, ip(2), 1)
            .await
            .unwrap();
        assert_eq!(p.claim(&a, 2).await.unwrap(), None);
        assert_eq!(p.claim(&b, 2).await.unwrap(), Some(ClaimAnswer::Pending));
    }

    #[tokio::test]
    async fn a_pairing_asked_through_one_instance_is_confirmed_and_collected_through_others() {
        let one = pairings().await;
        let two = Pairings::new(one.store.own_session());
        let (id, pending) = one
            .open(client(7), DeviceRole::Display, ip(7), 0)
            .await
            .unwrap();
        let seen = two.by_code(&pending.code, 1).await.unwrap();
        assert_eq!(seen, Some(pending.clone()));
        two.grant(&pending.code, None).await.unwrap();
        assert!(matches!(
            one.claim(&id, 2).await.unwrap(),
            Some(ClaimAnswer::Paired { series: None, .. })
        ));
        assert_eq!(two.claim(&id, 3).await.unwrap(), None, "collected once");
    }
}
