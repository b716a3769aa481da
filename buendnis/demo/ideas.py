"""Demo ideas of SüdOstNiedersachsen: partners' ideas in the pool, two pairs that say the same in
other words (the pool finds them), one that shares words but not the aim, one looking publicly
for partners, and one the office has already brought together with another.

The ideas were posted over the last weeks: as the inquiries' demo does with arrivals, each idea's
posting is moved into the past after the service wrote it (`days_ago`), relative to the day the
demo is loaded; the pool's findings and the office's introduction are of the load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, Organisation
from buendnis.ideas import services
from buendnis.ideas.models import Idea


@dataclass(frozen=True)
class _IdeaSpec:
    author: str  # demo login
    title: str
    text: str
    aim: str
    target_group: str
    districts: str = ""
    partners_sought: str = ""
    wanted_text: str = ""
    days_ago: int = 0


_IDEAS = (
    _IdeaSpec(
        "steuerkreis",
        "Langzeitarbeitslose in Beschäftigung bringen",
        "Ein Jobcoaching über zwölf Monate mit Praktika in Betrieben der Stadt: Langzeitarbeitslose "
        "finden wieder eine sozialversicherungspflichtige Stelle, die Coaches begleiten auch nach "
        "der Arbeitsaufnahme.",
        "Arbeitsaufnahme auf dem ersten Arbeitsmarkt",
        "Langzeitarbeitslose",
        "Stadt Braunschweig",
        "Betriebe mit offenen Helferstellen, Jobcenter",
        days_ago=26,
    ),
    _IdeaSpec(
        "beratend",
        "Zurück in den Job nach langer Pause",
        "Menschen, die seit mehr als einem Jahr keine Arbeit finden, lernen Betriebe bei "
        "Schnuppertagen kennen. Eine feste Ansprechperson hilft bei Bewerbungen und bleibt in den "
        "ersten Monaten im neuen Job an ihrer Seite.",
        "Wieder eine feste Stelle finden",
        "Menschen, die seit über einem Jahr ohne Arbeit sind",
        "Landkreis Wolfenbüttel, Stadt Salzgitter",
        days_ago=21,
    ),
    _IdeaSpec(
        "sprecher",
        "Schuldnerberatung für Langzeitarbeitslose",
        "Überschuldete Langzeitarbeitslose bekommen eine offene Sprechstunde der Schuldnerberatung "
        "im Jobcenter, damit Pfändungen und Mahnungen geordnet werden.",
        "Schulden regulieren",
        "Überschuldete Haushalte im Leistungsbezug",
        "Stadt Braunschweig",
        days_ago=17,
    ),
    _IdeaSpec(
        "antrag",
        "Berufskraftfahrer gewinnen",
        "Arbeitsuchende werden in zwölf Monaten zu Berufskraftfahrern ausgebildet, mit "
        "Führerschein C/CE und Praxisphasen in Speditionen der Region.",
        "Fahrermangel in der Logistik mindern",
        "Arbeitsuchende",
        "Landkreis Peine, Landkreis Gifhorn",
        "Speditionen, Fahrschulen",
        "Wir suchen Speditionen und Fahrschulen für eine Umschulung zu Berufskraftfahrern im Raum "
        "Peine und Gifhorn.",
        days_ago=12,
    ),
    _IdeaSpec(
        "steuerkreis",
        "Fahrerinnen und Fahrer für den Güterverkehr",
        "Quereinsteigerinnen und Quereinsteiger lernen das Lenken von Lastwagen und werden in "
        "Logistikbetriebe vermittelt; Frauen werden gezielt angesprochen.",
        "Fahrpersonal für den Güterverkehr",
        "Quereinsteigerinnen und Quereinsteiger, besonders Frauen",
        "Region Braunschweig",
        days_ago=8,
    ),
    _IdeaSpec(
        "sprecher",
        "Sichere Rastplätze für Lkw-Fahrer",
        "An den Autobahnen der Region fehlen sichere Stellplätze für Lkw; Fahrerinnen und Fahrer "
        "finden nachts keinen Platz für ihre Ruhezeiten.",
        "Mehr sichere Parkplätze an der A2 und A39",
        "Lkw-Fahrerinnen und -Fahrer im Transit",
        days_ago=4,
    ),
)


def load_demo_ideas(alliance: Alliance) -> int:
    """Post the demo ideas once (a second run finds them and changes nothing)."""
    if Idea.objects.filter(alliance=alliance).exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo=True)}
    awo = Organisation.objects.filter(alliance=alliance, name__contains="AWO").first()
    posted = []
    for spec in _IDEAS:
        author = users.get(spec.author)
        posted.append(
            services.idea_create(
                actor=None,
                alliance=alliance,
                title=spec.title,
                text=spec.text,
                aim=spec.aim,
                target_group=spec.target_group,
                districts=spec.districts,
                partners_sought=spec.partners_sought,
                wanted_public=bool(spec.wanted_text),
                wanted_text=spec.wanted_text,
                organisation=awo if spec.author == "antrag" else None,
                contact_name=(author.get_full_name() or author.username) if author else "",
                contact_email=author.email if author else "",
            )
        )
        if author is not None:
            Idea.objects.filter(pk=posted[-1].pk).update(author=author)
        Idea.objects.filter(pk=posted[-1].pk).update(
            created_at=timezone.now() - timedelta(days=spec.days_ago)
        )
    # The office has introduced the two ideas about long-term unemployment to each other.
    services.ideas_introduce(
        actor=None, idea=posted[0], other=posted[1], note="Beide wollen dasselbe erreichen."
    )
    return len(posted) + 1
