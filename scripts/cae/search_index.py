"""Make Pagefind's output reproducible.

Pagefind (1.5) writes its filter indexes from a hash map, so the order of
values, hence the file names derived from their content, change from one run
to the next even when the site does not (upstream issue Pagefind#638). This
step rewrites those few files in a canonical order and renames them by their
content, updating the references in the metadata file and in
``pagefind-entry.json``. The fragment and word index files are already stable.

The files are gzip-compressed CBOR behind a ``pagefind_dcd`` signature.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    return cbor2.loads(data[len(SIGNATURE):])


def _write(directory: Path, prefix: str, digits: int, suffix: str, value: Any) -> str:
    """Write ``value`` as ``<prefix><hash><suffix>``; returns the hash part of the name."""
    payload = SIGNATURE + cbor2.dumps(value)
    digest = hashlib.sha256(payload).hexdigest()[:digits]
    (directory / f"{prefix}{digest}{suffix}").write_bytes(gzip.compress(payload, mtime=0))
    return digest


def stabilise(bundle: Path) -> None:
    """Canonicalise the filter and metadata files of the Pagefind bundle at ``bundle``."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, details in entry["languages"].items():
        meta_path = bundle / f"pagefind.{details['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[3]
        renamed = []
        for name, file_hash in filters:
            filter_path = bundle / "filter" / f"{file_hash}.pf_filter"
            filter_name, values = _read(filter_path)
            filter_path.unlink()
            canonical = [filter_name, sorted(values, key=lambda item: item[0])]
            lang = file_hash.split("_", 1)[0]
            renamed.append([name, f"{lang}_" + _write(bundle / "filter", f"{lang}_", 7, ".pf_filter", canonical)])
        meta[3] = sorted(renamed, key=lambda item: item[0])
        meta_path.unlink()
        details["hash"] = f"{language}_" + _write(bundle, f"pagefind.{language}_", 10, ".pf_meta", meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
