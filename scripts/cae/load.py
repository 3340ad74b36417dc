"""Strict YAML loading: values plus the line and column of each of them.

Contributors edit YAML by hand, often in a web editor. YAML 1.1 turns
``NO`` into ``False``, ``01000`` into 512 and ``10:30`` into 630; it also
allows anchors, tags and several documents in one file. None of that is
wanted here, so this loader:

* keeps every unquoted scalar as text (:class:`PlainScalar`); the validator
  converts it to a number, boolean or date only where the schema asks for
  one, so a postcode or an INSEE code always stays the text that was typed;
* refuses anchors, aliases, explicit tags, several documents, duplicate keys,
  non-UTF-8 bytes, control and bidirectional-override characters, files over
  1 MB and deep nesting, each with a French message and a position.

Values are built straight from the parser's events (libyaml's, in C, when
PyYAML has it), without PyYAML's node tree or type resolution.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from .errors import Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12
MAX_CHARACTER_PROBLEMS = 20
NULL_WORDS = {"", "~", "null", "Null", "NULL"}

# Characters that hide or reorder text (Trojan Source) or that no editor shows.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]")


class PlainScalar(str):
    """An unquoted YAML scalar, kept exactly as typed (the schema decides its type)."""


KeyPath = tuple  # a path inside a document: keys and list indices


class Position(NamedTuple):
    line: int
    column: int


@dataclass
class Document:
    """One loaded file: its value, its problems, and where each value and key stands.

    Positions are only needed when something is wrong, so they are recorded
    on first use by reading the text a second time.
    """

    path: str
    value: Any = None
    problems: list[Problem] = field(default_factory=list)
    text: str | None = field(default=None, repr=False)
    _values: dict[KeyPath, Position] | None = field(default=None, repr=False)
    _keys: dict[KeyPath, Position] | None = field(default=None, repr=False)

    def _positions(self) -> tuple[dict[KeyPath, Position], dict[KeyPath, Position]]:
        if self._values is None or self._keys is None:
            self._values, self._keys = {}, {}
            if self.text is not None:
                _read_document(self.text, _Recorder(self.path, self._values, self._keys, []))
        return self._values, self._keys

    def position(self, path: KeyPath, *, key: bool = False) -> Position:
        """Position of the value (or key) at ``path``, else of its nearest ancestor."""
        values, keys = self._positions()
        path = tuple(path)
        if key and path in keys:
            return keys[path]
        while path:
            if path in values:
                return values[path]
            path = path[:-1]
        return values.get((), Position(1, 1))

    def problem(self, path: KeyPath, field_name: str, message: str, *, key: bool = False, severity: str = "erreur") -> Problem:
        where = self.position(path, key=key)
        return Problem(self.path, where.line, where.column, field_name, message, severity)


@dataclass
class _Recorder:
    """Where the reader writes positions and duplicate-key problems (second reading)."""

    display: str
    values: dict[KeyPath, Position]
    keys: dict[KeyPath, Position]
    problems: list[Problem]


class _DuplicateKey(Exception):
    """Raised by the fast reading, which keeps no positions: read again with a recorder."""


class LoadError(Exception):
    """A problem that stops reading the file."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else 1
        self.column = mark.column + 1 if mark is not None else 1


try:  # libyaml's parser (C) when PyYAML was built with it: about ten times faster
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML wheel

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)


# PyYAML's messages, in the words a contributor needs.
_SYNTAX_MESSAGES = [
    ("mapping values are not allowed", "« : » inattendu : mettez la valeur entre guillemets si elle contient « : », ou vérifiez l'indentation"),
    ("could not find expected ':'", "« : » manquant après un nom de champ, ou guillemet non fermé"),
    ("did not find expected alphabetic or numeric character", "une valeur qui commence par « * », « & » ou « ! » doit être entre guillemets, par exemple \"*italique* au début\""),
    ("cannot start any token", "caractère interdit en début de valeur (une tabulation ? utilisez des espaces ; un « @ » ou « ` » ? mettez la valeur entre guillemets)"),
    ("block sequence entries are not allowed", "« - » inattendu : une liste commence à la ligne suivante, ou mettez la valeur entre guillemets"),
    ("did not find expected key", "indentation incohérente : ce champ n'est pas aligné avec ceux du même niveau"),
    ("did not find expected '-' indicator", "élément de liste mal aligné : les « - » d'une même liste doivent être au même niveau"),
    ("did not find expected node content", "valeur manquante ou mal placée"),
    ("found unexpected end of stream", "fin de fichier inattendue : un guillemet ou un crochet n'est pas fermé"),
    ("found unknown escape character", "séquence d'échappement inconnue entre guillemets doubles (utilisez des guillemets simples)"),
    ("expected <block end>", "indentation incohérente"),
    ("expected ',' or ']'", "liste entre crochets mal fermée : « , » ou « ] » attendu"),
    ("expected ',' or '}'", "objet entre accolades mal fermé : « , » ou « } » attendu"),
    ("while scanning a simple key", "« : » manquant après un nom de champ"),
    ("while scanning a quoted scalar", "guillemet non fermé"),
    ("found a tab character", "tabulation interdite dans l'indentation : utilisez des espaces"),
]
# A French apostrophe inside single quotes ends the text early: 'L'Atelier'.
_APOSTROPHE_IN_SINGLE_QUOTES = re.compile(r":\s*'[^']*'[^\s,\]}#]")
_APOSTROPHE_HINT = "une apostrophe dans un texte entre guillemets simples le termine : doublez-la ('L''Atelier') ou utilisez des guillemets doubles (\"L'Atelier\")"


