"""The status bar's figures (app/status.status_snapshot, asked every 2 s) read the
products with a reorder point through their index (migration 0008), not by scanning
every product: at 1,000,000 products two scans cost about half a second a refresh
(bench/README.md, "Issue 23: how Get QOH and the window grow"). Checked with SQLite's
EXPLAIN QUERY PLAN of the very statements the snapshot sends, on a real store."""

from __future__ import annotations

from sqlalchemy import event, insert, text

from seom_desktop.app.status import status_snapshot
from seom_desktop.store.models import Product, utcnow


def test_status_snapshot_counts_low_stock_through_the_reorder_point_index(sqlite_store):
    now = utcnow()
    with sqlite_store.write() as s:
        s.execute(insert(Product), [
            {"sku": f"P-{i:04d}", "name": "", "qoh": i % 7, "created_at": now,
             "updated_at": now, "reorder_point": 3 if i % 50 == 0 else None}
            for i in range(2000)])
    sent: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(sqlite_store.engine, "before_cursor_execute", seen)
    try:
        snap = status_snapshot(sqlite_store)
    finally:
        event.remove(sqlite_store.engine, "before_cursor_execute", seen)
    # every 50th product has reorder point 3; it is low when i % 7 <= 3
    assert snap.low_stock == sum(1 for i in range(0, 2000, 50) if i % 7 <= 3)
    on_points = [(q, p) for q, p in sent if "reorder_point" in q and "products" in q]
    assert len(on_points) == 2  # the kits with a point, then the plain products' count
    with sqlite_store.engine.connect() as conn:
        for statement, params in on_points:
            plan = " / ".join(row[-1] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params))
            assert "ix_products_reorder_point" in plan and "SCAN products" not in plan, plan
        assert conn.execute(text("SELECT count(*) FROM products WHERE reorder_point IS NOT NULL")
                            ).scalar() == 40
