"""The client's address behind the trusted proxies (buendnis/core/client.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from buendnis.core.client import UNKNOWN, client_ip

PROXY = "10.0.0.5"  # nginx on the internal network


def _request(forwarded: str | None = None, remote: str = PROXY) -> HttpRequest:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_default_is_remote_addr_and_ignores_a_sent_header() -> None:
    # Without a proxy (`make run`) anyone may send the header: it must not name the client.
    assert client_ip(_request("198.51.100.9", remote="203.0.113.1")) == "203.0.113.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_takes_the_address_it_appended() -> None:
    assert client_ip(_request("203.0.113.7")) == "203.0.113.7"
    # A client that sends its own header: nginx appends the real address on the right.
    assert client_ip(_request("198.51.100.9, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_take_the_second_from_the_right() -> None:
    assert client_ip(_request("198.51.100.9, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_too_few_entries_fall_back_to_remote_addr() -> None:
    assert client_ip(_request("203.0.113.7")) == PROXY
    assert client_ip(_request()) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("entry", ["unknown", "", "203.0.113.7:4711", "<script>"])
def test_an_entry_that_is_no_address_falls_back(entry: str) -> None:
    assert client_ip(_request(f"198.51.100.9, {entry}")) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_ipv6_is_normalised() -> None:
    assert client_ip(_request("2001:DB8:0:0::1")) == "2001:db8::1"


def test_no_readable_address_shares_one_key() -> None:
    assert client_ip(_request(remote="")) == UNKNOWN


def test_the_api_counts_the_same_proxies(settings: Any) -> None:
    # DRF's default (None) would trust the whole X-Forwarded-For for any future throttle.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
