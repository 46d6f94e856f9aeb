"""A BigCommerce cart with mapped locations, end to end through the command line and the
stack controller, against the BigCommerce emulator with two inventory locations over
loopback (its answers are cited in tests/integration/test_locations_bigcommerce.py and
the emulator's docstring): each location is sent its own warehouse's quantity, a
transfer moves both, and one absolute adjustment request carries both locations."""

from __future__ import annotations

from qoh_kit import (  # noqa: F401 - the *_fixture are fixtures
    add_bc,
    bc_fixture,
    cli_fixture,
    seed,
    store_fixture,
)

ADJUST = "PUT /stores/abc123/v3/inventory/adjustments/absolute"


def run_stack(cli) -> str:
    code, out, err = cli("stack", "run", "--once")
    assert code == 0, err
    return out


def shows(bc, skus) -> dict[str, tuple[int, int]]:
    return {sku: (bc.quantity(sku, 1), bc.quantity(sku, 2)) for sku in skus}


def test_each_bigcommerce_location_is_sent_its_own_warehouse(cli, store, bc):
    east = bc.add_location("Warehouse East")
    for sku in ("A", "B"):
        bc.add_item(sku, 99)
        bc.set_quantity(sku, 99, east)
    add_bc(cli, bc, "bc", "--sync")
    for args in (("param", "set", "SynchQOH", "true"), ("warehouse", "add", "East"),
                 ("cart", "set", "bc", "--location-for", "Main=1",
                  "--location-for", f"East={east}")):
        code, _, err = cli(*args)
        assert code == 0, (args, err)
    seed(store, {"A": 10, "B": 6})  # in Main, the default warehouse
    run_stack(cli)
    assert shows(bc, "AB") == {"A": (10, 0), "B": (6, 0)}
    assert bc.requests[ADJUST] == 1  # both SKUs at both locations in one adjustment
    code, _, err = cli("transfer", "A", "4", "--from", "Main", "--to", "East")
    assert code == 0, err
    run_stack(cli)
    assert shows(bc, "AB") == {"A": (6, 4), "B": (6, 0)}
    assert bc.requests[ADJUST] == 2
    code, out, _ = cli("stack", "list")
    assert code == 0 and "pending" not in out and "failed" not in out
