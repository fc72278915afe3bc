#!/usr/bin/env python3
"""The service's benchmark: `bench/run` (see bench/README.md).

Builds the server, starts it on SQLite, PostgreSQL and the in-memory store
with production-like settings (bcrypt cost 12, rate limit off, JSON logs to
a file), seeds users, drives it over loopback with wrk (closed-loop
scenarios) or with paced Python clients (the login flood and the samplers
beside it), and prints one table. Exits non-zero when a scenario had
unexpected answers or transport errors. Python's standard library only.
"""

import argparse
import concurrent.futures
import http.client
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
SEED_DIR = ROOT / "bench" / "seed"
PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "bench-admin@example.com"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]


class Profile:
    def __init__(self, smoke):
        self.smoke = smoke
        self.release = not smoke
        self.cost = 4 if smoke else 12
        self.seconds = 2 if smoke else 10
        # Enough accounts that no account has more logins in flight than
        # its lockout allowance (5), even with 256 in flight in the flood.
        self.login_users = 128
        self.listed_users = 2_000 if smoke else 100_000
        self.capacity_seconds = 1 if smoke else 5


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- build


def build(profile):
    args = ["cargo", "build", "--locked", "-p", "server", "-p", "adapters-crypto",
            "--example", "bcrypt_capacity", "--bin", "server"]
    if profile.release:
        args.append("--release")
    log(" ".join(args))
    subprocess.run(args, cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    out = target / ("release" if profile.release else "debug")
    return out / "server", out / "examples" / "bcrypt_capacity"


def bcrypt_capacity(example, profile):
    out = subprocess.run([str(example), str(profile.cost), str(profile.capacity_seconds)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk from the Debian archive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------- HTTP


def call(base, method, path, body=None, token=None, form=None, timeout=30):
    """One request on a fresh connection: (status, parsed JSON or None)."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, None


def login(base, email):
    status, pair = call(base, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"login of {email}: {status} {pair}")
    return pair


# ---------------------------------------------------------------- the server


class Server:
    """One server process with its working directory and log file."""

    def __init__(self, binary, backend, database_url, workdir, profile):
        self.binary = binary
        self.backend = backend
        self.database_url = database_url
        self.workdir = workdir
        self.profile = profile
        self.log_path = workdir / "server.log"
        self.process = None
        self.base = None
        self.ops = None

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
        env.update({
            "APP_ENV": "development",
            "APP_DATABASE__URL": self.database_url,
            "APP_SERVER__HOST": "127.0.0.1",
            "APP_SERVER__PORT": "0",
            "APP_OPS__HOST": "127.0.0.1",
            "APP_OPS__PORT": "0",
            "APP_AUTH__BCRYPT_COST": str(self.profile.cost),
            "APP_RATE_LIMIT__AUTH_PER_MINUTE": "0",
            "APP_LOG__FORMAT": "json",
            "APP_MAIL__TRANSPORT": "file",
            "APP_MAIL__FILE_DIR": str(self.workdir / "outbox"),
            "APP_ADMIN_PASSWORD": PASSWORD,
            "RUST_LOG": "info",
        })
        return env

    def command(self, *args):
        subprocess.run([str(self.binary), *args], cwd=self.workdir, env=self.env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self, *args):
        """Starts it and returns the seconds from spawn to /health/ready = 200."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log_file = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen([str(self.binary), "serve", *args], cwd=self.workdir,
                                        env=self.env(), stdout=log_file, stderr=log_file)
        log_file.close()
        while self.base is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()[-2000:]}")
            addresses = {}
            for line in self.log_path.read_text(errors="replace")[offset:].splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("listener") in ("api", "ops") and "address" in event:
                    addresses[event["listener"]] = f"http://{event['address']}"
            if "api" in addresses and "ops" in addresses:
                self.base, self.ops = addresses["api"], addresses["ops"]
            else:
                time.sleep(0.001)
        while True:
            try:
                with urllib.request.urlopen(self.base + "/health/ready", timeout=5) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.001)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.base = None

    def reset_peak_rss(self):
        # Writing 5 resets the peak resident set size (VmHWM) of the process.
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def peak_rss_mb(self):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        return kb / 1024


