"""Get QOH From Website, the store side of one chunk of a cart's items: mapped to store
products, judged and written in SQL, the same statements on SQLite and PostgreSQL
(`sync.pull_apply_sql`). The chunk goes in once (JSON on SQLite, arrays on PostgreSQL) to
a temporary table; a few statements then map, judge, write QOH, ledger rows, web fields
and stack rows (through `stack.outbox`). The rules: `apply_chunk`; figures:
bench/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session

from seom_desktop.carts.base import CartItem
from seom_desktop.inventory import kits
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import PULLED
from seom_desktop.inventory.products import MAX_NAME, add_product
from seom_desktop.inventory.validation import MAX_QOH, check_sku
from seom_desktop.stack import outbox
from seom_desktop.store.models import Product as _Product
from seom_desktop.store.models import utcnow
from seom_desktop.store.params import stored_param
from seom_desktop.store.raw import Raw
from seom_desktop.sync.pull_apply_sql import (
    DUPLICATE,
    KIT,
    NOT_SYNCED,
    OUT_OF_RANGE,
    TAKEN,
    UNCHANGED,
    UNKNOWN,
    UNTRACKED,
    Statements,
)

__all__ = ["DUPLICATE", "KIT", "NOT_SYNCED", "OUT_OF_RANGE", "REASON", "TAKEN", "UNKNOWN",
           "UNTRACKED", "ChunkOutcome", "apply_chunk", "cart_name"]

REASON = "Get QOH From Website"
_STATEMENTS = {False: Statements(False), True: Statements(True)}
_BEYOND = MAX_QOH + 1  # a quantity out of range, as it goes in (it must fit a BIGINT)


@dataclass
class ChunkOutcome:
    """What a chunk came to, for the caller to word, in the cart's order: the taken items
    as (place in the chunk, the store's QOH before, the store's SKU when it is not the
    cart's); the others reported (unknown, kit, untracked, not synced, out of range,
    duplicate) as (place, verdict, store SKU or None); how many were unchanged; the
    places of the items created (`create_new`) -> None, or the reason one was not."""

    taken: list[tuple[int, int, str | None]] = field(default_factory=list)
    others: list[tuple[int, int, str | None]] = field(default_factory=list)
    unchanged: int = 0
    created: dict[int, str | None] = field(default_factory=dict)


def cart_name(name: str) -> str:
    """A product name as a cart gave it, made storable: NUL (which PostgreSQL text
    cannot hold) becomes U+FFFD, and it is cut at MAX_NAME characters."""
    return str(name).replace("\x00", "\ufffd")[:MAX_NAME]


def apply_chunk(session: Session, *, cart_id: int, items: Sequence[CartItem], actor: Actor,
                create_new: bool, write: bool = True) -> ChunkOutcome:
    """Judge and pull `items` of cart `cart_id`, inside the caller's transaction (the
    chunk's write transaction; a read one for a preview, `write` False: judged only, only
    the connection's temporary table is written). For each item, in order:

    - mapped through its cart SKU alias for this cart, else the same store SKU; none:
      unknown, or with `create_new` the product is created first (QOH 0, the cart's name;
      a bad SKU or a quantity out of range: not created, with the reason) and then judged
      as every other item;
    - a kit: never pulled (its QOH is derived from its components);
    - not tracked on the cart (e.g. WooCommerce `manage_stock` off): left alone;
    - the product's web field for this cart says no sync: left alone;
    - the cart shows the store's QOH, or what the store's QOH shaped by the web fields
      (reserve, max shown) would make it show: unchanged;
    - a quantity beyond +-MAX_QOH: refused, nothing written for it;
    - otherwise taken: the store's QOH becomes the cart's number, a ledger row "pulled
      from cart", a stack row for every other synced cart whose web field syncs (or that
      has none) when the QOH moved and SynchQOH is on, and a correction for this cart
      when its web fields say it should show something else; the kits holding the
      product are queued again; this cart's held rows for it are woken.
    A kit listed by the cart is queued for this cart (its derived QOH is sent back).
    Two items that are one product: the last one wins, the earlier are reported. The web
    field for the cart learns what the cart shows (made when missing).

    On SQLite the write transaction holds the database lock, so the quantities read are
    the ones written over; on PostgreSQL the mapped products are locked (FOR UPDATE, in
    id order) and their QOH read again and judged again under the lock."""
    session.flush()
    raw = Raw(session)
    sql = _STATEMENTS[raw.postgres]
    rows = [(i.sku, i.qoh if i.tracked else None, i.item_id) for i in items]
    if raw.postgres:  # (a quantity out of range might not even fit a BIGINT array)
        rows = [(c, _quantity(q), i) for c, q, i in rows]
    out = ChunkOutcome()
    raw.run(sql.table)
    _map(raw, sql, cart_id, rows)
    if not items:
        return out
    if write and raw.postgres:
        _lock(raw, sql)
    summary = _summary(raw, cart_id, len(rows))
    if create_new and summary[-1]:
        out.created = _create(session, [(n, items[n]) for n in summary[-1]], actor,
                              write=write)
        if write and any(v is None for v in out.created.values()):
            _map(raw, sql, cart_id, rows)
            if raw.postgres:
                _lock(raw, sql)
            summary = _summary(raw, cart_id, len(rows))
    before, cart_sync, synch, dupes, has_kits, unchanged, _unknown = summary
    if dupes:
        raw.run(sql.duplicates)
        unchanged = raw.one(f"SELECT count(*) FROM pull_chunk WHERE verdict = {UNCHANGED}")[0]
    if write:
        now = utcnow()
        given = {"cart": cart_id, "at": raw.value(_Product.__table__.c.updated_at, now)}
        _pull(raw, given, actor)
        outbox.wake(session, cart_id=cart_id, product_ids=_TAKEN_PIDS)
        if stored_param("SynchQOH", synch):
            _stack(session, sql, {"cart": cart_id, "before": before or 0}, actor, now,
                   correct=bool(cart_sync))
            if has_kits:
                _touch_kits(session, raw, actor)
        _remember(raw, sql, given)
    out.taken, out.others = _outcome(raw)
    out.unchanged = (unchanged or 0) - _created_unchanged(raw, set(out.created))
    if write and any(v == KIT for _n, v, _s in out.others):
        _refresh_kits(session, raw, cart_id, actor)
    return out


def _refresh_kits(session: Session, raw: Raw, cart_id: int, actor: Actor) -> None:
    """The kits the cart listed are queued for it (change 0): a cart showing another
    number than the kit's derived QOH is brought back to it."""
    for (pid,) in raw.named(f"SELECT pid FROM pull_chunk WHERE verdict = {KIT} ORDER BY n",
                            {}).fetchall():
        outbox.enqueue_for_cart(session, cart_id=cart_id, product_id=pid,
                                workstation=actor.workstation)


