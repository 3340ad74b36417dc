"""Partner matchmaking (journey 2): the one rule, written once.

« We have a renovation job near Nantes and need an electrician and a
carpenter »: requested skills, a place, a radius → members ranked, and the
smallest team that covers the skills. ``overrides/assets/javascripts/matching.js``
runs the same rule in the browser over the static index written by
:mod:`cae.generate.partners`; the browser tests compare both on shared queries,
so a change here must be made there too.

The rule
--------

* **Skills** are ids of the skills vocabulary (at most :data:`MAX_SKILLS`).
  Typed text is read by :class:`SkillIndex`: folded (case, accents and
  punctuation ignored), a final plural « s »/« x » ignored, the longest label,
  synonym or id first (so « pompe à chaleur » is one skill, not three words).
  Small words (« et », « de »…) are skipped; other words that name no skill
  are reported.
* **Distance**: great-circle distance (:func:`cae.places.distance_km`) from the
  place to the centre of the member's commune, counted in whole metres
  (rounded half up), so both implementations compare the same integers.
* A member is a **candidate** when it has at least one requested skill, its
  distance is at most the radius, and — if a form of collaboration is asked —
  it declares that form.
* It **serves the place** when the distance is at most its own ``rayon_km``,
  or when the place's département is one of its ``zone.departements``.
* **Ranking**: more requested skills first; then members serving the place;
  then the closest; then by folded name, cooperative id, member id (unique).
* **Team**: see :func:`build_team`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

from .enrich import Member
from .gazetteer import Commune
from .places import distance_km
from .text import fold, singular
from .vocabularies import Term

MAX_SKILLS = 8
DEFAULT_RADIUS_KM = 50
MAX_RADIUS_KM = 1000
# Words of a request that name no skill and are not worth reporting.
STOP_WORDS = frozenset("a au aux avec d de des du en et l la le les ou pour un une".split())


def phrase_key(words: list[str]) -> str:
    return " ".join(singular(word) for word in words)


@dataclass(frozen=True)
class SkillRequest:
    """Typed text read as skills: their ids in the order typed, and the words that name none."""

    ids: tuple[str, ...]
    unknown: tuple[str, ...]


class SkillIndex:
    """Every way to name a skill (label, synonyms, id), keyed by :func:`phrase_key`."""

    def __init__(self, skills: dict[str, Term]):
        self.phrases: dict[str, str] = {}
        for skill_id in sorted(skills):
            for phrase in sorted(skills[skill_id].words()):
                self.phrases.setdefault(phrase_key(phrase.split()), skill_id)
        self.longest = max((len(key.split()) for key in self.phrases), default=0)

    def longest_at(self, words: list[str], position: int) -> tuple[str, int]:
        """The skill named by the longest phrase starting at ``position``, and its length in words (("", 0) if none)."""
        for length in range(min(self.longest, len(words) - position), 0, -1):
            skill = self.phrases.get(phrase_key(words[position:position + length]))
            if skill:
                return skill, length
        return "", 0

    def parse(self, text: str) -> SkillRequest:
        """The skills named in ``text``, longest phrases first."""
        words = fold(text).split()
        ids: list[str] = []
        unknown: list[str] = []
        position = 0
        while position < len(words):
            skill, length = self.longest_at(words, position)
            if skill:
                if skill not in ids:
                    ids.append(skill)
                position += length
                continue
            word = words[position]
            if word not in STOP_WORDS and word not in unknown:
                unknown.append(word)
            position += 1
        return SkillRequest(tuple(ids), tuple(unknown))


@dataclass(frozen=True)
class Origin:
    """The place partners are sought around."""

    lat: float
    lon: float
    label: str
    departement: str = ""  # "" for a bare point: then no member serves it through zone.departements
    insee: str = ""

    @classmethod
    def of_commune(cls, commune: Commune) -> "Origin":
        return cls(commune.lat, commune.lon, f"{commune.nom} ({commune.departement})", commune.departement, commune.insee)


@dataclass(frozen=True)
class Query:
    skills: tuple[str, ...]
    origin: Origin
    radius_km: int = DEFAULT_RADIUS_KM
    availability: str = ""  # an id of the disponibilites vocabulary, "" for any

    def __post_init__(self) -> None:
        if not 1 <= len(self.skills) <= MAX_SKILLS:
            raise ValueError(f"de 1 à {MAX_SKILLS} compétences, pas {len(self.skills)}")
        if len(set(self.skills)) != len(self.skills):
            raise ValueError("compétence demandée deux fois")
        if not 1 <= self.radius_km <= MAX_RADIUS_KM:
            raise ValueError(f"rayon de 1 à {MAX_RADIUS_KM} km, pas {self.radius_km}")


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle distance in whole metres, rounded half up (the browser computes the same)."""
    return math.floor(distance_km(a, b) * 1000 + 0.5)


@dataclass(frozen=True)
class Candidate:
    member: Member
    distance_m: int
    covered: tuple[str, ...]  # the requested skills it has, in the order requested
    serves: bool  # the place is within its own radius or in a département it covers

    @property
    def key(self) -> tuple[str, str]:
        return (self.member.cooperative_id, self.member.id)

    def rank(self) -> tuple:
        return (-len(self.covered), not self.serves, self.distance_m, fold(self.member.nom), *self.key)


