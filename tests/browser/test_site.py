"""Journeys of issue 3 in a real browser: search, map, territory pages, accessibility, hostile data."""

from __future__ import annotations

import json
import re

import pytest

from browser_helpers import axe_violations

PAGE_TYPES = [
    "",
    "cooperatives/",
    "cooperatives/coop-de-l-ain/",
    "cooperatives/coop-sans-lieu/",
    "regions/",
    "regions/auvergne-rhone-alpes/",
    "departements/",
    "departements/01/",
    "departements/2A/",
    "departements/976/",
    "departements/71/integration/",
    "carte/",
    "recherche/?q=coop",
    "donnees/",
    "contribuer/",
    "cae/",
    "accessibilite/",
    "trouver/",
    "partenaires/",
]


def test_search_by_name_then_open_the_page(page, fixture_site, traffic):
    page.goto(fixture_site.page_url("recherche/"))
    page.wait_for_selector("#cae-recherche[data-pret]", state="attached")
    page.fill("#cae-recherche-texte", "Mornes")
    page.press("#cae-recherche-texte", "Enter")
    page.wait_for_selector(".cae-resultat")
    titles = page.locator(".cae-resultat__titre").all_inner_texts()
    assert titles[0] == "Coop des Mornes (fictive)"
    assert "q=Mornes" in page.url
    page.locator(".cae-resultat__titre a").first.click()
    page.wait_for_url("**/cooperatives/coop-des-mornes/")
    assert page.locator("h1").inner_text() == "Coop des Mornes (fictive)"
    assert traffic.errors == []


def test_search_by_sector_facet_keeps_its_state_in_the_address(page, fixture_site):
    page.goto(fixture_site.page_url("recherche/?secteur=Bâtiment+et+écoconstruction"))
    page.wait_for_selector(".cae-resultat")
    titles = page.locator(".cae-resultat__titre").all_inner_texts()
    assert titles == ["Les Bâtisseurs du Rhône (fictive)"]
    # Adding a second value of the same facet widens the search (values of a facet are alternatives).
    page.locator("details.cae-facette", has=page.locator("summary", has_text="Secteur")).evaluate("details => { details.open = true; }")
    page.get_by_label(re.compile(r"^Numérique et informatique \(")).check()
    page.wait_for_function("document.querySelectorAll('.cae-resultat').length === 2")
    assert "secteur=Num%C3%A9rique" in page.url or "secteur=Numérique" in page.url
    assert sorted(page.locator(".cae-resultat__titre").all_inner_texts()) == ["Les Bâtisseurs du Rhône (fictive)", "Numérique Breton (fictive)"]


def _located_places(site_root) -> int:
    data = json.loads((site_root / "donnees" / "cooperatives.geojson").read_text(encoding="utf-8"))
    return len(data["features"])


def test_map_has_one_marker_per_located_place_and_the_same_list(page, fixture_site, traffic):
    page.goto(fixture_site.page_url("carte/"))
    page.wait_for_function("Object.keys(window).some(k => k.startsWith('marker_cluster_'))")
    markers = page.evaluate("window[Object.keys(window).find(k => k.startsWith('marker_cluster_'))].getLayers().length")
    expected = _located_places(fixture_site.root)
    assert markers == expected == 7  # 5 head offices and 2 antennes; region-only and unlocated ones are listed below
    listed = page.locator(".cae-liste-lieux li").count()
    assert listed == markers
    assert "Coop du Grand Est (fictive)" in page.locator("h3", has_text="Sans position").locator("xpath=following-sibling::ul[1]").inner_text()
    assert traffic.tile_requests, "the map should ask for Plan IGN tiles"
    assert all("data.geopf.fr" in url for url in traffic.tile_requests)


def open_marker_popup(page, name: str):
    """Bring the marker of `name` out of its cluster, click it as a visitor would, return the popup's link."""
    icon = page.evaluate_handle(
        """(name) => new Promise((resolve, reject) => {
            const cluster = window[Object.keys(window).find(k => k.startsWith('marker_cluster_'))];
            const marker = cluster.getLayers().find(m => m.getTooltip().getContent().includes(name));
            const started = Date.now();
            const whenShown = () => {
                if (marker._icon) resolve(marker._icon);
                else if (Date.now() - started > 10000) reject(new Error(`the marker of ${name} never showed`));
                else setTimeout(whenShown, 100);
            };
            cluster.zoomToShowLayer(marker);
            whenShown();
        })""",
        name,
    )
    icon.as_element().click()
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    return link


