//! What the request's log lines say, captured as JSON.

use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use domain::InfraError;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;

use crate::support::*;

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

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

/// Runs `body` with a JSON subscriber on this thread.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(captured.clone())
        .finish();
    // Other tests run on other threads with no subscriber of their own, and
    // a callsite they reach first could cache "never interested" (or a
    // global max level of OFF), dropping the request span on this thread.
    // A global subscriber that is interested in everything (and writes
    // nothing) rules that out for the whole test binary.
    static GLOBAL: Once = Once::new();
    GLOBAL.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}

#[actix_web::test]
async fn each_request_logs_one_info_line_with_its_id_method_route_template_and_status() {
    let (captured, _guard) = capture();
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    // The query (refused: `me` takes none) is in neither the route nor the
    // line.
    let reply = send(
        &fixture.app(),
        bearer(actix_web::test::TestRequest::get().uri("/api/v1/users/me?x=1")),
    )
    .await;

    let id = reply.header("x-request-id").unwrap();
    let lines: Vec<Value> = captured
        .lines()
        .into_iter()
        .filter(|line| line["fields"]["message"] == "request completed")
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["span"]["request_id"], id);
    assert_eq!(line["fields"]["method"], "GET");
    assert_eq!(line["fields"]["route"], "/api/v1/users/me");
    assert_eq!(line["fields"]["status"], 422);
    assert!(line["fields"]["duration_ms"].is_number());
    assert!(!line.to_string().contains(ACCESS_TOKEN));
    assert!(!line.to_string().contains("x=1"));
}

#[actix_web::test]
async fn a_500_logs_the_cause_chain_once_under_the_request_id() {
    let (captured, _guard) = capture();
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|_, _| Err(InfraError::unexpected("disk on fire").into()));
    let body = json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada"});

    let reply = send(&fixture.app(), post_json("/api/v1/auth/register", &body)).await;

    let id = reply.header("x-request-id").unwrap();
    let errors: Vec<Value> = captured
        .lines()
        .into_iter()
        .filter(|line| line["level"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["span"]["request_id"], id);
    assert!(
        errors[0]["fields"]["error.chain"]
            .as_str()
            .unwrap()
            .contains("disk on fire")
    );
    assert!(!reply.text().contains("disk on fire"));
    let everything = captured
        .lines()
        .iter()
        .map(Value::to_string)
        .collect::<String>();
    assert!(!everything.contains(PASSWORD));
}

#[actix_web::test]
async fn opening_a_page_logs_its_route_and_never_the_token_in_its_query() {
    let (captured, _guard) = capture();
    let mut fixture = Fixture::new();
    fixture.http.pages = true;
    let app = fixture.app();

    for page in ["/verify-email", "/reset-password", "/confirm-email"] {
        let reply = send(
            &app,
            actix_web::test::TestRequest::get().uri(&format!("{page}?token={LINK_TOKEN}")),
        )
        .await;
        assert_eq!(reply.status, 200);
        let id = reply.header("x-request-id").unwrap();
        let line = captured
            .lines()
            .into_iter()
            .find(|line| line["span"]["request_id"] == id)
            .unwrap();
        assert_eq!(line["fields"]["route"], page);
    }

    let lines = captured.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in lines {
        assert!(!line.to_string().contains(LINK_TOKEN), "{line}");
        assert!(!line.to_string().contains("token="), "{line}");
    }
}
