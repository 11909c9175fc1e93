"""The Python tasks the realistic workflows of this folder start, typed as a company would.

The corpus runner exports this module's task catalog (`python -m rhythm.catalog tasks.py`) and
checks every workflow of the folder against it, with zero diagnostics expected. Three styles of
typing appear, as in real code: pydantic models (field names in snake_case, camelCase on the
wire through an alias generator), TypedDicts whose keys are the wire names, and plain keyword
parameters for tasks whose inputs are single words.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from typing_extensions import NotRequired, TypedDict

from rhythm import task


class Wire(BaseModel):
    """Models exchanged with workflows: snake_case in Python, camelCase in the workflow."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# --- media: batch_fanout --------------------------------------------------------------------


class ResizeImage(Wire):
    album_id: str
    image_id: str
    width: int


class ResizedImage(Wire):
    url: str
    width: int
    bytes: int


class FailureLog(TypedDict):
    albumId: str
    imageId: str
    reason: str


class Manifest(Wire):
    url: str
    images: int


@task(name="resize-image", queue="media", retries=2, timeout=120)
async def resize_image(inputs: ResizeImage) -> ResizedImage:
    """Resize one image of an album to `width` pixels and store the result next to it."""
    return ResizedImage(url=f"s3://{inputs.album_id}/{inputs.image_id}", width=inputs.width, bytes=0)


@task(name="log-failure", queue="media")
def log_failure(entry: FailureLog) -> None:
    """Record an image that could not be processed, for the album's error report."""


@task(name="write-manifest", queue="media")
def write_manifest(albumId: str, outputs: dict[str, Any]) -> Manifest:
    """Write the album manifest listing every resized image; returns where it is stored."""
    return Manifest(url=f"s3://{albumId}/manifest.json", images=len(outputs))


@task(name="notify-owner", queue="media")
def notify_owner(albumId: str, failedCount: int) -> None:
    """Tell the album's owner how many images could not be processed."""


# --- etl: data_pipeline ---------------------------------------------------------------------


class PartnerFile(TypedDict):
    name: str
    path: str
    size: int


class Listing(TypedDict):
    files: list[PartnerFile]


class StockRow(TypedDict):
    sku: str
    quantity: int
    price: float
    partner: str


class LoadResult(TypedDict):
    count: int


class RowError(TypedDict):
    file: str
    row: int
    message: str


@task(name="list-partner-files", queue="etl")
def list_partner_files(partner: str, prefix: str) -> Listing:
    """List the files a partner dropped under `prefix` in their bucket."""
    return {"files": []}


@task(name="read-csv", queue="etl", retries=2)
def read_csv(path: str) -> list[dict[str, Any]]:
    """Read a CSV file into one object per row, keyed by the header line."""
    return []


@task(name="load-rows", queue="etl")
def load_rows(table: str, rows: list[StockRow]) -> LoadResult:
    """Upsert rows into a warehouse table; returns how many rows were written."""
    return {"count": len(rows)}


@task(name="send-import-report", queue="etl")
def send_import_report(
    partner: str,
    date: str,
    errors: list[RowError],
    status: Literal["partial", "too-many-errors"],
) -> None:
    """Email the partner the rows that were rejected from their import."""


# --- documents: document_review -------------------------------------------------------------


class ReviewRound(Wire):
    document_id: str
    version: int
    reviewers: list[str]
    round: int


class DocumentMessage(TypedDict):
    documentId: str
    reviewers: list[str]
    message: str


class AuthorMessage(TypedDict):
    author: str
    documentId: str
    message: str


class PublishDocument(Wire):
    document_id: str
    version: int


@task(name="request-reviews", queue="documents")
def request_reviews(inputs: ReviewRound) -> None:
    """Ask every reviewer to review this version of the document."""


@task(name="notify-reviewers", queue="documents")
def notify_reviewers(inputs: DocumentMessage) -> None:
    """Send the same message to every reviewer of a document."""


@task(name="notify-author", queue="documents")
def notify_author(inputs: AuthorMessage) -> None:
    """Send a message to the author of a document."""


@task(name="publish-document", queue="documents")
def publish_document(inputs: PublishDocument) -> None:
    """Publish the approved version of a document."""


# --- finance: expense_approval --------------------------------------------------------------


class Expense(Wire):
    request_id: str
    amount: float
    currency: str


class Validation(Wire):
    valid: bool
    reason: str | None = None


class ExpensePayment(Wire):
    request_id: str
    employee: str
    amount: float
    currency: str


class Payment(Wire):
    id: str


class ApprovalRequest(Wire):
    request_id: str
    manager: str
    amount: float
    note: str = ""


class EmployeeNotice(Wire):
    employee: str
    request_id: str
    outcome: Literal["paid", "rejected", "expired"]


class Reminder(Wire):
    manager: str
    request_id: str
    reminder: int


