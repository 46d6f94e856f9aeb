"""Fixtures of the security tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def store_url(tmp_path) -> str:
    """A fresh SQLite store, created through the CLI's own `init`."""
    from seckit import cli

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert cli(url, "init").rc == 0
    return url


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    from seckit import make_tls

    return make_tls(tmp_path_factory.mktemp("tls"))