def test_a_popup_link_opens_the_right_page(page, fixture_site):
    page.goto(fixture_site.page_url("carte/"))
    page.wait_for_function("Object.keys(window).some(k => k.startsWith('marker_cluster_'))")
    page.locator(".cae-carte").scroll_into_view_if_needed()
    link = open_marker_popup(page, "Mornes")
    assert link.inner_text() == "Coop des Mornes (fictive)"
    link.click()
    page.wait_for_url("**/cooperatives/coop-des-mornes/")


def test_territory_page_lists_exactly_the_expected_cooperatives(page, fixture_site):
    page.goto(fixture_site.page_url("departements/71/"))
    # Saône-et-Loire: nobody is located there; the Ain cooperative declares serving it.
    assert page.locator("#situees").count() == 0
    assert page.locator(".cae-carte-coop__titre").all_inner_texts() == ["NO"]
    page.goto(fixture_site.page_url("regions/bretagne/"))
    assert page.locator(".cae-carte-coop__titre").all_inner_texts() == ["Numérique Breton (fictive)"]
    page.goto(fixture_site.page_url("departements/23/"))
    assert "Aucune coopérative" in page.locator(".cae-compte").inner_text()
    nearest = page.locator("#plus-proches + ul li").all_inner_texts()
    assert len(nearest) == 3 and all("km du centre" in line for line in nearest)


def test_a_local_authority_embeds_a_territory_list_and_its_links_open_in_the_whole_window(page, fixture_site, traffic):
    # The code to copy is on the territory page; a portal page pastes it.
    page.goto(fixture_site.page_url("departements/71/"))
    code = page.locator(".cae-code-integration").inner_text()
    portal = fixture_site.root / "portail-de-test" / "index.html"
    portal.parent.mkdir(exist_ok=True)
    portal.write_text(f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Portail</title></head><body><h1>Portail</h1>{code}</body></html>', encoding="utf-8")
    page.goto(fixture_site.page_url("portail-de-test/"))
    embedded = page.frame_locator("iframe[title^='Coopératives d']")
    assert embedded.locator(".cae-integration__nom").all_inner_texts() == ["NO"]
    embedded.get_by_role("link", name="NO").click()
    page.wait_for_url("**/cooperatives/coop-de-l-ain/")
    assert page.locator("h1").first.inner_text().startswith("NO")


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_has_no_serious_accessibility_violation(page, fixture_site, path, traffic):
    page.goto(fixture_site.page_url(path))
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert traffic.errors == []


HOSTILE_PAGES = ["cooperatives/coop-hostile/", "cooperatives/", "carte/", "departements/69/", "departements/69/integration/", "regions/auvergne-rhone-alpes/", "recherche/?q=alert", "recherche/?q=script"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_data_never_runs(page, hostile_site, path, traffic):
    page.add_init_script("window.__trap = []; window.alert = (m) => window.__trap.push(String(m)); window.onerror = (m) => window.__trap.push('error: ' + m);")
    page.goto(hostile_site.page_url(path))
    page.wait_for_load_state("networkidle")
    if path == "carte/":
        page.evaluate(
            """() => {
                const cluster = window[Object.keys(window).find(k => k.startsWith('marker_cluster_'))];
                for (const marker of cluster.getLayers()) { cluster.zoomToShowLayer(marker, () => { marker.fire('click'); marker.openTooltip(); }); }
            }"""
        )
        page.wait_for_timeout(500)
        assert page.locator(".leaflet-popup-content").count() >= 1
    # Pointer and focus events on every element: an injected on* handler would fire.
    page.evaluate(
        """() => {
            for (const element of document.querySelectorAll("body *")) {
                if (element.closest(".leaflet-container")) continue;  // the map is exercised through its popups above
                for (const type of ["mouseover", "mouseenter", "focus", "click"]) {
                    if (type === "click" && (element.closest("a[href]") || element.matches("button, input, summary"))) continue;
                    element.dispatchEvent(new Event(type, {bubbles: false}));
                }
            }
        }"""
    )
    assert page.evaluate("window.__trap") == []
    assert traffic.dialogs == []
    assert traffic.errors == []
    if path == "cooperatives/coop-hostile/":
        text = page.locator("h1").inner_text()
        assert "<script>alert('nom')</script>" in text and "{{ 7*7 }}" in text and "${alert('tpl')}" in text
