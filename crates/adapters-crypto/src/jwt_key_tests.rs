//! The codec under EdDSA and ES256: keys from `KeyGenerator`, a key set
//! installed as the application installs it, and the forgeries a verifier
//! must refuse.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{TimeDelta, TimeZone as _, Utc};
use domain::ports::SigningKeyGenerator as _;
use domain::{KeyId, PublishedKey, Secret};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;
use crate::KeyGenerator;

const ALGORITHMS: [SigningAlgorithm; 2] = [SigningAlgorithm::EdDsa, SigningAlgorithm::Es256];

fn profile() -> TokenProfile {
    TokenProfile {
        issuer: "https://accounts.example".to_owned(),
        audience: Some("https://api.example".to_owned()),
        client_id: "user-accounts".to_owned(),
    }
}

fn key(algorithm: SigningAlgorithm) -> (PublishedKey, Secret) {
    let (public, private) = KeyGenerator::new().generate(algorithm).unwrap();
    (
        PublishedKey {
            id: KeyId::generate(),
            algorithm,
            public,
        },
        private,
    )
}

fn ring(signing: &(PublishedKey, Secret), others: &[&PublishedKey]) -> KeyRing {
    KeyRing {
        algorithm: signing.0.algorithm,
        signing: signing.0.clone(),
        private: signing.1.clone(),
        verifying: others.iter().map(|key| (*key).clone()).collect(),
    }
}

fn codec_with(signing: &(PublishedKey, Secret), others: &[&PublishedKey]) -> JwtCodec {
    let codec = JwtCodec::asymmetric(signing.0.algorithm, profile());
    codec.install_keys(&ring(signing, others)).unwrap();
    codec
}

fn claims() -> AccessClaims {
    let issued_at = Utc.timestamp_opt(1_767_225_600, 0).unwrap();
    AccessClaims {
        user_id: UserId::generate(),
        session_id: SessionId::generate(),
        role: Role::Admin,
        issued_at,
        expires_at: issued_at + TimeDelta::minutes(15),
    }
}

fn wire(claims: &AccessClaims) -> serde_json::Value {
    serde_json::json!({
        "iss": "https://accounts.example",
        "aud": "https://api.example",
        "client_id": "user-accounts",
        "sub": claims.user_id.to_string(),
        "sid": claims.session_id.to_string(),
        "role": "admin",
        "iat": claims.issued_at.timestamp(),
        "exp": claims.expires_at.timestamp(),
        "jti": "j1",
        "typ": "access",
    })
}

/// A token signed by `private` under `header`, whatever it says.
fn signed(header: &Header, claims: &AccessClaims, private: &Secret) -> String {
    let key = encoding_key(jws_algorithm_of(header.alg), private.expose()).unwrap();
    jsonwebtoken::encode(header, &wire(claims), &key).unwrap()
}

fn jws_algorithm_of(alg: Algorithm) -> SigningAlgorithm {
    match alg {
        Algorithm::ES256 => SigningAlgorithm::Es256,
        _ => SigningAlgorithm::EdDsa,
    }
}

fn header_for(key: &PublishedKey) -> Header {
    let mut header = Header::new(jws_algorithm(key.algorithm));
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(key.id.to_string());
    header
}

fn part(token: &str, index: usize) -> serde_json::Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(index).unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn a_token_round_trips_and_carries_the_rfc_9068_header_and_claims() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();

        let token = codec.issue(&claims).unwrap();

        assert_eq!(
            codec.decode(token.expose(), claims.issued_at),
            Ok(claims.clone())
        );
        let header = part(token.expose(), 0);
        assert_eq!(header["alg"], algorithm.as_str());
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["kid"], current.0.id.to_string());
        let payload = part(token.expose(), 1);
        for (claim, value) in [
            ("iss", "https://accounts.example"),
            ("aud", "https://api.example"),
            ("client_id", "user-accounts"),
            ("role", "admin"),
        ] {
            assert_eq!(payload[claim], value, "{algorithm} {claim}");
        }
        assert_eq!(payload["sub"], claims.user_id.to_string());
        assert_eq!(payload["sid"], claims.session_id.to_string());
        assert!(payload["jti"].as_str().is_some_and(|jti| jti.len() >= 16));
    }
}

