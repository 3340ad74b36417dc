"""Geocoding of street addresses (``make geocode``), stored in ``<data>/geocodage.json``.

Every head office or antenne with an ``adresse`` is looked up once by a
maintainer, with the Base Adresse Nationale (Géoplateforme) and optionally
Nominatim as a fallback; the results are committed with the data, so builds
and tests never touch the network. Places without an address are located at
the commune by the build and are not geocoded.

A result is kept only if it is in the record's commune (INSEE code or postcode),
good enough (score), unambiguous and inside the département. The results file
is rewritten atomically after each success, so an interrupted run loses nothing.
Only the command in ``scripts/geocode.py`` prints; here problems are values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.distance import geodesic
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BANFrance, Nominatim

from .errors import WARNING, Problem, display_path
from .gazetteer import Commune, Gazetteer, Territory
from .paths import REPO_ROOT
from .text import fold
from .validate import Dataset

RESULTS_FILE = "geocodage.json"
SCHEMA_VERSION = 1

# The Géoplateforme's geocoder (https://data.geopf.fr/geocodage/search), which
# replaced api-adresse.data.gouv.fr in January 2026; 50 requests/s per IP.
BAN_DOMAIN = "data.geopf.fr/geocodage"
BAN_SOURCE = "BAN (Géoplateforme)"
BAN_DELAY = 0.1
BAN_MIN_PUBLIC_DELAY = 1 / 50
# OpenStreetMap's Nominatim: at most one request per second, with a real user agent.
NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
NOMINATIM_SOURCE = "Nominatim (OpenStreetMap)"
NOMINATIM_DELAY = 1.0
USER_AGENT = "annuaire-cae/1.0 (+https://github.com/annuaire-cae/annuaire-cae)"

RESULT_LIMIT = 5  # results asked for each address, to spot ambiguity
MIN_SCORE = 0.5
AMBIGUOUS_KM = 1.0  # two equally good results farther apart than this: ambiguous
SAME_SCORE = 1e-3  # scores closer than this are the same
# Result types that only locate the commune, which the build already does from the gazetteer.
COMMUNE_LEVEL = frozenset({"municipality", "city", "town", "village", "administrative", "postcode"})
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is cut to this


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Target:
    """One place of a cooperative that has a street address."""

    cooperative: str
    lieu: str  # "siege" or "antennes[2]" (1-based, as in validation messages)
    requete: str  # the text sent to the geocoder
    commune: Commune
    departement: Territory
    code_postal: str  # as typed in the record ("" when absent)
    line: int  # of the record in cooperatives.yaml

    @property
    def key(self) -> tuple[str, str]:
        return (self.cooperative, self.lieu)

    @property
    def label(self) -> str:
        """``siège`` or ``antenne 2``: the place in words."""
        return "siège" if self.lieu == "siege" else f"antenne {place_order(self.lieu)}"

    @property
    def postcodes(self) -> tuple[str, ...]:
        """The postcodes a result may have: the record's, else the commune's."""
        return (self.code_postal,) if self.code_postal else self.commune.codes_postaux


def place_order(lieu: str) -> int:
    """0 for the head office, n for ``antennes[n]``: the order of places in a record."""
    if lieu == "siege":
        return 0
    if lieu.startswith("antennes[") and lieu.endswith("]") and lieu[9:-1].isdigit():
        return int(lieu[9:-1])
    return 1_000_000


def query_text(address: str, postcode: str, commune: str) -> str:
    """``12 bis rue Charles Mousset, 61100 Flers``."""
    locality = f"{postcode} {commune}" if postcode else commune
    return f"{' '.join(address.split())}, {locality}"


def _commune_of(place: dict[str, Any], gazetteer: Gazetteer) -> Commune | None:
    """The place's commune, resolved as the validator and the build do."""
    commune = gazetteer.communes.get(place.get("insee") or "")
    if commune is None and place.get("commune"):
        candidates = gazetteer.find(name=place["commune"], postcode=place.get("code_postal"), departement=place.get("departement"))
        commune = candidates[0] if len(candidates) == 1 else None
    return commune


