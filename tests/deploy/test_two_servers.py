"""Two app servers, one PostgreSQL, one Redis: the deployment of README "Several app servers".

Two gunicorn servers (two ports, two workers each) run with the production settings against the
suite's PostgreSQL test database and a Redis server that the test starts itself. What one server
writes, the other serves at once: the shared page cache lives in Redis, and every write bumps its
data version there (with each server's own file cache the second server kept serving the page it
had cached). Bookings raced across both servers never overdraw the budget: the row locks are in
the one database, whichever server takes the request.

A worker process sends the mail that the servers queue in the database.

PostgreSQL only: SQLite is a file of one machine, not a database two servers share.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from buendnis.accounts.models import Role
from buendnis.accounts.tokens import token_create
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.funding.models import Project, ProjectDocument
from buendnis.funding.states import Status as S
from tests.deployment import ROOT, production_environment
from tests.factories import (
    PDF_BYTES,
    MembershipFactory,
    PhaseFactory,
    UserFactory,
    applicant_of,
    project_in_state,
)

PUBLIC_HOST = "buendnis.test"
D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(check, what: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} ist beendet (Code {process.returncode}).")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} antwortet nach {timeout:.0f} s nicht.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server fehlt (Debian-Paket redis-server; make test installiert es).")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(  # noqa: S603
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    try:
        _wait_until(answers, "Redis", process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    environment: dict[str, str]
    mail_folder: Path


def _database_url() -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings["HOST"] or "localhost"
    port = settings["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


@pytest.fixture(scope="module")
def servers(
    django_db_setup: None, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Zwei App-Server teilen sich eine PostgreSQL-Datenbank; Aufruf: "
            "scripts/with_postgres.py -- .venv/bin/python -m pytest tests/deploy"
        )
    redis_url = request.getfixturevalue("redis_url")
    folder = tmp_path_factory.mktemp("servers")
    environment = production_environment(
        DJANGO_ALLOWED_HOSTS=f"{PUBLIC_HOST},127.0.0.1",
        # Plain HTTP on loopback: the proxy that terminates TLS is not part of this test.
        DJANGO_SECURE_SSL_REDIRECT="False",
        # No connection kept across requests, so the suite can drop its test database at the end.
        DJANGO_CONN_MAX_AGE="0",
        # Mail is queued in the database; the worker writes what it sends into files.
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(folder / "mail"),
        DJANGO_STATIC_ROOT=str(folder / "static"),
        # Both servers mount the same upload folder, as on a shared file system.
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=_database_url(),
        BUENDNIS_REDIS_URL=redis_url,
        # Each deployment run its own keys: a second run of the suite never sees this one's.
        BUENDNIS_CACHE_KEY_PREFIX=f"test-{secrets.token_hex(4)}",
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=300,
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = (folder / f"gunicorn-{name}.log").open("wb")
            process = subprocess.Popen(  # noqa: S603
                [
                    gunicorn,
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=log,
            )
            server = Server(f"http://127.0.0.1:{port}", process, environment, folder / "mail")
            started.append(server)
            _wait_until(lambda s=server: _get(s, "/healthz")[0] == 200, f"Server {name}", process)
        yield started[0], started[1]
    finally:
        for server in started:
            _stop(server.process)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer of its own here


_OPENER = urllib.request.build_opener(_NoRedirect)


def _send(
    server: Server,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    # The proxy in front passes the public host to whichever server it picks.
    sent = {"Accept-Language": "de", "Host": PUBLIC_HOST, **(headers or {})}
    request = urllib.request.Request(server.url + path, data=data, headers=sent, method=method)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def mail_folder(servers: tuple[Server, Server]) -> Path:
    return servers[0].mail_folder


@pytest.fixture(scope="module")
def worker(servers: tuple[Server, Server]) -> Iterator[subprocess.Popen[bytes]]:
    """The worker that sends the mail the servers queue (README "The worker"), without its
    scheduler: the periodic jobs have tests of their own."""
    first = servers[0]
    log = (first.mail_folder.parent / "worker.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--no-scheduler", "--interval", "0.2"],
        cwd=ROOT,
        env=first.environment,
        stdout=log,
        stderr=log,
    )
    try:
        yield process
    finally:
        _stop(process)


def _request(
    server: Server,
    path: str,
    *,
    method: str = "GET",
    token: str | None = None,
    body: dict[str, object] | None = None,
) -> tuple[int, dict[str, str], str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    status, answer_headers, content = _send(server, path, method=method, headers=headers, data=data)
    return status, answer_headers, content.decode()


def _multipart(
    fields: dict[str, str], name: str, filename: str, content: bytes
) -> tuple[str, bytes]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _cookies(raw: list[str]) -> dict[str, str]:
    """name → value of the Set-Cookie headers (urllib's cookie jar would hold back the Secure
    cookies of the production settings on plain HTTP; the TLS proxy is not part of this test)."""
    jar = {}
    for line in raw:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _send_form(server: Server, path: str, fields: dict[str, str]) -> dict[str, str]:
    """A form as a browser sends it: the page (for its CSRF token and cookie), then the POST,
    which must redirect (a valid form). Returns the cookies after it."""
    request = urllib.request.Request(server.url + path, headers={"Host": PUBLIC_HOST})  # noqa: S310
    with _OPENER.open(request, timeout=60) as response:
        jar = _cookies(response.headers.get_all("Set-Cookie") or [])
        html = response.read().decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    request = urllib.request.Request(  # noqa: S310
        server.url + path,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode(),
        headers={
            "Host": PUBLIC_HOST,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
        method="POST",
    )
    try:
        response = _OPENER.open(request, timeout=60)
    except urllib.error.HTTPError as redirect:  # 302: the form was taken
        assert redirect.code == 302, redirect.read().decode()[:2000]
        jar.update(_cookies(redirect.headers.get_all("Set-Cookie") or []))
    else:
        raise AssertionError(f"{path}: Formular nicht angenommen ({response.status})")
    return jar


def _log_in(server: Server, username: str, password: str) -> str:
    """Returns the Cookie header of the session."""
    jar = _send_form(server, "/konto/anmelden/", {"username": username, "password": password})
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _get(server: Server, path: str) -> tuple[int, dict[str, str], str]:
    return _request(server, path)


def _office_token(alliance) -> str:  # type: ignore[no-untyped-def]
    office = UserFactory(username="geschaeftsstelle-api")
    MembershipFactory(user=office, alliance=alliance, role=Role.OFFICE)
    _token, secret = token_create(actor=None, user=office, name="Zwei Server")
    return secret


def test_a_change_through_one_server_is_read_fresh_through_the_other(servers, alliance):
    first, second = servers
    phase = PhaseFactory(alliance=alliance)
    project = project_in_state(phase, S.ENDORSED, title="Pflegeausbildung regional")
    token = _office_token(alliance)
    page = f"/{alliance.slug}/projekte/{project.reference}/"

    status, headers, html = _get(second, page)
    assert status == 200
    assert "Pflegeausbildung regional" in html
    assert headers.get("X-Public-Cache") == "miss"
    # The page is in the shared cache: the other server answers from it too.
    status, headers, _html = _get(first, page)
    assert (status, headers.get("X-Public-Cache")) == (200, "hit")

    status, _headers, body = _request(
        first,
        f"/api/v1/alliances/{alliance.slug}/projects/{project.pk}/",
        method="PATCH",
        token=token,
        body={"version": project.version, "title": "Pflegeausbildung in der Region"},
    )
    assert status == 200, body

    status, headers, html = _get(second, page)
    assert status == 200
    assert "Pflegeausbildung in der Region" in html
    assert "Pflegeausbildung regional" not in html
    assert headers.get("X-Public-Cache") == "miss"


def test_bookings_raced_across_both_servers_never_overdraw_the_budget(servers, alliance):
    first, second = servers
    carried = 5
    phase = PhaseFactory(alliance=alliance, virtual_budget=D("100000.00") * carried)
    projects = [
        project_in_state(
            phase, S.DESCRIPTION_STEERING, title=f"Vorhaben {n:02d}", eligible_costs=D("200000")
        )
        for n in range(12)
    ]
    token = _office_token(alliance)
    decided_on = timezone.localdate().isoformat()
    barrier = threading.Barrier(len(projects))

    def endorse(numbered: tuple[int, Project]) -> tuple[int, int, str]:
        number, project = numbered
        server = first if number % 2 else second
        barrier.wait(timeout=30)
        status, _headers, body = _request(
            server,
            f"/api/v1/alliances/{alliance.slug}/projects/{project.pk}/transitions/",
            method="POST",
            token=token,
            body={
                "action": "record_outcome",
                "body": "steering",
                "outcome": "positive",
                "decided_on": decided_on,
            },
        )
        return project.pk, status, body

    with ThreadPoolExecutor(max_workers=len(projects)) as pool:
        results = list(pool.map(endorse, enumerate(projects)))

    succeeded = {pk for pk, status, _body in results if status == 200}
    refused = {pk: body for pk, status, body in results if status != 200}
    assert len(succeeded) == carried, results
    assert all("reicht nicht" in body for body in refused.values()), refused
    figures = budget_figures(phase)
    assert figures.reserved == figures.budget == D("100000.00") * carried
    assert figures.available == D("0.00")
    reservations = LedgerEntry.objects.filter(phase=phase, kind=EntryKind.RESERVATION)
    assert sorted(reservations.values_list("project_id", flat=True)) == sorted(succeeded)
    statuses = dict(Project.objects.filter(phase=phase).values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == S.ENDORSED} == succeeded


def test_a_file_uploaded_through_one_server_is_downloaded_through_the_other(
    servers, alliance, settings
):
    """The servers share the uploads (here one folder both mount; README: or S3): the applicant
    hands in the sketch through one server and downloads it, after its permission check, through
    the other, signed in by a session that both servers read from the database."""
    first, second = servers
    project = project_in_state(PhaseFactory(alliance=alliance), S.CONSULTATION)
    applicant = applicant_of(project, username="antragstellerin")
    # The servers verify with the production hasher, not the suite's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    applicant.set_password("Zwei-Server-Passwort-2026")
    applicant.save()
    _token, secret = token_create(actor=None, user=applicant, name="Skizze")
    content_type, data = _multipart(
        {"action": "submit_sketch"}, "document", "kurzskizze.pdf", PDF_BYTES
    )
    status, _headers, body = _send(
        first,
        f"/api/v1/alliances/{alliance.slug}/projects/{project.pk}/transitions/",
        method="POST",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": content_type},
        data=data,
    )
    assert status == 200, body.decode()
    stored = ProjectDocument.objects.get(project=project).file.name

    assert _send(second, f"/media/{stored}")[0] == 302  # anonymous: to the login
    session = _log_in(first, "antragstellerin", "Zwei-Server-Passwort-2026")
    status, headers, content = _send(second, f"/media/{stored}", headers={"Cookie": session})
    assert status == 200
    assert content == PDF_BYTES
    assert "attachment" in headers.get("Content-Disposition", "")


def test_mail_queued_by_one_server_is_sent_by_the_worker(servers, worker, alliance):
    """A request only queues its mail (in the one database); the worker process sends it."""
    first, second = servers
    UserFactory(username="vergesslich", email="vergesslich@example.org")
    mail_folder = first.mail_folder
    before = set(mail_folder.glob("*")) if mail_folder.exists() else set()

    _send_form(second, "/konto/passwort-vergessen/", {"email": "vergesslich@example.org"})

    deadline = time.monotonic() + 60
    sent: list[str] = []
    while time.monotonic() < deadline and not sent:
        if worker.poll() is not None:
            raise AssertionError(f"Der Worker ist beendet (Code {worker.returncode}).")
        files = set(mail_folder.glob("*")) - before if mail_folder.exists() else set()
        sent = [path.read_text() for path in files if "vergesslich@example.org" in path.read_text()]
        time.sleep(0.2)
    assert sent, "Der Worker hat die Mail nicht binnen 60 s gesendet."
    assert "/konto/passwort-neu/" in sent[0]  # the reset link
    delivered = DBTaskResult.objects.filter(task_path="buendnis.core.tasks.deliver_mail")
    assert [row.status for row in delivered] == [TaskResultStatus.SUCCESSFUL]