#[test]
fn every_token_gets_its_own_jti() {
    let codec = codec_with(&key(SigningAlgorithm::EdDsa), &[]);
    let claims = claims();
    let first = codec.issue(&claims).unwrap();
    let second = codec.issue(&claims).unwrap();
    assert_ne!(
        part(first.expose(), 1)["jti"],
        part(second.expose(), 1)["jti"]
    );
}

#[test]
fn a_token_of_a_key_still_published_verifies_after_the_signing_key_changes() {
    for algorithm in ALGORITHMS {
        let old = key(algorithm);
        let new = key(algorithm);
        let codec = codec_with(&old, &[&new.0]);
        let claims = claims();
        let before = codec.issue(&claims).unwrap();

        codec.install_keys(&ring(&new, &[&old.0])).unwrap();
        let after = codec.issue(&claims).unwrap();

        assert_eq!(
            codec.decode(before.expose(), claims.issued_at),
            Ok(claims.clone())
        );
        assert_eq!(
            codec.decode(after.expose(), claims.issued_at),
            Ok(claims.clone())
        );
        assert_eq!(part(after.expose(), 0)["kid"], new.0.id.to_string());
        // Once the old key is no longer published, its tokens are unknown.
        codec.install_keys(&ring(&new, &[])).unwrap();
        assert_eq!(
            codec.decode(before.expose(), claims.issued_at),
            Err(TokenDecodeError::UnknownKey)
        );
    }
}

#[test]
fn a_kid_not_in_the_set_is_an_unknown_key_and_no_kid_is_invalid() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let stranger = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();

        let unknown = signed(&header_for(&stranger.0), &claims, &stranger.1);
        let mut no_kid = header_for(&current.0);
        no_kid.kid = None;
        let no_kid = signed(&no_kid, &claims, &current.1);

        assert_eq!(
            codec.decode(&unknown, claims.issued_at),
            Err(TokenDecodeError::UnknownKey)
        );
        assert_eq!(
            codec.decode(&no_kid, claims.issued_at),
            Err(TokenDecodeError::Invalid)
        );
    }
}

#[test]
fn a_token_signed_by_another_key_under_a_published_kid_is_invalid() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let forger = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();

        let forged = signed(&header_for(&current.0), &claims, &forger.1);

        assert_eq!(
            codec.decode(&forged, claims.issued_at),
            Err(TokenDecodeError::Invalid)
        );
    }
}

#[test]
fn a_token_of_the_other_asymmetric_algorithm_is_invalid() {
    let ed = key(SigningAlgorithm::EdDsa);
    let es = key(SigningAlgorithm::Es256);
    let claims = claims();
    let ed_codec = codec_with(&ed, &[]);
    let es_codec = codec_with(&es, &[]);

    let es_token = es_codec.issue(&claims).unwrap();
    let ed_token = ed_codec.issue(&claims).unwrap();

    assert_eq!(
        ed_codec.decode(es_token.expose(), claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
    assert_eq!(
        es_codec.decode(ed_token.expose(), claims.issued_at),
        Err(TokenDecodeError::Invalid)
    );
}

fn hmac_token(header: &serde_json::Value, claims: &AccessClaims, secret: &[u8]) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(wire(claims).to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    format!(
        "{message}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn the_public_key_used_as_an_hmac_secret_is_invalid() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();
        let header = serde_json::json!({
            "alg": "HS256", "typ": "at+jwt", "kid": current.0.id.to_string()
        });
        // Every spelling of the public key a confused verifier might use.
        let x = URL_SAFE_NO_PAD.decode(&current.0.public.x).unwrap();
        for secret in [
            x.clone(),
            current.0.public.x.as_bytes().to_vec(),
            serde_json::json!({"x": current.0.public.x})
                .to_string()
                .into_bytes(),
        ] {
            let forged = hmac_token(&header, &claims, &secret);
            assert_eq!(
                codec.decode(&forged, claims.issued_at),
                Err(TokenDecodeError::Invalid),
                "{algorithm}"
            );
        }
    }
}

#[test]
fn an_unsigned_token_is_invalid() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();
        let header = serde_json::json!({
            "alg": "none", "typ": "at+jwt", "kid": current.0.id.to_string()
        });
        for signature in ["", "AAAA"] {
            let token = format!(
                "{}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(wire(&claims).to_string())
            );
            assert_eq!(
                codec.decode(&token, claims.issued_at),
                Err(TokenDecodeError::Invalid)
            );
        }
    }
}

