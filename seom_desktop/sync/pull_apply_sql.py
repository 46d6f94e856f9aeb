"""The statements of `sync.pull_apply`, for SQLite and for PostgreSQL.

They are written once with `:name` parameters, TRUE/FALSE and CAST, which both read
alike; `Statements(postgres)` fills in where the two differ: how the chunk's items come
in (one JSON array through `json_each` on SQLite, three arrays through `unnest` on
PostgreSQL), greatest/least of two values, and "is distinct from". Every statement works
on the connection's temporary table `pull_chunk` (see _TABLE) and reads the cart's id as
`:cart`.
"""

from __future__ import annotations

from seom_desktop.inventory.validation import MAX_QOH
from seom_desktop.store.raw import _json

# Verdicts, in the order they are tried (DUPLICATE is given after the judging: an item
# whose product a later item of the chunk is too).
UNKNOWN, KIT, UNTRACKED, NOT_SYNCED, UNCHANGED, OUT_OF_RANGE, TAKEN, DUPLICATE = range(8)

_TABLE = """CREATE TEMP TABLE IF NOT EXISTS pull_chunk (
    n INTEGER PRIMARY KEY, cart_sku TEXT, shown BIGINT, item_id TEXT,
    pid INTEGER, sku TEXT, qoh BIGINT, sync BOOLEAN, reserve INTEGER, max_qty INTEGER,
    wid INTEGER, last BIGINT, cur_item TEXT, ever BOOLEAN, is_kit BOOLEAN, verdict INTEGER,
    new_id BOOLEAN)"""

_FIELDS = """j.n, j.csku AS cart_sku, j.cqoh AS shown, j.cid AS item_id, p.id AS pid,
      p.sku, p.qoh, COALESCE(w.sync, TRUE) AS sync, COALESCE(w.reserve, 0) AS reserve,
      w.max_qty, w.id AS wid, w.last_cart_qoh AS last, COALESCE(w.cart_item_id, '') AS cur_item,
      w.last_cart_seen_at IS NOT NULL AS ever, COALESCE(p.is_kit, FALSE) AS is_kit"""
_ALIASES = "SELECT 1 FROM web_fields WHERE cart_id = :cart AND cart_sku > ''"

# the items that do not teach their web field anything
_SILENT = f"({DUPLICATE}, {OUT_OF_RANGE})"


