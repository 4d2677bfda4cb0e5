"""The crawl's one writer: the Scrapy item pipeline that writes every outcome (a feed, a
304, an error, an article page) in one transaction each, and the item writes it uses."""
