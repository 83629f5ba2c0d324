"""Reading an Anki package (``.apkg`` or ``.colpkg``): note types, notes, cards, the review
log and media — read-only, and the one place outside the store that opens SQLite, because
the file is Anki's collection, not recall's.

Three generations of the format are read. The newest (Anki 2.1.50 on) zips a ``meta`` file
naming the version, the collection as ``collection.anki21b`` compressed with zstd, a media
list in protobuf (zstd too) and media files compressed one by one; its note types live in
tables, with their kind and templates in protobuf blobs. The older ones zip
``collection.anki21`` or ``collection.anki2`` uncompressed, with note types and decks as JSON
in the ``col`` row and the media list as JSON. A package that names a later version is
refused, as is anything that is not a zip with a collection in it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recall.errors import RecallError

#: Package versions (Anki's ``PackageMetadata.Version``): 1 ``.anki2``, 2 ``.anki21``, 3 zstd.
LATEST_VERSION = 3
_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_SAFE_MEDIA = re.compile(r"[^/\\\x00]+")


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]  # (question format, answer format) by ordinal


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int  # epoch seconds of its last edit


@dataclass(frozen=True)
class Card:
    """A card row; ``deck`` is its home deck (the original one while in a filtered deck)."""

    id: int
    note: int
    deck: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    reps: int
    lapses: int
    data: str


@dataclass(frozen=True)
class Review:
    """A revlog row: ``id`` is the epoch millisecond of the answer."""

    id: int
    card: int
    ease: int
    ivl: int
    last_ivl: int
    time_ms: int
    type: int


@dataclass
class Package:
    path: Path
    crt: int  # epoch seconds of the collection's day zero (due days count from it)
    rollover: int  # the hour Anki's day starts
    decks: dict[int, str]
    notetypes: dict[int, NoteType]
    notes: dict[int, Note]
    cards: list[Card]
    reviews: dict[int, list[Review]]  # by card, oldest first
    media: dict[str, bytes] = field(default_factory=dict)


def read_package(path: Path) -> Package:
    """Everything recall imports from the package at ``path``; one-line errors name it."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise RecallError("no such file", name) from None
    except (zipfile.BadZipFile, OSError):
        raise RecallError("not an Anki package (.apkg/.colpkg): not a zip file", name) from None
    try:
        with archive, _collection(archive, name) as (conn, version):
            package = _read(conn, path)
            package.media = _media(archive, version, name)
            return package
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as exc:
        raise RecallError(f"corrupt or truncated package ({exc})", name) from None
    except sqlite3.DatabaseError as exc:
        raise RecallError(f"the package's collection cannot be read ({exc})", name) from None


def _version(archive: zipfile.ZipFile, name: str) -> int:
    names = set(archive.namelist())
    if "meta" in names:
        fields = _proto(archive.read("meta"))
        version = int(fields.get(1, [0])[0])
        if version > LATEST_VERSION:
            raise RecallError(
                f"made by a newer Anki (package version {version}; recall reads up to "
                f"{LATEST_VERSION}): export it again with 'Support older Anki versions' ticked",
                name,
            )
        if version:
            return version
    for version in (3, 2, 1):
        if _COLLECTIONS[version] in names:
            return version
    raise RecallError("not an Anki package: the zip holds no Anki collection", name)


@contextmanager
def _collection(archive: zipfile.ZipFile, name: str) -> Iterator[tuple[sqlite3.Connection, int]]:
    """The package's collection, unpacked to a temporary file and opened read-only."""
    version = _version(archive, name)
    data = archive.read(_COLLECTIONS[version])
    if version == LATEST_VERSION:
        data = _unzstd(data, name)
    with tempfile.TemporaryDirectory(prefix="recall-import-") as tmp:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(data)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            yield conn, version
        finally:
            conn.close()


def _unzstd(data: bytes, name: str) -> bytes:
    import zstandard

    try:
        return zstandard.ZstdDecompressor().stream_reader(data).read()
    except zstandard.ZstdError as exc:
        raise RecallError(f"corrupt package: {exc}", name) from None


