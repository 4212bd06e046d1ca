"""The catalog's SQLite schema: documents, chunks, the FTS5 index kept in step by triggers, and the
bookkeeping tables of the two-store write (pending vectors, garbage, meta). ingest/catalog.py opens it."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  source TEXT PRIMARY KEY,
  doc_hash TEXT NOT NULL,
  title TEXT NOT NULL,
  source_type TEXT NOT NULL,
  language TEXT NOT NULL,
  n_chunks INTEGER NOT NULL,
  root TEXT NOT NULL DEFAULT '',
  ingested_at REAL NOT NULL,
  names TEXT NOT NULL DEFAULT '[]',
  provenance TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS chunks (
  rowid INTEGER PRIMARY KEY,
  id TEXT UNIQUE NOT NULL,
  source TEXT NOT NULL,
  ord INTEGER NOT NULL,
  text TEXT NOT NULL,
  title TEXT NOT NULL,
  page INTEGER,
  section TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  source_type TEXT NOT NULL,
  doc_hash TEXT NOT NULL,
  extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  text, section, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text, section) VALUES (new.rowid, new.text, new.section);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text, section) VALUES ('delete', old.rowid, old.text, old.section);
END;
-- vectors written to Chroma whose catalog commit has not happened yet (crash recovery)
CREATE TABLE IF NOT EXISTS pending (source TEXT PRIMARY KEY, ids TEXT NOT NULL, started REAL NOT NULL);
-- vectors whose catalog rows are gone and that still have to be deleted from Chroma
CREATE TABLE IF NOT EXISTS garbage (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
