#![doc = include_str!("../README.md")]
// The whole crate is test code: a broken fixture or a failed expectation
// fails the test that met it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;

use async_trait::async_trait;
use domain::ports::{
    HealthProbe, LoginThrottle, MfaRepository, OneTimeTokenRepository, Outbox, RateLimitCounter,
    SecurityEventRepository, SessionRepository, SigningKeyStore, UserRepository,
};
use domain::{NewSecurityEvent, QueuedMail, Timestamp, UserId};

mod contract;

/// Every storage port on one value, as the server wires them. Implemented
/// for every type that implements them all.
pub trait Store:
    UserRepository
    + SessionRepository
    + OneTimeTokenRepository
    + SecurityEventRepository
    + Outbox
    + LoginThrottle
    + RateLimitCounter
    + MfaRepository
    + SigningKeyStore
    + HealthProbe
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: UserRepository
        + SessionRepository
        + OneTimeTokenRepository
        + SecurityEventRepository
        + Outbox
        + LoginThrottle
        + RateLimitCounter
        + MfaRepository
        + SigningKeyStore
        + HealthProbe
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// What a test must see behind the ports, for one adapter. One value per
/// test: [`fresh`](Harness::fresh) makes it, and dropping it may clean up
/// (a database dropped, a folder deleted).
#[async_trait]
pub trait Harness: Send + Sync + Sized + 'static {
    type Store: Store;

    /// A fresh, empty store for one test, ready to use (migrated, say).
    /// `None`: this backend is unavailable here, and the test is skipped
    /// (print why first, loudly: a skipped test passes).
    async fn fresh() -> Option<Self>;

    /// The store under test.
    fn store(&self) -> &Self::Store;

    /// Every security event recorded for `user`, oldest first (ties in the
    /// order they were written).
    async fn events(&self, user: UserId) -> Vec<NewSecurityEvent>;

    /// Every outbox message, delivered or not, oldest first (ties in the
    /// order they were queued).
    async fn outbox(&self) -> Vec<OutboxEntry>;

    /// Another handle on the same store, as a second process would have
    /// (for the concurrency tests); for an adapter with a pool, a second
    /// pool.
    fn another_handle(&self) -> Self::Store;
}

/// An outbox message as stored: what a claim would hand a worker, and the
/// delivery state around it. `Debug` hides the link (see `OutgoingMail`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub queued: QueuedMail,
    /// When it is due (again): its creation, or the `retry_at` of its last
    /// failure.
    pub next_attempt_at: Timestamp,
    /// The error of its last failed attempt.
    pub last_error: Option<String>,
    /// The end of its current lease, if a claim leased it; `None` once
    /// marked delivered or failed.
    pub locked_until: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

/// Runs one contract test on a fresh store of `H`, on a runtime like
/// `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]`'s.
fn run<H, F, Fut>(test: F)
where
    H: Harness,
    F: FnOnce(contract::Fixture<H>) -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build the test runtime");
    runtime.block_on(async move {
        if let Some(harness) = H::fresh().await {
            test(contract::Fixture::new(harness)).await;
        }
    });
}

