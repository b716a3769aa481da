"""German text to index terms: gender forms folded, compounds split, Snowball stems.

"Langzeitarbeitslose" and "seit Jahren arbeitslos" share the term `arbeitslos`;
"Lkw-Fahrerinnen" and "Berufskraftfahrer" share `fahr`. Each term keeps the first surface
form it came from, so a reason can show a word the reader wrote, not a stem.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

# Gender markers fold to the masculine base: Fahrer*innen, Fahrer:innen, Fahrer_innen,
# Fahrer/-innen and FahrerInnen all become "Fahrer".
_GENDER_MARK = re.compile(r"(?<=\w)(?:[*:_/]-?|/?-)in(?:nen)?\b|(?<=[a-zäöüß])In(?:nen)?\b")
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*|\d+\+?")

# Function words and the words every idea of the field uses: they say nothing about an idea.
STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "ander",
        "andere",
        "anderem",
        "anderen",
        "anderer",
        "anderes",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bin",
        "bis",
        "bisher",
        "bist",
        "bleibt",
        "da",
        "dabei",
        "damit",
        "dann",
        "das",
        "dass",
        "dazu",
        "dein",
        "dem",
        "den",
        "denen",
        "der",
        "deren",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "du",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "einmal",
        "er",
        "es",
        "etwa",
        "euch",
        "euer",
        "für",
        "gegen",
        "gibt",
        "hat",
        "hatte",
        "hier",
        "hin",
        "hinter",
        "ich",
        "ihr",
        "ihre",
        "ihrem",
        "ihren",
        "ihrer",
        "im",
        "in",
        "indem",
        "ins",
        "ist",
        "ja",
        "je",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "jemand",
        "jetzt",
        "kann",
        "kein",
        "keine",
        "keinem",
        "keinen",
        "keiner",
        "können",
        "könnte",
        "man",
        "manche",
        "mehr",
        "mit",
        "muss",
        "nach",
        "nicht",
        "noch",
        "nun",
        "nur",
        "ob",
        "oder",
        "ohne",
        "sehr",
        "sein",
        "seine",
        "seinem",
        "seinen",
        "seiner",
        "seit",
        "sich",
        "sie",
        "sind",
        "so",
        "soll",
        "sollen",
        "sollte",
        "sondern",
        "sowie",
        "über",
        "um",
        "und",
        "uns",
        "unser",
        "unsere",
        "unter",
        "viel",
        "viele",
        "vom",
        "von",
        "vor",
        "wann",
        "war",
        "waren",
        "was",
        "weil",
        "weiter",
        "welche",
        "welchem",
        "welchen",
        "welcher",
        "wenn",
        "wer",
        "werden",
        "wie",
        "wieder",
        "will",
        "wir",
        "wird",
        "wo",
        "wollen",
        "wurde",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "uns",
        "unsere",
        "bündnis",
        "bündnisses",
        "vorhaben",
        "projekt",
        "projekts",
        "projektes",
        "ziel",
        "ziele",
        "zielgruppe",
        "region",
        "regionale",
        "regionalen",
        "möglich",
        "gemeinsam",
        "neue",
        "neuen",
        "neuer",
        "gibt",
        "gut",
        "gute",
        "etwa",
        "dafür",
        "dadurch",
        "darüber",
    ]
)

_MIN_COMPOUND = 10  # shorter words ("Menschen", "Langzeit") split into noise
_MAX_COMPOUND = 40  # longer "words" are noise (URLs, pasted strings), and costly to split
_MIN_PART = 4
_SPLIT_CONFIDENCE = 0.3  # charsplit's score above which a split is trusted


@dataclass(frozen=True, slots=True)
class Terms:
    """A text's terms: stem -> weight, and stem -> the surface form first seen."""

    weights: dict[str, float]
    surface: dict[str, str]


def fold_gender(text: str) -> str:
    """Fahrer*innen, Fahrer:innen, FahrerInnen -> Fahrer (the stem is the same either way)."""
    return _GENDER_MARK.sub("", text)


@cache
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball's German algorithm in C

    return Stemmer.Stemmer("german")


@cache
def _splitter() -> Any:
    from charsplit_fst import Splitter  # CharSplit's n-gram model as a finite-state transducer

    return Splitter()


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word.lower()))


def _strip_linking(part: str) -> str:
    """ "Ausbildungs" -> "Ausbildung": the Fugen-s goes when the stem stays the same."""
    if part.endswith("s") and stem(part[:-1]) == stem(part):
        return part[:-1]
    return part


@cache
def split_compound(word: str) -> tuple[str, ...]:
    """Every part of a German compound, whole modifiers too, recursively.

    "Weiterbildungsangebote" -> ("Weiterbildung", "Weiter", "Bildung", "Angebote"): a text about
    "Weiterbildung" then shares a part with it. A plain word is its own only part.
    """
    if "-" in word:
        pieces = [piece for piece in word.split("-") if piece]
        return tuple(part for piece in pieces for part in (piece, *split_compound(piece)[1:]))
    if not _MIN_COMPOUND <= len(word) <= _MAX_COMPOUND:
        return (word,)
    splits = _splitter().split_compound(word)
    if not splits:
        return (word,)
    score, left, right = splits[0]
    if score < _SPLIT_CONFIDENCE or len(left) < _MIN_PART or len(right) < _MIN_PART:
        return (word,)
    left = _strip_linking(left)
    return (word, *split_compound(left), *split_compound(right))


_MASCULINE_END = ("er", "eur", "ent", "ant", "ist", "or", "ling")


def masculine(word: str) -> str:
    """Lehrerinnen, Lehrerin -> Lehrer; Medizin, Termin stay (their base is no person noun)."""
    low = word.lower()
    if low.endswith("innen") and len(low) > 8 and low[:-5].endswith(_MASCULINE_END):
        return word[:-5]
    if low.endswith("in") and len(low) > 6 and low[:-2].endswith(_MASCULINE_END):
        return word[:-2]
    return word


def words(text: str) -> list[str]:
    return [masculine(word) for word in _WORD.findall(fold_gender(text))]


def terms(text: str, weight: float = 1.0) -> Terms:
    """Index terms of `text`: each word's stem, and the stems of its compound parts.

    A compound counts in full under its own stem and at 0.6 under each part, so
    "Pflegefachkräfte" matches "Pflegefachkräfte" best, and "Pflege" or "Fachkräfte" still.
    """
    counts: defaultdict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    for word in words(text):
        low = word.lower()
        if low in STOPWORDS or len(low) < 3 and not low[0].isdigit():
            continue
        whole = stem(low.replace("-", ""))
        counts[whole] += weight
        surface.setdefault(whole, word)
        parts = split_compound(word)
        if len(parts) > 1:
            for part in parts[1:]:
                part_low = part.lower()
                if part_low in STOPWORDS or len(part_low) < 3:
                    continue
                part_stem = stem(part_low)
                if part_stem != whole:
                    counts[part_stem] += 0.6 * weight
                    surface.setdefault(part_stem, part.capitalize() if word[0].isupper() else part)
    return Terms(weights=dict(counts), surface=surface)


def merge(*parts: Terms) -> Terms:
    weights: defaultdict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    for part in parts:
        for term, weight in part.weights.items():
            weights[term] += weight
        for key, value in part.surface.items():
            surface.setdefault(key, value)
    return Terms(weights=dict(weights), surface=surface)
