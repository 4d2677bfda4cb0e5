"""Rabkor's exceptions: one small family per boundary, each with a message a person can act on.

Each class says in its docstring what it means for the person who meets it, and in `status`
which HTTP status it is when it reaches a web application: the editor, the site and the
WebSub callbacks each render every `RabkorError` through one handler with `exc.status`.
A stage's own errors live in that stage (`rabkor.editor.errors`, `rabkor.crawler.websub`…);
the ones several stages raise live here. No function returns -1 or None to mean an error.
"""

from __future__ import annotations


class RabkorError(Exception):
    """Something Rabkor refused or could not do, said so that a person can act on it.

    Raised as it is, it is Rabkor's own failure (HTTP 500) until a subclass says otherwise.
    """

    status: int = 500


class InvalidInput(RabkorError):
    """What was given cannot be used as it is; the message says which part and why."""

    status = 400


class NotFound(RabkorError):
    """The thing asked for (a source, a user, an item by its id) does not exist."""

    status = 404


class AlreadyExists(RabkorError):
    """Something with this name or address exists already; nothing was changed."""

    status = 409


class ConfigError(RabkorError):
    """The configuration file or environment holds something unusable."""


class FetchError(RabkorError):
    """A source could not be fetched (network, status, size, address refused): the far
    server or the way to it failed, as a gateway's would."""

    status = 502


class FeedParseError(RabkorError):
    """A body is not a feed that can be read (to a WebSub hub pushing it: a bad request)."""

    status = 400


class TranslationUnavailable(RabkorError):
    """No configured engine translates this language pair right now."""

    status = 503


class PackageError(RabkorError):
    """A translation package is missing, corrupt or cannot be installed."""


class QueryError(RabkorError):
    """A search query cannot be understood; the message says what to change."""

    status = 400


class InvalidTransition(RabkorError):
    """A move that the current state of its lifecycle does not allow (an item already
    approved, a subscription never asked for…): nothing was changed."""

    status = 409
