"""The Shopify emulator and connector as fixtures, shared by the Shopify connector tests:

    emu, conn = shopify_fixtures()  # at module level; tests take `emu` and `conn`

and `config(emu)`, `FaultOnMutation(emu, kind)` (a pool that faults the next mutation) and
`gql(emu, query)` (a raw GraphQL request)."""

from __future__ import annotations

import json

import pytest
import requests
from urllib3 import PoolManager

from seom_desktop.carts.base import CartConfig
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.emulators.shopify import API_VERSION, ShopifyEmulator


def shopify_fixtures():
    """`emu` (a fresh emulator a test, hanging 1 s for a timeout fault) and `conn`."""

    @pytest.fixture
    def emu():
        e = ShopifyEmulator().start()
        e.faults.hang_seconds = 1.0
        yield e
        e.stop()

    @pytest.fixture
    def conn(emu):
        c = ShopifyConnector(config(emu))
        yield c
        c.close()

    return emu, conn


def config(emu: ShopifyEmulator, **kw) -> CartConfig:
    kw.setdefault("token", emu.token)
    return CartConfig(name="Test Shopify", kind="shopify", url=emu.url, read_timeout=0.5,
                      connect_timeout=2.0, **kw)


def FaultOnMutation(emu: ShopifyEmulator, kind: str) -> type[PoolManager]:
    """The connection pool (a urllib3 PoolManager, the one the connector sends through)
    that queues an emulator fault just before the next mutation goes out, so the reads a
    write needs first are not the ones hit."""
    armed = [1]

    class Pool(PoolManager):
        def urlopen(self, method, url, redirect=True, **kw):
            query = json.loads(kw.get("body") or b"{}").get("query", "")
            if armed[0] and str(query).lstrip().startswith("mutation"):
                armed[0] -= 1
                emu.faults.queue(kind)
            return super().urlopen(method, url, redirect=redirect, **kw)

    return Pool


def gql(emu, query: str, variables: dict | None = None, token: str | None = None):
    return requests.post(f"{emu.url}/admin/api/{API_VERSION}/graphql.json",
                         json={"query": query, "variables": variables or {}},
                         headers={"X-Shopify-Access-Token": token or emu.token}, timeout=5)
