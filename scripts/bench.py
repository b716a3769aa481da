#!/usr/bin/env python3
"""The benchmark: the public pages and open data under load, against gunicorn as in production.

Steps: migrate a fresh database; generate one alliance and count the queries per request of each
endpoint in-process (Django's test client, public cache off); generate the other seven and count
again (the counts must not grow with the data); collectstatic; start gunicorn (settings
`config.settings.bench`); load each endpoint for --run-time with locust (--users concurrent
clients, a separate process); read the workers' memory; write bench/results.json and a table.

    make bench                                 # throwaway PostgreSQL (scripts/with_postgres.py)
    DATABASE_URL=postgres://… make bench       # an existing, EMPTY database
    make bench BENCH_ARGS="--sqlite"           # a SQLite file in the temporary folder
    .venv/bin/python scripts/bench.py --projects 500 --run-time 5s   # quicker

Targets (PostgreSQL, 8 clients): each endpoint ≥ 40 % of the floor's (/ping) requests per second,
p95 < 150 ms, queries per request the same for 1 and 8 alliances. The exit code is 0 either way;
the table says FAIL.
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
    parser.add_argument("--projects", type=int, default=2500, help="Vorhaben je Bündnis")
    parser.add_argument("--users", type=int, default=8, help="gleichzeitige Clients")
    parser.add_argument("--run-time", default="15s", help="Last je Endpunkt (locust)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="nur gthread")
    parser.add_argument("--no-cache", action="store_true", help="öffentlichen Seiten-Cache aus")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    return parser.parse_args()


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
        references = list(
            Project.objects.filter(alliance=alliance, status__in=PUBLIC_STATES)
            .order_by("?")
            .values_list("reference", flat=True)[:REFERENCES_PER_ALLIANCE]
        )
        phases = [str(pk) for pk in alliance.phases.values_list("pk", flat=True)]
        if state["project_list"] == "ok":
            phases = phase_values(client, alliance.slug, phases)
        alliances.append({"slug": alliance.slug, "references": references, "phases": phases})
    return {
        "alliances": alliances,
        "paths": paths,
        "words": WORDS,
        "project_list_ready": state["project_list"] == "ok",
    }


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
            address = path.format(
                slug=slug,
                phase=rng.choice(alliance["phases"]),
                q=rng.choice(WORDS),
                reference=rng.choice(alliance["references"]),
            )
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
    counts = generate(alliances=1, projects=args.projects, log=log)
    first_seconds = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    paths, state = resolve_paths(client)
    targets = sample_targets(client, paths, state)
    queries_small = count_queries(client, targets, "son")

    began = time.perf_counter()
    more = generate(alliances=args.alliances - 1, start=1, projects=args.projects, log=log)
    rest_seconds = time.perf_counter() - began
    for key, value in more.items():
        counts[key] = counts.get(key, 0) + value
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    targets = sample_targets(client, paths, state)
    uncached_ms: dict[str, float] = {}
    queries_large = count_queries(client, targets, "son", uncached_ms)
    generation = first_seconds + rest_seconds
    log(f"Daten erzeugt in {generation:.1f} s: {counts['projects']} Vorhaben")

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
        "targets_file": str(targets_file),
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
    """Before the load: every address once with the CSRF cookie a returning visitor sends, as
    a few minutes of real traffic would (the shared cache then holds the public answers).
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
        request = urllib.request.Request(  # noqa: S310 (our own loopback server)
            f"http://127.0.0.1:{port}{address}", headers={"Cookie": "csrftoken=" + "b" * 32}
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=60).read()  # noqa: S310

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fetch, addresses))
    return time.perf_counter() - began


def run_locust(
    args: argparse.Namespace, port: int, endpoint: str, workdir: Path, env: dict[str, str]
) -> dict[str, Any]:
    prefix = workdir / endpoint
    command = [
        str(Path(PY).parent / "locust"),
        "-f",
        str(ROOT / "scripts" / "locustfile.py"),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.users),
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
            env=dict(env, BENCH_ENDPOINT=endpoint),
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
    return checks


def print_table(results: dict[str, Any], args: argparse.Namespace) -> None:
    small, large = results["queries"]["1"], results["queries"][str(args.alliances)]
    floor = results["load"]["floor"]["rps"] or 1.0
    log("")
    log(
        f"{'Endpunkt':26} {'req/s':>7} {'p50':>5} {'p95':>5} {'p99':>5} "
        f"{'Queries 1/' + str(args.alliances):>12} {'×Boden':>7}  Ziele"
    )
    for name in ENDPOINTS:
        load = results["load"].get(name)
        label = LABELS[name] + (
            "" if results["state"][name] == "ok" else f" [{results['state'][name]}]"
        )
        if load is None:
            log(f"{label:26} fehlt")
            continue
        check = results["checks"].get(name, {})
        verdict = " ".join(
            f"{key}:{check[key]}"
            for key in ("throughput", "p95", "queries", "errors")
            if key in check
        )
        log(
            f"{label:26} {load['rps']:7.1f} {load['p50_ms']:5.0f} {load['p95_ms']:5.0f} "
            f"{load['p99_ms']:5.0f} {str(small[name]) + '/' + str(large[name]):>12} "
            f"{load['rps'] / floor:7.2f}  {verdict}"
        )
    log(
        "Ohne Cache, ein Request im Prozess (ms): "
        + ", ".join(f"{k} {v:.0f}" for k, v in results["uncached_ms_in_process"].items())
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
        log(f"Vorgewärmt in {warm_seconds:.0f} s")
        load: dict[str, Any] = {}
        for endpoint in ENDPOINTS:
            if facts["state"][endpoint] == "fehlt":
                continue
            log(f"Last: {endpoint} ({args.users} Clients, {args.run_time})")
            load[endpoint] = run_locust(args, port, endpoint, workdir, env)
        rss = worker_rss(gunicorn)
        results: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "database": facts["vendor"],
            "setup": {
                "alliances": args.alliances,
                "projects_per_alliance": args.projects,
                "users": args.users,
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
            "warm_seconds": round(warm_seconds, 1),
            "load": load,
            "worker_rss_mb": rss,
            "targets": {"min_ratio_of_floor": MIN_RATIO, "max_p95_ms": MAX_P95_MS},
        }
        results["checks"] = verdicts(results, args)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print_table(results, args)
        log(f"Ergebnisse: {output}")
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
