//! The server's own accept loop: what a connection may cost. Every connection holds a slot
//! overall and one of its address's; one that sends nothing, or its headers too slowly, is
//! closed; the process raises its open-file limit to what the system allows. Beyond the
//! limits a connection is closed at once (no answer is cheaper than an answer), so 10,000
//! idle sockets from one address cannot starve the office's devices on theirs.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// What connections may cost (`ANTREAN_MAX_CONNECTIONS`, `…_PER_ADDRESS`,
/// `ANTREAN_HEADER_TIMEOUT_MS`, `ANTREAN_IDLE_TIMEOUT_MS`; README).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub total: usize,
    pub per_address: usize,
    /// From accepting a connection (or finishing a response) to the end of the next
    /// request's headers.
    pub header_timeout: Duration,
    /// No byte read or written for this long closes the connection (live streams ping
    /// every 30 s, so they stay).
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            total: 16384,
            per_address: 512,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
        }
    }
}

/// Open connections, overall and per address.
#[derive(Debug, Default)]
pub struct Census {
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// A connection's slot; given back when the connection (or the WebSocket it became) ends.
#[derive(Debug)]
pub struct Slot {
    census: Arc<Census>,
    ip: IpAddr,
}

impl Census {
    /// A slot for a connection from `ip`, or `None` when it would exceed a limit.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per) = &mut *open;
        let mine = per.entry(ip).or_insert(0);
        if *total >= limits.total || *mine >= limits.per_address {
            if *mine == 0 {
                per.remove(&ip);
            }
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Slot {
            census: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.census.open.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per) = &mut *open;
        *total -= 1;
        if let Some(n) = per.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.ip);
            }
        }
    }
}

/// A socket that fails with `TimedOut` once nothing has moved for `idle`, holding its
/// connection's slot for as long as it lives (also inside an upgraded WebSocket).
pub struct IdleIo {
    inner: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    _slot: Slot,
}

impl IdleIo {
    fn new(inner: TcpStream, idle: Duration, slot: Slot) -> Self {
        Self {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            _slot: slot,
        }
    }

    fn moved(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }

    /// A write's outcome: progress moves the deadline, waiting checks it.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match r {
            Poll::Ready(r) => {
                if matches!(r, Ok(n) if n > 0) {
                    self.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    /// Called when the socket has nothing to give: `TimedOut` past the deadline.
    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        ready!(self.deadline.as_mut().poll(cx));
        Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "connection idle"))
    }
}

impl AsyncRead for IdleIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for IdleIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.wrote(cx, written)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Raises the soft limit on open files to the hard one (the systemd unit's
/// `LimitNOFILE`); returns the limit in force.
pub fn raise_open_file_limit() -> u64 {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 {
            if l.rlim_cur < l.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: l.rlim_max,
                    rlim_max: l.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    return raised.rlim_cur;
                }
            }
            return l.rlim_cur;
        }
    }
    0
}

/// Serves `router` on `listener` (over TLS when `tls` is given) until `signal` resolves,
/// then lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    census: Arc<Census>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, done_rx) = watch::channel(());
    let mut signal = pin!(signal);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) {
                        // Out of file descriptors, most likely: the limits above should
                        // prevent it; wait instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let Some(slot) = census.admit(addr.ip(), &limits) else {
            // Dropping the socket closes it.
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
                req.map(Body::new)
            });
        let stop = stop_rx.clone();
        let done = done_rx.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            // Nothing is allocated for a connection (hyper's buffers, the timers) until it
            // sends its first byte: 10,000 sockets that never speak cost little more than
            // their file descriptors, and go at the header timeout.
            // (A peek, not `readable()`: readiness may be reported before any byte came.)
            let mut first = [0u8; 1];
            match tokio::time::timeout(limits.header_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let io = IdleIo::new(stream, limits.idle_timeout, slot);
            // Boxed, and made only now: a task's future is allocated whole when it is
            // spawned, and a TLS handshake's and hyper's connection state (kilobytes)
            // would otherwise be paid by every silent socket (BENCHMARKS.md, item 9).
            Box::pin(serve_connection(io, service, limits, stop, tls)).await;
            drop(done);
        });
    }
    drop(listener);
    drop(done_rx);
    let _ = stop_tx.send(true);
    done_tx.closed().await;
    Ok(())
}

/// One connection that has spoken: over TLS when `tls` is given (the handshake has the
/// header timeout too: a client that stalls in it holds nothing longer than one that
/// stalls in its headers), then its requests.
async fn serve_connection(
    io: IdleIo,
    service: impl ConnectionService,
    limits: Limits,
    stop: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    match tls {
        None => drive(io, service, limits, stop).await,
        Some(acceptor) => {
            match tokio::time::timeout(limits.header_timeout, acceptor.accept(io)).await {
                Ok(Ok(tls)) => drive(tls, service, limits, stop).await,
                Ok(Err(e)) => tracing::trace!(error = %e, "TLS handshake failed"),
                Err(_) => {}
            }
        }
    }
}

/// What answers a connection's requests: the router, with the client's address added.
trait ConnectionService:
    tower::Service<
        axum::http::Request<Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S> ConnectionService for S where
    S: tower::Service<
            axum::http::Request<Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// Serves one connection's HTTP/1.1 requests until it ends, or gracefully once `stop`
/// says so.
async fn drive<I>(
    io: I,
    service: impl ConnectionService,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // HTTP/1.1 only (WebSockets upgrade from it): the header timeout runs from the first
    // moment, with no protocol sniffing before it.
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    // (Inside the boxed future of `serve`'s task: see there.)
    let mut conn = std::pin::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::trace!(error = %e, "connection ended");
                }
                break;
            }
            changed = stop.wait_for(|s| *s), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_address_and_given_back() {
        let census = Arc::new(Census::default());
        let limits = Limits {
            total: 3,
            per_address: 2,
            ..Limits::default()
        };
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let a1 = census.admit(a, &limits).unwrap();
        let a2 = census.admit(a, &limits).unwrap();
        assert!(census.admit(a, &limits).is_none(), "per address");
        let b1 = census.admit(b, &limits).unwrap();
        assert!(census.admit(b, &limits).is_none(), "overall");
        drop(a1);
        assert_eq!(census.open(), 2);
        let a3 = census.admit(b, &limits).unwrap();
        drop((a2, b1, a3));
        assert_eq!(census.open(), 0);
        assert!(census.open.lock().unwrap().1.is_empty());
    }
}
