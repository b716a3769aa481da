"""The production settings as a deployment loads them: Django's deploy checks find nothing."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` in a fresh process, with only what a deployment sets."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "BUENDNIS_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="buendnis.example.org",
        # The checks do not connect; production.py only insists that it names PostgreSQL.
        DATABASE_URL="postgres://buendnis:geheim@localhost:5432/buendnis",
        **env,
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks_without_a_warning():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_subdomains_and_preload_can_be_switched_off_for_a_domain_not_ready():
    # A deployment whose other subdomains are not all on HTTPS turns them off; Django then warns.
    result = _deploy_check(
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="False", DJANGO_SECURE_HSTS_PRELOAD="False"
    )
    assert result.returncode != 0
    assert "security.W005" in result.stderr
    assert "security.W021" in result.stderr
