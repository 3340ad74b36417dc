"""/partenaires/ in Chromium, checked against the Python reference (cae.matching through scripts/partenaires.py).

One fictional dataset (scale 0.3: 50 cooperatives, 3,600 members, some in
Martinique and La Réunion) is generated and built once; each fixture query
is opened in the page and its ranked members, team and uncovered skills are
compared with the reference.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

import partenaires
from browser_helpers import axe_violations
from cae.enrich import enrich
from cae.gazetteer import load_gazetteer
from cae.matching import match
from cae.paths import DEFAULT_DATA_DIR
from cae.synthetic import generate
from cae.validate import load_vocabularies, validate_directory
from conftest import build_site, serve
from helpers import FIXTURES, REPO_ROOT, make_data_dir

SEED, SCALE = 6, 0.3
PAGE_SIZE = 50  # members shown before « Afficher plus » (partenaires.js)
ANSWERED = "performance.getEntriesByName('partenaires').length > 0"


@dataclass(frozen=True)
class Case:
    """A query as the home page sends it (typed skills, typed place) or as a shared address (ids, INSEE code)."""

    competences: str
    lieu: str
    rayon: int
    disponibilite: str = ""
    by_code: bool = False  # competences are ids and lieu an INSEE code

    def path(self) -> str:
        params = {"competences": self.competences, "commune" if self.by_code else "lieu": self.lieu, "rayon": self.rayon}
        if self.disponibilite:
            params["disponibilite"] = self.disponibilite
        return "partenaires/?" + urlencode(params)

    def command_line(self) -> list[str]:
        args = ["--competences", self.competences, "--commune", self.lieu] if self.by_code else [self.competences, "--lieu", self.lieu]
        return [*args, "--rayon", str(self.rayon)] + (["--disponibilite", self.disponibilite] if self.disponibilite else [])


CASES = {
    "paris-trois-metiers": Case("électricien menuisier plombier", "75011", 30),
    "nantes-personne": Case("électricien menuisier", "44000", 50),
    "synonyme-feminin": Case("électricienne", "77600", 20),
    "pluriels-trois-cooperatives": Case("Électriciens, menuisiers et carreleurs", "Bussy-Saint-Georges", 50),
    "synonyme-a-plusieurs-mots": Case("peintre en bâtiment", "Beauvais", 50),
    "pompe-a-chaleur": Case("pompe à chaleur", "60000", 100),
    "nice-plombier": Case("plombier", "Nice", 30),
    "nice-web-graphisme": Case("développeur web graphiste", "06000", 30),
    "lyon-image": Case("graphiste photographe", "69003", 50),
    "var-artisanat": Case("céramiste bijoutière", "83250", 50),
    "var-artisanat-co-traitance": Case("céramiste bijoutière", "83250", 50, "co-traitance"),
    "var-six-metiers-d-art": Case("céramique bijouterie broderie calligraphie bougies art floral", "83250", 50),
    "mot-inconnu-massage": Case("massage sophrologie", "La Londe-les-Maures", 30),
    "lille-traduction": Case("traducteur", "Lille", 100),
    "seine-saint-denis-agriculture": Case("maraîcher apiculteur", "93200", 30),
    "creuse-personne": Case("électricien", "23000", 10),
    "reunion-electricien": Case("électricien", "97400", 50),
    "martinique-graphiste": Case("graphiste", "97200", 50),
    "martinique-personne": Case("maraîchage", "97200", 30),
    "saint-denis-le-plus-peuple": Case("maraîcher", "Saint-Denis", 20),
    "nancy-co-traitance": Case("menuisier", "54000", 80, "co-traitance"),
    "nancy-toiture": Case("couvreur charpentier zingueur", "54000", 100),
    "sens-transport": Case("chauffeur livreur déménageur", "Sens", 80),
    "huit-mots-sept-metiers": Case("électricien menuisier plombier peintre carreleur maçon couvreur plaquiste", "92160", 50),
    "blois-image": Case("photographe vidéaste", "Blois", 100),
    "mot-inconnu-zorglub": Case("menuisier zorglub", "Dijon", 50),
    "moselle-par-departement": Case("compostage agroforesterie", "57", 50),
    "adresse-partagee": Case("electricite-batiment,menuiserie-bois,carrelage", "77058", 50, by_code=True),
    "adresse-partagee-200-km": Case("developpement-web,graphisme", "06088", 200, by_code=True),
    "ain-personne": Case("électricien", "01630", 30),
    "cholet-personne": Case("traiteur", "Cholet", 50),
    "paris-tourisme": Case("guide touristique", "Paris", 20),
    "montargis-paysage": Case("jardinier paysagiste", "Montargis", 40),
}


@pytest.fixture(scope="session")
def partner_data(tmp_path_factory) -> Path:
    gazetteer = load_gazetteer()
    vocabularies, _, _ = load_vocabularies(DEFAULT_DATA_DIR, gazetteer)
    data = tmp_path_factory.mktemp("partenaires") / "data"
    generate(data, gazetteer, vocabularies, DEFAULT_DATA_DIR / "vocabulaires", scale=SCALE, seed=SEED)
    return data


@pytest.fixture(scope="session")
def directory(partner_data):
    gazetteer = load_gazetteer()
    return enrich(validate_directory(partner_data, gazetteer, allow_fictional=True).dataset, gazetteer)


@pytest.fixture(scope="session")
def partner_site(partner_data):
    yield from serve(build_site(partner_data, partner_data.parent / "site", "--allow-fictional"))


def reference(directory, case: Case) -> dict:
    query, unknown = partenaires.query_of(partenaires.parser().parse_args(case.command_line()), directory)
    return partenaires.match_record(match(directory.members, query), unknown)


def ids(records) -> list[str]:
    return [f"{cooperative}/{member}" for cooperative, member in records]


def answered(page, site, path: str) -> None:
    page.goto(site.page_url(path))
    page.wait_for_function(ANSWERED)


def shown(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("items => items.map(item => item.dataset.id)")


def test_the_fixture_queries_cover_the_cases_of_the_issue(directory):
    answers = {name: reference(directory, case) for name, case in CASES.items()}
    assert len(answers) >= 30
    assert answers["synonyme-feminin"]["competences"] == ["electricite-batiment"]
    assert answers["synonyme-a-plusieurs-mots"]["competences"] == ["peinture-batiment"]
    assert [name for name, answer in answers.items() if not answer["membres"]] != []  # nobody in range
    assert len({cooperative for cooperative, _ in answers["pluriels-trois-cooperatives"]["equipe"]}) == 3
    assert {m["insee"][:3] for m in answers["reunion-electricien"]["membres"]} == {"974"}
    assert {m["insee"][:3] for m in answers["martinique-graphiste"]["membres"]} == {"972"}
    assert answers["mot-inconnu-zorglub"]["mots_inconnus"] == ["zorglub"]
    assert any(answer["non_couvertes"] and answer["equipe"] for answer in answers.values())  # a team with a skill missing
    assert any(len(answer["membres"]) > PAGE_SIZE for answer in answers.values())  # « Afficher plus »


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_page_ranks_and_builds_the_team_like_the_reference(page, partner_site, directory, name, traffic):
    case = CASES[name]
    expected = reference(directory, case)
    answered(page, partner_site, case.path())
    members = [f"{m['cooperative']}/{m['id']}" for m in expected["membres"]]
    assert shown(page, ".cae-partenaires__liste > li") == members[:PAGE_SIZE]
    assert page.locator(".cae-partenaires__liste").get_attribute("data-total") == str(len(members))
    assert shown(page, ".cae-partenaires__equipe-liste > li") == ids(expected["equipe"])
    assert page.locator(".cae-partenaires__manque").get_attribute("data-competences") == ",".join(expected["non_couvertes"])
    canonical = f"?competences={','.join(expected['competences'])}&commune={expected['lieu']['insee']}&rayon={case.rayon}"
    assert page.url.endswith(canonical + (f"&disponibilite={case.disponibilite}" if case.disponibilite else ""))
    status = page.locator(".cae-partenaires__etat").inner_text()
    assert ("Mots non reconnus : " + ", ".join(expected["mots_inconnus"])) in status if expected["mots_inconnus"] else "non reconnus" not in status
    assert traffic.errors == []


def test_the_command_gives_the_reference_as_json(partner_data, directory):
    case = CASES["pluriels-trois-cooperatives"]
    command = [sys.executable, str(REPO_ROOT / "scripts" / "partenaires.py"), "--data", str(partner_data), "--json", *case.command_line()]
    assert json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout) == reference(directory, case)


def test_a_search_typed_in_the_form_keeps_its_state_in_the_address(page, partner_site, directory):
    page.goto(partner_site.page_url("partenaires/"))
    page.wait_for_selector(".cae-puces", state="attached")
    skills = page.locator("#partenaires-competences")
    skills.fill("électri")
    page.wait_for_selector("#partenaires-competences-suggestions li")
    assert page.locator("#partenaires-competences-suggestions li").first.inner_text() == "Électricité du bâtiment"
    skills.press("ArrowDown")
    skills.press("Enter")
    skills.fill("menuisière")
    page.wait_for_selector("#partenaires-competences-suggestions li")
    skills.press("ArrowDown")
    skills.press("Enter")
    assert page.locator(".cae-puce").evaluate_all("chips => chips.map(chip => chip.dataset.competence)") == ["electricite-batiment", "menuiserie-bois"]
    page.locator("#partenaires-lieu").fill("Bussy-Saint")
    page.wait_for_selector("#partenaires-lieu-suggestions li")
    page.locator("#partenaires-lieu").press("ArrowDown")
    page.locator("#partenaires-lieu").press("Enter")
    page.select_option("#partenaires-rayon", "50")
    page.click(".cae-partenaires__formulaire button[type=submit]")
    page.wait_for_function(ANSWERED)
    assert page.url.endswith("partenaires/?competences=electricite-batiment,menuiserie-bois&commune=77058&rayon=50")
    first = shown(page, ".cae-partenaires__liste > li")
    page.reload()
    page.wait_for_function(ANSWERED)
    assert shown(page, ".cae-partenaires__liste > li") == first
    assert page.locator("#partenaires-lieu").input_value() == "Bussy-Saint-Georges (77600)"
    page.get_by_role("button", name="Retirer Électricité du bâtiment").click()
    page.click(".cae-partenaires__formulaire button[type=submit]")
    page.wait_for_url("**/partenaires/?competences=menuiserie-bois&commune=77058&rayon=50")


def test_the_csv_export_holds_every_member_found(page, partner_site, directory, tmp_path):
    case = CASES["huit-mots-sept-metiers"]
    expected = reference(directory, case)
    answered(page, partner_site, case.path())
    with page.expect_download() as download:
        page.click(".cae-partenaires__csv")
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    team = set(ids(expected["equipe"]))
    assert [row["Identifiant"] for row in rows] == [f"{m['cooperative']}/{m['id']}" for m in expected["membres"]]
    for row, member in zip(rows, expected["membres"]):
        key = f"{member['cooperative']}/{member['id']}"
        assert row["Distance (km)"] == partenaires.km_text(member["distance_m"])
        assert row["Membre"] == member["nom"] and row["Site professionnel"] == member["site_web"]
        assert row["Nombre de compétences demandées"] == str(len(member["competences"]))
        assert row["Intervient sur le lieu"] == ("oui" if member["dessert_le_lieu"] else "non")
        assert row["Dans l'équipe proposée"] == ("oui" if key in team else "non")
    assert download.value.suggested_filename == f"partenaires-{expected['lieu']['insee']}-{case.rayon}km.csv"


def test_more_members_are_shown_on_demand(page, partner_site, directory):
    name = next(n for n, case in CASES.items() if len(reference(directory, case)["membres"]) > PAGE_SIZE)
    total = len(reference(directory, CASES[name])["membres"])
    answered(page, partner_site, CASES[name].path())
    while page.locator(".cae-partenaires__plus").is_visible():
        page.click(".cae-partenaires__plus")
    assert page.locator(".cae-partenaires__liste > li").count() == total


def test_the_search_page_with_results_and_a_skill_page_are_accessible(page, partner_site, directory, traffic):
    answered(page, partner_site, CASES["pluriels-trois-cooperatives"].path())
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    busiest = max(directory.vocabularies.competences, key=lambda s: sum(1 for m in directory.members if s in {t.id for t in m.competences}))
    page.goto(partner_site.page_url(f"competences/{busiest}/"))
    assert page.locator("details.cae-groupe").count() >= 2
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert traffic.errors == []


def test_skill_pages_list_every_member_by_region(page, partner_site, directory):
    members = [m for m in directory.members if "electricite-batiment" in {t.id for t in m.competences}]
    page.goto(partner_site.page_url("competences/electricite-batiment/"))
    rows = page.locator("details.cae-groupe tbody tr")
    assert rows.count() == len(members)
    regions = {m.commune.region for m in members}
    assert page.locator("details.cae-groupe").count() == len(regions)
    page.goto(partner_site.page_url("competences/"))
    assert page.get_by_role("link", name="Électricité du bâtiment").count() == 1


def test_without_javascript_the_page_says_what_to_do(browser, partner_site):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(partner_site.page_url("partenaires/?competences=plombier&lieu=Nice"))
    assert "a besoin de JavaScript" in tab.locator("main").inner_text()
    assert tab.locator("form.cae-partenaires__formulaire input[name=competences]").count() == 1
    context.close()


@pytest.fixture(scope="session")
def hostile_partner_site(tmp_path_factory):
    """The hostile fixture plus members whose fields look like spreadsheet formulas."""
    base = tmp_path_factory.mktemp("partenaires-hostile")
    data = make_data_dir(base / "data", FIXTURES / "hostile")
    members = data / "members" / "coop-hostile.yaml"
    members.write_text(
        members.read_text(encoding="utf-8")
        + '- id: formule\n  nom: "=HYPERLINK(\\"https://example.org\\")"\n  activite: "@SUM(A1) ; -1+2 \\"guillemets\\""\n'
        + '  competences: [menuiserie-bois]\n  zone: {insee: "69383", rayon_km: 30}\n  consentement: {date: 2026-01-01, moyen: formulaire}\n',
        encoding="utf-8",
    )
    yield from serve(build_site(data, base / "site"))


def test_hostile_members_stay_text_in_results_and_in_the_csv(page, hostile_partner_site, traffic):
    page.add_init_script("window.__trap = []; window.alert = (m) => window.__trap.push(String(m));")
    answered(page, hostile_partner_site, "partenaires/?competences=menuiserie-bois&lieu=69003&rayon=30")
    names = page.locator(".cae-membre__nom").all_inner_texts()
    assert "<script>alert('membre')</script> `${alert('m')}`" in names
    with page.expect_download() as download:
        page.click(".cae-partenaires__csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    formula = next(row for row in rows if row["Identifiant"] == "coop-hostile/formule")
    assert formula["Membre"] == "'=HYPERLINK(\"https://example.org\")"
    assert formula["Activité"] == "'@SUM(A1) ; -1+2 \"guillemets\""
    page.goto(hostile_partner_site.page_url("competences/menuiserie-bois/"))
    page.goto(hostile_partner_site.page_url("cooperatives/coop-hostile/"))
    assert page.evaluate("window.__trap") == []
    assert traffic.dialogs == [] and traffic.errors == []

