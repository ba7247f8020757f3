//! Builds the state and the router from a [`Config`], binds, and serves until shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use app::domain::authority::Authority;
use app::domain::catalogue::{Catalogue, SEED_TOML};
use app::domain::replica::Rules;
use app::shell;
use app::ssr_context::Lookups;
use axum::extract::{DefaultBodyLimit, Path as PathParam, Query, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, Mutex};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::state::AppState;
use crate::store::Store;
use crate::{api, closing, retention, routes, staff, sync};

/// A bound, ready server.
pub struct Running {
    pub addr: SocketAddr,
    /// Where HTTPS is served, when it is.
    pub tls_addr: Option<SocketAddr>,
    pub state: AppState,
    listener: TcpListener,
    tls: Option<(TcpListener, tokio_rustls::TlsAcceptor)>,
    router: Router,
    limits: crate::connections::Limits,
}

/// Opens the store, loads the authority, builds the router and binds the address.
pub async fn start(cfg: Config) -> anyhow::Result<Running> {
    let store = Store::open(&cfg).await?;
    start_on(cfg, store).await
}

/// As [`start`], on a store already open (several instances on one store, in tests).
pub async fn start_on(cfg: Config, store: Store) -> anyhow::Result<Running> {
    let catalogue = match store.catalogue().await? {
        Some(c) => c,
        None => {
            let c = match &cfg.catalogue {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        anyhow::anyhow!("cannot read ANTREAN_CATALOGUE {}: {e}", path.display())
                    })?;
                    Catalogue::from_toml(&text).map_err(|e| {
                        anyhow::anyhow!("ANTREAN_CATALOGUE {} is not valid: {e}", path.display())
                    })?
                }
                None => Catalogue::from_toml(SEED_TOML)?,
            };
            store.save_catalogue(&c).await?;
            tracing::info!(services = c.services.len(), "catalogue seeded");
            c
        }
    };
    let mut authority = Authority::new(Rules::new(catalogue));
    let loaded = store.load().await?;
    if let Some(c) = loaded.checkpoint {
        authority.replica = app::domain::replica::Replica::from_snapshot(c.snapshot);
        authority.last_closed = Some(c.closed_through);
    }
    for e in &loaded.events {
        authority.replica.apply(e);
    }
    let loaded_events = loaded.events;
    for d in &loaded.devices {
        authority.last_processed.insert(d.client, d.last_mutation);
        if let Some(s) = d.series {
            authority.leases.restore_series(d.client, s);
        }
    }
    for l in loaded.leases {
        authority.leases.record(l);
    }
    for (series, day) in loaded.released {
        authority.leases.restore_released(series, day);
    }
    tracing::info!(
        events = loaded_events.len(),
        devices = loaded.devices.len(),
        "state loaded"
    );

    let listener = TcpListener::bind(cfg.addr).await?;
    let addr = listener.local_addr()?;
    let (tls, authority_pem) = match &cfg.tls {
        Some(t) => {
            let prepared = crate::tls::prepare(&t.dir, &t.names)?;
            let l = TcpListener::bind(t.addr).await?;
            (
                Some((l, prepared.acceptor)),
                Some(Arc::<str>::from(prepared.authority_pem)),
            )
        }
        None => (None, None),
    };
    let tls_addr = tls.as_ref().map(|(l, _)| l.local_addr()).transpose()?;
    let site_root = cfg.site_root.display().to_string();
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "antrean".into());
    let hash_file = crate::site::Bundle::hash_file(&cfg.site_root);
    let leptos_options = LeptosOptions::builder()
        .output_name(output_name.as_str())
        .site_root(site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_file.is_some())
        .hash_file(
            hash_file
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| crate::site::HASH_FILE.into())
                .into(),
        )
        .build();
    let (live, _) = broadcast::channel(64);
    let cursor = authority.replica.cursor();
    let citizen_news = tokio::sync::watch::Sender::new(cursor);
    let citizens = (0..sync::CITIZEN_SHARDS)
        .map(|_| tokio::sync::watch::Sender::new(cursor))
        .collect();
    let (push, push_tasks) =
        crate::push::Push::start(&store, &cfg.push, &authority.rules.catalogue.office.website)
            .await?;
    let state = AppState {
        leptos_options,
        store: store.clone(),
        authority: Arc::new(Mutex::new(authority)),
        live,
        citizen_news,
        citizens,
        started: Instant::now(),
        limits: Arc::default(),
        pairings: Arc::new(crate::auth::pairing::Pairings::new(store.clone())),
        setup_token: Arc::default(),
        secure_cookies: cfg.secure_cookies,
        retention_days: cfg.retention_days,
        retention_running: Arc::default(),
        tail: Arc::default(),
        newest: Arc::default(),
        device_tokens: Arc::default(),
        census: Arc::default(),
        backoff: Arc::default(),
        trusted_proxies: Arc::new(cfg.trusted_proxies.clone()),
        streams: Arc::new(crate::streams::Streams::new(
            cfg.streams_per_token,
            cfg.streams_per_address,
        )),
        public_ikm: Arc::default(),
        citizen_port: tls_addr.map(|_| addr.port()),
        push: Arc::new(push),
    };
    {
        let auth = state.authority.lock().await;
        state
            .newest
            .store(auth.replica.cursor(), std::sync::atomic::Ordering::Release);
    }
    let keep = loaded_events.len().saturating_sub(sync::tail::TAIL_LEN);
    state.tail.extend(&loaded_events[keep..]);
    drop(loaded_events);
    staff::prepare_setup(&state).await?;
    let router = router(state.clone(), &cfg.site_root, authority_pem);
    sync::spawn_log_watcher(state.clone());
    tokio::spawn(sync::pace_citizens(state.clone()));
    retention::spawn(state.clone());
    crate::push::spawn(state.clone(), push_tasks);
    crate::report_backfill::spawn(state.clone());
    crate::heap::spawn_trim();
    // The first check runs at once: an office whose server was down at closing time
    // closes now.
    closing::spawn(state.clone());
    Ok(Running {
        addr,
        tls_addr,
        state,
        listener,
        tls,
        router,
        limits: cfg.connections,
    })
}

