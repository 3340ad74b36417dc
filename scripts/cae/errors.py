"""Problems found in the data, as values carrying their position.

Every stage returns problems instead of printing or raising; the command at the
edge sorts them, prints them once and picks the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in a data file, in French.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    """

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        """``fichier:ligne:colonne: champ: message`` on one line."""
        prefix = "" if self.is_error else "avertissement: "
        field = f"{self.field}: " if self.field else ""
        message = " ".join(self.message.split())
        return f"{self.file}:{self.line}:{self.column}: {prefix}{field}{message}"

    def github_annotation(self) -> str:
        """A GitHub Actions workflow command that shows the problem on the PR line."""
        kind = "error" if self.is_error else "warning"
        field = f"{self.field}: " if self.field else ""
        text = _escape_annotation_data(f"{field}{' '.join(self.message.split())}")
        file = _escape_annotation_property(self.file)
        return f"::{kind} file={file},line={max(self.line, 1)},col={max(self.column, 1)}::{text}"


def _escape_annotation_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_annotation_property(text: str) -> str:
    return _escape_annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a contributor sees it in the repository (relative when possible)."""
    base = root or Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors and warnings in file order, duplicates removed."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.field, p.message))
