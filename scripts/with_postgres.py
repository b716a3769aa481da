#!/usr/bin/env python3
"""Run a command against PostgreSQL: the server in DATABASE_URL, or a throwaway one started here.

The throwaway server lives in a temporary folder, listens on 127.0.0.1 on a free port, and is
stopped and removed when the command ends. initdb refuses to run as root, so as root the server
runs as the `postgres` system user.

    scripts/with_postgres.py -- pytest -n 2
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def find_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for candidate in candidates:
        if Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    sys.exit(
        "PostgreSQL wurde nicht gefunden. Installieren: sudo apt-get install postgresql "
        "(oder DATABASE_URL auf einen vorhandenen Server setzen)."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sys.exit("Aufruf: with_postgres.py -- BEFEHL …")
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(args)

    bindir = find_bindir()
    as_root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="buendnis-pg-"))
    data = tmp / "data"
    run_as: list[str] = []
    if as_root:
        user = pwd.getpwnam("postgres")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    log = tmp / "server.log"
    try:
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Durability is pointless for a throwaway test server; speed is not.
        options = f"-h 127.0.0.1 -p {port} -k {tmp} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/buendnis")
        subprocess.run(
            [
                *run_as,
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "buendnis",
            ],
            check=True,
        )
        print(f"Wegwerf-PostgreSQL läuft auf 127.0.0.1:{port}", flush=True)
        return subprocess.call(args, env=env)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
