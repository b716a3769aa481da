"""The environment of a deployment, for tests that start the app in another process (the deploy
checks, settings read from the environment, the two app servers): the suite's own DJANGO_*,
DATABASE_URL and BUENDNIS_* variables are left out, so only what a deployment sets applies."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# production.py only insists that DATABASE_URL names PostgreSQL; nothing here connects to it.
UNUSED_POSTGRES = "postgres://buendnis:geheim@localhost:5432/buendnis"


def production_environment(**variables: str) -> dict[str, str]:
    """The machine's environment without the suite's settings, with the production settings, a
    fresh secret key and `variables`."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "BUENDNIS_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=UNUSED_POSTGRES,
    )
    environment.update(variables)
    return environment


def run_python(arguments: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` in the project folder with `production_environment(**variables)`."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *arguments],
        cwd=ROOT,
        env=production_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )
