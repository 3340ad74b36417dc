"""Strict YAML loading: what contributors type stays what they typed, and tricks are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cae.load import MAX_FILE_BYTES, PlainScalar, load_file, load_text


def only_message(document) -> str:
    assert len(document.problems) == 1, [p.format() for p in document.problems]
    return document.problems[0].message


def test_unquoted_scalars_stay_text_as_typed():
    document = load_text("- code_postal: 01000\n  reponse: NO\n  heure: 10:30\n  oui: yes\n  octal: 0o17\n", "f.yaml")
    record = document.value[0]
    assert record == {"code_postal": "01000", "reponse": "NO", "heure": "10:30", "oui": "yes", "octal": "0o17"}
    assert all(isinstance(value, PlainScalar) for value in record.values())


def test_quoted_scalars_are_not_marked_plain_and_null_words_are_empty():
    document = load_text("- a: '01000'\n  b: ~\n  c:\n  d: null\n", "f.yaml")
    record = document.value[0]
    assert record["a"] == "01000" and not isinstance(record["a"], PlainScalar)
    assert record["b"] is None and record["c"] is None and record["d"] is None


def test_positions_of_values_and_keys_are_one_based():
    document = load_text("- id: a\n  siege:\n    commune: Flers\n", "f.yaml")
    assert document.position((0, "siege", "commune")).line == 3
    assert document.position((0, "siege", "commune")).column == 14
    assert document.position((0, "siege", "commune"), key=True).column == 5
    # A missing value falls back to its nearest known parent.
    assert document.position((0, "siege", "insee")).line == 3


def test_duplicate_keys_name_both_lines_and_keep_loading():
    document = load_text("- id: a\n  nom: Un\n  nom: Deux\n", "f.yaml")
    assert document.value == [{"id": "a", "nom": "Un"}]
    problem = document.problems[0]
    assert (problem.line, problem.field) == (3, "nom")
    assert "lignes 2 et 3" in problem.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- a: &ancre 1\n  b: 2\n", "ancre « &ancre » interdite"),
        ("- a: 1\n  b: *ancre\n", "alias « *ancre » interdit"),
        ("- a: !!python/object/apply:os.system ['echo']\n", "étiquette YAML « !!python/object/apply:os.system » interdite"),
        ("- a: !!binary aGVsbG8=\n", "« !!binary »"),
        ("a: !!set {x, y}\n", "« !!set »"),
        ("- a: !perso 1\n", "étiquette YAML"),
        ("- a: 1\n---\n- b: 2\n", "plusieurs documents YAML"),
    ],
)
def test_yaml_features_that_hide_values_are_refused(text, fragment):
    document = load_text(text, "f.yaml")
    assert document.value is None
    assert fragment in only_message(document)


def test_deep_nesting_is_refused_before_python_recursion():
    document = load_text("a: " + "[" * 5000 + "]" * 5000 + "\n", "f.yaml")
    assert "imbrication trop profonde" in only_message(document)


def test_merge_keys_cannot_reuse_values_without_an_alias():
    document = load_text("- a: 1\n  <<: {b: 2}\n", "f.yaml")
    # '<<' is then only an ordinary (unknown) key: the schema rejects it later.
    assert document.value == [{"a": "1", "<<": {"b": "2"}}]


def test_non_utf8_bytes_are_located(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_bytes("- nom: Coop\n  ville: Besan".encode() + "çon".encode("latin-1") + b"\n")
    document = load_file(path, "f.yaml")
    problem = document.problems[0]
    assert (problem.line, problem.column) == (2, 15)
    assert "UTF-8" in problem.message


@pytest.mark.parametrize(
    ("char", "kind"),
    [("\u202e", "bidirectionnel"), ("\u2066", "bidirectionnel"), ("\x07", "contrôle"), ("\x1b", "contrôle"), ("\u0085", "contrôle")],
)
def test_control_and_bidi_characters_are_located(tmp_path: Path, char, kind):
    path = tmp_path / "f.yaml"
    path.write_text(f"- id: a\n  nom: ab{char}cd\n", encoding="utf-8")
    document = load_file(path, "f.yaml")
    problem = document.problems[0]
    assert (problem.line, problem.column) == (2, 10)
    assert kind in problem.message and f"U+{ord(char):04X}" in problem.message


def test_files_over_one_megabyte_are_refused_unread(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("- nom: " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    document = load_file(path, "f.yaml")
    assert document.value is None
    assert "trop volumineux" in only_message(document)


def test_byte_order_mark_and_tabs_inside_text_are_fine(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("\ufeff- nom: \"a\tb\"\n", encoding="utf-8")
    document = load_file(path, "f.yaml")
    assert document.problems == []
    assert document.value == [{"nom": "a\tb"}]


def test_syntax_errors_are_explained_in_french():
    document = load_text("- nom: Coop: la suite\n", "f.yaml")
    message = only_message(document)
    assert message.startswith("syntaxe YAML invalide")
    assert "guillemets" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- nom: 'L'Atelier'\n", "doublez-la ('L''Atelier')"),
        ("- description: *italique* au début\n", "doit être entre guillemets"),
        ("- secteurs: - batiment\n", "une liste commence à la ligne suivante"),
    ],
)
def test_common_french_typing_mistakes_get_a_precise_hint(text, fragment):
    assert fragment in only_message(load_text(text, "f.yaml"))


def test_a_value_cut_by_a_comment_is_flagged(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text("- nom: Coop #1\n  ville: \"Paris #2\"\n", encoding="utf-8")
    document = load_file(path, "f.yaml")
    assert document.value == [{"nom": "Coop", "ville": "Paris #2"}]
    [warning] = document.problems
    assert not warning.is_error and warning.line == 1 and "commentaire" in warning.message
