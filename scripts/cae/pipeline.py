"""The stages chained: load and validate → enrich → generate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .enrich import Directory, enrich
from .errors import Problem, display_path
from .geocode import ResultsFileError, load_geocoded, results_path
from .paths import REPO_ROOT
from .gazetteer import load_gazetteer
from .generate import Options, Site, generate_site
from .validate import validate_directory


@dataclass
class Outcome:
    problems: list[Problem]
    directory: Directory | None = None
    site: Site | None = None

    @property
    def ok(self) -> bool:
        return self.site is not None


def fingerprint(data_dir: Path) -> tuple:
    """What identifies a state of the data directory (paths, sizes, modification times)."""
    entries = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


_last: dict[tuple, Outcome] = {}


def cached_run(data_dir: Path, options: Options = Options(), *, allow_fictional: bool = False) -> Outcome:
    """:func:`run`, reused while the data directory is unchanged.

    The build command validates before starting MkDocs and the MkDocs layer
    asks again: the second call costs nothing.
    """
    key = (str(data_dir), options, allow_fictional, fingerprint(data_dir))
    if key not in _last:
        _last.clear()
        _last[key] = run(data_dir, options, allow_fictional=allow_fictional)
    return _last[key]


def load_directory(data_dir: Path, *, allow_fictional: bool = False, today: dt.date | None = None) -> Outcome:
    """Load, validate and enrich (no generation); ``directory`` is None if the data have errors."""
    gazetteer = load_gazetteer()
    result = validate_directory(data_dir, gazetteer, today=today, allow_fictional=allow_fictional)
    if not result.ok:
        return Outcome(result.problems)
    try:
        geocoded = load_geocoded(data_dir)
    except ResultsFileError as error:
        return Outcome(result.problems + [Problem(display_path(results_path(data_dir), REPO_ROOT), 0, 0, "", str(error))])
    return Outcome(result.problems, enrich(result.dataset, gazetteer, geocoded))


def run(data_dir: Path, options: Options = Options(), *, allow_fictional: bool = False, today: dt.date | None = None) -> Outcome:
    """Everything up to the generated site; stops after validation if the data have errors."""
    outcome = load_directory(data_dir, allow_fictional=allow_fictional, today=today)
    if outcome.directory is not None:
        outcome.site = generate_site(outcome.directory, options)
    return outcome
