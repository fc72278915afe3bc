//! Logs: `tracing` events to standard error (standard output stays free for
//! what a command prints), human-readable or one JSON object per line,
//! filtered by `RUST_LOG` (default `info`). Events of the `log` crate (from
//! libraries) are forwarded too.
//!
//! Nothing here logs a setting's value: secrets reach adapters as plain
//! arguments and never a log line.

use std::io::IsTerminal;

use anyhow::{Context, anyhow};
use tracing::Subscriber;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::settings::LogFormat;

/// Installs the global subscriber for `format`.
///
/// # Errors
/// When `RUST_LOG` is not a valid filter, or a subscriber is already set.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env()
        .context("RUST_LOG is not a valid log filter")?;
    let ansi = std::io::stderr().is_terminal();
    subscriber(format, filter, std::io::stderr, ansi)
        .try_init()
        .map_err(|e| anyhow!(e))
        .context("installing the log subscriber")
}

/// The subscriber for `format`, writing to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Pretty => Box::new(builder.with_ansi(ansi).finish()),
        // Every span in scope is listed, so the request id of the request
        // span is on every line of that request.
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(true)
                .finish(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn capture(format: LogFormat, filter: &str, emit: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = subscriber(
            format,
            EnvFilter::new(filter),
            move || writer.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    fn emit_a_request() {
        let span = tracing::info_span!(
            "request",
            request_id = "req-42",
            route = "/api/v1/users/{id}"
        );
        let _entered = span.enter();
        tracing::info!(status = 200, "finished");
        tracing::debug!("details");
    }

    #[test]
    fn json_lines_are_one_object_each_with_the_request_id() {
        let out = capture(LogFormat::Json, "info", emit_a_request);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(line["message"], "finished");
        assert_eq!(line["status"], 200);
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["spans"][0]["request_id"], "req-42");
    }

    #[test]
    fn pretty_lines_are_human_readable() {
        let out = capture(LogFormat::Pretty, "info", emit_a_request);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains("INFO"), "{out}");
        assert!(out.contains("finished"), "{out}");
        assert!(out.contains("req-42"), "{out}");
        assert!(serde_json::from_str::<serde_json::Value>(out.trim()).is_err());
    }

    #[test]
    fn the_filter_lets_debug_through_when_asked() {
        let out = capture(LogFormat::Pretty, "debug", emit_a_request);
        assert_eq!(out.lines().count(), 2, "{out}");
    }
}
