//! HTTPS on the office LAN. A browser installs a service worker only in a secure context,
//! and `http://192.168.1.10:3000` is not one: without HTTPS the kiosk's offline shell,
//! which the whole design stands on, does not exist on a tablet. Offices have no public
//! name for their server, so Antrean is its own certificate authority: at the first start
//! it creates a local authority (a key that never leaves the data directory), and at every
//! start it issues the server a certificate for its names and addresses. A tablet trusts
//! the authority once (its certificate is served at `/ca.crt`; the README shows the steps
//! on Android), and every later certificate, for new addresses too, is trusted with it.
//!
//! Citizens' phones never see it: the tracking links on printed tickets stay plain HTTP
//! (a phone that does not trust the office's authority would only see a warning), and the
//! citizen page needs no service worker.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;

/// The authority's name, as a tablet lists it among its trusted certificates.
const AUTHORITY_NAME: &str = "Antrean - otoritas sertifikat kantor";
const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";

/// The local authority: its certificate (what tablets install) and its signing key.
pub struct LocalAuthority {
    pub cert_pem: String,
    key: KeyPair,
}

/// The authority's certificate parameters. Always the same: the server certificate names
/// its issuer by this name and the key's identifier, so the authority need not be parsed
/// back from its file.
fn authority_params() -> anyhow::Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, AUTHORITY_NAME);
    dn.push(DnType::OrganizationName, "Antrean");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = rcgen::date_time_ymd(2026, 1, 1);
    p.not_after = rcgen::date_time_ymd(2046, 1, 1);
    Ok(p)
}

impl LocalAuthority {
    /// The authority kept in `dir`, created there (key readable by the owner only) when
    /// there is none yet.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Self> {
        let (cert_path, key_path) = (dir.join(CA_CERT), dir.join(CA_KEY));
        if cert_path.exists() && key_path.exists() {
            let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", key_path.display()))?;
            let cert_pem = std::fs::read_to_string(&cert_path)?;
            return Ok(Self { cert_pem, key });
        }
        std::fs::create_dir_all(dir)?;
        let key = KeyPair::generate()?;
        let cert_pem = authority_params()?.self_signed(&key)?.pem();
        write_private(&key_path, &key.serialize_pem())?;
        std::fs::write(&cert_path, &cert_pem)?;
        tracing::info!(dir = %dir.display(), "local certificate authority created");
        Ok(Self { cert_pem, key })
    }

    /// A certificate for the server under `names` (host names and IP addresses), valid for
    /// 397 days (browsers refuse longer-lived server certificates); issued anew at every
    /// start, so a changed address needs only a restart. Returns the chain's PEM (server
    /// first, then the authority) and the server key's PEM.
    pub fn issue(&self, names: &[String]) -> anyhow::Result<(String, String)> {
        let mut p = CertificateParams::new(names.to_vec())?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_else(|| "antrean".into()),
        );
        p.distinguished_name = dn;
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        p.use_authority_key_identifier_extension = true;
        // Dates at 00:00 UTC, from yesterday (a tablet's clock may lag).
        let utc_date = |t: jiff::Timestamp| {
            let d = t.to_zoned(jiff::tz::TimeZone::UTC).date();
            rcgen::date_time_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
        };
        let now = jiff::Timestamp::now();
        p.not_before = utc_date(now - jiff::SignedDuration::from_hours(24));
        p.not_after = utc_date(now + jiff::SignedDuration::from_hours(397 * 24));
        let key = KeyPair::generate()?;
        let issuer = Issuer::new(authority_params()?, &self.key);
        let cert = p.signed_by(&key, &issuer)?;
        Ok((
            format!("{}{}", cert.pem(), self.cert_pem),
            key.serialize_pem(),
        ))
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(text.as_bytes())
}

/// The names a certificate for this machine carries by default: `localhost`, the host
/// name, and every address of the machine's network interfaces (the tablets reach the
/// server by its LAN address).
pub fn default_names() -> Vec<String> {
    let mut names = vec!["localhost".to_string()];
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let h = h.trim();
        if !h.is_empty() && !names.iter().any(|n| n == h) {
            names.push(h.to_string());
        }
    }
    for ip in interface_addresses() {
        let ip = ip.to_string();
        if !names.contains(&ip) {
            names.push(ip);
        }
    }
    names
}

