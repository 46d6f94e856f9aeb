"""Get QOH From Website while clerks adjust the same products, on SQLite and PostgreSQL:
no change is lost and the ledger tells each product's story in order.

The pull writes absolute quantities (the store takes the cart's number) under the row
lock (FOR UPDATE in id order on PostgreSQL; the write transaction's lock on SQLite),
while adjustments add deltas in their own transactions. Whatever the interleaving,
every product's ledger must chain (each row's qoh_after = the row before's + its delta),
its deltas must add up to the product's QOH, and every adjustment must be there once."""

from __future__ import annotations

import random
import threading
import time

from qoh_kit import ACTOR
from sqlalchemy import select

from seom_desktop.inventory.operations import adjust
from seom_desktop.store.models import LedgerEntry, Product
from seom_desktop.sync.get_qoh import get_qoh

N = 400
ADJUSTMENTS = 300


def test_adjustments_during_a_pull_are_neither_lost_nor_misordered(shop_factory, store_url):
    shop = shop_factory(store_url, n=N, qoh=10)
    try:
        with shop.woo.lock:  # every item shows another number on the cart
            for i, obj in enumerate(sorted(shop.woo.products.values(), key=lambda o: o["id"])):
                obj["stock_quantity"] = 20 + i % 5
        rng = random.Random(11)
        plan = [(rng.choice(shop.skus), rng.choice((1, 2, -1))) for _ in range(ADJUSTMENTS)]
        report: dict = {}

        started = threading.Event()

        class Slow:  # a pull that pauses between chunks, as one from a slow cart does
            cancelled = False

            def update(self, done, total, message):
                started.set()  # a chunk is in: the clerks start now
                time.sleep(0.02)

        def pull():
            report["r"] = get_qoh(shop.store, "woo", actor=ACTOR, chunk_size=40,
                                  progress=Slow())

        puller = threading.Thread(target=pull)
        puller.start()
        assert started.wait(30)
        done = 0
        for sku, delta in plan:  # each in its own transaction, while the pull runs
            with shop.store.write() as s:
                adjust(s, sku=sku, delta=delta, actor=ACTOR, reason="count")
            done += 1
            if not puller.is_alive() and done >= ADJUSTMENTS // 3:
                break
        puller.join(60)
        assert not puller.is_alive()
        rep = report["r"]
        assert rep.error is None and rep.read == N
        assert len(rep.changed) > N // 2  # the pull did take the cart's numbers

        with shop.store.read() as s:
            qoh = dict(s.execute(select(Product.id, Product.qoh)).all())
            ledger = s.execute(select(LedgerEntry.product_id, LedgerEntry.delta,
                                      LedgerEntry.qoh_after, LedgerEntry.source)
                               .order_by(LedgerEntry.id)).all()
        sources = [source for *_x, source in ledger]
        first = sources.index("pulled from cart")
        last = len(sources) - 1 - sources[::-1].index("pulled from cart")
        assert "adjust" in sources[first:last]  # the two did run at the same time
        story: dict[int, list] = {}
        for pid, delta, after, source in ledger:
            story.setdefault(pid, []).append((delta, after, source))
        for pid, rows in story.items():
            before = 0
            for delta, after, _source in rows:
                assert after == before + delta, (pid, rows)
                before = after
            assert before == qoh[pid] == sum(d for d, _a, _s in rows), (pid, rows)
        adjusted = sum(1 for *_x, source in ledger if source == "adjust")
        assert adjusted == done
        assert sum(1 for *_x, source in ledger if source == "pulled from cart") == len(rep.changed)
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()
