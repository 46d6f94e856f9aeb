"""stack run --once [--shared], controller [--shared]: the headless stack controller; the
controller also runs the scheduled reconciles (ReconcileMinutes) on a thread beside it."""

from __future__ import annotations

import logging
import math
import signal
import threading

from seom_desktop.commands._args import described, literal_values, printable
from seom_desktop.commands.errors import BadInput

MAX_SECONDS = 86_400


def register(sub, common) -> None:
    p = sub.add_parser("controller", parents=[common],
                       help="run the stack controller until stopped (SIGTERM: finish the "
                            "request in flight, then exit)", **described(
        "Run the stack controller until stopped: it sends the web stack to the carts and, "
        "every ReconcileMinutes (0: never), reconciles every synchronized cart. SIGTERM or "
        "Ctrl-C: finish the request in flight, then exit.",
        "seom-desktop controller                  this workstation's own changes",
        "seom-desktop controller --shared         every workstation's (the shared one)"))
    p.add_argument("--shared", action="store_true",
                   help="be the shared stack controller (send every workstation's rows)")
    p.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                   help="how often to look for due rows when nothing wakes it (default 1)")
    p.add_argument("--claim-ttl", type=float, default=120.0, metavar="SECONDS",
                   help="how long claimed rows stay claimed without progress before another "
                        "controller may take them (default 120)")
    p.add_argument("--heartbeat", type=float, default=5.0, metavar="SECONDS",
                   help="how often this controller says it is alive; another controller "
                        "takes its rows after 3 missed (default 5)")
    p.set_defaults(handler=literal_values(cmd_controller))


def register_stack(ssub, common) -> None:
    p = ssub.add_parser("run", parents=[common], help="one pass over the rows due now", **described(
        "One pass of the stack controller over the rows due now, then exit.",
        "seom-desktop stack run --once", "seom-desktop stack run --once --shared --json"))
    p.add_argument("--once", action="store_true", required=True, help="one pass (required)")
    p.add_argument("--shared", action="store_true",
                   help="as the shared stack controller (every workstation's rows; this "
                        "workstation must be the SharedStackController)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_run_once))


def _controller(ctx, **kw):
    from seom_desktop.stack.controller import StackController

    return StackController(ctx.store, workstation=ctx.workstation, shared=ctx.args.shared, **kw)


def cmd_run_once(ctx) -> int:
    from seom_desktop.stack.lease import LeaseRefused

    ctl = _controller(ctx)
    try:
        result = ctl.run_once()
    except LeaseRefused as e:
        raise BadInput(str(e)) from None
    finally:
        ctl.close()
    t = result.tally
    ctx.emit({"claimed": result.claimed, "sent": t.sent, "failed": t.failed,
              "bypassed": t.bypassed, "requests": t.requests, "note": result.note},
             result.summary())
    return 0


def cmd_controller(ctx) -> int:
    from seom_desktop.stack.lease import LeaseRefused, acquire

    for flag, value in (("--poll", ctx.args.poll), ("--claim-ttl", ctx.args.claim_ttl),
                        ("--heartbeat", ctx.args.heartbeat)):
        if not isinstance(value, float):
            raise BadInput(f"{flag} must be a number of seconds, not {value!r}")
        if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
            raise BadInput(f"{flag} must be a number of seconds from more than 0 to "
                           f"{MAX_SECONDS:,}, not {value}")
    stop = threading.Event()  # a stop asked for while starting up is kept, not lost
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ctl = _controller(ctx, poll_seconds=ctx.args.poll, claim_ttl=ctx.args.claim_ttl,
                      heartbeat_seconds=ctx.args.heartbeat)
    if ctx.args.shared:
        try:
            acquire(ctx.store, workstation=ctx.workstation, token=ctl.token)
        except LeaseRefused as e:
            if "not " + ctx.workstation in str(e) or "no shared" in str(e):
                raise BadInput(str(e)) from None
            print(f"waiting: {e}", flush=True)
    print(f"stack controller running on {ctx.workstation} "
          f"({'shared' if ctx.args.shared else 'local'})", flush=True)
    schedule = _schedule(ctx, ctl)
    try:
        ctl.run(stop)
    finally:
        schedule.stop()
    print("stack controller stopped", flush=True)
    return 0


def _schedule(ctx, ctl):
    """Scheduled reconciles (ReconcileMinutes) on their own thread beside the loop,
    while this controller is the one that sends for this workstation."""
    from seom_desktop.sync.reconcile_schedule import ReconcileSchedule, sends_for_this_workstation

    store, shared, token = ctx.store, ctx.args.shared, ctl.token

    def said(result) -> None:
        print(printable(f"reconcile {result.summary()}"), flush=True)

    return ReconcileSchedule(
        store, workstation=ctx.workstation, on_run=said,
        sends=lambda: sends_for_this_workstation(store, shared=shared, token=token)).start()