@task(name="validate-expense", queue="finance")
def validate_expense(inputs: Expense) -> Validation:
    """Check an expense against the policy: limits per currency, receipts, duplicates."""
    return Validation(valid=True)


@task(name="pay-expense", queue="finance", retries=3, timeout=30)
def pay_expense(inputs: ExpensePayment) -> Payment:
    """Reimburse the employee through the payroll provider."""
    return Payment(id="pay_1")


@task(name="request-approval", queue="finance")
def request_approval(inputs: ApprovalRequest) -> None:
    """Ask the manager to approve or decline the expense."""


@task(name="notify-employee", queue="finance")
def notify_employee(inputs: EmployeeNotice) -> None:
    """Tell the employee what happened to their expense request."""


@task(name="remind-manager", queue="finance")
def remind_manager(inputs: Reminder) -> None:
    """Remind the manager that an expense is waiting for their decision."""


# --- alerts: incident_escalation ------------------------------------------------------------


class OnCallPerson(TypedDict):
    name: str
    phone: str


class OnCallChain(TypedDict):
    levels: list[OnCallPerson]


class IncidentStatus(Wire):
    incident_id: str
    text: str


class EveryonePage(Wire):
    service: str
    incident_id: str


@task(name="get-oncall-chain", queue="alerts")
def get_oncall_chain(service: str) -> OnCallChain:
    """The escalation chain of a service, first responder first."""
    return {"levels": []}


@task(name="page-engineer", queue="alerts", timeout=10)
def page_engineer(to: str, message: str) -> None:
    """Page an engineer by phone call and SMS."""


@task(name="post-status", queue="alerts")
def post_status(inputs: IncidentStatus) -> None:
    """Post an update to the incident's status page and channel."""


@task(name="page-everyone", queue="alerts")
def page_everyone(inputs: EveryonePage) -> None:
    """Page every engineer of the service at once: nobody answered the escalation."""


# --- orders: order_fulfilment, payment_with_retries, reserve_inventory, ship_order --------------


class Address(TypedDict):
    line1: str
    city: str
    postcode: str
    country: str


class OrderEmail(Wire):
    customer_id: str
    order_id: str
    template: Literal["out-of-stock", "shipped"]
    data: dict[str, Any] | None = None


class ReleaseInventory(Wire):
    reservation_id: str


class CustomerRef(Wire):
    customer_id: str


class Card(Wire):
    token: str
    brand: str
    last4: str


class CardCharge(Wire):
    order_id: str
    card_token: str
    amount: float


class Charge(Wire):
    id: str
    amount: float


class OpsProblem(Wire):
    order_id: str
    problem: str


class LedgerEntry(Wire):
    order_id: str
    customer_id: str
    amount: float
    outcome: str
    attempts: int


class StockRequest(Wire):
    order_id: str
    sku: str
    quantity: int


class StockLine(Wire):
    reservation_line_id: str
    unit_price: float


class ReleaseStock(Wire):
    line_id: str


class Confirmation(Wire):
    order_id: str
    lines: list[str]


class Reservation(Wire):
    id: str


class QuoteRequest(TypedDict):
    address: Address


class Quote(TypedDict):
    price: float
    currency: str
    days: NotRequired[int]


class Booking(Wire):
    order_id: str
    reservation_id: str
    carrier: str


class BookedCarrier(Wire):
    id: str
    tracking_number: str


class Label(Wire):
    order_id: str
    tracking_number: str


class Cancellation(Wire):
    booking_id: str


@task(name="send-order-email", queue="orders")
def send_order_email(inputs: OrderEmail) -> None:
    """Send the customer one of the order emails, filled with `data`."""


@task(name="release-inventory", queue="orders")
def release_inventory(inputs: ReleaseInventory) -> None:
    """Give back every line of a reservation."""


@task(name="get-default-card", queue="payments")
def get_default_card(inputs: CustomerRef) -> Card:
    """The customer's default payment card, as a token."""
    return Card(token="tok", brand="visa", last4="4242")


@task(name="charge-card", queue="payments", retries=3, timeout=30)
def charge_card(inputs: CardCharge) -> Charge:
    """Charge a card through the primary payment provider."""
    return Charge(id="ch_1", amount=inputs.amount)


@task(name="charge-card-backup", queue="payments-backup", timeout=45)
def charge_card_backup(inputs: CardCharge) -> Charge:
    """Charge a card through the backup payment provider."""
    return Charge(id="ch_2", amount=inputs.amount)


@task(name="notify-ops", queue="payments")
def notify_ops(inputs: OpsProblem) -> None:
    """Post a problem with an order to the operations channel."""


@task(name="write-ledger", queue="payments")
def write_ledger(inputs: LedgerEntry) -> None:
    """Record the outcome of a payment in the ledger."""


