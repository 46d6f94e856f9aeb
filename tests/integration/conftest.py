"""Fixtures for the integration tests: the shop of seom_desktop.testing.shop."""

from __future__ import annotations

import pytest

from seom_desktop.testing.shop import ACTOR, build_shop  # noqa: F401 - ACTOR for tests


@pytest.fixture
def shop(sqlite_url):
    s = build_shop(sqlite_url)
    yield s
    s.woo.stop()
    s.shop.stop()
    s.store.close()


@pytest.fixture
def any_shop(store_url):
    """The same shop on SQLite and on PostgreSQL."""
    s = build_shop(store_url)
    yield s
    s.woo.stop()
    s.shop.stop()
    s.store.close()


@pytest.fixture
def shop_factory():
    """build_shop, for tests that need their own size or URL."""
    return build_shop
