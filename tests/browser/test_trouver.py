"""/trouver/ in a real browser: the page's ranking (trouver.js) against the Python reference (cae.ranking).

One site is built from fictional data (synthetic, plus the valid fixture's
cooperatives for every kind of place); each query opens the page at its
address and compares the list shown — ids in order, kilometres as displayed,
reasons, « accepte de nouveaux entrepreneurs » — with ``cae.ranking.rank``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import quote

import pytest

from browser_helpers import axe_violations
from conftest import Served, build_site, serve
from helpers import FIXTURES, REPO_ROOT
from cae import pipeline
from cae.enrich import Directory
from cae.gazetteer import load_gazetteer
from cae.ranking import ambiguity_notice, rank, resolve_place, search_json
from cae.synthetic import generate
from cae.validate import load_vocabularies


# Cooperatives whose sectors are unknown, near queries below: « à vérifier » ranks them after farther eligible ones.
UNKNOWN_SECTORS = """
- id: secteurs-inconnus-villeurbanne
  nom: Secteurs inconnus de Villeurbanne (fictive)
  siege: {commune: Villeurbanne, insee: "69266"}
  accepte_nouveaux_entrepreneurs: true
  sources: [https://example.org/villeurbanne]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: secteurs-inconnus-meylan
  nom: Secteurs inconnus de Meylan (fictive)
  siege: {commune: Meylan, insee: "38229"}
  territoires: {departements: ["73"]}
  sources: [https://example.org/meylan]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
"""


@dataclass
class FinderSite:
    served: Served
    directory: Directory


@pytest.fixture(scope="session")
def finder_site(tmp_path_factory) -> Iterator[FinderSite]:
    base = tmp_path_factory.mktemp("finder-site")
    data_dir = base / "data"
    gazetteer = load_gazetteer()
    vocabularies, _, _ = load_vocabularies(REPO_ROOT / "data", gazetteer)
    generate(data_dir, gazetteer, vocabularies, REPO_ROOT / "data" / "vocabulaires", scale=0.3, seed=11)
    with (data_dir / "cooperatives.yaml").open("a", encoding="utf-8") as handle:
        handle.write((FIXTURES / "valid" / "cooperatives.yaml").read_text(encoding="utf-8") + UNKNOWN_SECTORS)
    for path in (FIXTURES / "valid" / "members").iterdir():
        (data_dir / "members" / path.name).write_bytes(path.read_bytes())
    directory = pipeline.load_directory(data_dir, allow_fictional=True).directory
    assert directory is not None
    build_site(data_dir, base / "site", "--allow-fictional")
    for served in serve(base / "site"):
        yield FinderSite(served, directory)


# (INSEE code, activity): big cities, arrondissements, small communes, Corsica, overseas, activities of every kind.
QUERIES = [
    ("75056", ""),  # Paris
    ("69123", "graphisme"),  # Lyon
    ("13055", ""),  # Marseille
    ("31555", "menuisier"),  # Toulouse; a skill's synonym
    ("44109", "aide à domicile"),  # Nantes; a sector's synonym of three words
    ("67482", ""),  # Strasbourg
    ("33063", "développeur web"),  # Bordeaux
    ("59350", "formation"),  # Lille
    ("06088", ""),  # Nice
    ("35238", "photographe"),  # Rennes
    ("75113", ""),  # Paris 13e Arrondissement
    ("75101", "comptabilité"),  # Paris 1er Arrondissement
    ("69383", "graphiste"),  # Lyon 3e Arrondissement
    ("69381", ""),  # Lyon 1er Arrondissement
    ("13201", ""),  # Marseille 1er Arrondissement
    ("13208", "maraîchage"),  # Marseille 8e Arrondissement
    ("01001", ""),  # L'Abergement-Clémenciat (860 inhabitants)
    ("48167", ""),  # Saint-Laurent-de-Veyrès (31)
    ("23055", "électricien"),  # Châtelard (29)
    ("15247", ""),  # Valjouze (26)
    ("2B106", ""),  # Érone (9)
    ("2A004", ""),  # Ajaccio
    ("2B033", "tourisme"),  # Bastia
    ("97101", ""),  # Les Abymes (Guadeloupe)
    ("97209", ""),  # Fort-de-France (Martinique)
    ("97302", ""),  # Cayenne (Guyane)
    ("97411", "électricien"),  # Saint-Denis (La Réunion)
    ("97611", ""),  # Mamoudzou (Mayotte)
    ("69383", "xyzzy"),  # an activity matching nothing
    ("38185", "Graphistes"),  # Grenoble; a plural
    ("29019", "développement durable"),  # Brest; the longest phrase wins
    ("01053", ""),  # Bourg-en-Bresse: head office and antenne of the fixture's cooperative
    ("01053", "bâtiment <script>alert(1)</script>"),  # typed text shown as text
]

SHOWN = """() => ({
    results: [...document.querySelectorAll(".cae-trouver__resultat")].map(item => ({
        id: item.dataset.id,
        km: item.dataset.km,
        reasons: [...item.querySelectorAll(".cae-trouver__raisons li")].map(line => line.textContent),
        newcomers: item.querySelector(".cae-trouver__accueil strong").textContent,
    })),
    notices: document.querySelector(".cae-trouver__avis").textContent,
})"""


def expected(directory: Directory, insee: str, activity: str) -> tuple[list[dict], str]:
    data = search_json(rank(directory, directory.gazetteer.communes[insee], activity))
    results = [
        {"id": r["id"], "km": "" if r["km_affiche"] is None else str(r["km_affiche"]), "reasons": r["raisons"], "newcomers": r["accepte_nouveaux_entrepreneurs"]}
        for r in data["resultats"]
    ]
    return results, data["activite"]["message"]


def shown(page, insee: str) -> dict:
    page.wait_for_selector(f'.cae-trouver__resultats[data-commune="{insee}"]', state="attached")
    return page.evaluate(SHOWN)


def assert_same_as_reference(page, directory: Directory, insee: str, activity: str) -> dict:
    on_page = shown(page, insee)
    results, notice = expected(directory, insee, activity)
    assert on_page["results"] == results
    assert notice in on_page["notices"]
    return on_page


@pytest.mark.parametrize(("insee", "activity"), QUERIES)
def test_the_page_ranks_like_the_python_reference(page, finder_site, traffic, insee, activity):
    page.goto(finder_site.served.page_url(f"trouver/?commune={insee}&activite={quote(activity)}"))
    assert_same_as_reference(page, finder_site.directory, insee, activity)
    assert traffic.errors == []


def test_a_place_with_no_cooperative_nearby_says_so(page, finder_site):
    directory = finder_site.directory
    search = rank(directory, directory.gazetteer.communes["97611"])
    assert not any(r.serves for r in search.results) and search.results[0].nearest.km > 1000  # the fixture is what the test says
    page.goto(finder_site.served.page_url("trouver/?commune=97611"))
    on_page = shown(page, "97611")
    assert "Aucune coopérative de l'annuaire ne dessert le département Mayotte (976)" in on_page["notices"]
    assert page.locator(".cae-trouver__liste h2").all_inner_texts() == ["Les coopératives les plus proches"]


def test_a_query_loads_only_its_departement_and_activity_files(page, finder_site, traffic):
    page.goto(finder_site.served.page_url("trouver/?commune=69383&activite=graphiste"))
    shown(page, "69383")
    data = sorted(re.sub(r"^.*/donnees/", "", url) for url in traffic.site_requests if "/donnees/" in url)
    assert data == ["communes/insee/69.json", "trouver/activites/gr.json", "trouver/departements/69.json"]
    # The list and its map: one numbered marker per located result, plus the place.
    located = page.locator(".cae-trouver__resultat:not([data-km=''])").count()
    assert page.locator(".leaflet-marker-icon").count() == located + 1
    assert traffic.tile_requests and all("data.geopf.fr" in url for url in traffic.tile_requests)


def test_the_home_page_form_leads_to_a_shareable_address(page, finder_site):
    page.goto(finder_site.served.page_url(""))
    page.fill("#accueil-lieu", "69003")
    page.fill("#accueil-activite", "graphisme")
    page.locator("#accueil-activite").press("Enter")
    page.wait_for_url(re.compile(r"/trouver/\?commune=69383&activite=graphisme$"))
    on_page = assert_same_as_reference(page, finder_site.directory, "69383", "graphisme")
    assert "résultats pour Lyon 3e Arrondissement (69). Autres : Lyon (69)." in on_page["notices"]


@pytest.mark.parametrize("typed", ["01400", "Saint-Denis"])
def test_a_place_shared_by_several_communes_picks_one_and_links_the_others(page, finder_site, typed):
    page.goto(finder_site.served.page_url(f"trouver/?lieu={quote(typed)}"))
    resolution = resolve_place(typed, finder_site.directory.gazetteer)
    page.wait_for_url(re.compile(rf"\?commune={resolution.commune.insee}$"))
    on_page = assert_same_as_reference(page, finder_site.directory, resolution.commune.insee, "")
    assert ambiguity_notice(resolution) in on_page["notices"]
    links = page.locator(".cae-trouver__avis a")
    assert links.count() == len(resolution.others)
    links.first.click()
    page.wait_for_url(re.compile(rf"\?commune={resolution.others[0].insee}$"))
    assert_same_as_reference(page, finder_site.directory, resolution.others[0].insee, "")


def test_typing_choosing_and_going_back_keep_the_address_in_step(page, finder_site):
    page.goto(finder_site.served.page_url("trouver/"))
    page.locator("#trouver-lieu").press_sequentially("ajacc")
    page.wait_for_selector("#trouver-lieu-suggestions li")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?commune=2A004$"))
    assert_same_as_reference(page, finder_site.directory, "2A004", "")
    page.fill("#trouver-activite", "tourisme")
    page.click(".cae-trouver__formulaire button[type=submit]")
    page.wait_for_url(re.compile(r"\?commune=2A004&activite=tourisme$"))
    assert_same_as_reference(page, finder_site.directory, "2A004", "tourisme")
    page.go_back()
    page.wait_for_url(re.compile(r"\?commune=2A004$"))
    page.wait_for_function("document.querySelector('#trouver-activite').value === '' && !document.querySelector('.cae-trouver__avis').textContent.includes('tourisme')")
    assert page.evaluate(SHOWN)["results"] == expected(finder_site.directory, "2A004", "")[0]


def test_around_me_uses_the_nearest_commune_and_never_the_coordinates(page, finder_site):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 45.7663, "longitude": 4.87966})  # Villeurbanne's town hall
    page.goto(finder_site.served.page_url("trouver/?activite=menuisier"))
    page.click(".cae-trouver__position")
    page.wait_for_url(re.compile(r"\?commune=69266&activite=menuisier$"))
    assert_same_as_reference(page, finder_site.directory, "69266", "menuisier")
    assert "Villeurbanne" in page.input_value("#trouver-lieu")


def test_around_me_refused_says_what_to_do(page, finder_site):
    page.context.clear_permissions()
    page.goto(finder_site.served.page_url("trouver/"))
    page.click(".cae-trouver__position")
    status = page.locator(".cae-trouver__etat")
    status.filter(has_text="n'est pas autorisée").wait_for()
    assert "tapez votre commune ou votre code postal" in status.inner_text()
    assert "commune=" not in page.url


def test_without_javascript_the_form_still_sends_the_place_and_says_why_nothing_shows(browser, finder_site):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(finder_site.served.page_url("trouver/"))
        assert "La recherche a besoin de JavaScript" in tab.locator("main").inner_text()
        assert tab.locator("noscript a[href='../departements/']").count() == 1
        tab.fill("#trouver-lieu", "69003")
        tab.fill("#trouver-activite", "graphisme")
        tab.click(".cae-trouver__formulaire button[type=submit]")
        tab.wait_for_url(re.compile(r"\?lieu=69003&activite=graphisme$"))
    finally:
        context.close()


def test_the_results_page_has_no_serious_accessibility_violation(page, finder_site):
    page.goto(finder_site.served.page_url("trouver/?commune=69123&activite=graphisme"))
    shown(page, "69123")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert page.locator("h1").inner_text() == "Trouver une CAE"
    assert page.locator(".cae-trouver__etat").get_attribute("role") == "status"


def test_hostile_text_stays_text_in_the_list_and_the_map(page, hostile_site, traffic):
    page.add_init_script("window.__trap = []; window.alert = (m) => window.__trap.push(String(m));")
    page.goto(hostile_site.page_url("trouver/?commune=69383&activite=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"))
    shown(page, "69383")
    assert page.locator(".cae-trouver__titre a").first.inner_text().startswith("<script>alert('nom')</script><img src=x")
    assert "« <img src=x onerror=alert(1)> »" in page.locator(".cae-trouver__avis").inner_text()
    page.locator(".leaflet-marker-icon[title^='1. ']").click()
    assert "{{ 7*7 }}" in page.locator(".leaflet-popup-content").inner_text()
    assert page.evaluate("window.__trap") == [] and traffic.dialogs == [] and traffic.errors == []
