//! Where a device is in its start-up, decided by one rule from what it knows, instead of
//! each step of the adapters (opening the store, pairing, signing in, the first answer of
//! the server) setting the phase its own way.

use super::mutation::DeviceRole;

/// What the screen shows while the device starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Server render, or the browser before IndexedDB answered.
    Starting,
    /// Nothing cached and the server cannot be reached: the device was never set up (or
    /// its browser has no storage).
    NeverConnected,
    /// A kiosk or display waiting for an admin to confirm its pairing code.
    Pairing,
    /// A counter waiting for an officer to sign in.
    SignIn,
    Ready,
}

/// What the device knows of its credential (a kiosk's or display's pairing token, the
/// officer's session on a counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Not read yet, or being checked with the server after a refusal.
    Unknown,
    /// None: the device pairs (kiosk, display) or asks an officer to sign in (counter).
    Missing,
    /// One the server may accept: the device talks to the server.
    Held,
}

/// What the phase is decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub role: DeviceRole,
    /// The browser's storage (IndexedDB) opened.
    pub storage: bool,
    pub credential: Credential,
    /// The device has the service's rules (from the server, or cached from an earlier
    /// visit): it can work, online or not.
    pub rules: bool,
    /// The device has asked the server for the rules at least once since it started.
    pub server_tried: bool,
}

/// The phase: a device without credential pairs or signs in first; one that has the rules
/// works (offline too); one that asked the server and still has no rules was never set up.
pub fn phase(f: &Facts) -> Phase {
    if !f.storage {
        return Phase::NeverConnected;
    }
    match f.credential {
        Credential::Missing if f.role == DeviceRole::Counter => Phase::SignIn,
        Credential::Missing => Phase::Pairing,
        Credential::Unknown | Credential::Held if f.rules => Phase::Ready,
        Credential::Unknown | Credential::Held if f.server_tried => Phase::NeverConnected,
        Credential::Unknown | Credential::Held => Phase::Starting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(role: DeviceRole) -> Facts {
        Facts {
            role,
            storage: true,
            credential: Credential::Unknown,
            rules: false,
            server_tried: false,
        }
    }

    #[test]
    fn a_device_starts_then_works_from_its_cached_rules_before_the_server_answers() {
        let f = facts(DeviceRole::Kiosk);
        assert_eq!(phase(&f), Phase::Starting);
        assert_eq!(phase(&Facts { rules: true, ..f }), Phase::Ready);
        // Offline with a credential and cached rules: it works.
        let offline = Facts {
            rules: true,
            credential: Credential::Held,
            server_tried: true,
            ..f
        };
        assert_eq!(phase(&offline), Phase::Ready);
    }

    #[test]
    fn without_a_credential_a_kiosk_or_display_pairs_and_a_counter_asks_to_sign_in() {
        for (role, wanted) in [
            (DeviceRole::Kiosk, Phase::Pairing),
            (DeviceRole::Display, Phase::Pairing),
            (DeviceRole::Counter, Phase::SignIn),
        ] {
            // Cached rules do not let a device without credential work.
            let f = Facts {
                credential: Credential::Missing,
                rules: true,
                ..facts(role)
            };
            assert_eq!(phase(&f), wanted, "{role:?}");
        }
    }

    #[test]
    fn a_device_that_asked_the_server_and_has_no_rules_was_never_set_up() {
        let f = Facts {
            credential: Credential::Held,
            server_tried: true,
            ..facts(DeviceRole::Display)
        };
        assert_eq!(phase(&f), Phase::NeverConnected);
        // Nor does a browser without storage, whatever else it has.
        let f = Facts {
            storage: false,
            rules: true,
            ..f
        };
        assert_eq!(phase(&f), Phase::NeverConnected);
    }
}
