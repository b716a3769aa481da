"""Load for `make bench`: one endpoint per locust run (BENCH_ENDPOINT), addresses spread over all
alliances and many projects (BENCH_TARGETS, a JSON file written by scripts/bench.py).

    BENCH_TARGETS=targets.json BENCH_ENDPOINT=project_detail \
        locust -f scripts/locustfile.py --headless -u 8 -r 8 --run-time 15s --host http://127.0.0.1:8000

Users send the next request as soon as the last one is answered (no think time): 8 users are
8 concurrent clients, and the requests per second are what the server manages at that load.

Public endpoints send no cookie. `first_visit` draws from every public address and counts an
answer that sets a cookie or did not come from the shared cache as a failure. The signed-in
endpoints (office board, workspace, dashboards) send the session made in-process by
scripts/bench.py and ask the alliance BENCH_SLUG (one run per size); they bypass the cache.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from typing import Any

from locust import FastHttpUser, constant, task

with open(os.environ["BENCH_TARGETS"], encoding="utf-8") as handle:
    TARGETS: dict[str, Any] = json.load(handle)
ENDPOINT = os.environ["BENCH_ENDPOINT"]
ALLIANCES: list[dict[str, Any]] = TARGETS["alliances"]
PATHS: dict[str, str] = TARGETS["paths"]
SIGNED_IN_PATHS: dict[str, str] = TARGETS["signed_in_paths"]
SLUG = os.environ.get("BENCH_SLUG", "")
SESSION: dict[str, str] = TARGETS["session"]
PUBLIC_CACHE_HEADER = "X-Public-Cache"


def _alliance() -> dict[str, Any]:
    return random.choice(ALLIANCES)  # noqa: S311 (load spreading, not security)


def floor() -> str:
    return "/ping"


def project_list() -> str:
    alliance = _alliance()
    page = random.randint(1, 5)  # noqa: S311
    path = PATHS["project_list"].format(slug=alliance["slug"])
    return path if page == 1 or not TARGETS["project_list_ready"] else f"{path}?page={page}"


def project_list_filtered() -> str:
    alliance = _alliance()
    phase = random.choice(alliance["phases"])  # noqa: S311
    word = random.choice(TARGETS["words"])  # noqa: S311
    return PATHS["project_list_filtered"].format(slug=alliance["slug"], phase=phase, q=word)


def project_detail() -> str:
    alliance = _alliance()
    reference = random.choice(alliance["references"])  # noqa: S311
    return PATHS["project_detail"].format(slug=alliance["slug"], reference=reference)


def api_projects() -> str:
    alliance = _alliance()
    offset = random.randint(0, 9) * 100  # noqa: S311
    path = PATHS["api_projects"].format(slug=alliance["slug"])
    return path if offset == 0 else f"{path}?offset={offset}"


def oparl_papers() -> str:
    alliance = _alliance()
    return PATHS["oparl_papers"].format(slug=alliance["slug"])


def first_visit() -> str:
    return random.choice(TARGETS["public_addresses"])  # noqa: S311


def _sized() -> dict[str, Any]:
    return next(alliance for alliance in ALLIANCES if alliance["slug"] == SLUG)


def _signed_in(name: str) -> Callable[[], str]:
    def address() -> str:
        alliance = _sized()
        return SIGNED_IN_PATHS[name].format(
            slug=SLUG,
            any_reference=random.choice(alliance["any_references"]),  # noqa: S311
            idea=random.choice(alliance.get("idea_ids") or [0]),  # noqa: S311
        )

    return address


ADDRESSES: dict[str, Callable[[], str]] = {
    "floor": floor,
    "project_list": project_list,
    "project_list_filtered": project_list_filtered,
    "project_detail": project_detail,
    "api_projects": api_projects,
    "oparl_papers": oparl_papers,
    "first_visit": first_visit,
    **{name: _signed_in(name) for name in SIGNED_IN_PATHS},
}


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def visit(self) -> None:
        # One name per endpoint: the CSV has one row for it, whatever the address.
        address = ADDRESSES[ENDPOINT]()
        if ENDPOINT in SIGNED_IN_PATHS:
            cookie = f"{SESSION['name']}={SESSION['value']}"
            self.client.get(address, name=ENDPOINT, headers={"Cookie": cookie})
        elif ENDPOINT == "first_visit":
            self._first_visit(address)
        else:
            self.client.get(address, name=ENDPOINT)

    def _first_visit(self, address: str) -> None:
        """A visitor without cookies: the answer comes from the shared cache and sets none."""
        self.client.cookiejar.clear()
        with self.client.get(address, name=ENDPOINT, catch_response=True) as response:
            if response.headers.get("Set-Cookie"):
                response.failure(f"Set-Cookie: {address}")
            elif response.headers.get(PUBLIC_CACHE_HEADER) != "hit":
                response.failure(f"nicht aus dem Cache: {address}")
            else:
                response.success()
