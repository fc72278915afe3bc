//! The real server on a loopback port, spoken to over raw TCP: what the
//! in-process tests cannot show (chunked bodies, early 413s, headers on
//! the wire).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use adapters_http::HttpConfig;

use crate::support::*;

/// Writes `request` (ignoring a reset once the server has answered) and
/// reads until the server closes the connection.
fn exchange(addr: SocketAddr, head: &str, chunks: &[Vec<u8>]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in chunks {
        if stream.write_all(chunk).is_err() {
            break;
        }
    }
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

async fn with_server(run: impl FnOnce(SocketAddr) -> String + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fixture = Fixture::new();
    fixture.http = HttpConfig {
        workers: Some(1),
        ..HttpConfig::default()
    };
    let (state, config) = fixture.into_parts();
    let server = adapters_http::server(listener, state, config).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let response = actix_web::rt::task::spawn_blocking(move || run(addr))
        .await
        .unwrap();
    handle.stop(true).await;
    response
}

#[actix_web::test]
async fn a_declared_length_over_64_kib_is_refused_before_the_body_is_sent() {
    let response = with_server(|addr| {
        let head = "POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\n\
                    Content-Type: application/json\r\nContent-Length: 100000\r\n\
                    Connection: close\r\n\r\n{";
        exchange(addr, head, &[])
    })
    .await;

    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("payload_too_large"));
}

#[actix_web::test]
async fn a_chunked_body_over_64_kib_is_refused_while_reading() {
    let response = with_server(|addr| {
        let head = "POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\n\
                    Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
                    Connection: close\r\n\r\n";
        let mut chunks: Vec<Vec<u8>> = (0..9)
            .map(|_| {
                let mut chunk = b"2000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b' ', 0x2000));
                chunk.extend_from_slice(b"\r\n");
                chunk
            })
            .collect();
        chunks.push(b"0\r\n\r\n".to_vec());
        exchange(addr, head, &chunks)
    })
    .await;

    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("payload_too_large"));
}

#[actix_web::test]
async fn responses_on_the_wire_carry_no_server_banner() {
    let response = with_server(|addr| {
        exchange(
            addr,
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            &[],
        )
    })
    .await;

    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let lower = response.to_ascii_lowercase();
    assert!(!lower.contains("\r\nserver:"), "{response}");
    assert!(lower.contains("\r\nx-content-type-options: nosniff"));
    assert!(lower.contains("\r\nx-request-id: "));
}
