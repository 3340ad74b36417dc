"""Open data files: JSON Schemas (and, later, the cooperatives as JSON, CSV, GeoJSON)."""

from __future__ import annotations

import json
from typing import Any

from ..enrich import Directory


def json_bytes(value: Any) -> bytes:
    """Stable, readable JSON (sorted keys, UTF-8, final newline) so builds are reproducible."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def schema_files(directory: Directory) -> dict[str, bytes]:
    return {f"donnees/schemas/{name}": json_bytes(schema) for name, schema in sorted(directory.schemas.items())}


def data_files(directory: Directory, options: Any) -> dict[str, bytes]:
    return schema_files(directory)
