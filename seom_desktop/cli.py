"""The command line of seom-desktop: the administrator's and the scripting surface of the
store, and the headless stack controller. Names and flags are fixed (other tools call
them); the full reference is docs/cli.md, and each command's --help.

Exit status: 0 success; 2 bad input (one `error:` line on stderr naming the problem,
nothing changed); 1 any other failure. `--json` prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from seom_desktop import __version__, logs
from seom_desktop.commands.errors import BadInput

DESCRIPTION = ("Keep the quantity on hand (QOH) of every product in step between the store\n"
               "and its shopping carts. Without a command, the window opens.")
EPILOG = """\
examples:
  seom-desktop init                          create or upgrade the store
  seom-desktop product list --json           every product as JSON
  seom-desktop send-qoh "Web Store"          Send QOH To Website
  seom-desktop reconcile "Web Store" --fix   correct what drifted on a cart
  seom-desktop controller --shared           the shared stack controller, until stopped

Each command has its own help: seom-desktop COMMAND --help (flags, exit status, the
JSON it prints). Exit status: 0 success; 2 bad input (one line on stderr starting
"error:"; nothing changed); 1 any other failure."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        raise BadInput(message)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--store", metavar="URL", default=default,
                        help="SQLAlchemy URL of the store (default: $SEOM_STORE, else a "
                             "SQLite file in the user data folder)")
    parser.add_argument("--workstation", metavar="NAME", default=default,
                        help="this workstation's name (default: $SEOM_WORKSTATION, else "
                             "the host name)")


class Context:
    """What a command handler gets: parsed args, the store (opened on first use), the
    workstation, and output helpers."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from seom_desktop.store.engine import open_store

            self._store = open_store(getattr(self.args, "store", None))
            logs.apply_store_level(self._store)  # the LogLevel system parameter
        return self._store

    @property
    def actor(self):
        from seom_desktop.inventory.actor import Actor

        return Actor.current(getattr(self.args, "workstation", None))

    @property
    def workstation(self) -> str:
        return self.actor.workstation

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def out(self, text: str = "") -> None:
        print(text)

    def emit(self, data: Any, text: Callable[[], None] | str | None = None) -> None:
        """Print `data` as JSON with --json, else the human text."""
        if self.json:
            json.dump(data, sys.stdout, ensure_ascii=False, default=str)
            sys.stdout.write("\n")
        elif callable(text):
            text()
        elif text is not None:
            print(text)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def build_parser() -> argparse.ArgumentParser:
    from seom_desktop.commands import COMMAND_MODULES

    parser = _Parser(prog="seom-desktop", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"seom-desktop {__version__}")
    common = _Parser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub, common)
    return parser


def _bad_input_types() -> tuple[type[BaseException], ...]:
    """The errors that mean bad input (exit 2). Imported only once a command has raised
    something (their modules pull in the store's models and the HTTP client, which a
    command that does not need them must not pay for)."""
    from seom_desktop.carts.registry import UnknownKindError
    from seom_desktop.inventory.errors import InventoryError
    from seom_desktop.store.carts import CartDefinitionError
    from seom_desktop.store.engine import StoreURLError
    from seom_desktop.store.params import ParamError

    return (BadInput, InventoryError, ParamError, CartDefinitionError, StoreURLError,
            UnknownKindError)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ctx = None
    try:
        parser = build_parser()
        if not _has_command(parser, argv) and not {"-h", "--help", "--version"} & set(argv):
            argv = _insert_gui(argv)
        args = parser.parse_args(argv)
        logs.setup(program=args.command)
        ctx = Context(args)
        return int(args.handler(ctx) or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the last line of defence prints one line
        if isinstance(e, BadInput) or isinstance(e, _bad_input_types()):
            print(f"error: {e}", file=sys.stderr)
            return 2
        logging.getLogger("seom_desktop").exception(  # never argv: it may hold a secret
            "command %s failed", getattr(getattr(ctx, "args", None), "command", "?"))
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()


def command_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, parser) of every command and sub-command, e.g. (("product",
    "add"), parser): for the help tests and docs/cli.md."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps subparsers here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from command_parsers(sub, (*path, name))


def _has_command(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    names = _command_names(parser)
    return any(a in names for a in argv)


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:  # noqa: SLF001 - argparse keeps subparsers here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return set(action.choices)
    return set()


def _insert_gui(argv: list[str]) -> list[str]:
    """`seom-desktop --store X --screenshot P` means the gui command."""
    head: list[str] = []
    rest = list(argv)
    while rest and rest[0].split("=")[0] in ("--store", "--workstation"):
        n = 1 if "=" in rest[0] else 2
        head += rest[:n]
        rest = rest[n:]
    if rest and not rest[0].startswith("-"):
        return argv  # an unknown command: argparse names it
    return [*head, "gui", *rest]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
