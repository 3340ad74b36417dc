"""Finding a cooperative near a place: the ranking rule of /trouver/, written once.

This module is the reference. The browser runs the same rule in
``overrides/assets/javascripts/trouver.js`` over the files written by
:mod:`cae.generate.finder`; the browser tests compare both on shared queries.

The rule, in words a maintainer can check:

1. **Place.** A commune or a municipal arrondissement of the gazetteer, with
   its point, its département and its région.
2. **Activity** (optional, free text). It is folded (lower case, no accents,
   punctuation as spaces) and cut into words; a word of more than three
   letters loses a final « s » or « x » (« graphistes » is « graphiste »,
   as on /partenaires/). It matches
   every label and synonym of a sector (``secteurs.yaml``) or of a skill
   (``competences.yaml``, counted for the skill's sector) whose words appear
   in it whole and in order. A match lying inside a longer one is dropped:
   « développement durable » is the environment, not software.
3. **Eligibility.** Without an activity every cooperative is eligible. With
   one, generalist cooperatives and those with a matched sector are eligible;
   those whose sectors are not given are kept after them (« à vérifier »);
   specialised cooperatives of other sectors are left out. An activity that
   matches no sector is said plainly and leaves the generalists and the
   « à vérifier » ones.
4. **Territory.** A cooperative serves the place when one of its places (head
   office or antenne) is in the place's département, or when it declares
   serving that département or its région. Those come first.
5. **Distance.** Great-circle kilometres from the place to the cooperative's
   nearest located place (head office or antenne, at whatever precision it is
   known). A cooperative with no located place comes last, « distance inconnue ».
6. **Order.** Serving first, then eligible before « à vérifier », then
   nearest, then by name (folded) and id. The first :data:`RESULT_LIMIT` (30)
   are shown: a list a visitor still reads on a phone, that holds every
   cooperative serving the département in 83 départements out of 101 even
   with ten times today's directory (a median of 12 there), and the nearest
   others around places served by few.

Each result says why it is there (territory, activity, distance), whether the
cooperative accepts new entrepreneurs and where its page is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .enrich import Cooperative, Directory, Place
from .gazetteer import Commune, Gazetteer, Territory
from .places import distance_km, find_communes, search_form
from .render import french_number
from .text import fold, singular
from .vocabularies import Term, Vocabularies

RESULT_LIMIT = 30
GENERALIST = "generaliste"
GENERALIST_REASON = "généraliste : accueille toutes les activités"
UNKNOWN_SECTORS_REASON = "secteurs non précisés : à vérifier"
UNKNOWN_DISTANCE = "distance inconnue"
NEWCOMERS = {True: "Oui", False: "Non", None: "Non précisé"}


# --- Activity ---------------------------------------------------------------


def activity_words(text: str) -> list[str]:
    """The words compared: folded, and a final « s » or « x » dropped from words of more than three letters."""
    return [singular(word) for word in fold(text).split()]


@dataclass(frozen=True)
class Phrase:
    """A label or synonym of the vocabularies, as written there, and the sectors it stands for."""

    written: str
    sectors: tuple[str, ...]


def _written_forms(term: Term) -> tuple[str, ...]:
    return (term.libelle, *term.synonymes, term.id.replace("-", " "))


def activity_phrases(vocabularies: Vocabularies) -> dict[str, Phrase]:
    """Every sector and skill label and synonym, keyed by its compared form (words joined by spaces)."""
    return _phrases(tuple(vocabularies.secteurs.values()), tuple(vocabularies.competences.values()))


@lru_cache(maxsize=4)
def _phrases(sectors: tuple[Term, ...], skills: tuple[Term, ...]) -> dict[str, Phrase]:
    found: dict[str, tuple[str, list[str]]] = {}
    sources = [(term, term.id) for term in sectors] + [(term, term.secteur) for term in skills]
    for term, sector in sources:
        for written in _written_forms(term):
            key = " ".join(activity_words(written))
            if key:
                named = found.setdefault(key, (written, []))[1]
                if sector not in named:
                    named.append(sector)
    order = [term.id for term in sectors]
    return {key: Phrase(written, tuple(sorted(found_sectors, key=order.index))) for key, (written, found_sectors) in found.items()}


@dataclass(frozen=True)
class ActivityMatch:
    text: str  # as typed, trimmed
    words: tuple[str, ...]
    sectors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # matched sector -> phrases (as written), in the order typed

    @property
    def given(self) -> bool:
        return bool(self.words)


def match_activity(text: str, vocabularies: Vocabularies, phrases: dict[str, Phrase] | None = None) -> ActivityMatch:
    """The sectors an activity text stands for, and which of its words said so."""
    words = activity_words(text)
    phrases = activity_phrases(vocabularies) if phrases is None else phrases
    spans = []
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            phrase = phrases.get(" ".join(words[start:end]))
            if phrase:
                spans.append((start, end, phrase))
    sectors: dict[str, list[str]] = {}
    for start, end, phrase in spans:
        if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans):
            continue
        for sector in phrase.sectors:
            written = sectors.setdefault(sector, [])
            if phrase.written not in written:
                written.append(phrase.written)
    order = list(vocabularies.secteurs)
    return ActivityMatch(text.strip(), tuple(words), {s: tuple(sectors[s]) for s in sorted(sectors, key=order.index)})


def quoted(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"« {word} »" for word in words)


def sector_reason(label: str, words: tuple[str, ...]) -> str:
    return f"secteur {label}, d'après {quoted(words)}"


def eligibility(cooperative: Cooperative, activity: ActivityMatch) -> tuple[int, list[str]] | None:
    """(tier, reasons) when the cooperative may take the activity, else None. Tier 1 is « à vérifier »."""
    if not activity.given:
        return 0, []
    if not cooperative.secteurs:
        return 1, [UNKNOWN_SECTORS_REASON]
    reasons = []
    for sector in cooperative.secteurs:
        if sector.id == GENERALIST:
            reasons.append(GENERALIST_REASON)
        elif sector.id in activity.sectors:
            reasons.append(sector_reason(sector.libelle, activity.sectors[sector.id]))
    return (0, reasons) if reasons else None


def activity_notice(activity: ActivityMatch, vocabularies: Vocabularies) -> str:
    """What the page says about the activity typed ("" without one)."""
    if not activity.given:
        return ""
    if not activity.sectors:
        return (
            f"Aucun secteur de l'annuaire ne correspond à « {activity.text} » : voici les coopératives généralistes, "
            "qui accueillent toutes les activités, et celles dont les secteurs ne sont pas précisés. "
            "Essayez aussi le nom de votre métier (par exemple « graphiste » ou « menuisier »)."
        )
    labels = " ; ".join(vocabularies.label("secteurs", sector) for sector in activity.sectors)
    plural = "s" if len(activity.sectors) > 1 else ""
    return f"Activité « {activity.text} » : secteur{plural} {labels}. Les coopératives généralistes accueillent aussi toutes les activités."


# --- Territory and distance -------------------------------------------------


def departement_name(departement: Territory) -> str:
    return f"{departement.nom} ({departement.code})"


def territory_reason(cooperative: Cooperative, departement: Territory, region: Territory) -> str:
    """Why the cooperative serves the département ("" when it does not): a place there first, then what it declares."""
    for place in cooperative.places:
        if place.departement and place.departement.code == departement.code:
            kind = "siège" if place.kind == "siege" else "antenne"
            return f"{kind} dans le département {departement_name(departement)}"
    if departement.code in {t.code for t in cooperative.served_departements}:
        return f"dessert le département {departement_name(departement)}"
    if region.code in {t.code for t in cooperative.served_regions}:
        return f"dessert la région {region.nom}"
    return ""


@dataclass(frozen=True)
class Nearest:
    place: Place
    km: float


def nearest_place(cooperative: Cooperative, point: tuple[float, float]) -> Nearest | None:
    """The cooperative's located place nearest to the point (the first one on a tie), or None."""
    best = None
    for place in cooperative.places:
        if place.on_map:
            km = distance_km(point, (place.lat, place.lon))
            if best is None or km < best.km:
                best = Nearest(place, km)
    return best


