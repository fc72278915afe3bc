-- The admin listing (UserRepository::list) at 100,000 users, on SQLite.
--
-- On an empty database file migrated by the service (run_migrations):
--   sqlite3 FILE < bench/user_listing/sqlite.sql   (from the repository root;
--   the users come from bench/seed/users-sqlite.sql)
-- The statements are those adapters-db sends (printed with diesel's
-- instrumentation), with the parameters bound. `name_folded` is filled as
-- Rust folds these names. The CLI's SQLite may be older than the bundled
-- one and its build optimised: times through the adapter differ.
.bail on
.parameter init
.parameter set :n 100000
.read bench/seed/users-sqlite.sql
ANALYZE;

-- The cursor of the 90,000th user, newest first.
CREATE TEMP TABLE cursor AS SELECT created_at, id FROM users
ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 89999;
.parameter init
.parameter set @at "(SELECT created_at FROM cursor)"
.parameter set @id "(SELECT id FROM cursor)"
.parameter set @email 'user4242@example.com'
.parameter set @rare '%user4242@%'
.parameter set @esc '\'
.parameter set @n 20
.mode list
.headers off
.timer on

.print === page 1
EXPLAIN QUERY PLAN SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n;
SELECT count(*) FROM (SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n);
.print === the page after the 90,000th user
EXPLAIN QUERY PLAN SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE ((`users`.`created_at` <= @at) AND ((`users`.`created_at` < @at) OR ((`users`.`created_at` = @at) AND (`users`.`id` < @id)))) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n;
SELECT count(*) FROM (SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE ((`users`.`created_at` <= @at) AND ((`users`.`created_at` < @at) OR ((`users`.`created_at` = @at) AND (`users`.`id` < @id)))) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n);
.print === email
EXPLAIN QUERY PLAN SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE (`users`.`email` = @email) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n;
SELECT count(*) FROM (SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE (`users`.`email` = @email) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n);
.print === q, a rare one
EXPLAIN QUERY PLAN SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE ((`users`.`email` LIKE @rare ESCAPE @esc) OR (`users`.`name_folded` LIKE @rare ESCAPE @esc)) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n;
SELECT count(*) FROM (SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`role`, `users`.`email_verified`, `users`.`is_active`, `users`.`password_hash`, `users`.`created_at`, `users`.`updated_at` FROM `users` WHERE ((`users`.`email` LIKE @rare ESCAPE @esc) OR (`users`.`name_folded` LIKE @rare ESCAPE @esc)) ORDER BY `users`.`created_at` DESC, `users`.`id` DESC LIMIT @n);
