"""Schemathesis hooks for `.ci/fuzz-openapi`: fresh credentials for every case.

Every case of an operation that needs a bearer token gets an account and a
session made just for it, after the case was generated, so no fuzzed
request (a logout, ending sessions, a password change, deleting,
deactivating or demoting an account, failed logins that lock one out) can
take away the credentials of a later case, nor aim at the account its own
case runs as:

- the administration operations (tag `admin`) run as a new admin, created
  through the API by an admin made earlier in the run (the first one is
  the admin the script seeded with `server create-admin`; should the
  fuzzer have deleted, deactivated or demoted one, the next is used);
- every other operation runs as a user registered for that one case.

The account's password is known, so a `current_password` member of the
case's body (the password and email changes) is set to it: the schema
allows any string there, so the case stays as valid or as invalid as it was
generated, and the operation is tested past the password check.

The two-factor operations are reached past "two-factor is off": their
account has an enrolment to confirm or two-factor on, and a `code` member
is set to a code that works; the second step of a login gets a real
`mfa_token` (see `MFA_STATE` and `before_call`).

The script passes the server's address and the seeded admin's credentials
in `FUZZ_BASE_URL`, `FUZZ_ADMIN_EMAIL` and `FUZZ_ADMIN_PASSWORD`. Run as a
program, this file checks that every kind of credentials works.
"""

import base64
import hashlib
import hmac
import os
import re
import secrets
import struct
import threading
import time
import uuid
from typing import NamedTuple

import requests
import schemathesis

TIMEOUT = 10


class Account(NamedTuple):
    email: str
    password: str


class Credentials(NamedTuple):
    token: str
    password: str
    # Set for the two-factor operations (see `MFA_STATE`).
    totp_secret: str | None = None
    recovery_codes: tuple[str, ...] = ()


def _base() -> str:
    return os.environ["FUZZ_BASE_URL"]


def _new_account() -> Account:
    return Account(f"fuzz-{uuid.uuid4().hex}@fuzz.test", secrets.token_urlsafe(24))


def _login(account: Account) -> str | None:
    response = requests.post(
        f"{_base()}/api/v1/auth/login",
        json={"email": account.email, "password": account.password},
        timeout=TIMEOUT,
    )
    return response.json()["access_token"] if response.status_code == 200 else None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Admins:
    """The admins made in this run, newest last; each case gets a new one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: list[Account] = []
        # The session of the admin that creates the others, kept while it
        # works (a new login per case would pile up sessions and hashes).
        self._creator_token: str | None = None

    def _creator(self) -> str:
        with self._lock:
            if not self._known:
                self._known.append(
                    Account(os.environ["FUZZ_ADMIN_EMAIL"], os.environ["FUZZ_ADMIN_PASSWORD"])
                )
            candidates = list(reversed(self._known))
            token = self._creator_token
        if token is not None and self._is_admin(token):
            return token
        for account in candidates:
            token = _login(account)
            if token is not None and self._is_admin(token):
                with self._lock:
                    self._creator_token = token
                return token
        raise RuntimeError("no admin of this run can log in any more")

    @staticmethod
    def _is_admin(token: str) -> bool:
        me = requests.get(f"{_base()}/api/v1/users/me", headers=_bearer(token), timeout=TIMEOUT)
        return me.status_code == 200 and me.json()["role"] == "admin"

    def fresh(self) -> Credentials:
        account = _new_account()
        response = requests.post(
            f"{_base()}/api/v1/users",
            headers=_bearer(self._creator()),
            json={
                "email": account.email,
                "password": account.password,
                "name": "Fuzz Admin",
                "role": "admin",
            },
            timeout=TIMEOUT,
        )
        if response.status_code != 201:
            raise RuntimeError(f"creating an admin: {response.status_code} {response.text}")
        with self._lock:
            self._known.append(account)
        token = _login(account)
        if token is None:
            raise RuntimeError("a new admin could not log in")
        return Credentials(token, account.password)


ADMINS = Admins()


def totp(secret: str, at: float | None = None) -> str:
    """The RFC 6238 code (SHA-1, 6 digits, 30-second steps) of a base32 secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _post(path: str, token: str, body: dict) -> requests.Response:
    return requests.post(f"{_base()}{path}", headers=_bearer(token), json=body, timeout=TIMEOUT)


def _register() -> Account:
    account = _new_account()
    response = requests.post(
        f"{_base()}/api/v1/auth/register",
        json={"email": account.email, "password": account.password, "name": "Fuzz User"},
        timeout=TIMEOUT,
    )
    if response.status_code != 201:
        raise RuntimeError(f"register: {response.status_code} {response.text}")
    return account


def fresh_user(mfa: str | None = None) -> Credentials:
    """A new account, registered for one case, and its first session; with
    `mfa="pending"` a TOTP enrolment started, with `mfa="on"` confirmed."""
    account = _register()
    token = _login(account)
    if token is None:
        raise RuntimeError("a new user could not log in")
    credentials = Credentials(token, account.password)
    if mfa is None:
        return credentials
    started = _post("/api/v1/users/me/mfa/totp", token, {"current_password": account.password})
    if started.status_code != 200:
        raise RuntimeError(f"starting TOTP: {started.status_code} {started.text}")
    credentials = credentials._replace(totp_secret=started.json()["secret"])
    if mfa == "pending":
        return credentials
    confirmed = _post("/api/v1/users/me/mfa/totp/confirm", token, {"code": totp(credentials.totp_secret)})
    if confirmed.status_code != 200:
        raise RuntimeError(f"confirming TOTP: {confirmed.status_code} {confirmed.text}")
    return credentials._replace(recovery_codes=confirmed.json()["recovery_codes"])


