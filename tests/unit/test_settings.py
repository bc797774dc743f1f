"""Settings come from the environment only, and a wrong value stops a process at start."""

from __future__ import annotations

import os
import stat
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import make_url

from infra.settings import Settings, local_key, owner_only, private_dir


def test_the_defaults_run_on_the_embedded_components(tmp_path: Path) -> None:
    settings = Settings.from_env({"DANGVIEN_DATA_DIR": str(tmp_path)})
    assert (settings.store, settings.api_host, settings.api_port) == ("sqlite", "127.0.0.1", 8000)
    assert settings.projector_batch == 100_000
    assert settings.rebuild_processes == min(os.cpu_count() or 1, 4)
    assert settings.readmodel_database == f"sqlite:///{tmp_path / 'readmodels.sqlite'}"


def test_an_empty_variable_means_its_default(tmp_path: Path) -> None:
    env = {"DANGVIEN_DATA_DIR": str(tmp_path), "DANGVIEN_API_PORT": "", "DANGVIEN_CIPHER_KEY": ""}
    settings = Settings.from_env(env | {"DANGVIEN_PROJECTOR_BATCH": ""})
    assert (settings.api_port, settings.projector_batch, settings.cipher_key) == (
        8000,
        100_000,
        None,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DANGVIEN_STORE", "mysql"),
        ("DANGVIEN_LOG_LEVEL", "bogus"),
        ("DANGVIEN_LOG_FORMAT", "xml"),
        ("DANGVIEN_API_PORT", "eighty"),
        ("DANGVIEN_REBUILD_PROCESSES", "0"),
        ("DANGVIEN_REBUILD_PROCESSES", "two"),
        ("DANGVIEN_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
        ("DANGVIEN_LOGIN_HASHES", "0"),
        ("DANGVIEN_LOGIN_LOCKOUT", "ten"),
        ("DANGVIEN_API_TOKEN_HOURS", "-1"),
        ("DANGVIEN_SEAL_AT", "11pm"),
        ("DANGVIEN_SEAL_AT", "24:00"),
        ("DANGVIEN_SEAL_AT", "23:5"),
        ("DANGVIEN_SMTP_PORT", "smtp"),
        ("DANGVIEN_SMTP_STARTTLS", "maybe"),
        ("DANGVIEN_DIGEST_AT", "7am"),
    ],
)
def test_a_wrong_value_is_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name if name != "DANGVIEN_API_PORT" else "eighty"):
        Settings.from_env({"DANGVIEN_DATA_DIR": str(tmp_path), name: value})


def test_a_postgresql_password_with_url_characters_still_reaches_its_server(
    tmp_path: Path,
) -> None:
    env = {"DANGVIEN_DATA_DIR": str(tmp_path), "DANGVIEN_STORE": "postgres"}
    settings = Settings.from_env(env | {"DANGVIEN_POSTGRES_PASSWORD": "a@b%c/d"})
    url = make_url(settings.readmodel_database)
    assert (url.host, url.password, url.database) == ("127.0.0.1", "a@b%c/d", "dangvien")


def test_logins_and_proxies_default_to_trusting_no_proxy_and_twelve_hour_tokens(
    tmp_path: Path,
) -> None:
    defaults = Settings.from_env({"DANGVIEN_DATA_DIR": str(tmp_path)})
    assert defaults.trusted_proxies == ()
    assert (defaults.login_lockout, defaults.login_address_failures) == (10, 30)
    assert (defaults.login_hashes, defaults.api_token_hours) == (2, 12)
    chosen = Settings.from_env(
        {
            "DANGVIEN_DATA_DIR": str(tmp_path),
            "DANGVIEN_TRUSTED_PROXIES": " 172.18.0.1 , 10.0.0.0/8,::1",
            "DANGVIEN_LOGIN_LOCKOUT": "0",
        }
    )
    assert chosen.trusted_proxies == ("172.18.0.1", "10.0.0.0/8", "::1")
    assert chosen.login_lockout == 0


def test_the_log_is_sealed_daily_at_23_00_vietnam_time_unless_set(tmp_path: Path) -> None:
    assert Settings.from_env({"DANGVIEN_DATA_DIR": str(tmp_path)}).seal_at == time(23, 0)
    env = {"DANGVIEN_DATA_DIR": str(tmp_path), "DANGVIEN_SEAL_AT": " 6:30 "}
    assert Settings.from_env(env).seal_at == time(6, 30)


def test_a_data_directory_is_made_and_kept_owner_only(tmp_path: Path) -> None:
    loose = tmp_path / "data"
    loose.mkdir(mode=0o755)
    (loose / "readmodels.sqlite").write_text("")
    (loose / "readmodels.sqlite").chmod(0o644)
    private_dir(loose)
    owner_only(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    assert stat.S_IMODE((loose / "readmodels.sqlite").stat().st_mode) == 0o600
    key = local_key(tmp_path / "fresh", "secret.key")
    assert key and stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700


def test_mail_is_off_without_an_smtp_host_and_read_whole_with_one(tmp_path: Path) -> None:
    from infra.mail import smtp_settings

    assert smtp_settings(Settings.from_env({"DANGVIEN_DATA_DIR": str(tmp_path)})) is None
    found = Settings.from_env(
        {
            "DANGVIEN_DATA_DIR": str(tmp_path),
            "DANGVIEN_SMTP_HOST": "smtp.donvi.vn",
            "DANGVIEN_SMTP_PORT": "2525",
            "DANGVIEN_SMTP_USER": "dangvien",
            "DANGVIEN_SMTP_PASSWORD": "bi-mat",
            "DANGVIEN_SMTP_FROM": "thong-bao@donvi.vn",
            "DANGVIEN_SMTP_STARTTLS": "false",
            "DANGVIEN_PUBLIC_URL": "https://dangvien.donvi.vn/",
        }
    )
    smtp = smtp_settings(found)
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.user, smtp.password, smtp.sender, smtp.starttls) == (
        "smtp.donvi.vn", 2525, "dangvien", "bi-mat", "thong-bao@donvi.vn", False,
    )  # fmt: skip
    assert found.public_url == "https://dangvien.donvi.vn"
