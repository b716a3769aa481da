"""A real IMAP server for tests: Debian's dovecot, started by the test itself in a temporary
folder as an unprivileged process (as `nobody` when the tests run as root), on a free port of
127.0.0.1, without TLS (`security: none`, local only). `make test` installs it
(scripts/ensure-test-deps.sh); without dovecot the tests that use it are skipped and say so.

Shared by the mailbox import's round trip (tests/office/test_imap.py) and the office-as-hub
journey in the browser (tests/browser/test_office_hub_journey.py); a test module takes the
fixtures with `from tests.office.dovecot import *`.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

__all__ = ["dovecot", "mailbox"]

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
USER = "anfragen"
PASSWORD = "postfach-geheim"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(folder: Path, port: int, user: str, group: str, uid: int, gid: int) -> str:
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = buendnis-test-{port}
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[dict[str, Any]]:
    """A throwaway dovecot; its mailbox user is `anfragen`."""
    if DOVECOT is None:
        pytest.skip(
            "dovecot fehlt (Debian-Paket dovecot-imapd; `make test` installiert es über "
            "scripts/ensure-test-deps.sh)"
        )
    # A short path: dovecot's sockets live under base_dir (at most 107 characters).
    folder = Path(tempfile.mkdtemp(prefix="dovecot-"))
    for part in ("run", "state", "mail"):
        (folder / part).mkdir()
    port = _free_port()
    command = [DOVECOT, "-F", "-c", str(folder / "dovecot.conf")]
    if os.geteuid() == 0:
        # Never as root: the server runs as `nobody`, which owns the folder.
        nobody = pwd.getpwnam("nobody")
        group = "nogroup"
        (folder / "dovecot.conf").write_text(
            _config(folder, port, "nobody", group, nobody.pw_uid, nobody.pw_gid)
        )
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        command = [
            "setpriv",
            f"--reuid={nobody.pw_uid}",
            f"--regid={nobody.pw_gid}",
            "--clear-groups",
            *command,
        ]
    else:
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
        (folder / "dovecot.conf").write_text(
            _config(folder, port, me.pw_name, group, os.getuid(), os.getgid())
        )
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, our own config
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                log = (
                    (folder / "dovecot.log").read_text()
                    if (folder / "dovecot.log").exists()
                    else ""
                )
                pytest.fail(f"dovecot startete nicht:\n{output}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("dovecot antwortet nicht auf seinem Port")
                time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: dict[str, Any], settings: Any) -> Iterator[imaplib.IMAP4]:
    """An empty INBOX, the settings pointing at it, and a client of our own to look inside."""
    settings.BUENDNIS_INQUIRY_IMAP = {
        **dovecot,
        "security": "none",
        "folder": "INBOX",
        "days": 14,
    }
    client = imaplib.IMAP4(dovecot["host"], dovecot["port"])
    client.login(USER, PASSWORD)
    client.select("INBOX")
    if client.search(None, "ALL")[1][0]:
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
    yield client
    client.logout()


def append_mail(client: imaplib.IMAP4, message: EmailMessage) -> None:
    status, _data = client.append(
        "INBOX", None, imaplib.Time2Internaldate(time.time()), message.as_bytes()
    )
    assert status == "OK"


def mailbox_flags(client: imaplib.IMAP4) -> dict[str, str]:
    """Message-ID → the flags the server keeps for it."""
    client.select("INBOX")
    found: dict[str, str] = {}
    _status, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    for part in data:
        if isinstance(part, tuple):
            flags = part[0].decode()
            header = part[1].decode().split(":", 1)[1].strip()
            found[header] = flags
    return found


def new_mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message["Date"] = format_datetime(timezone.now())
    return message
