"""The composition root: the command line, the demo, the scheduler of `rabkor run` and the
combined web server.

This is the only package that imports several stages; `core` imports none of them and
the stages meet only through the public interfaces named in pyproject.toml's
import-linter contracts. Reading order: `cli` (every command), `pipeline` (crawl →
translate → index, once or on a schedule), `server` (one ASGI app: site, editor, WebSub
callbacks; uvicorn with the pipeline beside it), `demo`.
"""
