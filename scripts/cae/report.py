"""Printing problems at the edge of a command (terminal and GitHub annotations)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .errors import Problem, sort_problems


def print_problems(problems: list[Problem], stream: TextIO = sys.stderr, *, show_warnings: bool = True) -> None:
    """One line per problem; with GITHUB_ACTIONS=true also workflow annotations."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in sort_problems(problems):
        if not problem.is_error and not show_warnings:
            continue
        print(problem.format(), file=stream)
        if annotate:
            print(problem.github_annotation(), file=stream)


def summary(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if errors:
        return f"{_count(errors, 'erreur')} et {_count(warnings, 'avertissement')} : corrigez les erreurs ci-dessus (voir CONTRIBUTING.md)."
    return f"Données valides ({_count(warnings, 'avertissement')})."


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"
