"""The two embedded engines behind engine.py: tantivy (default) and Whoosh."""
