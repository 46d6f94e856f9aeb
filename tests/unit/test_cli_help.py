"""Every command's --help: it exits 0, says what the command does with an example, has a
help text for every argument, and names no file outside the project (a user who
installed the program has none of them)."""

from __future__ import annotations

import re

import pytest

from seom_desktop.cli import build_parser, command_parsers, main

OUTSIDE = re.compile(r"\.\./|shared/|/work/|/home/|[A-Z]:\\\\")
PATHS = [path for path, _p in command_parsers(build_parser())]


def test_every_command_is_listed():
    names = {p[0] for p in PATHS}
    assert {"reconcile", "send-qoh", "controller", "product", "stack"} <= names
    assert ("product", "add") in PATHS and ("stack", "run") in PATHS


def test_the_programs_help_names_no_file_outside_the_project(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    assert not OUTSIDE.search(out), OUTSIDE.search(out)
    assert "COMMAND --help" in out and "examples:" in out


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) for p in PATHS])
def test_each_commands_help(path, capsys):
    with pytest.raises(SystemExit) as e:
        main([*path, "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    assert not OUTSIDE.search(out), OUTSIDE.search(out)
    parser = dict(command_parsers(build_parser()))[path]
    assert parser.description, f"{' '.join(path)}: no description"
    assert "example" in (parser.epilog or ""), f"{' '.join(path)}: no example"
    assert f"seom-desktop {' '.join(path)}" in parser.epilog
    missing = [a.option_strings or a.dest for a in parser._actions  # noqa: SLF001
               if not a.help and a.dest != "help"
               and a.__class__.__name__ != "_SubParsersAction"]
    assert not missing, f"{' '.join(path)}: no help text for {missing}"


def test_docs_cli_md_names_every_command_and_option():
    """docs/cli.md, the reference in the project, keeps up with the parser."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []
    for path, parser in command_parsers(build_parser()):
        name = " ".join(path)
        if f"`{name}" not in doc:
            missing.append(name)
        missing += [f"{name} {o}" for a in parser._actions  # noqa: SLF001
                    for o in a.option_strings
                    if o.startswith("--") and o not in ("--help", "--store", "--workstation")
                    and o not in doc]
    assert not missing, f"not in docs/cli.md: {missing}"
