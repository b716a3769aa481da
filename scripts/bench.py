#!/usr/bin/env python3
"""Benchmarks: time and query count of the public pages and API with the demo data loaded.

Runs against a throwaway in-memory SQLite database (or DATABASE_URL). Prints one line per URL:
median and 95th percentile in milliseconds over N requests, and the number of queries.

    make bench            # or: .venv/bin/python scripts/bench.py --requests 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

URLS = [
    "/",
    "/son/",
    "/son/gremien/",
    "/son/partner/",
    "/son/handlungsfelder/",
    "/son/foerderphasen/",
    "/api/v1/alliances/",
    "/api/v1/alliances/son/organisations/",
    "/api/v1/alliances/son/bodies/",
    "/api/v1/alliances/son/phases/",
    "/api/v1/alliances/son/themes/",
    "/api/v1/alliances/son/projects/",
    "/healthz",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from buendnis.alliances.demo import load_demo

        load_demo()
        client = Client()
        print(f"{'URL':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for url in URLS:
            client.get(url)  # warm caches and templates
            timings = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                print(f"{url:45} HTTP {response.status_code}")
                continue
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries = len(captured)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            print(f"{url:45} {statistics.median(timings):10.2f} {p95:8.2f} {queries:8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
