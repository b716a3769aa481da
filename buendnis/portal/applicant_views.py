from django.http import HttpRequest, HttpResponse

from buendnis.accounts import permissions
from buendnis.public.rendering import render_alliance_page


def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    alliance = permissions.get_alliance_for_user(request.user, slug)
    return render_alliance_page(request, alliance, "portal/placeholder.html", "my_projects")
