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

The script passes the server's address and the seeded admin's credentials
in `FUZZ_BASE_URL`, `FUZZ_ADMIN_EMAIL` and `FUZZ_ADMIN_PASSWORD`. Run as a
program, this file checks that both kinds of credentials work.
"""

import os
import secrets
import threading
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

    def _creator(self) -> str:
        with self._lock:
            if not self._known:
                self._known.append(
                    Account(os.environ["FUZZ_ADMIN_EMAIL"], os.environ["FUZZ_ADMIN_PASSWORD"])
                )
            candidates = list(reversed(self._known))
        for account in candidates:
            token = _login(account)
            if token is not None and self._is_admin(token):
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


def fresh_user() -> Credentials:
    """A new account, registered for one case, and its first session."""
    account = _new_account()
    response = requests.post(
        f"{_base()}/api/v1/auth/register",
        json={"email": account.email, "password": account.password, "name": "Fuzz User"},
        timeout=TIMEOUT,
    )
    if response.status_code != 201:
        raise RuntimeError(f"register: {response.status_code} {response.text}")
    token = _login(account)
    if token is None:
        raise RuntimeError("a new user could not log in")
    return Credentials(token, account.password)


def _needs_bearer(operation) -> bool:
    return any("bearer" in requirement for requirement in operation.definition.raw.get("security", []))


def _is_admin_operation(operation) -> bool:
    return "admin" in operation.definition.raw.get("tags", [])


# No caching (`refresh_interval=None`): `get` runs for every case.
@schemathesis.auth(refresh_interval=None)
class FreshCredentials:
    def get(self, case, context):
        operation = context.operation
        if not _needs_bearer(operation):
            return None
        return ADMINS.fresh() if _is_admin_operation(operation) else fresh_user()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data.token}"
        if isinstance(case.body, dict) and isinstance(case.body.get("current_password"), str):
            case.body["current_password"] = data.password


if __name__ == "__main__":
    for kind, credentials in (("user", fresh_user()), ("admin", ADMINS.fresh())):
        me = requests.get(f"{_base()}/api/v1/users/me", headers=_bearer(credentials.token), timeout=TIMEOUT)
        if me.status_code != 200:
            raise SystemExit(f"the {kind} token was refused: {me.status_code} {me.text}")
        print(f"a fresh {kind} works: {me.json()['role']} {me.json()['email']}")
