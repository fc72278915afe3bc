use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeDelta, TimeZone as _, Utc};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384};

use super::*;

const SECRET: &str = "a test secret of at least thirty-two bytes";

fn profile() -> TokenProfile {
    TokenProfile {
        issuer: "https://accounts.example".to_owned(),
        audience: None,
        client_id: "user-accounts".to_owned(),
    }
}

fn codec() -> JwtCodec {
    JwtCodec::hs256(SECRET, profile()).unwrap()
}

fn at(seconds: i64) -> Timestamp {
    Utc.timestamp_opt(seconds, 0).unwrap()
}

/// Issued 2026-01-01T00:00:00Z, valid for 15 minutes.
fn claims() -> AccessClaims {
    let issued_at = at(1_767_225_600);
    AccessClaims {
        user_id: UserId::generate(),
        session_id: SessionId::generate(),
        role: Role::User,
        issued_at,
        expires_at: issued_at + TimeDelta::minutes(15),
    }
}

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn payload_json(claims: &AccessClaims, typ: &str) -> String {
    format!(
        r#"{{"iss":"https://accounts.example","client_id":"user-accounts","role":"user","jti":"j1","sub":"{}","sid":"{}","iat":{},"exp":{},"typ":"{typ}"}}"#,
        claims.user_id,
        claims.session_id,
        claims.issued_at.timestamp(),
        claims.expires_at.timestamp(),
    )
}

/// A token built by hand, signed with HMAC-SHA256 under `key`.
fn hs256(key: &str, header: &str, payload: &str) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    format!(
        "{message}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn valid_header() -> &'static str {
    r#"{"alg":"HS256","typ":"at+jwt"}"#
}

#[test]
fn an_issued_token_decodes_to_the_claims_it_was_issued_with() {
    let claims = claims();
    let token = codec().issue(&claims).unwrap();

    let decoded = codec().decode(token.expose(), claims.issued_at).unwrap();

    assert_eq!(decoded, claims);
}

#[test]
fn issue_and_expiry_times_round_trip_at_second_precision() {
    let mut claims = claims();
    claims.issued_at += TimeDelta::milliseconds(999);
    claims.expires_at += TimeDelta::milliseconds(1);
    let token = codec().issue(&claims).unwrap();

    let decoded = codec().decode(token.expose(), claims.issued_at).unwrap();

    assert_eq!(decoded.issued_at, at(claims.issued_at.timestamp()));
    assert_eq!(decoded.expires_at, at(claims.expires_at.timestamp()));
}

#[test]
fn the_header_says_hs256_and_the_at_jwt_type() {
    let token = codec().issue(&claims()).unwrap();

    let header = jsonwebtoken::decode_header(token.expose()).unwrap();

    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
}

