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
MAX_CHARS = 20_000  # a long article's beginning identifies it; the rest only costs time

WORD_CACHE = 20_000  # words whose hashes are remembered (about 3 MB)

_word = re.compile(r"\w+")
_word_hashes: dict[str, int] = {}
# odd multipliers (golden ratio, xxhash's prime): a shingle's hash depends on word order
_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def simhash(text: str) -> int | None:
    """The signed 64-bit SimHash of `text`, or None when it is too short to tell apart."""
    words = _word.findall(text[:MAX_CHARS].lower())
    if len(words) < MIN_WORDS:
        return None
    hashes = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        shingles = hashes[:-2] * _K1 + hashes[1:-1] * _K2 + hashes[2:]
        shingles = np.unique(_mix(shingles))  # a phrase said twice counts once
    bits = np.unpackbits(shingles.view(np.uint8)).reshape(-1, BITS)
    packed = np.packbits(bits.sum(axis=0) * 2 > len(shingles))
    return int.from_bytes(packed.tobytes(), "big", signed=True)


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a word, remembered: news vocabulary repeats, and hashing
    each word once instead of each 3-word shingle halves SimHash's cost."""
    found = _word_hashes.get(word)
    if found is None:
        if len(_word_hashes) >= WORD_CACHE:
            _word_hashes.clear()
        found = _word_hashes[word] = int.from_bytes(
            hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
    return found


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every input bit flips about half of the output bits, so
    each shingle's 64 bits vote independently."""
    values = values ^ (values >> np.uint64(30))
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


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
