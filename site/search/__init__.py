"""Whoosh search: schema, indexer, query."""