def _places(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    places = [("siege", record["siege"])] if isinstance(record.get("siege"), dict) else []
    antennes = record.get("antennes") if isinstance(record.get("antennes"), list) else []
    places += [(f"antennes[{index}]", antenne) for index, antenne in enumerate(antennes, start=1) if isinstance(antenne, dict)]
    return places


def find_targets(dataset: Dataset, gazetteer: Gazetteer, *, root: Path = REPO_ROOT) -> tuple[list[Target], list[Problem]]:
    """Every place with an address, in file order, and warnings for those that cannot be geocoded."""
    display = display_path(dataset.data_dir / "cooperatives.yaml", root)
    targets, problems = [], []
    for record in dataset.cooperatives:
        line = dataset.record_lines.get(record["id"], 1)
        for lieu, place in _places(record):
            address = place.get("adresse")
            if not address:
                continue
            commune = _commune_of(place, gazetteer)
            departement = gazetteer.departements.get(commune.departement) if commune else None
            if commune is None or departement is None:
                message = "adresse sans commune reconnue : ce lieu n'est pas géocodé (indiquez la commune ou son code INSEE)"
                problems.append(Problem(display, line, 1, f"{lieu}.adresse", message, WARNING))
                continue
            code_postal = place.get("code_postal") or ""
            query = query_text(address, code_postal, place.get("commune") or commune.nom)
            targets.append(Target(record["id"], lieu, query, commune, departement, code_postal, line))
    return targets, problems


# --------------------------------------------------------------------------- the results file


@dataclass(frozen=True)
class GeocodedPoint:
    """A geocoded place, as the build uses it."""

    lat: float
    lon: float
    score: float | None
    source: str
    date: str
    requete: str


@dataclass(frozen=True)
class Entry:
    """One line of ``geocodage.json``."""

    cooperative: str
    lieu: str
    requete: str
    lat: float
    lon: float
    score: float | None
    insee: str
    code_postal: str
    libelle: str
    source: str
    date: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.cooperative, self.lieu)

    def to_json(self) -> dict[str, Any]:
        return {
            "cooperative": self.cooperative,
            "lieu": self.lieu,
            "requete": self.requete,
            "lat": self.lat,
            "lon": self.lon,
            "score": self.score,
            "insee": self.insee,
            "code_postal": self.code_postal,
            "libelle": self.libelle,
            "source": self.source,
            "date": self.date,
        }

    def point(self) -> GeocodedPoint:
        return GeocodedPoint(self.lat, self.lon, self.score, self.source, self.date, self.requete)


class ResultsFileError(ValueError):
    """``geocodage.json`` exists but cannot be read (the message is in French)."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _entry(item: Any) -> Entry | None:
    """An entry read from the file, or None if it is incomplete (it is then geocoded again)."""
    if not isinstance(item, dict):
        return None
    texts = ("cooperative", "lieu", "requete", "source", "date")
    if not all(isinstance(item.get(key), str) and item[key] for key in texts):
        return None
    if not _number(item.get("lat")) or not _number(item.get("lon")):
        return None
    score = item.get("score")
    return Entry(
        cooperative=item["cooperative"],
        lieu=item["lieu"],
        requete=item["requete"],
        lat=float(item["lat"]),
        lon=float(item["lon"]),
        score=float(score) if _number(score) else None,
        insee=item.get("insee") if isinstance(item.get("insee"), str) else "",
        code_postal=item.get("code_postal") if isinstance(item.get("code_postal"), str) else "",
        libelle=item.get("libelle") if isinstance(item.get("libelle"), str) else "",
        source=item["source"],
        date=item["date"],
    )


def results_path(data_dir: Path) -> Path:
    return data_dir / RESULTS_FILE


def read_results(path: Path) -> dict[tuple[str, str], Entry]:
    """The stored entries by (cooperative, lieu); {} when the file does not exist.

    Raises :class:`ResultsFileError` when the file is not a results file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsFileError(f"{path.name} illisible ({error}) : supprimez-le puis relancez make geocode") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsFileError(
            f"{path.name} n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno}) : "
            "récupérez-le avec git ou supprimez-le, puis relancez make geocode"
        ) from error
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_VERSION or not isinstance(document.get("resultats"), list):
        raise ResultsFileError(f"{path.name} n'a pas la forme attendue ({{\"schema\": {SCHEMA_VERSION}, \"resultats\": [...]}}) : supprimez-le puis relancez make geocode")
    entries = {}
    for item in document["resultats"]:
        entry = _entry(item)
        if entry is not None:
            entries[entry.key] = entry
    return entries


