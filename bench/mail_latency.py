#!/usr/bin/env python3
"""Hand-run benchmark: delivery latency from commit to `.eml` file.

Starts nothing itself: run the server (file transport) in DIR first, e.g.

    cd /tmp/bench && APP_RATE_LIMIT__AUTH_PER_MINUTE=0 APP_AUTH__BCRYPT_COST=4 \
        /path/to/target/release/server &
    python3 bench/mail_latency.py http://127.0.0.1:8080 /tmp/bench/data/outbox 100

Registers N accounts one after another; for each, the latency is the welcome
file's modification time minus the moment the 201 arrived (the commit happened
before the answer, so this slightly understates it). Prints median, p90, max.
"""
import email
import email.utils
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid


def register(base, address):
    body = json.dumps({"email": address, "password": "correct horse battery staple", "name": "Bench"}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/register", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201, response.status
    return time.time()


def find_files(folder, wanted):
    """Maps recipient -> mtime for .eml files addressed to one of `wanted`."""
    found = {}
    for name in os.listdir(folder):
        if not name.endswith(".eml"):
            continue
        path = os.path.join(folder, name)
        with open(path, "rb") as handle:
            message = email.message_from_binary_file(handle)
        to = email.utils.parseaddr(message["To"])[1]
        if to in wanted:
            found[to] = os.stat(path).st_mtime
    return found


def main():
    base, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    run = uuid.uuid4().hex[:8]
    committed = {}
    for n in range(count):
        address = f"latency-{run}-{n}@example.com"
        committed[address] = register(base, address)
    deadline = time.time() + 60
    while True:
        delivered = find_files(folder, committed)
        if len(delivered) == count or time.time() > deadline:
            break
        time.sleep(0.2)
    latencies = sorted((delivered[a] - committed[a]) * 1000 for a in delivered)
    print(f"delivered {len(latencies)} of {count}")
    print(f"median {statistics.median(latencies):.1f} ms, "
          f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.1f} ms, max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
