"""bench/langid: the crawler's language identification against raw lingua."""
