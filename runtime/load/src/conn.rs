//! One connection slot: takes due requests from the shared queue, one at a
//! time, and sends them over its own keep-alive HTTP/1.1 connection.
//!
//! The connection is opened on first use and dropped after a transport
//! error, a timeout or a `connection: close`; the next request opens a new
//! one. A request found closed-before-sent (the server closed an idle
//! connection) is sent once more on a new connection: nothing reached the
//! server.
//!
//! **Invariant:** every job taken from the queue yields exactly one
//! [`Record`], by the job's deadline (scheduled time + timeout): connecting,
//! sending and reading the body all run under that deadline, so a slot
//! never holds a job longer.

use crate::dispatch::Job;
use crate::request::Requests;
use crate::tally::{Outcome, Record};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header;
use hyper::Response;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Duration, Instant};

/// A response body longer than this is not read further: the request is a
/// transport error and its connection is dropped.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What all slots share.
pub(crate) struct Shared {
    pub addr: SocketAddr,
    pub requests: Requests,
    pub timeout: Duration,
    pub opened: AtomicU64,
}

pub(crate) type Queue = Arc<Mutex<mpsc::UnboundedReceiver<Job>>>;

/// An open connection; dropping it closes the socket.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    driver: JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// Serves jobs until the queue is closed and empty.
pub(crate) async fn serve(shared: Arc<Shared>, queue: Queue, records: mpsc::UnboundedSender<Record>) {
    let mut conn: Option<Conn> = None;
    loop {
        let job = queue.lock().await.recv().await;
        let Some(job) = job else { return };
        let outcome = outcome(&mut conn, &shared, job).await;
        if records.send(Record { scheduled_s: job.scheduled_s, outcome }).is_err() {
            return;
        }
    }
}

/// Sends a job's request under its deadline: what became of it.
async fn outcome(conn: &mut Option<Conn>, shared: &Shared, job: Job) -> Outcome {
    let deadline = job.due + shared.timeout;
    if Instant::now() >= deadline {
        Outcome::Timeout { queued: true }
    } else {
        match timeout_at(deadline, exchange(conn, shared, job.index)).await {
            Ok(Ok(status)) => {
                let latency = Instant::now().saturating_duration_since(job.due);
                if latency < shared.timeout {
                    Outcome::Answer { status, latency_s: latency.as_secs_f64() }
                } else {
                    Outcome::Timeout { queued: false }
                }
            }
            Ok(Err(reason)) => {
                *conn = None;
                Outcome::Transport { reason }
            }
            Err(_) => {
                *conn = None;
                Outcome::Timeout { queued: false }
            }
        }
    }
}

/// Sends request `index` and reads its answer: the status, or why not.
async fn exchange(conn: &mut Option<Conn>, shared: &Shared, index: usize) -> Result<u16, String> {
    let mut request = shared.requests.get(index);
    for attempt in 0..2 {
        if conn.as_ref().is_none_or(|c| c.sender.is_closed()) {
            *conn = None;
            *conn = Some(open(shared).await?);
        }
        let Some(c) = conn.as_mut() else { return Err("no connection".to_string()) };
        let sent = match c.sender.ready().await {
            Ok(()) => c.sender.try_send_request(request).await,
            Err(_) if attempt == 0 => {
                *conn = None;
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        match sent {
            Ok(response) => return read(response, conn).await,
            Err(mut e) => {
                *conn = None;
                match e.take_message() {
                    Some(unsent) if attempt == 0 => request = unsent,
                    _ => return Err(e.into_error().to_string()),
                }
            }
        }
    }
    Err("the connection closed before the request could be sent".to_string())
}

async fn open(shared: &Shared) -> Result<Conn, String> {
    let stream = TcpStream::connect(shared.addr).await.map_err(|e| format!("could not connect to {}: {e}", shared.addr))?;
    // Requests are small and written at once: do not wait to coalesce.
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    shared.opened.fetch_add(1, Ordering::Relaxed);
    Ok(Conn { sender, driver })
}

/// Reads the body to the end (at most [`MAX_BODY_BYTES`]); drops the
/// connection on an error or a `connection: close`.
async fn read(response: Response<Incoming>, conn: &mut Option<Conn>) -> Result<u16, String> {
    let status = response.status().as_u16();
    let close = response
        .headers()
        .get_all(header::CONNECTION)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))));
    let mut body = response.into_body();
    let mut length = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        if let Some(data) = frame.data_ref() {
            length += data.len();
            if length > MAX_BODY_BYTES {
                return Err(format!("a response body is longer than {MAX_BODY_BYTES} bytes"));
            }
        }
    }
    if close {
        *conn = None;
    }
    Ok(status)
}
