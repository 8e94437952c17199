//! mlspec-load: an open-loop HTTP load generator, the engine of `mlspec load`.
//!
//! **Open loop.** The send times are drawn before the run ([`schedule`]:
//! a scenario's traffic, its day replayed `compress` times faster) and each
//! request is due at its time whatever the server does: a slow server gets
//! more requests waiting, not fewer requests sent. A dispatcher thread wakes
//! at each send time (from one base instant: no drift; OS timer, tens of
//! microseconds late) and hands the request to a shared FIFO queue.
//!
//! **Latency from the scheduled time.** A request's latency runs from its
//! scheduled send time to the end of its response body, so the time it
//! waited in the queue for a free connection counts: a stall of the server
//! shows in every request scheduled during it, not only in the one it
//! answered slowly (no coordinated omission).
//!
//! **Connections.** `connections` slots each own at most one keep-alive
//! HTTP/1.1 connection (hyper's low-level client, one task per connection),
//! opened on first use and reopened after a transport error, a timeout or a
//! `connection: close`. At most `connections` requests are in flight; the
//! rest wait in the queue.
//!
//! **What is counted where.** Every send time is either sent (due before
//! `duration_s` and handed to the connections) or unsent (at or after
//! `duration_s`, or after a [`Stop`]). Every sent request has one outcome:
//! an HTTP answer (`by_status`; 2xx also in `ok`), a timeout (not answered
//! `request_timeout_s` after its scheduled time, whether it was on the
//! wire or still queued), or a transport error (connect, reset, protocol,
//! a body over 1 MiB). A refused connection is a transport error, not a
//! [`LoadError`]: those are for configs that cannot run. Latency histograms
//! (seconds, [`mlspec_sim::histogram::Histogram`]) hold 2xx answers
//! (`latency`) and all answers (`latency_all`), for the run and per step of
//! scheduled time.

pub mod config;
mod conn;
mod dispatch;
mod request;
pub mod run;
pub mod schedule;
pub mod scrape;
mod stop;
pub mod summary;
mod tally;
pub mod target;

pub use config::{Config, LoadError};
pub use conn::MAX_BODY_BYTES;
pub use run::{run, run_until, Stop};
pub use schedule::{constant, even, send_times, ScheduleError};
pub use scrape::{get, ScrapeError};
pub use summary::{summarize, Context, Point, Summary};
pub use tally::{Measured, Step};
pub use target::{Target, TargetError};
