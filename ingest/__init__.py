"""Ingestion: files -> Documents -> Chunks -> Chroma (+ lexical index), kept in step."""
