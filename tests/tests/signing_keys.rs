//! Tokens other services verify: EdDSA and ES256 keys in the database,
//! published at `/.well-known/jwks.json`, rotated by `server keys rotate`,
//! seen from an independent verifier that knows only that document (the
//! `jsonwebtoken` crate configured from the JWKS), and the forgeries it and
//! the service must refuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::serde_json::{Value, json};
use e2e::{Backend, TestServer, e2e_tests, me, problem_code, server_command};
use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sha2::Sha256;

const ISSUER: &str = "http://app.test";
const AUDIENCE: &str = "https://api.test";
const ALGORITHMS: [&str; 2] = ["EdDSA", "ES256"];

/// A rotation by one process is honoured by every process within this
/// bound (the contract says 60 s; the upkeep reloads every 5 s).
const PROPAGATION: Duration = Duration::from_secs(60);

fn env(alg: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("APP_AUTH__SIGNING_ALG", alg),
        ("APP_AUTH__AUDIENCE", AUDIENCE),
    ]
}

fn start(backend: Backend, alg: &'static str) -> Option<TestServer> {
    TestServer::start(backend, &env(alg))
}

fn jwks(server: &TestServer) -> JwkSet {
    let response = server.get("/.well-known/jwks.json").send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"].to_str().unwrap(),
        "public, max-age=300"
    );
    response.json().unwrap()
}

fn kids(set: &JwkSet) -> Vec<String> {
    set.keys
        .iter()
        .map(|key| key.common.key_id.clone().unwrap())
        .collect()
}

/// The independent verifier: the key named by the token's `kid` in `set`
/// (nothing else), its algorithm, and the issuer, audience and type.
fn verify(set: &JwkSet, token: &str) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    if header.typ.as_deref() != Some("at+jwt") {
        return Err(format!("typ {:?}", header.typ));
    }
    let kid = header.kid.ok_or("no kid")?;
    let jwk = set.find(&kid).ok_or("unknown kid")?;
    let alg = jwk
        .common
        .key_algorithm
        .ok_or("no alg")?
        .to_string()
        .parse::<Algorithm>()
        .map_err(|e| e.to_string())?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

