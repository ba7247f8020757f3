//! What the process keeps of the memory it frees (glibc's allocator).
//!
//! Two things held freed memory resident, both measured in BENCHMARKS.md:
//! - glibc raises its mmap threshold to the size of any large block freed, so after one
//!   sign-in (argon2 takes 19 MiB) later large blocks come from the heap and stay resident
//!   when freed: 52 MB instead of 14 MB of idle anonymous memory (item 5b). A fixed
//!   threshold keeps them mmapped and returned to the system on free.
//! - The embedded store's compaction builds each new table's filter from every key it
//!   writes, in many small allocations: on a year's store (3 GB) about 330 MB, freed when
//!   the table is written. Small blocks freed in the middle of the heap are not given back
//!   by `free`, so the server idled at 350 MB after a compaction at start-up, 20 MB before
//!   it (item 6b). A periodic trim gives the free pages back once there are enough of
//!   them to matter.

use std::time::Duration;

/// How often the free memory is looked at.
const TRIM_EVERY: Duration = Duration::from_secs(5);
/// Free heap memory worth giving back.
const TRIM_ABOVE: usize = 8 << 20;

/// Sets the allocator's parameters; call before other threads exist.
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Gives free heap pages back to the system every few seconds, when there are enough.
pub fn spawn_trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    tokio::spawn(async {
        let mut tick = tokio::time::interval(TRIM_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Walking the arenas takes their locks: off the request threads.
            let _ = tokio::task::spawn_blocking(|| {
                // SAFETY: both only inspect and release the allocator's free memory.
                unsafe {
                    if libc::mallinfo2().fordblks > TRIM_ABOVE {
                        libc::malloc_trim(0);
                    }
                }
            })
            .await;
        }
    });
}
