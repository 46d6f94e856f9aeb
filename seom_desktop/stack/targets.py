"""What each cart should show: what it may sell (its warehouses' sum; a kit's derived QOH)
shaped by its allocation rules and the item's overrides (stack/allocation.py), under the
cart's SKU; and what was last sent to / seen on the cart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from seom_desktop.stack.allocation import shown_for
from seom_desktop.stack.shaping import Rules
from seom_desktop.store.models import Product, WebField, utcnow


@dataclass(frozen=True)
class Target:
    product_id: int
    sku: str  # the store's SKU
    cart_sku: str  # the SKU on the cart (the alias, else the store's)
    qoh: int  # the store's QOH
    shaped: int  # what the cart should show
    sync: bool  # the item's web field for this cart
    item_id: str  # the cart's own id, when known
    last_sent: int | None
    last_cart_qoh: int | None  # what we believe the cart shows
    attempted: tuple[int, ...] = ()  # written with no answer yet, newest last
    rule: str = ""  # what decided `shaped`, in a clerk's words ("maximum 10", "store QOH")


def cart_targets(session: Session, cart_id: int, product_ids: Sequence[int] | None = None, *,
                 synced_only: bool = True) -> list[Target]:
    """One Target per product (all, or the given ones), in SKU order."""
    q = (select(Product.id, Product.sku, Product.qoh, Product.is_kit, WebField.sync,
                WebField.cart_sku, WebField.reserve, WebField.max_qty, WebField.percent,
                WebField.min_qty, WebField.safety, WebField.cart_item_id,
                WebField.last_sent_qoh, WebField.last_cart_qoh, WebField.attempted_qoh)
         .outerjoin(WebField, and_(WebField.product_id == Product.id, WebField.cart_id == cart_id))
         .order_by(Product.sku))
    out: list[Target] = []
    for chunk in _chunks(product_ids):
        qq = q if chunk is None else q.where(Product.id.in_(chunk))
        rows = [r for r in session.execute(qq)
                if not synced_only or r.sync is None or bool(r.sync)]
        shown = shown_for(session, cart_id, [
            (r.id, r.qoh, bool(r.is_kit),
             Rules(r.reserve, r.max_qty, r.percent, r.min_qty, r.safety)) for r in rows])
        for r in rows:
            s = shown[r.id]
            out.append(Target(r.id, r.sku, r.cart_sku or r.sku, r.qoh, s.qty,
                              True if r.sync is None else bool(r.sync), r.cart_item_id or "",
                              r.last_sent_qoh, r.last_cart_qoh, in_doubt(r.attempted_qoh),
                              s.rule))
    if product_ids is not None:
        out.sort(key=lambda t: t.sku)
    return out


def _chunks(ids: Sequence[int] | None, size: int = 900) -> Iterable[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _web_field(session: Session, cart_id: int, product_id: int) -> WebField:
    wf = session.scalar(select(WebField).where(WebField.cart_id == cart_id,
                                               WebField.product_id == product_id))
    if wf is None:
        wf = WebField(cart_id=cart_id, product_id=product_id, sync=True, reserve=0)
        session.add(wf)
    return wf


def record_sent(session: Session, cart_id: int, product_id: int, qoh: int,
                item_id: str = "") -> None:
    """The cart now shows `qoh` (it said so, or accepted it)."""
    wf = _web_field(session, cart_id, product_id)
    now = utcnow()
    wf.last_sent_qoh = qoh
    wf.last_sent_at = now
    wf.last_cart_qoh = qoh
    wf.last_cart_seen_at = now
    wf.attempted_qoh = ""
    if item_id:
        wf.cart_item_id = item_id


def record_attempt(session: Session, cart_id: int, product_id: int, qoh: int) -> None:
    """About to write `qoh`: if no answer comes, a read-back showing it means it landed."""
    wf = _web_field(session, cart_id, product_id)
    values = [v for v in in_doubt(wf.attempted_qoh) if v != qoh][-(MAX_IN_DOUBT - 1):]
    wf.attempted_qoh = ",".join(str(v) for v in (*values, qoh))


def forget_attempt(session: Session, cart_id: int, product_id: int, qoh: int) -> None:
    """The cart refused writing `qoh` (a failed compare-and-set): it did not land."""
    wf = _web_field(session, cart_id, product_id)
    wf.attempted_qoh = ",".join(str(v) for v in in_doubt(wf.attempted_qoh) if v != qoh)


MAX_IN_DOUBT = 8


def in_doubt(text: str | None) -> tuple[int, ...]:
    """The values in doubt kept in a web field's text (comma-separated, newest last)."""
    out = []
    for part in (text or "").split(","):
        try:
            out.append(int(part))
        except ValueError:
            continue
    return tuple(out)


