"""The CBOR codec of Pagefind's index files: what :mod:`.bundle` needs to sort them.

Only the subset Pagefind writes is read and written back byte for byte: integers,
byte and text strings, arrays and maps; anything else (floats, tags, simple values)
is kept as it was encoded.
"""

from __future__ import annotations

from typing import Any


class CBORError(ValueError):
    """The data is not the CBOR this codec expects."""


class _Raw(bytes):
    """A CBOR item kept as it was encoded (floats, tags, simple values)."""


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise CBORError(f"integer too large for CBOR: {value}")


def cbor_decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """One CBOR item of ``data`` at ``pos``, and the position after it."""
    start = pos
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        value = info
    elif info < 28:
        size = 1 << (info - 24)
        value = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise CBORError("indefinite-length CBOR is not expected")
    if major == 0:
        return value, pos
    if major == 1:
        return -1 - value, pos
    if major in (2, 3):
        chunk = data[pos : pos + value]
        return (chunk.decode("utf-8") if major == 3 else bytes(chunk)), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, pos = cbor_decode(data, pos)
            mapping[key], pos = cbor_decode(data, pos)
        return mapping, pos
    if major == 6:
        _, pos = cbor_decode(data, pos)
    return _Raw(data[start:pos]), pos


def cbor_encode(item: Any) -> bytes:
    """The CBOR encoding of what :func:`cbor_decode` returns."""
    if isinstance(item, _Raw):
        return bytes(item)
    if isinstance(item, bool) or item is None:
        raise CBORError(f"unexpected CBOR value {item!r}")
    if isinstance(item, int):
        return _cbor_head(0, item) if item >= 0 else _cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return _cbor_head(2, len(item)) + item
    if isinstance(item, str):
        encoded = item.encode("utf-8")
        return _cbor_head(3, len(encoded)) + encoded
    if isinstance(item, list):
        return _cbor_head(4, len(item)) + b"".join(map(cbor_encode, item))
    if isinstance(item, dict):
        parts = (cbor_encode(k) + cbor_encode(v) for k, v in item.items())
        return _cbor_head(5, len(item)) + b"".join(parts)
    raise CBORError(f"unexpected CBOR value {item!r}")
