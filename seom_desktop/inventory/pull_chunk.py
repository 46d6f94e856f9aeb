"""Get QOH From Website for one chunk of a cart's items, judged and written in SQL.

What `sync.get_qoh` does item by item in Python (map each cart SKU to a product, judge
it, then `bulk_pull.pulled_qoh_many` and `targets.record_seen_many`), done here by a few
statements over the chunk sent once as JSON: Python only encodes the chunk and decodes
the report's "changed" entries. It has to give exactly what that path gives (the same
rows, in the same order, with the same ids); tests/integration/test_pull_chunk.py runs
both on the same stores and compares every table.

Used on SQLite, inside the write transaction (which holds the database lock, so the
quantities read are the ones written over). `pull_chunk` declines (returns None, having
written nothing) what the item-by-item path alone handles: two items of the chunk that
are one product, a quantity out of range, or an item with no product when new products
are to be created.

The chunk goes into a temporary table `pull_chunk` (one per connection, emptied for each
chunk), one row per item: n (its place in the chunk), cart_sku, shown (the cart's QOH,
NULL when it does not track it), item_id; the product it maps to and that product's web
field for the cart as the item-by-item path reads them; and its verdict.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.bulk_pull import REASON
from seom_desktop.inventory.operations import PULLED, _mark_enqueued
from seom_desktop.inventory.validation import MAX_QOH
from seom_desktop.store.models import FAILED, PENDING, utcnow
from seom_desktop.store.models import Product as _Product
from seom_desktop.store.params import stored_param
from seom_desktop.store.raw import Raw, _json

# verdicts, in the order the item-by-item path tries them
UNKNOWN, UNTRACKED, NOT_SYNCED, UNCHANGED, OUT_OF_RANGE, TAKEN = range(6)

_TABLE = """CREATE TEMP TABLE IF NOT EXISTS pull_chunk (
    n INTEGER PRIMARY KEY, cart_sku TEXT, shown INTEGER, item_id TEXT,
    pid INTEGER, sku TEXT, qoh INTEGER, sync INTEGER, reserve INTEGER, max_qty INTEGER,
    wid INTEGER, last INTEGER, cur_item TEXT, ever INTEGER,
    verdict INTEGER, new_id INTEGER)"""

def _shaped(qoh: str, t: str = "") -> str:
    """shaping.shaped_qoh in SQL (SQLite's many-argument max/min), on the chunk row `t`."""
    return (f"max(0, CASE WHEN {t}max_qty IS NULL THEN {qoh} - {t}reserve "
            f"ELSE min({qoh} - {t}reserve, {t}max_qty) END)")


_ITEMS = """(SELECT CAST(key AS INTEGER) AS n, json_extract(value, '$[0]') AS csku,
                   json_extract(value, '$[1]') AS cqoh, json_extract(value, '$[2]') AS cid
              FROM json_each(?2)) j"""
_FIELDS = """j.n, j.csku AS cart_sku, j.cqoh AS shown, j.cid AS item_id, p.id AS pid,
      p.sku, p.qoh, COALESCE(w.sync, 1) AS sync, COALESCE(w.reserve, 0) AS reserve,
      w.max_qty, w.id AS wid, w.last_cart_qoh AS last, COALESCE(w.cart_item_id, '') AS cur_item,
      w.last_cart_seen_at IS NOT NULL AS ever"""
_ALIASES = "SELECT 1 FROM web_fields WHERE cart_id = ?1 AND cart_sku > ''"

# Each item, the product it maps to, that product's web field for the cart, and the
# verdict. An item maps through its cart SKU alias for this cart first, then to a store
# SKU equal to the cart SKU (unless that product is aliased to another cart SKU on this
# cart), as sync.progress.map_cart_rows reads it; the verdicts are tried in their order.
# With no alias on the cart (the usual case) an item is joined straight to the product
# of its SKU (_PLAIN inserts nothing when the cart has one). The items are read out of
# the JSON once (MATERIALIZED): the verdict would otherwise extract `shown` four times.
_PLAIN = f"""WITH j AS MATERIALIZED (SELECT * FROM {_ITEMS}),
x AS (SELECT {_FIELDS} FROM j
    LEFT JOIN products p ON p.sku = j.csku AND j.csku != ''
    LEFT JOIN web_fields w ON w.product_id = p.id AND w.cart_id = ?1
    WHERE NOT EXISTS ({_ALIASES}))"""
_ALIASED = f"""WITH j AS MATERIALIZED (
    SELECT j.n, j.csku, j.cqoh, j.cid, CASE WHEN j.csku = '' THEN NULL ELSE COALESCE(
        (SELECT a.product_id FROM web_fields a JOIN products ap ON ap.id = a.product_id
          WHERE a.cart_id = ?1 AND a.cart_sku = j.csku ORDER BY a.id DESC LIMIT 1),
        (SELECT s.id FROM products s
           LEFT JOIN web_fields sw ON sw.product_id = s.id AND sw.cart_id = ?1
          WHERE s.sku = j.csku
            AND (sw.cart_sku IS NULL OR sw.cart_sku = '' OR sw.cart_sku = s.sku))) END AS pid
    FROM {_ITEMS}),
x AS (SELECT {_FIELDS} FROM j LEFT JOIN products p ON p.id = j.pid
      LEFT JOIN web_fields w ON w.product_id = j.pid AND w.cart_id = ?1)"""
_JUDGED = f"""
SELECT x.*, CASE
        WHEN pid IS NULL THEN {UNKNOWN}
        WHEN shown IS NULL THEN {UNTRACKED}
        WHEN NOT sync THEN {NOT_SYNCED}
        WHEN shown = qoh OR ((reserve != 0 OR max_qty IS NOT NULL OR qoh < 0)
                             AND shown = {_shaped('qoh')}) THEN {UNCHANGED}
        WHEN abs(shown) > {MAX_QOH} THEN {OUT_OF_RANGE}
        ELSE {TAKEN} END,
    item_id != '' AND item_id != cur_item
FROM x"""

# which web fields learn what the cart showed (on the chunk row t): the taken items';
# a new item id; or, for the others, a new quantity or a first sighting
_LEARNS = (f"t.verdict = {TAKEN} OR t.new_id OR (t.pid IS NOT NULL AND "
           "(t.last IS NOT t.shown OR NOT t.ever))")


@dataclass
class ChunkOutcome:
    """What a chunk came to, for the caller to word, in the cart's order: the taken items
    as (place in the chunk, the store's QOH before, the store's SKU when it is not the
    cart's); the unknown, untracked and not synced items as (place in the chunk,
    verdict, store SKU or None); how many were unchanged. (Plain values, not the report's
    entries: decoding 100,000 small arrays costs half what 100,000 objects do.)"""

    taken: list[tuple[int, int, str | None]] = field(default_factory=list)
    others: list[tuple[int, int, str | None]] = field(default_factory=list)
    unchanged: int = 0


def pull_chunk(session: Session, *, cart_id: int, rows: Sequence[tuple[str, int | None, str]],
               actor: Actor, create_new: bool, write: bool = True) -> ChunkOutcome | None:
    """Judge and pull `rows` [(cart SKU, cart QOH or None when not tracked, item id)] of
    cart `cart_id`; None (nothing written) when the item-by-item path must do it.
    `write` False (a preview, in a read transaction): judged only, the store left as it
    is (only the connection's temporary table is written).
    (Few statements: with another thread busy in Python, each one costs the wait to
    take the GIL back after it.)"""
    session.flush()
    raw = Raw(session)
    if raw.postgres:
        return None
    raw.run(_TABLE)
    raw.run("DELETE FROM temp.pull_chunk")
    if not rows:
        return ChunkOutcome()
    given = (cart_id, _json(rows))
    # (INSERT first: Python's sqlite3 counts the rows of a statement it sees as DML)
    if raw.run(f"INSERT INTO temp.pull_chunk {_PLAIN} {_JUDGED}", given) < len(rows):
        raw.run(f"INSERT INTO temp.pull_chunk {_ALIASED} {_JUDGED}", given)
    unchanged, declined, unknown, before, cart_sync, synch = raw.one(
        f"SELECT count(*) FILTER (WHERE verdict = {UNCHANGED}), "
        f"count(*) FILTER (WHERE verdict = {OUT_OF_RANGE}) + count(pid) - count(DISTINCT pid), "
        f"count(*) FILTER (WHERE verdict = {UNKNOWN}), "
        "(SELECT max(id) FROM ledger), (SELECT sync FROM carts WHERE id = ?), "
        "(SELECT value FROM params WHERE name = 'SynchQOH') FROM temp.pull_chunk", (cart_id,))
    if declined or (create_new and unknown):
        return None
    if not write:
        return ChunkOutcome(*_outcome(raw), unchanged=unchanged or 0)
    at = raw.value(_Product.__table__.c.updated_at, utcnow())
    _pull(raw, cart_id, actor, at)
    if stored_param("SynchQOH", synch) and _stack(raw, cart_id, actor, at, before or 0,
                                                  correct=bool(cart_sync)):
        _mark_enqueued(session)
    _remember(raw, cart_id, at)
    return ChunkOutcome(*_outcome(raw), unchanged=unchanged or 0)


_TAKEN = f"FROM temp.pull_chunk t WHERE t.verdict = {TAKEN}"


def _pull(raw: Raw, cart_id: int, actor: Actor, at: str) -> None:
    """bulk_pull.pulled_qoh_many for the taken items: QOH, ledger; failed rows woken."""
    raw.run(f"UPDATE products SET qoh = t.shown, updated_at = ? {_TAKEN} "
            "AND products.id = t.pid", (at,))
    raw.run("INSERT INTO ledger (product_id, delta, qoh_after, source, reason, reference, "
            "origin_cart_id, user, workstation, created_at) "
            f"SELECT t.pid, t.shown - t.qoh, t.shown, ?, ?, '', ?, ?, ?, ? {_TAKEN} ORDER BY t.n",
            (PULLED, REASON, cart_id, actor.user, actor.workstation, at))
    raw.run("UPDATE web_stack SET next_attempt_at = ?, updated_at = ? "
            f"WHERE cart_id = ? AND state = ? AND product_id IN (SELECT t.pid {_TAKEN})",
            (at, at, cart_id, FAILED))


def _stack(raw: Raw, cart_id: int, actor: Actor, at: str, before: int, *,
           correct: bool) -> int:
    """The stack rows of the taken items whose QOH moved: one for every other synced
    cart whose web field for the product syncs (or that has none), in cart id order;
    then (`correct`: the origin cart syncs) the origin's correction, when its web fields
    say it should show something other than what it shows. How many were added."""
    ledger = ("FROM temp.pull_chunk t JOIN ledger l ON l.product_id = t.pid AND l.id > ?2 {join}"
              f"WHERE t.verdict = {TAKEN} AND t.shown != t.qoh")
    parts = ["SELECT t.n AS n, 0 AS k, c.id AS cid, t.pid AS pid, t.shown - t.qoh AS d, "
             "l.id AS lid " + ledger.format(join="JOIN carts c ON c.sync AND c.id != ?1 ")
             + " AND NOT EXISTS (SELECT 1 FROM web_fields o WHERE o.product_id = t.pid "
             "AND o.cart_id = c.id AND NOT o.sync)"]
    if correct:
        parts.append("SELECT t.n, 1, ?1, t.pid, t.shown - t.qoh, l.id " + ledger.format(join="")
                     + " AND (t.reserve != 0 OR t.max_qty IS NOT NULL OR t.shown < 0) "
                     f"AND {_shaped('t.shown', 't.')} != t.shown")
    return raw.run(
        "INSERT INTO web_stack (cart_id, product_id, change, ledger_id, origin_workstation, "
        "state, attempts, next_attempt_at, last_response, claimed_by, claimed_until, "
        "created_at, updated_at, sent_at) "
        "SELECT s.cid, s.pid, s.d, s.lid, ?3, ?4, 0, ?5, '', '', NULL, ?5, ?5, NULL "
        f"FROM ({' UNION ALL '.join(parts)}) s ORDER BY s.n, s.k, s.cid",
        (cart_id, before, actor.workstation, PENDING, at))


def _remember(raw: Raw, cart_id: int, at: str) -> None:
    """What the cart showed, on the items' web fields for the cart: made where missing
    (the taken items' first, as the pull makes them, then the others' as
    targets.record_seen_many does, with their item id), then written where they learn
    something."""
    raw.run("INSERT INTO web_fields (product_id, last_cart_qoh, cart_item_id, cart_id, sync, "
            "reserve, attempted_qoh, last_cart_seen_at) "
            f"SELECT t.pid, t.shown, CASE WHEN t.verdict = {TAKEN} THEN NULL "
            "ELSE NULLIF(t.item_id, '') END, ?, 1, 0, '', ? FROM temp.pull_chunk t "
            f"WHERE t.wid IS NULL AND t.pid IS NOT NULL ORDER BY t.verdict != {TAKEN}, t.n",
            (cart_id, at))
    raw.run("UPDATE web_fields SET last_cart_qoh = t.shown, last_cart_seen_at = ?, "
            "cart_item_id = CASE WHEN t.new_id THEN t.item_id ELSE web_fields.cart_item_id END "
            f"FROM temp.pull_chunk t WHERE ({_LEARNS}) AND web_fields.id = COALESCE(t.wid, "
            "(SELECT m.id FROM web_fields m WHERE m.product_id = t.pid AND m.cart_id = ?))",
            (at, cart_id))


def _outcome(raw: Raw) -> tuple[list, list]:
    """The taken items and the unknown, untracked and not synced ones (ChunkOutcome)."""
    row = raw.one(
        f"SELECT json_group_array(CASE WHEN verdict = {TAKEN} THEN json_array(n, qoh, "
        "CASE WHEN sku != cart_sku THEN sku END) ELSE json_array(n, verdict, sku, 0) END) "
        f"FROM temp.pull_chunk WHERE verdict IN ({UNKNOWN}, {UNTRACKED}, {NOT_SYNCED}, {TAKEN})")
    found = json.loads(row[0]) if row and row[0] else []
    found.sort()  # (by place: unique)
    return ([r for r in found if len(r) == 3], [r[:3] for r in found if len(r) == 4])
