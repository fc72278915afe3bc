//! The pages the emailed links open: `GET /verify-email`,
//! `GET /reset-password` and `GET /confirm-email`, with their one
//! stylesheet and one script under `/pages/`. Routed only when the server
//! turns them on (`APP_PAGES__ENABLED`); otherwise those paths are unknown
//! paths like any other (404 problem+json).
//!
//! Each page is static HTML from the binary: the server never reads the
//! token, so opening a link changes nothing (mail scanners follow links)
//! and the request log, which names the route template only, cannot hold
//! it. The script (`assets/pages.js`) reads the token from the address,
//! takes it out of the address bar and the history entry at once, and
//! posts it to the JSON endpoint of the flow, on the page's own origin,
//! when the person presses the button.
//!
//! Cross-site requests: the three endpoints need no credentials a browser
//! would attach by itself (no cookies, no HTTP authentication): the token
//! in the body *is* the authority, and whoever holds it can call the API
//! from anywhere already. A cross-site form can only send
//! `application/x-www-form-urlencoded`, `multipart/form-data` or
//! `text/plain`, which these endpoints refuse with 415 before reading
//! anything, and a cross-site `fetch` with `application/json` needs a CORS
//! preflight that this service never grants. So there is nothing for a
//! forged request to borrow, and no Origin check is added (it would guard
//! nothing the token does not).

use std::sync::LazyLock;

use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::web::{self, ServiceConfig};
use domain::values::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

use crate::routes::resource;

/// What the pages may load: their own script, stylesheet and API, nothing
/// inline, nothing from elsewhere, never framed.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The stylesheet and the script every page loads.
pub(crate) const STYLESHEET_PATH: &str = "/pages/pages.css";
pub(crate) const SCRIPT_PATH: &str = "/pages/pages.js";

const LAYOUT: &str = include_str!("templates/layout.html");
const STYLESHEET: &str = include_str!("assets/pages.css");
const SCRIPT: &str = include_str!("assets/pages.js");

/// One page: its path (the one `application` builds links to), the flow the
/// script runs (the API endpoint `/api/v1/auth/{flow}`), its title and its
/// body.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) path: &'static str,
    pub(crate) flow: &'static str,
    pub(crate) title: &'static str,
    body: &'static str,
}

pub(crate) const PAGES: [Page; 3] = [
    Page {
        path: "/verify-email",
        flow: "verify-email",
        title: "Verify your email address",
        body: include_str!("templates/verify-email.html"),
    },
    Page {
        path: "/reset-password",
        flow: "reset-password",
        title: "Choose a new password",
        body: include_str!("templates/reset-password.html"),
    },
    Page {
        path: "/confirm-email",
        flow: "confirm-email",
        title: "Confirm your new email address",
        body: include_str!("templates/confirm-email.html"),
    },
];

/// The pages, rendered once. Every value put in is a constant of ours (no
/// request data ever reaches a page), so nothing needs escaping.
static RENDERED: LazyLock<Vec<String>> = LazyLock::new(|| PAGES.iter().map(render).collect());

fn render(page: &Page) -> String {
    LAYOUT
        .replace("{{main}}", page.body)
        .replace("{{title}}", page.title)
        .replace("{{flow}}", page.flow)
        .replace("{{stylesheet}}", STYLESHEET_PATH)
        .replace("{{script}}", SCRIPT_PATH)
        .replace("{{password_min}}", &PASSWORD_MIN_CHARS.to_string())
        .replace("{{password_max}}", &PASSWORD_MAX_CHARS.to_string())
}

/// Routes the pages and their assets; each answers other methods 405.
pub(crate) fn configure(cfg: &mut ServiceConfig) {
    for (index, page) in PAGES.iter().enumerate() {
        cfg.service(
            resource(page.path, "GET").route(web::get().to(move || async move { html(index) })),
        );
    }
    cfg.service(
        resource(STYLESHEET_PATH, "GET")
            .route(web::get().to(|| async { asset("text/css; charset=utf-8", STYLESHEET) })),
    );
    cfg.service(
        resource(SCRIPT_PATH, "GET")
            .route(web::get().to(|| async { asset("text/javascript; charset=utf-8", SCRIPT) })),
    );
}

fn html(index: usize) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type("text/html; charset=utf-8");
    for (name, value) in page_headers() {
        response.insert_header((name, value));
    }
    response.body(RENDERED.get(index).cloned().unwrap_or_default())
}

/// The headers of every page: what it may load, never framed, never a
/// `Referer` (the first load's URL holds the token), never stored.
/// (`Cache-Control: no-store` is on every answer but the docs' anyway;
/// a page states it itself so that it never depends on that.)
fn page_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_of_every_page_is_filled() {
        for (page, html) in PAGES.iter().zip(RENDERED.iter()) {
            assert!(!html.contains("{{"), "{}: {html}", page.path);
            assert!(html.contains(&format!("data-flow=\"{}\"", page.flow)));
            assert!(html.contains(&format!("<title>{}</title>", page.title)));
        }
    }

    #[test]
    fn the_pages_carry_no_inline_script_or_style() {
        // The CSP refuses both: one slipped in would silently not work.
        for html in RENDERED.iter() {
            assert_eq!(html.matches("<script").count(), 1, "{html}");
            assert!(html.contains(&format!("<script src=\"{SCRIPT_PATH}\" defer></script>")));
            assert!(!html.contains("<style"), "{html}");
            assert!(!html.contains(" style="), "{html}");
            let handler = html.split(" on").skip(1).find(|rest| {
                rest.split('=').next().is_some_and(|name| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase())
                })
            });
            assert!(handler.is_none(), "an inline handler: on{handler:?}");
        }
    }

    #[test]
    fn the_reset_page_shows_the_password_rules_of_the_domain() {
        let reset = &RENDERED[1];
        assert!(reset.contains(&format!(
            "{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters"
        )));
    }

    #[test]
    fn every_form_field_has_a_label() {
        for html in RENDERED.iter() {
            for input in html.split("<input").skip(1) {
                let id = input
                    .split("id=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_else(|| panic!("an input without an id: {input}"));
                assert!(html.contains(&format!("<label for=\"{id}\"")), "{id}");
            }
        }
    }
}
