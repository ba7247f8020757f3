//! `antrean`: runs the server until SIGINT or SIGTERM.

fn main() -> anyhow::Result<()> {
    keep_large_allocations_out_of_the_heap();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// glibc raises its mmap threshold to the size of any large block freed, so after one
/// sign-in (argon2 takes 19 MiB) later large blocks come from the heap and stay resident
/// when freed: 52 MB instead of 14 MB of idle anonymous memory (BENCHMARKS.md, 5b). A
/// fixed threshold keeps them mmapped and returned to the system on free.
fn keep_large_allocations_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
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
    let running = server::startup::start(config).await?;
    // Harnesses read the bound address from this line (the port may be ephemeral).
    println!("listening on http://{}", running.addr);
    running
        .serve_until(server::startup::shutdown_signal())
        .await
}
