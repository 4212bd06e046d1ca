"""The catalog: SQLite holding per-document records, chunk records and the lexical (FTS5/BM25) index.

The catalog is the source of truth for what is indexed. A chunk is visible to queries only once
its document's catalog transaction has committed; Chroma may briefly hold extra vectors (written
before the commit, or not yet deleted after it), which queries ignore and recovery removes.
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ingest.catalog_schema import SCHEMA
from ingest.lexical_sparse import SparseBM25
from ingest.records import Chunk, Provenance
from ingest.store_errors import open_error
from lexcite.text import stopwords

_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = stopwords.INDEX


@dataclass(frozen=True)
class DocRecord:
    source: str
    doc_hash: str
    title: str
    source_type: str
    language: str
    n_chunks: int
    root: str
    ingested_at: float
    names: tuple[str, ...] = ()  # title, aliases and the names the text gives itself (ingest/names.py)
    provenance: Provenance = Provenance()  # file sha256, extractor, chunker version (set after the commit)

    @classmethod
    def from_row(cls, row) -> "DocRecord":
        d = dict(row)
        d["names"] = tuple(json.loads(d.get("names") or "[]"))
        d["provenance"] = Provenance.from_dict(json.loads(d.get("provenance") or "{}"))
        return cls(**d)


def query_words(text: str) -> list[str]:
    """The question's content words, once each, at most 64: what the lexical search looks for."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
    seen: list[str] = []
    for w in words:
        if w not in seen:
            seen.append(w)
    return seen[:64]


def fts_query(text: str) -> str:
    """A safe FTS5 query: the question's content words, OR-ed, each quoted (no FTS syntax leaks)."""
    return " OR ".join(f'"{w}"' for w in query_words(text))


