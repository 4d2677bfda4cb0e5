"""Crawler stage: sources in, sanitized and de-duplicated items out, in the store.

The data's way, one subpackage a step (each one's docstring says what it holds):

    sources/   what is crawled and when: adding (autodiscovery, OPML), due sources,
               the polling schedule, crawl health
    fetch/     how it is fetched, safely: the address guard, bounded Scrapy settings,
               the feed spider, article pages of summary-only items
    parse/     bytes → `draft.DraftItem`s: charsets, feeds (RSS, Atom, JSON Feed),
               dates, sanitizing, extracted articles; in parse worker processes
    analyse/   what a draft's words say: language, canonical URL, SimHash
    store/     the one writer: every outcome of a fetch is written by the store pipeline
    sitemap/   sites without feeds, beside fetch and parse
    websub/    push instead of polling, beside fetch

`run.crawl` is the entry point; it runs `process` (Scrapy's reactor) in a child process.
`draft` holds the shapes that flow between the steps.
"""
