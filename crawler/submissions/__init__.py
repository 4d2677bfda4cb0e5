"""Correspondents' submitted links made into items: fetched through the address guard,
recognised, read and checked against the store (process.py)."""