def place_text(place: Place) -> str:
    """« siège : Lyon », « antenne : Finistère (29), position approximative »."""
    kind = "siège" if place.kind == "siege" else "antenne"
    where = place.commune.nom if place.commune else place.label
    approximate = ", position approximative" if place.precision == "departement" else ""
    return f"{kind} : {where}{approximate}"


def displayed_km(km: float) -> int:
    """Kilometres as shown: rounded half up (the browser rounds the same way)."""
    return math.floor(km + 0.5)


def distance_reason(nearest: Nearest | None) -> str:
    if nearest is None:
        return UNKNOWN_DISTANCE
    shown = displayed_km(nearest.km)
    amount = "moins d'un km" if shown == 0 else f"{french_number(shown)} km"
    return f"à {amount} ({place_text(nearest.place)})"


# --- Ranking ----------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    cooperative: Cooperative
    serves: bool
    tier: int
    nearest: Nearest | None
    reasons: tuple[str, ...]

    @property
    def accepts_newcomers(self) -> str:
        return NEWCOMERS[self.cooperative.accepts_newcomers]

    @property
    def url(self) -> str:
        return f"cooperatives/{self.cooperative.id}/"


@dataclass(frozen=True)
class Search:
    commune: Commune
    departement: Territory
    region: Territory
    activity: ActivityMatch
    notice: str
    results: list[Result]


