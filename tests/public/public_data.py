"""Projects for the public site's tests: a few walked through the procedure (so they carry the
transitions, bookings and records the services write) and many built in bulk (for page sizes,
sorting and query counts)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..factories import AllianceStructure

_numbers = count(1)

# Planted in non-public places; no public page or export may ever contain them.
SECRET_CONTACT = "Geheim-Kontakt-Xq7"
SECRET_EMAIL = "geheim-xq7@example.org"
SECRET_PHONE = "0531 999 777 55"


def bulk_projects(
    structure: AllianceStructure,
    number: int,
    *,
    status: str = Status.RUNNING,
    prefix: str = "Massenprojekt",
    region: str | None = None,
) -> list[Project]:
    """`number` projects of the current phase in `status`, spread over organisations, fields of
    action and two districts. Built through the ORM: no transitions, no bookings."""
    organisations = [
        organisation
        for key, organisation in structure.organisations.items()
        if key not in {"arl", "host"}
    ]
    fields = structure.fields[:3]
    projects = []
    for index in range(number):
        serial = next(_numbers)
        start = date(2022, 1, 1) + timedelta(days=index)
        projects.append(
            Project(
                alliance=structure.alliance,
                phase=structure.phase,
                reference=f"T-{structure.alliance.slug}-{serial:05d}",
                title=f"{prefix} {index:04d}",
                summary="Ein Projekt zur Fachkräftesicherung.",
                goals="Fachkräfte halten.",
                region=region or ("Landkreis Wolfenbüttel" if index % 2 else "Stadt Salzgitter"),
                applicant_organisation=organisations[index % len(organisations)],
                action_field=fields[index % len(fields)],
                funding_priority="structural",
                status=status,
                starts_on=start,
                ends_on=start + timedelta(days=365),
                eligible_costs=Decimal("100000.00") + index,
                requested_grant=Decimal("50000.00") + index,
                contact_name=f"{SECRET_CONTACT} {index}",
                contact_email=SECRET_EMAIL,
                contact_phone=SECRET_PHONE,
            )
        )
    return Project.objects.bulk_create(projects)