def _read(conn: sqlite3.Connection, path: Path) -> Package:
    (ver,) = conn.execute("select ver from col").fetchone()
    if ver >= 15:
        notetypes, decks = _notetypes_v18(conn), _decks_v18(conn)
        rollover = _config_int(conn, "rollover", 4)
    else:
        models, deck_json, conf = conn.execute("select models, decks, conf from col").fetchone()
        notetypes = {int(k): _notetype_json(v) for k, v in json.loads(models).items()}
        decks = {int(k): v["name"] for k, v in json.loads(deck_json).items()}
        rollover = int(json.loads(conf or "{}").get("rollover", 4))
    (crt,) = conn.execute("select crt from col").fetchone()
    notes = {
        nid: Note(nid, guid, mid, tuple(flds.split("\x1f")), tuple(tags.split()), mod)
        for nid, guid, mid, flds, tags, mod in conn.execute(
            "select id, guid, mid, flds, tags, mod from notes"
        )
    }
    cards = [
        Card(cid, nid, odid or did, ord_, type_, queue, odue if odid else due, ivl, reps,
             lapses, data or "")
        for cid, nid, did, odid, ord_, type_, queue, due, odue, ivl, reps, lapses, data
        in conn.execute("select id, nid, did, odid, ord, type, queue, due, odue, ivl, reps, "
                        "lapses, data from cards order by id")
    ]  # fmt: skip
    reviews: dict[int, list[Review]] = {}
    for row in conn.execute(
        "select id, cid, ease, ivl, lastIvl, time, type from revlog order by id"
    ):
        reviews.setdefault(row[1], []).append(Review(*row))
    return Package(path, crt, rollover, decks, notetypes, notes, cards, reviews)


def _notetype_json(model: dict[str, Any]) -> NoteType:
    return NoteType(
        int(model["id"]), model["name"], model.get("type") == 1,
        tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"])),
        tuple((t["qfmt"], t["afmt"]) for t in sorted(model["tmpls"], key=lambda t: t["ord"])),
    )  # fmt: skip


def _notetypes_v18(conn: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("select ntid, name from fields order by ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in conn.execute("select ntid, config from templates order by ntid, ord"):
        parsed = _proto(config)
        q, a = (_text(parsed.get(n, [b""])[0]) for n in (1, 2))
        templates.setdefault(ntid, []).append((q, a))
    out = {}
    for ntid, name, config in conn.execute("select id, name, config from notetypes"):
        kind = int(_proto(config).get(1, [0])[0])
        out[ntid] = NoteType(ntid, name, kind == 1, tuple(fields.get(ntid, ())),
                             tuple(templates.get(ntid, ())))  # fmt: skip
    return out


def _decks_v18(conn: sqlite3.Connection) -> dict[int, str]:
    return {
        did: name.replace("\x1f", "::") for did, name in conn.execute("select id, name from decks")
    }


def _config_int(conn: sqlite3.Connection, key: str, default: int) -> int:
    row = conn.execute("select val from config where key = ?", [key]).fetchone()
    try:
        return int(json.loads(row[0])) if row else default
    except (ValueError, TypeError):
        return default


def _text(value: int | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else ""


def _media(archive: zipfile.ZipFile, version: int, name: str) -> dict[str, bytes]:
    """The package's media files by name, each name checked to stay inside a folder."""
    if "media" not in archive.namelist():
        return {}
    raw = archive.read("media")
    entries: list[tuple[str, str]] = []  # (file name, zip member)
    if version == LATEST_VERSION:
        for i, entry in enumerate(_proto(_unzstd(raw, name)).get(1, [])):
            assert isinstance(entry, bytes)
            fields = _proto(entry)
            member = fields.get(255, [i])[0]
            entries.append((_text(fields.get(1, [b""])[0]), str(member)))
    else:
        try:
            listing = json.loads(raw or b"{}")
        except ValueError:
            raise RecallError("corrupt package: its media list is not JSON", name) from None
        entries = [(str(v), str(k)) for k, v in listing.items()]
    out = {}
    for file, zip_name in entries:
        if not _SAFE_MEDIA.fullmatch(file) or file in {".", ".."}:
            raise RecallError(f"unsafe media file name {file!r} in the package", name)
        data = archive.read(zip_name)
        out[file] = _unzstd(data, name) if version == LATEST_VERSION else data
    return out


def _proto(data: bytes) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields by number (varints and length-delimited only; the few
    messages read here — package meta, media list, note type and template config — need no
    more, and Anki's generated classes are not a dependency of recall)."""
    out: dict[int, list[int | bytes]] = {}
    i, n = 0, len(data)
    while i < n:
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
            continue
        else:
            raise ValueError(f"protobuf wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data):
            raise ValueError("truncated protobuf")
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            return value, i
        shift += 7
