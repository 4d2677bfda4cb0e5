"""Scrapy's downloader with CONCURRENT_REQUESTS_PER_DOMAIN actually holding under bursts.

Scrapy 2.19 counts a request against its host's slot only once the download coroutine
starts running, after the loop that checked for free slots has already emptied the
queue: twelve feeds on one host all go out at once with a limit of four (measured in
tests/crawler/test_politeness.py). Reserving the slot inside that loop closes the gap;
`Downloader._download` adds the same request to the set again and frees it when done.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.defer import _schedule_coro


class PerHostDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall or slot.download_delay():  # delayed slots: Scrapy's own path
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
