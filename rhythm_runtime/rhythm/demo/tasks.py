"""The tasks of the demo workflows: they print what they do, so the demo can show it.

They stand in for real work (a warehouse, a payment gateway, a carrier) and return at once.
`charge-card` fails its first attempt for each order, as a flaky gateway would, so the demo
shows a retry: the worker process remembers which orders it has seen.
"""

from __future__ import annotations

import hashlib
import sys

from typing_extensions import TypedDict

from rhythm import task


class Charge(TypedDict):
    id: str


class Booking(TypedDict):
    trackingNumber: str


class GatewayTimeout(Exception):
    """The payment gateway did not answer in time (the demo's transient failure)."""


_orders_charged_once: set[str] = set()


@task(name="reserve-item", queue="demo")
def reserve_item(orderId: str, sku: str) -> None:
    """Reserve one item of an order in the warehouse."""
    _say(f"reserved {sku} for {orderId}")


@task(name="charge-card", queue="demo")
def charge_card(orderId: str, amount: float) -> Charge:
    """Charge the customer's card; the gateway times out on the first try of each order."""
    if orderId not in _orders_charged_once:
        _orders_charged_once.add(orderId)
        _say(f"charging {amount:g} for {orderId}: the gateway timed out")
        raise GatewayTimeout("payment gateway did not answer within 2 s")
    _say(f"charged {amount:g} for {orderId}")
    return {"id": f"ch-{_short_hash(orderId)}"}


@task(name="refund-charge", queue="demo")
def refund_charge(chargeId: str) -> None:
    """Give the money back for a rejected order."""
    _say(f"refunded {chargeId}")


@task(name="book-carrier", queue="demo")
async def book_carrier(orderId: str) -> Booking:
    """Book a carrier for the order (an `async def` task: workers run both kinds)."""
    tracking = f"TRK-{_short_hash(orderId).upper()}"
    _say(f"booked a carrier for {orderId}: {tracking}")
    return {"trackingNumber": tracking}


@task(name="print-label", queue="demo")
def print_label(trackingNumber: str) -> None:
    """Print the shipping label."""
    _say(f"printed the label of {trackingNumber}")


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _say(text: str) -> None:
    # One write per line: tasks run on several threads, and print() writes the text and the
    # line break separately, so two tasks' lines could run together.
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()
