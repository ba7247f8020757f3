//! Standard Web Push on ring: the message encrypted for the browser's subscription as
//! RFC 8291 requires (ECDH P-256, HKDF-SHA-256, `aes128gcm` content coding of RFC 8188),
//! and the server identified to the push service with a VAPID token (RFC 8292, ES256).
//!
//! Why ring and not a Web Push crate: ring is the cryptography the server already builds
//! (rustls, for HTTPS), kept by the same people; `web-push` needs OpenSSL, and the pure
//! Rust ones pull RustCrypto's ECDH, whose features would change crates SurrealDB's core
//! is built with and compile it a second time. What is written here is the protocol only,
//! checked against RFC 8291's worked example in the tests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use ring::{aead, agreement, hkdf};

/// One record holds the whole message (push services take at most 4,096 bytes).
const RECORD_SIZE: u32 = 4096;
/// The longest message we send: a record less the header, tag and padding delimiter.
pub const MAX_MESSAGE: usize = 3_000;

#[derive(Debug, thiserror::Error)]
pub enum PushCryptoError {
    #[error("the subscription's key is not a P-256 public key")]
    BadKey,
    #[error("the message is longer than {MAX_MESSAGE} bytes")]
    TooLong,
    #[error("no random numbers: {0}")]
    Random(String),
}

/// A browser's subscription keys: its public key (`p256dh`, 65 bytes uncompressed) and
/// its authentication secret (`auth`, 16 bytes), as `PushSubscription.toJSON()` gives
/// them (base64url).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionKeys {
    pub p256dh: [u8; 65],
    pub auth: [u8; 16],
}

impl SubscriptionKeys {
    /// Parses and checks the keys: the right lengths, and a point on the curve (an
    /// agreement with it succeeds), so a bad subscription is refused when it is made,
    /// not found out at the first notification.
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, PushCryptoError> {
        let p = B64
            .decode(p256dh.trim_end_matches('='))
            .map_err(|_| PushCryptoError::BadKey)?;
        let a = B64
            .decode(auth.trim_end_matches('='))
            .map_err(|_| PushCryptoError::BadKey)?;
        let keys = Self {
            p256dh: p.try_into().map_err(|_| PushCryptoError::BadKey)?,
            auth: a.try_into().map_err(|_| PushCryptoError::BadKey)?,
        };
        let rng = SystemRandom::new();
        let probe = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
            .map_err(|e| PushCryptoError::Random(e.to_string()))?;
        agreement::agree_ephemeral(
            probe,
            &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &keys.p256dh),
            |_| (),
        )
        .map_err(|_| PushCryptoError::BadKey)?;
        Ok(keys)
    }

    pub fn p256dh_b64(&self) -> String {
        B64.encode(self.p256dh)
    }

    pub fn auth_b64(&self) -> String {
        B64.encode(self.auth)
    }
}

/// An HKDF output length for ring.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], secret: &[u8], info: &[&[u8]], out: &mut [u8]) {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(secret);
    // Lengths here are 12, 16 and 32 bytes, far under HKDF's limit.
    prk.expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .expect("HKDF output within 255 blocks");
}

/// The content-encryption key and nonce of RFC 8291 §3.3–3.4 and RFC 8188 §2.2–2.3, from
/// the ECDH secret and the two public keys. Shared by encryption and the tests' decryption.
pub fn derive(
    ecdh_secret: &[u8],
    auth: &[u8; 16],
    ua_public: &[u8; 65],
    as_public: &[u8],
    salt: &[u8; 16],
) -> ([u8; 16], [u8; 12]) {
    let mut ikm = [0u8; 32];
    hkdf(
        auth,
        ecdh_secret,
        &[b"WebPush: info\0", ua_public, as_public],
        &mut ikm,
    );
    let mut cek = [0u8; 16];
    hkdf(salt, &ikm, &[b"Content-Encoding: aes128gcm\0"], &mut cek);
    let mut nonce = [0u8; 12];
    hkdf(salt, &ikm, &[b"Content-Encoding: nonce\0"], &mut nonce);
    (cek, nonce)
}

/// The body of a push message carrying `plaintext` to the subscription `keys`: the
/// `aes128gcm` header (salt, record size, the server's one-time public key) and one
/// record. A fresh key pair and salt for every message.
pub fn encrypt(keys: &SubscriptionKeys, plaintext: &[u8]) -> Result<Vec<u8>, PushCryptoError> {
    if plaintext.len() > MAX_MESSAGE {
        return Err(PushCryptoError::TooLong);
    }
    let rng = SystemRandom::new();
    let random = |e: ring::error::Unspecified| PushCryptoError::Random(e.to_string());
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(random)?;
    let ours =
        agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).map_err(random)?;
    let as_public = ours.compute_public_key().map_err(random)?;
    let as_public = as_public.as_ref().to_vec();
    let (cek, nonce) = agreement::agree_ephemeral(
        ours,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &keys.p256dh),
        |secret| derive(secret, &keys.auth, &keys.p256dh, &as_public, &salt),
    )
    .map_err(|_| PushCryptoError::BadKey)?;
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).expect("a 16-byte AES key"),
    );
    // The last (and only) record ends with the delimiter 2 and no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2);
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::empty(),
        &mut record,
    )
    .map_err(|_| PushCryptoError::TooLong)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + as_public.len() + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// The server's VAPID identity: an ECDSA P-256 key pair, made once and kept in the store
