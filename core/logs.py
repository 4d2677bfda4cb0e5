"""Logging configured in one place, with stable keys (source_id, item_id, url) in messages."""

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format=FORMAT)
    for noisy in ("scrapy", "twisted", "stanza", "argostranslate", "filelock", "httpx"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