fn access_token(pair: &Value) -> String {
    pair["access_token"].as_str().unwrap().to_owned()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

fn login(server: &TestServer, email: &str) -> String {
    let response = server.login(email, e2e::PASSWORD);
    assert_eq!(response.status(), 200);
    access_token(&response.json().unwrap())
}

/// Logs in until the token is signed by `kid`, within [`PROPAGATION`].
fn wait_for_signing_kid(server: &TestServer, email: &str, kid: &str) -> String {
    let started = Instant::now();
    loop {
        let token = login(server, email);
        if kid_of(&token) == kid {
            return token;
        }
        assert!(
            started.elapsed() < PROPAGATION,
            "still signing with {} after {PROPAGATION:?}",
            kid_of(&token)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn rotate(server: &TestServer, alg: &'static str) -> String {
    let output = server_command(server, &["keys", "rotate"], &env(alg));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "keys rotate failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn status_with(server: &TestServer, token: &str) -> (u16, String) {
    let pair = json!({ "access_token": token });
    problem_code(me(server, &pair))
}

fn an_independent_verifier_knowing_only_the_key_set_accepts_the_tokens(backend: Backend) {
    for alg in ALGORITHMS {
        let Some(server) = start(backend, alg) else {
            return;
        };
        let pair = server.signed_up("ada@example.com");
        let token = access_token(&pair);
        let user = me(&server, &pair).json::<Value>().unwrap();

        let set = jwks(&server);
        // A current key and a next one, published before it signs.
        assert_eq!(set.keys.len(), 2, "{alg}");
        let document: Value = server
            .get("/.well-known/jwks.json")
            .send()
            .unwrap()
            .json()
            .unwrap();
        for key in document["keys"].as_array().unwrap() {
            assert_eq!(key["alg"], alg);
            assert_eq!(key["use"], "sig");
            let (kty, crv) = if alg == "EdDSA" {
                ("OKP", "Ed25519")
            } else {
                ("EC", "P-256")
            };
            assert_eq!(
                (key["kty"].as_str(), key["crv"].as_str()),
                (Some(kty), Some(crv))
            );
            assert_eq!(key["y"].is_string(), alg == "ES256");
            assert!(key.get("d").is_none(), "no private part is published");
        }
        assert_eq!(
            kid_of(&token),
            kids(&set)[0],
            "the current key is listed first"
        );

        let claims = verify(&set, &token).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["sub"], user["id"]);
        assert_eq!(claims["client_id"], "user-accounts");
        assert_eq!(claims["role"], "user");
        assert!(claims["sid"].is_string() && claims["jti"].is_string());
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            900
        );
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(format!("{:?}", header.alg), alg);

        let metadata: Value = server
            .get("/.well-known/oauth-authorization-server")
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(
            metadata,
            json!({
                "issuer": ISSUER,
                "token_endpoint": "http://app.test/api/v1/auth/token",
                "jwks_uri": "http://app.test/.well-known/jwks.json",
                "grant_types_supported": ["password", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["none"],
                "response_types_supported": [],
            })
        );
        // A refreshed pair is signed the same way.
        let refreshed = server.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": pair["refresh_token"]}),
        );
        assert_eq!(refreshed.status(), 200);
        let refreshed = access_token(&refreshed.json().unwrap());
        assert!(verify(&set, &refreshed).is_ok());
    }
}

fn a_rotation_seen_from_the_verifier_keeps_old_tokens_and_signs_new_ones_with_the_next_key(
    backend: Backend,
) {
    for alg in ALGORITHMS {
        let Some(server) = start(backend, alg) else {
            return;
        };
        let before = access_token(&server.signed_up("ada@example.com"));
        let set_before = jwks(&server);
        let (old_current, old_next) = (kids(&set_before)[0].clone(), kids(&set_before)[1].clone());

        let said = rotate(&server, alg);
        assert!(said.contains(&old_next), "{said}");

        let after = wait_for_signing_kid(&server, "ada@example.com", &old_next);
        // A verifier that fetched the set before the rotation already knows
        // the new signing key.
        assert!(verify(&set_before, &after).is_ok(), "{alg}");
        let set_after = jwks(&server);
        let listed = kids(&set_after);
        assert_eq!(listed.len(), 3, "current, a new next, and the retired key");
        assert_eq!(listed[0], old_next);
        assert_eq!(listed[2], old_current);
        // The token signed before the rotation still verifies, here and at
        // the service, until it expires.
        assert!(verify(&set_after, &before).is_ok(), "{alg}");
        assert_eq!(status_with(&server, &before).0, 200);
        assert_eq!(status_with(&server, &after).0, 200);
    }
}

fn keys_rotate_with_hs256_says_there_is_nothing_to_rotate_and_exits_non_zero(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let output = server_command(&server, &["keys", "rotate"], &[]);

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("HS256") && stderr.contains("nothing to rotate"),
        "{stderr}"
    );
    assert_eq!(jwks(&server).keys.len(), 0);
    let body: Value = server
        .get("/.well-known/jwks.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(body, json!({"keys": []}));
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn part(token: &str, index: usize) -> Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(index).unwrap())
        .unwrap();
    e2e::serde_json::from_slice(&bytes).unwrap()
}

fn hmac_signed(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    format!(
        "{message}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// A key of the forger's own for `alg`, as the JWT library takes it, with
/// its public JWK.
fn forger_key(alg: &str) -> (EncodingKey, Value) {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use p256::elliptic_curve::sec1::ToEncodedPoint as _;
    if alg == "EdDSA" {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let der = key.to_pkcs8_der().unwrap();
        let jwk = json!({"kty": "OKP", "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())});
        (EncodingKey::from_ed_der(der.as_bytes()), jwk)
    } else {
        let key = p256::SecretKey::from_slice(&[7; 32]).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        let point = key.public_key().to_encoded_point(false);
        let jwk = json!({"kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap())});
        (EncodingKey::from_ec_der(der.as_bytes()), jwk)
    }
}

fn forged_and_confused_tokens_are_refused(backend: Backend) {
    for alg in ALGORITHMS {
        let Some(server) = start(backend, alg) else {
            return;
        };
        let genuine = access_token(&server.signed_up("ada@example.com"));
        let claims = part(&genuine, 1);
        let kid = kid_of(&genuine);
        let set = jwks(&server);
        let published = set.find(&kid).unwrap();
        let public: Value = e2e::serde_json::to_value(published).unwrap();
        let algorithm: Algorithm = alg.parse().unwrap();
        let (forger, forger_jwk) = forger_key(alg);
        let other_alg = if alg == "EdDSA" { "ES256" } else { "EdDSA" };
        let (other_forger, _) = forger_key(other_alg);

        let header = |extra: Value| {
            let mut header = json!({"alg": alg, "typ": "at+jwt", "kid": kid});
            header
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            header
        };
        let signed_by = |key: &EncodingKey, header: Header| {
            jsonwebtoken::encode(&header, &claims, key).unwrap()
        };
        let with = |edit: &dyn Fn(&mut Header)| {
            let mut header = Header::new(algorithm);
            header.typ = Some("at+jwt".to_owned());
            header.kid = Some(kid.clone());
            edit(&mut header);
            header
        };
        let x = URL_SAFE_NO_PAD
            .decode(public["x"].as_str().unwrap())
            .unwrap();

        let forgeries: Vec<(&str, String)> = vec![
            (
                "signed by another key under the published kid",
                signed_by(&forger, with(&|_| {})),
            ),
            (
                "an unknown kid",
                signed_by(&forger, with(&|h| h.kid = Some("not-a-key".into()))),
            ),
            ("no kid", signed_by(&forger, with(&|h| h.kid = None))),
            (
                "the other asymmetric algorithm",
                signed_by(&other_forger, {
                    let mut h = Header::new(other_alg.parse().unwrap());
                    h.typ = Some("at+jwt".into());
                    h.kid = Some(kid.clone());
                    h
                }),
            ),
            (
                "alg none",
                format!("{}.{}.", b64(&header(json!({"alg": "none"}))), b64(&claims)),
            ),
            (
                "HS256 keyed with the public key's bytes",
                hmac_signed(&header(json!({"alg": "HS256"})), &claims, &x),
            ),
            (
                "HS256 keyed with the public key's base64url",
                hmac_signed(
                    &header(json!({"alg": "HS256"})),
                    &claims,
                    public["x"].as_str().unwrap().as_bytes(),
                ),
            ),
            (
                "HS256 keyed with the public JWK as published",
                hmac_signed(
                    &header(json!({"alg": "HS256"})),
                    &claims,
                    public.to_string().as_bytes(),
                ),
            ),
            (
                "HS256 with the development token secret",
                hmac_signed(
                    &json!({"alg": "HS256", "typ": "at+jwt"}),
                    &claims,
                    b"development-only-token-secret-never-use-in-production",
                ),
            ),
            (
                "jku pointing at the forger's key set",
                signed_by(
                    &forger,
                    with(&|h| h.jku = Some("https://evil.test/jwks.json".into())),
                ),
            ),
            (
                "x5u pointing at the forger's certificate",
                signed_by(
                    &forger,
                    with(&|h| h.x5u = Some("https://evil.test/cert.pem".into())),
                ),
            ),
            (
                "jwk carrying the forger's key",
                signed_by(
                    &forger,
                    with(&|h| {
                        h.jwk = Some(e2e::serde_json::from_value(forger_jwk.clone()).unwrap())
                    }),
                ),
            ),
            (
                "jku beside a genuine kid, signed by the genuine key's token reused",
                {
                    // The genuine signature under an edited header.
                    let parts: Vec<&str> = genuine.split('.').collect();
                    let edited = header(json!({"jku": "https://evil.test/jwks.json"}));
                    format!("{}.{}.{}", b64(&edited), parts[1], parts[2])
                },
            ),
        ];

        for (what, token) in &forgeries {
            assert_eq!(
                status_with(&server, token),
                (401, "invalid_token".to_owned()),
                "{alg}: {what}"
            );
            assert!(
                verify(&set, token).is_err(),
                "the verifier too: {alg}: {what}"
            );
        }
        // The genuine token still works.
        assert_eq!(status_with(&server, &genuine).0, 200);
    }
}

/// PostgreSQL only: several processes on one SQLite file are not a
/// deployment this service supports.
#[test]
fn two_processes_on_one_postgres_share_one_key_set_and_follow_a_rotation_by_either() {
    for alg in ALGORITHMS {
        let Some(database) = adapters_db::testing::TestDatabase::postgres() else {
            return;
        };
        // Started together on an empty database: one makes the first keys.
        let url = database.url().to_owned();
        let starts: Vec<_> = (0..2)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || TestServer::start_on(&url, &env(alg)))
            })
            .collect();
        let servers: Vec<TestServer> = starts.into_iter().map(|s| s.join().unwrap()).collect();
        let (first, second) = (&servers[0], &servers[1]);

        let set = jwks(first);
        assert_eq!(kids(&set), kids(&jwks(second)), "{alg}: one key set");
        assert_eq!(set.keys.len(), 2);
        let pair = first.signed_up("ada@example.com");
        let from_first = access_token(&pair);
        let from_second = login(second, "ada@example.com");
        assert_eq!(kid_of(&from_first), kid_of(&from_second));
        // Each accepts the other's tokens.
        assert_eq!(status_with(second, &from_first).0, 200);
        assert_eq!(status_with(first, &from_second).0, 200);

        let next = kids(&set)[1].clone();
        rotate(first, alg);
        let new_from_first = wait_for_signing_kid(first, "ada@example.com", &next);
        let new_from_second = wait_for_signing_kid(second, "ada@example.com", &next);
        assert_eq!(status_with(first, &new_from_second).0, 200);
        assert_eq!(status_with(second, &new_from_first).0, 200);
        assert_eq!(
            status_with(second, &from_first).0,
            200,
            "retired keys still verify"
        );
        assert_eq!(kids(&jwks(first)), kids(&jwks(second)));
        drop(servers);
        drop(database);
    }
}

e2e_tests!(
    an_independent_verifier_knowing_only_the_key_set_accepts_the_tokens,
    a_rotation_seen_from_the_verifier_keeps_old_tokens_and_signs_new_ones_with_the_next_key,
    keys_rotate_with_hs256_says_there_is_nothing_to_rotate_and_exits_non_zero,
    forged_and_confused_tokens_are_refused,
);
