"""The stack controller: passes over the due rows of the Web Stack, as a local controller
(this workstation's rows) or as the shared one (everyone's, holding the lease)."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from seom_desktop import credentials
from seom_desktop.connect import connect as default_connect
from seom_desktop.stack import holders, lease
from seom_desktop.stack.claim import ClaimedRow, claim_due, extend_claim
from seom_desktop.stack.health_samples import HealthSampler
from seom_desktop.stack.notify import listen
from seom_desktop.stack.outcome import Settings, Tally, mark_failed
from seom_desktop.stack.progress import CLAIMED, Progress
from seom_desktop.stack.sender import CartInfo, Pacing, send_cart
from seom_desktop.stack.wakeup import Wakeup, listen_for_commits
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Cart
from seom_desktop.store.params import get_param

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    tally: Tally = field(default_factory=Tally)
    claimed: int = 0
    more: bool = False  # the claim was full: run again at once
    note: str = ""

    def summary(self) -> str:
        t = self.tally
        text = (f"{t.sent} sent, {t.failed} failed, {t.bypassed} bypassed "
                f"({t.requests} requests)")
        return f"{text}; {self.note}" if self.note else text


class _Busy:
    """The carts whose threads still send the rows claimed at the start of the pass: the
    pass lasts as long as they do (new rows, claimed meanwhile, do not make it longer)."""

    def __init__(self, carts) -> None:
        self._lock = threading.Lock()
        self._carts = set(carts)

    def done(self, cart_id: int) -> None:
        with self._lock:
            self._carts.discard(cart_id)

    def others(self, cart_id: int) -> bool:
        with self._lock:
            return bool(self._carts - {cart_id})


class StackController:
    def __init__(self, store: Store, *, workstation: str, shared: bool = False,
                 connect: Callable = default_connect, wakeup: Wakeup | None = None,
                 poll_seconds: float = 1.0, claim_limit: int = 50_000, claim_ttl: float = 120.0,
                 heartbeat_seconds: float = holders.HEARTBEAT_SECONDS,
                 on_pass: Callable[[PassResult], None] | None = None,
                 rng: random.Random | None = None):
        self.store = store
        self.workstation = workstation
        self.shared = shared
        self.connect = connect
        self.wakeup = wakeup or Wakeup()
        self._unlisten = listen_for_commits(store.sessions, self.wakeup)
        self.poll_seconds = poll_seconds
        self.claim_limit = claim_limit
        self.claim_ttl = claim_ttl
        self.heartbeat_seconds = heartbeat_seconds  # another takes its rows ~3 beats missed
        self.on_pass = on_pass
        self.rng = rng
        self.token = uuid.uuid4().hex
        self.claimer = holders.claimer_of(workstation, self.token)
        self._connectors: dict[int, tuple[tuple, object]] = {}
        self._pacing: dict[int, Pacing] = {}
        self._beaten_at = -1e9  # monotonic time of the last heartbeat
        self.progress = Progress.from_env()  # tests only: where the pass is
        self.health = HealthSampler(store)  # Sync Health history, at most once a minute

    # --- one pass ------------------------------------------------------------------
    def run_once(self, stop: threading.Event | None = None) -> PassResult:
        result = PassResult()
        with self.store.read() as s:
            designated = get_param(s, "SharedStackController")
            settings = Settings(get_param(s, "StackMaxAttempts"),
                                float(get_param(s, "StackRetrySeconds")))
        if self.shared:
            lease.acquire(self.store, workstation=self.workstation, token=self.token)
        elif designated:
            result.note = (f"this store uses the shared stack controller {designated}; "
                           "nothing is sent from here")
            return result
        self._beat(due_after=1.0)
        # A dead holder's rows (a controller killed mid-pass) go back at once.
        holders.requeue_orphans(self.store, claimer=self.claimer, workstation=self.workstation)
        with holders.Heartbeat(self.store, self.claimer, self.workstation,
                               self.heartbeat_seconds):
            self._send_claimed(result, settings, stop)
        self.health.maybe_sample()
        if self.on_pass:
            self.on_pass(result)
        return result

    def _send_claimed(self, result: PassResult, settings: Settings,
                      stop: threading.Event | None) -> None:
        since = self.wakeup.count  # rows committed after this are not in the claim below
        rows = self._claim()
        if rows and self.progress:
            self.progress.report(CLAIMED, len(rows))
        result.claimed = len(rows)
        result.more = len(rows) >= self.claim_limit
        by_cart: dict[int, list[ClaimedRow]] = {}
        for r in rows:
            by_cart.setdefault(r.cart_id, []).append(r)
        if len(by_cart) <= 1:
            for cart_id, cart_rows in by_cart.items():
                result.tally.add(self._send_cart(cart_id, cart_rows, settings, stop, since))
            return
        # Each cart on its own thread: one cart's wait (a slow answer, a cost bucket
        # refilling) does not hold up the others. The store serialises the writes. A cart
        # whose claimed rows are done keeps sending its new rows while another cart's
        # thread still sends (a drain): the pass ends when every cart's thread is done.
        busy = _Busy(by_cart)
        # a thread for each cart: one waiting for its new rows must not hold up another
        with ThreadPoolExecutor(len(by_cart), thread_name_prefix="stack-cart") as pool:
            futures = [pool.submit(self._send_cart, cart_id, cart_rows, settings, stop, since,
                                   busy)
                       for cart_id, cart_rows in by_cart.items()]
            for f in futures:
                result.tally.add(f.result())

    def _claim(self, cart_id: int | None = None) -> list[ClaimedRow]:
        return claim_due(self.store, claimer=self.claimer,
                         workstation=None if self.shared else self.workstation,
                         limit=self.claim_limit, ttl=self.claim_ttl, cart_id=cart_id)

    def _send_cart(self, cart_id: int, rows: list[ClaimedRow], settings: Settings,
                   stop: threading.Event | None, since: int, busy: _Busy | None = None) -> Tally:
        """Send one cart's claimed rows; between two of their requests, and after them
        while another cart's thread still sends, the rows of this cart committed since
        the claim are claimed and sent first (stack/sender.py `fresh`): a change made
        during a drain waits for one request, not for the drain."""
        key = ("cart", self.token, cart_id)
        self.wakeup.look_from(key, since)
        ids = [r.id for r in rows]  # the rows whose claim the ticker keeps alive

        def fresh() -> list[ClaimedRow]:
            if not self.wakeup.wait(0, key):
                return []
            new = self._claim(cart_id)
            ids.extend(r.id for r in new)
            return new

        tally = Tally()
        try:
            while rows:
                tally.add(self._send_rows(cart_id, rows, settings, stop, fresh, ids))
                rows = []
                if busy is None:
                    break
                busy.done(cart_id)
                while not rows and busy.others(cart_id) and not (
                        stop is not None and stop.is_set()):
                    if self.wakeup.wait(0.1, key):
                        rows = self._claim(cart_id)
                        ids.extend(r.id for r in rows)
        finally:
            if busy is not None:
                busy.done(cart_id)
        return tally

    def _send_rows(self, cart_id: int, rows: list[ClaimedRow], settings: Settings,
                   stop: threading.Event | None, fresh: Callable[[], list[ClaimedRow]],
                   ids: list[int]) -> Tally:
        try:
            with self.store.read() as s:
                cart = s.get(Cart, cart_id)
                info = CartInfo(cart.id, cart.name, cart.max_items)
                connector = self._connector(cart)
            return send_cart(self.store, info, rows, connector, settings, stop=stop,
                             on_request=self._ticker(ids), rng=self.rng,
                             pacing=self._pacing.setdefault(cart_id, Pacing()), fresh=fresh)
        except Exception as e:  # noqa: BLE001 - one cart's trouble must not stop the others
            log.exception("sending to cart %s failed", cart_id)
            tally = Tally(errors=[str(e)])
            with self.store.write() as s:
                # its claimed rows, new ones too (those already sent are left as they are)
                mark_failed(s, ids, f"could not send: {e}",  # details: log
                            settings, tally, rng=self.rng)
            return tally

    def _connector(self, cart: Cart):
        # New credentials or a new CA bundle (cart set) take effect on the next pass.
        creds = tuple(sorted(credentials.load(cart.credential_ref).items()))
        sig = (cart.kind, cart.url, cart.location, cart.credential_ref, hash(creds))
        cached = self._connectors.get(cart.id)
        if cached is not None and cached[0] == sig:
            return cached[1]
        if cached is not None:
            cached[1].close()
        conn = self.connect(cart)
        if self.progress:
            conn = self.progress.wrap(conn)
        self._connectors[cart.id] = (sig, conn)
        return conn

    def _ticker(self, ids: list[int]) -> Callable[[], None]:
        """Before each request of one cart: keep the lease and that cart's claim (`ids`,
        growing as its new rows are claimed) alive on long passes. Each cart's thread extends only its own rows: extending every
        cart's at once, in id order, deadlocked on PostgreSQL with another cart's thread
        marking its rows sent in another order (bench/README.md, issue 23)."""
        last = time.monotonic()

        def tick() -> None:
            nonlocal last
            now = time.monotonic()
            if now - last < min(self.claim_ttl, 30.0) / 3:
                return
            last = now
            if self.shared:
                lease.acquire(self.store, workstation=self.workstation, token=self.token)
            extend_claim(self.store, self.claimer, ids, self.claim_ttl)

        return tick

    def _beat(self, due_after: float | None = None) -> None:
        """Register this controller as a holder of claims, or renew its heartbeat."""
        if due_after is None:
            due_after = self.heartbeat_seconds
        if time.monotonic() - self._beaten_at < min(due_after, self.heartbeat_seconds):
            return
        holders.beat(self.store, self.claimer, self.workstation, self.heartbeat_seconds)
        self._beaten_at = time.monotonic()

    # --- the loop --------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Passes until `stop` is set; a set stop lets the request in flight finish."""
        listener = listen(self.store.engine, self.wakeup)
        log.info("stack controller started on %s (%s)", self.workstation,
                 "shared: sends every workstation's records" if self.shared
                 else "local: sends this workstation's records")
        try:
            holders.forget_silent(self.store)
        except Exception:  # noqa: BLE001 - housekeeping only
            log.exception("dropping silent stack holders failed")
        try:
            while not stop.is_set():
                try:
                    result = self.run_once(stop)
                except lease.LeaseRefused as e:
                    log.info("%s", e)
                    self._wait(stop, self._lease_wait())
                    continue
                except Exception:  # noqa: BLE001 - the store may be briefly unreachable
                    log.exception("stack controller pass failed")
                    self._wait(stop, max(self.poll_seconds, 1.0))
                    continue
                if not result.more:
                    self._wait(stop, self.poll_seconds)
        finally:
            if listener is not None:
                listener.stop()
            self.close()
            log.info("stack controller stopped on %s", self.workstation)

    def _wait(self, stop: threading.Event, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                self._beat()
            except Exception:  # noqa: BLE001 - the store may be briefly unreachable
                log.warning("stack controller heartbeat failed", exc_info=True)
            if self.wakeup.wait(min(left, 0.25)):
                return

    def _lease_wait(self) -> float:
        with self.store.read() as s:
            return max(1.0, get_param(s, "StackLeaseSeconds") / 3)

    def close(self) -> None:
        self._unlisten()
        self._unlisten = lambda: None  # (closed twice: once is enough)
        for _sig, conn in self._connectors.values():
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
        self._connectors.clear()
        try:
            holders.forget(self.store, self.claimer)
        except Exception:  # noqa: BLE001 - a holder not forgotten is dropped when silent
            log.exception("unregistering the stack controller failed")
        if self.shared:
            try:
                lease.release(self.store, token=self.token)
            except Exception:  # noqa: BLE001 - a lease not released expires on its own
                log.exception("releasing the shared controller lease failed")
