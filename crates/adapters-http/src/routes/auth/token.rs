use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;
use application::{LoginCommand, RefreshCommand};
use domain::{Email, PlainPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::TokenPairResponse;
use crate::error::{ApiError, GrantError, GrantErrorCode};
use crate::extract::{ClientInfo, FormBody};
use crate::openapi::responses as r;

/// The grant types the token endpoint supports.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    Password,
    RefreshToken,
}

/// An OAuth 2.0 token request (RFC 6749 §4.3.2 and §6), form-encoded.
/// `username` and `password` go with `grant_type=password`,
/// `refresh_token` with `grant_type=refresh_token`. Parameters sent empty
/// count as omitted; none may be repeated; unrecognised ones (`scope`,
/// `client_id`...) are ignored, as RFC 6749 §3.2 requires. No client
/// authentication is needed (a public client).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the form; the handler reads FormBody")]
pub struct TokenRequest {
    grant_type: GrantType,
    /// The account's email (password grant).
    #[schema(value_type = String, required = false, format = "email")]
    username: Option<String>,
    /// The account's password (password grant).
    #[schema(value_type = String, required = false, format = Password)]
    password: Option<String>,
    /// A refresh token (refresh_token grant); it is rotated as by
    /// `POST /api/v1/auth/refresh`.
    #[schema(value_type = String, required = false)]
    refresh_token: Option<String>,
}

/// OAuth 2.0 token endpoint
///
/// For OAuth tooling and the docs page's Authorize button. Success is the
/// same token pair as login and refresh. Grant failures follow RFC 6749
/// §5.2 (`application/json`, status 400), not problem details. Media type,
/// size, lockout, rate limit and availability failures are problem details
/// as everywhere else.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth",
    operation_id = "token",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token pair (RFC 6749 §5.1)", body = TokenPairResponse,
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`")
            )),
        (status = 400, response = r::GrantFailed),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
// No `NoQuery` here: RFC 6749 §3.2 has the token endpoint ignore request
// parameters it does not recognise.
pub(crate) async fn token(
    state: Data<AppState>,
    client: ClientInfo,
    form: FormBody,
) -> Result<HttpResponse, ApiError> {
    let pair = match form.require("grant_type")? {
        "password" => {
            let command = password_grant(&form)?;
            state
                .sign_in
                .login(command, &client.0)
                .await
                .map_err(ApiError::from_password_grant)?
        }
        "refresh_token" => {
            let token = form.require("refresh_token")?;
            let command = RefreshCommand {
                refresh_token: token.into(),
            };
            state
                .sign_in
                .refresh(command, &client.0)
                .await
                .map_err(ApiError::from_refresh_grant)?
        }
        _ => {
            return Err(GrantError::new(
                GrantErrorCode::UnsupportedGrantType,
                "grant_type must be `password` or `refresh_token`",
            )
            .into());
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenPairResponse::from(pair)))
}

/// The login command of a password grant. A username that is not an email
/// address can match no account: `invalid_grant`, as for a wrong password.
fn password_grant(form: &FormBody) -> Result<LoginCommand, GrantError> {
    let username = form.require("username")?;
    let password = form.require("password")?;
    let email = Email::parse(username)
        .map_err(|_| GrantError::invalid_grant("invalid username or password"))?;
    Ok(LoginCommand {
        email,
        password: PlainPassword::new(password),
    })
}
