//! Configuration from the environment (see the README's table).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Embedded SurrealDB on disk (surrealkv) in this directory: the default.
    Disk(PathBuf),
    /// Embedded, in memory: for tests.
    Memory,
    /// A SurrealDB server, e.g. `ws://db.local:8000`.
    Remote {
        url: String,
        user: Option<String>,
        pass: Option<String>,
    },
}

/// HTTPS for the office's tablets (see `tls.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Where HTTPS is served (the plain address keeps serving, for citizens' links).
    pub addr: SocketAddr,
    /// Where the local certificate authority is kept.
    pub dir: PathBuf,
    /// The names and addresses the server's certificate carries.
    pub names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// HTTPS beside the plain address, when `ANTREAN_TLS_ADDR` is set.
    pub tls: Option<TlsConfig>,
    pub storage: Storage,
    /// What the embedded store may keep in memory (ignored for memory and a server).
    pub disk_memory: DiskMemory,
    pub namespace: String,
    pub database: String,
    /// Where cargo-leptos put the compiled site (pkg/, assets).
    pub site_root: PathBuf,
    /// `Secure` on session cookies; off only where the office serves plain HTTP on its LAN.
    pub secure_cookies: bool,
    /// Days tickets, tracking links and audit rows are kept.
    pub retention_days: u32,
    /// The catalogue (TOML) loaded into an empty database; the built-in Badung seed when
    /// unset. Another office publishes its own services this way.
    pub catalogue: Option<PathBuf>,
    /// What a connection may cost.
    pub connections: crate::connections::Limits,
    /// Live streams (WebSockets) per device, session or tracking token, and per address.
    pub streams_per_token: usize,
    pub streams_per_address: usize,
    /// Reverse proxies in front of the server: their `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Web Push: the push services subscriptions may name, and the contact the server
    /// gives them (see [`crate::push`]).
    pub push: crate::push::PushConfig,
}

/// A whole number from the environment, or `default` when unset.
fn number(var: &dyn Fn(&str) -> Option<String>, key: &str, default: u64) -> anyhow::Result<u64> {
    match var(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{key} must be a whole number, not {v:?}")),
    }
}