impl Running {
    /// Serves until `signal` resolves, then finishes in-flight requests and returns.
    pub async fn serve_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let files = crate::connections::raise_open_file_limit();
        tracing::info!(
            open_files = files,
            connections = self.limits.total,
            per_address = self.limits.per_address,
            "serving"
        );
        // One signal stops both listeners.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            signal.await;
            let _ = stop_tx.send(true);
        });
        let stopped = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|s| *s).await;
            }
        };
        let plain = crate::connections::serve(
            self.listener,
            self.router.clone(),
            self.limits,
            self.state.census.clone(),
            None,
            stopped(),
        );
        match self.tls {
            Some((listener, acceptor)) => {
                let secure = crate::connections::serve(
                    listener,
                    self.router,
                    self.limits,
                    self.state.census.clone(),
                    Some(acceptor),
                    stopped(),
                );
                tokio::try_join!(plain, secure)?;
            }
            None => plain.await?,
        }
        if let Err(e) = self.state.store.close().await {
            tracing::error!(error = %e, "the store did not close cleanly");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

fn router(state: AppState, site_root: &Path, authority_pem: Option<Arc<str>>) -> Router {
    let api = routes::api(&state)
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(1 << 20))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let bundle = Arc::new(crate::site::Bundle::read(
        site_root,
        &state.leptos_options.output_name,
    ));
    let workers = Arc::new(crate::site::ServiceWorkers::build(site_root, &bundle));
    let mut bundles = vec![(*bundle).clone()];
    for sub in crate::site::SUB_BUNDLES {
        bundles.push(crate::site::Bundle::read_in(
            &site_root.join(sub.dir),
            &sub.pkg_path(),
            sub.output,
        ));
    }
    let bundles: Arc<[crate::site::Bundle]> = Arc::from(bundles);
    let ctx_state = state.clone();
    let context = move || {
        let s = ctx_state.clone();
        let p = s.clone();
        provide_context(Lookups::new(
            move |token: String| {
                let s = s.clone();
                Box::pin(async move {
                    // The page's own handler counted this lookup already.
                    api::lookup_citizen(&s, &token, None)
                        .await
                        .map_err(|e| e.to_string())
                })
            },
            move || {
                let s = p.clone();
                Box::pin(async move {
                    crate::public_page::lookup(&s)
                        .await
                        .map_err(|e| e.to_string())
                })
            },
        ));
    };
    Router::new()
        .nest("/api", api)
        .route(
            "/ca.crt",
            get(move || {
                let pem = authority_pem.clone();
                async move { crate::tls::serve_authority(pem.as_deref()) }
            }),
        )
        .route(
            "/sw.js",
            get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let workers = workers.clone();
                    async move { workers.serve(q.get("page").map(String::as_str)) }
                },
            ),
        )
        .merge(pages(&state, context))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::site::cache_headers(bundles.clone(), req, next)
        }))
        // Pages and API answers are made per request: gzip them for slow phones (the
        // bundle's files are served precompressed, and keep their encoding).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}

