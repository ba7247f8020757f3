//! Random tokens, their digests, and password hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// 256 random bits as 64 hex characters: session cookies, device tokens, pairing ids.
pub fn token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex(&b)
}

/// A six-digit pairing code, easy to read off a kiosk and type.
pub fn pairing_code() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

/// A temporary password an admin reads out or writes down: 12 letters and digits without
/// look-alikes (no 0/o, 1/l/i), about 59 bits; it must be changed at the next sign-in.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..12)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// What the database keeps instead of a token.
pub fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// An argon2id hash with a fresh salt, in the PHC string format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashing a password takes about 19 MiB and tens of milliseconds of a core: it runs on the
/// blocking pool, on all cores but one (one on a one-core machine), so a burst of sign-ins
/// never stalls the async workers that carry pushes, calls and pokes, never takes every
/// core, and waits in line rather than in memory.
fn hashing() -> &'static tokio::sync::Semaphore {
    static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

async fn off_the_workers<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = hashing().acquire().await.ok()?;
    tokio::task::spawn_blocking(f).await.ok()
}

/// [`hash_password`], off the async workers.
pub async fn hash_password_queued(password: String) -> Result<String, String> {
    off_the_workers(move || hash_password(&password))
        .await
        .unwrap_or_else(|| Err("the hashing task failed".into()))
}

/// [`verify_password`] against `hash`, or against a hash of nothing when there is no
/// account (the same time either way, so timing does not reveal user names); off the
/// async workers.
pub async fn verify_password_queued(password: String, hash: Option<String>) -> bool {
    off_the_workers(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random string, verified against when the user name is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&token()).unwrap_or_default())
}

/// Compares two secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, token());
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("kata-sandi-rahasia").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("kata-sandi-rahasia", &h));
        assert!(!verify_password("kata-sandi-rahasib", &h));
        assert!(!verify_password("kata-sandi-rahasia", "not a hash"));
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert_eq!(pairing_code().len(), 6);
    }
}
