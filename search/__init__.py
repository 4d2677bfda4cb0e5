"""Search: one interface (engine.py) over two embedded engines, the query language,
the analysis of every site language, and the indexer that keeps the index in step with
the store."""
