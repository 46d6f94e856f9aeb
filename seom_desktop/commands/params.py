"""param set/get/list."""

from __future__ import annotations

from seom_desktop.commands._args import described, literal_values


def register(sub, common) -> None:
    par = sub.add_parser("param", parents=[common], help="system parameters", **described(
        "The system parameters (Set System Parameters in the window).",
        "seom-desktop param list", "seom-desktop param set SynchQOH true"))
    psub = par.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = psub.add_parser("set", parents=[common], help="set a system parameter", **described(
        "Set a system parameter; a value it does not take is refused (exit 2, unchanged).",
        "seom-desktop param set SynchQOH true          send QOH changes to the carts",
        "seom-desktop param set StackMaxAttempts 10",
        "seom-desktop param set ReconcileMinutes 60    reconcile every cart hourly (0: never)",
        "seom-desktop param set SharedStackController WS1"))
    p.add_argument("name", help="the parameter's name (param list shows them all)")
    p.add_argument("value", help="its new value (TRUE/FALSE, a whole number or a text)")
    p.set_defaults(handler=literal_values(cmd_set))
    p = psub.add_parser("get", parents=[common], help="show a system parameter", **described(
        "Show one system parameter's value.", "seom-desktop param get StackRetrySeconds",
        "seom-desktop param get SynchQOH --json"))
    p.add_argument("name", help="the parameter's name")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_get))
    p = psub.add_parser("list", parents=[common], help="every system parameter", **described(
        "Every system parameter, its value and what it does.", "seom-desktop param list",
        "seom-desktop param list --json"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(handler=literal_values(cmd_list))


def cmd_set(ctx) -> int:
    from seom_desktop.store.params import param_def, set_param

    p = param_def(ctx.args.name)
    with ctx.store.write() as s:
        value = set_param(s, p.name, ctx.args.value)
    ctx.out(f"{p.name} = {p.format(value)}")
    return 0


def cmd_get(ctx) -> int:
    from seom_desktop.store.params import get_param, param_def

    p = param_def(ctx.args.name)
    with ctx.store.read() as s:
        value = get_param(s, p.name)
    ctx.emit({"name": p.name, "value": value}, p.format(value))
    return 0


def cmd_list(ctx) -> int:
    from seom_desktop.store.params import PARAMS, all_params

    with ctx.store.read() as s:
        values = all_params(s)
    ctx.emit(values, lambda: [ctx.out(f"{n}\t{PARAMS[n].format(v)}") for n, v in values.items()])
    return 0
