//! The OpenAPI 3.1 document, generated from the handlers' annotations.

mod patterns;
pub(crate) mod responses;

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{AdditionalProperties, OneOfBuilder, Schema};
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{Header, ObjectBuilder, RefOr, Required, Type};
use utoipa::{Modify, OpenApi};

use crate::dto::{
    AuthorizationServerMetadata, CheckState, Curve, EventKindName, EventPageResponse,
    EventResponse, GrantTypeName, HealthStatus, Jwk, JwkSet, JwsAlgorithm, KeyType, KeyUse,
    LiveResponse, ReadinessChecks, ReadyResponse, RecoveryCodesResponse, RoleName,
    SessionListResponse, SessionResponse, TokenEndpointAuthMethod, TokenPairResponse, TokenType,
    TotpEnrolmentResponse, UserPageResponse, UserResponse,
};
use crate::error::{
    FieldError, GrantError, GrantErrorCode, MfaRequiredProblem, Problem, ReadinessProblem,
    ValidationProblem,
};
use crate::middleware::MAX_REQUEST_ID_LEN;
use crate::openapi::patterns::UserNames;
use crate::routes::admin::{
    create_user, delete_user, disable_user_mfa, end_user_sessions, get_user, list_user_events,
    list_users, send_password_reset, update_user,
};
use crate::routes::auth::{
    confirm_email, forgot_password, login, logout, mfa, refresh, register, resend_verification,
    reset_password, token, verify_email,
};
use crate::routes::users::{
    change_email, change_password, confirm_totp, delete_me, disable_mfa, list_events,
    list_sessions, me, mfa_code, regenerate_recovery_codes, revoke_session, start_totp, update_me,
};
use crate::routes::{health, well_known};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "User accounts API",
        version = "1.0.0",
        description = include_str!("description.md"),
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        register::register,
        login::login,
        token::token,
        refresh::refresh,
        logout::logout,
        verify_email::verify_email,
        resend_verification::resend_verification,
        forgot_password::forgot_password,
        reset_password::reset_password,
        confirm_email::confirm_email,
        me::me,
        update_me::update_me,
        delete_me::delete_me,
        change_password::change_password,
        change_email::change_email,
        list_sessions::list_sessions,
        revoke_session::revoke_session,
        list_events::list_events,
        list_users::list_users,
        create_user::create_user,
        get_user::get_user,
        update_user::update_user,
        delete_user::delete_user,
        send_password_reset::send_password_reset,
        end_user_sessions::end_user_sessions,
        list_user_events::list_user_events,
        health::live::live,
        health::ready::ready,
        mfa::login_mfa,
        start_totp::start_totp,
        confirm_totp::confirm_totp,
        regenerate_recovery_codes::regenerate_recovery_codes,
        disable_mfa::disable_mfa,
        disable_user_mfa::disable_user_mfa,
        well_known::jwks::jwks,
        well_known::metadata::metadata,
    ),
    components(
        schemas(
            Problem, ValidationProblem, FieldError, ReadinessProblem, GrantError, GrantErrorCode,
            UserResponse, RoleName, TokenPairResponse, TokenType, LiveResponse, ReadyResponse,
            ReadinessChecks, CheckState, HealthStatus, SessionResponse, SessionListResponse,
            EventResponse, EventKindName, EventPageResponse, UserPageResponse,
            register::RegisterRequest, login::LoginRequest, refresh::RefreshRequest,
            token::TokenRequest, token::PasswordGrant, token::PasswordGrantType,
            token::RefreshTokenGrant, token::RefreshTokenGrantType,
            verify_email::VerifyEmailRequest,
            forgot_password::ForgotPasswordRequest, reset_password::ResetPasswordRequest,
            confirm_email::ConfirmEmailRequest, update_me::UpdateMeRequest,
            change_password::ChangePasswordRequest, change_email::ChangeEmailRequest,
            create_user::CreateUserRequest, update_user::UpdateUserRequest,
            MfaRequiredProblem, TotpEnrolmentResponse, RecoveryCodesResponse,
            mfa::MfaLoginRequest, start_totp::StartTotpRequest,
            confirm_totp::ConfirmTotpRequest, mfa_code::PasswordAndCodeRequest,
            JwkSet, Jwk, KeyType, Curve, JwsAlgorithm, KeyUse, AuthorizationServerMetadata,
            GrantTypeName, TokenEndpointAuthMethod,
        ),
        responses(
            responses::MalformedRequest, responses::ValidationFailed, responses::Unauthorized,
            responses::InvalidCredentials, responses::InvalidRefreshToken,
            responses::LoginForbidden, responses::EmailTaken, responses::PayloadTooLarge,
            responses::UnsupportedMediaType, responses::TooManyRequests, responses::Unavailable,
            responses::UnavailableOrOverloaded, responses::NotReady, responses::Internal,
            responses::GrantFailed, responses::UnauthorizedOrInvalidCredentials,
            responses::LastAdmin, responses::NotFound, responses::LockedOut,
            responses::InvalidQuery, responses::TokenRejected, responses::Forbidden,
            responses::LoginForbiddenOrMfaRequired, responses::InvalidMfaTokenOrCode,
            responses::UnauthorizedOrInvalidMfaCode,
            responses::UnauthorizedOrInvalidCredentialsOrCode, responses::MfaAlreadyEnabled,
        ),
    ),
    modifiers(&Security, &ClosedRequestBodies, &OneSecondFactor, &UserNames, &RequestIds),
    tags(
        (name = "auth", description = "Registration, login, tokens, logout, and the links \
            mailed for email verification, password reset and email change"),
        (name = "users", description = "The current user: profile, password, email, sessions \
            and security events"),
        (name = "admin", description = "Administration of every account; role `admin` only \
            (403 `forbidden` to anyone else, by the role the account has now)"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "discovery", description = "What other services need to verify access tokens \
            offline: the published signing keys and the authorization server metadata"),
    ),
)]
struct ApiDoc;

