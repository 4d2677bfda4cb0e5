"""Crawler stage: fetch sources, parse feeds, sanitize, store new items."""