# ---------------------------------------------------------------- stores


def postgres_database():
    name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", *PG, "-d", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres(name):
    subprocess.run(["psql", *PG, "-d", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   check=False)


def seed_listed_users(backend, database_url, count):
    if backend == "sqlite":
        path = database_url.removeprefix("sqlite://")
        with sqlite3.connect(path) as db:
            db.execute((SEED_DIR / "users-sqlite.sql").read_text(), {"n": count})
            db.execute("ANALYZE")
    else:
        database = database_url.rsplit("/", 1)[1]
        subprocess.run(["psql", *PG, "-d", database, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"n={count}",
                        "-f", str(SEED_DIR / "users-postgres.sql"), "-c", "ANALYZE users"],
                       check=True, stdout=subprocess.DEVNULL)


def register_users(base, count, prefix):
    def one(i):
        email = f"{prefix}{i}@example.com"
        status, body = call(base, "POST", "/api/v1/auth/register",
                            {"email": email, "password": PASSWORD, "name": f"Bench {i}"})
        if status != 201:
            raise RuntimeError(f"register {email}: {status} {body}")
        return email

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


# ---------------------------------------------------------------- load


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def wrk(server, scenario, connections, seconds, path, env):
    """A closed-loop wrk run of bench/wrk/{scenario}.lua; its JSON summary."""
    script = WRK_DIR / f"{scenario}.lua"
    threads = min(2, connections)
    env = {**os.environ, **env, "BENCH_COMMON": str(WRK_DIR / "common.lua")}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), server.base + path],
                         env=env, capture_output=True, text=True, timeout=seconds + 120)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk printed no summary: {out.stdout}\n{out.stderr}")


class Paced:
    """Open-loop requests at a fixed rate on a thread pool, each on a fresh
    connection; records (status or an error name, latency in ms)."""

    def __init__(self, base, rate, seconds, make_request):
        self.base, self.rate, self.seconds = base, rate, seconds
        self.make_request = make_request
        self.results = []
        self.lock = threading.Lock()

    def one(self, i):
        method, path, body, token = self.make_request(i)
        started = time.monotonic()
        try:
            status, _ = call(self.base, method, path, body, token, timeout=10)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            status = type(error).__name__
        with self.lock:
            self.results.append((status, (time.monotonic() - started) * 1000))

    def run(self):
        total = int(self.rate * self.seconds)
        with concurrent.futures.ThreadPoolExecutor(max_workers=256) as pool:
            start = time.monotonic()
            for i in range(total):
                delay = start + i / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.one, i)
        return self.results


