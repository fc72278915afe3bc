#!/usr/bin/env python3
"""Hand-run benchmark: steady registrations while the SMTP server is down.

Run the server with the smtp transport pointed at a port where nothing
listens yet, e.g.

    APP_MAIL__TRANSPORT=smtp APP_MAIL__SMTP__HOST=127.0.0.1 \
    APP_MAIL__SMTP__PORT=2525 APP_MAIL__SMTP__TLS=none \
    APP_RATE_LIMIT__AUTH_PER_MINUTE=0 APP_AUTH__BCRYPT_COST=4 target/release/server &
    python3 bench/smtp_outage.py http://127.0.0.1:8080 2525 60 90 2

Registers RATE accounts a second for DURATION seconds; starts an SMTP sink on
PORT after OUTAGE seconds; then waits until every welcome mail arrived (or
5 minutes pass) and prints: registrations and their failures, mails received,
duplicates, and how long after the sink came up the backlog was drained.
Python 3.11's (deprecated) smtpd module is the sink.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import asyncore  # noqa: E402
import smtpd  # noqa: E402

received = []


class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        received.append((time.time(), tuple(rcpttos)))


def register(base, address):
    body = json.dumps({"email": address, "password": "correct horse battery staple", "name": "Bench"}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/register", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    base, port, outage, duration, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    run = uuid.uuid4().hex[:8]
    started = time.time()
    sink_up = None
    statuses = {}
    sent = []
    n = 0
    while time.time() - started < duration:
        if sink_up is None and time.time() - started >= outage:
            Sink(("127.0.0.1", port), None)
            threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05}, daemon=True).start()
            sink_up = time.time()
        address = f"outage-{run}-{n}@example.com"
        status = register(base, address)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            sent.append(address)
        n += 1
        time.sleep(max(0.0, started + n / rate - time.time()))
    deadline = time.time() + 300
    while len({r for _, rs in received for r in rs}) < len(sent) and time.time() < deadline:
        time.sleep(0.2)
    recipients = [r for _, rs in received for r in rs]
    drained = max(t for t, _ in received) - sink_up if received else float("nan")
    print(f"registrations: {n} ({statuses}) over {duration:.0f} s, SMTP down for the first {outage:.0f} s")
    print(f"welcome mails received: {len(set(recipients))} of {len(sent)}, duplicates: {len(recipients) - len(set(recipients))}")
    print(f"backlog drained {drained:.1f} s after the SMTP server came up")


if __name__ == "__main__":
    main()
