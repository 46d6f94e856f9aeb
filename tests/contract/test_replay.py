"""The replay harness itself: it answers from recordings on a real socket, names what
nobody recorded, and its shape comparison catches a missing key or another kind."""

from __future__ import annotations

import requests
from replay import Recording, ReplayCart, differences


def test_replays_in_order_and_names_what_is_not_recorded():
    recs = [Recording("GET", r"/a/[0-9]+", {"n": 1}, "made up for this test"),
            Recording("GET", r"/a/[0-9]+", {"n": 2}, "made up for this test")]
    with ReplayCart(recs) as cart:
        assert requests.get(cart.url + "/a/1", timeout=5).json() == {"n": 1}
        assert requests.get(cart.url + "/a/2", timeout=5).json() == {"n": 2}
        third = requests.get(cart.url + "/a/3", timeout=5)
        assert third.status_code == 599
        assert cart.unanswered == ["GET /a/3"]
        assert [r.path for r in cart.received] == ["/a/1", "/a/2", "/a/3"]


def test_differences_find_missing_keys_and_other_kinds():
    recorded = {"data": {"items": [{"id": 1, "qty": None, "name": "x"}]}, "ok": True}
    assert differences(recorded, {"data": {"items": [{"id": 2, "qty": 5, "name": "y"}]},
                                  "ok": False, "extra": 1}) == []
    diffs = differences(recorded, {"data": {"items": [{"id": "2", "qty": 5}]}, "ok": 1})
    assert "$.data.items[].id: recorded number, emulator answered string" in diffs
    assert "$.data.items[].name: recorded, missing from the emulator's answer" in diffs
    assert "$.ok: recorded bool, emulator answered number" in diffs
