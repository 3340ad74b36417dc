"""Validation: every invalid fixture produces exactly the problems it declares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cae.validate import luhn_valid, siret_valid, validate_directory
from helpers import FIXTURES, REPO_ROOT, TODAY, make_data_dir

INVALID_CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def expectations(case: Path) -> list[tuple[str, int, int, str, str]]:
    """Lines ``file:line:column: field: fragment`` of a case's attendu.txt."""
    found = []
    for line in (case / "attendu.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, line_number, column, field, fragment = line.split(":", 4)
        found.append((file, int(line_number), int(column), field.strip(), fragment.strip()))
    return found


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda p: p.name)
def test_invalid_fixture_reports_exactly_its_expected_errors(case: Path, tmp_path: Path, gazetteer):
    data_dir = make_data_dir(tmp_path / "data", case)
    result = validate_directory(data_dir, gazetteer, today=TODAY, root=data_dir)
    errors = [(p.file, p.line, p.column, p.field, p.message) for p in result.errors]
    expected = expectations(case)
    for file, line, column, field, fragment in expected:
        assert any(
            (e_file, e_line, e_column, e_field) == (file, line, column, field) and fragment in message
            for e_file, e_line, e_column, e_field, message in errors
        ), f"missing {file}:{line}:{column}: {field}: …{fragment}… in\n" + "\n".join(map(str, errors))
    located = {(f, l, c, fi) for f, l, c, fi, _ in expected}
    unexpected = [e for e in errors if e[:4] not in located]
    assert not unexpected, "unexpected errors:\n" + "\n".join(map(str, unexpected))
    assert len(errors) == len(expected), "\n".join(map(str, errors))


def test_shipped_data_is_valid(gazetteer):
    data_dir = Path(os.environ.get("CAE_DATA") or REPO_ROOT / "data")
    result = validate_directory(data_dir, gazetteer)
    assert result.errors == []


def test_valid_fixture_keeps_codes_as_typed(tmp_path: Path, gazetteer):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    result = validate_directory(data_dir, gazetteer, today=TODAY)
    assert result.errors == []
    by_id = {record["id"]: record for record in result.dataset.cooperatives}
    assert by_id["coop-de-l-ain"]["siege"]["code_postal"] == "01000"
    assert by_id["coop-de-l-ain"]["nom"] == "NO"
    assert by_id["coop-de-l-ain"]["accepte_nouveaux_entrepreneurs"] is True


def test_warnings_do_not_fail(tmp_path: Path, gazetteer):
    data_dir = make_data_dir(
        tmp_path / "data",
        cooperatives="- id: ancienne\n  nom: Ancienne\n  siege: {insee: \"61169\"}\n  sources: [https://example.org]\n  verification: sources-publiques\n  mise_a_jour: 2024-01-01\n",
    )
    result = validate_directory(data_dir, gazetteer, today=TODAY)
    assert result.ok
    messages = [p.message for p in result.warnings]
    assert any("plus de 12 mois" in m for m in messages)
    assert any("pas encore confirmée par la coopérative" in m for m in messages)


def test_fictional_records_pass_only_when_allowed(tmp_path: Path, gazetteer):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "invalid" / "fictional")
    assert not validate_directory(data_dir, gazetteer, today=TODAY).ok
    assert validate_directory(data_dir, gazetteer, today=TODAY, allow_fictional=True).ok


@pytest.mark.parametrize(
    ("number", "valid"),
    [("732829320", True), ("552081317", True), ("123456789", False), ("732829321", False)],
)
def test_siren_luhn(number, valid):
    assert luhn_valid(number) is valid


def test_siret_checksums_including_la_poste():
    assert siret_valid("73282932000017")
    assert not siret_valid("73282932000018")
    # La Poste's establishments follow a digit-sum rule instead of Luhn.
    assert siret_valid("35600000000048")
    assert siret_valid("35600000049837")


def run_validate(data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "validate.py"), "--data", str(data_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_command_prints_every_error_in_french_and_exits_1(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "invalid" / "structure")
    completed = run_validate(data_dir, GITHUB_ACTIONS="false")
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if "cooperatives.yaml:" in line]
    assert len(lines) == len(expectations(FIXTURES / "invalid" / "structure"))
    assert "erreurs" in completed.stderr.splitlines()[-1]


def test_command_adds_github_annotations(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", FIXTURES / "invalid" / "dates")
    completed = run_validate(data_dir, GITHUB_ACTIONS="true")
    annotations = [line for line in completed.stderr.splitlines() if line.startswith("::error ")]
    assert len(annotations) == len(expectations(FIXTURES / "invalid" / "dates"))
    assert any(",line=6,col=16::mise_a_jour: date impossible" in line for line in annotations)


def test_command_never_shows_a_traceback_on_garbage(tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data")
    (data_dir / "cooperatives.yaml").write_bytes(b"\x00\xff\xfe garbage \x80\n- [")
    (data_dir / "members").mkdir()
    (data_dir / "members" / "x.yml").write_text("- a", encoding="utf-8")
    completed = run_validate(data_dir)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "UTF-8" in completed.stderr and "x.yml" in completed.stderr
