//! Every route, one handler per file. Each resource answers other methods
//! with 405 and `Allow`; unknown paths answer 404; both as problems. The
//! `/api/v1/auth` scope is rate limited. The router comes from one route
//! table (below), as do the `Allow` headers. Every operation but the token
//! endpoint reads its query string strictly (`QueryParams`, or `NoQuery`
//! when it takes none).

pub(crate) mod admin;
pub(crate) mod auth;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod users;
pub(crate) mod well_known;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpResponse, Resource};

use crate::error::ApiError;
use crate::middleware::rate_limit;

/// One row of the route table, for the tests that hold it against the
/// OpenAPI document.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Route {
    /// The full path template, as actix and the OpenAPI document write it.
    pub(crate) path: &'static str,
    /// The methods it serves, in `Allow` order.
    pub(crate) methods: &'static [&'static str],
    /// The `Allow` header of its 405 answers: the methods, comma-separated.
    pub(crate) allow: &'static str,
    /// Whether the OpenAPI document describes it.
    pub(crate) documented: bool,
}

/// `Allow` for a list of methods: `GET, PATCH, DELETE`.
macro_rules! allow {
    ($first:ident $(, $rest:ident)*) => {
        concat!(stringify!($first) $(, ", ", stringify!($rest))*)
    };
}

/// One resource: each method routed to its handler, every other method
/// answered 405 with `Allow`.
macro_rules! resource {
    ($path:expr; $($method:ident $handler:path),+) => {
        resource($path, allow!($($method),+))
            $(.route(web::method(Method::$method).to($handler)))+
    };
}

/// A row of `ROUTES`.
#[cfg(test)]
macro_rules! row {
    ($path:expr, $documented:literal; $($method:ident),+) => {
        Route {
            path: $path,
            methods: &[$(stringify!($method)),+],
            allow: allow!($($method),+),
            documented: $documented,
        }
    };
}

/// The route table: `configure` (the router, with each resource's `Allow`)
/// and `ROUTES` (which a test holds against the OpenAPI document) are both
/// generated from it.
macro_rules! route_table {
    (
        rate_limited $scope:literal {
            $($spath:literal => $($smethod:ident $shandler:path),+;)+
        }
        documented {
            $($path:literal => $($method:ident $handler:path),+;)+
        }
        undocumented {
            $($upath:literal => $($umethod:ident $uhandler:path),+;)+
        }
    ) => {
        pub(crate) fn configure(cfg: &mut ServiceConfig) {
            // Every request the router sends into the rate-limited scope
            // counts towards the limit, unknown paths and other methods
            // included.
            cfg.service(
                web::scope($scope)
                    .wrap(from_fn(rate_limit))
                    $(.service(resource!($spath; $($smethod $shandler),+)))+,
            )
            $(.service(resource!($path; $($method $handler),+)))+
            $(.service(resource!($upath; $($umethod $uhandler),+)))+;
        }

        /// Every route, in the table's order.
        #[cfg(test)]
        pub(crate) const ROUTES: &[Route] = &[
            $(row!(concat!($scope, $spath), true; $($smethod),+),)+
            $(row!($path, true; $($method),+),)+
            $(row!($upath, false; $($umethod),+),)+
        ];
    };
}

route_table! {
    rate_limited "/api/v1/auth" {
        "/register" => POST auth::register::register;
        "/login" => POST auth::login::login;
        "/mfa" => POST auth::mfa::login_mfa;
        "/token" => POST auth::token::token;
        "/refresh" => POST auth::refresh::refresh;
        "/logout" => POST auth::logout::logout;
        "/verify-email" => POST auth::verify_email::verify_email;
        "/verify-email/resend" => POST auth::resend_verification::resend_verification;
        "/forgot-password" => POST auth::forgot_password::forgot_password;
        "/reset-password" => POST auth::reset_password::reset_password;
        "/confirm-email" => POST auth::confirm_email::confirm_email;
    }
    documented {
        "/api/v1/users/me" =>
            GET users::me::me, PATCH users::update_me::update_me, DELETE users::delete_me::delete_me;
        "/api/v1/users/me/password" => PUT users::change_password::change_password;
        "/api/v1/users/me/email" => POST users::change_email::change_email;
        "/api/v1/users/me/sessions" => GET users::list_sessions::list_sessions;
        "/api/v1/users/me/sessions/{id}" => DELETE users::revoke_session::revoke_session;
        "/api/v1/users/me/events" => GET users::list_events::list_events;
        "/api/v1/users/me/mfa" => DELETE users::disable_mfa::disable_mfa;
        "/api/v1/users/me/mfa/totp" => POST users::start_totp::start_totp;
        "/api/v1/users/me/mfa/totp/confirm" => POST users::confirm_totp::confirm_totp;
        "/api/v1/users/me/mfa/recovery-codes" =>
            POST users::regenerate_recovery_codes::regenerate_recovery_codes;
        // After every `/api/v1/users/me...` path: the router takes the first
        // match, so `me` keeps meaning the caller (and is never an `{id}`).
        "/api/v1/users" => GET admin::list_users::list_users, POST admin::create_user::create_user;
        "/api/v1/users/{id}" =>
            GET admin::get_user::get_user, PATCH admin::update_user::update_user,
            DELETE admin::delete_user::delete_user;
        "/api/v1/users/{id}/password-reset" =>
            POST admin::send_password_reset::send_password_reset;
        "/api/v1/users/{id}/sessions" => DELETE admin::end_user_sessions::end_user_sessions;
        "/api/v1/users/{id}/events" => GET admin::list_user_events::list_user_events;
        "/api/v1/users/{id}/mfa" => DELETE admin::disable_user_mfa::disable_user_mfa;
        "/health/live" => GET health::live::live;
        "/health/ready" => GET health::ready::ready;
        "/.well-known/jwks.json" => GET well_known::jwks::jwks;
        "/.well-known/oauth-authorization-server" => GET well_known::metadata::metadata;
    }
    undocumented {
        "/openapi.json" => GET docs::openapi_document;
        "/docs" => GET docs::docs_index;
        "/docs/{file:.*}" => GET docs::docs_file;
    }
}

/// A resource whose other methods answer 405 with `Allow: allow`.
pub(crate) fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
    }))
}

/// The answer for paths that no route matches.
pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    #[test]
    fn the_openapi_paths_and_methods_are_the_documented_routes() {
        let document = serde_json::to_value(crate::openapi::openapi()).unwrap();
        let in_document: BTreeSet<(String, String)> = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|key| METHODS.contains(&key.as_str()))
                    .map(|method| (path.clone(), method.clone()))
            })
            .collect();
        let in_table: BTreeSet<(String, String)> = ROUTES
            .iter()
            .filter(|route| route.documented)
            .flat_map(|route| {
                route
                    .methods
                    .iter()
                    .map(|method| (route.path.to_owned(), method.to_ascii_lowercase()))
            })
            .collect();

        assert_eq!(
            in_document,
            in_table,
            "documented but not routed: {:?}; routed but not documented: {:?}",
            in_document.difference(&in_table).collect::<Vec<_>>(),
            in_table.difference(&in_document).collect::<Vec<_>>(),
        );
    }

    #[test]
    fn each_path_is_one_row_and_allow_lists_its_methods() {
        let mut paths = BTreeSet::new();
        for route in ROUTES {
            assert!(paths.insert(route.path), "{} twice", route.path);
            assert_eq!(route.allow, route.methods.join(", "), "{}", route.path);
        }
    }
}
