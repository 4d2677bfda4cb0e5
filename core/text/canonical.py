"""The one URL that uniqueness uses, whatever variant of an address a feed published.

Feeds link the same article as http and https, with tracking parameters, through AMP
and mobile mirrors, with or without a trailing slash; all of those are one item. The
canonical form is for comparing only: the item keeps the URL the feed gave. In core
because the site compares a submitted link with those sent before it, and the crawler
with the items it stores.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "wickedid", "rb_clickid", "s_cid", "ncid", "cmpid", "ref_src",
    "spm", "amp", "outputtype",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "itm_", "at_")
HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")
_amp_path = re.compile(r"(?:/amp/?|/amp\.html|\.amp\.html|\.amp)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """`url` reduced to the form every variant of it shares; unparsable input comes back as is."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = _amp_path.sub("", parts.path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _is_tracking(k)))
    return urlunsplit(("https", host, path, query, ""))


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)
