"""The statistics' settings: their defaults as the issue asks, bad values refused."""

from __future__ import annotations

import pytest

from rabkor.core.errors import ConfigError
from rabkor.core.settings import Settings, load_settings


def test_the_defaults():
    settings = Settings()
    assert settings.stats_enabled and settings.stats_honour_dnt
    assert (settings.stats_heavy_hitter_pages, settings.stats_retention_days) == (1000, 31)


@pytest.mark.parametrize(("name", "value"), [("STATS_HEAVY_HITTER_PAGES", "0"),
                                             ("STATS_BURST_PAGES", "-1"),
                                             ("STATS_RETENTION_DAYS", "-3")])
def test_bad_values_are_refused(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name.lower()):
        load_settings(tmp_path / "none.toml", {f"RABKOR_{name}": value})


def test_switched_off_by_the_environment(tmp_path):
    settings = load_settings(tmp_path / "none.toml", {"RABKOR_STATS_ENABLED": "false",
                                                      "RABKOR_STATS_HONOUR_DNT": "no"})
    assert not settings.stats_enabled and not settings.stats_honour_dnt
