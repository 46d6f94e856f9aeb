"""Get QOH From Website for one chunk of a cart's items, judged and written in SQL: the
chunk goes in once (JSON on SQLite, arrays on PostgreSQL) to a temporary table and a few
statements do what `sync.get_qoh._judge` does item by item, with the same rows, ids and
report (tests/integration/test_pull_chunk.py compares both); why it exists and what it
costs: bench/README.md. What it declines is left to the item-by-item path (`pull_chunk`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.bulk_pull import REASON
from seom_desktop.inventory.operations import PULLED
from seom_desktop.inventory.pull_chunk_sql import (
    NOT_SYNCED,
    OUT_OF_RANGE,
    TAKEN,
    UNCHANGED,
    UNKNOWN,
    UNTRACKED,
    Statements,
)
from seom_desktop.inventory.validation import MAX_QOH
from seom_desktop.stack import outbox
from seom_desktop.store.models import Product as _Product
from seom_desktop.store.models import utcnow
from seom_desktop.store.params import stored_param
from seom_desktop.store.raw import Raw

__all__ = ["NOT_SYNCED", "TAKEN", "UNKNOWN", "UNTRACKED", "ChunkOutcome", "pull_chunk"]

_STATEMENTS = {False: Statements(False), True: Statements(True)}

# On PostgreSQL the same statements give the same rows (the tests run them there), but
# measured slower than the item-by-item path on a local server: 100,000 items, 1 % of
# them different, 2.7-3.0 s against 1.9-2.2 s; every item different 6.0 s both. The
# planner hash-joins each chunk to products and web_fields by scanning them whole
# (bench/README.md). So PostgreSQL keeps the item-by-item path until that is solved.
ON_POSTGRES = False


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
    is (only the connection's temporary table is written). Declined: two items of the
    chunk that are one product, a quantity out of range, an item with no product when
    new products are to be created.

    Used on SQLite (on PostgreSQL only when ON_POSTGRES says so), inside the chunk's
    write transaction: on SQLite it holds the database lock, so the quantities read are
    the ones written over; on PostgreSQL the products are locked (FOR UPDATE, in id
    order, as `bulk_pull` locks them) once mapped and their QOH read again under the
    lock. The temporary table `pull_chunk` (one per connection, emptied for each chunk)
    has a row per item: n (its place in the chunk), cart_sku, shown (the cart's QOH, NULL
    when not tracked), item_id; the product it maps to and that product's web field for
    the cart as the item-by-item path reads them; and its verdict.
    (Few statements: with another thread busy in Python, each one costs the wait to
    take the GIL back after it.)"""
    session.flush()
    raw = Raw(session)
    sql = _STATEMENTS[raw.postgres]
    if raw.postgres and not ON_POSTGRES:
        return None
    if raw.postgres and not all(
            q is None or (type(q) is int and -MAX_QOH <= q <= MAX_QOH) for _s, q, _i in rows):
        return None  # (a quantity out of range might not even fit a BIGINT array)
    raw.run(sql.table)
    raw.run("DELETE FROM pull_chunk")
    if not rows:
        return ChunkOutcome()
    given = {"cart": cart_id, **sql.item_params(rows)}
    if raw.named(sql.plain, given).rowcount < len(rows):
        raw.named(sql.aliased, given)
    if raw.postgres:
        _lock(raw, sql)
    mapped, unchanged, declined, unknown, before, cart_sync, synch = raw.named(
        f"SELECT count(*), count(*) FILTER (WHERE verdict = {UNCHANGED}), "
        f"count(*) FILTER (WHERE verdict = {OUT_OF_RANGE}) + count(pid) - count(DISTINCT pid), "
        f"count(*) FILTER (WHERE verdict = {UNKNOWN}), "
        "(SELECT max(id) FROM ledger), (SELECT sync FROM carts WHERE id = :cart), "
        "(SELECT value FROM params WHERE name = 'SynchQOH') FROM pull_chunk",
        {"cart": cart_id}).fetchone()
    if mapped != len(rows):  # (every item is a row, mapped or not: never seen to fail)
        raise RuntimeError(f"pull_chunk: {mapped} of {len(rows)} items in the chunk table")
    if declined or (create_new and unknown):
        return None
    if not write:
        return ChunkOutcome(*_outcome(raw), unchanged=unchanged or 0)
    now = utcnow()
    given = {"cart": cart_id, "at": raw.value(_Product.__table__.c.updated_at, now)}
    _pull(raw, given, actor)
    outbox.wake(session, cart_id=cart_id, product_ids=_TAKEN_PIDS)
    if stored_param("SynchQOH", synch):
        _stack(session, sql, {"cart": cart_id, "before": before or 0}, actor, now,
               correct=bool(cart_sync))
    _remember(raw, sql, given)
    return ChunkOutcome(*_outcome(raw), unchanged=unchanged or 0)


def _lock(raw: Raw, sql: Statements) -> None:
    """PostgreSQL: the mapped products locked in id order, their QOH read again under the
    lock and the verdicts judged again by it (a clerk's adjustment committed since the
    mapping is then built on, not lost). Their web fields are as the mapping read them,
    as in the item-by-item path."""
    raw.named("SELECT id FROM products WHERE id IN (SELECT pid FROM pull_chunk) "
              "ORDER BY id FOR UPDATE", {}).fetchall()
    raw.named(f"UPDATE pull_chunk t SET qoh = p.qoh, verdict = {sql.verdict('t.', 'p.qoh')} "
              "FROM products p WHERE p.id = t.pid AND p.qoh != t.qoh", {})