class Catalog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        try:
            self._open()
        except (OSError, sqlite3.Error) as exc:
            self._local.con = None
            raise open_error(self.path, exc) from None

    def _open(self) -> None:
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            con.executescript(SCHEMA)
            columns = {r[1] for r in con.execute("PRAGMA table_info(chunks)")}
            if "extra" not in columns:  # an index written before page labels, languages and OCR flags
                con.execute("ALTER TABLE chunks ADD COLUMN extra TEXT NOT NULL DEFAULT '{}'")
            if "names" not in {r[1] for r in con.execute("PRAGMA table_info(documents)")}:
                con.execute("ALTER TABLE documents ADD COLUMN names TEXT NOT NULL DEFAULT '[]'")
            if "provenance" not in {r[1] for r in con.execute("PRAGMA table_info(documents)")}:
                # a catalog written before provenance was kept: empty until the next `lexcite ingest` fills it
                con.execute("ALTER TABLE documents ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}'")

    def connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.row_factory = sqlite3.Row
            self._local.con = con
        return _Tx(con)

    # ---- reads ---------------------------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        with self.connect() as con:
            rows = con.execute("SELECT * FROM documents ORDER BY source").fetchall()
        return [DocRecord.from_row(r) for r in rows]

    def document(self, source: str) -> DocRecord | None:
        with self.connect() as con:
            row = con.execute("SELECT * FROM documents WHERE source=?", (source,)).fetchone()
        return DocRecord.from_row(row) if row else None

    def chunk_ids(self, source: str | None = None) -> list[str]:
        with self.connect() as con:
            if source is None:
                rows = con.execute("SELECT id FROM chunks ORDER BY source, ord").fetchall()
            else:
                rows = con.execute("SELECT id FROM chunks WHERE source=? ORDER BY ord", (source,)).fetchall()
        return [r[0] for r in rows]

    def count_chunks(self) -> int:
        with self.connect() as con:
            return con.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def documents_stamp(self) -> tuple:
        """Changes whenever a document is added, replaced or removed (cheap: no rows are read)."""
        with self.connect() as con:
            n, last = con.execute("SELECT count(*), coalesce(max(ingested_at), 0) FROM documents").fetchone()
        return n, last

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        ids = list(ids)
        with self.connect() as con:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                q = f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})"
                for r in con.execute(q, part):
                    out[r["id"]] = row_chunk(r)
        return out

    def iter_chunks(self, source: str | None = None) -> Iterator[Chunk]:
        with self.connect() as con:
            if source is None:
                rows = con.execute("SELECT * FROM chunks ORDER BY source, ord").fetchall()
            else:
                rows = con.execute("SELECT * FROM chunks WHERE source=? ORDER BY ord", (source,)).fetchall()
        for r in rows:
            yield row_chunk(r)

    def sources_containing(self, phrase: str) -> set[str]:
        """The documents whose text or section holds `phrase` (its words in order, FTS5 tokenisation)."""
        tokens = _TOKEN.findall(phrase.lower())
        if not tokens:
            return set()
        match = '"' + " ".join(tokens) + '"'
        with self.connect() as con:
            rows = con.execute("SELECT DISTINCT c.source FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
                               "WHERE chunks_fts MATCH ?", (match,)).fetchall()
        return {r[0] for r in rows}

    def chunks_with_section(self, pattern: str, sources: Sequence[str] | None = None) -> list[Chunk]:
        """Chunks whose section matches the SQL LIKE `pattern` (e.g. "%Article 21%"), in document order."""
        sql = "SELECT * FROM chunks WHERE section LIKE ?"
        params: list = [pattern]
        if sources:
            sql += f" AND source IN ({','.join('?' * len(sources))})"
            params += list(sources)
        with self.connect() as con:
            rows = con.execute(sql + " ORDER BY source, ord", params).fetchall()
        return [row_chunk(r) for r in rows]

    def lexical_search(
        self, query: str, k: int, sources: Sequence[str] | None = None, source_types: Sequence[str] | None = None,
        weights: tuple[float, float] = (1.0, 0.5),
    ) -> list[tuple[Chunk, float]]:
        """BM25 over chunk text and section (column `weights`), best first; score = -bm25 (higher is better).

        Answered from the sparse in-memory copy of the FTS5 index when it is up to date with the catalog
        (ingest/lexical_sparse.py: the same ranking, ~100x cheaper at 100k chunks), else by FTS5 itself."""
        words = query_words(query)
        if not words:
            return []
        hits = self.lexical.search_now(words, int(k), sources, source_types, weights)
        if hits is not None:
            return self._committed(hits)
        match = " OR ".join(f'"{w}"' for w in words)
        bm25 = f"bm25(chunks_fts, {float(weights[0])!r}, {float(weights[1])!r})"
        admits, args = _doc_filter(sources, source_types, "c.")
        params: list = [match] + args + [int(k)]
        if sources or source_types:  # join, then filter (a `rowid IN (subquery)` inside FTS is 100x slower)
            sql = (f"SELECT c.*, {bm25} AS rank FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
                   f"WHERE chunks_fts MATCH ? AND {admits} ORDER BY rank LIMIT ?")
        else:  # rank inside FTS first, then join the few winners (2-3x faster than joining every match)
            sql = (f"SELECT c.*, f.s AS rank FROM (SELECT rowid, {bm25} AS s FROM chunks_fts WHERE chunks_fts MATCH ? "
                   "ORDER BY s LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid ORDER BY f.s")
        with self.connect() as con:
            rows = con.execute(sql, params).fetchall()
        return [(row_chunk(r), -float(r["rank"])) for r in rows]

    @cached_property
    def lexical(self) -> SparseBM25:
        return SparseBM25(self.connect, self.documents_stamp, self.count_chunks)

    def _committed(self, hits: Sequence[tuple[int, str, float]]) -> list[tuple[Chunk, float]]:
        """The rows of (rowid, chunk id, score) hits that the catalog still holds, in hit order."""
        if not hits:
            return []
        with self.connect() as con:
            rows = {r["rowid"]: r for r in con.execute(
                f"SELECT rowid, * FROM chunks WHERE rowid IN ({','.join('?' * len(hits))})", [h[0] for h in hits])}
        return [(row_chunk(rows[r]), score) for r, cid, score in hits if r in rows and rows[r]["id"] == cid]

    # ---- the write protocol (see ingest/index.py) ------------------------------------------------
    def begin_pending(self, source: str, ids: Iterable[str]) -> None:
        self.begin_pending_many([(source, list(ids))])

    def begin_pending_many(self, items: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Record, in one transaction, the chunk ids about to be written to Chroma for each source."""
        now = time.time()
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT OR REPLACE INTO pending(source, ids, started) VALUES (?,?,?)",
                    [(source, json.dumps(list(ids)), now) for source, ids in items],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def commit_document(self, doc: DocRecord, chunks: Sequence[Chunk]) -> list[str]:
        """Atomically replace a document's rows; return the chunk ids now garbage in Chroma."""
        new_ids = {c.id for c in chunks}
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                old_ids = [r[0] for r in con.execute("SELECT id FROM chunks WHERE source=?", (doc.source,))]
                con.execute("DELETE FROM chunks WHERE source=?", (doc.source,))
                con.executemany(
                    'INSERT INTO chunks(id, source, ord, text, title, page, section, start, "end", source_type, doc_hash, '
                    "extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (c.id, c.source, i, c.text, c.title, c.page, c.section, c.start, c.end, c.source_type, c.doc_hash,
                         json.dumps(c.extra()))
                        for i, c in enumerate(chunks)
                    ],
                )
                con.execute(
                    "INSERT OR REPLACE INTO documents(source, doc_hash, title, source_type, language, n_chunks, root, "
                    "ingested_at, names) VALUES (?,?,?,?,?,?,?,?,?)",
                    (doc.source, doc.doc_hash, doc.title, doc.source_type, doc.language, len(chunks), doc.root,
                     doc.ingested_at, json.dumps(list(doc.names))),
                )
                garbage = [i for i in old_ids if i not in new_ids]
                con.executemany("INSERT OR IGNORE INTO garbage(id) VALUES (?)", [(i,) for i in garbage])
                con.execute("DELETE FROM pending WHERE source=?", (doc.source,))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return garbage

    def remove_document(self, source: str) -> list[str]:
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                ids = [r[0] for r in con.execute("SELECT id FROM chunks WHERE source=?", (source,))]
                con.execute("DELETE FROM chunks WHERE source=?", (source,))
                con.execute("DELETE FROM documents WHERE source=?", (source,))
                con.executemany("INSERT OR IGNORE INTO garbage(id) VALUES (?)", [(i,) for i in ids])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return ids

    def pending(self) -> dict[str, list[str]]:
        with self.connect() as con:
            return {r["source"]: json.loads(r["ids"]) for r in con.execute("SELECT * FROM pending")}

    def clear_pending(self, source: str) -> None:
        with self.connect() as con:
            con.execute("DELETE FROM pending WHERE source=?", (source,))

    def garbage(self) -> list[str]:
        with self.connect() as con:
            return [r[0] for r in con.execute("SELECT id FROM garbage")]

    def clear_garbage(self, ids: Sequence[str]) -> None:
        with self.connect() as con:
            con.executemany("DELETE FROM garbage WHERE id=?", [(i,) for i in ids])

    def set_provenance(self, items: Sequence[tuple[str, Provenance]]) -> None:
        """Record how each document's text was made (a replaced document's row starts without it)."""
        with self.connect() as con:
            con.executemany("UPDATE documents SET provenance=? WHERE source=?",
                            [(json.dumps(p.to_dict()), source) for source, p in items])

    def set_root(self, source: str, root: str) -> None:
        """Record the folder a document was last found under (the scope for removing deleted files)."""
        with self.connect() as con:
            con.execute("UPDATE documents SET root=? WHERE source=?", (root, source))

    def consistency(self) -> dict[str, int | bool]:
        """Counts that must agree after every ingest: chunk rows, FTS rows, per-document totals."""
        with self.connect() as con:
            con.execute("BEGIN")
            try:
                chunks = con.execute("SELECT count(*) FROM chunks").fetchone()[0]
                fts = con.execute("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0]
                declared = con.execute("SELECT coalesce(sum(n_chunks), 0) FROM documents").fetchone()[0]
                orphan_rows = con.execute(
                    "SELECT count(*) FROM chunks WHERE source NOT IN (SELECT source FROM documents)"
                ).fetchone()[0]
                pending = con.execute("SELECT count(*) FROM pending").fetchone()[0]
                garbage = con.execute("SELECT count(*) FROM garbage").fetchone()[0]
            finally:
                con.execute("COMMIT")
            try:  # rank=1: also compare the index with the content table
                con.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")
                fts_ok = True
            except sqlite3.DatabaseError:
                fts_ok = False
        return {"chunks": chunks, "fts_rows": fts, "declared_chunks": declared, "orphan_rows": orphan_rows,
                "pending": pending, "garbage": garbage, "fts_ok": fts_ok}

    def filter_count(self, sources: Sequence[str] | None, source_types: Sequence[str] | None) -> tuple[int, int]:
        """(chunks the filter admits, all chunks), from the documents' chunk counts (no chunk rows read)."""
        admits, args = _doc_filter(sources, source_types)
        with self.connect() as con:
            total = con.execute("SELECT coalesce(sum(n_chunks), 0) FROM documents").fetchone()[0]
            admitted = con.execute(f"SELECT coalesce(sum(n_chunks), 0) FROM documents WHERE {admits}", args).fetchone()[0]
        return int(admitted), int(total)

    def filtered_ids(self, sources: Sequence[str] | None, source_types: Sequence[str] | None) -> list[str]:
        """Every committed chunk id the filter admits."""
        admits, args = _doc_filter(sources, source_types)
        with self.connect() as con:
            return [r[0] for r in con.execute(f"SELECT id FROM chunks WHERE {admits}", args)]

    def known_ids(self, ids: Sequence[str], sources: Sequence[str] | None = None,
                  source_types: Sequence[str] | None = None) -> set[str]:
        """Those of `ids` that are committed chunks (of documents the filter admits, when one is given)."""
        out: set[str] = set()
        ids = list(dict.fromkeys(ids))
        admits, args = _doc_filter(sources, source_types)
        with self.connect() as con:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                q = f"SELECT id FROM chunks WHERE id IN ({','.join('?' * len(part))}) AND {admits}"
                out.update(r[0] for r in con.execute(q, part + args))
        return out

    def set_meta(self, key: str, value: str) -> None:
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, value))

    def get_meta(self, key: str, default: str = "") -> str:
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default


class _Tx:
    """`with catalog.connect() as con:` yields the thread's connection (autocommit mode)."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc) -> None:
        return None


def row_chunk(r: sqlite3.Row) -> Chunk:
    return Chunk(
        id=r["id"],
        text=r["text"],
        source=r["source"],
        title=r["title"],
        page=r["page"],
        section=r["section"],
        start=r["start"],
        end=r["end"],
        source_type=r["source_type"],
        doc_hash=r["doc_hash"],
        **Chunk.extra_fields(json.loads(r["extra"] or "{}") if "extra" in r.keys() else {}),
    )


def _doc_filter(sources: Sequence[str] | None, source_types: Sequence[str] | None, prefix: str = "") -> tuple[str, list]:
    """A condition (with its arguments) on the `source` / `source_type` columns ("1" when nothing is filtered),
    for a WHERE clause: `prefix` names the table ("c.")."""
    clauses, args = [], []
    if sources:
        clauses.append(f"{prefix}source IN ({','.join('?' * len(sources))})")
        args += list(sources)
    if source_types:
        clauses.append(f"{prefix}source_type IN ({','.join('?' * len(source_types))})")
        args += list(source_types)
    return (" AND ".join(clauses) or "1"), args
