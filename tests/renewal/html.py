"""Reading rendered pages: ids that occur twice, form controls without a label."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

# Controls a person fills in (hidden fields and buttons have no label of their own).
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str]] = []  # (tag, id)
        self.forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag == "form":
            self.forms += 1
        if tag in {"input", "select", "textarea"}:
            if tag == "input" and attributes.get("type") in UNLABELLED_TYPES:
                return
            if attributes.get("name") == "csrfmiddlewaretoken":
                return
            self.controls.append((tag, str(attributes.get("id") or "")))


def read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def duplicate_ids(html: str) -> list[str]:
    return sorted(name for name, count in Counter(read(html).ids).items() if count > 1)


def unlabelled_controls(html: str) -> list[tuple[str, str]]:
    page = read(html)
    return [control for control in page.controls if control[1] not in page.label_for]


def assert_well_formed(html: str) -> None:
    """No id twice, and every control a person fills in has a label pointing at it."""
    assert duplicate_ids(html) == []
    assert unlabelled_controls(html) == []
