"""Tasks of a small shop, for the corpus cases that need a task catalog (FLOW301-FLOW304, and
FLOW204/FLOW206 on task results). The corpus runner exports this module's catalog and checks
every workflow of the folder against it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from typing_extensions import NotRequired, TypedDict

from rhythm import task


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class SentEmail(TypedDict):
    id: str
    acceptedAt: str


class Charge(Wire):
    order_id: str
    amount: float
    currency: str = "EUR"


class Receipt(Wire):
    id: str
    amount: float


class Customer(TypedDict):
    id: str
    email: str
    name: str
    company: NotRequired[str]


@task(name="send_email", queue="mail")
def send_email(to: str, subject: str, body: str = "") -> SentEmail:
    """Send one email through the mail provider."""
    return {"id": "em_1", "acceptedAt": "2026-01-01T00:00:00Z"}


@task(queue="payments", retries=3)
async def charge(inputs: Charge) -> Receipt:
    """Charge the customer for an order."""
    return Receipt(id="ch_1", amount=inputs.amount)


@task(name="lookup_customer")
def lookup_customer(customerId: str) -> Customer:
    """The customer's contact details."""
    return {"id": customerId, "email": "a@example.com", "name": "Ada"}


@task(name="log_event")
def log_event(inputs: dict) -> None:
    """Record an analytics event; any fields are accepted."""
