"""The inbox's fixtures (tests/office/fixtures.py)."""

from .fixtures import *  # noqa: F403 - the shared fixtures
