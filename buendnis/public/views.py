from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buendnis.alliances import selectors


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/platform_home.html", {"alliances": selectors.alliance_list()})