_TAKEN = f"FROM pull_chunk t WHERE t.verdict = {TAKEN}"
_TAKEN_PIDS = select(literal_column("t.pid")).select_from(text("pull_chunk t")).where(
    text(f"t.verdict = {TAKEN}"))


def _pull(raw: Raw, given: dict, actor: Actor) -> None:
    """bulk_pull.pulled_qoh_many for the taken items: QOH, ledger."""
    raw.named(f"UPDATE products SET qoh = t.shown, updated_at = :at {_TAKEN} "
              "AND products.id = t.pid", given)
    raw.named('INSERT INTO ledger (product_id, delta, qoh_after, source, reason, reference, '
              'origin_cart_id, "user", workstation, created_at) '
              "SELECT t.pid, t.shown - t.qoh, t.shown, :source, :reason, '', :cart, :user, "
              f":workstation, :at {_TAKEN} ORDER BY t.n",
              {**given, "source": PULLED, "reason": REASON, "user": actor.user,
               "workstation": actor.workstation})


def _stack(session: Session, sql: Statements, given: dict, actor: Actor, at,
           *, correct: bool) -> int:
    """The stack rows of the taken items whose QOH moved: one for every other synced
    cart whose web field for the product syncs (or that has none), in cart id order;
    then (`correct`: the origin cart syncs) the origin's correction, when its web fields
    say it should show something other than what it shows. How many were added. (The
    ledger rows of this chunk are those above `before` for its products: they are locked
    until the commit.)"""
    ledger = ("FROM pull_chunk t JOIN ledger l ON l.product_id = t.pid AND l.id > :before {join}"
              f"WHERE t.verdict = {TAKEN} AND t.shown != t.qoh")
    parts = ["SELECT t.n AS n, 0 AS k, c.id AS cid, t.pid AS pid, t.shown - t.qoh AS d, "
             "l.id AS lid " + ledger.format(join="JOIN carts c ON c.sync AND c.id != :cart ")
             + " AND NOT EXISTS (SELECT 1 FROM web_fields o WHERE o.product_id = t.pid "
             "AND o.cart_id = c.id AND NOT o.sync)"]
    if correct:
        parts.append("SELECT t.n, 1, :cart, t.pid, t.shown - t.qoh, l.id "
                     + ledger.format(join="")
                     + " AND (t.reserve != 0 OR t.max_qty IS NOT NULL OR t.shown < 0) "
                     f"AND {sql.shaped('t.shown', 't.')} != t.shown")
    return outbox.enqueue_selected(session, f"({' UNION ALL '.join(parts)}) s "
                                   "ORDER BY s.n, s.k, s.cid", given,
                                   workstation=actor.workstation, at=at)


def _remember(raw: Raw, sql: Statements, given: dict) -> None:
    """What the cart showed, on the items' web fields for the cart: made where missing
    (the taken items' first, as the pull makes them, then the others' as
    targets.record_seen_many does, with their item id), then written where they learn
    something."""
    raw.named("INSERT INTO web_fields (product_id, last_cart_qoh, cart_item_id, cart_id, sync, "
              "reserve, attempted_qoh, last_cart_seen_at) "
              f"SELECT t.pid, t.shown, CASE WHEN t.verdict = {TAKEN} THEN NULL "
              "ELSE NULLIF(t.item_id, '') END, :cart, TRUE, 0, '', :at FROM pull_chunk t "
              f"WHERE t.wid IS NULL AND t.pid IS NOT NULL ORDER BY t.verdict != {TAKEN}, t.n",
              given)
    raw.named("UPDATE web_fields SET last_cart_qoh = t.shown, last_cart_seen_at = :at, "
              "cart_item_id = CASE WHEN t.new_id THEN t.item_id ELSE web_fields.cart_item_id "
              f"END FROM pull_chunk t WHERE ({sql.learns}) AND web_fields.id = COALESCE(t.wid, "
              "(SELECT m.id FROM web_fields m WHERE m.product_id = t.pid AND m.cart_id = :cart))",
              given)


def _outcome(raw: Raw) -> tuple[list, list]:
    """The taken items and the unknown, untracked and not synced ones (ChunkOutcome)."""
    kept = f"FROM pull_chunk WHERE verdict IN ({UNKNOWN}, {UNTRACKED}, {NOT_SYNCED}, {TAKEN})"
    if raw.postgres:
        found = raw.named(
            f"SELECT n, CASE WHEN verdict = {TAKEN} THEN qoh ELSE verdict END, CASE WHEN "
            f"verdict != {TAKEN} OR sku != cart_sku THEN sku END, verdict = {TAKEN} "
            f"{kept} ORDER BY n", {}).fetchall()
        return ([r[:3] for r in found if r[3]], [r[:3] for r in found if not r[3]])
    row = raw.named(
        f"SELECT json_group_array(CASE WHEN verdict = {TAKEN} THEN json_array(n, qoh, "
        f"CASE WHEN sku != cart_sku THEN sku END) ELSE json_array(n, verdict, sku, 0) END) {kept}",
        {}).fetchone()
    found = json.loads(row[0]) if row and row[0] else []
    found.sort()  # (by place: unique)
    return ([r for r in found if len(r) == 3], [r[:3] for r in found if len(r) == 4])
