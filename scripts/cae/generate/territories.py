"""Territory pages: every région and département, the territories index and the national map.

A cooperative belongs on a territory's page when one of its places is there
or when it declares serving it (directly, or through the région). Territories
with none say so and point to the nearest cooperatives.

For local authorities, each territory also has a list made to be embedded in
their own site (``<territory>/integration/``: plain HTML, no script, no map)
and its cooperatives as CSV (``<territory>/cooperatives.csv``), with the
columns of the national file.
"""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import great_circle

from ..enrich import Cooperative, Directory
from ..gazetteer import Territory
from ..render import Page, render
from ..text import fold
from . import exports, maps

NEAREST_COUNT = 3


@dataclass(frozen=True)
class Nearby:
    cooperative: Cooperative
    km: int


def nearest(directory: Directory, territory: Territory, count: int = NEAREST_COUNT) -> list[Nearby]:
    """The located cooperatives closest to a territory's centre (great-circle distance)."""
    centre = (territory.lat, territory.lon)
    distances = []
    for cooperative in directory.cooperatives:
        located = [p for p in cooperative.places if p.on_map]
        if located:
            km = min(great_circle(centre, (p.lat, p.lon)).km for p in located)
            distances.append((km, cooperative.sort_key, cooperative))
    distances.sort(key=lambda item: (item[0], item[1]))
    return [Nearby(c, round(km)) for km, _, c in distances[:count]]


def _split(cooperatives: list[Cooperative], located: set[str], attribute: str) -> tuple[list[Cooperative], list[Cooperative]]:
    here = [c for c in cooperatives if located & getattr(c, attribute)()]
    serving = [c for c in cooperatives if c not in here]
    return here, serving


def _reuse(path: str, name: str, site_url: str) -> dict[str, str]:
    """What the territory page shows local authorities: the CSV, and the code to embed the list."""
    embed_url = f"{site_url.rstrip('/')}/{path}integration/" if site_url else f"/{path}integration/"
    title = f"Coopératives d'activités et d'emploi : {name}"
    iframe = f'<iframe src="{embed_url}" title="{title}" width="100%" height="600" style="border: 0"></iframe>'
    return {"csv": f"{path}cooperatives.csv", "embed": f"{path}integration/", "iframe": iframe}


def embed_page(directory: Directory, path: str, name: str, kind: str, cooperatives: list[Cooperative]) -> Page:
    """``<territory>/integration/``: the territory's cooperatives as a bare list, for an iframe."""
    embed_path = f"{path}integration/"
    html = render("embed-list.html", embed_path, name=name, kind=kind, territory_path=path, cooperatives=cooperatives, data_date=directory.data_date)
    return Page(
        path=embed_path,
        title=f"CAE : {name}",
        description=f"Liste à intégrer des coopératives d'activités et d'emploi : {name}.",
        html=html,
        hide=("navigation", "toc"),
        extra_meta={"template": "integration.html", "recherche": False},
    )


def departement_page(directory: Directory, departement: Territory, site_url: str = "") -> Page:
    path = f"departements/{departement.code}/"
    gazetteer = directory.gazetteer
    relevant = directory.by_departement.get(departement.code, [])
    here, serving = _split(relevant, {departement.code}, "located_departements")
    region = gazetteer.regions[departement.region]
    map_html = maps.overview_map(here, path, f"dep{departement.code.lower()}", zoom=8) if any(p.on_map for c in here for p in c.places) else None
    html = render(
        "territory.html",
        path,
        kind="departement",
        territory=departement,
        name=f"{departement.nom} ({departement.code})",
        region=region,
        here=here,
        serving=serving,
        nearby=[] if relevant else nearest(directory, departement),
        map=map_html,
        children=[],
        legend=maps.CATEGORIES,
        reuse=_reuse(path, f"{departement.nom} ({departement.code})", site_url),
    )
    return Page(
        path=path,
        title=f"CAE : {departement.nom} ({departement.code})",
        description=f"Coopératives d'activités et d'emploi situées dans le département {departement.nom} ({departement.code}) ou qui le desservent.",
        html=html,
    )


