"""Crawler stage: fetch sources, parse feeds, sanitize, store new items.

Read in this order: `sources` (what is crawled), `guard` and `fetch` (how it is fetched,
safely), `spider` (one request per due source), `parse` with `jsonfeed` (bytes → drafts,
`draft`), `clean` (sanitizing), `store` (idempotent writes, back-off), and `run` with
`process` (the entry point, and the child process that hosts Scrapy's reactor).
"""