/// `ANTREAN_DB_CACHE_MB` and `ANTREAN_DB_MEMTABLE_MB`. The memtable also bounds the largest
/// transaction (a day's close, a history import), hence its floor.
fn disk_memory(var: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<DiskMemory> {
    let d = DiskMemory::default();
    let cache = number(var, "ANTREAN_DB_CACHE_MB", d.block_cache_bytes >> 20)?;
    let memtable = number(var, "ANTREAN_DB_MEMTABLE_MB", d.memtable_bytes >> 20)?;
    if memtable < 8 {
        anyhow::bail!("ANTREAN_DB_MEMTABLE_MB must be at least 8, not {memtable}");
    }
    Ok(DiskMemory {
        block_cache_bytes: cache << 20,
        memtable_bytes: memtable << 20,
    })
}

/// `ANTREAN_TLS_ADDR` (HTTPS on), `ANTREAN_TLS_DIR` (the authority's directory; beside the
/// data by default) and `ANTREAN_TLS_NAMES` (comma-separated; the machine's names and
/// addresses by default).
fn tls(var: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Option<TlsConfig>> {
    let Some(addr) = var("ANTREAN_TLS_ADDR") else {
        return Ok(None);
    };
    let addr = addr
        .parse()
        .map_err(|e| anyhow::anyhow!("ANTREAN_TLS_ADDR is not host:port: {e}"))?;
    let dir = var("ANTREAN_TLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            crate::tls::default_dir(var("ANTREAN_DATA_DIR").as_deref().map(std::path::Path::new))
        });
    let names: Vec<String> = match var("ANTREAN_TLS_NAMES") {
        Some(list) => list
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        None => crate::tls::default_names(),
    };
    if names.is_empty() {
        anyhow::bail!("ANTREAN_TLS_NAMES names no host");
    }
    Ok(Some(TlsConfig { addr, dir, names }))
}

impl Config {
    /// Reads `ANTREAN_*` and the `LEPTOS_*` variables cargo-leptos sets.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let d = crate::connections::Limits::default();
        let connections = crate::connections::Limits {
            total: number(&var, "ANTREAN_MAX_CONNECTIONS", d.total as u64)? as usize,
            per_address: number(
                &var,
                "ANTREAN_MAX_CONNECTIONS_PER_ADDRESS",
                d.per_address as u64,
            )? as usize,
            header_timeout: std::time::Duration::from_millis(number(
                &var,
                "ANTREAN_HEADER_TIMEOUT_MS",
                d.header_timeout.as_millis() as u64,
            )?),
            idle_timeout: std::time::Duration::from_millis(number(
                &var,
                "ANTREAN_IDLE_TIMEOUT_MS",
                d.idle_timeout.as_millis() as u64,
            )?),
        };
        let addr = var("ANTREAN_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| anyhow::anyhow!("ANTREAN_ADDR is not host:port: {e}"))?;
        let tls = tls(&var)?;
        let storage = if let Some(url) = var("ANTREAN_DB_URL") {
            if url == "mem://" || url == "memory" {
                Storage::Memory
            } else {
                Storage::Remote {
                    url,
                    user: var("ANTREAN_DB_USER"),
                    pass: var("ANTREAN_DB_PASS"),
                }
            }
        } else {
            Storage::Disk(PathBuf::from(
                var("ANTREAN_DATA_DIR").unwrap_or_else(|| "./data".into()),
            ))
        };
        Ok(Self {
            addr,
            tls,
            storage,
            disk_memory: disk_memory(&var)?,
            namespace: var("ANTREAN_DB_NS").unwrap_or_else(|| "antrean".into()),
            database: var("ANTREAN_DB_DB").unwrap_or_else(|| "main".into()),
            site_root: PathBuf::from(
                var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            secure_cookies: match var("ANTREAN_SECURE_COOKIES").as_deref() {
                None | Some("1" | "true" | "yes") => true,
                Some("0" | "false" | "no") => false,
                Some(v) => anyhow::bail!("ANTREAN_SECURE_COOKIES must be true or false, not {v:?}"),
            },
            catalogue: var("ANTREAN_CATALOGUE").map(PathBuf::from),
            connections,
            streams_per_token: number(&var, "ANTREAN_STREAMS_PER_TOKEN", 8)? as usize,
            streams_per_address: number(&var, "ANTREAN_STREAMS_PER_ADDRESS", 1024)? as usize,
            trusted_proxies: var("ANTREAN_TRUSTED_PROXIES")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.parse().map_err(|_| {
                        anyhow::anyhow!("ANTREAN_TRUSTED_PROXIES: {a:?} is not an IP address")
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            push: crate::push::PushConfig {
                services: match var("ANTREAN_PUSH_SERVICES") {
                    Some(v) => v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    None => crate::push::PushConfig::default().services,
                },
                contact: var("ANTREAN_PUSH_CONTACT"),
            },
            retention_days: match var("ANTREAN_RETENTION_DAYS") {
                None => 365,
                Some(v) => v.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "ANTREAN_RETENTION_DAYS must be a whole number of days, not {v:?}"
                    )
                })?,
            },
        })
    }

    /// An in-memory configuration on an ephemeral port, for tests.
    pub fn for_tests() -> Self {
        Self {
            addr: "127.0.0.1:0".parse().expect("literal address"),
            tls: None,
            storage: Storage::Memory,
            disk_memory: DiskMemory::default(),
            namespace: "antrean".into(),
            database: "test".into(),
            site_root: PathBuf::from("target/site"),
            secure_cookies: true,
            retention_days: 365,
            catalogue: None,
            connections: crate::connections::Limits::default(),
            streams_per_token: 8,
            streams_per_address: 1024,
            trusted_proxies: Vec::new(),
            push: crate::push::PushConfig::default(),
        }
    }
}

/// What the embedded storage engine may keep in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskMemory {
    /// Decoded blocks of the on-disk tables kept for reuse. Reads beyond it come from the
    /// operating system's page cache, which the kernel gives back under pressure.
    pub block_cache_bytes: u64,
    /// Writes gathered in memory before they are written out as a table; also the
    /// largest single transaction the store accepts.
    pub memtable_bytes: u64,
}

impl Default for DiskMemory {
    fn default() -> Self {
        Self {
            block_cache_bytes: 16 << 20,
            memtable_bytes: 32 << 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn https_is_off_unless_an_address_is_given_and_then_names_the_machine() {
        assert_eq!(tls(&vars(&[])).unwrap(), None);
        let t = tls(&vars(&[
            ("ANTREAN_TLS_ADDR", "0.0.0.0:3443"),
            ("ANTREAN_DATA_DIR", "/var/lib/antrean"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(t.dir, PathBuf::from("/var/lib/antrean/tls"));
        assert_eq!(t.names[0], "localhost");
        let t = tls(&vars(&[
            ("ANTREAN_TLS_ADDR", "0.0.0.0:3443"),
            ("ANTREAN_TLS_NAMES", "192.168.1.10, antrean.lan"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(t.names, ["192.168.1.10", "antrean.lan"]);
        assert!(tls(&vars(&[("ANTREAN_TLS_ADDR", "port 3443")])).is_err());
    }

    #[test]
    fn the_embedded_store_memory_comes_from_the_environment_within_its_floor() {
        assert_eq!(disk_memory(&vars(&[])).unwrap(), DiskMemory::default());
        let m = disk_memory(&vars(&[
            ("ANTREAN_DB_CACHE_MB", "64"),
            ("ANTREAN_DB_MEMTABLE_MB", "128"),
        ]))
        .unwrap();
        assert_eq!(
            (m.block_cache_bytes, m.memtable_bytes),
            (64 << 20, 128 << 20)
        );
        let low = disk_memory(&vars(&[("ANTREAN_DB_MEMTABLE_MB", "4")])).unwrap_err();
        assert!(low.to_string().contains("at least 8"), "{low}");
        assert!(disk_memory(&vars(&[("ANTREAN_DB_CACHE_MB", "lots")])).is_err());
    }
}
