"""The office's meeting pages: /<slug>/intern/sitzungen/…, one module per topic (`planning`,
`agenda`, `attendance`, `decisions`, `minutes`; `_common` holds access, rendering and refusals).

The internal circle and the ministry read every page (`can_view_meetings`); only the office acts
(`can_manage_meetings`). Views stay thin: reads through `selectors`, every write through one call
of a service, then a redirect (POST-redirect-GET). A refused step re-renders its page with the
form as it was sent and the service's German reason: 400 for a broken rule or an invalid form,
409 when the state does not allow the step or the record changed meanwhile, 403 when the role
may not.
"""
