"""Maps with folium: the national map, a map per territory and a small map per cooperative.

folium writes Leaflet JavaScript. We keep only the map element and its script
(not folium's page header, which loads libraries from CDNs and forbids zooming
on phones); the page links the site's own copies of Leaflet and
Leaflet.markercluster (see :mod:`vendor`).

Contributor text reaches folium in two places, each escaped for its context:
popups and tooltips are HTML placed inside a JavaScript template literal
(HTML-escaped by our templates, then :func:`cae.render.js_template_literal`),
and marker options, which folium serialises as escaped JSON.

Element ids are numbered from a per-map prefix, so two builds give the same bytes.
"""

from __future__ import annotations

import contextlib
import html
import itertools
from dataclasses import dataclass
from typing import Iterator

import folium
from branca.element import Element
from folium.map import FitBounds
from folium.plugins import MarkerCluster

from ..enrich import Cooperative, Place
from ..render import folium_markup, render

PLAN_IGN = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
PLAN_IGN_ATTRIBUTION = '<a href="https://www.ign.fr/">IGN</a> – Plan IGN (Géoplateforme, Licence Ouverte)'
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>'
TILE_HOSTS = ("data.geopf.fr", "tile.openstreetmap.org")

FRANCE_CENTER = (46.6, 2.4)

# Marker colours by the kind of activities a cooperative accepts (legend on each map).
CATEGORIES = {
    "generaliste": ("Généraliste (toutes activités)", "#1d5b4f"),
    "specialisee": ("Spécialisée (certains secteurs)", "#b4442a"),
    "non-precise": ("Secteurs non précisés", "#4f5b66"),
}


def category(cooperative: Cooperative) -> str:
    if cooperative.is_generalist:
        return "generaliste"
    return "specialisee" if cooperative.secteurs else "non-precise"


@contextlib.contextmanager
def numbered_ids(prefix: str) -> Iterator[None]:
    """Make folium/branca number element ids (``prefix``1, 2…) instead of drawing random ones."""
    counter = itertools.count(1)
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{prefix}{next(counter):05d}")  # type: ignore[method-assign]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]


def _base_map(location: tuple[float, float], zoom: int, *, layer_control: bool) -> folium.Map:
    figure = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=False)
    folium.TileLayer(PLAN_IGN, attr=PLAN_IGN_ATTRIBUTION, name="Plan IGN", max_zoom=19, control=layer_control).add_to(figure)
    if layer_control:
        folium.TileLayer(OSM, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19, show=False).add_to(figure)
        folium.LayerControl(position="topright", collapsed=True).add_to(figure)
    return figure


def _icon(kind: str, colour: str, name: str) -> folium.DivIcon:
    # The name, hidden but read by screen readers, is the accessible name of the
    # marker (Leaflet gives keyboard markers role="button").
    label = html.escape(name).replace("{", "&#123;").replace("}", "&#125;")
    return folium.DivIcon(
        html=f'<span class="cae-repere cae-repere--{kind}" style="--cae-couleur:{colour}"><span class="md-visually-hidden">{label}</span></span>',
        icon_size=(18, 18),
        icon_anchor=(9, 9),
        class_name="cae-repere-conteneur",
    )


def _label(place: Place, cooperative: Cooperative) -> str:
    return cooperative.nom if place.kind == "siege" else f"{cooperative.nom} — {place.nom}"


def _tooltip(place: Place, cooperative: Cooperative) -> str:
    return folium_markup(html.escape(_label(place, cooperative)))


@dataclass(frozen=True)
class MapHtml:
    """The pieces a page needs: the map element and the script that fills it."""

    element: str
    script: str


def _frame(figure: folium.Map, places: list[Place]) -> None:
    """Open the map on these places, without the zoom animation folium's fit_bounds would play.

    An animated zoom right after load makes marker clustering ignore moves made
    during it: a visitor (or a test) panning at once would find no marker.
    """
    bounds = [[min(p.lat for p in places), min(p.lon for p in places)], [max(p.lat for p in places), max(p.lon for p in places)]]
    framing = FitBounds(bounds, max_zoom=11, padding=(20, 20))
    framing.options["animate"] = False
    figure.add_child(framing)


def _pieces(figure: folium.Map) -> MapHtml:
    root = figure.get_root()
    root.render()
    return MapHtml(element=root.html.render(), script=root.script.render())


def _marker(place: Place, cooperative: Cooperative, page_path: str, *, popup: bool) -> folium.Marker:
    kind = "siege" if place.kind == "siege" else "antenne"
    _, colour = CATEGORIES[category(cooperative)]
    # No contributor text in marker options: branca compiles folium's output as a
    # Jinja template, and JSON strings cannot carry the escapes that would protect it.
    marker = folium.Marker(
        location=(place.lat, place.lon),
        icon=_icon(kind, colour, _label(place, cooperative)),
        tooltip=folium.Tooltip(_tooltip(place, cooperative), sticky=False),
        keyboard=True,
    )
    if popup:
        body = render("map-popup.html", page_path, c=cooperative, place=place)
        folium.Popup(folium_markup(" ".join(body.split())), lazy=True, max_width=320).add_to(marker)
    return marker


def overview_map(cooperatives: list[Cooperative], page_path: str, prefix: str, *, zoom: int = 5) -> MapHtml:
    """Every located head office and antenne, clustered, with popups linking to the pages."""
    places = [(place, c) for c in cooperatives for place in c.places if place.on_map]
    with numbered_ids(prefix):
        figure = _base_map(FRANCE_CENTER, zoom, layer_control=True)
        # No cluster animation: it spares visitors who prefer reduced motion, and a move made
        # while clusters animate is otherwise ignored (markers missing until the next move).
        cluster = MarkerCluster(name="Coopératives", control=False, options={"showCoverageOnHover": False, "maxClusterRadius": 50, "animate": False}).add_to(figure)
        for place, cooperative in places:
            _marker(place, cooperative, page_path, popup=True).add_to(cluster)
        # Frame metropolitan France when it has places; overseas ones stay reachable by zooming out and in the list.
        framed = [p for p, _ in places if p.departement and not p.departement.code.startswith("97")] or [p for p, _ in places]
        if framed:
            _frame(figure, framed)
        return _pieces(figure)


def cooperative_map(cooperative: Cooperative, page_path: str) -> MapHtml | None:
    """A small map of one cooperative's located places (no popups: the page says it all)."""
    places = [p for p in cooperative.places if p.on_map]
    if not places:
        return None
    with numbered_ids(f"fiche{cooperative.id.replace('-', '')}"):
        zoom = 11 if places[0].precision in ("adresse", "commune") else 8
        figure = _base_map((places[0].lat, places[0].lon), zoom, layer_control=False)
        for place in places:
            _marker(place, cooperative, page_path, popup=False).add_to(figure)
        if len(places) > 1:
            _frame(figure, places)
        return _pieces(figure)