/// The IPv4 and IPv6 addresses of the machine's interfaces, loopback included.
fn interface_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    // SAFETY: getifaddrs fills a list that freeifaddrs releases; each entry is read while
    // the list is alive, and only entries whose address family says what they hold.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut list) != 0 {
            return out;
        }
        let mut cur = list;
        while !cur.is_null() {
            let addr = (*cur).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let a = &*(addr as *const libc::sockaddr_in);
                        out.push(IpAddr::from(u32::from_be(a.sin_addr.s_addr).to_be_bytes()));
                    }
                    libc::AF_INET6 => {
                        let a = &*(addr as *const libc::sockaddr_in6);
                        let ip = std::net::Ipv6Addr::from(a.sin6_addr.s6_addr);
                        // Link-local addresses need a zone a certificate cannot name.
                        if (ip.segments()[0] & 0xffc0) != 0xfe80 {
                            out.push(IpAddr::V6(ip));
                        }
                    }
                    _ => {}
                }
            }
            cur = (*cur).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    out
}

/// What the server needs to serve HTTPS: the acceptor, and the authority's certificate
/// for `/ca.crt`.
pub struct Prepared {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub authority_pem: String,
}

/// Loads (or creates) the authority in `dir` and issues the server's certificate for
/// `names`.
pub fn prepare(dir: &Path, names: &[String]) -> anyhow::Result<Prepared> {
    let authority = LocalAuthority::load_or_create(dir)?;
    let (chain_pem, key_pem) = authority.issue(names)?;
    let chain = rustls_pemfile_certs(&chain_pem)?;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("server key: {e}"))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    // HTTP/1.1 only, as on the plain port (connections.rs).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tracing::info!(names = ?names, "server certificate issued by the local authority");
    Ok(Prepared {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        authority_pem: authority.cert_pem,
    })
}

fn rustls_pemfile_certs(
    pem: &str,
) -> anyhow::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("certificate chain: {e}"))
}

/// `GET /ca.crt`: the authority's certificate, for a tablet to install (the same file
/// on the plain and the HTTPS port); 404 when the server serves no HTTPS.
pub fn serve_authority(pem: Option<&str>) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    match pem {
        Some(pem) => (
            [
                (header::CONTENT_TYPE, "application/x-x509-ca-cert"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"antrean-ca.crt\"",
                ),
            ],
            pem.to_owned(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "HTTPS is not enabled on this server (ANTREAN_TLS_ADDR).",
        )
            .into_response(),
    }
}

/// Where the authority lives when `ANTREAN_TLS_DIR` is unset: beside the data.
pub fn default_dir(data_dir: Option<&Path>) -> PathBuf {
    data_dir.unwrap_or(Path::new("./data")).join("tls")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authority_is_made_once_and_signs_every_later_certificate() {
        let dir = std::env::temp_dir().join(format!("antrean-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = LocalAuthority::load_or_create(&dir).unwrap();
        let again = LocalAuthority::load_or_create(&dir).unwrap();
        assert_eq!(first.cert_pem, again.cert_pem, "kept, not made again");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(CA_KEY))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's alone");
        }
        // A certificate issued after a restart verifies against the authority a tablet
        // installed before it.
        let (chain, _) = again
            .issue(&["localhost".into(), "192.168.1.10".into()])
            .unwrap();
        let certs = rustls_pemfile_certs(&chain).unwrap();
        assert_eq!(certs.len(), 2, "server certificate, then the authority");
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls_pemfile_certs(&first.cert_pem).unwrap().remove(0))
            .unwrap();
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        use rustls::client::danger::ServerCertVerifier;
        for name in ["192.168.1.10", "localhost"] {
            let server_name = rustls::pki_types::ServerName::try_from(name.to_string()).unwrap();
            verifier
                .verify_server_cert(
                    &certs[0],
                    &certs[1..],
                    &server_name,
                    &[],
                    rustls::pki_types::UnixTime::now(),
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let other = rustls::pki_types::ServerName::try_from("192.168.1.11".to_string()).unwrap();
        assert!(verifier
            .verify_server_cert(
                &certs[0],
                &certs[1..],
                &other,
                &[],
                rustls::pki_types::UnixTime::now()
            )
            .is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_default_names_carry_localhost_and_the_machines_addresses() {
        let names = default_names();
        assert_eq!(names[0], "localhost");
        assert!(names.iter().any(|n| n == "127.0.0.1"), "{names:?}");
    }
}
