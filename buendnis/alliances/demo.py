"""Demo alliances (placeholder until the full demo set lands)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


DEMO_LOGINS: list[DemoLogin] = []


def load_demo() -> int:
    return 0
