-- :n users (a bound parameter: `.parameter set :n 100000` in the sqlite3
-- shell), as seed/users-postgres.sql does on PostgreSQL. `name_folded` is
-- filled as Rust folds these names.
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n)
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
