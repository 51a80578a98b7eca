"""Admin login lockout (django-axes) and password rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

PASSWORD = "correct horse battery"
PROXY = "10.0.0.1"


@pytest.fixture
def editors(django_user_model, settings):
    # A fast hasher: each attempt checks a password, and the real one is slow on
    # purpose. The lockout does not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name in ("mina", "joon"):
        django_user_model.objects.create_superuser(name, password=PASSWORD)


@pytest.fixture
def login(settings):
    url = f"/{settings.ADMIN_URL}login/"

    def attempt(username, password, *, client=None, address="192.0.2.10", xff=None):
        client = client or Client(REMOTE_ADDR=address)
        headers = {"X-Forwarded-For": xff} if xff else {}
        return client.post(
            url, {"username": username, "password": password}, headers=headers
        )

    return attempt


def fail_until_locked(login, settings, username="mina", **where):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(username, "wrong guess", **where)
        assert response.status_code in (200, 429)
    return response


def logged_in(response) -> bool:
    return response.status_code == 302


def test_failed_logins_lock_the_username_from_that_address(
    db, editors, login, settings
):
    last = fail_until_locked(login, settings)
    assert last.status_code == 429

    # Locked: even the right password is refused, with a page saying why.
    response = login("mina", PASSWORD)

    assert response.status_code == 429
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "after 5 failed logins in a row" in page
    assert "Try again in 15 minutes" in page
    assert "Other editors are not affected" in page


def test_failures_below_the_limit_do_not_lock(db, editors, login, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login("mina", "wrong guess").status_code == 200

    assert logged_in(login("mina", PASSWORD))


def test_an_attacker_does_not_lock_out_other_editors_on_the_same_address(
    db, editors, login, settings
):
    fail_until_locked(login, settings, username="mina")

    assert logged_in(login("joon", PASSWORD))


def test_the_locked_editor_can_still_log_in_from_their_own_address(
    db, editors, login, settings
):
    fail_until_locked(login, settings, address="203.0.113.66")

    assert logged_in(login("mina", PASSWORD, address="192.0.2.10"))


def test_behind_the_proxy_editors_are_told_apart_by_their_last_hop(
    db, editors, login, settings
):
    settings.NUM_PROXIES = 1
    fail_until_locked(login, settings, address=PROXY, xff="203.0.113.66")

    # Same proxy, another client: not locked.
    assert logged_in(login("mina", PASSWORD, address=PROXY, xff="192.0.2.10"))
    # The attacker's own address stays locked.
    assert login("mina", PASSWORD, address=PROXY, xff="203.0.113.66").status_code == 429


def test_a_forged_forwarded_for_entry_does_not_escape_the_lockout(
    db, editors, login, settings
):
    settings.NUM_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client writes a new address each time; the proxy appends the real one.
        login("mina", "wrong", address=PROXY, xff=f"198.51.100.{n}, 203.0.113.66")

    response = login("mina", PASSWORD, address=PROXY, xff="1.2.3.4, 203.0.113.66")

    assert response.status_code == 429


def test_without_a_trusted_proxy_forwarded_for_is_ignored(db, editors, login, settings):
    settings.NUM_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        login("mina", "wrong", address="203.0.113.66", xff=f"198.51.100.{n}")

    response = login("mina", PASSWORD, address="203.0.113.66", xff="192.0.2.99")

    assert response.status_code == 429


def test_a_garbage_forwarded_for_entry_is_a_lockout_not_a_server_error(
    db, editors, login, settings
):
    settings.NUM_PROXIES = 2
    # One entry where two proxies should have written two: the client wrote it.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("mina", "wrong", address=PROXY, xff="not-an-address")

    response = login("mina", PASSWORD, address=PROXY, xff="not-an-address")

    assert response.status_code == 429


def test_a_successful_login_resets_the_failure_count(db, editors, login, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login("mina", "wrong guess")
    assert logged_in(login("mina", PASSWORD))

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login("mina", "wrong guess")
    assert logged_in(login("mina", PASSWORD))


@pytest.mark.parametrize(
    "password",
    [
        "Xq7!vR2#kLm",  # 11 characters
        "password1234",  # a common password
        "123456789012345",  # only digits
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_passphrase_is_accepted():
    validate_password("plum kettle orbit 42")
