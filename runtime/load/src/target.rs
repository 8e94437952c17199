//! The endpoint a run loads: a plain-http URL, resolved once to one socket
//! address.
//!
//! **Invariant:** a `Target` is loopback (127.0.0.0/8, ::1, or an IPv4
//! address mapped into IPv6 from 127.0.0.0/8) unless it was parsed with
//! `allow_remote`: a typo cannot point a load test at someone else's host.
//! When a name resolves to several addresses, every one of them must be
//! loopback, and the first is used.

use hyper::http::uri::{PathAndQuery, Uri};
use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// As written in the URL, without the brackets of an IPv6 literal.
    pub host: String,
    pub port: u16,
    /// Starts with `/`; `/` when the URL has no path.
    pub path_and_query: String,
    /// The `host` header: host and port as written in the URL.
    pub authority: String,
    pub addr: SocketAddr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetError {
    Https,
    NoScheme { url: String },
    Scheme { scheme: String },
    Invalid { url: String, reason: String },
    Credentials,
    NoHost { url: String },
    Port { url: String },
    Resolve { host: String, reason: String },
    NoAddress { host: String },
    Remote { host: String, addr: IpAddr },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Https => {
                write!(
                    f,
                    "https is not supported: give the service's plain http:// address (for example its port behind the TLS terminator)"
                )
            }
            TargetError::NoScheme { url } => write!(f, "`{url}` has no scheme: write it as http://{url}"),
            TargetError::Scheme { scheme } => write!(f, "`{scheme}` URLs are not supported: give an http:// URL"),
            TargetError::Invalid { url, reason } => write!(f, "`{url}` is not a valid URL ({reason}): write it as http://host:port/path"),
            TargetError::Credentials => {
                write!(f, "credentials in the URL are not supported: pass them as a header (authorization) instead")
            }
            TargetError::NoHost { url } => write!(f, "`{url}` has no host: write it as http://host:port/path"),
            TargetError::Port { url } => write!(f, "`{url}` has no valid port: give a port from 1 to 65535, or none for 80"),
            TargetError::Resolve { host, reason } => write!(f, "could not resolve `{host}` ({reason}): check the host name"),
            TargetError::NoAddress { host } => write!(f, "`{host}` resolves to no address: check the host name"),
            TargetError::Remote { host, addr } => {
                write!(f, "`{host}` is {addr}, not this machine: pass --allow-remote to load a host that is not this machine")
            }
        }
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// Parses and resolves `url` (`http://host[:port][/path][?query]`; a
    /// fragment is dropped). Resolution uses the system resolver and may
    /// block.
    pub fn parse(url: &str, allow_remote: bool) -> Result<Target, TargetError> {
        let url = url.trim();
        let Some((scheme, _)) = url.split_once("://") else {
            return Err(TargetError::NoScheme { url: url.to_string() });
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(TargetError::Https);
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(TargetError::Scheme { scheme: scheme.to_string() });
        }
        let uri: Uri =
            url.parse().map_err(|e: hyper::http::uri::InvalidUri| TargetError::Invalid { url: url.to_string(), reason: e.to_string() })?;
        let Some(authority) = uri.authority() else {
            return Err(TargetError::NoHost { url: url.to_string() });
        };
        if authority.as_str().contains('@') {
            return Err(TargetError::Credentials);
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(TargetError::NoHost { url: url.to_string() });
        }
        // After an IPv6 literal's `]`, or the whole authority: `host[:port]`.
        let tail = authority.as_str().rsplit_once(']').map_or(authority.as_str(), |(_, tail)| tail);
        let port = match tail.rsplit_once(':') {
            None => 80,
            Some((_, p)) => match p.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => return Err(TargetError::Port { url: url.to_string() }),
            },
        };
        let path_and_query = match uri.path_and_query().map(PathAndQuery::as_str) {
            None | Some("") => "/".to_string(),
            Some(p) if p.starts_with('?') => format!("/{p}"),
            Some(p) => p.to_string(),
        };
        let addr = resolve(host, port, allow_remote)?;
        Ok(Target { host: host.to_string(), port, path_and_query, authority: authority.as_str().to_string(), addr })
    }
}

fn resolve(host: &str, port: u16, allow_remote: bool) -> Result<SocketAddr, TargetError> {
    let addrs: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| TargetError::Resolve { host: host.to_string(), reason: e.to_string() })?.collect();
    if !allow_remote {
        if let Some(remote) = addrs.iter().find(|a| !is_loopback(a.ip())) {
            return Err(TargetError::Remote { host: host.to_string(), addr: remote.ip() });
        }
    }
    addrs.first().copied().ok_or_else(|| TargetError::NoAddress { host: host.to_string() })
}

/// 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}
