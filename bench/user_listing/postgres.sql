-- The admin listing (UserRepository::list) at 100,000 users, on PostgreSQL.
--
-- On an empty database migrated by the service (run_migrations), not a
-- real one: it inserts 100,000 users (bench/seed/users-postgres.sql).
--   psql -h 127.0.0.1 -U postgres -d DB -f bench/user_listing/postgres.sql
-- The statements are those adapters-db sends (printed with diesel's
-- instrumentation), prepared with the same parameters. The first executions
-- get custom plans; diesel caches prepared statements by their SQL, so after
-- five the server may switch to a generic plan: the last block shows what
-- that would cost a search, which is why adapters-db runs a search under
-- `SET LOCAL plan_cache_mode = force_custom_plan`.
\set ON_ERROR_STOP on
\timing off

\set n 100000
\ir ../seed/users-postgres.sql
ANALYZE users;

-- The cursor of the 90,000th user, newest first.
SELECT created_at AS cursor_at, id AS cursor_id FROM users
ORDER BY created_at DESC, id DESC OFFSET 89999 LIMIT 1 \gset

\set cols '"users"."id", "users"."email", "users"."name", "users"."role", "users"."email_verified", "users"."is_active", "users"."password_hash", "users"."created_at", "users"."updated_at"'
\set order 'ORDER BY "users"."created_at" DESC, "users"."id" DESC'
PREPARE page(bigint) AS
    SELECT :cols FROM "users" :order LIMIT $1;
PREPARE deep(timestamp, timestamp, timestamp, text, bigint) AS
    SELECT :cols FROM "users" WHERE (("users"."created_at" <= $1) AND (("users"."created_at" < $2)
        OR (("users"."created_at" = $3) AND ("users"."id" < $4)))) :order LIMIT $5;
PREPARE by_email(text, bigint) AS
    SELECT :cols FROM "users" WHERE ("users"."email" = $1) :order LIMIT $2;
PREPARE q(text, text, text, text, bigint) AS
    SELECT :cols FROM "users" WHERE (("users"."email" LIKE $1 ESCAPE $2)
        OR ("users"."name_folded" LIKE $3 ESCAPE $4)) :order LIMIT $5;

\echo === page 1
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE page(20);
\echo === the page after the 90,000th user
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE deep(:'cursor_at', :'cursor_at', :'cursor_at', :'cursor_id', 20);
\echo === email
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE by_email('user4242@example.com', 20);
\echo === q, a rare one
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q('%user4242@%', '\', '%user4242@%', '\', 20);
\echo === q, a common one
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q('%ådá%', '\', '%ådá%', '\', 20);
\echo === q, a rare one, with the generic plan
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q('%user4242@%', '\', '%user4242@%', '\', 20);
