//! The threads that hash passwords. An argon2 hash takes about 19 MiB and tens of
//! milliseconds of a core: a burst of sign-ins (a shift starting, or someone guessing)
//! must not slow the pushes, pulls and pokes the office's devices are waiting for.
//!
//! Hashes run on threads of their own, all cores but one (one on a one-core machine), fed
//! from a bounded queue, so a burst waits in line rather than in memory and never takes
//! every core. And those threads run at a lower scheduling priority than the rest of the
//! server (Linux's nice, [`NICENESS`] steps down): when a request wants the core a hash is
//! on, the request gets it, and the hash uses whatever is left. On an office machine with
//! two cores the difference is a counter's pull delayed by a sign-in or not (BENCHMARKS.md,
//! item 9b).

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{mpsc, oneshot};

/// How many steps of Linux's nice scale (0 normal … 19 lowest) below the server's own
/// priority the hashing threads run. Ten gives a request about nine tenths of a contended
/// core.
pub const NICENESS: i32 = 10;

/// Jobs that may wait for a thread; beyond this, callers wait to enqueue.
const QUEUE: usize = 256;

type Job = Box<dyn FnOnce() + Send>;

fn queue() -> &'static mpsc::Sender<Job> {
    static QUEUE_TX: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    QUEUE_TX.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (tx, rx) = mpsc::channel::<Job>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..cores.saturating_sub(1).max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("antrean-hash-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = match rx.lock() {
                            Ok(mut rx) => rx.blocking_recv(),
                            Err(_) => None,
                        };
                        let Some(job) = job else { break };
                        // A panicking hash fails its caller (the reply is dropped), not
                        // the thread.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-hashing thread");
            }
        }
        tx
    })
}

/// This thread's nice value, [`NICENESS`] steps below what it was (at most 19).
fn lower_priority() {
    // SAFETY: two plain system calls about the calling thread itself (its kernel id).
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if libc::setpriority(libc::PRIO_PROCESS, tid, (now + NICENESS).min(19)) != 0 {
            tracing::warn!("the password-hashing thread keeps the server's priority");
        }
    }
}

/// Runs `f` on a hashing thread; `None` when it could not run or panicked.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (reply, answer) = oneshot::channel();
    queue()
        .send(Box::new(move || {
            let _ = reply.send(f());
        }))
        .await
        .ok()?;
    answer.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nice_of_this_thread() -> i32 {
        // SAFETY: as in `lower_priority`.
        unsafe {
            libc::getpriority(
                libc::PRIO_PROCESS,
                libc::syscall(libc::SYS_gettid) as libc::id_t,
            )
        }
    }

    #[tokio::test]
    async fn hashes_run_at_a_lower_priority_than_the_server_and_survive_a_panic() {
        let own = nice_of_this_thread();
        let theirs = run(nice_of_this_thread).await.expect("ran");
        assert_eq!(theirs, (own + NICENESS).min(19));
        assert!(theirs > own || own == 19);
        // A panicking job fails its caller only; the threads go on.
        assert_eq!(run(|| -> u8 { panic!("a bad hash") }).await, None);
        assert_eq!(run(|| 7).await, Some(7));
    }
}
