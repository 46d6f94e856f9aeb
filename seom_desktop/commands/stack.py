"""stack list/retry/bypass/delete (and run, controller: see commands/controller.py)."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values
from seom_desktop.commands.errors import BadInput


def register(sub, common) -> None:
    st = sub.add_parser("stack", parents=[common], help="the Web Stack", **described(
        "The Web Stack: the QOH changes waiting to be sent to the carts, and what became "
        "of them.", "seom-desktop stack status", "seom-desktop stack list --state failed"))
    ssub = st.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ssub.add_parser("list", parents=[common], help="list web stack records", **described(
        "The web stack's records, newest first.", "seom-desktop stack list --state failed --json",
        more="STATE: pending | sending | sent | failed | bypassed | waiting"))
    p.add_argument("--state", choices=None, metavar="STATE",
                   help="only records in this state (pending, sending, sent, failed, "
                        "bypassed, waiting)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_list))
    p = ssub.add_parser("status", parents=[common],
                        help="counts by state and who is the stack controller",
                        **described("Records by state, and which stack controller sends "
                                    "(local, or the shared one and its heartbeat).",
                                    "seom-desktop stack status --json"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_status))
    for name, fn, what in (("retry", cmd_retry, "send again (attempts reset)"),
                           ("bypass", cmd_bypass, "stop trying to send"),
                           ("delete", cmd_delete, "remove")):
        p = ssub.add_parser(name, parents=[common], help=f"{what} the given records",
                            **described(f"{what[0].upper()}{what[1:]} the given web stack "
                                        "records (their ids: stack list).",
                                        f"seom-desktop stack {name} 17 18"))
        p.add_argument("ids", nargs="+", metavar="ID", help="record ids, as stack list shows")
        p.set_defaults(handler=literal_values(fn))
    ctl = _controller_module()
    if ctl is not None:
        ctl.register_stack(ssub, common)


def _controller_module():
    try:
        from seom_desktop.commands import controller
    except ImportError:
        return None
    return controller


def _ids(ctx) -> list[int]:
    out = []
    for raw in ctx.args.ids:
        try:
            n = int(raw)
        except ValueError:
            raise BadInput(f"stack record id {raw!r} is not a number") from None
        if n <= 0:
            raise BadInput(f"stack record id {n} is not valid")
        out.append(n)
    return out


def _guard(fn):
    from seom_desktop.stack.rows import StackInputError

    try:
        return fn()
    except StackInputError as e:
        raise BadInput(str(e)) from None


def cmd_list(ctx) -> int:
    from seom_desktop.stack.rows import list_rows

    with ctx.store.read() as s:
        rows = _guard(lambda: list_rows(s, state=ctx.args.state))
    data = [r.as_json() for r in rows]
    ctx.emit(data, lambda: [
        ctx.out(f"{r['id']}\t{r['cart']}\t{r['sku']}\t{r['change']:+d}\t{r['state']}"
                f"\t{r['attempts']}\t{r['last_response']}") for r in data])
    return 0


def _act(ctx, fn, verb: str) -> int:
    ids = _ids(ctx)
    with ctx.store.write() as s:
        n = _guard(lambda: fn(s, ids))
    ctx.out(f"{verb} {n} of {len(set(ids))} stack record(s)")
    return 0


def cmd_retry(ctx) -> int:
    from seom_desktop.stack.rows import retry_rows

    return _act(ctx, retry_rows, "queued again")


def cmd_bypass(ctx) -> int:
    from seom_desktop.stack.rows import bypass_rows

    return _act(ctx, bypass_rows, "bypassed")


def cmd_delete(ctx) -> int:
    from seom_desktop.stack.rows import delete_rows

    return _act(ctx, delete_rows, "deleted")


def cmd_status(ctx) -> int:
    from seom_desktop.stack.lease import lease_info
    from seom_desktop.stack.rows import count_by_state

    with ctx.store.read() as s:
        counts = count_by_state(s)
        info = lease_info(s)
    data = {"counts": counts, "mode": "shared" if info.designated else "local",
            "shared_controller": info.designated, "holder": info.holder,
            "since": info.acquired_at.isoformat() if info.acquired_at else None,
            "heartbeat": info.heartbeat_at.isoformat() if info.heartbeat_at else None,
            "stale": info.stale, "description": info.describe()}

    def text() -> None:
        ctx.out(" · ".join(f"{n} {state}" for state, n in counts.items()))
        ctx.out(("WARNING: " if info.stale else "") + info.describe())

    ctx.emit(data, text)
    return 0