@dataclass(frozen=True)
class Match:
    query: Query
    candidates: tuple[Candidate, ...]  # ranked
    team: tuple[Candidate, ...]  # in ranking order
    uncovered: tuple[str, ...]  # requested skills no candidate has, in the order requested


def candidates(members: Iterable[Member], query: Query) -> list[Candidate]:
    """Members with a requested skill within the radius (and the form of collaboration asked), unranked."""
    origin = (query.origin.lat, query.origin.lon)
    limit = query.radius_km * 1000
    by_commune: dict[str, int] = {}
    found = []
    for member in members:
        owned = {term.id for term in member.competences}
        covered = tuple(skill for skill in query.skills if skill in owned)
        if not covered or (query.availability and query.availability not in {t.id for t in member.disponibilites}):
            continue
        commune = member.commune
        if commune.insee not in by_commune:
            by_commune[commune.insee] = distance_m(origin, (commune.lat, commune.lon))
        metres = by_commune[commune.insee]
        if metres > limit:
            continue
        serves = metres <= member.rayon_km * 1000 or query.origin.departement in member.departements
        found.append(Candidate(member, metres, covered, serves))
    return found


def build_team(ranked: list[Candidate], skills: tuple[str, ...]) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
    """The smallest set of candidates covering every requested skill that some candidate has.

    Ties: the smallest sum of distances (metres), then the team whose sorted
    list of (cooperative id, member id) comes first. Returns the team in
    ranking order and the requested skills nobody covers.

    Exact, in two steps over bit masks of the requested skills (at most
    2**MAX_SKILLS = 256 subsets):

    1. Per mask, only the candidate that is closest, then has the smallest
       key, can be in the best team: in a smallest team no two members have
       the same mask (one would be redundant), and putting that candidate in
       place of another with the same mask keeps the cover and the size,
       does not raise the total distance and does not move the sorted key
       list later. So at most 255 candidates remain, whatever the number of
       members.
    2. A dynamic programme over subsets: ``best[S]`` is the best team
       covering S, chosen among ``{c} ∪ best[S minus the skills of c]`` for
       every remaining candidate c with a skill in S. Sizes and distances
       add up; inserting one key into two sorted lists of the same length
       keeps their order, so the best team of S extends the best team of
       the rest. ``best[S minus c]`` never contains c: c has no skill in
       that set, so it would be redundant there.
    """
    bits = {skill: 1 << index for index, skill in enumerate(skills)}
    by_mask: dict[int, Candidate] = {}
    for candidate in ranked:
        mask = sum(bits[skill] for skill in candidate.covered)
        kept = by_mask.get(mask)
        if kept is None or (candidate.distance_m, candidate.key) < (kept.distance_m, kept.key):
            by_mask[mask] = candidate
    target = 0
    for mask in by_mask:
        target |= mask
    uncovered = tuple(skill for skill in skills if not bits[skill] & target)

    best: dict[int, tuple[int, int, tuple[tuple[str, str], ...]]] = {0: (0, 0, ())}
    teams: dict[int, tuple[Candidate, ...]] = {0: ()}
    for subset in range(1, target + 1):
        if subset & ~target:
            continue
        for mask, candidate in sorted(by_mask.items()):
            if not mask & subset:
                continue
            rest = subset & ~mask
            size, total, keys = best[rest]
            option = (size + 1, total + candidate.distance_m, tuple(sorted(keys + (candidate.key,))))
            if subset not in best or option < best[subset]:
                best[subset] = option
                teams[subset] = teams[rest] + (candidate,)
    order = {candidate.key: index for index, candidate in enumerate(ranked)}
    return tuple(sorted(teams[target], key=lambda c: order[c.key])), uncovered


def match(members: Iterable[Member], query: Query) -> Match:
    """The ranked candidates, the team and the uncovered skills for a query."""
    ranked = sorted(candidates(members, query), key=Candidate.rank)
    team, uncovered = build_team(ranked, query.skills)
    return Match(query, tuple(ranked), team, uncovered)


@dataclass(frozen=True)
class Request:
    """A request written as one sentence: « électricien menuisier près de 44000 rayon 50 »."""

    skills_text: str
    place_text: str
    radius_km: int | None


_RADIUS = re.compile(r"\b(?:rayon (?:de )?(\d+)(?: km)?|(\d+) km)\b")
_PLACE = re.compile(r"\b(?:pres|autour|proche) (?:de |d |du )?(.+)$")


def parse_request(text: str) -> Request:
    """Split a sentence into skills, place (after « près de », « autour de », « proche de ») and radius."""
    folded = fold(text)
    radius = None
    found = _RADIUS.search(folded)
    if found:
        radius = int(found.group(1) or found.group(2))
        folded = (folded[: found.start()] + " " + folded[found.end():]).strip()
    place = _PLACE.search(folded)
    if place:
        return Request(folded[: place.start()].strip(), " ".join(place.group(1).split()), radius)
    return Request(folded, "", radius)