def shift_in_doubt(wf: WebField, believe) -> None:
    """The cart changed its own quantity (an order of its own, imported): a write in doubt
    that landed has been moved by the same sale since, so each value in doubt becomes
    `believe(value)` (the location sender does the same per location)."""
    wf.attempted_qoh = ",".join(str(believe(v)) for v in in_doubt(wf.attempted_qoh))


def record_seen(session: Session, cart_id: int, product_id: int, qoh: int | None,
                item_id: str = "") -> None:
    """The cart was read and showed `qoh`."""
    wf = _web_field(session, cart_id, product_id)
    wf.last_cart_qoh = qoh
    wf.last_cart_seen_at = utcnow()
    if item_id:
        wf.cart_item_id = item_id


def record_seen_many(session: Session, cart_id: int,
                     seen: Sequence[tuple[int, int | None, str]],
                     known: Mapping[int, tuple] | None = None) -> None:
    """`record_seen` for many products of one cart, in order: [(product id, qoh or None,
    item id or "")]. A product with no web field for the cart gets one (sync on, no
    reserve); an empty item id leaves the known one. A web field that already holds
    that quantity and item id is not written (its `last_cart_seen_at` says when the
    cart was last seen showing something new): a pull of 100,000 items where few moved
    writes few rows.

    `known`: product id -> (web field id, last cart qoh, item id, ever seen) as read in
    this transaction (web field id None: it has none), for the products it holds; the
    others are read here."""
    from seom_desktop.store.raw import Raw, insert_rows, update_rows

    if not seen:
        return
    final: dict[int, tuple] = {pid: (qoh, item) for pid, qoh, item in seen}
    if len(final) < len(seen):  # a product given twice: the last quantity, the last item id
        final = {}
        for pid, qoh, item in seen:
            cur = final.get(pid)
            final[pid] = (qoh, item or (cur[1] if cur else ""))
    session.flush()  # what the session holds goes first (the statements below are plain SQL)
    raw = Raw(session)
    known = known or {}
    unknown = [pid for pid in final if pid not in known]
    looked: dict[int, tuple] = {}  # pid -> (web field id, last cart qoh, item id, ever seen)
    if unknown:
        cond, params = raw.in_values("product_id", unknown)
        for wid, pid, last, item, ever in raw.select(
                "id, product_id, last_cart_qoh, cart_item_id, "
                "CASE WHEN last_cart_seen_at IS NULL THEN 0 ELSE 1 END",
                f"FROM web_fields WHERE cart_id = ? AND {cond}", (cart_id, *params)):
            looked[pid] = (wid, last, item, ever)
    t = WebField.__table__
    at = raw.value(t.c.last_cart_seen_at, utcnow())
    new, changed, moved = [], [], []  # moved: the item id changes too
    for pid, (qoh, item) in final.items():
        have = known.get(pid) or looked.get(pid)
        if have is None or have[0] is None:
            new.append((pid, qoh, item or None))
        elif item and item != have[2]:
            moved.append((have[0], qoh, item))
        elif have[1] != qoh or not have[3]:
            changed.append((have[0], qoh))
    insert_rows(raw, t, ("product_id", "last_cart_qoh", "cart_item_id"), new,
                {"cart_id": cart_id, "sync": raw.value(t.c.sync, True), "reserve": 0,
                 "attempted_qoh": "", "last_cart_seen_at": at})
    update_rows(raw, t, ("last_cart_qoh",), changed, {"last_cart_seen_at": at})
    update_rows(raw, t, ("last_cart_qoh", "cart_item_id"), moved, {"last_cart_seen_at": at})