/// Declares the whole suite for a [`Harness`]: one `#[test]` per contract
/// test, in a module per topic (`users::...`, `sessions::...`), each on a
/// fresh store. Use it once per module:
///
/// ```ignore
/// mod sqlite {
///     port_conformance::suite!(super::SqliteHarness);
/// }
/// ```
///
/// The list of tests below is the only one: a test added to the suite runs
/// for every adapter.
#[macro_export]
macro_rules! suite {
    (@list $($mode:tt)*) => {
        $crate::suite! { @expand [$($mode)*]
            users {
                creating_a_user_stores_it_with_its_events,
                a_created_user_reads_back_exactly_by_id_and_by_email,
                creating_a_user_with_a_taken_email_is_email_taken_and_writes_nothing,
                an_email_differing_only_in_case_is_taken,
                a_user_whose_event_cannot_be_written_is_not_created,
                finding_an_unknown_user_is_none,
                timestamps_keep_microseconds_and_drop_nanoseconds,
                updating_the_password_hash_replaces_only_the_hash,
                updating_the_password_hash_of_an_unknown_user_is_not_an_error,
                a_rehash_does_not_overwrite_a_hash_that_changed_meanwhile,
            }
            user_listing {
                users_are_listed_newest_first_with_the_id_breaking_ties_up_to_the_limit,
                walking_45_users_by_20_gives_pages_of_20_20_and_5_in_order,
                walking_exactly_40_users_by_20_gives_two_full_pages_then_an_empty_one,
                users_created_between_page_reads_cause_no_duplicate_and_no_gap,
                after_is_a_position_at_microsecond_precision_and_need_not_name_a_stored_user,
                q_matches_a_substring_of_the_email_or_the_name_case_insensitively,
                q_treats_percent_underscore_and_backslash_as_themselves,
                a_renamed_user_is_found_by_the_new_name_only,
                email_is_an_exact_case_insensitive_lookup,
                role_and_is_active_select_exactly,
                every_filter_combines_with_every_other,
                filters_combine_with_pagination,
                nothing_to_list_is_an_empty_list,
            }
            user_changes {
                a_change_sets_the_given_fields_and_updated_at_and_writes_its_effects,
                a_change_that_sets_no_field_only_moves_updated_at,
                changing_an_unknown_user_is_not_found_and_writes_nothing,
                changing_the_access_of_an_unknown_user_is_not_found_and_writes_nothing,
                redeeming_or_changing_the_email_of_an_unknown_user_is_not_found_and_writes_nothing,
                switching_to_the_email_of_another_account_in_any_case_is_email_taken_and_writes_nothing,
                setting_the_email_a_user_already_has_is_not_taken,
                ending_all_sessions_revokes_every_unrevoked_session_of_the_user_only,
                ending_all_sessions_but_one_keeps_that_one,
                a_change_whose_effect_cannot_be_written_changes_nothing,
            }
            user_change_tokens {
                a_usable_token_is_consumed_once_and_a_second_consume_is_token_unusable_writing_nothing,
                an_expired_token_is_token_unusable,
                a_voided_token_is_token_unusable,
                a_token_of_another_user_is_token_unusable,
                an_unknown_token_is_token_unusable,
                concurrent_changes_consuming_one_token_have_exactly_one_winner,
                a_change_voids_the_unused_tokens_of_the_purposes_it_names_only,
                a_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one,
                a_deactivated_account_is_not_found_only_when_the_change_requires_an_active_one,
                a_deactivated_account_is_not_found_even_with_an_unusable_token_and_writes_nothing,
            }
            email_changes {
                an_email_change_with_an_unusable_token_is_token_unusable_and_writes_nothing,
                an_email_change_with_an_unusable_token_to_a_taken_address_is_token_unusable,
                concurrent_email_changes_with_one_token_have_exactly_one_winner,
                an_email_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one,
            }
            last_admin {
                demoting_the_only_active_admin_is_last_admin_and_writes_nothing,
                deactivating_the_only_active_admin_is_last_admin_and_writes_nothing,
                an_admin_can_be_demoted_or_deactivated_while_another_active_admin_remains,
                an_inactive_admin_does_not_count_as_another_active_admin,
                the_last_active_admin_can_still_change_everything_else,
                users_who_are_not_active_admins_can_be_demoted_and_deactivated_with_no_admin_left,
                two_active_admins_removing_each_other_concurrently_leave_exactly_one,
            }
            user_deletion {
                deleting_a_user_removes_their_sessions_tokens_and_events_and_frees_the_email,
                deleting_a_user_writes_its_effects_and_leaves_other_users_alone,
                deleting_an_unknown_user_is_not_found_and_writes_nothing,
                deleting_the_only_active_admin_is_last_admin_and_writes_nothing,
                an_admin_can_be_deleted_while_another_active_admin_remains,
                an_inactive_admin_can_be_deleted_with_no_active_admin_left,
                a_deletion_whose_effect_cannot_be_written_deletes_nothing,
            }
            sessions {
                creating_a_session_stores_it_with_its_refresh_token_and_events,
                a_session_whose_event_cannot_be_written_is_not_created,
                a_session_for_an_unknown_user_is_not_created,
                a_session_checked_against_a_password_reset_meanwhile_is_not_opened,
                a_session_of_a_user_deactivated_meanwhile_is_not_opened,
                unknown_sessions_and_refresh_tokens_are_none,
                rotating_the_current_token_replaces_it_and_slides_the_session,
                rotating_a_token_that_is_no_longer_current_writes_nothing,
                rotating_with_the_token_of_another_session_writes_nothing,
                concurrent_rotations_of_one_token_have_exactly_one_winner,
                every_rotated_token_is_remembered_as_rotated,
                a_revoked_session_cannot_rotate,
                revoking_marks_the_session_and_writes_the_events,
                revoking_twice_keeps_the_first_time_and_still_writes_the_events,
                revoking_an_unknown_session_changes_nothing_but_writes_the_events,
                live_sessions_are_listed_most_recently_used_first_without_revoked_or_ended_ones,
                sessions_used_at_the_same_instant_are_listed_newest_first,
                a_user_without_sessions_has_no_live_ones,
            }
            session_with_user {
                a_session_is_found_with_its_user_exactly,
                the_user_is_read_as_it_is_now_and_the_session_even_when_revoked,
                an_unknown_session_is_found_with_no_user,
            }
            refresh_retries {
                a_rotation_keeps_its_retry_on_the_rotated_token_exactly,
                using_the_successor_erases_the_retry_of_the_token_before_it,
                a_rotation_without_a_retry_erases_the_one_before,
                a_lost_rotation_keeps_the_retry_it_found,
                revoking_a_session_erases_its_retries,
                erasing_ended_retries_erases_only_those_whose_window_has_ended,
            }
            one_time_tokens {
                an_issued_token_reads_back_exactly_with_its_effects_written,
                an_issued_token_of_every_purpose_reads_back,
                issuing_voids_the_earlier_unused_tokens_of_the_same_user_and_purpose_only,
                a_used_token_keeps_its_use_time_when_a_newer_one_is_issued,
                a_token_for_an_unknown_user_is_not_issued_and_its_effects_are_not_written,
                a_token_whose_effect_cannot_be_written_is_not_issued,
                finding_an_unknown_token_is_none,
                tokens_in_the_effects_of_a_change_are_stored_like_issued_ones,
                tokens_in_the_effects_of_a_new_user_are_stored_with_it,
            }
            security_events {
                events_are_listed_newest_first_up_to_the_limit_with_every_field,
                only_the_events_of_the_user_are_listed,
                paging_with_after_continues_exactly_where_the_previous_page_ended_even_within_one_instant,
                after_is_a_position_and_need_not_name_a_stored_event,
                a_limit_of_zero_lists_nothing,
            }
            rate_limits {
                hits_of_one_window_count_up_and_a_new_window_starts_at_one,
                keys_are_counted_apart,
                concurrent_hits_from_two_handles_all_count,
                forgetting_drops_only_windows_that_started_before,
            }
            throttle {
                an_unknown_key_is_not_locked,
                failures_below_the_limit_do_not_lock,
                the_failure_that_reaches_the_limit_locks_until_now_plus_the_lockout,
                failures_during_a_lockout_neither_report_nor_extend_it,
                a_failure_after_the_lockout_ended_starts_a_new_count,
                clearing_forgets_the_failures,
                keys_are_counted_separately,
                a_failure_writes_its_events_in_the_same_transaction,
                the_failure_that_locks_also_writes_its_lock_effects,
                a_failure_whose_event_cannot_be_written_fails_and_its_check_stays_in_flight,
                concurrent_checks_beyond_the_allowance_are_busy_and_lock_nothing,
                right_passwords_in_flight_together_lock_nothing,
                a_check_without_a_verdict_frees_its_place_and_counts_nothing,
                checks_never_recorded_are_forgotten_after_the_stale_limit,
                clearing_keeps_the_checks_in_flight_counted,
            }
            outbox {
                claiming_returns_due_mail_oldest_first_up_to_the_limit_and_leases_it,
                a_claimed_mail_is_not_claimed_again_while_leased,
                a_mail_whose_lease_ran_out_is_claimable_again,
                a_failed_mail_is_claimed_again_only_once_due,
                a_failure_counts_the_attempt_and_keeps_the_error_cut_to_500_characters,
                a_delivered_mail_is_never_claimed_again_and_loses_its_link,
                marking_an_unknown_mail_is_not_an_error,
                pending_counts_undelivered_mail_only,
                a_lease_out_of_range_is_unexpected,
                concurrent_claimers_see_every_mail_exactly_once,
                a_mark_under_a_lease_that_passed_to_another_worker_changes_nothing,
                pruning_deletes_only_delivered_mail_past_its_age_in_batches,
            }
            outbox_queueing {
                mail_of_a_created_user_is_queued_with_it_and_due_at_once,
                a_user_that_cannot_be_created_queues_no_mail,
                every_state_changing_method_queues_its_mail_at_the_time_of_the_change,
                every_user_change_method_queues_its_mail_at_the_time_of_the_change,
            }
            two_factor {
                a_started_enrolment_is_pending_and_a_restart_replaces_it,
                starting_while_on_is_already_enabled_and_for_nobody_user_not_found,
                confirming_turns_it_on_with_its_step_events_and_ended_sessions,
                confirming_another_secret_or_twice_is_code_refused_and_writes_nothing,
                a_totp_step_is_used_once_and_only_later_steps_pass,
                each_recovery_code_works_once_and_new_codes_void_the_old,
                removing_turns_it_off_with_its_code_and_removing_when_off_is_refused,
                an_admin_removal_needs_no_code_and_ends_the_sessions_it_names,
                an_mfa_token_completes_one_login_using_up_its_code,
                an_expired_unknown_or_foreign_mfa_token_is_unusable_and_writes_nothing,
                a_login_whose_password_changed_meanwhile_is_refused_and_tokens_die_with_sessions,
                concurrent_logins_with_one_code_have_exactly_one_winner,
                deleting_a_user_deletes_its_two_factor_rows,
            }
            signing_keys {
                the_first_keys_read_back_as_a_current_and_a_next_key,
                first_keys_are_made_once,
                concurrent_first_key_creations_from_two_handles_have_one_winner,
                each_algorithm_has_keys_of_its_own,
                a_rotation_moves_every_key_one_step,
                a_rotation_from_a_key_no_longer_current_writes_nothing,
                concurrent_rotations_from_one_current_key_have_one_winner,
                deleting_retired_keys_drops_only_those_retired_before,
            }
            health {
                a_fresh_store_is_ready,
            }
        }
    };

    // Inside this crate: a public entry point per test, so that a test
    // missing from the list is dead code (and fails the lints).
    (@expand [entries] $($module:ident { $($test:ident),* $(,)? })*) => {
        #[doc(hidden)]
        pub mod __entries {
            $(
                pub mod $module {
                    $(
                        pub fn $test<H: $crate::Harness>() {
                            $crate::run::<H, _, _>($crate::contract::$module::$test::<H>);
                        }
                    )*
                }
            )*
        }
    };

    // In the adapter's test crate.
    (@expand [tests $harness:ty] $($module:ident { $($test:ident),* $(,)? })*) => {
        #[doc(hidden)]
        type __PortConformanceHarness = $harness;
        $(
            mod $module {
                $(
                    #[test]
                    fn $test() {
                        $crate::__entries::$module::$test::<super::__PortConformanceHarness>();
                    }
                )*
            }
        )*
    };

    ($harness:ty $(,)?) => {
        $crate::suite! { @list tests $harness }
    };
}

suite!(@list entries);
