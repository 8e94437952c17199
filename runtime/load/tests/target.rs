#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_load::{Target, TargetError};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

#[test]
fn loopback_urls_are_accepted() {
    let t = Target::parse("http://127.0.0.1:8080/predict?x=1", false).unwrap();
    assert_eq!(
        (t.host.as_str(), t.port, t.path_and_query.as_str(), t.authority.as_str()),
        ("127.0.0.1", 8080, "/predict?x=1", "127.0.0.1:8080")
    );
    assert_eq!(t.addr, "127.0.0.1:8080".parse::<SocketAddr>().unwrap());

    let t = Target::parse("http://127.0.0.1", false).unwrap();
    assert_eq!((t.port, t.path_and_query.as_str(), t.authority.as_str()), (80, "/", "127.0.0.1"));

    let t = Target::parse("http://127.1.2.3:9/?q", false).unwrap();
    assert_eq!(t.path_and_query, "/?q");

    let t = Target::parse("http://[::1]:9000/a", false).unwrap();
    assert_eq!((t.host.as_str(), t.authority.as_str()), ("::1", "[::1]:9000"));
    assert_eq!(t.addr, SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 9000));

    let t = Target::parse("http://localhost:3000", false).unwrap();
    assert!(t.addr.ip().is_loopback() && t.addr.port() == 3000);
}

#[test]
fn a_fragment_is_not_sent() {
    let t = Target::parse("http://127.0.0.1/a/b?c=d#frag", false).unwrap();
    assert_eq!(t.path_and_query, "/a/b?c=d");
}

#[test]
fn remote_hosts_need_allow_remote() {
    let e = Target::parse("http://10.1.2.3:80/x", false).unwrap_err();
    assert!(matches!(e, TargetError::Remote { .. }), "{e:?}");
    assert!(e.to_string().contains("--allow-remote"), "{e}");
    let t = Target::parse("http://10.1.2.3:80/x", true).unwrap();
    assert_eq!(t.addr, "10.1.2.3:80".parse::<SocketAddr>().unwrap());
    assert!(matches!(Target::parse("http://0.0.0.0:80/", false), Err(TargetError::Remote { .. })));
}

#[test]
fn https_and_other_schemes_are_refused() {
    let e = Target::parse("https://127.0.0.1/predict", false).unwrap_err();
    assert_eq!(e, TargetError::Https);
    assert!(e.to_string().contains("https is not supported"), "{e}");
    assert!(matches!(Target::parse("HTTPS://127.0.0.1/", true), Err(TargetError::Https)));
    assert!(matches!(Target::parse("ftp://127.0.0.1/", true), Err(TargetError::Scheme { .. })));
}

#[test]
fn bad_urls_are_refused_with_a_message() {
    for (url, want) in [
        ("127.0.0.1:8080/predict", "has no scheme"),
        ("http://", "not a valid URL"),
        ("http://127.0.0.1:0/", "no valid port"),
        ("http://127.0.0.1:/", "no valid port"),
        ("http://127.0.0.1:99999/", "http://127.0.0.1:99999/"),
        ("http://user:pw@127.0.0.1/", "credentials"),
        ("http://exa mple/", "not a valid URL"),
        ("http://no-such-host.invalid/", "could not resolve"),
    ] {
        let e = Target::parse(url, false).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(want), "{url}: {msg}");
        assert!(!msg.ends_with('.') && msg.starts_with(|c: char| !c.is_uppercase()), "{url}: {msg}");
    }
}