def _quantity(q: int | None) -> int | None:
    """The cart's QOH as it goes in to PostgreSQL: out of range as just beyond."""
    if q is None or -MAX_QOH <= q <= MAX_QOH:
        return q
    return _BEYOND if q > 0 else -_BEYOND


def _map(raw: Raw, sql: Statements, cart_id: int, rows: list) -> None:
    """The chunk into the emptied temporary table, mapped and judged."""
    raw.run("DELETE FROM pull_chunk")
    if rows:
        given = {"cart": cart_id, **sql.item_params(rows)}
        if raw.named(sql.plain, given).rowcount < len(rows):
            raw.named(sql.aliased, given)


def _summary(raw: Raw, cart_id: int, size: int) -> tuple:
    """One row: the last ledger id before the chunk's, the cart's sync, SynchQOH as
    stored, how many items repeat a product, whether the store has kits, how many items
    are unchanged, and the unknown items' places (sorted). Raises when an item is
    missing from the chunk table."""
    *row, mapped, unknown = raw.named(
        "SELECT (SELECT max(id) FROM ledger), (SELECT sync FROM carts WHERE id = :cart), "
        "(SELECT value FROM params WHERE name = 'SynchQOH'), "
        "count(pid) - count(DISTINCT pid), (SELECT count(*) FROM (SELECT 1 FROM "
        f"kit_components LIMIT 1) k), count(*) FILTER (WHERE verdict = {UNCHANGED}), "
        f"count(*), {_list('n', raw)} FILTER (WHERE verdict = {UNKNOWN}) FROM pull_chunk",
        {"cart": cart_id}).fetchone()
    if mapped != size:  # (every item is a row, mapped or not: never seen to fail)
        raise RuntimeError(f"pull_chunk: {mapped} of {size} items in the chunk table")
    unknown = sorted(unknown or ()) if raw.postgres else sorted(json.loads(unknown or "[]"))
    return (*row, unknown)


def _list(column: str, raw: Raw) -> str:
    return f"array_agg({column})" if raw.postgres else f"json_group_array({column})"


