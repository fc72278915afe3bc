//! `SessionRepository` contract: the retry a rotation keeps on the rotated
//! token (`APP_AUTH__REFRESH_REUSE_GRACE_SECS`), and when it is erased.

use chrono::TimeDelta;
use domain::ports::SessionRepository;
use domain::{Effects, RefreshRetry, RefreshRotation, RefreshTokenState, SealedSecret, Session};

use crate::Harness;
use crate::contract::support::*;

/// A stored session of a new user, with refresh token `"r0"`.
async fn session<H: Harness>(f: &Fixture<H>) -> Session {
    let user = f.user().await;
    SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap()
}

/// A retry of the rotation `seconds_later` than [`t0`]: sealed bytes naming
/// `new`, open for 10 seconds.
fn retry(new: &str, seconds_later: i64) -> RefreshRetry {
    RefreshRetry {
        successor: SealedSecret::new(format!("sealed {new}").into_bytes()),
        until: t0() + secs(seconds_later + 10),
    }
}

/// `old` replaced by `new`, `seconds_later` than [`t0`], keeping a retry.
fn rotation(session: &Session, old: &str, new: &str, seconds_later: i64) -> RefreshRotation {
    let now = t0() + secs(seconds_later);
    RefreshRotation {
        session_id: session.id,
        old: hash(old),
        new: hash(new),
        now,
        refresh_expires_at: now + TimeDelta::days(30),
        retry: Some(retry(new, seconds_later)),
    }
}

async fn rotate<H: Harness>(f: &Fixture<H>, rotation: RefreshRotation) -> Session {
    f.db.rotate_refresh(rotation, Effects::none())
        .await
        .unwrap()
        .unwrap()
}

/// The retry kept on the rotated token `token`.
async fn retry_of<H: Harness>(f: &Fixture<H>, token: &str) -> Option<RefreshRetry> {
    match f.db.find_by_refresh_hash(&hash(token)).await.unwrap() {
        Some(RefreshTokenState::Rotated { retry, .. }) => retry,
        other => panic!("{token} is not a rotated token: {other:?}"),
    }
}

pub(crate) async fn a_rotation_keeps_its_retry_on_the_rotated_token_exactly<H: Harness>(
    f: Fixture<H>,
) {
    let s = session(&f).await;

    let after = rotate(&f, rotation(&s, "r0", "r1", 60)).await;

    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(),
        Some(RefreshTokenState::Rotated {
            session: after.clone(),
            retry: Some(retry("r1", 60)),
        })
    );
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(),
        Some(RefreshTokenState::Current(after))
    );
}

pub(crate) async fn using_the_successor_erases_the_retry_of_the_token_before_it<H: Harness>(
    f: Fixture<H>,
) {
    let s = session(&f).await;
    rotate(&f, rotation(&s, "r0", "r1", 60)).await;

    rotate(&f, rotation(&s, "r1", "r2", 61)).await;

    assert_eq!(retry_of(&f, "r0").await, None);
    assert_eq!(retry_of(&f, "r1").await, Some(retry("r2", 61)));
}

pub(crate) async fn a_rotation_without_a_retry_erases_the_one_before<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    rotate(&f, rotation(&s, "r0", "r1", 60)).await;

    rotate(
        &f,
        RefreshRotation {
            retry: None,
            ..rotation(&s, "r1", "r2", 61)
        },
    )
    .await;

    assert_eq!(retry_of(&f, "r0").await, None);
    assert_eq!(retry_of(&f, "r1").await, None);
}

pub(crate) async fn a_lost_rotation_keeps_the_retry_it_found<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    rotate(&f, rotation(&s, "r0", "r1", 60)).await;

    // A retry of `r0` racing the rotation it retries: `r0` is no longer
    // current, so nothing changes.
    let lost =
        f.db.rotate_refresh(rotation(&s, "r0", "r1-again", 61), Effects::none())
            .await
            .unwrap();

    assert_eq!(lost, None);
    assert_eq!(retry_of(&f, "r0").await, Some(retry("r1", 60)));
}

pub(crate) async fn revoking_a_session_erases_its_retries<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    rotate(&f, rotation(&s, "r0", "r1", 60)).await;

    f.db.revoke(s.id, t0() + secs(62), Effects::none())
        .await
        .unwrap();

    assert_eq!(retry_of(&f, "r0").await, None);
}

pub(crate) async fn erasing_ended_retries_erases_only_those_whose_window_has_ended<H: Harness>(
    f: Fixture<H>,
) {
    let ending = session(&f).await;
    let lasting = {
        let user = f.user().await;
        SessionRepository::create(&f.db, new_session(user.id, "s0"), Effects::none())
            .await
            .unwrap()
    };
    // Windows ending at t0 + 70 and t0 + 80.
    rotate(&f, rotation(&ending, "r0", "r1", 60)).await;
    rotate(&f, rotation(&lasting, "s0", "s1", 70)).await;

    let erased = f.db.erase_ended_retries(t0() + secs(70)).await.unwrap();

    assert_eq!(erased, 1);
    assert_eq!(retry_of(&f, "r0").await, None);
    assert_eq!(retry_of(&f, "s0").await, Some(retry("s1", 70)));
    // The tokens stay, as rotated: a later use is still a detected reuse.
    assert!(matches!(
        f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(),
        Some(RefreshTokenState::Rotated { .. })
    ));
    assert_eq!(f.db.erase_ended_retries(t0() + secs(70)).await.unwrap(), 0);
}
