"""Whether the holder of a claim is alive: its process (asked from its own workstation
and host, a reused pid told apart by its start time) and its heartbeat (asked from
anywhere, 3 of its own intervals)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest

from seom_desktop.stack.holders import Holder, process_alive, process_start
from seom_desktop.store.models import utcnow

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="process start times are read from /proc")


def _finished_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_running_process_is_alive_and_a_finished_one_is_not():
    me = os.getpid()
    assert process_alive(me, process_start(me)) is True
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = process_start(child.pid)
        assert process_alive(child.pid, start) is True
    finally:
        child.kill()
        child.wait()
    assert process_alive(child.pid, start) is False


def test_a_reused_pid_is_not_the_holder():
    me = os.getpid()
    boot, ticks = process_start(me).split(":")
    assert process_alive(me, f"{boot}:{int(ticks) - 1}") is False


def test_an_unknown_start_cannot_tell():
    assert process_alive(os.getpid(), "") is None


def _holder(pid: int, start: str, silent: float, every: float = 5.0) -> Holder:
    return Holder("WS1:abc", "WS1", socket.gethostname(), pid, start,
                  utcnow() - timedelta(seconds=silent), every)


def test_its_own_workstation_sees_a_dead_process_at_once():
    pid = _finished_pid()
    h = _holder(pid, "boot:1", silent=0.0)
    assert h.dead(utcnow(), workstation="WS1")
    assert not h.dead(utcnow(), workstation="WS2")  # another workstation: the heartbeat only
    assert not h.dead(utcnow(), workstation="WS1", host="another-host")


def test_a_silent_holder_is_dead_after_three_of_its_beats():
    me = os.getpid()
    assert not _holder(me, process_start(me), silent=14.0).dead(utcnow(), workstation="WS2")
    assert _holder(me, process_start(me), silent=16.0).dead(utcnow(), workstation="WS2")
    assert _holder(me, process_start(me), silent=1.0, every=0.3).dead(utcnow(),
                                                                       workstation="WS2")
    assert not _holder(me, process_start(me), silent=0.5).dead(utcnow(), workstation="WS1")
