"""Where things live in the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = REPO_ROOT / "reference"
SCHEMAS_DIR = REPO_ROOT / "schemas"
CONTENT_DIR = REPO_ROOT / "content"
OVERRIDES_DIR = REPO_ROOT / "overrides"
NODE_MODULES = REPO_ROOT / "node_modules"


def data_dir_from_env() -> Path:
    """The data directory chosen with ``DATA=dir`` (``make``) or ``CAE_DATA``, else ``data/``."""
    chosen = os.environ.get("CAE_DATA") or os.environ.get("DATA")
    return Path(chosen).resolve() if chosen else DEFAULT_DATA_DIR
