"""The web layer the page-serving apps share (public, portal, reports): rendering a page inside
an alliance's frame and who may open it (`pages`), the HTTP cache headers of public pages
(`caching`), calendars and PDFs as answers (`files`). It builds on the domain apps, like every
edge app, and imports no edge app; no domain app imports it (pyproject.toml,
[tool.importlinter]).

What needs only Django lives in `core` instead, so that the domain apps' admin can use it too:
service errors onto forms (`core.forms.add_service_errors`), the status of a refusal
(`core.errors.refusal_status`), PDF rendering (`core.pdf`). The API has its own base
(`api.base`).
"""
