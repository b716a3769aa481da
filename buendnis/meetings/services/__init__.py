"""Business rules of meetings, agendas, decisions, minutes and written circulations, one module per
topic as in Zulip's `zerver/actions/`. Callers import the topic they need and name it at the call:
`from buendnis.meetings.services import planning`, then `planning.meeting_create(...)`.

- `planning`: meetings created, changed, cancelled; a year's Steuerkreis and Sprecherkreis plan.
- `invitations`: the invitation that opens a meeting.
- `agenda`: items, projects waiting for the body, order, documents, recusals, and the
  Sprecherkreis' recommendation carried onto the Steuerkreis agenda.
- `attendance`: who represented each organisation; guests.
- `decisions`: consensus decisions, which drive the funding procedure.
- `minutes`: a held meeting closed, its minutes drafted, edited and approved.
- `circulations`: the Steuerkreis' written circulation (Umlaufbeschluss).
- `_common`: locks and checks the topics share; not for callers.

Every change runs in one transaction with its audit row. Mail goes out on commit
(`notifications`), so a refused step sends nothing. Nothing is re-exported here, so that one name
leads to one place.
"""
