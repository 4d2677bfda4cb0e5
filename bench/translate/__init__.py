"""bench/translate: batched translation against the naive loop and raw CTranslate2."""
