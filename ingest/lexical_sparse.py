"""BM25 over the catalog's chunks as a sparse matrix in memory: FTS5's ranking, without FTS5's cost.

Why: an FTS5 query OR-s the question's words, so a common word makes nearly every chunk a match and
SQLite computes bm25() for each of them: ~100 ms at 100k chunks. Here each word's postings are a
column of a sparse matrix and a question costs a few vector additions over those columns.

Exactly FTS5's numbers: the terms come from SQLite's own tokenizer (`porter unicode61 remove_diacritics
2`, the catalog's), applied to each distinct whitespace-separated piece of text (the tokenizer never
joins across whitespace, so this equals tokenizing the whole text), and the score is FTS5's bm25 with
column weights (k1 = 1.2, b = 0.75, idf floored at 1e-6, document length = tokens in all columns).
`bench/scale.py` compares the two side by side; tests check they rank alike.

The catalog stays the source of truth: the matrix is a cache of its committed rows, keyed by
(rowid, chunk id) and brought up to date whenever the catalog's document stamp changes (another
process's ingest included); hits are read back from the catalog, so a row deleted since is dropped, never
shown. A query this index cannot express (a quoted word that is more than one token) goes to FTS5.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75
BATCH_ROWS = 2000  # rows tokenized at a time (bounds the memory a build needs beyond the matrix)
BUILD_AFTER = 3  # questions a process asks of a large catalog before it builds the matrix (see search_now)
SYNC_BELOW = 2_000  # chunks: a catalog this small is tokenized before the question (~0.1 s), a larger one in the background
TOKENIZER = "porter unicode61 remove_diacritics 2"  # must equal the catalog's chunks_fts tokenizer


class Tokenizer:
    """FTS5's tokenizer, per distinct whitespace-separated piece (memoised), via an in-memory FTS5 table."""

    def __init__(self):
        self._con = sqlite3.connect(":memory:", check_same_thread=False)
        self._con.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{TOKENIZER}')")
        self._con.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        self._terms: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def terms_of(self, pieces: Sequence[str], remember: bool = True) -> dict[str, tuple[str, ...]]:
        """The FTS5 terms of each piece, in order (a piece like `non-EU` holds two). `remember=False` for a
        bulk pass whose caller keeps its own table (the index build), so the pieces are not held twice."""
        pieces = list(dict.fromkeys(pieces))
        todo = [p for p in pieces if p not in self._terms]
        if not remember:
            return {p: self._terms[p] for p in pieces if p in self._terms} | self._tokenize(todo)
        if todo:
            self._terms.update(self._tokenize(todo))
        return {p: self._terms[p] for p in pieces}

    def _tokenize(self, todo: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[int, list[tuple[int, str]]] = {}
        with self._lock:  # one in-memory table, shared by the threads asking
            for start in range(0, len(todo), 5000):
                part = todo[start:start + 5000]
                self._con.execute("DELETE FROM t")
                self._con.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(part, start))
                for term, doc, offset in self._con.execute("SELECT term, doc, offset FROM v"):
                    found.setdefault(doc, []).append((offset, term))
        return {p: tuple(t for _, t in sorted(found.get(i, ()))) for i, p in enumerate(todo)}


@dataclass(frozen=True)
class _Matrix:
    """One immutable snapshot of the catalog's rows: postings by term (CSC) and per-row facts."""

    stamp: tuple
    rowids: np.ndarray  # int64 catalog rowid of each row, ascending
    ids: tuple  # chunk id of each row
    source: np.ndarray  # int32 code into `sources`
    source_type: np.ndarray  # int32 code into `types`
    length: np.ndarray  # float64 tokens in all columns (FTS5's document size)
    norm: np.ndarray  # k1 * (1 - b + b * length / avgdl), per row
    indptr: np.ndarray  # postings of term column j: indptr[j]:indptr[j+1]
    rows: np.ndarray  # int32 row of each posting, ascending within a term
    tf_text: np.ndarray  # uint16 occurrences in `text`
    tf_section: np.ndarray  # uint16 occurrences in `section`
    df: np.ndarray  # float64 rows holding each term
    sources: dict
    types: dict


