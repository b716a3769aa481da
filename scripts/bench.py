#!/usr/bin/env python3
"""The benchmark: the public pages and open data under load, against gunicorn as in production,
and the pages people work on (signed in, never cached) at two sizes of an alliance.

Steps: migrate a fresh database; generate the first alliance (the first of --sizes projects) and
count the queries per request of each public endpoint in-process (Django's test client, public
cache off); generate one alliance per further size and the rest of the --alliances with
--projects each, and count again (the counts must not grow with the data); measure every page
in-process, uncached, at each size (time, bytes, queries; signed in as the office for the
internal pages) and check that cookie-less first visits to public pages set no cookie; start
gunicorn (settings `config.settings.bench`); fill the public cache with one cookie-less request
per address; load each endpoint for --run-time with locust (--users concurrent clients, a separate
process; the internal pages with a session made in-process, per size at --office-users and at
--users clients; cookie-less first visits across all public addresses, each checked to be a cache
hit without Set-Cookie); read the
workers' memory; write bench/results.json, and the tables in the README's Markdown form to
bench/results.md.

    make bench                                 # throwaway PostgreSQL (scripts/with_postgres.py)
    DATABASE_URL=postgres://… make bench       # an existing, EMPTY database
    make bench BENCH_ARGS="--sqlite"           # a SQLite file in the temporary folder
    .venv/bin/python scripts/bench.py --sqlite --sizes 40,200 --alliances 2 --run-time 2s
        --output /tmp/bench.json               # a smoke run (one command line)

Targets (PostgreSQL): each public endpoint at 8 clients ≥ 40 % of the floor's (/ping) requests per
second and p95 < 150 ms; each signed-in page p95 < 150 ms at as many clients as workers (and
reported at 8 clients: requests per second and p95, which there is mostly waiting in the queue);
queries per request the same for 1 and all alliances and
for every size; at the largest size the office board ≤ 300 KB and at most 4× the internal
dashboard's time; no cookie on a first visit. The exit code is 0 either way; the table says FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENDPOINTS = [
    "floor",
    "project_list",
    "project_list_filtered",
    "project_detail",
    "api_projects",
    "oparl_papers",
]
LABELS = {
    "floor": "/ping (Boden)",
    "project_list": "Vorhabenliste",
    "project_list_filtered": "Vorhabenliste gefiltert",
    "project_detail": "Vorhabenseite",
    "api_projects": "REST Vorhaben",
    "oparl_papers": "OParl paper",
}
FINAL_PATHS = {
    "project_list": "/{slug}/projekte/",
    "project_list_filtered": "/{slug}/projekte/?phase={phase}&q={q}",
    "project_detail": "/{slug}/projekte/{reference}/",
    "api_projects": "/api/v1/alliances/{slug}/projects/",
    "oparl_papers": "/oparl/v1/body/{slug}/paper",
}
# Until the public project pages exist, the alliance's home page stands in (brief of the issue).
STAND_IN = "/{slug}/"
WORDS = ["Welcome", "Pflege", "Digital", "Netzwerk", "Coaching", "Mentoring"]
# Project pages under load: this many per alliance (800 in all), picked at random.
REFERENCES_PER_ALLIANCE = 100
MIN_RATIO = 0.40
MAX_P95_MS = 150.0
# The pages people work on: signed in (as the office of the alliance), never cached.
SIGNED_IN = [
    "office_board",
    "workspace",
    "internal_dashboard",
    "budget_dashboard",
    "similar_ideas",
]
SIGNED_IN_LABELS = {
    "office_board": "/<slug>/intern/vorhaben/",
    "workspace": "/<slug>/intern/vorhaben/<reference>/",
    "internal_dashboard": "/<slug>/intern/",
    "budget_dashboard": "/<slug>/intern/budget/",
    "similar_ideas": "/api/v1/alliances/<slug>/ideas/<id>/similar/",
}
SIGNED_IN_PATHS = {
    "office_board": "/{slug}/intern/vorhaben/",
    "workspace": "/{slug}/intern/vorhaben/{any_reference}/",
    "internal_dashboard": "/{slug}/intern/",
    "budget_dashboard": "/{slug}/intern/budget/",
    "similar_ideas": "/api/v1/alliances/{slug}/ideas/{idea}/similar/",
}
# The idea pool of each measured alliance: this many ideas per project (10,000 at 5,000).
IDEAS_PER_PROJECT = 2
# Similar ideas among 10,000 ideas and 5,000 projects of one alliance (issue 10).
MAX_SIMILAR_P95_MS = 100.0
PUBLIC_LABELS = {
    "project_list": "/<slug>/projekte/",
    "project_list_filtered": "/<slug>/projekte/?phase=…&q=…",
    "project_detail": "/<slug>/projekte/<reference>/",
    "api_projects": "/api/v1/alliances/<slug>/projects/",
    "oparl_papers": "/oparl/v1/body/<slug>/paper",
}
# Cookie-less first visits: every public address, each answer checked (locustfile).
FIRST_VISIT = "first_visit"
BENCH_USER = "bench-geschaeftsstelle"
# At the largest size: the board's bytes and its time against the internal dashboard's.
MAX_BOARD_KB = 300
MAX_BOARD_VS_DASHBOARD = 4.0


def _office_users(args: argparse.Namespace) -> int:
    """Clients of the signed-in pages' p95 target: as many as the server has workers. A latency
    target needs a load the server is not saturated by: with more clients than workers each
    answer waits for the ones before it (p95 ≈ clients ÷ workers × the page's own time), which
    the saturated run shows beside it as requests per second."""
    return args.office_users or args.workers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite-Datei statt PostgreSQL")
    parser.add_argument("--alliances", type=int, default=8)
    parser.add_argument(
        "--projects", type=int, default=2500, help="Vorhaben je Bündnis (außer denen aus --sizes)"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[500, 5000],
        help="Vorhaben der ersten Bündnisse, eines je Größe (Seiten je Größe gemessen)",
    )
    parser.add_argument("--users", type=int, default=8, help="gleichzeitige Clients")
    parser.add_argument(
        "--office-users",
        type=int,
        default=0,
        help="gleichzeitige Clients der angemeldeten Seiten für das p95-Ziel (Standard: --workers)",
    )
    parser.add_argument("--run-time", default="15s", help="Last je Endpunkt (locust)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="nur gthread")
    parser.add_argument("--no-cache", action="store_true", help="öffentlichen Seiten-Cache aus")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    args.alliances = max(args.alliances, len(args.sizes))
    return args


def log(message: str) -> None:
    print(message, flush=True)


# --- in-process part (Django set up in this process) ---------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def resolve_paths(client: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The address of each endpoint, and its state: "ok", "Ersatz /<slug>/" or "fehlt"."""
    paths: dict[str, str] = {"floor": "/ping"}
    state: dict[str, str] = {"floor": "ok"}
    list_ready = client.get("/son/projekte/").status_code == 200
    for name in ("project_list", "project_list_filtered", "project_detail"):
        paths[name] = FINAL_PATHS[name] if list_ready else STAND_IN
        state[name] = "ok" if list_ready else "Ersatz /<slug>/"
    paths["api_projects"] = FINAL_PATHS["api_projects"]
    state["api_projects"] = "ok"
    oparl_ready = client.get("/oparl/v1/body/son/paper").status_code == 200
    paths["oparl_papers"] = FINAL_PATHS["oparl_papers"]
    state["oparl_papers"] = "ok" if oparl_ready else "fehlt"
    return paths, state


def phase_values(client: Any, slug: str, fallback: list[str]) -> list[str]:
    """The values the public list's phase filter offers (its <select name="phase">)."""
    html = client.get(f"/{slug}/projekte/").content.decode("utf-8", "replace")
    select = re.search(r'<select[^>]*name="phase".*?</select>', html, re.S)
    values = re.findall(r'<option[^>]*value="([^"]+)"', select.group(0)) if select else []
    return values or fallback


def sample_targets(client: Any, paths: dict[str, str], state: dict[str, str]) -> dict[str, Any]:
    from buendnis.alliances.models import Alliance
    from buendnis.funding.models import Project
    from buendnis.funding.states import PUBLIC_STATES

    alliances = []
    for alliance in Alliance.objects.order_by("pk"):
        projects = Project.objects.filter(alliance=alliance).order_by("?")
        references = list(
            projects.filter(status__in=PUBLIC_STATES).values_list("reference", flat=True)[
                :REFERENCES_PER_ALLIANCE
            ]
        )
        # The office's workspace opens projects in every state.
        any_references = list(
            projects.values_list("reference", flat=True)[:REFERENCES_PER_ALLIANCE]
        )
        phases = [str(pk) for pk in alliance.phases.values_list("pk", flat=True)]
        idea_ids = list(
            alliance.ideas.filter(status="open")
            .order_by("?")
            .values_list("pk", flat=True)[:REFERENCES_PER_ALLIANCE]
        )
        if state["project_list"] == "ok":
            phases = phase_values(client, alliance.slug, phases)
        alliances.append(
            {
                "slug": alliance.slug,
                "references": references,
                "any_references": any_references,
                "idea_ids": idea_ids,
                "phases": phases,
            }
        )
    return {
        "alliances": alliances,
        "paths": paths,
        "signed_in_paths": SIGNED_IN_PATHS,
        "words": WORDS,
        "project_list_ready": state["project_list"] == "ok",
    }


def fill(path: str, alliance: dict[str, Any], rng: Any) -> str:
    """One address of an endpoint's pattern, drawn from the alliance's samples."""
    return path.format(
        slug=alliance["slug"],
        phase=rng.choice(alliance["phases"]),
        q=rng.choice(WORDS),
        reference=rng.choice(alliance["references"] or [""]),
        any_reference=rng.choice(alliance["any_references"] or [""]),
        idea=rng.choice(alliance.get("idea_ids") or [0]),
    )


def count_queries(
    client: Any, targets: dict[str, Any], slug: str, timings: dict[str, float] | None = None
) -> dict[str, int]:
    """The most queries any of a few addresses of each endpoint costs (public cache off), and
    in `timings` the slowest of their in-process times in ms (one request, no load)."""
    import random

    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    sys.path.insert(0, str(ROOT / "scripts"))
    alliance = next(a for a in targets["alliances"] if a["slug"] == slug)
    rng = random.Random(1)  # noqa: S311 (a reproducible sample, not security)
    result: dict[str, int] = {}
    for name in ENDPOINTS:
        path = targets["paths"][name]
        most = -1
        for _ in range(3):
            address = fill(path, alliance, rng)
            client.get(address)  # warm: templates, translations, content types
            with (
                override_settings(BUENDNIS_PUBLIC_CACHE=False),
                CaptureQueriesContext(connection) as captured,
            ):
                began = time.perf_counter()
                response = client.get(address)
                elapsed = (time.perf_counter() - began) * 1000
            if timings is not None:
                timings[name] = round(max(timings.get(name, 0.0), elapsed), 1)
            if response.status_code != 200:
                most = -1
                break
            most = max(most, len(captured))
        result[name] = most
    return result


def measure(
    client: Any, targets: dict[str, Any], slug: str, paths: dict[str, str]
) -> dict[str, dict[str, float]]:
    """Each endpoint of `paths` at the alliance `slug`, in-process and uncached: the median of
    three requests in ms (after one to warm up), the bytes and the queries of the largest of a
    few addresses. -1 queries: the page did not answer 200."""
    import random
    import statistics

    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    alliance = next(a for a in targets["alliances"] if a["slug"] == slug)
    rng = random.Random(2)  # noqa: S311 (a reproducible sample, not security)
    result: dict[str, dict[str, float]] = {}
    for name, path in paths.items():
        addresses = list(dict.fromkeys(fill(path, alliance, rng) for _ in range(3)))
        entry = {"ms": 0.0, "bytes": 0.0, "queries": 0.0}
        with override_settings(BUENDNIS_PUBLIC_CACHE=False):
            for address in addresses:
                client.get(address)
                times = []
                for _ in range(3):
                    with CaptureQueriesContext(connection) as captured:
                        began = time.perf_counter()
                        response = client.get(address)
                        times.append((time.perf_counter() - began) * 1000)
                    if response.status_code != 200:
                        entry["queries"] = -1
                        break
                    entry["queries"] = max(entry["queries"], len(captured))
                entry["ms"] = round(max(entry["ms"], statistics.median(times)), 1)
                entry["bytes"] = max(entry["bytes"], len(response.content))
        result[name] = entry
    return result


def office_session(slugs: list[str]) -> dict[str, str]:
    """A session of a user who is the office of the alliances `slugs`, made in-process (as the
    login would), for the load on the internal pages; and a signed-in test client."""
    from django.conf import settings
    from django.test import Client

    from buendnis.accounts.models import Membership, Role, User
    from buendnis.alliances.models import Alliance

    user = User.objects.create_user(BENCH_USER, password=None)
    for alliance in Alliance.objects.filter(slug__in=slugs):
        Membership.objects.create(user=user, alliance=alliance, role=Role.OFFICE)
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def cookieless_check(addresses: list[str]) -> dict[str, Any]:
    """Two first visits to each public address, each by a client without cookies (public cache
    on, as in production): none may set a cookie, and the second must be a hit."""
    from django.test import Client

    from buendnis.core.public_cache import HEADER

    setting: list[str] = []
    missed: list[str] = []
    for address in addresses:
        for attempt in range(2):
            response = Client().get(address)
            if response.cookies or response.has_header("Set-Cookie"):
                setting.append(address)
            if attempt == 1 and response.get(HEADER) != "hit":
                missed.append(address)
    return {
        "addresses": len(addresses),
        "set_cookie": sorted(set(setting)),
        "not_from_cache": missed,
    }


def prepare(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Migrate, generate in two steps with query counts, collectstatic. Returns the facts."""
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from buendnis.alliances.models import Alliance
    from scripts.bench_data import generate

    setup_test_environment()  # keeps the query log across requests for CaptureQueriesContext
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if Alliance.objects.exists():
        sys.exit("Die Datenbank ist nicht leer: der Benchmark braucht eine frische Datenbank.")
    # The manifest storage needs the collected files before the first page renders.
    call_command("collectstatic", interactive=False, verbosity=0)
    log(f"Migriert in {time.perf_counter() - began:.1f} s ({connection.vendor})")

    client = Client()
    began = time.perf_counter()
    # The first alliance has the first size; one alliance per further size; the rest --projects.
    counts = generate(alliances=1, projects=args.sizes[0], log=log)
    first_seconds = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    paths, state = resolve_paths(client)
    targets = sample_targets(client, paths, state)
    queries_small = count_queries(client, targets, "son")

    began = time.perf_counter()
    batches = [(index, 1, size) for index, size in enumerate(args.sizes) if index > 0]
    rest = args.alliances - len(args.sizes)
    if rest > 0:
        batches.append((len(args.sizes), rest, args.projects))
    for start, number, projects in batches:
        more = generate(alliances=number, start=start, projects=projects, log=log)
        for key, value in more.items():
            counts[key] = counts.get(key, 0) + value
    rest_seconds = time.perf_counter() - began
    from scripts.bench_ideas import generate_ideas

    ideas: dict[str, Any] = {}
    for alliance in Alliance.objects.order_by("pk")[: len(args.sizes)]:
        size = args.sizes[len(ideas)]
        ideas[str(size)] = generate_ideas(alliance, ideas=IDEAS_PER_PROJECT * size, log=log)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    targets = sample_targets(client, paths, state)
    uncached_ms: dict[str, float] = {}
    queries_large = count_queries(client, targets, "son", uncached_ms)
    generation = first_seconds + rest_seconds
    log(f"Daten erzeugt in {generation:.1f} s: {counts['projects']} Vorhaben")

    # The pages at each size, in the same data (the alliances differ only in their projects).
    slugs = [alliance["slug"] for alliance in targets["alliances"][: len(args.sizes)]]
    targets["sizes"] = [
        {"size": size, "slug": slug} for size, slug in zip(args.sizes, slugs, strict=True)
    ]
    targets["session"] = office_session(slugs)
    from buendnis.accounts.models import User
    from scripts.bench_ideas import matchable_after

    largest = Alliance.objects.get(slug=slugs[-1])
    ideas["matchable_seconds"] = matchable_after(largest, User.objects.get(username=BENCH_USER))
    log(f"Neue Idee auffindbar nach {ideas['matchable_seconds']:.2f} s")
    signed_in = Client()
    signed_in.cookies[targets["session"]["name"]] = targets["session"]["value"]
    public_paths = {name: paths[name] for name in ENDPOINTS[1:] if state[name] == "ok"}
    by_size: dict[str, dict[str, dict[str, float]]] = {}
    for entry in targets["sizes"]:
        measured = measure(client, targets, entry["slug"], public_paths)
        measured.update(measure(signed_in, targets, entry["slug"], SIGNED_IN_PATHS))
        by_size[str(entry["size"])] = measured
    log("Seiten je Größe gemessen: " + ", ".join(str(size) for size in args.sizes))
    targets["public_addresses"] = [
        address for address in all_addresses(targets, paths) if address != "/ping"
    ]
    sample = targets["public_addresses"][:: max(1, len(targets["public_addresses"]) // 60)]
    cookieless = cookieless_check(sample)
    log(
        f"Erstbesuche ohne Cookie: {cookieless['addresses']} Adressen, "
        f"{len(cookieless['set_cookie'])} mit Set-Cookie, "
        f"{len(cookieless['not_from_cache'])} nicht aus dem Cache"
    )

    targets_file = workdir / "targets.json"
    targets_file.write_text(json.dumps(targets), encoding="utf-8")
    vendor = connection.vendor
    connection.close()
    return {
        "vendor": vendor,
        "counts": counts,
        "generation_seconds": round(generation, 1),
        "paths": paths,
        "state": state,
        "queries": {"1": queries_small, str(args.alliances): queries_large},
        "uncached_ms": uncached_ms,
        "by_size": by_size,
        "sizes": targets["sizes"],
        "cookieless": cookieless,
        "targets_file": str(targets_file),
        "ideas": ideas,
    }


# --- gunicorn and locust (separate processes) ---------------------------------------------------


def start_gunicorn(
    args: argparse.Namespace, port: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(PY).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        # Keep-alive only matters to gthread (sync workers close after each answer).
        "--keep-alive",
        "5",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn antwortet nicht auf /ping.")


def all_addresses(targets: dict[str, Any], paths: dict[str, str]) -> list[str]:
    """Every address the load can ask for (the locustfile draws from the same sets)."""
    addresses = ["/ping"]
    for alliance in targets["alliances"]:
        slug = alliance["slug"]
        for page in range(1, 6):
            base = paths["project_list"].format(slug=slug)
            addresses.append(base if page == 1 else f"{base}?page={page}")
        addresses += [
            paths["project_list_filtered"].format(slug=slug, phase=phase, q=word)
            for phase in alliance["phases"]
            for word in targets["words"]
        ]
        addresses += [
            paths["project_detail"].format(slug=slug, reference=reference)
            for reference in alliance["references"]
        ]
        for offset in range(10):
            base = paths["api_projects"].format(slug=slug)
            addresses.append(base if offset == 0 else f"{base}?offset={offset * 100}")
        addresses.append(paths["oparl_papers"].format(slug=slug))
    return list(dict.fromkeys(addresses))


def warm(port: int, targets: dict[str, Any], paths: dict[str, str], cache: bool) -> float:
    """Before the load: every address once, without cookies, as a few minutes of real traffic
    would (first visits are stored: the shared cache then holds the public answers).
    Without the cache: one request per endpoint, so imports and templates are ready."""
    from concurrent.futures import ThreadPoolExecutor

    addresses = (
        all_addresses(targets, paths)
        if cache
        else list(
            dict.fromkeys(
                path.format(
                    slug=targets["alliances"][0]["slug"],
                    phase=targets["alliances"][0]["phases"][0],
                    q="x",
                    reference=targets["alliances"][0]["references"][0],
                )
                for path in paths.values()
            )
        )
    )

    def fetch(address: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{address}")  # noqa: S310
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=60).read()  # noqa: S310

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fetch, addresses))
    return time.perf_counter() - began


def warm_signed_in(port: int, targets: dict[str, Any]) -> None:
    """Every worker builds each measured alliance's idea corpus before the load (a few seconds,
    once per process): several similar-ideas requests at once, so that both workers get some."""
    from concurrent.futures import ThreadPoolExecutor

    session = targets["session"]
    addresses = [
        SIGNED_IN_PATHS["similar_ideas"].format(slug=entry["slug"], idea=idea)
        for entry in targets["sizes"]
        for alliance in targets["alliances"]
        if alliance["slug"] == entry["slug"]
        for idea in alliance["idea_ids"][:8]
    ]

    def fetch(address: str) -> None:
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}{address}",
            headers={"Cookie": f"{session['name']}={session['value']}"},
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=120).read()  # noqa: S310

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fetch, addresses))


def run_locust(
    args: argparse.Namespace,
    port: int,
    endpoint: str,
    workdir: Path,
    env: dict[str, str],
    slug: str = "",
    users: int = 0,
) -> dict[str, Any]:
    """One endpoint under load; `slug`: the alliance of a signed-in endpoint (one per size);
    `users`: concurrent clients (default --users)."""
    users = users or args.users
    prefix = workdir / (f"{endpoint}-{slug}-{users}" if slug else endpoint)
    command = [
        str(Path(PY).parent / "locust"),
        "-f",
        str(ROOT / "scripts" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "--run-time",
        args.run_time,
        "--stop-timeout",
        "5",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(f"{prefix}.log", "wb") as output:
        subprocess.run(
            command,
            cwd=ROOT,
            env=dict(env, BENCH_ENDPOINT=endpoint, BENCH_SLUG=slug),
            check=False,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows.get(endpoint) or rows["Aggregated"]
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "avg_bytes": round(float(row["Average Content Size"])),
    }


def worker_rss(master: subprocess.Popen[bytes]) -> list[float]:
    import psutil

    children = psutil.Process(master.pid).children()
    return [round(child.memory_info().rss / 2**20, 1) for child in children]


# --- report ---------------------------------------------------------------------------------------


def _load_key(name: str, size: int, saturated: bool = False) -> str:
    """The signed-in loads: at --office-users (the p95 target) and, `saturated`, at --users."""
    return f"{name}@{size}@saturated" if saturated else f"{name}@{size}"


def verdicts(results: dict[str, Any], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    floor = results["load"]["floor"]["rps"] or 1.0
    small, large = results["queries"]["1"], results["queries"][str(args.alliances)]
    checks: dict[str, dict[str, Any]] = {}
    for name in ENDPOINTS[1:]:
        load = results["load"].get(name)
        if results["state"][name] == "fehlt" or load is None:
            checks[name] = {"status": "fehlt"}
            continue
        ratio = load["rps"] / floor
        checks[name] = {
            "ratio": round(ratio, 2),
            "throughput": "PASS" if ratio >= MIN_RATIO else "FAIL",
            "p95": "PASS" if load["p95_ms"] < MAX_P95_MS else "FAIL",
            "queries": "PASS" if small[name] == large[name] and small[name] >= 0 else "FAIL",
            "errors": "PASS" if load["failures"] == 0 else "FAIL",
        }
    first = results["load"].get(FIRST_VISIT)
    cookieless = results["cookieless"]
    checks[FIRST_VISIT] = {
        "p95": "PASS" if first and first["p95_ms"] < MAX_P95_MS else "FAIL",
        # A failure under load is an answer that set a cookie or did not come from the cache.
        "errors": "PASS" if first and first["failures"] == 0 else "FAIL",
        "cookies": "PASS"
        if not cookieless["set_cookie"] and not cookieless["not_from_cache"]
        else "FAIL",
    }
    sizes = [str(size) for size in args.sizes]
    largest = sizes[-1]
    by_size = results["by_size"]
    for name in [*ENDPOINTS[1:], *SIGNED_IN]:
        if name not in by_size[largest]:
            continue
        counts = [by_size[size][name]["queries"] for size in sizes]
        check = checks.setdefault(name, {})
        check["queries_by_size"] = "PASS" if len(set(counts)) == 1 and counts[0] >= 0 else "FAIL"
        if name in SIGNED_IN:
            loads = [results["load"].get(_load_key(name, int(size))) for size in sizes]
            limit = MAX_SIMILAR_P95_MS if name == "similar_ideas" else MAX_P95_MS
            check["p95"] = (
                "PASS" if all(load and load["p95_ms"] < limit for load in loads) else "FAIL"
            )
            check["errors"] = (
                "PASS" if all(load and load["failures"] == 0 for load in loads) else "FAIL"
            )
    board = by_size[largest]["office_board"]
    dashboard = by_size[largest]["internal_dashboard"]
    checks["office_board"]["bytes"] = "PASS" if board["bytes"] <= MAX_BOARD_KB * 1024 else "FAIL"
    checks["office_board"]["vs_dashboard"] = (
        "PASS" if board["ms"] <= MAX_BOARD_VS_DASHBOARD * max(dashboard["ms"], 0.1) else "FAIL"
    )
    return checks


def _verdict(check: dict[str, Any], keys: tuple[str, ...]) -> str:
    failed = [key for key in keys if check.get(key) == "FAIL"]
    if check.get("status") == "fehlt":
        return "missing"
    return ("FAIL (" + ", ".join(failed) + ")") if failed else "PASS"


def _growth(small: float, large: float) -> str:
    return f"{large / small:.1f}" if small > 0 else "–"


def markdown(results: dict[str, Any], args: argparse.Namespace) -> str:
    """The README's tables: the public endpoints under load, and every page by size."""
    small, large = results["queries"]["1"], results["queries"][str(args.alliances)]
    floor = results["load"]["floor"]["rps"] or 1.0
    uncached = results["uncached_ms_in_process"]
    lines = [
        f"| Endpoint | req/s | p50 ms | p95 ms | p99 ms | queries (1 / {args.alliances} alliances)"
        " | × floor | uncached, in-process ms | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in [*ENDPOINTS, FIRST_VISIT]:
        load = results["load"].get(name)
        if load is None:
            continue
        if name == "floor":
            label, queries, result = "`/ping` (floor)", f"{small[name]} / {large[name]}", "—"
        elif name == FIRST_VISIT:
            label = "first visits without cookies (every public address, from the cache)"
            queries = "0"
            result = _verdict(results["checks"][name], ("p95", "errors", "cookies"))
        else:
            label = f"`{PUBLIC_LABELS[name]}`"
            queries = f"{small[name]} / {large[name]}"
            result = _verdict(results["checks"][name], ("throughput", "p95", "queries", "errors"))
        lines.append(
            f"| {label} | {load['rps']:.0f} | {load['p50_ms']:.0f} | {load['p95_ms']:.0f} "
            f"| {load['p99_ms']:.0f} | {queries} | {load['rps'] / floor:.2f} "
            f"| {uncached.get(name, 0):.0f} | {result} |"
        )
    sizes = args.sizes
    office_users = _office_users(args)
    low, high = str(sizes[0]), str(sizes[-1])
    shown = [f"{size:,}" for size in sizes]
    lines += [
        "",
        "| Page | signed in | ms at "
        + " / ".join(shown)
        + " | × | KB at "
        + " / ".join(shown)
        + " | × | queries at "
        + " / ".join(shown)
        + f" | p95 ms, {office_users} clients, at "
        + " / ".join(shown)
        + f" | p95 ms and req/s, {args.users} clients, at "
        + " / ".join(shown)
        + " | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_size = results["by_size"]
    for name in [*SIGNED_IN, *ENDPOINTS[1:]]:
        if name not in by_size[high]:
            continue
        signed = name in SIGNED_IN
        label = SIGNED_IN_LABELS[name] if signed else PUBLIC_LABELS[name]
        entries = [by_size[str(size)][name] for size in sizes]
        p95 = (
            " / ".join(
                f"{results['load'][_load_key(name, size)]['p95_ms']:.0f}"
                if _load_key(name, size) in results["load"]
                else "–"
                for size in sizes
            )
            if signed
            else "(cached, above)"
        )
        saturated = (
            " / ".join(
                f"{load['p95_ms']:.0f} ms, {load['rps']:.0f}/s"
                if (load := results["load"].get(_load_key(name, size, saturated=True)))
                else "–"
                for size in sizes
            )
            if signed
            else "(cached, above)"
        )
        keys = ("queries_by_size", "p95", "errors", "bytes", "vs_dashboard")
        result = _verdict(results["checks"].get(name, {}), keys if signed else keys[:1])
        lines.append(
            f"| `{label}` | {'yes' if signed else 'no'} "
            f"| {' / '.join(f'{entry["ms"]:.0f}' for entry in entries)} "
            f"| {_growth(by_size[low][name]['ms'], by_size[high][name]['ms'])} "
            f"| {' / '.join(f'{entry["bytes"] / 1024:.0f}' for entry in entries)} "
            f"| {_growth(by_size[low][name]['bytes'], by_size[high][name]['bytes'])} "
            f"| {' / '.join(f'{entry["queries"]:.0f}' for entry in entries)} "
            f"| {p95} | {saturated} | {result} |"
        )
    ideas = results.get("ideas", {})
    pools = [ideas[str(size)] for size in sizes if str(size) in ideas]
    if pools:
        lines += [
            "",
            "Idea pools: "
            + " / ".join(
                f"{pool['ideas']:,} ideas and {pool['projects']:,} projects" for pool in pools
            )
            + f"; a newly saved idea is matchable after {ideas.get('matchable_seconds', -1):.1f} s"
            + " (encoding with both models, then in the corpus); worker RSS after the load "
            + ", ".join(f"{value:.0f} MB" for value in results.get("worker_rss_mb", []))
            + ".",
        ]
    return "\n".join(lines) + "\n"


def print_table(results: dict[str, Any], args: argparse.Namespace) -> None:
    log("")
    log(results["markdown"])
    log(
        "Ohne Cache, ein Request im Prozess (ms): "
        + ", ".join(f"{k} {v:.0f}" for k, v in results["uncached_ms_in_process"].items())
    )
    cookieless = results["cookieless"]
    log(
        f"Erstbesuche ohne Cookie (im Prozess): {cookieless['addresses']} Adressen, "
        f"Set-Cookie bei {len(cookieless['set_cookie'])}, "
        f"nicht aus dem Cache {len(cookieless['not_from_cache'])}"
    )
    rss = results["worker_rss_mb"]
    log(f"Worker-RSS nach der Last: {', '.join(f'{v:.0f} MB' for v in rss)}")
    failed = [
        f"{name}:{key}"
        for name, check in results["checks"].items()
        for key, value in check.items()
        if value == "FAIL"
    ]
    missing = [name for name, check in results["checks"].items() if check.get("status") == "fehlt"]
    log(("FAIL: " + ", ".join(failed)) if failed else "PASS: alle Ziele erreicht")
    if missing:
        log("fehlt: " + ", ".join(missing))


def main() -> int:
    args = parse_args()
    if not args.sqlite and not os.environ.get("DATABASE_URL"):
        # A throwaway PostgreSQL for this run; it calls this script again with DATABASE_URL.
        return subprocess.call(
            [PY, str(ROOT / "scripts" / "with_postgres.py"), "--", PY, *sys.argv]
        )
    workdir = Path(tempfile.mkdtemp(prefix="buendnis-bench-"))
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        BUENDNIS_CACHE_DIR=str(workdir / "cache"),
        BUENDNIS_PUBLIC_CACHE="false" if args.no_cache else "true",
        PYTHONPATH=str(ROOT),
    )
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(env)
    gunicorn = None
    try:
        facts = prepare(args, workdir)
        env["BENCH_TARGETS"] = facts["targets_file"]
        targets = json.loads(Path(facts["targets_file"]).read_text(encoding="utf-8"))
        port = free_port()
        gunicorn = start_gunicorn(args, port, env)
        warm_seconds = warm(port, targets, facts["paths"], cache=not args.no_cache)
        warm_signed_in(port, targets)
        log(f"Vorgewärmt in {warm_seconds:.0f} s")
        load: dict[str, Any] = {}
        for endpoint in [*ENDPOINTS, FIRST_VISIT]:
            if facts["state"].get(endpoint) == "fehlt":
                continue
            log(f"Last: {endpoint} ({args.users} Clients, {args.run_time})")
            load[endpoint] = run_locust(args, port, endpoint, workdir, env)
        for entry in facts["sizes"]:
            for endpoint in SIGNED_IN:
                for users, saturated in ((_office_users(args), False), (args.users, True)):
                    log(
                        f"Last: {endpoint} bei {entry['size']} Vorhaben ({entry['slug']}, "
                        f"angemeldet, {users} Clients)"
                    )
                    load[_load_key(endpoint, entry["size"], saturated)] = run_locust(
                        args, port, endpoint, workdir, env, slug=entry["slug"], users=users
                    )
        rss = worker_rss(gunicorn)
        results: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "database": facts["vendor"],
            "setup": {
                "alliances": args.alliances,
                "projects_per_alliance": args.projects,
                "sizes": args.sizes,
                "users": args.users,
                "office_users": _office_users(args),
                "run_time": args.run_time,
                "workers": args.workers,
                "worker_class": args.worker_class,
                "threads": args.threads if args.worker_class == "gthread" else 1,
                "public_cache": not args.no_cache,
                "cpus": os.cpu_count(),
            },
            "rows": facts["counts"],
            "generation_seconds": facts["generation_seconds"],
            "paths": facts["paths"],
            "state": facts["state"],
            "queries": facts["queries"],
            "uncached_ms_in_process": facts["uncached_ms"],
            "sizes": facts["sizes"],
            "by_size": facts["by_size"],
            "cookieless": facts["cookieless"],
            "warm_seconds": round(warm_seconds, 1),
            "load": load,
            "worker_rss_mb": rss,
            "ideas": facts["ideas"],
            "targets": {
                "min_ratio_of_floor": MIN_RATIO,
                "max_p95_ms": MAX_P95_MS,
                "max_similar_ideas_p95_ms": MAX_SIMILAR_P95_MS,
                "max_board_kb": MAX_BOARD_KB,
                "max_board_vs_dashboard": MAX_BOARD_VS_DASHBOARD,
            },
        }
        results["checks"] = verdicts(results, args)
        results["markdown"] = markdown(results, args)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        output.with_suffix(".md").write_text(results["markdown"], encoding="utf-8")
        print_table(results, args)
        log(f"Ergebnisse: {output}, Tabellen: {output.with_suffix('.md')}")
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
