//! `spawn_app()`: the real server binary on `127.0.0.1:0`, on in-memory SurrealDB or a temp
//! directory, with typed helpers for the API.

use std::collections::HashMap;
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
    /// The first-admin token the server printed (only on a fresh database).
    pub setup_token: Option<String>,
    admin: tokio::sync::OnceCell<Cred>,
    /// The credential of each device registered through [`TestApp::register`].
    creds: std::sync::Mutex<HashMap<ClientId, Cred>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server binary and waits for its "listening on" line.
pub fn spawn_app_with(db: Db<'_>, port: u16) -> TestApp {
    spawn_app_env(db, port, &[])
}

/// The seed catalogue with an office open all day, every day (00:00–23:59:59 WITA): the
/// tests run at any hour, and a day that closed in the middle of one would end its
/// tickets as not served. Tests of the close itself act on yesterday, whose close has
/// passed whatever the hour. Written once, named by its content (one file per version of
/// the seed, not one per test run), and put in place by a rename so a concurrent run never
/// reads half of it.
pub fn always_open_catalogue() -> &'static Path {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let text = always_open(SEED_TOML);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        let dir = std::env::temp_dir();
        let path = dir.join(format!("antrean-tests-catalogue-{:016x}.toml", h.finish()));
        if !path.exists() {
            let part = dir.join(format!(
                "antrean-tests-catalogue-{}.part",
                std::process::id()
            ));
            std::fs::write(&part, text).expect("write the test catalogue");
            std::fs::rename(&part, &path).expect("put the test catalogue in place");
        }
        path
    })
}

/// A catalogue document with every day open 00:00–23:59:59 and no holidays (the tests run
/// on any date, Christmas included).
pub fn always_open(toml: &str) -> String {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut out = String::new();
    let mut in_holiday = false;
    for line in toml.lines() {
        if DAYS.iter().any(|d| line.starts_with(&format!("{d} = "))) {
            continue;
        }
        // A holiday: its header and the keys under it.
        if line == "[[calendar.holidays]]" {
            in_holiday = true;
            continue;
        }
        if in_holiday && line.contains(" = ") {
            continue;
        }
        in_holiday = false;
        out.push_str(line);
        out.push('\n');
        if line.starts_with("zone_name = ") {
            for d in DAYS {
                out.push_str(&format!(
                    "{d} = {{ open = \"00:00:00\", close = \"23:59:59\" }}\n"
                ));
            }
        }
    }
    out
}

/// Starts the server binary with extra environment variables (the always-open catalogue
/// unless they name another).
pub fn spawn_app_env(db: Db<'_>, port: u16, env: &[(&str, &str)]) -> TestApp {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_antrean"));
    cmd.env("ANTREAN_CATALOGUE", always_open_catalogue());
    cmd.env(
        "LEPTOS_SITE_ROOT",
        std::env::temp_dir().join("antrean-no-site"),
    );
    cmd.envs(env.iter().copied());
    cmd.env("ANTREAN_ADDR", format!("127.0.0.1:{port}"))
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
    let mut setup_token = None;
    let addr = loop {
        let line = lines.next().and_then(Result::ok).unwrap_or_default();
        if let Some(t) = line.strip_prefix("setup token: ") {
            setup_token = Some(t.trim().to_owned());
        } else if let Some(a) = line.strip_prefix("listening on ") {
            break a.to_owned();
        } else if line.is_empty() {
            panic!(
                "server did not start\n{}",
                log.lock().map(|l| l.clone()).unwrap_or_default()
            );
        }
    };
    std::thread::spawn(move || for _ in lines {});
    TestApp {
        base: addr,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        child,
        log,
        setup_token,
        admin: tokio::sync::OnceCell::new(),
        creds: std::sync::Mutex::new(HashMap::new()),
    }
}

/// How a test request identifies itself.
#[derive(Debug, Clone)]
pub enum Cred {
    None,
    /// A paired device's token.
    Bearer(String),
    /// A staff session: the cookie value and its CSRF token.
    Session {
        cookie: String,
        csrf: String,
    },
}