/// The OpenAPI document of the service.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document as pretty-printed JSON with a final newline, as
/// served at `/openapi.json` and committed as `docs/openapi.json`.
#[must_use]
pub fn openapi_json() -> String {
    // The document is plain data with string keys: serialising it cannot
    // fail, and an empty document would fail the drift test loudly.
    let mut json = openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// The bearer scheme and the OAuth 2.0 password flow.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        bearer.description = Some(
            "An access token from login, refresh or the token endpoint. Treat it as opaque."
                .to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let flow = Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()));
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [flow],
                "The password grant of `/api/v1/auth/token` (username = email); no scopes, \
                 no client authentication.",
            )),
        );
    }
}

/// Every JSON request body refuses unknown members, and says so: the
/// schemas closed here are read from the operations themselves.
struct ClosedRequestBodies;

impl ClosedRequestBodies {
    /// The schema names of the operations' `application/json` request bodies.
    fn json_bodies(openapi: &utoipa::openapi::OpenApi) -> Vec<String> {
        openapi
            .paths
            .paths
            .values()
            .flat_map(|item| {
                [
                    &item.get,
                    &item.put,
                    &item.post,
                    &item.delete,
                    &item.options,
                    &item.head,
                    &item.patch,
                    &item.trace,
                ]
            })
            .flatten()
            .filter_map(|operation| operation.request_body.as_ref())
            .filter_map(|body| body.content.get("application/json"))
            .filter_map(|content| match &content.schema {
                Some(RefOr::Ref(reference)) => reference
                    .ref_location
                    .strip_prefix("#/components/schemas/")
                    .map(str::to_owned),
                _ => None,
            })
            .collect()
    }
}

