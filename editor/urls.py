"""Links and redirects that stay inside the editor, standalone or mounted under a prefix.

`url_for` gives a path such as /editor/items/3/approve: no scheme or host taken from the
request, so pages behind a TLS-terminating proxy do not link back to plain http.
"""

from __future__ import annotations

from starlette.datastructures import URL
from starlette.requests import Request


def url_for(request: Request, name: str, /, **path_params: object) -> URL:
    return URL(request.url_for(name, **path_params).path)


def with_query(url: URL, **query: str) -> URL:
    """`url` with the non-empty `query` values, so links stay short and clean."""
    return url.include_query_params(**{key: value for key, value in query.items() if value})