impl Cred {
    pub fn apply(&self, b: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Cred::None => b,
            Cred::Bearer(t) => b.bearer_auth(t),
            Cred::Session { cookie, csrf } => b
                .header("cookie", format!("antrean_session={cookie}"))
                .header("x-csrf-token", csrf),
        }
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "kata-sandi-uji-1";

/// A store on disk with `days` closed working days of `per_day` tickets each, written as
/// the server writes them (the `history_fill` binary).
pub fn history(days: u32, per_day: u32) -> TempDir {
    let dir = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_history_fill"))
        .arg(&dir.0)
        .args([days.to_string(), per_day.to_string()])
        .output()
        .expect("history_fill");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Db::Memory, 0)
}

/// A port nobody listens on now (for a second listener of the server, e.g. HTTPS).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A browser that trusts only `authority` (PEM), as a tablet does once it is installed.
pub fn trusting(authority: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(authority.as_bytes()).expect("pem"))
        .build()
        .expect("client")
}

impl TestApp {
    /// The office's certificate authority, as a tablet downloads it (`/ca.crt`).
    pub async fn authority(&self) -> String {
        self.client
            .get(self.url("/ca.crt"))
            .send()
            .await
            .expect("ca")
            .text()
            .await
            .expect("pem")
    }

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

    /// Sends a request with a credential; answers the status and the JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        cred: &Cred,
    ) -> (u16, Value) {
        let mut b = cred.apply(self.client.request(method, self.url(path)));
        if let Some(body) = body {
            b = b.header("content-type", "application/json").body(body);
        }
        let r = b.send().await.expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Like [`TestApp::send`], but a transport error is an answer too (`None`).
    pub async fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        cred: &Cred,
    ) -> Option<(u16, Value)> {
        let mut b = cred.apply(self.client.request(method, self.url(path)));
        if let Some(body) = body {
            b = b.header("content-type", "application/json").body(body);
        }
        let r = b.send().await.ok()?;
        let s = r.status().as_u16();
        Some((s, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None, &Cred::None)
            .await
    }

    pub async fn get_as(&self, cred: &Cred, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None, cred).await
    }

    /// A GET answered with something other than JSON: status, content disposition, body.
    pub async fn get_text_as(&self, cred: &Cred, path: &str) -> (u16, String, String) {
        let r = cred
            .apply(self.client.get(self.url(path)))
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        let disposition = r
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (s, disposition, r.text().await.unwrap_or_default())
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        self.post_raw_as(&Cred::None, path, body).await
    }

    pub async fn post_raw_as(&self, cred: &Cred, path: &str, body: &str) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body.to_owned()), cred)
            .await
    }

    pub async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> (u16, Value) {
        self.post_as(&Cred::None, path, body).await
    }

    pub async fn post_as<B: serde::Serialize>(
        &self,
        cred: &Cred,
        path: &str,
        body: &B,
    ) -> (u16, Value) {
        self.post_raw_as(cred, path, &serde_json::to_string(body).expect("json"))
            .await
    }

    /// Signs in and returns the session.
    pub async fn login(&self, username: &str, password: &str) -> Result<Cred, (u16, Value)> {
        let r = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login");
        session_from(r).await
    }

    /// Signs in from a browser that holds another session (a shared counter tablet).
    pub async fn login_on(&self, on: &Cred, username: &str) -> Result<Cred, (u16, Value)> {
        let r = on
            .apply(self.client.post(self.url("/api/auth/login")))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .expect("login");
        session_from(r).await
    }

    /// The first admin, created through the one-time setup token on first use (or signed
    /// in, on a server restarted on the same data).
    pub async fn admin(&self) -> Cred {
        self.admin
            .get_or_init(|| async {
                let Some(token) = self.setup_token.clone() else {
                    return self.login("admin", PASSWORD).await.expect("admin login");
                };
                let r = self
                    .client
                    .post(self.url("/api/auth/setup"))
                    .json(&serde_json::json!({
                        "setup_token": token, "username": "admin", "password": PASSWORD
                    }))
                    .send()
                    .await
                    .expect("setup");
                session_from(r).await.expect("setup answers a session")
            })
            .await
            .clone()
    }

    /// Creates an account with this role (by the admin) and signs it in.
    pub async fn staff(&self, username: &str, role: &str) -> Cred {
        let admin = self.admin().await;
        let (s, v) = self
            .post_as(
                &admin,
                "/api/admin/staff",
                &serde_json::json!({ "username": username, "role": role, "password": PASSWORD }),
            )
            .await;
        assert!(s == 201 || s == 409, "{s} {v}");
        self.login(username, PASSWORD).await.expect("login")
    }

    /// A kiosk asks to be paired and the admin confirms its code: the confirmation's answer
    /// (a 409 when no series digit or the device's identity is at stake).
    pub async fn pair_attempt(&self, admin: &Cred, client: ClientId) -> (u16, Value) {
        let (s, offer) = self
            .post(
                "/api/pairing",
                &serde_json::json!({ "client_id": client, "role": "kiosk" }),
            )
            .await;
        assert_eq!(s, 200, "{offer}");
        self.post_as(
            admin,
            "/api/admin/pairing/confirm",
            &serde_json::json!({ "code": offer["code"], "label": "uji" }),
        )
        .await
    }

    /// Pairs a kiosk or display the way an admin does: the device asks for a code, the
    /// admin confirms it, the device collects its token.
    pub async fn pair(&self, client: ClientId, role: DeviceRole) -> (String, Option<u8>) {
        let (s, offer) = self
            .post(
                "/api/pairing",
                &serde_json::json!({ "client_id": client, "role": role }),
            )
            .await;
        assert_eq!(s, 200, "{offer}");
        let admin = self.admin().await;
        let (s, v) = self
            .post_as(
                &admin,
                "/api/admin/pairing/confirm",
                &serde_json::json!({ "code": offer["code"], "label": "uji" }),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = self
            .post(
                "/api/pairing/claim",
                &serde_json::json!({ "pairing_id": offer["pairing_id"] }),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "paired", "{v}");
        (
            v["token"].as_str().expect("token").to_owned(),
            v["series"].as_u64().map(|n| n as u8),
        )
    }

    /// A paired kiosk that issued one ticket from its own series (`A{series}-001`), which
    /// needs no lease.
    pub async fn kiosk_with_ticket(&self) -> (DeviceSim, TicketId, TrackingToken) {
        let mut kiosk = DeviceSim::new();
        let series = self.register(kiosk.id, DeviceRole::Kiosk).await.series;
        let (issue, ticket, token) =
            kiosk.issue(TicketNumber::new('A', series, 1).expect("number"));
        self.push(kiosk.id, vec![issue]).await.expect("issue");
        (kiosk, ticket, token)
    }

    /// Issues ticket number `n` of the kiosk's series (the kiosk `kiosk_with_ticket` made)
    /// and pushes it.
    pub async fn issue_at(&self, kiosk: &mut DeviceSim, n: u16) -> (TicketId, TrackingToken) {
        let series = self
            .state()
            .await
            .tickets()
            .next()
            .and_then(|t| t.number.series());
        let (issue, ticket, token) =
            kiosk.issue(TicketNumber::new('A', series, n).expect("number"));
        self.push(kiosk.id, vec![issue]).await.expect("issue");
        (ticket, token)
    }

    /// Gives a device the credential it had before a restart.
    pub fn set_cred(&self, client: ClientId, cred: Cred) {
        self.creds.lock().expect("creds").insert(client, cred);
    }

    /// The credential a registered device uses.
    pub fn cred(&self, client: ClientId) -> Cred {
        self.creds
            .lock()
            .expect("creds")
            .get(&client)
            .cloned()
            .unwrap_or(Cred::None)
    }

    /// Sets a device up as in the field: kiosks and displays are paired by the admin; a
    /// counter is registered by a signed-in officer, at Loket 1.
    pub async fn register(&self, client: ClientId, role: DeviceRole) -> DeviceRegistered {
        self.register_at(client, role, loket(1)).await
    }

    /// As [`Self::register`], a counter at the given loket.
    pub async fn register_at(
        &self,
        client: ClientId,
        role: DeviceRole,
        at: LoketId,
    ) -> DeviceRegistered {
        let cred = match role {
            DeviceRole::Counter => self.staff("petugas", "officer").await,
            _ => Cred::Bearer(self.pair(client, role).await.0),
        };
        let (s, v) = self
            .post_as(
                &cred,
                "/api/devices",
                &RegisterDevice {
                    client_id: client,
                    role,
                    loket: (role == DeviceRole::Counter).then_some(at),
                },
            )
            .await;
        assert_eq!(
            s,
            200,
            "{v}\n{}",
            self.log.lock().map(|l| l.clone()).unwrap_or_default()
        );
        self.creds.lock().expect("creds").insert(client, cred);
        serde_json::from_value(v).expect("registration answer")
    }

    /// Opens a paired device's live stream, as the app does (token in the subprotocol).
    pub async fn live(
        &self,
        client: ClientId,
    ) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>
    {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let Cred::Bearer(token) = self.cred(client) else {
            panic!("live streams here are for paired devices")
        };
        let mut req = format!("{}/api/sync/live", self.base.replace("http", "ws"))
            .into_client_request()
            .expect("ws request");
        req.headers_mut().insert(
            "sec-websocket-protocol",
            format!("antrean, bearer.{token}").parse().expect("header"),
        );
        let (ws, resp) = tokio_tungstenite::connect_async(req)
            .await
            .expect("live stream");
        assert_eq!(resp.headers()["sec-websocket-protocol"], "antrean");
        ws
    }

    pub async fn lease(&self, client: ClientId, service: &ServiceCode) -> Lease {
        let (s, v) = self
            .post_as(
                &self.cred(client),
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
            .post_as(
                &self.cred(client),
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
        let admin = self.admin().await;
        let (s, v) = self
            .get_as(&admin, &format!("/api/sync/pull?cursor={cursor}"))
            .await;
        assert_eq!(s, 200, "{v}");
        serde_json::from_value(v).expect("pull answer")
    }

    /// The server's current state, as a new device would receive it.
    pub async fn state(&self) -> Replica {
        Replica::from_snapshot(self.pull(0).await.snapshot.expect("snapshot for cursor 0"))
    }
}

async fn session_from(r: reqwest::Response) -> Result<Cred, (u16, Value)> {
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("antrean_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let v: Value = r.json().await.unwrap_or(Value::Null);
    match (status, cookie) {
        (200, Some(cookie)) => Ok(Cred::Session {
            cookie,
            csrf: v["csrf"].as_str().expect("csrf").to_owned(),
        }),
        _ => Err((status, v)),
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
    /// Added to the real clock: a device acting "yesterday" (a day that has closed).
    pub clock_offset_ms: i64,
    /// The loket a counter's commands are sent from (as registered; Loket 1 by default).
    pub loket: LoketId,
}

impl DeviceSim {
    pub fn new() -> Self {
        Self {
            id: ClientId::from_random_bytes(random_bytes()),
            next: 1,
            counter: 0,
            clock_offset_ms: 0,
            loket: loket(1),
        }
    }

    pub fn mutation(&mut self, kind: MutationKind) -> Mutation {
        self.counter += 1;
        let m = Mutation {
            client_id: self.id,
            mutation_id: MutationId::new(self.next).expect("id"),
            at: Hlc {
                wall_ms: now_ms() + self.clock_offset_ms,
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
                catalogue: 0,
            },
            token: token.clone(),
        });
        (m, id, token)
    }

    pub fn command(&mut self, ticket: TicketId, command: TicketCommand) -> Mutation {
        // A counter acts at its loket; a citizen rejoining at the kiosk at none.
        let loket = (command != TicketCommand::Rejoin).then_some(self.loket);
        self.mutation(MutationKind::Ticket {
            ticket,
            command,
            loket,
        })
    }
}

pub fn loket(n: u8) -> LoketId {
    LoketId::new(n).expect("loket")
}

/// Accepting a Legalisir KTP-el file with both of the seed's requirements ticked.
pub fn accept_ktp() -> app::domain::ticket::TicketCommand {
    let req = |s: &str| app::domain::ids::RequirementId::parse(s).expect("requirement");
    app::domain::ticket::TicketCommand::Accept {
        checked: vec![req("ktp-el-asli"), req("fotokopi-ktp-el")],
    }
}

pub fn number(s: &str) -> TicketNumber {
    TicketNumber::parse(s).expect("number")
}