# --- many products of one cart at once (the stack's batches) ------------------------------
def _web_fields_of(session: Session, cart_id: int, product_ids: Sequence[int]) -> dict[int, tuple]:
    """product id -> (web field id, attempted_qoh, last_cart_qoh) for the products that
    have one; the others get a default web field (sync on, no reserve) first."""
    from sqlalchemy import insert

    found: dict[int, tuple] = {}
    for chunk in _chunks(product_ids):
        found.update((pid, (wid, attempted or "", last)) for wid, pid, attempted, last in
                     session.execute(select(WebField.id, WebField.product_id,
                                            WebField.attempted_qoh, WebField.last_cart_qoh)
                                     .where(WebField.cart_id == cart_id,
                                            WebField.product_id.in_(chunk))))
    missing = [pid for pid in dict.fromkeys(product_ids) if pid not in found]
    if missing:
        session.execute(insert(WebField), [{"cart_id": cart_id, "product_id": pid, "sync": True,
                                            "reserve": 0, "attempted_qoh": ""}
                                           for pid in missing])
        return _web_fields_of(session, cart_id, product_ids)
    return found


Before = tuple[int | None, str]  # a web field's (last_cart_qoh, attempted_qoh) at some moment


def _with_attempt(text: str, qoh: int) -> str:
    kept = [v for v in in_doubt(text) if v != qoh][-(MAX_IN_DOUBT - 1):]
    return ",".join(str(v) for v in (*kept, qoh))


def record_attempts(session: Session, cart_id: int, values: dict[int, int]) -> dict[int, Before]:
    """`record_attempt` for many products of one cart: {product id: qoh}. Returns each
    web field as it then stands (what `record_sent_many` compares with)."""
    if not values:
        return {}
    wf = _web_fields_of(session, cart_id, list(values))
    params, out = [], {}
    for pid, qoh in values.items():
        wid, text, last = wf[pid]
        params.append({"b_id": wid, "b_attempted": _with_attempt(text, qoh)})
        out[pid] = (last, params[-1]["b_attempted"])
    t = WebField.__table__
    session.execute(t.update().where(t.c.id == bindparam("b_id"))
                    .values(attempted_qoh=bindparam("b_attempted")), params)
    return out


def record_sent_many(session: Session, cart_id: int,
                     sent: Sequence[tuple[int, int, str, Before]]) -> None:
    """`record_sent` for many products of one cart: [(product id, qoh, item id or "",
    the web field as it stood when the write was sent or the read-back made)].

    A web field changed since then is not overwritten: an order import of the cart's
    own sale committed in between (inventory/operations._origin_followup) moved what we
    believe the cart shows and the values in doubt by that sale, and the cart may show
    the value sent less the sale. Such a field keeps what the import made of it, and
    the value sent joins its values in doubt: a later read-back showing either (the
    sale before our write landed, or after) is explained and nothing waits for an
    import that already happened."""
    if not sent:
        return
    wf = _web_fields_of(session, cart_id, [s[0] for s in sent])
    now = utcnow()
    t = WebField.__table__
    same = [s for s in sent if (wf[s[0]][2], wf[s[0]][1]) == s[3]]
    moved = [s for s in sent if (wf[s[0]][2], wf[s[0]][1]) != s[3]]
    values = dict(last_sent_qoh=bindparam("b_qoh"), last_sent_at=now,
                  last_cart_qoh=bindparam("b_qoh"), last_cart_seen_at=now, attempted_qoh="",
                  cart_item_id=func.coalesce(func.nullif(bindparam("b_item"), ""),
                                             t.c.cart_item_id))
    if same:  # the guard again in the statement: on PostgreSQL an import may commit meanwhile
        params = [{"b_id": wf[pid][0], "b_qoh": qoh, "b_item": item, "b_last": before[0],
                   "b_att": before[1]} for pid, qoh, item, before in same]
        done = session.execute(t.update().where(
            t.c.id == bindparam("b_id"), t.c.last_cart_qoh.is_not_distinct_from(
                bindparam("b_last", type_=t.c.last_cart_qoh.type)),
            func.coalesce(t.c.attempted_qoh, "") == bindparam("b_att")).values(**values),
            params).rowcount
        if done < len(same):
            now_wf = _web_fields_of(session, cart_id, [s[0] for s in same])
            wf.update(now_wf)  # the rows updated now say (qoh, ""); the others were moved
            moved += [s for s in same if (wf[s[0]][2], wf[s[0]][1]) != (s[1], "")]
    if moved:
        session.execute(t.update().where(t.c.id == bindparam("b_id")).values(
            attempted_qoh=bindparam("b_att"), cart_item_id=values["cart_item_id"]),
            [{"b_id": wf[pid][0], "b_att": _with_attempt(wf[pid][1], qoh), "b_item": item}
             for pid, qoh, item, _b in moved])