def rank(directory: Directory, commune: Commune, activity: str = "", limit: int = RESULT_LIMIT) -> Search:
    """The cooperatives for a commune and an optional activity, best first (see the module's rule)."""
    gazetteer = directory.gazetteer
    departement = gazetteer.departements[commune.departement]
    region = gazetteer.regions[departement.region]
    matched = match_activity(activity, directory.vocabularies)
    point = (commune.lat, commune.lon)
    candidates = []
    for cooperative in directory.cooperatives:
        eligible = eligibility(cooperative, matched)
        if eligible is None:
            continue
        tier, activity_reasons = eligible
        territory = territory_reason(cooperative, departement, region)
        nearest = nearest_place(cooperative, point)
        reasons = ([territory] if territory else []) + activity_reasons + [distance_reason(nearest)]
        result = Result(cooperative, bool(territory), tier, nearest, tuple(reasons))
        key = (not result.serves, tier, nearest.km if nearest else math.inf, cooperative.sort_key, cooperative.id)
        candidates.append((key, result))
    candidates.sort(key=lambda item: item[0])
    return Search(commune, departement, region, matched, activity_notice(matched, directory.vocabularies), [r for _, r in candidates[:limit]])


def search_json(search: Search) -> dict[str, Any]:
    """The search as plain data (``scripts/trouver.py --json``; the browser tests compare against it)."""
    return {
        "lieu": {
            "insee": search.commune.insee,
            "nom": search.commune.nom,
            "departement": search.departement.code,
            "region": search.region.nom,
        },
        "activite": {
            "texte": search.activity.text,
            "secteurs": {sector: list(words) for sector, words in search.activity.sectors.items()},
            "message": search.notice,
        },
        "resultats": [
            {
                "rang": rank_number,
                "id": result.cooperative.id,
                "nom": result.cooperative.nom,
                "url": result.url,
                "dessert": result.serves,
                "a_verifier": result.tier == 1,
                "km": result.nearest.km if result.nearest else None,
                "km_affiche": displayed_km(result.nearest.km) if result.nearest else None,
                "raisons": list(result.reasons),
                "accepte_nouveaux_entrepreneurs": result.accepts_newcomers,
            }
            for rank_number, result in enumerate(search.results, start=1)
        ],
    }


# --- The place typed --------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """The commune chosen for a typed place, and the other communes it may mean as well."""

    typed: str
    commune: Commune | None
    others: list[Commune]


def _matches_fully(commune: Commune, typed: str) -> bool:
    """The commune has the postcode typed, or exactly the name typed."""
    return typed in commune.codes_postaux or search_form(commune.nom) == search_form(typed)


def resolve_place(text: str, gazetteer: Gazetteer, limit: int = 10) -> Resolution:
    """The commune meant by a postcode or a name: the most likely one (see :func:`find_communes`).

    For a postcode, a municipal arrondissement that has it is preferred to its
    city (« 69003 » is Lyon 3e Arrondissement, not the centre of Lyon). The
    others are the candidates that match as well as the chosen one: the
    communes sharing the postcode, the homonyms, or other names that begin so.
    """
    typed = text.strip()
    candidates = find_communes(typed, gazetteer, limit)
    if not candidates:
        return Resolution(typed, None, [])
    chosen = next((c for c in candidates if c.parent == candidates[0].insee and typed in c.codes_postaux), candidates[0])
    full = _matches_fully(chosen, typed)
    return Resolution(typed, chosen, [c for c in candidates if c is not chosen and _matches_fully(c, typed) == full])


def commune_label(commune: Commune) -> str:
    return f"{commune.nom} ({commune.departement})"


def ambiguity_notice(resolution: Resolution) -> str:
    """What the page says when a typed place may mean several communes ("" when it may not)."""
    if resolution.commune is None or not resolution.others:
        return ""
    others = ", ".join(commune_label(c) for c in resolution.others)
    return f"« {resolution.typed} » peut désigner plusieurs communes : résultats pour {commune_label(resolution.commune)}. Autres : {others}."