def load_geocoded(data_dir: Path) -> dict[tuple[str, str], GeocodedPoint]:
    """The committed geocoding results by (cooperative id, lieu); {} if there are none.

    Never touches the network. Raises :class:`ResultsFileError` if the file is damaged.
    """
    return {key: entry.point() for key, entry in read_results(results_path(data_dir)).items()}


def results_text(entries: dict[tuple[str, str], Entry]) -> str:
    """The file's content: deterministic (sorted, fixed key order), UTF-8, final newline."""
    ordered = sorted(entries.values(), key=lambda e: (e.cooperative, place_order(e.lieu), e.lieu))
    document = {"schema": SCHEMA_VERSION, "resultats": [entry.to_json() for entry in ordered]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` all at once: readers see the old file or the new one, never half.

    The text goes to a temporary file of the same directory, is flushed to
    disk, then renamed over the target (atomic on POSIX and Windows).
    """
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="\n", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# --------------------------------------------------------------------------- judging results


@dataclass(frozen=True)
class Candidate:
    """One result of a geocoder, in the terms the checks need."""

    lat: float
    lon: float
    score: float | None  # BAN's match score (0 to 1); None for Nominatim
    insee: str  # BAN's citycode; "" for Nominatim
    code_postal: str
    commune: str  # the commune's name as the geocoder gives it
    libelle: str
    kind: str = ""  # BAN's type (housenumber, street, locality, municipality), Nominatim's addresstype


def same_commune(found: str, expected: str, gazetteer: Gazetteer) -> bool:
    """Equal INSEE codes, or an arrondissement (Paris, Lyon, Marseille) and its commune."""
    if found == expected:
        return True
    found_commune, expected_commune = gazetteer.communes.get(found), gazetteer.communes.get(expected)
    return bool(
        (found_commune and found_commune.parent == expected)
        or (expected_commune and expected_commune.parent == found)
    )


def _commune_words(code: str, fallback: str, gazetteer: Gazetteer) -> str:
    commune = gazetteer.communes.get(code)
    return f"{commune.nom if commune else fallback or 'une autre commune'} ({code})"


def refusal(target: Target, candidate: Candidate, gazetteer: Gazetteer, min_score: float) -> str | None:
    """Why a result cannot be kept for this place (in French), or None if it can."""
    commune = target.commune
    where = f"{commune.nom} ({commune.insee})"
    found = f"« {candidate.libelle} »" if candidate.libelle else "le résultat"
    if candidate.insee and not same_commune(candidate.insee, commune.insee, gazetteer):
        return f"{found} est à {_commune_words(candidate.insee, candidate.commune, gazetteer)}, pas à {where} comme la fiche"
    # With a matching INSEE code, any postcode of the commune agrees (a commune may have several).
    allowed = set(commune.codes_postaux) | set(target.postcodes) if candidate.insee else set(target.postcodes)
    if candidate.code_postal and candidate.code_postal not in allowed:
        return f"{found} a le code postal {candidate.code_postal}, pas {' ou '.join(sorted(allowed))} comme {where}"
    name_matches = bool(candidate.commune) and fold(candidate.commune) == fold(commune.nom)
    if not candidate.insee and not candidate.code_postal and not name_matches:
        return f"{found} n'indique ni le code INSEE ni le code postal de {where}"
    if candidate.kind in COMMUNE_LEVEL:
        return f"{found} ne situe que la commune, pas l'adresse"
    if candidate.score is not None and candidate.score < min_score:
        return f"{found} a un score trop faible ({candidate.score:.2f}, au moins {min_score:.2f} demandé)"
    if not target.departement.contains(candidate.lat, candidate.lon):
        dep = target.departement
        return f"{found} est placé en ({candidate.lat:.5f}, {candidate.lon:.5f}), hors du département {dep.nom} ({dep.code})"
    return None


def _same_score(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < SAME_SCORE


def choose(target: Target, candidates: list[Candidate], gazetteer: Gazetteer, min_score: float) -> tuple[Candidate | None, str]:
    """The best acceptable result, or None and the reason (in French)."""
    if not candidates:
        return None, "adresse introuvable"
    verdicts = [(candidate, refusal(target, candidate, gazetteer, min_score)) for candidate in candidates]
    accepted = [candidate for candidate, reason in verdicts if reason is None]
    if not accepted:
        first = verdicts[0][1]
        return None, first if len(candidates) == 1 else f"aucun des {len(candidates)} résultats ne convient ; le premier : {first}"
    best = max(accepted, key=lambda c: -1.0 if c.score is None else c.score)  # the first of equals
    for other in accepted:
        if other is best or not _same_score(other.score, best.score):
            continue
        distance = geodesic((best.lat, best.lon), (other.lat, other.lon)).km
        if distance > AMBIGUOUS_KM:
            kilometres = f"{distance:.1f}".replace(".", ",")
            return None, f"adresse ambiguë : « {best.libelle} » et « {other.libelle} » sont aussi probables mais à {kilometres} km l'un de l'autre"
    return best, ""


# --------------------------------------------------------------------------- geocoders


class ServiceError(Exception):
    """A geocoder did not answer usefully, even after retries (the message is in French)."""


class _NoRetry(Exception):
    """Wraps an error that retrying cannot fix, so that the rate limiter lets it through."""

    def __init__(self, error: GeopyError) -> None:
        super().__init__(str(error))
        self.error = error


_FINAL_ERRORS = (GeocoderQueryError, GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges)


def describe_error(error: BaseException) -> str:
    """A geopy error in words (geopy's own messages are in English)."""
    status = getattr(error.__cause__, "status_code", None)  # geopy raises from the adapter's HTTP error
    if isinstance(error, GeocoderRateLimited):
        return "trop de requêtes (HTTP 429)"
    if isinstance(error, GeocoderQuotaExceeded):
        return f"quota dépassé (HTTP {status or 402})"
    if isinstance(status, int) and status >= 500:
        return f"erreur du serveur (HTTP {status})"
    if isinstance(error, GeocoderTimedOut):
        return "pas de réponse dans le délai (service lent ou surchargé)"
    if isinstance(error, GeocoderUnavailable):
        return "service injoignable (réseau ou serveur indisponible)"
    if isinstance(error, GeocoderParseError):
        return "réponse illisible (JSON invalide ou inattendu)"
    if isinstance(error, (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges)):
        return f"accès refusé par le service (HTTP {status})" if status else "accès refusé par le service"
    if isinstance(status, int):
        return f"requête refusée par le service (HTTP {status})"
    return f"erreur du service ({error})"


@dataclass(frozen=True)
class ServiceSettings:
    """How to reach one geocoder and how often to call it."""

    domain: str
    scheme: str = "https"
    min_delay: float = BAN_DELAY  # seconds between two requests
    timeout: float = 10.0  # seconds to wait for an answer
    retries: int = 2  # new attempts after an error that may pass (timeout, 429, 5xx, bad JSON)
    retry_wait: float = 2.0  # seconds before a new attempt
    user_agent: str = USER_AGENT


@dataclass
class Service:
    """A geocoder: its name in the results and a search returning candidates.

    ``search`` raises :class:`ServiceError` once its retries are spent.
    """

    source: str
    search: Callable[[Target], list[Candidate]]


def _attempt(geocode: Callable[..., Any], notify: Callable[[str], None], source: str, query: str, **options: Any) -> Any:
    """One request. Errors that may pass propagate to the rate limiter, which retries them."""
    try:
        return geocode(query, **options)
    except _FINAL_ERRORS as error:
        raise _NoRetry(error) from error
    except GeocoderServiceError as error:
        notify(f"  {source}, « {query} » : tentative échouée, {describe_error(error)}")
        if isinstance(error, GeocoderRateLimited) and error.retry_after:
            time.sleep(min(float(error.retry_after), MAX_RETRY_AFTER))  # the server says when to come back
        raise
    except (KeyError, IndexError, TypeError, ValueError) as error:  # geopy choked on a response of an unexpected shape
        notify(f"  {source}, « {query} » : tentative échouée, {describe_error(GeocoderParseError())}")
        raise GeocoderParseError(f"réponse inattendue ({error!r})") from error


def http_adapter(*, proxies: Any, ssl_context: Any) -> Any:
    """geopy's HTTP adapter without retries of its own.

    geopy's RequestsAdapter asks urllib3 for 2 retries by default, which also
    retry read timeouts and any 429/503 carrying Retry-After, immediately and
    out of sight of the rate limiter: a 10 s timeout would last 30 s and
    Nominatim's one request per second would not hold. Here every new attempt
    goes through :class:`RateLimiter`.
    """
    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)  # pragma: no cover - requests is installed


def _rate_limited(geocode: Callable[..., Any], source: str, settings: ServiceSettings, notify: Callable[[str], None]) -> RateLimiter:
    """geopy's rate limiter: ``min_delay`` between requests, ``retries`` new attempts, errors never swallowed."""
    return RateLimiter(
        partial(_attempt, geocode, notify, source),
        min_delay_seconds=settings.min_delay,
        max_retries=settings.retries,
        error_wait_seconds=max(settings.retry_wait, settings.min_delay),
        swallow_exceptions=False,
    )


def _call(limiter: RateLimiter, settings: ServiceSettings, query: str, **options: Any) -> list[Any]:
    """The geocoder's results (a list), or :class:`ServiceError` with the reason."""
    try:
        return limiter(query, **options) or []
    except _NoRetry as wrapped:
        raise ServiceError(describe_error(wrapped.error)) from wrapped.error
    except GeopyError as error:
        attempts = settings.retries + 1
        raise ServiceError(f"{describe_error(error)}, après {attempts} tentative{'s' if attempts > 1 else ''}") from error


def _text_of(value: Any) -> str:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def ban_candidate(location: Any) -> Candidate:
    """A BAN GeoJSON feature (geopy's ``Location.raw``) as a candidate."""
    properties = location.raw.get("properties") or {}
    score = properties.get("score")
    return Candidate(
        lat=float(location.latitude),
        lon=float(location.longitude),
        score=float(score) if _number(score) else None,
        insee=_text_of(properties.get("citycode")),
        code_postal=_text_of(properties.get("postcode")),
        commune=_text_of(properties.get("city")),
        libelle=_text_of(properties.get("label")) or _text_of(location.address),
        kind=_text_of(properties.get("type")),
    )


def ban_service(settings: ServiceSettings, notify: Callable[[str], None] = lambda line: None) -> Service:
    """The Base Adresse Nationale through the Géoplateforme (``<scheme>://<domain>/search``)."""
    if settings.domain.strip("/") == BAN_DOMAIN and settings.min_delay < BAN_MIN_PUBLIC_DELAY:
        settings = dataclasses.replace(settings, min_delay=BAN_MIN_PUBLIC_DELAY)
    geocoder = BANFrance(domain=settings.domain, scheme=settings.scheme, user_agent=settings.user_agent, timeout=settings.timeout, adapter_factory=http_adapter)
    limiter = _rate_limited(geocoder.geocode, BAN_SOURCE, settings, notify)

    def search(target: Target) -> list[Candidate]:
        locations = _call(limiter, settings, target.requete, limit=RESULT_LIMIT, exactly_one=False)
        try:
            return [ban_candidate(location) for location in locations]
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            raise ServiceError(f"{describe_error(GeocoderParseError())} : {error!r}") from error

    return Service(BAN_SOURCE, search)


def nominatim_candidate(location: Any) -> Candidate:
    """A Nominatim result (with ``addressdetails``) as a candidate; Nominatim gives no score nor INSEE code."""
    address = location.raw.get("address") or {}
    commune = next((address[k] for k in ("city", "town", "village", "municipality") if isinstance(address.get(k), str)), "")
    return Candidate(
        lat=float(location.latitude),
        lon=float(location.longitude),
        score=None,
        insee="",
        code_postal=_text_of(address.get("postcode")),
        commune=commune,
        libelle=_text_of(location.address),
        kind=_text_of(location.raw.get("addresstype") or location.raw.get("type")),
    )


def nominatim_service(settings: ServiceSettings, notify: Callable[[str], None] = lambda line: None) -> Service:
    """OpenStreetMap's Nominatim, limited to the département; one request per second on the public server."""
    if settings.domain.strip("/") == NOMINATIM_DOMAIN and settings.min_delay < NOMINATIM_DELAY:
        settings = dataclasses.replace(settings, min_delay=NOMINATIM_DELAY)
    geocoder = Nominatim(domain=settings.domain, scheme=settings.scheme, user_agent=settings.user_agent, timeout=settings.timeout, adapter_factory=http_adapter)
    limiter = _rate_limited(geocoder.geocode, NOMINATIM_SOURCE, settings, notify)

    def search(target: Target) -> list[Candidate]:
        min_lat, min_lon, max_lat, max_lon = target.departement.bbox
        locations = _call(
            limiter, settings, target.requete,
            exactly_one=False, limit=RESULT_LIMIT, addressdetails=True,
            viewbox=[(min_lat, min_lon), (max_lat, max_lon)], bounded=True,
        )
        try:
            return [nominatim_candidate(location) for location in locations]
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            raise ServiceError(f"{describe_error(GeocoderParseError())} : {error!r}") from error

    return Service(NOMINATIM_SOURCE, search)


# --------------------------------------------------------------------------- a run


@dataclass(frozen=True)
class Plan:
    """What a run will do: the places to geocode and the entries kept as they are."""

    to_geocode: list[Target]
    up_to_date: list[Target]
    kept: dict[tuple[str, str], Entry]  # stored entries still matching a place's address
    dropped: int  # stored entries of places gone or whose address changed


def plan(targets: list[Target], stored: dict[tuple[str, str], Entry], *, force: bool = False) -> Plan:
    """Entries whose place is gone or whose query changed are dropped; with ``force`` the others
    stay until a new result replaces them."""
    current = {target.key: target for target in targets}
    kept = {key: entry for key, entry in stored.items() if key in current and entry.requete == current[key].requete}
    up_to_date = [target for target in targets if target.key in kept and not force]
    to_geocode = [target for target in targets if force or target.key not in kept]
    return Plan(to_geocode, up_to_date, kept, len(stored) - len(kept))


@dataclass
class Summary:
    """What a run did; ``problems`` are warnings (rejections) and errors (failures)."""

    geocoded: int = 0
    up_to_date: int = 0
    rejected: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def text(self) -> str:
        total = self.geocoded + self.up_to_date + self.rejected + self.failed
        parts = [
            _count(self.geocoded, "adresse géocodée", "adresses géocodées"),
            _count(self.up_to_date, "déjà à jour (non redemandée)", "déjà à jour (non redemandées)"),
            _count(self.rejected, "rejetée", "rejetées"),
            _count(self.failed, "en échec", "en échec"),
        ]
        return f"Géocodage de {_count(total, 'adresse', 'adresses')} : " + ", ".join(parts) + "."


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {plural if number > 1 else singular}"


@dataclass(frozen=True)
class Outcome:
    """One place's result: an entry, or the reason there is none."""

    entry: Entry | None
    reason: str = ""
    failed: bool = False  # a service error (not a rejected result)


def locate(target: Target, services: list[Service], gazetteer: Gazetteer, *, min_score: float, today: dt.date) -> Outcome:
    """Ask each service in turn until one gives an acceptable result."""
    reasons, failed = [], False
    for service in services:
        try:
            candidates = service.search(target)
        except ServiceError as error:
            reasons.append(f"{service.source} : {error}")
            failed = True
            continue
        chosen, reason = choose(target, candidates, gazetteer, min_score)
        if chosen is not None:
            return Outcome(_entry_for(target, chosen, service.source, today))
        reasons.append(f"{service.source} : {reason}")
    return Outcome(None, " ; ".join(reasons), failed)


def _entry_for(target: Target, candidate: Candidate, source: str, today: dt.date) -> Entry:
    return Entry(
        cooperative=target.cooperative,
        lieu=target.lieu,
        requete=target.requete,
        lat=round(candidate.lat, 6),
        lon=round(candidate.lon, 6),
        score=round(candidate.score, 4) if candidate.score is not None else None,
        insee=candidate.insee,
        code_postal=candidate.code_postal,
        libelle=candidate.libelle,
        source=source,
        date=today.isoformat(),
    )


def _progress_line(index: int, total: int, target: Target, outcome: Outcome) -> str:
    head = f"[{index}/{total}] {target.cooperative} ({target.label})"
    entry = outcome.entry
    if entry is None:
        return f"{head} : {'ÉCHEC' if outcome.failed else 'rejetée'} — {outcome.reason}"
    quality = f"score {entry.score:.2f}" if entry.score is not None else "sans score"
    source = "" if entry.source == BAN_SOURCE else f", {entry.source}"
    return f"{head} : {entry.lat:.5f}, {entry.lon:.5f} ({quality}{source})"


def _problem(target: Target, display: str, outcome: Outcome) -> Problem:
    if outcome.failed:
        message = f"géocodage impossible ({outcome.reason}) : relancez make geocode plus tard"
        return Problem(display, target.line, 1, f"{target.lieu}.adresse", message)
    message = (
        f"adresse non géocodée ({outcome.reason}) : vérifiez l'adresse, le code postal et la commune, "
        "ou indiquez les coordonnées à la main (coordonnees)"
    )
    return Problem(display, target.line, 1, f"{target.lieu}.adresse", message, WARNING)


def geocode_places(
    data_dir: Path,
    targets: list[Target],
    services: list[Service],
    gazetteer: Gazetteer,
    *,
    today: dt.date,
    force: bool = False,
    min_score: float = MIN_SCORE,
    progress: Callable[[str], None] = lambda line: None,
    root: Path = REPO_ROOT,
) -> Summary:
    """Geocode the places not yet (or no longer) in the results file, saving after each success.

    Raises :class:`ResultsFileError` if the existing file is damaged (nothing is
    then written). An interruption (KeyboardInterrupt) propagates; every result
    obtained before it is already on disk.
    """
    path = results_path(data_dir)
    stored = read_results(path)
    _remove_leftovers(path)
    work = plan(targets, stored, force=force)
    entries = dict(work.kept)
    if work.dropped:
        _save(path, entries)
    summary = Summary(up_to_date=len(work.up_to_date))
    display = display_path(data_dir / "cooperatives.yaml", root)
    total = len(work.to_geocode)
    for index, target in enumerate(work.to_geocode, start=1):
        outcome = locate(target, services, gazetteer, min_score=min_score, today=today)
        if outcome.entry is not None:
            entries[target.key] = outcome.entry
            _save(path, entries)
            summary.geocoded += 1
        else:
            summary.problems.append(_problem(target, display, outcome))
            if outcome.failed:
                summary.failed += 1  # with --force, the previous result (if any) is kept
            else:
                summary.rejected += 1
                if entries.pop(target.key, None) is not None:  # --force with stricter checks
                    _save(path, entries)
        progress(_progress_line(index, total, target, outcome))
    return summary


def _remove_leftovers(path: Path) -> None:
    """Temporary files of a run killed while writing (the results file itself is always whole)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def _save(path: Path, entries: dict[tuple[str, str], Entry]) -> None:
    text = results_text(entries)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    write_atomically(path, text)
