"""The build: real sites from fixture data, atomic, reproducible and offline."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from helpers import FIXTURES, REPO_ROOT, make_data_dir

pytestmark = pytest.mark.slow
SUPPORT = Path(__file__).resolve().parent / "support"


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


def build(data_dir: Path, output: Path, *extra: str, offline: bool = False, site_url: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "build.py"), "--data", str(data_dir), "--output", str(output), *extra]
    env = {**os.environ, "SITE_URL": site_url}
    if offline:
        # Python code cannot open sockets; with a network namespace, nothing else can either.
        env["PYTHONPATH"] = str(SUPPORT)
        if _unshare_works():
            command = ["unshare", "-rn", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("site")
    data_dir = make_data_dir(base / "data", FIXTURES / "valid")
    completed = build(data_dir, base / "site", offline=True)
    assert completed.returncode == 0, completed.stderr
    return base / "site"


def test_every_cooperative_gets_its_page_and_the_list_links_them(fixture_site: Path):
    ids = ["coop-de-l-ain", "batisseurs-du-rhone", "ile-de-beaute-coop", "coop-des-mornes", "numerique-breton", "coop-du-grand-est", "coop-sans-lieu"]
    listing = (fixture_site / "cooperatives" / "index.html").read_text(encoding="utf-8")
    for identifier in ids:
        page = fixture_site / "cooperatives" / identifier / "index.html"
        assert page.exists(), identifier
        assert f'href="{identifier}/"' in listing
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home


def test_cooperative_page_shows_its_facts_in_french(fixture_site: Path):
    html = (fixture_site / "cooperatives" / "coop-de-l-ain" / "index.html").read_text(encoding="utf-8")
    assert "<title>NO - Annuaire des CAE</title>" in html
    assert "Accueille de nouveaux entrepreneurs" in html and ">Oui<" in html
    assert "01000 Bourg-en-Bresse" in html
    assert "Antenne d&#39;Oyonnax" in html or "Antenne d'Oyonnax" in html
    assert "Chaque premier mardi du mois" in html
    assert "<strong>fictive</strong>" in html  # the safe Markdown subset
    assert "Fiche non vérifiée" not in html  # confirmed by the cooperative
    unverified = (fixture_site / "cooperatives" / "batisseurs-du-rhone" / "index.html").read_text(encoding="utf-8")
    assert "non vérifiée par la coopérative" in unverified


def test_the_search_index_covers_content_and_cooperatives(fixture_site: Path):
    entry = (fixture_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert '"fr"' in entry
    assert list((fixture_site / "pagefind" / "filter").glob("*.pf_filter"))


def test_two_builds_of_the_same_data_are_byte_identical(tmp_path: Path, fixture_site: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    completed = build(data_dir, tmp_path / "again")
    assert completed.returncode == 0, completed.stderr
    assert tree_digest(tmp_path / "again") == tree_digest(fixture_site)


def test_a_failing_build_leaves_the_previous_site_untouched(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    output = tmp_path / "site"
    assert build(data_dir, output).returncode == 0
    before = tree_digest(output)
    cooperatives = data_dir / "cooperatives.yaml"
    cooperatives.write_text(cooperatives.read_text(encoding="utf-8").replace("mise_a_jour: 2026-06-01", "mise_a_jour: 2026-02-30"), encoding="utf-8")
    completed = build(data_dir, output)
    assert completed.returncode == 1
    assert "date impossible « 2026-02-30 »" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert "n'a pas changé" in completed.stderr
    assert tree_digest(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]  # no half-built folder left behind


def test_the_published_build_refuses_fictional_data(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "invalid" / "fictional")
    completed = build(data_dir, tmp_path / "site")
    assert completed.returncode == 1
    assert "fiche fictive" in completed.stderr
    assert not (tmp_path / "site").exists()
    assert build(data_dir, tmp_path / "site", "--allow-fictional").returncode == 0


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.targets.append(values[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_of_the_built_site_resolves(fixture_site: Path):
    # 404.html is served at any depth, so MkDocs writes its links from the site root: not checked here.
    pages = sorted(p for p in fixture_site.rglob("*.html") if p.name != "404.html")
    parsed = {page: _parse(page) for page in pages}
    broken = []
    for page, links in parsed.items():
        for target in links.targets:
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("//", "#")):
                continue
            resolved = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                broken.append(f"{page.relative_to(fixture_site)} -> {target}")
            elif parts.fragment and resolved.suffix == ".html" and parts.fragment not in parsed.get(resolved, _parse(resolved)).ids:
                broken.append(f"{page.relative_to(fixture_site)} -> {target} (ancre absente)")
    # The crawl covered every kind of page: 101 départements, 18 régions, 7 cooperatives, indexes, content.
    assert len([p for p in pages if p.parent.parent.name == "departements"]) == 101
    assert len([p for p in pages if p.parent.parent.name == "regions"]) == 18
    assert len([p for p in pages if p.parent.parent.name == "cooperatives"]) == 7
    assert broken == []


def test_open_data_files_describe_the_same_cooperatives(fixture_site: Path):
    import csv
    import json

    published = json.loads((fixture_site / "donnees" / "cooperatives.json").read_text(encoding="utf-8"))
    assert published["metadonnees"]["licence"].startswith("Licence Ouverte 2.0")
    ids = [c["id"] for c in published["cooperatives"]]
    rows = list(csv.DictReader((fixture_site / "donnees" / "cooperatives.csv").read_text(encoding="utf-8").splitlines()))
    assert [row["id"] for row in rows] == ids
    ain = next(row for row in rows if row["id"] == "coop-de-l-ain")
    assert ain["siege.code_postal"] == "01000" and ain["secteurs"] == "generaliste" and ain["accepte_nouveaux_entrepreneurs"] == "oui"
    assert ain["antennes"] == "Antenne d'Oyonnax (Oyonnax)"
    geojson = json.loads((fixture_site / "donnees" / "cooperatives.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["id"] for f in geojson["features"]} == {"coop-de-l-ain", "batisseurs-du-rhone", "ile-de-beaute-coop", "coop-des-mornes", "numerique-breton"}
    schema = json.loads((fixture_site / "donnees" / "schemas" / "cooperatives.schema.json").read_text(encoding="utf-8"))
    assert schema["items"]["properties"]["id"]["pattern"]
    assert (fixture_site / "robots.txt").read_text(encoding="utf-8").startswith("User-agent: *")


def test_a_published_site_lists_its_pages_in_the_sitemap_and_robots_txt(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    site = tmp_path / "site"
    completed = build(data_dir, site, site_url="https://annuaire.example.org/")
    assert completed.returncode == 0, completed.stderr
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://annuaire.example.org/cooperatives/coop-des-mornes/</loc>" in sitemap
    assert "<loc>https://annuaire.example.org/departements/2A/</loc>" in sitemap
    assert "/integration/</loc>" not in sitemap  # the embeddable lists are noindex
    territory = (site / "departements" / "2A" / "index.html").read_text(encoding="utf-8")
    assert "&lt;iframe src=&#34;https://annuaire.example.org/departements/2A/integration/&#34;" in territory
    assert "Sitemap: https://annuaire.example.org/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    page = (site / "cooperatives" / "coop-des-mornes" / "index.html").read_text(encoding="utf-8")
    assert '"url":"https://annuaire.example.org/cooperatives/coop-des-mornes/"' in page  # JSON-LD


def test_every_territory_offers_its_list_as_csv_and_as_an_embeddable_page(fixture_site: Path):
    import csv
    import html
    import re

    def ids(csv_path: str) -> list[str]:
        return [row["id"] for row in csv.DictReader((fixture_site / csv_path).read_text(encoding="utf-8").splitlines())]

    national_header = (fixture_site / "donnees" / "cooperatives.csv").read_text(encoding="utf-8").splitlines()[0]
    # Saône-et-Loire: nobody located there; the Ain cooperative declares serving it.
    assert ids("departements/71/cooperatives.csv") == ["coop-de-l-ain"]
    assert (fixture_site / "departements" / "71" / "cooperatives.csv").read_text(encoding="utf-8").splitlines()[0] == national_header
    assert ids("regions/bretagne/cooperatives.csv") == ["numerique-breton"]
    assert ids("departements/23/cooperatives.csv") == []

    embed = (fixture_site / "departements" / "71" / "integration" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<p class="cae-integration__nom"><a href="([^"]+)" target="_top">([^<]+)</a>', embed) == [("../../../cooperatives/coop-de-l-ain/", "NO")]
    assert '<html lang="fr">' in embed and '<meta name="robots" content="noindex">' in embed
    assert "<script" not in embed and "data-pagefind-body" not in embed  # nothing runs; not in the search index
    empty = (fixture_site / "departements" / "23" / "integration" / "index.html").read_text(encoding="utf-8")
    assert "Aucune coopérative de l'annuaire n'est située dans ce département" in empty

    territory = (fixture_site / "departements" / "71" / "index.html").read_text(encoding="utf-8")
    assert 'href="cooperatives.csv"' in territory and 'href="integration/"' in territory
    code = html.unescape(re.search(r'<pre class="cae-code-integration"><code>(.*?)</code></pre>', territory).group(1))
    assert code.startswith('<iframe src="/departements/71/integration/" title="Coopératives d\'activités et d\'emploi : Saône-et-Loire (71)"')
