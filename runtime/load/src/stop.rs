//! Stopping a run from another thread (e.g. on Ctrl-C): nothing more is
//! sent, and the requests already sent get their outcome (by their
//! deadline).
//!
//! **Invariant:** once stopped, a `Stop` stays stopped, and a dispatcher
//! asleep in [`Stop::sleep_until`] wakes at once.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<(Mutex<bool>, Condvar)>);

impl Stop {
    pub fn new() -> Stop {
        Stop::default()
    }

    pub fn stop(&self) {
        *self.flag() = true;
        self.0 .1.notify_all();
    }

    pub fn is_stopped(&self) -> bool {
        *self.flag()
    }

    /// Sleeps until `due`: true, or false as soon as the run is stopped.
    pub(crate) fn sleep_until(&self, due: Instant) -> bool {
        let mut stopped = self.flag();
        loop {
            if *stopped {
                return false;
            }
            let now = Instant::now();
            if now >= due {
                return true;
            }
            stopped = match self.0 .1.wait_timeout(stopped, due - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// The flag; a panic elsewhere while holding it cannot leave it unusable.
    fn flag(&self) -> MutexGuard<'_, bool> {
        self.0 .0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