#[test]
fn the_claims_carry_subject_session_times_and_the_access_purpose() {
    let claims = claims();
    let token = codec().issue(&claims).unwrap();

    let payload = token.expose().split('.').nth(1).unwrap();
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();

    for part in [
        format!(r#""sub":"{}""#, claims.user_id),
        format!(r#""sid":"{}""#, claims.session_id),
        format!(r#""iat":{}"#, claims.issued_at.timestamp()),
        format!(r#""exp":{}"#, claims.expires_at.timestamp()),
        r#""typ":"access""#.to_owned(),
        r#""iss":"https://accounts.example""#.to_owned(),
        r#""client_id":"user-accounts""#.to_owned(),
        r#""role":"user""#.to_owned(),
        r#""jti":""#.to_owned(),
    ] {
        assert!(json.contains(&part), "{json} lacks {part}");
    }
}

#[test]
fn a_hand_built_token_in_the_same_format_is_accepted() {
    let claims = claims();
    let token = hs256(SECRET, valid_header(), &payload_json(&claims, "access"));

    assert_eq!(codec().decode(&token, claims.issued_at), Ok(claims));
}

#[test]
fn a_token_signed_with_another_key_is_invalid() {
    let claims = claims();
    let token = JwtCodec::hs256("another secret", profile())
        .unwrap()
        .issue(&claims)
        .unwrap();

    let result = codec().decode(token.expose(), claims.issued_at);

    assert_eq!(result, Err(TokenDecodeError::Invalid));
}

#[test]
fn a_token_whose_payload_was_changed_after_signing_is_invalid() {
    let claims = claims();
    let token = codec().issue(&claims).unwrap();
    let [header, _, signature] = token.expose().split('.').collect::<Vec<_>>()[..] else {
        panic!("not three parts");
    };
    let forged_payload = b64(&payload_json(&self::claims(), "access"));

    let forged = format!("{header}.{forged_payload}.{signature}");

    assert_eq!(
        codec().decode(&forged, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn an_unsigned_token_with_alg_none_is_invalid() {
    let claims = claims();
    let header = b64(r#"{"alg":"none","typ":"at+jwt"}"#);
    let payload = b64(&payload_json(&claims, "access"));

    let forged = format!("{header}.{payload}.");

    assert_eq!(
        codec().decode(&forged, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_signed_with_hs384_and_the_same_key_is_invalid() {
    let claims = claims();
    let message = format!(
        "{}.{}",
        b64(r#"{"alg":"HS384","typ":"at+jwt"}"#),
        b64(&payload_json(&claims, "access"))
    );
    let mut mac = Hmac::<Sha384>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());

    let token = format!("{message}.{signature}");

    assert_eq!(
        codec().decode(&token, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_whose_header_claims_rs256_is_invalid() {
    let claims = claims();
    let header = r#"{"alg":"RS256","typ":"at+jwt"}"#;

    let token = hs256(SECRET, header, &payload_json(&claims, "access"));

    assert_eq!(
        codec().decode(&token, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_of_another_purpose_signed_with_the_same_key_is_invalid() {
    let claims = claims();

    let token = hs256(SECRET, valid_header(), &payload_json(&claims, "refresh"));

    assert_eq!(
        codec().decode(&token, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_without_a_purpose_claim_is_invalid() {
    let claims = claims();
    let payload = format!(
        r#"{{"sub":"{}","sid":"{}","iat":1,"exp":{}}}"#,
        claims.user_id,
        claims.session_id,
        claims.expires_at.timestamp()
    );

    let token = hs256(SECRET, valid_header(), &payload);

    assert_eq!(
        codec().decode(&token, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_whose_header_type_is_not_at_jwt_is_invalid() {
    let claims = claims();

    let token = hs256(
        SECRET,
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload_json(&claims, "access"),
    );

    assert_eq!(
        codec().decode(&token, claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn the_long_media_type_application_at_jwt_is_accepted() {
    let claims = claims();

    let token = hs256(
        SECRET,
        r#"{"alg":"HS256","typ":"application/AT+JWT"}"#,
        &payload_json(&claims, "access"),
    );

    assert_eq!(codec().decode(&token, claims.issued_at), Ok(claims));
}

#[test]
fn garbage_is_invalid() {
    for garbage in ["", "abc", "a.b.c", "..", "....", "\u{1f600}.\u{1f600}.x"] {
        assert_eq!(
            codec().decode(garbage, at(0)),
            Err(TokenDecodeError::Invalid),
            "{garbage:?}"
        );
    }
}

#[test]
fn a_token_exactly_one_second_past_its_expiry_is_still_accepted() {
    let claims = claims();
    let token = codec().issue(&claims).unwrap();

    let result = codec().decode(token.expose(), claims.expires_at + TimeDelta::seconds(1));

    assert_eq!(result, Ok(claims));
}

#[test]
fn a_token_more_than_one_second_past_its_expiry_is_expired() {
    let claims = claims();
    let token = codec().issue(&claims).unwrap();
    let now = claims.expires_at + TimeDelta::seconds(1) + TimeDelta::milliseconds(1);

    let result = codec().decode(token.expose(), now);

    assert_eq!(result, Err(TokenDecodeError::Expired));
}

#[test]
fn expiry_is_judged_by_the_given_now_not_the_system_clock() {
    let mut claims = claims();
    claims.issued_at = at(946_684_800); // 2000-01-01, long past
    claims.expires_at = claims.issued_at + TimeDelta::minutes(15);
    let token = codec().issue(&claims).unwrap();

    let result = codec().decode(token.expose(), claims.issued_at + TimeDelta::minutes(1));

    assert_eq!(result, Ok(claims));
}

#[test]
fn an_expired_token_with_a_bad_signature_is_invalid_not_expired() {
    let claims = claims();
    let token = JwtCodec::hs256("another secret", profile())
        .unwrap()
        .issue(&claims)
        .unwrap();

    let result = codec().decode(token.expose(), claims.expires_at + TimeDelta::days(1));

    assert_eq!(result, Err(TokenDecodeError::Invalid));
}

#[test]
fn an_empty_secret_is_refused() {
    assert!(matches!(
        JwtCodec::hs256("", profile()),
        Err(CryptoConfigError::EmptySecret(_))
    ));
}

#[test]
fn debug_output_never_shows_the_secret() {
    let shown = format!("{:?}", codec());

    assert!(!shown.contains(SECRET));
}

#[test]
fn an_hs256_token_has_no_kid_and_no_audience_unless_configured() {
    let token = codec().issue(&claims()).unwrap();
    let header = jsonwebtoken::decode_header(token.expose()).unwrap();
    assert_eq!(header.kid, None);
    let payload = token.expose().split('.').nth(1).unwrap();
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(!json.contains(r#""aud""#), "{json}");
}

#[test]
fn the_audience_is_written_and_then_required() {
    let with_audience = JwtCodec::hs256(
        SECRET,
        TokenProfile {
            audience: Some("https://api.example".to_owned()),
            ..profile()
        },
    )
    .unwrap();
    let claims = claims();
    let token = with_audience.issue(&claims).unwrap();

    assert_eq!(
        with_audience.decode(token.expose(), claims.issued_at),
        Ok(claims.clone())
    );
    // Without an audience, or with another one, it is not ours.
    assert_eq!(
        codec().decode(token.expose(), claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
    let untargeted = codec().issue(&claims).unwrap();
    assert_eq!(
        with_audience.decode(untargeted.expose(), claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

#[test]
fn a_token_of_another_issuer_or_client_is_invalid() {
    let claims = claims();
    for other in [
        TokenProfile {
            issuer: "https://elsewhere.example".to_owned(),
            ..profile()
        },
        TokenProfile {
            client_id: "another-client".to_owned(),
            ..profile()
        },
    ] {
        let token = JwtCodec::hs256(SECRET, other)
            .unwrap()
            .issue(&claims)
            .unwrap();
        assert_eq!(
            codec().decode(token.expose(), claims.issued_at),
            Err(TokenDecodeError::Invalid)
        );
    }
}

#[test]
fn an_hs256_token_naming_a_kid_or_bringing_a_key_is_invalid() {
    let claims = claims();
    let payload = payload_json(&claims, "access");
    for header in [
        r#"{"alg":"HS256","typ":"at+jwt","kid":"k1"}"#,
        r#"{"alg":"HS256","typ":"at+jwt","jku":"https://evil.example/jwks.json"}"#,
        r#"{"alg":"HS256","typ":"at+jwt","x5u":"https://evil.example/cert.pem"}"#,
        r#"{"alg":"HS256","typ":"at+jwt","jwk":{"kty":"oct","k":"c2VjcmV0"}}"#,
        r#"{"alg":"HS256","typ":"at+jwt","crit":["exp"]}"#,
    ] {
        let token = hs256(SECRET, header, &payload);
        assert_eq!(
            codec().decode(&token, claims.issued_at),
            Err(TokenDecodeError::Invalid),
            "{header}"
        );
    }
}

#[test]
fn the_hs256_codec_takes_no_key_set() {
    let generator = crate::KeyGenerator::new();
    let (public, private) =
        domain::ports::SigningKeyGenerator::generate(&generator, SigningAlgorithm::EdDsa).unwrap();
    let key = domain::PublishedKey {
        id: domain::KeyId::generate(),
        algorithm: SigningAlgorithm::EdDsa,
        public,
    };
    let ring = KeyRing {
        algorithm: SigningAlgorithm::EdDsa,
        signing: key.clone(),
        private,
        verifying: vec![key],
    };
    assert!(codec().install_keys(&ring).is_err());
}
