//! Test support (feature `testing`): a tiny SMTP server that captures what
//! it is sent, and a reader for the messages it or the `file` transport
//! holds. For this crate's tests and the end-to-end suite; never for
//! production.
//!
//! The sink runs on its own thread and runtime, so it works the same from
//! a plain `#[test]` and from `#[tokio::test]`; dropping it stops it and
//! frees its port.
//!
//! ```
//! use std::time::Duration;
//! use adapters_mail::testing::{ReceivedMail, ReservedPort, SmtpSink};
//!
//! let reserved = ReservedPort::new(); // point the service at reserved.port()
//! let sink = SmtpSink::start_on_reserved(reserved); // now deliveries arrive
//! let messages = sink.wait_for_messages(1, Duration::from_millis(50));
//! let links: Vec<String> = messages
//!     .iter()
//!     .filter_map(ReceivedMail::parse)
//!     .filter_map(|mail| mail.link().map(str::to_owned))
//!     .collect();
//! assert!(links.is_empty());
//! ```
// Test support: failing to bind loopback is a broken test machine.
#![allow(clippy::expect_used)]

use std::io;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;

mod received;

pub use received::ReceivedMail;

/// How the sink answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SinkBehaviour {
    /// A well-behaved server: every message is accepted and captured.
    #[default]
    Accept,
    /// Greets with `421` and closes, like a server shutting down.
    Unavailable,
    /// Answers `450` to every `RCPT TO` (mailbox busy: try again later).
    DeferRecipients,
    /// Answers `550` to every `RCPT TO` (no such mailbox).
    RejectRecipients,
    /// Answers `535` to `AUTH` (bad credentials).
    RejectLogin,
    /// Accepts the connection and never says a word.
    Silent,
}

/// An SMTP server on `127.0.0.1` that keeps every message it accepts.
#[derive(Debug)]
pub struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// An accepting sink on a free port.
    #[must_use]
    pub fn start() -> Self {
        Self::start_with(SinkBehaviour::Accept)
    }

    /// An accepting sink on a fixed `port`. For a port the service is
    /// pointed at before the sink starts, hold a [`ReservedPort`] and use
    /// [`SmtpSink::start_on_reserved`]: a port merely free now may be taken
    /// by then.
    #[must_use]
    pub fn start_on(port: u16) -> Self {
        Self::try_start(port, SinkBehaviour::Accept).expect("start the SMTP sink")
    }

    /// A sink that answers as `behaviour` says, on a free port.
    #[must_use]
    pub fn start_with(behaviour: SinkBehaviour) -> Self {
        Self::try_start(0, behaviour).expect("start the SMTP sink")
    }

    /// An accepting sink on the port `reserved` held: connections refused
    /// until now are accepted from here on. No other socket could take the
    /// port in between.
    #[must_use]
    pub fn start_on_reserved(reserved: ReservedPort) -> Self {
        Self::run(|| reserved.socket.listen(1024), SinkBehaviour::Accept)
            .expect("start the SMTP sink")
    }

    /// Listens on `127.0.0.1:port` (0: any free port) before returning.
    pub fn try_start(port: u16, behaviour: SinkBehaviour) -> io::Result<Self> {
        let listener = StdListener::bind((Ipv4Addr::LOCALHOST, port))?;
        listener.set_nonblocking(true)?;
        Self::run(|| TcpListener::from_std(listener), behaviour)
    }

    /// Runs the sink on the listener `listen` returns, made in the context
    /// of the sink's own runtime.
    fn run(
        listen: impl FnOnce() -> io::Result<TcpListener>,
        behaviour: SinkBehaviour,
    ) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _runtime = runtime.enter();
            listen()?
        };
        let port = listener.local_addr()?.port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let (shutdown, stopped) = oneshot::channel();
        let captured = Arc::clone(&messages);
        let thread = std::thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        () = accept_loop(listener, behaviour, captured) => {}
                        _ = stopped => {}
                    }
                });
            })?;
        Ok(Self {
            port,
            messages,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Every message accepted so far, as sent after `DATA` (dot-unstuffed,
    /// CRLF line ends, without the final `.`).
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Blocks until at least `count` messages arrived or `timeout` passed,
    /// then returns them all. Blocking: in async tests, use a blocking task.
    #[must_use]
    pub fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() >= deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A loopback port held for a sink that starts later: bound, so no other
/// socket can take it, but not listening, so every connection is refused,
/// as by a mail server that is down. Unlike a port found by binding and
/// closing a socket, it cannot be taken by another process before the sink
/// starts. Dropping it frees the port.
#[derive(Debug)]
pub struct ReservedPort {
    socket: TcpSocket,
    port: u16,
}

impl ReservedPort {
    /// Reserves a free loopback port.
    #[must_use]
    pub fn new() -> Self {
        let socket = TcpSocket::new_v4().expect("create a TCP socket");
        socket
            .bind((Ipv4Addr::LOCALHOST, 0).into())
            .expect("bind a loopback port");
        let port = socket.local_addr().expect("the bound address").port();
        Self { socket, port }
    }

    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }
}

impl Default for ReservedPort {
    fn default() -> Self {
        Self::new()
    }
}

async fn accept_loop(
    listener: TcpListener,
    behaviour: SinkBehaviour,
    messages: Arc<Mutex<Vec<String>>>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let messages = Arc::clone(&messages);
        tokio::spawn(async move {
            // A client that goes away mid-session is not the sink's problem.
            let _ = session(stream, behaviour, messages).await;
        });
    }
}

async fn session(
    stream: TcpStream,
    behaviour: SinkBehaviour,
    messages: Arc<Mutex<Vec<String>>>,
) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    match behaviour {
        SinkBehaviour::Silent => {
            // Hold the connection open until the client gives up.
            let mut sink = Vec::new();
            while lines.read_until(b'\n', &mut sink).await? > 0 {}
            return Ok(());
        }
        SinkBehaviour::Unavailable => {
            write
                .write_all(b"421 sink unavailable, try later\r\n")
                .await?;
            return write.shutdown().await;
        }
        _ => write.write_all(b"220 sink ESMTP ready\r\n").await?,
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line)
            .trim_end()
            .to_ascii_uppercase();
        let verb = command.split_whitespace().next().unwrap_or_default();
        let reply: &[u8] = match verb {
            "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n",
            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 ok\r\n",
            "AUTH" if behaviour == SinkBehaviour::RejectLogin => b"535 authentication failed\r\n",
            "AUTH" => b"235 authenticated\r\n",
            "RCPT" => match behaviour {
                SinkBehaviour::RejectRecipients => b"550 no such mailbox\r\n",
                SinkBehaviour::DeferRecipients => b"450 mailbox busy\r\n",
                _ => b"250 ok\r\n",
            },
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let message = read_data(&mut lines).await?;
                messages
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(message);
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads up to the line holding a lone `.`, undoing dot-stuffing.
async fn read_data<R: AsyncBufReadExt + Unpin>(lines: &mut R) -> io::Result<String> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(String::from_utf8_lossy(&message).into_owned());
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        message.extend_from_slice(unstuffed);
    }
}
