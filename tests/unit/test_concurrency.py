"""Concurrent adjustments never lose an update: QOH is changed in SQL, not in Python."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Product

ACTOR = Actor("clerk", "WS1")


def test_two_threads_each_add_one_a_thousand_times(store_url):
    setup = open_store(store_url)
    with setup.write() as s:
        add_product(s, sku="P1", name="Widget", actor=ACTOR)
    setup.close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker():
        st = open_store(store_url)  # each thread its own engine, like two processes
        try:
            barrier.wait()
            for _ in range(1000):
                with st.write() as s:
                    ops.adjust(s, sku="P1", delta=+1, actor=ACTOR)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            st.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = open_store(store_url)
    with check.read() as s:
        assert s.scalar(select(Product.qoh).where(Product.sku == "P1")) == 2000
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 2000
        assert sorted(s.scalars(select(LedgerEntry.qoh_after))) == list(range(1, 2001))
    check.close()
