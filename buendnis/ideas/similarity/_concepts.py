"""The field's concepts: who an idea is for (Zielgruppe), what it wants (Ziel), where (Feld).

Two ideas that share words but serve another group or pursue another aim are told apart here:
"Langzeitarbeitslose in Arbeit" and "Schuldnerberatung für Langzeitarbeitslose" share the
group, not the aim. Each concept lists the ways this field says it, official and plain German,
compound and spelled out ("Langzeitarbeitslose", "seit mehr als einem Jahr keine Arbeit"); the
patterns run on lower-cased text with gender forms folded (Fahrer*innen -> fahrer). The list is
written for the field (skilled-labour alliances), not for one test set; the embedding model
covers what it misses.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Facet = Literal["gruppe", "ziel", "feld"]


@dataclass(frozen=True, slots=True)
class Concept:
    key: str
    facet: Facet
    label: str  # shown to people in reasons: "Gleiche Zielgruppe: Langzeitarbeitslose"
    pattern: str


_YEARS = r"(?:einem|1|zwei|2|drei|3|mehreren|vielen|\w+) jahr\w*"
_NO_WORK = r"(?:keine arbeit|keinen job|keine stelle|ohne arbeit|ohne job|ohne beschäftigung|arbeitslos|erwerbslos)"

# fmt: off
CONCEPTS: tuple[Concept, ...] = (
    # --- Zielgruppen -------------------------------------------------------------------------
    Concept("langzeitarbeitslose", "gruppe", "Langzeitarbeitslose",
            rf"langzeitarbeitslos|langzeiterwerbslos|langzeitleistungsbezieh|verfestigte\w* arbeitslosigkeit"
            rf"|(?:seit|über|mehr als|länger als) (?:mehr als |über |länger als )?{_YEARS}[^.;]{{0,40}}{_NO_WORK}"
            rf"|{_NO_WORK}[^.;]{{0,20}}(?:seit|über|mehr als|länger als) (?:mehr als |über )?{_YEARS}"
            rf"|(?:jahrelang|lange\w*|lang anhaltend)\w* (?:arbeitslosigkeit|erwerbslosigkeit|ohne arbeit|ohne job)"
            rf"|lange (?:zeit )?(?:ohne arbeit|ohne job|arbeitslos|keine arbeit)|sgb ii|bürgergeld|grundsicherung für arbeitsuchende"),
    Concept("arbeitslose", "gruppe", "Arbeitslose und Arbeitsuchende",
            r"arbeitslos|arbeitsuchend|arbeitssuchend|erwerbslos|jobsuchend|ohne (?:arbeit|job|stelle)\b"
            r"|keine arbeit|stelle verloren|job verloren|arbeit verloren|jobcenter|leistungsberechtigt|bürgergeld"),
    Concept("aeltere", "gruppe", "Ältere",
            r"\bältere|\bälteren?\b|über 50|ab 50|über 55|ab 55|ab 60|50 ?plus|50\+|generation 5|mitte fünfzig"
            r"|mit (?:fünfzig|sechzig|55|60)|bis zur rente|vor der rente|vor dem ruhestand|bis 67|senioren"),
    Concept("schueler", "gruppe", "Schülerinnen und Schüler",
            r"schüler|schulklass|abschlussklass|vorabgangsklass|klasse \d|klassen \d|\d\. klass|schulabgänger"
            r"|sekundarstufe|schulende|vor dem schulabschluss|letzten schuljahr|oberschul|realschul|hauptschul|gymnasi"),
    Concept("jugendliche", "gruppe", "Jugendliche und junge Menschen",
            r"jugendlich|junge\w* (?:leute|menschen|erwachsene)|unter 25|u25|heranwachsend"),
    Concept("auszubildende", "gruppe", "Auszubildende",
            r"auszubildend|\bazubi|lehrling|in der lehre|in ausbildung|ausbildungsverhältnis|berufsschüler"),
    Concept("studierende", "gruppe", "Studierende und Studienaussteiger",
            r"studienabbr|studienausst|studienzweifl|studium abbr|studium ohne abschluss|studierend|hochschul|\buni\b|studenten"),
    Concept("frauen", "gruppe", "Frauen",
            r"\bfrauen|\bfrau\b|weiblich|mädchen|mütter|berufsrückkehrer|wiedereinsteigerin|stille\w* reserve|alleinerziehend"),
    Concept("eltern", "gruppe", "Eltern",
            r"\beltern\b|mütter|väter|mit kindern|familien mit|alleinerziehend|elternzeit"),
    Concept("zugewanderte", "gruppe", "Zugewanderte und internationale Fachkräfte",
            r"zugewandert|zuwander|geflüchtet|flüchtling|migration|migrant|ausländisch|aus dem ausland|im ausland"
            r"|internationale|drittstaat|nicht-eu|nichtdeutsch|herkunftssprache|einwander|anderen land|anderes land"
            r"|visum|aufenthalt|ausländerbehörde|deutschkenntnis|kaum deutsch|wenig deutsch|aus vietnam|aus marokko|aus indien"),
    Concept("behinderung", "gruppe", "Menschen mit Behinderung",
            r"behinder|beeinträchtig|schwerbehindert|werkstatt für|werkstätten|handicap|inklusi|budget für arbeit|unterstützte beschäftigung"),
    Concept("beschaeftigte", "gruppe", "Beschäftigte",
            r"beschäftigte\b|beschäftigten\b|mitarbeitende|mitarbeiter|angestellte|belegschaft|arbeitnehmer|personal\b"
            r"|fachkräfte in|in beschäftigung|erwerbstätige|wer (?:schon )?arbeitet|die schon arbeiten"),
    Concept("geringqualifizierte", "gruppe", "Geringqualifizierte",
            r"geringqualifiz|gering qualifiz|ungelernt|angelernt|an- und ungelernt|ohne berufsabschluss|ohne abschluss"
            r"|fehlende\w* (?:berufs)?abschluss|helfer\b|helfertätigkeit|hilfskräft"),
    Concept("quereinsteiger", "gruppe", "Quereinsteigende und Berufswechsler",
            r"quereinst|seiteneinst|späteinst|berufswechsl|umsteig|fachfremd|aus anderen berufen|aus anderen branchen"
            r"|ohne it-bezug|neu anfangen|neues anfangen|beruflich neu"),
    Concept("arbeitgeber", "gruppe", "Arbeitgeber und Betriebe",
            r"arbeitgeber|unternehmen\b|betriebe\b|firmen\b|\bkmu\b|kleine\w* und mittlere\w* unternehmen|inhaber|unternehmer"),
    Concept("pflegende_angehoerige", "gruppe", "Pflegende Angehörige",
            r"pflegende\w* angehörig|angehörige pfleg|zu hause pfleg|eltern pflegt|häusliche pflege"),
    Concept("kinder", "gruppe", "Kinder",
            r"grundschulkind|vorschul|kita-kind|kinder mit|kinder im|\bkinder lernen|schulkinder"),
    Concept("kranke", "gruppe", "Menschen nach Krankheit",
            r"psychisch|depression|burnout|burn-out|seelisch|krankgeschrieb|arbeitsunfähig|erkrank|nach krankheit|chronisch krank"),
    Concept("fahrer", "gruppe", "Berufskraftfahrer",
            r"berufskraftfahr|kraftfahr|lkw-fahr|lkw fahr|fahrer\b|fahrern\b|fahrpersonal|trucker|busfahr|fahrerinnen|\bfahrer "),
    Concept("pflegekraefte", "gruppe", "Pflegekräfte",
            r"pflegekr|pflegefach|pflegehilf|pfleger|krankenpfleg|altenpfleg|pflegepersonal|pflegeberuf|pflegeazubi|pflege-azubi"),
    Concept("handwerker", "gruppe", "Handwerkerinnen und Handwerker",
            r"handwerker|gesell|meister\b|meisterin|monteur|installateur"),
    Concept("ruecckehrer", "gruppe", "Rückkehrer und Abgewanderte",
            r"rückkehrer|weggezogen|abgewandert|abwander|rückwander|zurückkommen|zurückkehren|alte\w* heimat|heimatregion"),
    Concept("pendler", "gruppe", "Pendler", r"pendler|pendel"),
    Concept("gruender", "gruppe", "Gründende und Nachfolger",
            r"gründer|gründungsinteress|existenzgründ|nachfolger|übernehmend|nachfolgeinteress"),
    Concept("soldaten", "gruppe", "Soldatinnen und Soldaten", r"soldat|bundeswehr|zeitsoldat"),

    # --- Ziele ---------------------------------------------------------------------------------
    Concept("arbeitsaufnahme", "ziel", "Arbeitsaufnahme",
            r"in (?:den )?(?:job|arbeit|beschäftigung|den beruf)\b|arbeitsaufnahme|sozialversicherungspflichtige\w* (?:stelle|beschäftigung|job)"
            r"|(?:stelle|job|arbeit|arbeitsplatz|beschäftigung) (?:zu )?finden|vermittl|vermitteln|eingestellt|einstellung\b"
            r"|einstellen|ersten arbeitsmarkt|allgemeinen arbeitsmarkt|integration in (?:den )?arbeit|zu einer stelle|eine chance geben"
            r"|neue\w* stelle|jobbörse|probearbeit|wieder (?:arbeiten|eine stelle)|neustart|arbeitsmarktintegration|beschäftigung (?:aufnehmen|finden)"
            r"|angestellt|anstellen|übernahme durch|übernommen|übernehmen nach|festanstellung|arbeitsvertrag"),
    Concept("ausbildung", "ziel", "Ausbildung",
            r"ausbildung|ausbilden|auszubilden|\blehre\b|lehrstelle|gesellenbrief|berufsabschluss|duale\w* ausbildung|führerschein|grundqualifikation"),
    Concept("weiterbildung", "ziel", "Weiterbildung und Qualifizierung",
            r"weiterbild|qualifizier|fortbild|schulung|schulen\b|geschult|kurs|umschul|lernen|lehrgang|teilqualifi|nachqualifi|training"),
    Concept("berufsorientierung", "ziel", "Berufsorientierung",
            r"berufsorientierung|studienorientierung|berufswahl|praktik|betriebserkund|schnupper|berufe kennen|berufe\w* kennenlernen"
            r"|welche\w* (?:ausbildung|beruf) (?:zu \w+ )?pass|potenzialanalyse|werkstatttag|berufeparcours|praxistag|girls' day|boys' day"
            r"|tag der offenen tür|tage der offenen tür|ausprobieren|berufsmesse|ausbildungsmesse|ausbildungsbotschafter"),
    Concept("anerkennung", "ziel", "Anerkennung ausländischer Abschlüsse",
            r"anerkennung|kenntnisprüfung|gleichwertigkeit|anpassungslehrgang|anpassungsqualifizierung|berufserlaubnis|approbation|defizitbescheid"),
    Concept("schulden", "ziel", "Schuldenberatung",
            r"schulden|schuldner|überschuld|pfändung|insolvenz|gläubiger|haushaltsplan"),
    Concept("rastplatz", "ziel", "Park- und Rastplätze",
            r"rastpl|rastanlage|parkpl|parkhaus|stellpl|autohof|ruhezeit|sanitär|duschen|toilett"),
    Concept("wohnen", "ziel", "Wohnen",
            r"wohnung|wohnheim|wohnplätz|wohnraum|zimmer|unterkunft|\bwohnen\b|wg-|bauplätz|miete"),
    Concept("mobilitaet", "ziel", "Mobilität und Erreichbarkeit",
            r"ticket|\bbus\b|busse\b|rufbus|schichtbus|bahn\b|fahrkarte|mitfahr|verkehrsmittel|erreichbarkeit|e-roller|öpnv|nahverkehr|zur arbeit kommen|zum betrieb"),
    Concept("kinderbetreuung", "ziel", "Kinderbetreuung",
            r"kinderbetreuung|kita|kindertages|betreuung (?:am|an|in|auch)|betreuungszeit|tagesmütter|tagesmutter|öffnungszeit|randzeit|krippe|hort\b"),
    Concept("vereinbarkeit", "ziel", "Vereinbarkeit von Familie und Beruf",
            r"vereinbarkeit|teilzeit|flexible\w* arbeitszeit|familienfreundlich|schichtdienst mit kindern|mit kindern"),
    Concept("gesundheit", "ziel", "Gesundheit am Arbeitsplatz",
            r"gesundheit|gesund\b|gesund arbeiten|rücken|ergonom|physiother|altersgerecht|alternsgerecht|hebehilf|körperlich leichter|arbeitsschutz|prävention"),
    Concept("fachkraefte_halten", "ziel", "Fachkräfte halten",
            r"\bhalten\b|bis zur rente|länger im (?:betrieb|beruf|unternehmen)|bindung|verbleib|erwerbsphase|bleiben\b|abwanderung verhindern"),
    Concept("wiedereinstieg", "ziel", "Wiedereinstieg",
            r"wiedereinstieg|wieder einsteig|wiedereinsteig|berufsrückkehr|zurück in den (?:beruf|job)|rückkehr in den beruf|familienphase|nach der elternzeit|wiedereingliederung|eingliederungsmanagement|\bbem\b"),
    Concept("abbruch_verhindern", "ziel", "Ausbildungsabbrüche verhindern",
            r"abbr(?:uch|üche|echen)|lösungsquote|vertragslösung|durchhalten|ans aufhören|krisenintervention|ausbildungsbegleitend|assistierte ausbildung"),
    Concept("sprache", "ziel", "Deutsch lernen",
            r"deutschkurs|sprachkurs|sprachförder|fachsprach|berufssprach|deutsch (?:für|lernen|im)|\bdeutsch\b|sprachunterricht|sprache"),
    Concept("willkommen", "ziel", "Ankommen und Willkommen",
            r"willkommensk|willkommensl|willkommensc|willkommenst|welcome|ankommen|lotsen|patenschaft|behördeng|zu hause fühlen|anlaufstelle|soziale\w* integration|dual-career"),
    Concept("nachfolge", "ziel", "Betriebsnachfolge",
            r"betriebsnachfolge|unternehmensnachfolge|nachfolgebörse|nachfolgeinteress|übergabe|übergeb|übernimmt meine|weitermacht|nachfolger für (?:den|ihren|seinen) betrieb|betrieb übernehm"),
    Concept("digital", "ziel", "Digitale Kompetenzen",
            r"digital|software|computer|cloud|online|programm|\bit\b|it-|tablet|ki\b|künstliche intelligenz|automatisier|edv"),
    Concept("rekrutierung", "ziel", "Nachwuchs und Bewerber gewinnen",
            r"gewinnen|anwerb|rekrut|\bwerben\b|begeister|nachwuchs|ausbildungsmarketing|azubi-marketing|employer branding|arbeitgebermarke"
            r"|\b(?:neue|mehr) (?:\w+ )?(?:fahrer|fachkräfte|mitarbeiter|auszubildende|azubis|kolleg|pflegekräfte|beschäftigte|kräfte|bewerber|lehrlinge|personal)"),
    Concept("gremium", "ziel", "Arbeit des Bündnisses",
            r"sprecherkreis|sprecherin|sprecher\b|gremium|vorsitz|amtszeit|geschäftsordnung|mitglieder des bündnisses|antragstellung|förderantr|website|internetseite|webseite"),
    Concept("grundbildung", "ziel", "Grundbildung",
            r"lesen und schreiben|lesen|schreiben|alphabetis|analphabet|grundbildung|literali|rechnen|grundkompetenz"),
    Concept("fuehrung", "ziel", "Führung", r"führung|leitungsaufgab|leitung\b|karriere"),
    Concept("verkehrssicherheit", "ziel", "Sicherheit im Verkehr", r"fahrsicherheit|unfall|unfälle|verkehrssicherheit"),
    Concept("energieberatung", "ziel", "Energie sparen", r"energiespar|energieberat|heizkosten|strom sparen|stromkosten"),

    # --- Felder (Branchen) ---------------------------------------------------------------------
    Concept("f_pflege", "feld", "Pflege",
            r"pflege|krankenhaus|klinik|altenheim|seniorenheim|pflegeheim|pflegedienst|\bam bett\b|krankenpfleg"),
    Concept("f_logistik", "feld", "Logistik und Verkehr",
            r"logistik|güterverkehr|spedition|transport|lkw|lastwagen|\blager\b|lagerlogistik|berufskraftfahr|fahrpersonal|autobahn"),
    Concept("f_handwerk", "feld", "Handwerk",
            r"handwerk|gesellenbrief|meisterbetrieb|\bshk\b|sanitär-|heizungs|elektrohandwerk|installations|kammer"),
    Concept("f_it", "feld", "IT", r"\bit\b|it-|informatik|softwar|programmier|fachinformatik|digitalbranche"),
    Concept("f_gastro", "feld", "Gastgewerbe und Tourismus",
            r"gastronom|gaststätt|gastgewerbe|hotel|restaurant|tourismus|\bkoch\b|küche|\bservice\b"),
    Concept("f_kita", "feld", "Kindertagesbetreuung",
            r"kita|kindertages|erzieher|pädagogische\w* fachkr|kindergart|krippe"),
    Concept("f_industrie", "feld", "Industrie und Produktion",
            r"industrie|produktion|metall|elektro|mechatron|fertigung|\bwerk\b"),
    Concept("f_energie", "feld", "Energiewende",
            r"energiewende|wärmepump|photovoltaik|solar|heiztechnik|erneuerbar|gebäudeenergie|klimafreundlich"),
    Concept("f_verwaltung", "feld", "Öffentliche Verwaltung", r"verwaltung|behörde|amt\b|öffentliche\w* dienst"),
    Concept("f_handel", "feld", "Handel", r"einzelhandel|\bhandel\b|verkauf"),
)
# fmt: on


@cache
def _compiled() -> tuple[tuple[Concept, re.Pattern[str]], ...]:
    return tuple((concept, re.compile(concept.pattern)) for concept in CONCEPTS)


BY_KEY: dict[str, Concept] = {concept.key: concept for concept in CONCEPTS}


def find(folded_lower_text: str) -> dict[str, int]:
    """The concepts a text names, with how often (text lower-cased, gender forms folded)."""
    found: dict[str, int] = {}
    for concept, pattern in _compiled():
        hits = len(pattern.findall(folded_lower_text))
        if hits:
            found[concept.key] = hits
    return found
