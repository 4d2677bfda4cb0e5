"""Rabkor's exceptions: one small family per boundary, each with a message a person can act on."""


class RabkorError(Exception):
    """Base of every error Rabkor raises on purpose."""


class ConfigError(RabkorError):
    """The configuration file or environment holds something unusable."""


class FetchError(RabkorError):
    """A source could not be fetched (network, status, size, address refused)."""


class FeedParseError(RabkorError):
    """A fetched body is not a feed that can be read."""


class TranslationUnavailable(RabkorError):
    """No configured engine translates this language pair."""


class PackageError(RabkorError):
    """A translation package is missing, corrupt or cannot be installed."""


class QueryError(RabkorError):
    """A search query cannot be understood."""


class InvalidTransition(RabkorError):
    """An editorial action that the item's current state does not allow."""
