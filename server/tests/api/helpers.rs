//! `spawn_app()`: the real server binary on `127.0.0.1:0`, on in-memory SurrealDB or a temp
//! directory, with typed helpers for the API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::domain::catalogue::{Catalogue, SEED_TOML};
use app::domain::hlc::Hlc;
use app::domain::ids::{
    ClientId, LoketId, MutationId, ServiceCode, TicketId, TicketNumber, TrackingToken,
};
use app::domain::mutation::{
    DeviceRegistered, DeviceRole, LeaseRequest, Mutation, MutationKind, PullResponse, PushRequest,
    PushResponse, RegisterDevice,
};
use app::domain::numbering::Lease;
use app::domain::replica::Replica;
use app::domain::ticket::{NewTicket, Priority, TicketCommand};
use rand::RngCore;
use serde_json::Value;

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("antrean-test-{}", rand::rng().next_u64()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub enum Db<'a> {
    Memory,
    Disk(&'a Path),
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    child: Child,
    /// Everything the server logged, for the privacy checks.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server binary and waits for its "listening on" line.
pub fn spawn_app_with(db: Db<'_>, port: u16) -> TestApp {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_antrean"));
    cmd.env("ANTREAN_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "LEPTOS_SITE_ROOT",
            std::env::temp_dir().join("antrean-no-site"),
        )
        .env("RUST_LOG", "info")
        .env_remove("ANTREAN_DB_URL")
        .env_remove("ANTREAN_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match db {
        Db::Memory => {
            cmd.env("ANTREAN_DB_URL", "mem://");
        }
        Db::Disk(p) => {
            cmd.env("ANTREAN_DATA_DIR", p);
        }
    }
    let mut child = cmd.spawn().expect("spawn the antrean binary");
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr");
    let log2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut l) = log2.lock() {
                l.push_str(&line);
                l.push('\n');
            }
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let addr = first.strip_prefix("listening on ").unwrap_or_else(|| {
        panic!(
            "server did not start: {first:?}\n{}",
            log.lock().map(|l| l.clone()).unwrap_or_default()
        )
    });
    std::thread::spawn(move || for _ in lines {});
    TestApp {
        base: addr.to_owned(),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        child,
        log,
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Db::Memory, 0)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the process at once (SIGKILL): no graceful shutdown.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> (u16, Value) {
        self.post_raw(path, &serde_json::to_string(body).expect("json"))
            .await
    }

    pub async fn register(&self, client: ClientId, role: DeviceRole) -> DeviceRegistered {
        let (s, v) = self
            .post(
                "/api/devices",
                &RegisterDevice {
                    client_id: client,
                    role,
                },
            )
            .await;
        assert_eq!(s, 200, "{v}");
        serde_json::from_value(v).expect("registration answer")
    }

    pub async fn lease(&self, client: ClientId, service: &ServiceCode) -> Lease {
        let (s, v) = self
            .post(
                "/api/sync/lease",
                &LeaseRequest {
                    client_id: client,
                    service: service.clone(),
                },
            )
            .await;
        assert_eq!(s, 200, "{v}");
        serde_json::from_value(v).expect("lease")
    }

    /// Pushes and returns the typed answer, or the status and message of a refusal.
    pub async fn push(
        &self,
        client: ClientId,
        mutations: Vec<Mutation>,
    ) -> Result<PushResponse, (u16, String)> {
        let (s, v) = self
            .post(
                "/api/sync/push",
                &PushRequest {
                    client_id: client,
                    mutations,
                },
            )
            .await;
        if s == 200 {
            Ok(serde_json::from_value(v).expect("push answer"))
        } else {
            Err((
                s,
                v.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ))
        }
    }

    pub async fn pull(&self, cursor: u64) -> PullResponse {
        let (s, v) = self
            .get_json(&format!("/api/sync/pull?cursor={cursor}"))
            .await;
        assert_eq!(s, 200, "{v}");
        serde_json::from_value(v).expect("pull answer")
    }

    /// The server's current state, as a new device would receive it.
    pub async fn state(&self) -> Replica {
        Replica::from_snapshot(self.pull(0).await.snapshot.expect("snapshot for cursor 0"))
    }
}

pub fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub fn catalogue() -> Catalogue {
    Catalogue::from_toml(SEED_TOML).expect("seed")
}

pub fn ktp() -> ServiceCode {
    ServiceCode::parse("legalisir-ktp-el").expect("code")
}

/// Builds a device's mutations with consecutive ids and increasing clocks.
pub struct DeviceSim {
    pub id: ClientId,
    next: u64,
    counter: u32,
}

impl DeviceSim {
    pub fn new() -> Self {
        Self {
            id: ClientId::from_random_bytes(random_bytes()),
            next: 1,
            counter: 0,
        }
    }

    pub fn mutation(&mut self, kind: MutationKind) -> Mutation {
        self.counter += 1;
        let m = Mutation {
            client_id: self.id,
            mutation_id: MutationId::new(self.next).expect("id"),
            at: Hlc {
                wall_ms: now_ms(),
                counter: self.counter,
                client: self.id,
            },
            kind,
        };
        self.next += 1;
        m
    }

    pub fn issue(&mut self, number: TicketNumber) -> (Mutation, TicketId, TrackingToken) {
        let id = TicketId::from_random_bytes(random_bytes());
        let token = TrackingToken::from_random_bytes(random_bytes());
        let m = self.mutation(MutationKind::IssueTicket {
            ticket: NewTicket {
                id,
                number,
                service: ktp(),
                priority: Priority::Regular,
            },
            token: token.clone(),
        });
        (m, id, token)
    }

    pub fn command(&mut self, ticket: TicketId, command: TicketCommand) -> Mutation {
        self.mutation(MutationKind::Ticket { ticket, command })
    }
}

pub fn loket(n: u8) -> LoketId {
    LoketId::new(n).expect("loket")
}

pub fn number(s: &str) -> TicketNumber {
    TicketNumber::parse(s).expect("number")
}
