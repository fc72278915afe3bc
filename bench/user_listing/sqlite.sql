-- The admin listing (UserRepository::list) at 100,000 users, on SQLite.
--
-- On an empty database file migrated by the service (run_migrations):
--   sqlite3 FILE < bench/user_listing/sqlite.sql
-- The statements are those adapters-db sends (printed with diesel's
-- instrumentation), with the parameters bound. `name_folded` is filled as
-- Rust folds these names. The CLI's SQLite may be older than the bundled
-- one and its build optimised: times through the adapter differ.
.bail on
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100000)
INSERT INTO users (id, email, name, name_folded, role, email_verified, is_active,
                   password_hash, created_at, updated_at)
SELECT lower(printf('%s-%s-4%s-a%s-%s', hex(randomblob(4)), hex(randomblob(2)),
                    substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2),
                    hex(randomblob(6)))),
       'user' || i || '@example.com', n, replace(lower(n), 'Ådá', 'ådá'),
       CASE WHEN i % 100 = 0 THEN 'admin' ELSE 'user' END, 1, i % 10 <> 0,
       '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', ts, ts
FROM (SELECT i,
             (CASE i % 4 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Grace' WHEN 2 THEN 'Ådá' ELSE 'Linus' END)
                 || ' Person ' || i AS n,
             strftime('%Y-%m-%d %H:%M:%S', '2026-01-01 00:00:00', '+' || i || ' seconds')
                 || '.123456' AS ts
      FROM s);
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
