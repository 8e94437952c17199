//! A small HTTP/1.1 server for the tests, on 127.0.0.1 and a thread of its
//! own, whose every answer is decided by a closure.

#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub enum Reply {
    Status(u16),
    /// Answers after a while.
    After(Duration, u16),
    /// Answers with `connection: close`.
    Close(u16),
    /// Never answers.
    Never,
}

/// The request's arrival order (from 0), its body and headers.
pub type Decide = dyn Fn(u64, &[u8], &HeaderMap) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    pub received: Arc<AtomicU64>,
}

pub fn serve(decide: impl Fn(u64, &[u8], &HeaderMap) -> Reply + Send + Sync + 'static) -> Server {
    let decide: Arc<Decide> = Arc::new(decide);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&received);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                let decide = Arc::clone(&decide);
                let count = Arc::clone(&count);
                tokio::spawn(async move {
                    let service = service_fn(move |req| answer(req, Arc::clone(&decide), Arc::clone(&count)));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
    });
    Server { addr, received }
}

async fn answer(req: Request<Incoming>, decide: Arc<Decide>, count: Arc<AtomicU64>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let n = count.fetch_add(1, Ordering::SeqCst);
    let (status, close) = match decide(n, &body, &parts.headers) {
        Reply::Status(s) => (s, false),
        Reply::After(d, s) => {
            tokio::time::sleep(d).await;
            (s, false)
        }
        Reply::Close(s) => (s, true),
        Reply::Never => std::future::pending().await,
    };
    let mut response = Response::new(Full::new(Bytes::from_static(b"{\"score\": 0.5}")));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    if close {
        response.headers_mut().insert(hyper::header::CONNECTION, hyper::header::HeaderValue::from_static("close"));
    }
    Ok(response)
}

/// Requests above `threshold` seconds in `h`, from its CDF (to within a
/// bucket).
pub fn above(h: &mlspec_sim::histogram::Histogram, threshold: f64) -> u64 {
    let share = h.cdf_points().into_iter().filter(|(v, _)| *v <= threshold).map(|(_, s)| s).fold(0.0, f64::max);
    h.count() - (share * h.count() as f64).round() as u64
}
