//! `antrean`: runs the server until SIGINT or SIGTERM; `antrean restore FILE` loads a backup
//! (`GET /api/admin/backup`) into an empty store.

fn main() -> anyhow::Result<()> {
    server::heap::configure();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,surrealdb=warn,surrealkv=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = server::config::Config::from_env()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {}
        [command, file] if command == "restore" => {
            server::store::Store::restore(&config, std::path::Path::new(file)).await?;
            println!("restored {file}");
            return Ok(());
        }
        _ => anyhow::bail!("usage: antrean            (serve)\n       antrean restore FILE (load a backup into an empty store)"),
    }
    let running = server::startup::start(config).await?;
    // Harnesses read the bound address from this line (the port may be ephemeral).
    println!("listening on http://{}", running.addr);
    if let Some(a) = running.tls_addr {
        println!("listening on https://{a} (tablets trust the office's authority: /ca.crt)");
    }
    running
        .serve_until(server::startup::shutdown_signal())
        .await
}
