//! The requests of a run: `POST` of a JSON body to the target's path, with
//! `host`, `content-type` and `content-length` and the caller's headers.
//!
//! **Invariant:** everything that can be wrong with a request (a header name
//! or value, the path) is found in [`Requests::new`], before the run starts;
//! [`Requests::get`] cannot fail.

use crate::config::LoadError;
use crate::target::Target;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};

/// Headers the generator sets itself (framing and the connection's life).
fn reserved(name: &HeaderName) -> bool {
    [header::HOST, header::CONTENT_LENGTH, header::TRANSFER_ENCODING, header::CONNECTION].contains(name)
}

pub(crate) struct Requests {
    uri: Uri,
    headers: HeaderMap,
    bodies: Vec<Bytes>,
}

impl Requests {
    pub(crate) fn new(target: &Target, bodies: &[Vec<u8>], extra: &[(String, String)]) -> Result<Requests, LoadError> {
        if bodies.is_empty() {
            return Err(LoadError::NoBodies);
        }
        let uri: Uri = target.path_and_query.parse().map_err(|_| LoadError::Path { path: target.path_and_query.clone() })?;
        if uri.scheme().is_some() || uri.authority().is_some() {
            return Err(LoadError::Path { path: target.path_and_query.clone() });
        }
        let mut headers = HeaderMap::new();
        for (name, value) in extra {
            let bad = |reason| LoadError::Header { name: name.clone(), reason };
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("the name has characters a header name cannot have"))?;
            if reserved(&n) {
                return Err(LoadError::ReservedHeader { name: n.as_str().to_string() });
            }
            let v = HeaderValue::from_str(value).map_err(|_| bad("the value has control or non-ASCII characters"))?;
            headers.append(n, v);
        }
        if !headers.contains_key(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let host = HeaderValue::from_str(&target.authority)
            .map_err(|_| LoadError::Header { name: "host".to_string(), reason: "the target's authority is not a valid header value" })?;
        headers.insert(header::HOST, host);
        Ok(Requests { uri, headers, bodies: bodies.iter().map(|b| Bytes::copy_from_slice(b)).collect() })
    }

    /// Request `index` of the run: body `index % bodies`.
    pub(crate) fn get(&self, index: usize) -> Request<Full<Bytes>> {
        let body = self.bodies.get(index % self.bodies.len().max(1)).cloned().unwrap_or_default();
        let mut headers = self.headers.clone();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = headers;
        request
    }
}
