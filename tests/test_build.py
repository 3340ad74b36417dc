"""The build: real sites from fixture data, atomic, reproducible and offline."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO_ROOT, make_data_dir

pytestmark = pytest.mark.slow
SUPPORT = Path(__file__).resolve().parent / "support"


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


def build(data_dir: Path, output: Path, *extra: str, offline: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "build.py"), "--data", str(data_dir), "--output", str(output), *extra]
    env = dict(os.environ)
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
