"""Settings come from the environment only, and a wrong value stops a process at start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import make_url

from infra.settings import Settings


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
