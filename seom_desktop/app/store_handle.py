"""The store as the window holds it: an opaque handle it passes back to app/ functions
(it never opens a session itself), described for the About box. The window's store is
opened as every command's is (cli.Context.store -> store.engine.open_store), once."""

from __future__ import annotations

from typing import TypeAlias

from seom_desktop.store.engine import Store

StoreHandle: TypeAlias = Store  # the ui passes it on; it never calls its methods


def display_url(store: StoreHandle) -> str:
    """The store's URL with any password hidden (for the About box)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(store.url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is not shown at all
        return "(not shown)"
