-- :n users (psql -v n=100000), for the admin listing's benchmarks, on a
-- database migrated by the service. Every tenth is inactive, every
-- hundredth an admin; one second apart, newest last. Their password hash
-- opens nothing: they are listed, never logged in.
INSERT INTO users (id, email, name, name_folded, role, email_verified, is_active,
                   password_hash, created_at, updated_at)
SELECT gen_random_uuid()::text, 'user' || i || '@example.com', n, lower(n),
       CASE WHEN i % 100 = 0 THEN 'admin' ELSE 'user' END, true, i % 10 <> 0,
       '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', ts, ts
FROM generate_series(1, :n) AS i,
     LATERAL (SELECT (ARRAY['Ada', 'Grace', 'Ådá', 'Linus'])[i % 4 + 1] || ' Person ' || i AS n,
                     timestamp '2026-01-01 00:00:00.123456' + i * interval '1 second' AS ts) AS x;