def _syntax_message(error: yaml.MarkedYAMLError, text: str) -> str:
    mark = error.problem_mark or error.context_mark
    if mark is not None:
        lines = text.split("\n")
        for line in lines[max(0, mark.line - 1) : mark.line + 1]:
            if _APOSTROPHE_IN_SINGLE_QUOTES.search(line):
                return f"syntaxe YAML invalide : {_APOSTROPHE_HINT}"
    described = f"{error.context or ''} {error.problem or ''}"
    for needle, message in _SYNTAX_MESSAGES:
        if needle in described:
            return f"syntaxe YAML invalide : {message}"
    return f"syntaxe YAML invalide ({(error.problem or error.context or 'erreur inconnue').strip()})"


# "nom: Coop #1" silently keeps "Coop": YAML reads " #" as the start of a comment.
_CUT_BY_COMMENT = re.compile(r"^\s*(?:- )?[A-Za-z_][\w.-]*:[ \t]+[^\s'\"\[{#&*!|>][^#]*?[ \t]#")


def _comment_warnings(text: str, display: str) -> list[Problem]:
    """Warn where a comment probably cut a value short (the text was meant to include « # »)."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _CUT_BY_COMMENT.match(line)
        if match:
            column = match.end()
            problems.append(
                Problem(display, number, column, "", "tout ce qui suit « # » est un commentaire ignoré : si « # » fait partie de la valeur, mettez-la entre guillemets", "avertissement")
            )
    return problems


def _position_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if len(data) > MAX_FILE_BYTES:
        size = f"{len(data) / 1_000_000:.1f}".replace(".", ",")
        return None, [Problem(display, 1, 1, "", f"fichier trop volumineux ({size} Mo) : 1 Mo au plus ; découpez-le ou raccourcissez les textes")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position_of_offset(data, error.start)
        return None, [Problem(display, line, column, "", "octets invalides : le fichier doit être enregistré en UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, _character_problems(text, display)


def _character_problems(text: str, display: str) -> list[Problem]:
    problems = []
    for match in itertools.islice(_FORBIDDEN_CHARACTERS.finditer(text), MAX_CHARACTER_PROBLEMS):
        char = match.group()
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - text.rfind("\n", 0, match.start())
        what = "caractère de contrôle bidirectionnel" if char in _BIDI_CONTROLS else "caractère de contrôle invisible"
        problems.append(Problem(display, line, column, "", f"{what} interdit (U+{ord(char):04X}) : supprimez-le"))
    return problems


def _refuse_hidden_values(event: Any) -> None:
    """Anchors, aliases and tags make a value depend on something written elsewhere: refused."""
    if isinstance(event, AliasEvent):
        raise LoadError(f"alias « *{event.anchor} » interdit : recopiez la valeur au lieu de la référencer", event.start_mark)
    if getattr(event, "anchor", None) is not None:
        raise LoadError(f"ancre « &{event.anchor} » interdite : chaque valeur doit être écrite en entier", event.start_mark)
    tag = getattr(event, "tag", None)
    if tag is not None:
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        raise LoadError(f"étiquette YAML « {tag} » interdite : écrivez la valeur sans « ! » devant", event.start_mark)


def _read_document(text: str, recorder: _Recorder | None) -> Any:
    parser = _Parser(text)
    try:
        parser.get_event()  # stream start
        if parser.check_event(StreamEndEvent):
            return None
        parser.get_event()  # document start
        value = _read_value(parser, (), recorder, 0)
        parser.get_event()  # document end
        if not parser.check_event(StreamEndEvent):
            raise LoadError("plusieurs documents YAML dans un fichier (« --- ») : un seul est permis", parser.peek_event().start_mark)
        return value
    finally:
        parser.dispose()


def _read_value(parser: Any, path: KeyPath, recorder: _Recorder | None, depth: int) -> Any:
    event = parser.get_event()
    if recorder is not None:
        recorder.values[path] = Position(event.start_mark.line + 1, event.start_mark.column + 1)
    if type(event) is ScalarEvent and event.anchor is None and event.tag is None:  # the common case, kept fast
        if not event.style:  # None (pure-Python parser) or "" (libyaml) for a plain scalar
            return None if event.value in NULL_WORDS else PlainScalar(event.value)
        return event.value
    _refuse_hidden_values(event)
    if depth >= MAX_DEPTH:
        raise LoadError(f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)", event.start_mark)
    if isinstance(event, SequenceStartEvent):
        items: list[Any] = []
        while not parser.check_event(SequenceEndEvent):
            items.append(_read_value(parser, path + (len(items),) if recorder else path, recorder, depth + 1))
        parser.get_event()
        return items
    return _read_mapping(parser, path, recorder, depth)


def _read_mapping(parser: Any, path: KeyPath, recorder: _Recorder | None, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    while not parser.check_event(MappingEndEvent):
        key_event = parser.get_event()
        _refuse_hidden_values(key_event)
        if not isinstance(key_event, ScalarEvent):
            raise LoadError("clé complexe interdite : un nom de champ doit être un simple mot", key_event.start_mark)
        key = key_event.value
        key_path = path + (key,) if recorder else path
        if key in result:
            if recorder is None:
                raise _DuplicateKey
            here = Position(key_event.start_mark.line + 1, key_event.start_mark.column + 1)
            first = recorder.keys[key_path]
            recorder.problems.append(
                Problem(
                    recorder.display,
                    here.line,
                    here.column,
                    _dotted(_without_record_index(key_path)),
                    f"champ « {key} » en double (lignes {first.line} et {here.line}) : gardez-en un seul",
                )
            )
            _read_value(parser, key_path, _Recorder(recorder.display, {}, {}, []), depth + 1)  # read past the duplicate
            continue
        if recorder is not None:
            recorder.keys[key_path] = Position(key_event.start_mark.line + 1, key_event.start_mark.column + 1)
        result[key] = _read_value(parser, key_path, recorder, depth + 1)
    parser.get_event()
    return result


def _without_record_index(path: KeyPath) -> KeyPath:
    """Inside a file that is a list of records, fields are named from the record."""
    return path[1:] if path and isinstance(path[0], int) else path


def _dotted(path: KeyPath) -> str:
    """``siege.commune`` / ``antennes[2].nom``: how a field is named in messages."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


