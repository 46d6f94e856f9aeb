"""`controller --heartbeat`: how often the controller says it is alive. A value that is
not a number of seconds from more than 0 to a day is refused, naming the flag, before
anything runs (no holder is registered)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from seom_desktop.cli import main
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import StackHolder


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon", "100000"])
def test_a_bad_heartbeat_is_refused(sqlite_url, capsys, value):
    assert main(["--store", sqlite_url, "controller", f"--heartbeat={value}"]) == 2
    err = capsys.readouterr().err
    assert "--heartbeat must be a number of seconds" in err or \
        f"argument --heartbeat: invalid float value: '{value}'" in err, err
    store = open_store(sqlite_url)
    try:
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(StackHolder)) == 0
    finally:
        store.close()
