//! `HealthProbe` contract, as far as it is the same for every store (a
//! store that is down or out of date is each adapter's own to test).

use domain::ports::{CheckStatus, HealthProbe, Readiness};

use crate::Harness;
use crate::contract::support::*;

pub(crate) async fn a_fresh_store_is_ready<H: Harness>(f: Fixture<H>) {
    let readiness = f.db.readiness().await;

    assert_eq!(
        readiness,
        Readiness {
            database: CheckStatus::Ok,
            migrations: CheckStatus::Ok,
        }
    );
    assert!(readiness.is_ready());
}
