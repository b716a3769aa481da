"""The production settings as a deployment loads them: Django's deploy checks find nothing."""

import subprocess

from tests.deployment import run_python


def _deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` in a fresh process, with only what a deployment sets."""
    return run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ALLOWED_HOSTS="buendnis.example.org",
        **env,
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


def _settings_of(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `script` after loading the production settings with `env`, in a fresh process."""
    return run_python(["-c", "import django, json; django.setup(); " + script], **env)


SHOW_CACHE = "from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
SHOW_STORAGE = "from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"


def test_the_cache_is_on_this_host_without_redis_and_shared_with_it():
    alone = _settings_of(SHOW_CACHE)
    assert alone.returncode == 0, alone.stderr
    assert "FileBasedCache" in alone.stdout

    shared = _settings_of(SHOW_CACHE, BUENDNIS_REDIS_URL="redis://cache.internal:6379/2")
    assert shared.returncode == 0, shared.stderr
    assert '"BACKEND": "django.core.cache.backends.redis.RedisCache"' in shared.stdout
    assert '"LOCATION": "redis://cache.internal:6379/2"' in shared.stdout


def test_uploads_on_the_file_system_by_default_or_on_s3_private():
    default = _settings_of(SHOW_STORAGE)
    assert default.returncode == 0, default.stderr
    assert "FileSystemStorage" in default.stdout

    s3 = _settings_of(
        SHOW_STORAGE,
        BUENDNIS_MEDIA_STORAGE="s3",
        BUENDNIS_S3_BUCKET="buendnis-uploads",
        BUENDNIS_S3_ENDPOINT_URL="https://s3.example.org",
    )
    assert s3.returncode == 0, s3.stderr
    assert '"BACKEND": "storages.backends.s3.S3Storage"' in s3.stdout
    assert '"bucket_name": "buendnis-uploads"' in s3.stdout
    assert '"endpoint_url": "https://s3.example.org"' in s3.stdout
    # Never a public object: no ACL, signed URLs only, no name reused.
    assert '"default_acl": null' in s3.stdout
    assert '"querystring_auth": true' in s3.stdout
    assert '"file_overwrite": false' in s3.stdout


def test_an_unknown_upload_storage_is_refused_in_german():
    result = _settings_of(SHOW_STORAGE, BUENDNIS_MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "BUENDNIS_MEDIA_STORAGE muss „filesystem“ oder „s3“ sein" in result.stderr
