"""Near-duplicates: the same wire story republished with small changes, found by SimHash.

A 64-bit SimHash over word 3-shingles of title and text changes in only a few bits when
a few words change (one changed word in a 70-word story moves about 5 bits; unrelated
texts differ in about 32). Candidates are found with four indexed equality lookups on
16-bit bands instead of comparing against every item: fingerprints within 3 bits always
share a band (pigeonhole), within `MAX_DISTANCE` most do — a near-duplicate missed
there is shown twice, which is the cheap kind of mistake.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
MAX_DISTANCE = 7  # chance of unrelated texts this close: about 1 in 10^10
MIN_WORDS = 12  # fewer words than this fingerprint too little to call two items the same
SHINGLE = 3
MAX_CHARS = 20_000  # a long article's beginning identifies it; the rest only costs time

_word = re.compile(r"\w+")


def simhash(text: str) -> int | None:
    """The signed 64-bit SimHash of `text`, or None when it is too short to tell apart."""
    words = _word.findall(text[:MAX_CHARS].lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(-1, BITS)
    packed = np.packbits(bits.sum(axis=0) * 2 > len(shingles))
    return int.from_bytes(packed.tobytes(), "big", signed=True)


def bands(fingerprint: int) -> list[int]:
    """The four 16-bit bands of a fingerprint, most significant first."""
    unsigned = fingerprint & (2**BITS - 1)
    return [(unsigned >> (BITS - BAND_BITS * (n + 1))) & (2**BAND_BITS - 1)
            for n in range(BANDS)]


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return ((a ^ b) & (2**BITS - 1)).bit_count()


def is_near_duplicate(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and distance(a, b) <= MAX_DISTANCE