class Sampler(threading.Thread):
    """One keep-alive connection sending a request every `every` seconds
    until stopped; records (status, latency in ms)."""

    def __init__(self, base, path, token=None, every=0.02):
        super().__init__(daemon=True)
        self.host = base.removeprefix("http://")
        self.path, self.token, self.every = path, token, every
        self.results = []
        self.stopped = threading.Event()

    def run(self):
        connection = http.client.HTTPConnection(self.host, timeout=10)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        while not self.stopped.is_set():
            started = time.monotonic()
            try:
                connection.request("GET", self.path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(self.host, timeout=10)
            self.results.append((status, (time.monotonic() - started) * 1000))
            self.stopped.wait(self.every)


# ---------------------------------------------------------------- scenarios


class Results:
    def __init__(self):
        self.rows = []
        self.unexpected = []

    def add(self, backend, scenario, rps, p50, p99, answers, expected, rss, note=""):
        unexpected = {k: v for k, v in answers.items() if k not in expected}
        self.rows.append({"backend": backend, "scenario": scenario, "rps": rps, "p50_ms": p50,
                          "p99_ms": p99, "answers": answers, "unexpected": unexpected,
                          "peak_rss_mb": rss, "note": note})
        if unexpected:
            self.unexpected.append(f"{backend} {scenario}: {unexpected}")


def from_wrk(results, server, backend, name, summary, expected, note=""):
    answers = summary["statuses"]
    for kind, count in summary["errors"].items():
        if count:
            answers[kind] = count
    seconds = summary["duration_us"] / 1e6
    results.add(backend, name, summary["requests"] / seconds, summary["p50_us"] / 1000,
                summary["p99_us"] / 1000, answers, expected, server.peak_rss_mb(), note)
    return summary


def measure(server, fn):
    server.reset_peak_rss()
    return fn()


def run_backend(binary, backend, profile, capacity, results, scratch):
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-", dir=scratch))
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite://{workdir / 'app.db'}"
    elif backend == "postgres":
        pg_name, url = postgres_database()
    else:
        url = "memory:"
    server = Server(binary, backend, url, workdir, profile)
    try:
        if backend == "memory":
            ready = server.start("--admin-email", ADMIN_EMAIL, "--admin-name", "Bench Admin")
        else:
            server.command("migrate")
            log(f"{backend}: seeding {profile.listed_users} listed users")
            seed_listed_users(backend, url, profile.listed_users)
            server.command("create-admin", "--email", ADMIN_EMAIL, "--name", "Bench Admin")
            # Start to ready with the migrations already applied.
            ready = server.start()
        results.add(backend, "start to ready", None, ready * 1000, None, {}, set(),
                    server.peak_rss_mb(), "ms from spawn to /health/ready = 200")
        log(f"{backend}: ready in {ready * 1000:.0f} ms; registering {profile.login_users} users")
        emails = register_users(server.base, profile.login_users, f"login-{uuid.uuid4().hex[:6]}-")
        me_token = login(server.base, emails[0])["access_token"]
        seconds = profile.seconds
        users_env = {"BENCH_EMAILS": ",".join(emails), "BENCH_PASSWORD": PASSWORD}

        for connections in (16, 64):
            summary = measure(server, lambda: wrk(server, "login", connections, seconds,
                                                  "/api/v1/auth/login", users_env))
            from_wrk(results, server, backend, f"login c={connections}", summary, {"200", "503"},
                     f"{summary['statuses'].get('200', 0) / (summary['duration_us'] / 1e6) / capacity:.2f}"
                     " x bcrypt capacity (200s only)")

        flood(server, backend, profile, capacity, emails, me_token, results)

        for connections in (16, 64, 256):
            summary = measure(server, lambda: wrk(server, "me", connections, seconds,
                                                  "/api/v1/users/me", {"BENCH_TOKEN": me_token}))
            from_wrk(results, server, backend, f"users/me c={connections}", summary, {"200"})

        log(f"{backend}: opening 64 sessions for the refresh chain")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pairs = list(pool.map(lambda i: login(server.base, emails[i % len(emails)]), range(64)))
        refresh_env = {"BENCH_REFRESH_TOKENS": ",".join(p["refresh_token"] for p in pairs)}
        summary = measure(server, lambda: wrk(server, "refresh", 64, seconds, "/api/v1/auth/refresh",
                                              refresh_env))
        from_wrk(results, server, backend, "refresh c=64", summary, {"200"},
                 "each request rotates the token the previous answer gave")

        summary = measure(server, lambda: wrk(server, "register", 16, seconds, "/api/v1/auth/register",
                                              {"BENCH_PASSWORD": PASSWORD, "BENCH_RUN": uuid.uuid4().hex[:8]}))
        from_wrk(results, server, backend, "register c=16", summary, {"201", "503"})

        if backend != "memory":
            admin_token = login(server.base, ADMIN_EMAIL)["access_token"]
            cursor = deep_cursor(server.base, admin_token, int(profile.listed_users * 0.9))
            for name, path in (("admin list page 1", "/api/v1/users?limit=20"),
                               ("admin list deep page", f"/api/v1/users?limit=20&cursor={cursor}")):
                summary = measure(server, lambda: wrk(server, "get", 16, seconds, path,
                                                      {"BENCH_TOKEN": admin_token}))
                from_wrk(results, server, backend, f"{name} c=16", summary, {"200"},
                         f"over {profile.listed_users} users")
    finally:
        server.stop()
        if pg_name:
            drop_postgres(pg_name)
        shutil.rmtree(workdir, ignore_errors=True)


def deep_cursor(base, token, depth):
    """The cursor after the `depth`th user, newest first (walked 100 at a time)."""
    cursor, seen = None, 0
    while seen < depth:
        path = "/api/v1/users?limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(base, "GET", path, token=token)
        if status != 200 or not page["next_cursor"]:
            raise RuntimeError(f"walking the user list: {status}")
        seen += len(page["items"])
        cursor = page["next_cursor"]
    return cursor


def flood(server, backend, profile, capacity, emails, me_token, results):
    """Logins offered at 4x the bcrypt capacity, paced, while /health/live
    and /users/me are sampled."""
    rate = 4 * capacity
    live = Sampler(server.base, "/health/live")
    me = Sampler(server.base, "/api/v1/users/me", me_token)
    server.reset_peak_rss()
    live.start()
    me.start()
    started = time.monotonic()
    answers = Paced(server.base, rate, profile.seconds, lambda i: (
        "POST", "/api/v1/auth/login", {"email": emails[i % len(emails)], "password": PASSWORD}, None,
    )).run()
    elapsed = time.monotonic() - started
    live.stopped.set()
    me.stopped.set()
    live.join()
    me.join()
    rss = server.peak_rss_mb()

    def add(name, samples, expected, note, seconds):
        counts = {}
        for status, _ in samples:
            counts[str(status)] = counts.get(str(status), 0) + 1
        latencies = [ms for _, ms in samples]
        results.add(backend, name, len(samples) / seconds, percentile(latencies, 50),
                    percentile(latencies, 99), counts, expected, rss, note)

    add("flood: logins (all)", answers, {"200", "503"},
        f"offered {rate:.1f}/s = 4 x capacity", elapsed)
    add("flood: logins answered 503", [a for a in answers if a[0] == 503], {"503"},
        "the excess, shed at once", elapsed)
    add("flood: /health/live", live.results, {"200"}, "sampled every 20 ms", elapsed)
    add("flood: /users/me", me.results, {"200"}, "sampled every 20 ms", elapsed)


# ---------------------------------------------------------------- report


def fmt(value, digits=1):
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def table(results):
    lines = ["| backend | scenario | req/s | p50 ms | p99 ms | answers | peak RSS MB | note |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in results.rows:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["answers"].items()))
        lines.append(f"| {r['backend']} | {r['scenario']} | {fmt(r['rps'])} | {fmt(r['p50_ms'], 2)} | "
                     f"{fmt(r['p99_ms'], 2)} | {answers} | {fmt(r['peak_rss_mb'])} | {r['note']} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds per scenario, bcrypt cost 4, debug build: proves the harness runs")
    parser.add_argument("--backends", default="sqlite,postgres,memory")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    profile = Profile(args.smoke)
    ensure_wrk()
    binary, example = build(profile)
    capacity = bcrypt_capacity(example, profile)
    log(f"bcrypt capacity at cost {profile.cost}: {capacity['per_second']:.2f} hashes/s "
        f"on {capacity['threads']} threads")
    results = Results()
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        for backend in args.backends.split(","):
            log(f"{backend}: starting")
            run_backend(binary, backend, profile, capacity["per_second"], results, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nbench/run{' --smoke' if args.smoke else ''}, {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores, bcrypt cost {profile.cost}: raw capacity "
          f"{capacity['per_second']:.2f} hashes/s ({capacity['threads']} threads)\n")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"capacity": capacity, "rows": results.rows}, indent=2))
    if results.unexpected:
        print("\nunexpected answers:\n  " + "\n  ".join(results.unexpected))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