def region_page(directory: Directory, region: Territory, site_url: str = "") -> Page:
    path = f"regions/{region.slug}/"
    gazetteer = directory.gazetteer
    relevant = directory.by_region.get(region.code, [])
    here, serving = _split(relevant, {region.code}, "located_regions")
    departements = sorted((d for d in gazetteer.departements.values() if d.region == region.code), key=lambda d: d.code)
    children = [(d, len(directory.by_departement.get(d.code, []))) for d in departements]
    map_html = maps.overview_map(here, path, f"reg{region.code}", zoom=7) if any(p.on_map for c in here for p in c.places) else None
    html = render(
        "territory.html",
        path,
        kind="region",
        territory=region,
        name=region.nom,
        region=None,
        here=here,
        serving=serving,
        nearby=[] if relevant else nearest(directory, region),
        map=map_html,
        children=children,
        legend=maps.CATEGORIES,
        reuse=_reuse(path, region.nom, site_url),
    )
    return Page(
        path=path,
        title=f"CAE : {region.nom}",
        description=f"Coopératives d'activités et d'emploi de la région {region.nom}, par département.",
        html=html,
    )


def territories_index(directory: Directory) -> Page:
    """/regions/: every région with its départements and how many cooperatives each has."""
    gazetteer = directory.gazetteer
    rows = []
    for region in sorted(gazetteer.regions.values(), key=lambda r: r.slug):
        departements = sorted((d for d in gazetteer.departements.values() if d.region == region.code), key=lambda d: d.code)
        rows.append((region, len(directory.by_region.get(region.code, [])), [(d, len(directory.by_departement.get(d.code, []))) for d in departements]))
    return Page(
        path="regions/",
        title="Territoires",
        description="Les coopératives d'activités et d'emploi par région et par département : une page stable par territoire.",
        html=render("territories.html", "regions/", rows=rows),
    )


def departements_index(directory: Directory) -> Page:
    gazetteer = directory.gazetteer
    rows = [(d, len(directory.by_departement.get(d.code, []))) for d in sorted(gazetteer.departements.values(), key=lambda d: d.code)]
    return Page(
        path="departements/",
        title="Départements",
        description="Les coopératives d'activités et d'emploi par département.",
        html=render("departements.html", "departements/", rows=rows),
    )


def map_page(directory: Directory) -> Page:
    """/carte/: all located places on one map, and the same information as an accessible list."""
    path = "carte/"
    located = [c for c in directory.cooperatives if any(p.on_map for p in c.places)]
    unlocated = [c for c in directory.cooperatives if c not in located]
    places = [(p, c) for c in located for p in c.places if p.on_map]
    groups: dict[str, list] = {}
    for place, cooperative in sorted(places, key=lambda item: (item[0].departement.code if item[0].departement else "", item[1].sort_key, item[0].kind != "siege", item[0].index)):
        groups.setdefault(place.region.nom if place.region else "Autres", []).append((place, cooperative))
    html = render(
        "map-page.html",
        path,
        map=maps.overview_map(directory.cooperatives, path, "carte"),
        places=places,
        groups=sorted(groups.items(), key=lambda item: fold(item[0])),
        unlocated=unlocated,
        legend=maps.CATEGORIES,
        cooperative_count=len(directory.cooperatives),
    )
    return Page(
        path=path,
        title="Carte des coopératives",
        description="Carte des coopératives d'activités et d'emploi et de leurs antennes, avec la liste des lieux.",
        html=html,
        source="carte.md",
    )


def _territories(directory: Directory) -> list[tuple[str, str, str, list[Cooperative]]]:
    """(kind, path, display name, cooperatives located in or serving it) for every territory."""
    gazetteer = directory.gazetteer
    rows = [
        ("departement", f"departements/{d.code}/", f"{d.nom} ({d.code})", directory.by_departement.get(d.code, []))
        for d in sorted(gazetteer.departements.values(), key=lambda d: d.code)
    ]
    rows += [("region", f"regions/{r.slug}/", r.nom, directory.by_region.get(r.code, [])) for r in sorted(gazetteer.regions.values(), key=lambda r: r.slug)]
    return rows


def territory_pages(directory: Directory, site_url: str = "") -> list[Page]:
    gazetteer = directory.gazetteer
    pages = [departement_page(directory, d, site_url) for d in sorted(gazetteer.departements.values(), key=lambda d: d.code)]
    pages += [region_page(directory, r, site_url) for r in sorted(gazetteer.regions.values(), key=lambda r: r.slug)]
    pages += [embed_page(directory, path, name, kind, cooperatives) for kind, path, name, cooperatives in _territories(directory)]
    pages += [territories_index(directory), departements_index(directory), map_page(directory)]
    return pages


def territory_files(directory: Directory, site_url: str = "") -> dict[str, bytes]:
    """``<territory>/cooperatives.csv`` for every territory: its cooperatives, national columns."""
    return {f"{path}cooperatives.csv": exports.cooperatives_csv(directory, site_url, cooperatives) for _, path, _, cooperatives in _territories(directory)}