/// The app's pages, rendered by path (`app::page::Page`). Any other path goes to the
/// fallback: a static file, or the app's not-found page with status 404.
fn pages(state: &AppState, context: impl Fn() + Clone + Send + Sync + 'static) -> Router<AppState> {
    // Rendering spawns tasks on Leptos's executor; the route-list helpers this replaced set
    // it up as a side effect. An error only means an earlier server in this process did.
    let _ = any_spawner::Executor::init_tokio();
    let render = leptos_axum::render_app_to_stream_with_context(context.clone(), {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    });
    // The pages with a bundle of their own (the citizen's, the admin's, the counter's, the
    // display's) hydrate with it when the build made it.
    let render_with = |sub: crate::site::SubBundle| {
        let style = state.leptos_options.clone();
        let scripts = sub.options(&style).unwrap_or_else(|| style.clone());
        leptos_axum::render_app_to_stream_with_context(context.clone(), move || {
            app::shell_with(scripts.clone(), style.clone())
        })
    };
    // Whole, not streamed: a page without scripts cannot swap in what arrives later.
    let static_render = leptos_axum::render_app_async_with_context(context.clone(), {
        let style = state.leptos_options.clone();
        move || app::shell_static(style.clone())
    });
    app::page::ROUTES.iter().fold(Router::new(), |r, path| {
        match (*path, crate::site::sub_bundle_of(path)) {
            (app::page::CITIZEN_ROUTE, Some(sub)) => {
                r.route(path, get(citizen_page(render_with(sub))))
            }
            // The public page runs no code in the browser: no bundle at all.
            (app::page::PUBLIC_ROUTE, _) => r.route(path, get(static_render.clone())),
            (_, Some(sub)) => r.route(path, get(render_with(sub))),
            (_, None) => r.route(path, get(render.clone())),
        }
    })
}

/// `/t/{token}`: the citizen's page, with the status of the API's answer for the same
/// token (404 for an unknown or malformed one, the page saying so), counted against the
/// caller's allowance of misses like the API.
fn citizen_page<R, F>(
    render: R,
) -> impl Fn(
    State<AppState>,
    PathParam<String>,
    Request,
) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>
       + Clone
       + Send
       + Sync
       + 'static
where
    R: Fn(Request) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    move |State(s): State<AppState>, PathParam(token): PathParam<String>, req: Request| {
        let render = render.clone();
        Box::pin(async move {
            let ip = crate::auth::client_ip(&req, &s.trusted_proxies);
            let status = match api::lookup_citizen(&s, &token, Some(ip)).await {
                Ok(_) => None,
                Err(e) => Some(e.status_code()),
            };
            let mut page = render(req).await;
            if let Some(status) = status {
                *page.status_mut() = status;
            }
            page
        })
    }
}

/// The page-independent part of the content security policy. Inline scripts are further
/// limited by the per-response nonce in the `<meta>` policy the shell writes (a header
/// cannot carry it: the nonce is made while rendering); both policies apply.
const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
