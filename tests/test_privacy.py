"""Removing a member from the data removes every trace of them from the built site.

Pages, search index, JSON shards, sitemap, maps: the whole output is searched,
gzip files (Pagefind's index, sitemap.xml.gz) decompressed first.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO_ROOT, make_data_dir

pytestmark = pytest.mark.slow

MEMBER = """\
- id: menuiserie-qzxv
  nom: Zéphyrine Qzxvbois
  activite: Ébénisterie wyqtuk et escaliers
  competences: [menuiserie-bois, electricite-batiment]
  mots_cles: [marqueterie jvkrz, placards plonxu]
  zone: {insee: "01053", rayon_km: 40, departements: ["39"]}
  disponibilites: [co-traitance]
  site_web: https://zephyrine-qzxv.example.org/atelier
  consentement: {date: 2026-09-03, moyen: formulaire d'adhésion signé}
"""
# What identifies the member: published fields, in the forms they take in pages, JSON and the search index.
TRACES = ["Zéphyrine Qzxvbois", "qzxvbois", "wyqtuk", "marqueterie jvkrz", "plonxu", "zephyrine-qzxv.example.org", "menuiserie-qzxv"]


def build(data_dir: Path, output: Path) -> Path:
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build.py"), "--data", str(data_dir), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return output


def output_texts(site: Path) -> dict[str, bytes]:
    """Every file of the site, lower-cased, gzip files decompressed."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            if content[:2] == b"\x1f\x8b":
                content = gzip.decompress(content)
            texts[str(path.relative_to(site))] = content.lower()
    return texts


def where(texts: dict[str, bytes], trace: str) -> list[str]:
    needle = trace.lower().encode("utf-8")
    return [name for name, content in texts.items() if needle in content]


def test_a_removed_member_leaves_no_trace_in_the_output(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    members = data_dir / "members" / "coop-de-l-ain.yaml"
    without = members.read_text(encoding="utf-8")
    members.write_text(without + MEMBER, encoding="utf-8")
    before = output_texts(build(data_dir, tmp_path / "before"))
    found = {trace: where(before, trace) for trace in TRACES}
    assert all(found.values()), found
    # The member is everywhere we publish members: cooperative page, skill pages, partner index files.
    everywhere = set().union(*found.values())
    assert "cooperatives/coop-de-l-ain/index.html" in everywhere and "competences/menuiserie-bois/index.html" in everywhere
    assert any(name.startswith("donnees/partenaires/menuiserie-bois/") for name in everywhere)
    # Member tables are kept out of the full-text index (data-pagefind-ignore): people are found
    # through the partner search, and search results stay light.
    assert not any(name.startswith("pagefind/") for name in everywhere)

    members.write_text(without, encoding="utf-8")
    after = output_texts(build(data_dir, tmp_path / "after"))
    assert {trace: where(after, trace) for trace in TRACES} == {trace: [] for trace in TRACES}
    assert "sitemap.xml.gz" in after and "competences/menuiserie-bois/index.html" in after  # the pages remain, without them
