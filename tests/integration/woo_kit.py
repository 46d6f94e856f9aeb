"""The WooCommerce emulator as module-scoped fixtures, shared by the WooCommerce tests:
one server a module (stopping one takes half a second), its state fresh for each test.

    server, emu = woo_fixtures(KEY, SECRET)  # at module level; tests take `emu`
"""

from __future__ import annotations

import pytest

from seom_desktop.emulators.woocommerce import WooCommerceEmulator


def woo_fixtures(key: str, secret: str, *, hang_seconds: float | None = None,
                 retry_after: int | None = None, **kwargs):
    @pytest.fixture(scope="module")
    def server():
        e = WooCommerceEmulator(key=key, secret=secret, **kwargs)
        if hang_seconds is not None:
            e.faults.hang_seconds = hang_seconds
        if retry_after is not None:
            e.faults.retry_after = retry_after
        e.start()
        yield e
        e.stop()

    @pytest.fixture
    def emu(server):
        server.reset()
        return server

    return server, emu
