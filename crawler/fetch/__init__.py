"""How sources are fetched, safely: the address guard on every connection, Scrapy bounded
in size, time and redirects, the feed spider, and article pages of summary-only items."""