class Statements:
    def __init__(self, postgres: bool):
        self.postgres = pg = postgres
        self.table = _TABLE + (" ON COMMIT DELETE ROWS" if pg else "")
        self._max, self._min = ("GREATEST", "LEAST") if pg else ("max", "min")
        self._differs = "IS DISTINCT FROM" if pg else "IS NOT"
        # the chunk's items: n (place in the chunk, from 0), csku, cqoh, cid (item id)
        items = ("(SELECT CAST(u.n - 1 AS INTEGER) AS n, u.csku, u.cqoh, u.cid FROM unnest("
                 "CAST(:skus AS TEXT[]), CAST(:qohs AS BIGINT[]), CAST(:ids AS TEXT[])) "
                 "WITH ORDINALITY AS u(csku, cqoh, cid, n)) j" if pg else
                 "(SELECT CAST(key AS INTEGER) AS n, json_extract(value, '$[0]') AS csku, "
                 "json_extract(value, '$[1]') AS cqoh, json_extract(value, '$[2]') AS cid "
                 "FROM json_each(:rows)) j")
        judged = (f"SELECT x.*, {self.verdict('x.', 'x.qoh')}, "
                  "x.item_id != '' AND x.item_id != x.cur_item FROM x")
        # Each item, the product it maps to, that product's web field for the cart, and
        # the verdict. An item maps through its cart SKU alias for this cart first, then
        # to a store SKU equal to the cart SKU (unless that product is aliased to another
        # cart SKU on this cart), as sync.progress.map_cart_rows reads it. With no alias
        # on the cart (the usual case) an item is joined straight to the product of its
        # SKU (`plain` inserts nothing when the cart has one). The items are read out of
        # the JSON once (MATERIALIZED).
        # (PostgreSQL joins through LATERAL ... LIMIT 1, the same rows: else its planner
        # hashes the whole of products and web_fields for each chunk, twice as slow as
        # 5,000 index look-ups; SQLite looks up by index anyway and has no LATERAL.)
        joins = ("LEFT JOIN LATERAL (SELECT * FROM products p WHERE p.sku = j.csku "
                 "AND j.csku != '' LIMIT 1) p ON TRUE LEFT JOIN LATERAL (SELECT * FROM "
                 "web_fields w WHERE w.product_id = p.id AND w.cart_id = :cart LIMIT 1) w ON TRUE"
                 if pg else "LEFT JOIN products p ON p.sku = j.csku AND j.csku != '' "
                 "LEFT JOIN web_fields w ON w.product_id = p.id AND w.cart_id = :cart")
        self.plain = f"""INSERT INTO pull_chunk
            WITH j AS MATERIALIZED (SELECT * FROM {items}),
            x AS (SELECT {_FIELDS} FROM j {joins}
                WHERE NOT EXISTS ({_ALIASES})) {judged}"""
        self.aliased = f"""INSERT INTO pull_chunk
            WITH j AS MATERIALIZED (
                SELECT j.n, j.csku, j.cqoh, j.cid, CASE WHEN j.csku = '' THEN NULL ELSE COALESCE(
                    (SELECT a.product_id FROM web_fields a JOIN products ap ON ap.id = a.product_id
                      WHERE a.cart_id = :cart AND a.cart_sku = j.csku ORDER BY a.id DESC LIMIT 1),
                    (SELECT s.id FROM products s
                       LEFT JOIN web_fields sw ON sw.product_id = s.id AND sw.cart_id = :cart
                      WHERE s.sku = j.csku AND (sw.cart_sku IS NULL OR sw.cart_sku = ''
                                                OR sw.cart_sku = s.sku))) END AS pid
                FROM {items}),
            x AS (SELECT {_FIELDS} FROM j LEFT JOIN products p ON p.id = j.pid
                  LEFT JOIN web_fields w ON w.product_id = j.pid AND w.cart_id = :cart)
            {judged}"""
        # A product twice in the chunk (two cart SKUs mapping to it): the last item wins.
        self.duplicates = (f"UPDATE pull_chunk SET verdict = {DUPLICATE} WHERE pid IS NOT NULL "
                           "AND EXISTS (SELECT 1 FROM pull_chunk l WHERE l.pid = pull_chunk.pid "
                           "AND l.n > pull_chunk.n)")
        # which web fields learn what the cart showed (on the chunk row t): the taken
        # items'; a new item id; or, for the others, a new quantity or a first sighting
        # (never a duplicate's, nor a quantity out of range: it is stored nowhere)
        self.teaches = (f"t.verdict NOT IN {_SILENT} AND (t.shown IS NULL "
                        f"OR abs(t.shown) <= {MAX_QOH})")
        self.learns = (f"t.verdict = {TAKEN} OR ({self.teaches} AND (t.new_id OR "
                       f"(t.pid IS NOT NULL AND (t.last {self._differs} t.shown OR NOT t.ever))))")

    def among(self, column: str, ids: str) -> str:
        """PostgreSQL: " AND column = ANY(ARRAY(ids))", which it looks up by index where a
        join hashes the whole table; SQLite: nothing (it looks up by index anyway)."""
        return f" AND {column} = ANY(ARRAY({ids}))" if self.postgres else ""

    def item_params(self, rows) -> dict:
        """The `:rows` (SQLite) or `:skus`, `:qohs`, `:ids` (PostgreSQL) of the items."""
        if not self.postgres:
            return {"rows": _json(rows)}
        skus, qohs, ids = zip(*rows, strict=True) if rows else ((), (), ())
        return {"skus": list(skus), "qohs": list(qohs), "ids": list(ids)}

    def shaped(self, qoh: str, t: str = "") -> str:
        """shaping.shaped_qoh in SQL, on the chunk row `t` (its prefix: "t." or "")."""
        return (f"{self._max}(0, CASE WHEN {t}max_qty IS NULL THEN {qoh} - {t}reserve "
                f"ELSE {self._min}({qoh} - {t}reserve, {t}max_qty) END)")

    def verdict(self, t: str, qoh: str) -> str:
        """The verdict of a chunk row `t`, the store's QOH being `qoh`: no product; a kit
        (its QOH is derived from its components, never pulled); not tracked on the cart;
        the web field says no sync; the cart shows what the store would have it show; a
        quantity out of range; else taken."""
        return f"""CASE
            WHEN {t}pid IS NULL THEN {UNKNOWN}
            WHEN {t}is_kit THEN {KIT}
            WHEN {t}shown IS NULL THEN {UNTRACKED}
            WHEN NOT {t}sync THEN {NOT_SYNCED}
            WHEN {t}shown = {qoh} OR (({t}reserve != 0 OR {t}max_qty IS NOT NULL OR {qoh} < 0)
                                      AND {t}shown = {self.shaped(qoh, t)}) THEN {UNCHANGED}
            WHEN abs({t}shown) > {MAX_QOH} THEN {OUT_OF_RANGE}
            ELSE {TAKEN} END"""