@task(name="reserve-stock", queue="inventory", retries=2)
def reserve_stock(inputs: StockRequest) -> StockLine:
    """Hold `quantity` units of a SKU for an order."""
    return StockLine(reservation_line_id="line_1", unit_price=9.5)


@task(name="release-stock", queue="inventory")
def release_stock(inputs: ReleaseStock) -> None:
    """Give back one held line."""


@task(name="confirm-reservation", queue="inventory")
def confirm_reservation(inputs: Confirmation) -> Reservation:
    """Turn held lines into one reservation for the order."""
    return Reservation(id="res_1")


@task(name="quote-dhl", queue="logistics")
def quote_dhl(inputs: QuoteRequest) -> Quote:
    """DHL's price to deliver to an address."""
    return {"price": 12.0, "currency": "EUR"}


@task(name="quote-ups", queue="logistics")
def quote_ups(inputs: QuoteRequest) -> Quote:
    """UPS's price to deliver to an address."""
    return {"price": 11.0, "currency": "EUR"}


@task(name="quote-local-courier", queue="logistics")
def quote_local_courier(postcode: str) -> Quote:
    """The local courier's price; it delivers to a few postcodes only."""
    return {"price": 8.0, "currency": "EUR", "days": 1}


@task(name="book-carrier", queue="logistics")
def book_carrier(inputs: Booking) -> BookedCarrier:
    """Book a pickup with the chosen carrier."""
    return BookedCarrier(id="bk_1", tracking_number="TRK1")


@task(name="print-label", queue="logistics")
def print_label(inputs: Label) -> None:
    """Print the shipping label at the warehouse."""


@task(name="cancel-booking", queue="logistics")
def cancel_booking(inputs: Cancellation) -> None:
    """Cancel a carrier booking that was not picked up."""


# --- billing: subscription_renewal ----------------------------------------------------------


class RenewalNotice(Wire):
    customer_id: str
    subscription_id: str
    renews_on: str
    price: float


class SubscriptionCharge(Wire):
    subscription_id: str
    customer_id: str
    amount: float


class PaymentFailed(Wire):
    customer_id: str
    attempt: int
    reason: str


class SubscriptionRef(Wire):
    subscription_id: str


class Closing(Wire):
    subscription_id: str
    effective: str


@task(name="send-renewal-notice", queue="billing")
def send_renewal_notice(inputs: RenewalNotice) -> None:
    """Tell the customer their subscription renews soon, and at what price."""


@task(name="charge-subscription", queue="billing", timeout=30)
def charge_subscription(inputs: SubscriptionCharge) -> Charge:
    """Charge the customer for the next period."""
    return Charge(id="ch_3", amount=inputs.amount)


@task(name="send-payment-failed", queue="billing")
def send_payment_failed(inputs: PaymentFailed) -> None:
    """Tell the customer a renewal payment failed and will be retried."""


@task(name="lapse-subscription", queue="billing")
def lapse_subscription(inputs: SubscriptionRef) -> None:
    """Mark a subscription as lapsed after its payment failed for a week."""


@task(name="close-subscription", queue="billing")
def close_subscription(inputs: Closing) -> None:
    """Close a cancelled subscription at the end of its period."""


# --- onboarding: user_onboarding ------------------------------------------------------------


class NewAccount(Wire):
    user_id: str
    email: str
    plan: Literal["free", "team", "enterprise"]


class Account(Wire):
    id: str
    created_at: str


class WelcomeEmail(Wire):
    to: str
    template: Literal["welcome-free", "welcome-paid"]
    account_id: str


class Referral(Wire):
    referrer: str
    new_user: str


class AccountRef(Wire):
    account_id: str


class Event(Wire):
    user_id: str
    event: str
    at: str


class UserRef(Wire):
    user_id: str


@task(name="create-account", queue="onboarding")
def create_account(inputs: NewAccount) -> Account:
    """Provision the user's account on their plan."""
    return Account(id="acc_1", created_at="2026-01-01T00:00:00Z")


@task(name="send-welcome-email", queue="onboarding")
def send_welcome_email(inputs: WelcomeEmail) -> None:
    """Send the welcome email for the user's plan."""


@task(name="credit-referrer", queue="onboarding")
def credit_referrer(inputs: Referral) -> None:
    """Credit the user who referred a new sign-up."""


@task(name="assign-success-manager", queue="sales")
def assign_success_manager(inputs: AccountRef) -> None:
    """Assign a customer success manager to an enterprise account."""


@task(name="track-event", queue="onboarding")
def track_event(inputs: Event) -> None:
    """Record a product analytics event."""


@task(name="send-profile-reminder", queue="onboarding")
def send_profile_reminder(to: str, attempt: int) -> None:
    """Remind the user to complete their profile."""


@task(name="mark-dormant", queue="onboarding")
def mark_dormant(inputs: UserRef) -> None:
    """Park an account whose user never completed their profile."""
