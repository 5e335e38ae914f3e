"""Pagefind's bundle, made reproducible and kept to what the search page loads.

Pagefind (1.5) writes its filter index and the metadata file that lists the
filters in hash-map order, which changes from run to run, and names the files
after their content: two builds of the same site differ. These files are
gzip-compressed CBOR (:mod:`.cbor`) after a signature; :func:`make_reproducible`
puts their lists in sorted order and names them after the new content, so the same
site always gives the same bytes. Everything else Pagefind writes is already stable.
:func:`prune_bundle` then removes what the index no longer refers to.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from newsletter.outputs.search.cbor import CBORError, cbor_decode, cbor_encode

#: where the index is written, relative to the output directory
BUNDLE = "pagefind"


class SearchIndexError(Exception):
    """Pagefind failed, or wrote a bundle laid out otherwise than expected."""


class BundleFormatError(SearchIndexError):
    """The Pagefind bundle is not laid out as this module expects."""


SIGNATURE = b"pagefind_dcd"


def read_chunk(path: Path) -> Any:
    """The content of one of Pagefind's gzip-compressed CBOR files."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise BundleFormatError(f"{path.name} is not gzip-compressed: {error}") from None
    if not data.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name} has no Pagefind signature")
    try:
        item, end = cbor_decode(data, len(SIGNATURE))
    except (CBORError, IndexError) as error:
        raise BundleFormatError(f"{path.name} is not the CBOR expected: {error}") from None
    if end != len(data):
        raise BundleFormatError(f"{path.name} has trailing data")
    return item


def write_chunk(folder: Path, language: str, digits: int, suffix: str, item: Any) -> str:
    """Write ``item`` as a chunk named after its content; return the name's hash part."""
    data = gzip.compress(SIGNATURE + cbor_encode(item), compresslevel=9, mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{suffix.format(name)}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Sort the filter chunks and the metadata of every language; rename them to match."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_chunk(meta_path)
        filters = meta[3] if isinstance(meta, list) and len(meta) == 6 else None
        if not isinstance(filters, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            for f in filters
        ):
            raise BundleFormatError(
                f"unexpected layout of {meta_path.name} (Pagefind {entry.get('version')})"
            )
        renamed = []
        for name, chunk_hash in sorted(filters):
            chunk_path = bundle / "filter" / f"{chunk_hash}.pf_filter"
            chunk = read_chunk(chunk_path)
            if not (isinstance(chunk, list) and len(chunk) == 2 and isinstance(chunk[1], list)):
                raise BundleFormatError(f"unexpected layout of {chunk_path.name}")
            chunk[1].sort(key=lambda value: cbor_encode(value[0]))
            chunk_path.unlink()
            renamed.append(
                [name, write_chunk(bundle / "filter", language, 7, "{}.pf_filter", chunk)]
            )
        meta[3] = renamed
        meta_path.unlink()
        info["hash"] = write_chunk(bundle, language, 10, "pagefind.{}.pf_meta", meta)
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


#: the index files in the bundle's folders, which the index refers to by name
INDEX_FOLDERS = {"fragment": ".pf_fragment", "index": ".pf_index", "filter": ".pf_filter"}


def referenced_files(bundle: Path) -> set[Path]:
    """The files of the index that ``pagefind-entry.json`` leads to: the metadata and the
    WebAssembly of each language, and the fragments, word chunks and filter chunks listed."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))

    def listed(folder: str, names: Iterable[str]) -> Iterator[Path]:
        return (bundle / folder / f"{name}{INDEX_FOLDERS[folder]}" for name in names)

    found = {bundle / "pagefind-entry.json", bundle / "wasm.unknown.pagefind"}
    for info in entry["languages"].values():
        if info.get("wasm"):
            found.add(bundle / f"wasm.{info['wasm']}.pagefind")
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_chunk(meta_path)
        try:
            found.add(meta_path)
            found.update(listed("fragment", (page[0] for page in meta[1])))
            found.update(listed("index", (chunk[2] for chunk in meta[2])))
            found.update(listed("filter", (f[1] for f in meta[3])))
        except (IndexError, KeyError, TypeError) as error:
            raise BundleFormatError(f"unexpected layout of {meta_path.name}: {error}") from None
    return found


#: Pagefind's own code that the search page loads (``_static/search.js``); its ready-made
#: interfaces, highlighter and worker script, written on every run, are not used
CODE_USED = ("pagefind.js",)


def prune_bundle(bundle: Path) -> None:
    """Leave in the bundle only what the search page can load.

    Index files that the index just written does not refer to are left from an
    earlier index (Pagefind names them after their content, writes those that are
    missing and removes nothing); the scripts and styles of Pagefind's own
    interfaces are written on every run and never loaded.
    """
    keep = referenced_files(bundle) | {bundle / name for name in CODE_USED}
    for path in sorted(bundle.iterdir()):
        if path.is_file() and path not in keep:
            path.unlink()
    for folder, suffix in INDEX_FOLDERS.items():
        if not (bundle / folder).is_dir():
            continue
        for path in sorted((bundle / folder).glob(f"*{suffix}")):
            if path not in keep:
                path.unlink()
        if not any((bundle / folder).iterdir()):
            (bundle / folder).rmdir()
