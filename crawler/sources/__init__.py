"""What is crawled and when: adding sources (by feed, site or OPML), which are due, when
each is fetched next, and each source's health (active, failing, disabled)."""
