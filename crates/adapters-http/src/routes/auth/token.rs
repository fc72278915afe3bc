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

/// The `grant_type` of a password grant.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PasswordGrantType {
    Password,
}

/// The `grant_type` of a refresh grant.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefreshTokenGrantType {
    RefreshToken,
}

/// An OAuth 2.0 token request (RFC 6749 §4.3.2 and §6), form-encoded: one
/// of the two grants, each with its own required parameters. Parameters
/// sent empty count as omitted; none may be repeated; unrecognised ones
/// (`scope`, `client_id`...) are ignored, as RFC 6749 §3.2 requires. No
/// client authentication is needed (a public client).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "documents the form; the handler reads FormBody")]
pub enum TokenRequest {
    Password(PasswordGrant),
    RefreshToken(RefreshTokenGrant),
}

/// The resource owner password credentials grant (RFC 6749 §4.3.2).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the form; the handler reads FormBody")]
pub struct PasswordGrant {
    grant_type: PasswordGrantType,
    /// The account's email. One that is not an email address matches no
    /// account: `invalid_grant`, as a wrong password.
    #[schema(format = "email", min_length = 1)]
    username: String,
    /// The account's password.
    #[schema(format = Password, min_length = 1)]
    password: String,
}

/// A refresh (RFC 6749 §6); the refresh token is rotated as by
/// `POST /api/v1/auth/refresh`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the form; the handler reads FormBody")]
pub struct RefreshTokenGrant {
    grant_type: RefreshTokenGrantType,
    /// The refresh token of a token pair.
    #[schema(min_length = 1)]
    refresh_token: String,
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