def mfa_token() -> tuple[str, list[str]]:
    """An `mfa_token` of a new account with two-factor on, and its recovery codes."""
    credentials = fresh_user(mfa="on")
    email = requests.get(f"{_base()}/api/v1/users/me", headers=_bearer(credentials.token), timeout=TIMEOUT).json()[
        "email"
    ]
    response = requests.post(
        f"{_base()}/api/v1/auth/login",
        json={"email": email, "password": credentials.password},
        timeout=TIMEOUT,
    )
    if response.status_code != 403:
        raise RuntimeError(f"a login with two-factor on: {response.status_code} {response.text}")
    return response.json()["mfa_token"], list(credentials.recovery_codes)


def _needs_bearer(operation) -> bool:
    return any("bearer" in requirement for requirement in operation.definition.raw.get("security", []))


def _is_admin_operation(operation) -> bool:
    return "admin" in operation.definition.raw.get("tags", [])


# The two-factor state the account of a case needs so that the operation
# is reached past "two-factor is off" (404): an enrolment to confirm, or
# two-factor on. A `code` member of such a case is set to a code that works
# (the current TOTP code, or an unused recovery code).
MFA_STATE = {
    "confirm_totp": "pending",
    "regenerate_recovery_codes": "on",
    "disable_mfa": "on",
}


def _set_if_string(body, member: str, value: str, pattern: str | None = None) -> None:
    """Replaces a string member, but one the schema's `pattern` refuses is
    kept (a negative case must stay negative)."""
    current = body.get(member) if isinstance(body, dict) else None
    if isinstance(current, str) and (pattern is None or re.fullmatch(pattern, current)):
        body[member] = value


def _use_id_if_uuid(case, make_id) -> None:
    """A generated `id` path parameter that is a UUID becomes `make_id()`,
    an id the server knows, so that the operation is tested past 404; an id
    that is no UUID is kept (a negative case stays negative)."""
    parameters = case.path_parameters or {}
    try:
        uuid.UUID(str(parameters.get("id")))
    except ValueError:
        return
    parameters["id"] = make_id()
    case.path_parameters = parameters


def _own_session_id(token: str) -> str:
    listed = requests.get(f"{_base()}/api/v1/users/me/sessions", headers=_bearer(token), timeout=TIMEOUT)
    if listed.status_code != 200:
        raise RuntimeError(f"listing the sessions: {listed.status_code} {listed.text}")
    return listed.json()["items"][0]["id"]


def _user_id_with_mfa_on() -> str:
    credentials = fresh_user(mfa="on")
    me = requests.get(f"{_base()}/api/v1/users/me", headers=_bearer(credentials.token), timeout=TIMEOUT)
    if me.status_code != 200:
        raise RuntimeError(f"reading the user with two-factor on: {me.status_code} {me.text}")
    return me.json()["id"]


# No caching (`refresh_interval=None`): `get` runs for every case.
@schemathesis.auth(refresh_interval=None)
class FreshCredentials:
    def get(self, case, context):
        operation = context.operation
        if not _needs_bearer(operation):
            return None
        if _is_admin_operation(operation):
            return ADMINS.fresh()
        return fresh_user(mfa=MFA_STATE.get(operation.definition.raw.get("operationId")))

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data.token}"
        operation_id = context.operation.definition.raw.get("operationId")
        if operation_id == "revoke_my_session":
            _use_id_if_uuid(case, lambda: _own_session_id(data.token))
        elif operation_id == "disable_user_mfa":
            _use_id_if_uuid(case, _user_id_with_mfa_on)
        _set_if_string(case.body, "current_password", data.password)
        if data.recovery_codes:
            _set_if_string(case.body, "code", data.recovery_codes[0])
        elif data.totp_secret:
            _set_if_string(case.body, "code", totp(data.totp_secret), pattern="[0-9]{6}")


# The second step of a login needs an `mfa_token` the server issued: a case
# that sends one as a string gets a real one (and a real recovery code in
# a `recovery_code` member), so the operation is tested past "unknown
# token". The case stays as valid or as invalid as it was generated.
@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.definition.raw.get("operationId") != "login_mfa":
        return
    if not (isinstance(case.body, dict) and isinstance(case.body.get("mfa_token"), str)):
        return
    token, recovery_codes = mfa_token()
    case.body["mfa_token"] = token
    _set_if_string(case.body, "recovery_code", recovery_codes[0])


if __name__ == "__main__":
    for kind, credentials in (
        ("user", fresh_user()),
        ("user with two-factor on", fresh_user(mfa="on")),
        ("admin", ADMINS.fresh()),
    ):
        me = requests.get(f"{_base()}/api/v1/users/me", headers=_bearer(credentials.token), timeout=TIMEOUT)
        if me.status_code != 200:
            raise SystemExit(f"the {kind} token was refused: {me.status_code} {me.text}")
        print(f"a fresh {kind} works: {me.json()['role']} {me.json()['email']}")
    token, codes = mfa_token()
    second = requests.post(
        f"{_base()}/api/v1/auth/mfa", json={"mfa_token": token, "recovery_code": codes[0]}, timeout=TIMEOUT
    )
    if second.status_code != 200:
        raise SystemExit(f"the second step with a recovery code: {second.status_code} {second.text}")
    print("an mfa_token and a recovery code complete a login")
