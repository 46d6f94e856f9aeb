"""param set/get/list."""

from __future__ import annotations

from seom_desktop.commands._args import literal_values


def register(sub, common) -> None:
    par = sub.add_parser("param", parents=[common], help="system parameters")
    psub = par.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = psub.add_parser("set", parents=[common], help="set a system parameter")
    p.add_argument("name")
    p.add_argument("value")
    p.set_defaults(handler=literal_values(cmd_set))
    p = psub.add_parser("get", parents=[common], help="show a system parameter")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=literal_values(cmd_get))
    p = psub.add_parser("list", parents=[common], help="every system parameter")
    p.add_argument("--json", action="store_true")
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
