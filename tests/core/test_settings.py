"""Settings: defaults, TOML, environment precedence, clear errors, every setting documented."""

from pathlib import Path

import pytest

from rabkor.core.errors import ConfigError
from rabkor.core.settings import DEFAULT_LANGUAGES, documented, ensure_secret, load_settings


def test_defaults_then_file_then_environment(tmp_path: Path):
    cfg = tmp_path / "rabkor.toml"
    cfg.write_text('languages = ["en", "es"]\nport = 9000\n')
    assert load_settings(tmp_path / "missing.toml", env={}).languages == DEFAULT_LANGUAGES
    s = load_settings(cfg, env={"RABKOR_PORT": "9100"})
    assert s.languages == ("en", "es")
    assert s.port == 9100


def test_bad_configuration_says_what_is_wrong(tmp_path: Path):
    cfg = tmp_path / "rabkor.toml"
    cfg.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(cfg, env={})
    with pytest.raises(ConfigError, match="'port'"):
        load_settings(tmp_path / "none.toml", env={"RABKOR_PORT": "eighty"})
    with pytest.raises(ConfigError, match="'search_engine' is 'lucene'; it must be one of "
                                          "tantivy, whoosh"):
        load_settings(tmp_path / "none.toml", env={"RABKOR_SEARCH_ENGINE": "lucene"})
    assert load_settings(tmp_path / "none.toml",
                         env={"RABKOR_SEARCH_ENGINE": "whoosh"}).search_engine == "whoosh"


def test_secret_is_generated_once_and_kept(tmp_path: Path):
    s = load_settings(tmp_path / "none.toml", env={"RABKOR_DATA_DIR": str(tmp_path / "d")})
    first = ensure_secret(s).secret_key
    assert len(first) > 40
    assert ensure_secret(s).secret_key == first
    assert (tmp_path / "d" / "secret.key").stat().st_mode & 0o077 == 0


def test_every_setting_is_documented():
    assert all(doc.strip() for doc in documented().values())


def test_a_switch_reads_true_or_false_from_the_file_and_the_environment(tmp_path: Path):
    cfg = tmp_path / "rabkor.toml"
    cfg.write_text("public_moderation_log = true\n")
    assert load_settings(cfg, env={}).public_moderation_log is True
    assert load_settings(cfg, env={"RABKOR_PUBLIC_MODERATION_LOG": "off"}
                         ).public_moderation_log is False
    assert load_settings(tmp_path / "none.toml", env={}).public_moderation_log is False
    with pytest.raises(ConfigError, match=r"'public_moderation_log'.*use true or false"):
        load_settings(tmp_path / "none.toml", env={"RABKOR_PUBLIC_MODERATION_LOG": "maybe"})


def test_a_mail_server_needs_a_sender_address_on_one_line(tmp_path: Path):
    none = tmp_path / "none.toml"
    assert load_settings(none, env={}).smtp_host == ""  # no mail unless asked for
    with pytest.raises(ConfigError, match="'smtp_from' must be an e-mail address"):
        load_settings(none, env={"RABKOR_SMTP_HOST": "mail.example.org"})
    with pytest.raises(ConfigError, match="'smtp_from'"):
        load_settings(none, env={"RABKOR_SMTP_HOST": "mail.example.org",
                                 "RABKOR_SMTP_FROM": "Rabkor\r\nBcc: eve@evil.example "
                                                     "<news@example.org>"})
    mail = load_settings(none, env={"RABKOR_SMTP_HOST": "mail.example.org",
                                    "RABKOR_SMTP_FROM": "Rabkor <news@example.org>",
                                    "RABKOR_SMTP_STARTTLS": "no"})
    assert (mail.smtp_port, mail.smtp_starttls) == (587, False)