#[test]
fn headers_that_choose_the_key_are_invalid_even_with_a_good_signature() {
    for algorithm in ALGORITHMS {
        let current = key(algorithm);
        let codec = codec_with(&current, &[]);
        let claims = claims();
        let jwk = jsonwebtoken::jwk::Jwk {
            common: jsonwebtoken::jwk::CommonParameters::default(),
            algorithm: jsonwebtoken::jwk::AlgorithmParameters::OctetKey(
                jsonwebtoken::jwk::OctetKeyParameters {
                    key_type: jsonwebtoken::jwk::OctetKeyType::Octet,
                    value: "c2VjcmV0".to_owned(),
                },
            ),
        };
        let mut headers = Vec::new();
        let mut jku = header_for(&current.0);
        jku.jku = Some("https://evil.example/jwks.json".to_owned());
        headers.push(jku);
        let mut x5u = header_for(&current.0);
        x5u.x5u = Some("https://evil.example/cert.pem".to_owned());
        headers.push(x5u);
        let mut with_jwk = header_for(&current.0);
        with_jwk.jwk = Some(jwk);
        headers.push(with_jwk);
        let mut x5c = header_for(&current.0);
        x5c.x5c = Some(vec![STANDARD.encode(b"cert")]);
        headers.push(x5c);

        for header in headers {
            let token = signed(&header, &claims, &current.1);
            assert_eq!(
                codec.decode(&token, claims.issued_at),
                Err(TokenDecodeError::Invalid),
                "{header:?}"
            );
        }
    }
}

#[test]
fn a_codec_with_no_keys_installed_signs_nothing_and_knows_no_key() {
    let codec = JwtCodec::asymmetric(SigningAlgorithm::EdDsa, profile());
    let current = key(SigningAlgorithm::EdDsa);
    let claims = claims();

    assert!(codec.issue(&claims).is_err());
    let token = signed(&header_for(&current.0), &claims, &current.1);
    assert_eq!(
        codec.decode(&token, claims.issued_at),
        Err(TokenDecodeError::UnknownKey)
    );
}

#[test]
fn a_key_set_that_does_not_fit_is_refused_and_the_old_one_kept() {
    let current = key(SigningAlgorithm::EdDsa);
    let codec = codec_with(&current, &[]);
    let other = key(SigningAlgorithm::EdDsa);
    let es = key(SigningAlgorithm::Es256);

    // A private half that is not the public half's.
    let mismatched = KeyRing {
        private: other.1.clone(),
        ..ring(&current, &[])
    };
    assert!(codec.install_keys(&mismatched).is_err());
    // Another algorithm.
    assert!(codec.install_keys(&ring(&es, &[])).is_err());
    // Garbage.
    let garbage = KeyRing {
        private: Secret::from("not base64!"),
        ..ring(&current, &[])
    };
    assert!(codec.install_keys(&garbage).is_err());

    let claims = claims();
    let token = codec.issue(&claims).unwrap();
    assert_eq!(part(token.expose(), 0)["kid"], current.0.id.to_string());
    assert_eq!(codec.decode(token.expose(), claims.issued_at), Ok(claims));
}

#[test]
fn expiry_is_judged_by_the_given_now() {
    let codec = codec_with(&key(SigningAlgorithm::Es256), &[]);
    let claims = claims();
    let token = codec.issue(&claims).unwrap();

    assert_eq!(
        codec.decode(token.expose(), claims.expires_at + TimeDelta::seconds(2)),
        Err(TokenDecodeError::Expired)
    );
}

#[test]
fn generated_keys_are_fresh_and_shaped_like_their_jwk() {
    for algorithm in ALGORITHMS {
        let (first, _) = key(algorithm);
        let (second, _) = key(algorithm);
        assert_ne!(first.public, second.public);
        assert_eq!(URL_SAFE_NO_PAD.decode(&first.public.x).unwrap().len(), 32);
        match algorithm {
            SigningAlgorithm::EdDsa => assert_eq!(first.public.y, None),
            SigningAlgorithm::Es256 => assert_eq!(
                URL_SAFE_NO_PAD
                    .decode(first.public.y.as_deref().unwrap())
                    .unwrap()
                    .len(),
                32
            ),
        }
    }
}

#[test]
fn debug_output_never_shows_a_private_key() {
    let current = key(SigningAlgorithm::EdDsa);
    let codec = codec_with(&current, &[]);
    let shown = format!("{codec:?}");
    assert!(!shown.contains(current.1.expose()), "{shown}");
    assert!(shown.contains("EdDSA"));
}
