#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};

use super::*;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn factor() -> TotpFactor {
    TotpFactor::from_encryption_key(&Secret::from(KEY)).unwrap()
}

/// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in base32.
fn rfc_secret() -> Secret {
    Secret::from(totp_rs::Secret::from(*b"12345678901234567890").to_base32())
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

#[test]
fn the_rfc_6238_test_vectors_verify_at_their_own_step() {
    // Appendix B, SHA-1, truncated to 6 digits.
    let vectors = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];
    let factor = factor();
    for (time, code) in vectors {
        let step = u64::try_from(time).unwrap() / 30;
        assert_eq!(
            factor.verify(&rfc_secret(), code, at(time), None),
            Some(step),
            "T = {time}"
        );
    }
}

#[test]
fn one_step_either_side_is_accepted_and_two_are_not() {
    let factor = factor();
    // 287082 is the code of step 1 (T = 30..59).
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(45), None),
        Some(1)
    );
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(15), None),
        Some(1)
    );
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(75), None),
        Some(1)
    );
    assert_eq!(factor.verify(&rfc_secret(), "287082", at(95), None), None);
    // 050471 is the code of step 37037037 (T = 1111111111).
    let step = 1_111_111_111 / 30;
    let second = |n: i64| at(step * 30 + n * 30 + 1);
    assert_eq!(
        factor.verify(&rfc_secret(), "050471", second(2), None),
        None
    );
    assert_eq!(
        factor.verify(&rfc_secret(), "050471", second(-2), None),
        None
    );
}

#[test]
fn a_step_used_already_or_earlier_is_refused() {
    let factor = factor();
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(45), Some(1)),
        None
    );
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(45), Some(2)),
        None
    );
    assert_eq!(
        factor.verify(&rfc_secret(), "287082", at(45), Some(0)),
        Some(1)
    );
}

#[test]
fn malformed_codes_and_secrets_are_refused_without_panicking() {
    let factor = factor();
    for code in ["", "28708", "2870822", "28708a", "abcdef", " 287 082"] {
        assert_eq!(
            factor.verify(&rfc_secret(), code, at(45), None),
            None,
            "{code:?}"
        );
    }
    assert_eq!(
        factor.verify(&Secret::from("not base32!"), "287082", at(45), None),
        None
    );
    assert_eq!(
        factor.verify(&Secret::from("AAAA"), "287082", at(45), None),
        None
    );
}

#[test]
fn a_new_secret_is_160_bits_of_base32() {
    let factor = factor();
    let secret = factor.new_secret();
    assert_eq!(secret.expose().len(), 32);
    let bytes = totp_rs::Secret::try_from_base32(secret.expose()).unwrap();
    assert_eq!(bytes.as_ref().len(), 20);
    assert_ne!(factor.new_secret(), secret);
}

#[test]
fn recovery_codes_are_ten_distinct_codes_stored_under_keyed_hashes() {
    let factor = factor();
    let codes = factor.new_recovery_codes();
    assert_eq!(codes.len(), 10);
    for (code, hash) in &codes {
        assert_eq!(code.expose().len(), 11);
        assert_eq!(&code.expose()[5..6], "-");
        assert_eq!(&factor.recovery_code_hash(code.expose()), hash);
        assert_eq!(hash.expose().len(), 64);
        assert!(!hash.expose().contains(code.expose()));
    }
    let distinct: std::collections::HashSet<_> = codes
        .iter()
        .map(|(code, _)| code.expose().to_owned())
        .collect();
    assert_eq!(distinct.len(), 10);
}

#[test]
fn a_recovery_code_hashes_alike_whatever_its_case_spaces_and_hyphens() {
    let factor = factor();
    let hash = factor.recovery_code_hash("abcde-fghij");
    assert_eq!(factor.recovery_code_hash("ABCDE FGHIJ"), hash);
    assert_eq!(factor.recovery_code_hash("abcdefghij"), hash);
    assert_ne!(factor.recovery_code_hash("abcde-fghik"), hash);
}

#[test]
fn the_hash_depends_on_the_key() {
    let other = TotpFactor::from_encryption_key(&Secret::from(
        "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
    ))
    .unwrap();
    assert_ne!(
        other.recovery_code_hash("abcde-fghij"),
        factor().recovery_code_hash("abcde-fghij")
    );
    assert!(TotpFactor::from_encryption_key(&Secret::from("c2hvcnQ=")).is_err());
}
