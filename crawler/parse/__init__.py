"""Fetched bytes → cleaned drafts: charsets, feed formats, dates, the crawler's sanitizing,
article extraction. Runs in parse worker processes, so nothing here imports the store."""