impl Modify for ClosedRequestBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let names = Self::json_bodies(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in names {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// The second step of a login takes a TOTP code or a recovery code, exactly
/// one: the schema says so with a `oneOf` of two closed objects (run after
/// `ClosedRequestBodies`, whose `additionalProperties: false` each branch
/// keeps), so that a body with neither or both is schema-invalid, as the
/// server's 422 says it is.
struct OneSecondFactor;

impl OneSecondFactor {
    const SCHEMA: &str = "MfaLoginRequest";
    /// Each factor, and the one its branch leaves out.
    const BRANCHES: [(&str, &str); 2] = [("code", "recovery_code"), ("recovery_code", "code")];
}

impl Modify for OneSecondFactor {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get(Self::SCHEMA) else {
            return;
        };
        let mut one_of = OneOfBuilder::new()
            .description(object.description.clone())
            .examples(object.example.clone());
        for (factor, other) in Self::BRANCHES {
            let mut branch = object.clone();
            branch.properties.remove(other);
            branch.required.push(factor.to_owned());
            branch.description = None;
            branch.example = None;
            branch.title = Some(format!("with `{factor}`"));
            one_of = one_of.item(Schema::Object(branch));
        }
        components.schemas.insert(
            Self::SCHEMA.to_owned(),
            RefOr::T(Schema::OneOf(one_of.build())),
        );
    }
}

/// `x-request-id` on every operation's request and every response.
struct RequestIds;

/// What an echoed or generated request id looks like: visible ASCII only.
const VISIBLE_ASCII_ID: &str = "^[!-~]+$";

impl RequestIds {
    /// The response header: always 1 to 128 visible ASCII characters (a
    /// client's id is echoed only when it is such, a UUID is made otherwise).
    fn header() -> Header {
        let mut header = Header::new(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(VISIBLE_ASCII_ID))
                .min_length(Some(1))
                .max_length(Some(MAX_REQUEST_ID_LEN)),
        );
        header.description = Some(
            "The request's id: the client's own when it sent a sane one (1 to 128 visible \
             ASCII characters), a new UUID otherwise. Logged with every line of the request."
                .to_owned(),
        );
        header
    }

    fn add_to(response: &mut Response) {
        response
            .headers
            .insert("x-request-id".to_owned(), Self::header());
    }

    fn add_parameter(operation: &mut Operation) {
        let parameter = ParameterBuilder::new()
            .name("x-request-id")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            // Any value is accepted: one that is not 1 to 128 visible ASCII
            // characters is not an error, it is replaced (see the response
            // header), so the schema has no constraint a request could break.
            .description(Some(
                "An id for this request, echoed in `x-request-id` and logged when it is 1 to \
                 128 visible ASCII characters; any other value (or none) is replaced by a new \
                 UUID, never refused.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build();
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(parameter);
    }
}

impl Modify for RequestIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                Self::add_parameter(operation);
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        Self::add_to(response);
                    }
                }
            }
        }
        if let Some(components) = openapi.components.as_mut() {
            for response in components.responses.values_mut() {
                if let RefOr::T(response) = response {
                    Self::add_to(response);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;
    use utoipa::ToSchema;

    use super::*;
    use crate::error::CODES;
    use crate::extract::JsonRequest;
    use crate::extract::serde_fields;

    fn document() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    #[test]
    fn the_problem_schema_names_every_code_of_the_catalogue() {
        let document = document();
        let described =
            document["components"]["schemas"]["Problem"]["properties"]["code"]["description"]
                .as_str()
                .unwrap()
                .to_owned();
        for code in CODES.iter().filter(|code| !code.is_empty()) {
            assert!(
                described.contains(&format!("`{code}`")),
                "`{code}` is missing from the description of Problem.code: {described}"
            );
        }
    }

    #[test]
    fn the_mfa_login_body_is_exactly_one_of_a_totp_code_and_a_recovery_code() {
        let document = document();
        let branches = document["components"]["schemas"]["MfaLoginRequest"]["oneOf"]
            .as_array()
            .unwrap()
            .clone();
        let shapes: Vec<(Vec<String>, Vec<String>, Value)> = branches
            .iter()
            .map(|branch| {
                let strings = |value: &Value| -> Vec<String> {
                    let mut items: Vec<String> = match value {
                        Value::Array(items) => items
                            .iter()
                            .map(|i| i.as_str().unwrap().to_owned())
                            .collect(),
                        Value::Object(map) => map.keys().cloned().collect(),
                        _ => Vec::new(),
                    };
                    items.sort();
                    items
                };
                (
                    strings(&branch["required"]),
                    strings(&branch["properties"]),
                    branch["additionalProperties"].clone(),
                )
            })
            .collect();
        let closed = Value::Bool(false);
        assert_eq!(
            shapes,
            vec![
                (
                    sorted(&["code", "mfa_token"]),
                    sorted(&["code", "mfa_token"]),
                    closed.clone()
                ),
                (
                    sorted(&["mfa_token", "recovery_code"]),
                    sorted(&["mfa_token", "recovery_code"]),
                    closed
                ),
            ]
        );
    }

    /// For each JSON request body type: its schema name, its `FIELDS`, and
    /// the fields serde accepts.
    macro_rules! json_bodies {
        ($($body:ty),+ $(,)?) => {
            vec![$((
                <$body as ToSchema>::name().into_owned(),
                <$body as JsonRequest>::FIELDS,
                serde_fields::<$body>(),
            )),+]
        };
    }

    fn sorted(fields: &[&str]) -> Vec<String> {
        let mut fields: Vec<String> = fields.iter().map(|&field| field.to_owned()).collect();
        fields.sort();
        fields
    }

    #[test]
    fn every_json_body_knows_exactly_the_fields_serde_accepts_and_documents_them() {
        let bodies = json_bodies![
            register::RegisterRequest,
            login::LoginRequest,
            refresh::RefreshRequest,
            verify_email::VerifyEmailRequest,
            forgot_password::ForgotPasswordRequest,
            reset_password::ResetPasswordRequest,
            confirm_email::ConfirmEmailRequest,
            update_me::UpdateMeRequest,
            change_password::ChangePasswordRequest,
            change_email::ChangeEmailRequest,
            create_user::CreateUserRequest,
            update_user::UpdateUserRequest,
            mfa::MfaLoginRequest,
            start_totp::StartTotpRequest,
            confirm_totp::ConfirmTotpRequest,
            mfa_code::PasswordAndCodeRequest,
        ];
        let openapi = openapi();
        let in_document: BTreeSet<String> = ClosedRequestBodies::json_bodies(&openapi)
            .into_iter()
            .collect();
        let listed: BTreeSet<String> = bodies.iter().map(|(name, ..)| name.clone()).collect();
        assert_eq!(listed, in_document, "list every JSON request body here");

        let document = serde_json::to_value(&openapi).unwrap();
        for (name, fields, accepted) in bodies {
            assert_eq!(sorted(fields), sorted(accepted), "{name}: FIELDS");
            let schema = &document["components"]["schemas"][&name];
            // An object, or a `oneOf` of objects: every branch's members.
            let branches = match schema["oneOf"].as_array() {
                Some(branches) => branches.iter().collect(),
                None => vec![schema],
            };
            let properties: BTreeSet<String> = branches
                .into_iter()
                .flat_map(|branch| branch["properties"].as_object().unwrap().keys().cloned())
                .collect();
            let properties: Vec<String> = properties.into_iter().collect();
            assert_eq!(properties, sorted(fields), "{name}: documented properties");
        }
    }
}