def _empty(n_terms: int = 0) -> _Matrix:
    z = np.zeros(0)
    return _Matrix((), z.astype(np.int64), (), z.astype(np.int32), z.astype(np.int32), z, z,
                   np.zeros(n_terms + 1, dtype=np.int64), z.astype(np.int32), z.astype(np.uint16),
                   z.astype(np.uint16), np.zeros(n_terms), {}, {})


class SparseBM25:
    """The catalog's lexical index as a sparse matrix; `search` answers like FTS5 bm25() ORDER BY rank."""

    def __init__(self, connect, stamp, count):
        self._connect = connect  # () -> a context manager giving a connection to the catalog (Catalog.connect)
        self._stamp = stamp  # () -> the catalog's document stamp (changes with every document written)
        self._count = count  # () -> chunk rows in the catalog
        self._background: threading.Thread | None = None
        self._waiting = 0  # questions answered by FTS5 for want of a matrix
        self._tok = Tokenizer()
        self._terms: dict[str, int] = {}  # term -> column; only grows (a term no row holds has df 0)
        self._piece: dict[str, int] = {}  # whitespace-separated piece -> its number
        self._piece_col: list[int] = []  # piece number -> its one term's column; -1 no term, -2 several
        self._multi: dict[int, list[int]] = {}  # piece number -> columns, for the pieces of several terms
        self._matrix: _Matrix | None = None
        self._lock = threading.Lock()  # one sync at a time
        self._starting = threading.Lock()

    # ---- keeping in step with the catalog -------------------------------------------------------------
    def search_now(self, words: Sequence[str], k: int, sources: Sequence[str] | None = None,
                   source_types: Sequence[str] | None = None, weights: tuple[float, float] = (1.0, 0.5),
                   ) -> list[tuple[int, str, float]] | None:
        """`search` on an up-to-date matrix, or None when there is none yet (FTS5 answers meanwhile).

        A catalog of fewer than SYNC_BELOW chunks is brought up to date first (~0.1 s); a
        larger one in a background thread at low priority, so no question waits for the tokenizing: the
        first questions of a process, and those right after another process's ingest, go to FTS5. The
        first build starts at the BUILD_AFTER-th question (a one-question `lexcite ask` would spend seconds
        of CPU on an index it never uses) or at `Index.warm_lexical()` (a server before it listens)."""
        m = self.current()
        if m is None:
            if self._count() < SYNC_BELOW:
                m = self.sync()
            else:
                self._waiting += 1
                if self._waiting >= BUILD_AFTER or self._matrix is not None:
                    self.sync_in_background()
                return None
        return self.search(m, words, k, sources, source_types, weights)

    def sync_in_background(self) -> threading.Thread:
        """Start `sync` in a thread (one at a time); questions meanwhile never wait for it."""
        with self._starting:  # not `_lock`, which a running sync holds
            if self._background is None or not self._background.is_alive():
                self._background = threading.Thread(target=self._sync_quietly, name="lexcite-bm25", daemon=True)
                self._background.start()
            return self._background

    def _sync_quietly(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: this thread only
        except (AttributeError, OSError):
            pass
        try:
            self.sync()
        except Exception:  # noqa: BLE001 - FTS5 keeps answering; the next question tries again
            log.warning("the in-memory lexical index could not be built; FTS5 answers", exc_info=True)

    def current(self) -> _Matrix | None:
        """The snapshot if it matches the catalog now, else None (see `sync`)."""
        m = self._matrix
        return m if m is not None and m.stamp == self._stamp() else None

    def sync(self) -> _Matrix:
        """Bring the matrix up to the catalog: tokenize the rows added since, drop the rows gone."""
        with self._lock:
            stamp = self._stamp()  # read before the rows: the snapshot is at least as new as its stamp
            old = self._matrix or _empty()
            if old.stamp == stamp and self._matrix is not None:
                return old
            with self._connect() as con:
                present = con.execute("SELECT rowid, id, source, source_type FROM chunks ORDER BY rowid").fetchall()
                known = dict(zip(zip(old.rowids.tolist(), old.ids), range(len(old.ids))))
                new_keys = [(r, i) for r, i, _, _ in present if (r, i) not in known]
                batches, found = [], set()
                for start in range(0, len(new_keys), BATCH_ROWS):  # a batch at a time: bounded memory
                    rows = []
                    for at in range(start, min(start + BATCH_ROWS, len(new_keys)), 500):
                        part = [r for r, _ in new_keys[at:min(at + 500, start + BATCH_ROWS)]]
                        rows += con.execute(f"SELECT rowid, id, text, section FROM chunks WHERE rowid IN "
                                            f"({','.join('?' * len(part))})", part).fetchall()
                    wanted = set(new_keys[start:start + BATCH_ROWS])
                    rows = [r for r in rows if (r[0], r[1]) in wanted]  # a rowid reused since: not this chunk
                    found.update((r[0], r[1]) for r in rows)
                    batches.append(([(r[0], r[1]) for r in rows], self._tokenize(rows)))
            present = [p for p in present if (p[0], p[1]) in known or (p[0], p[1]) in found]
            self._matrix = self._merge(stamp, old, known, present, batches)
            return self._matrix

    def _merge(self, stamp, old: _Matrix, known: dict, present: list[tuple], batches: list) -> _Matrix:
        """The snapshot of `present` rows: the postings of the old rows still there, plus the tokenized
        `batches` ((keys, postings) of the rows added)."""
        n_terms = len(self._terms)
        # row numbers of the new snapshot: `present` order (rowid ascending)
        position = {(p[0], p[1]): n for n, p in enumerate(present)}
        old_to_new = np.full(len(old.ids), -1, dtype=np.int64)
        for key, at in known.items():
            old_to_new[at] = position.get(key, -1)
        old_cols = np.repeat(np.arange(len(old.indptr) - 1, dtype=np.int32), np.diff(old.indptr))
        old_rows = old_to_new[old.rows] if len(old.rows) else np.zeros(0, dtype=np.int64)
        alive = old_rows >= 0
        rows_parts, cols_parts = [old_rows[alive].astype(np.int32)], [old_cols[alive]]
        del old_rows, old_cols
        tft_parts, tfs_parts = [old.tf_text[alive]], [old.tf_section[alive]]
        length = np.zeros(len(present))
        kept = old_to_new >= 0
        length[old_to_new[kept]] = old.length[kept]
        for keys, (b_rows, b_cols, b_tft, b_tfs, b_len) in batches:
            at = np.fromiter((position[k] for k in keys), np.int32, len(keys))
            rows_parts.append(at[b_rows])
            cols_parts.append(b_cols)
            tft_parts.append(b_tft)
            tfs_parts.append(b_tfs)
            length[at] = b_len
        batches.clear()
        cols = np.concatenate(cols_parts)
        del cols_parts
        order = np.argsort(cols, kind="stable")  # by term; rows stay in rowid order within a term
        counts = np.bincount(cols, minlength=n_terms) if len(cols) else np.zeros(n_terms, dtype=np.int64)
        del cols
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        rows = np.concatenate(rows_parts)[order]
        tft = np.concatenate(tft_parts)[order]
        tfs = np.concatenate(tfs_parts)[order]
        del rows_parts, tft_parts, tfs_parts, order
        sources: dict[str, int] = {}
        types: dict[str, int] = {}
        src = np.fromiter((sources.setdefault(p[2], len(sources)) for p in present), np.int32, len(present))
        typ = np.fromiter((types.setdefault(p[3], len(types)) for p in present), np.int32, len(present))
        avgdl = float(length.mean()) if len(length) else 0.0
        norm = K1 * (1 - B + B * length / avgdl) if avgdl else np.full(len(length), K1)
        return _Matrix(stamp, np.array([p[0] for p in present], dtype=np.int64), tuple(p[1] for p in present),
                       src, typ, length, norm, indptr, rows, tft, tfs,
                       counts.astype(np.float64), sources, types)

    def _tokenize(self, rows: list[tuple]):
        """Postings (row, column, count in text, count in section) and token counts of (rowid, id, text,
        section) rows: each distinct piece through FTS5 once, the counting in numpy."""
        counted = [(Counter(r[2].split()), Counter(r[3].split())) for r in rows]
        fresh = [p for t, s in counted for p in (*t, *s) if p not in self._piece]
        if fresh:
            for piece, terms in self._tok.terms_of(fresh, remember=False).items():
                cols = [self._terms.setdefault(t, len(self._terms)) for t in terms]
                self._piece[piece] = len(self._piece_col)
                self._piece_col.append(cols[0] if len(cols) == 1 else (-1 if not cols else -2))
                if len(cols) > 1:
                    self._multi[self._piece[piece]] = cols
        pid: list[int] = []
        n: list[int] = []
        owner: list[int] = []
        column: list[int] = []
        for r, (text, section) in enumerate(counted):
            for c, pieces in ((0, text), (1, section)):
                pid.extend(map(self._piece.__getitem__, pieces))
                n.extend(pieces.values())
                owner.extend([r] * len(pieces))
                column.extend([c] * len(pieces))
        pid_a, n_a = np.asarray(pid, dtype=np.int64), np.asarray(n, dtype=np.float64)
        owner_a, col_a = np.asarray(owner, dtype=np.int64), np.asarray(column, dtype=np.int8)
        term = np.asarray(self._piece_col, dtype=np.int64)[pid_a] if len(pid_a) else pid_a
        multi = np.flatnonzero(term == -2)
        if len(multi):  # a piece of several tokens (`non-EU`): one entry per token
            extra = [(owner_a[i], t, n_a[i], col_a[i]) for i in multi for t in self._multi[int(pid_a[i])]]
            owner_a = np.concatenate([owner_a, [e[0] for e in extra]]).astype(np.int64)
            term = np.concatenate([term, [e[1] for e in extra]]).astype(np.int64)
            n_a = np.concatenate([n_a, [e[2] for e in extra]])
            col_a = np.concatenate([col_a, [e[3] for e in extra]]).astype(np.int8)
        real = term >= 0
        owner_a, term, n_a, col_a = owner_a[real], term[real], n_a[real], col_a[real]
        width = max(len(self._terms), 1)
        keys, inverse = np.unique(owner_a * width + term, return_inverse=True)
        tft = np.bincount(inverse, weights=n_a * (col_a == 0), minlength=len(keys))
        tfs = np.bincount(inverse, weights=n_a * (col_a == 1), minlength=len(keys))
        length = np.bincount(owner_a, weights=n_a, minlength=len(rows))
        return ((keys // width).astype(np.int32), (keys % width).astype(np.int32), tft.astype(np.uint16),
                tfs.astype(np.uint16), length)  # compact: a batch's postings wait for the merge

    # ---- queries --------------------------------------------------------------------------------------
    def search(self, m: _Matrix, words: Sequence[str], k: int, sources: Sequence[str] | None = None,
               source_types: Sequence[str] | None = None, weights: tuple[float, float] = (1.0, 0.5),
               ) -> list[tuple[int, str, float]] | None:
        """(rowid, chunk id, -bm25) best first, as FTS5 ranks `"w1" OR "w2" ...` with bm25(weights);
        None when a word is several tokens (FTS5 matches that as a phrase: let it answer)."""
        pieces = self._tok.terms_of(words)
        if any(len(pieces[w]) > 1 for w in words):
            return None
        n_rows = len(m.rowids)
        hit_rows, hit_scores = [], []
        for term in dict.fromkeys(t for w in words for t in pieces[w]):
            j = self._terms.get(term)
            if j is None or j >= len(m.df) or not m.df[j]:
                continue
            lo, hi = m.indptr[j], m.indptr[j + 1]
            rows = m.rows[lo:hi]
            idf = float(np.log((n_rows - m.df[j] + 0.5) / (m.df[j] + 0.5)))
            f = weights[0] * m.tf_text[lo:hi] + weights[1] * m.tf_section[lo:hi]
            hit_rows.append(rows)
            hit_scores.append((idf if idf > 0 else 1e-6) * f * (K1 + 1) / (f + m.norm[rows]))
        if not hit_rows:
            return []
        rows = np.concatenate(hit_rows)
        score = np.bincount(rows, weights=np.concatenate(hit_scores), minlength=n_rows)
        keep = np.bincount(rows, minlength=n_rows) > 0
        if sources:
            keep &= np.isin(m.source, [m.sources[s] for s in sources if s in m.sources])
        if source_types:
            keep &= np.isin(m.source_type, [m.types[t] for t in source_types if t in m.types])
        candidates = np.flatnonzero(keep)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-score[candidates], k - 1)[:k]]
        best = candidates[np.lexsort((m.rowids[candidates], -score[candidates]))]
        return [(int(m.rowids[r]), m.ids[r], float(score[r])) for r in best]
