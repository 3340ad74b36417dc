"""Shared test helpers: paths, a fixed date, data directories built from fixtures."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "scripts"))

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Fixtures are dated relative to this day, so results never depend on when tests run.
TODAY = dt.date(2026, 11, 26)


def make_data_dir(target: Path, source: Path | None = None, *, cooperatives: str | None = None, members: dict[str, str] | None = None) -> Path:
    """A data directory: the project's vocabularies plus the given records.

    ``source`` is a fixture directory to copy (cooperatives.yaml, members/);
    ``cooperatives`` and ``members`` give file contents directly.
    """
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "data" / "vocabulaires", target / "vocabulaires", dirs_exist_ok=True)
    if source is not None:
        for path in source.iterdir():
            if path.name in ("attendu.txt",):
                continue
            if path.is_dir():
                shutil.copytree(path, target / path.name, dirs_exist_ok=True)
            else:
                shutil.copy(path, target / path.name)
    if cooperatives is not None:
        (target / "cooperatives.yaml").write_text(cooperatives, encoding="utf-8")
    for name, text in (members or {}).items():
        (target / "members").mkdir(exist_ok=True)
        (target / "members" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return target
