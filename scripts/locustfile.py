"""Load for `make bench`: one endpoint per locust run (BENCH_ENDPOINT), addresses spread over all
alliances and many projects (BENCH_TARGETS, a JSON file written by scripts/bench.py).

    BENCH_TARGETS=targets.json BENCH_ENDPOINT=project_detail \
        locust -f scripts/locustfile.py --headless -u 8 -r 8 --run-time 15s --host http://127.0.0.1:8000

Users send the next request as soon as the last one is answered (no think time): 8 users are
8 concurrent clients, and the requests per second are what the server manages at that load.
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


ADDRESSES: dict[str, Callable[[], str]] = {
    "floor": floor,
    "project_list": project_list,
    "project_list_filtered": project_list_filtered,
    "project_detail": project_detail,
    "api_projects": api_projects,
    "oparl_papers": oparl_papers,
}


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def visit(self) -> None:
        # One name per endpoint: the CSV has one row for it, whatever the address.
        self.client.get(ADDRESSES[ENDPOINT](), name=ENDPOINT)