/// (as PKCS#8), so subscriptions survive restarts.
pub struct Vapid {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl Vapid {
    /// A new key pair, as PKCS#8 to store.
    pub fn generate() -> Result<Vec<u8>, PushCryptoError> {
        let rng = SystemRandom::new();
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map(|d| d.as_ref().to_vec())
            .map_err(|e| PushCryptoError::Random(e.to_string()))
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, PushCryptoError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|_| PushCryptoError::BadKey)?;
        Ok(Self { pair, rng })
    }

    /// The public key as the browser's `applicationServerKey` takes it (base64url of the
    /// 65-byte uncompressed point).
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }

    /// The `Authorization` header for a message to `endpoint`: a token for the push
    /// service's origin, valid 12 hours, naming `contact` (a `mailto:` or `https:` URL).
    pub fn authorization(
        &self,
        endpoint: &reqwest::Url,
        contact: &str,
        now_s: i64,
    ) -> Result<String, PushCryptoError> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now_s + 12 * 3600,
            "sub": contact,
        });
        let claims = B64.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&self.rng, signed.as_bytes())
            .map_err(|e| PushCryptoError::Random(e.to_string()))?;
        Ok(format!(
            "vapid t={signed}.{}, k={}",
            B64.encode(signature.as_ref()),
            self.public_key()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8291 Appendix A: the keys and salt of the worked example give its key and
    /// nonce, and its record opens to its text.
    #[test]
    fn the_rfc_8291_example_derives_the_same_key_and_nonce() {
        let d = |s: &str| B64.decode(s).unwrap();
        let ua_public: [u8; 65] = d("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4").try_into().unwrap();
        let as_public = d("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
        let auth: [u8; 16] = d("BTBZMqHH6r4Tts7J_aSIgg").try_into().unwrap();
        let salt: [u8; 16] = d("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let ecdh = d("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
        let (cek, nonce) = derive(&ecdh, &auth, &ua_public, &as_public, &salt);
        assert_eq!(B64.encode(cek), "oIhVW04MRdy2XN9CiKLxTg");
        assert_eq!(B64.encode(nonce), "4h_95klXJ5E_qnoN");
        // The example's whole message: header, then the record.
        let body = d("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN");
        let record = body[16 + 4 + 1 + 65..].to_vec();
        let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).unwrap());
        let mut r = record;
        let plain = key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::empty(),
                &mut r,
            )
            .unwrap();
        assert_eq!(plain, b"When I grow up, I want to be a watermelon\x02");
    }

    #[test]
    fn keys_must_be_a_point_and_a_secret_of_the_right_length() {
        let ua_public = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert!(SubscriptionKeys::parse(ua_public, "BTBZMqHH6r4Tts7J_aSIgg").is_ok());
        // Padded base64url, as some browsers give it.
        assert!(SubscriptionKeys::parse(ua_public, "BTBZMqHH6r4Tts7J_aSIgg==").is_ok());
        assert!(SubscriptionKeys::parse(ua_public, "BTBZMqHH6r4Tts7J").is_err());
        // 65 bytes that are not a point on the curve.
        let off = B64.encode([4u8; 65]);
        assert!(SubscriptionKeys::parse(&off, "BTBZMqHH6r4Tts7J_aSIgg").is_err());
        assert!(SubscriptionKeys::parse("not base64!", "BTBZMqHH6r4Tts7J_aSIgg").is_err());
    }

    #[test]
    fn a_vapid_token_is_signed_for_the_push_services_origin() {
        let v = Vapid::from_pkcs8(&Vapid::generate().unwrap()).unwrap();
        let url = reqwest::Url::parse("https://push.example.net:8443/send/abc").unwrap();
        let h = v
            .authorization(&url, "mailto:office@example.id", 1_000)
            .unwrap();
        let (t, k) = h
            .strip_prefix("vapid t=")
            .and_then(|r| r.split_once(", k="))
            .unwrap();
        assert_eq!(k, v.public_key());
        let parts: Vec<&str> = t.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + 12 * 3600);
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            B64.decode(k).unwrap(),
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &B64.decode(parts[2]).unwrap(),
            )
            .expect("the signature verifies with the public key");
    }
}