def _create(session: Session, unknown: list[tuple[int, CartItem]], actor: Actor, *,
            write: bool) -> dict[int, str | None]:
    """The unknown items made products (QOH 0; the pull then sets it), each in a
    savepoint: place -> None, or why it was not (a bad SKU, a quantity out of range)."""
    made: dict[int, str | None] = {}
    for n, item in unknown:
        try:
            check_sku(item.sku)
            if item.tracked and item.qoh is not None and abs(item.qoh) > MAX_QOH:
                raise InventoryError(f"quantity {item.qoh} is out of range")
            if write:
                with session.begin_nested():
                    add_product(session, sku=item.sku, name=cart_name(item.name or item.sku),
                                actor=actor)
        except InventoryError as e:
            made[n] = str(e)
            continue
        made[n] = None
    session.flush()
    return made


def _lock(raw: Raw, sql: Statements) -> None:
    """PostgreSQL: the mapped products locked in id order, their QOH read again under the
    lock and the verdicts judged again by it (a clerk's adjustment committed since the
    mapping is then built on, not lost). Their web fields are as the mapping read them.
    (The ids go in as one array: `IN (SELECT ...)` hashed all 100,000 products.)"""
    raw.named(f"UPDATE pull_chunk t SET qoh = p.qoh, verdict = {sql.verdict('t.', 'p.qoh')} "
              "FROM (SELECT id, qoh FROM products WHERE id = ANY(ARRAY(SELECT pid FROM "
              "pull_chunk WHERE pid IS NOT NULL)) ORDER BY id FOR UPDATE) p "
              "WHERE p.id = t.pid AND p.qoh != t.qoh", {})


_TAKEN = f"FROM pull_chunk t WHERE t.verdict = {TAKEN}"
_TAKEN_PIDS = select(literal_column("t.pid")).select_from(text("pull_chunk t")).where(
    text(f"t.verdict = {TAKEN}"))


def _pull(raw: Raw, given: dict, actor: Actor) -> None:
    """The taken items: QOH, ledger rows in the chunk's order."""
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


def _touch_kits(session: Session, raw: Raw, actor: Actor) -> None:
    """Every kit holding a product whose QOH moved (through other kits too) is queued
    again for the carts that sync it (`inventory.kits.touch`)."""
    direct = [k for (k,) in raw.named(
        "SELECT DISTINCT kit_id FROM kit_components WHERE component_id IN "
        f"(SELECT pid {_TAKEN} AND t.shown != t.qoh)", {}).fetchall()]
    if direct:
        kits.touch(session, set(direct) | kits.kits_containing(session, direct), actor=actor)


def _remember(raw: Raw, sql: Statements, given: dict) -> None:
    """What the cart showed, on the items' web fields for the cart: made where missing
    (sync on, no reserve; the taken items' first), then written where they learn
    something (a new item id is kept, an empty one leaves the known one)."""
    raw.named("INSERT INTO web_fields (product_id, last_cart_qoh, cart_item_id, cart_id, sync, "
              "reserve, attempted_qoh, last_cart_seen_at) "
              "SELECT t.pid, t.shown, NULLIF(t.item_id, ''), :cart, TRUE, 0, '', :at "
              f"FROM pull_chunk t WHERE t.wid IS NULL AND t.pid IS NOT NULL AND {sql.teaches} "
              f"ORDER BY t.verdict != {TAKEN}, t.n", given)
    raw.named("UPDATE web_fields SET last_cart_qoh = t.shown, last_cart_seen_at = :at, "
              "cart_item_id = CASE WHEN t.new_id THEN t.item_id ELSE web_fields.cart_item_id "
              f"END FROM pull_chunk t WHERE ({sql.learns}) AND web_fields.id = t.wid"
              + sql.among("web_fields.id", f"SELECT t.wid FROM pull_chunk t WHERE {sql.learns}"),
              given)


_REPORTED = f"({UNKNOWN}, {KIT}, {UNTRACKED}, {NOT_SYNCED}, {OUT_OF_RANGE}, {DUPLICATE}, {TAKEN})"


def _outcome(raw: Raw) -> tuple[list, list]:
    """The taken items and the others reported, in the chunk's order."""
    found = raw.named(
        f"SELECT n, CASE WHEN verdict = {TAKEN} THEN qoh ELSE verdict END, CASE WHEN "
        f"verdict != {TAKEN} OR sku != cart_sku THEN sku END, verdict = {TAKEN} "
        f"FROM pull_chunk WHERE verdict IN {_REPORTED} ORDER BY n", {}).fetchall()
    taken = [r[:3] for r in found if r[3]]
    others = [r[:3] for r in found if not r[3]]
    return taken, others


def _created_unchanged(raw: Raw, created: set[int]) -> int:
    """How many of the items created were unchanged (0 on the cart): reported as created."""
    if not created:
        return 0
    cond, params = raw.in_values("n", sorted(created))
    return raw.one(f"SELECT count(*) FROM pull_chunk WHERE verdict = {UNCHANGED} AND {cond}",
                   params)[0]
