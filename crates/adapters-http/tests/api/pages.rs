//! The pages the emailed links open: served only when turned on, static,
//! with the headers that keep their token to themselves, and changing
//! nothing when opened. Every port is a mock without expectations, so a
//! page that touched one would fail the test.

use actix_web::http::header;
use actix_web::test::TestRequest;

use crate::support::*;

const PAGES: [&str; 3] = ["/verify-email", "/reset-password", "/confirm-email"];
const ASSETS: [(&str, &str); 2] = [
    ("/pages/pages.css", "text/css; charset=utf-8"),
    ("/pages/pages.js", "text/javascript; charset=utf-8"),
];
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn with_pages() -> Fixture {
    let mut fixture = Fixture::new();
    fixture.http.pages = true;
    fixture
}

fn get(path: &str) -> TestRequest {
    TestRequest::get().uri(path)
}

#[actix_web::test]
async fn each_page_is_html_with_a_strict_csp_no_framing_no_referrer_and_no_store() {
    let app = with_pages().app();
    for page in PAGES {
        let reply = send(&app, get(&format!("{page}?token={LINK_TOKEN}"))).await;

        assert_eq!(reply.status, 200, "{page}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(reply.header("content-security-policy"), Some(CSP));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(reply.header("x-request-id").is_some());
        let html = reply.text();
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(
            !html.contains(LINK_TOKEN),
            "the page never echoes the token"
        );
    }
}

#[actix_web::test]
async fn opening_a_page_with_a_token_touches_no_port() {
    // The fixture's mocks have no expectations: any port call panics.
    let app = with_pages().app();
    for page in PAGES {
        for query in [
            format!("?token={LINK_TOKEN}"),
            String::new(),
            "?token=".into(),
        ] {
            let reply = send(&app, get(&format!("{page}{query}"))).await;
            assert_eq!(reply.status, 200, "{page}{query}");
        }
    }
}

#[actix_web::test]
async fn the_stylesheet_and_the_script_are_served_from_the_binary() {
    let app = with_pages().app();
    for (path, content_type) in ASSETS {
        let reply = send(&app, get(path)).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(!reply.body.is_empty());
    }
}

#[actix_web::test]
async fn the_pages_load_only_their_own_assets() {
    let app = with_pages().app();
    for page in PAGES {
        let html = send(&app, get(page)).await.text();
        assert!(html.contains(r#"<link rel="stylesheet" href="/pages/pages.css">"#));
        assert!(html.contains(r#"<script src="/pages/pages.js" defer></script>"#));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{html}"
        );
    }
}

#[actix_web::test]
async fn with_the_pages_off_their_paths_are_unknown_paths() {
    let app = Fixture::new().app();
    for path in PAGES.into_iter().chain(ASSETS.map(|(path, _)| path)) {
        let reply = send(&app, get(&format!("{path}?token={LINK_TOKEN}"))).await;
        reply.assert_problem(404, "not_found");
    }
}

#[actix_web::test]
async fn a_page_answers_other_methods_405_with_allow_get() {
    let app = with_pages().app();
    for page in PAGES {
        for request in [
            TestRequest::post(),
            TestRequest::put(),
            TestRequest::delete(),
        ] {
            let reply = send(&app, request.uri(page)).await;
            reply.assert_problem(405, "method_not_allowed");
            assert_eq!(reply.header("allow"), Some("GET"));
        }
    }
}

/// What a page on another site can make a browser send without a CORS
/// preflight: a form post (or a `fetch` with a "simple" content type).
#[actix_web::test]
async fn a_cross_site_form_cannot_post_to_the_link_endpoints() {
    let app = with_pages().app();
    let body = format!("token={LINK_TOKEN}&new_password=x");
    for endpoint in [
        "/api/v1/auth/verify-email",
        "/api/v1/auth/reset-password",
        "/api/v1/auth/confirm-email",
    ] {
        for content_type in [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
        ] {
            let request = TestRequest::post()
                .uri(endpoint)
                .insert_header(("origin", "https://evil.example"))
                .insert_header(("content-type", content_type))
                .set_payload(body.clone());
            let reply = send(&app, request).await;
            reply.assert_problem(415, "unsupported_media_type");
        }
        // The preflight a cross-site JSON `fetch` needs is never granted.
        let preflight = TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri(endpoint)
            .insert_header(("origin", "https://evil.example"))
            .insert_header(("access-control-request-method", "POST"))
            .insert_header(("access-control-request-headers", "content-type"));
        let reply = send(&app, preflight).await;
        assert!(!reply.status.is_success(), "{endpoint}: {}", reply.status);
        assert!(
            reply
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
}