dotted = _dotted


def load_text(text: str, display: str) -> Document:
    """Load YAML from text already decoded (used by :func:`load_file` and tests)."""
    document = Document(path=display)
    try:
        document.text = text
        try:
            document.value = _read_document(text, None)
        except _DuplicateKey:
            values: dict[KeyPath, Position] = {}
            keys: dict[KeyPath, Position] = {}
            recorder = _Recorder(display, values, keys, document.problems)
            document.value = _read_document(text, recorder)
            document._values, document._keys = values, keys
    except LoadError as error:
        document.value = None
        document.problems.append(Problem(display, error.line, error.column, "", error.message))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        document.value = None
        document.problems.append(Problem(display, line, column, "", _syntax_message(error, text)))
    except yaml.YAMLError as error:
        document.value = None
        document.problems.append(Problem(display, 1, 1, "", f"syntaxe YAML invalide ({error})"))
    return document


def load_file(path: Path, display: str) -> Document:
    """Read and load one YAML data file; problems are collected, never raised."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return Document(path=display, problems=[Problem(display, 0, 0, "", f"lecture impossible ({error.strerror})")])
    text, problems = _decode(data, display)
    if text is None or problems:
        return Document(path=display, problems=problems)
    document = load_text(text, display)
    document.problems.extend(_comment_warnings(text, display))
    return document


_SCHEMA_COMMENT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)")


def schema_comment(path: Path) -> str | None:
    """The ``$schema=`` named on the first line of a data file, if any."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return None
    match = _SCHEMA_COMMENT.match(first.lstrip("\ufeff"))
    return match.group(1) if match else None
