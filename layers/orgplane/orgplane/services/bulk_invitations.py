"""Bulk invitations: up to 100 invitations in one request, each row answered as the single route would.

Each row goes through the single route's own steps (:mod:`orgplane.services.invitations`): the same
model validates it, :func:`~orgplane.services.invitations.new_invitation` judges it and builds its
item, and the same writers put it. What changes is only how the rows are read and written:

- one read for the batch: the org, the caller's membership, the org's mail counter, the address
  claim of every row and every team named (a ``BatchGetItem`` of up to 100 keys per request);
- the seat limit and the org's hourly mail limit are planned across the batch in input order from
  that read (the first rows that fit get the seats), then enforced at the write by one conditional
  counter update per transaction for all its rows, so they hold exactly under concurrent invites;
- rows are written in as few transactions as fit (about 24 rows each): five for 100 rows.

When a transaction's guard fails (a concurrent invite took a seat or claimed an address, the
inviter's role changed), nothing of it was written: the rows not yet written are read and planned
again. A row refused at the write on its own account (its address's mail limit) keeps that answer.
One ``Idempotency-Key`` covers the batch: the first transaction commits the key, and a retry replays
the whole answer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from orgplane import clock, keys
from orgplane.caller import Caller
from orgplane.config import settings as deployment
from orgplane.errors import DomainError, problem_document, validation_problem
from orgplane.models.invitations import CreateInvitation
from orgplane.models.onboarding import BulkInvitationResult, BulkInvitationResults, BulkInvitations, Problem
from orgplane.services import events, invitations, rate_limits, role_usage
from orgplane.services.tenancy import OrgView, open_org
from orgplane.store import records
from orgplane.store.transaction import STALE, Stale, Transaction

Item = dict[str, Any]


def operations_per_transaction() -> int:
    """DynamoDB's 100 operations (``MAX_TRANSACTION_ITEMS``: fewer on old DynamoDB Local engines), less
    one kept for the Idempotency-Key's claim."""
    return deployment().max_transaction_items - 1

#: Rounds in a row that settle no row (read, plan, write) before the rows still open answer ``conflict``.
MAX_ROUNDS = 8


class _RowRefused(Stale):
    """One row's guard failed at the write: ``error`` is its answer, or ``None`` to read it again."""

    def __init__(self, index: int, error: DomainError | None = None) -> None:
        super().__init__(f"row {index}")
        self.index = index
        self.error = error


@dataclass
class _Row:
    index: int
    email: str | None
    body: CreateInvitation | None = None
    email_key: str = ""
    team_ids: tuple[str, ...] = ()
    created: Item | None = None
    error: DomainError | None = None  # final: invalid, or refused at the write on its own account
    planned: DomainError | None = None  # this round's plan: judged again after a failed write

    @property
    def open(self) -> bool:
        return self.created is None and self.error is None


def create_many(caller: Caller, org_id: str, body: BulkInvitations) -> BulkInvitationResults:
    rows = [_parse(index, raw) for index, raw in enumerate(body.invitations)]
    fruitless = 0
    while fruitless < MAX_ROUNDS:
        waiting = [row for row in rows if row.open]
        if not waiting:
            break
        fruitless += 1  # a round that settles rows is free: rounds are bounded by the rows, then by MAX_ROUNDS
        try:
            view = _open(caller, org_id, waiting)
        except Stale:
            continue
        except DomainError as error:  # the org or the caller's right to invite: the whole request's answer
            if not any(row.created for row in rows):
                raise
            for row in waiting:  # ...unless some rows are already written: then the rest's
                row.error = error
            break
        if _write(view, rows, _plan(view, waiting)):
            break
        if any(not row.open for row in waiting):
            fruitless = 0
    else:
        for row in rows:
            if row.open and row.planned is None:
                row.error = DomainError("conflict", "The organization kept changing; retry this row.")
    now = int(clock.timestamp())
    return BulkInvitationResults(results=[_result(caller, row, now) for row in rows])


def _parse(index: int, raw: dict[str, Any]) -> _Row:
    """The row as the single route's body: its validation error or missing-team answer, or ready."""
    email = raw.get("email")
    row = _Row(index, email if isinstance(email, str) else None)
    try:
        row.body = CreateInvitation.model_validate(raw)
        row.email_key = records.email_key(row.body.email)
        row.team_ids = tuple(invitations.team_ids_of(row.body))
    except ValidationError as error:
        row.error = validation_problem(error)
    except DomainError as error:
        row.error = error
    return row


def _open(caller: Caller, org_id: str, rows: list[_Row]) -> OrgView:
    """The org and all the batch needs from it in one read; raises :class:`Stale` after expiring
    invitations past due that still held some row's address (read again)."""
    app_id = caller.app_id
    claim_keys = [keys.email_claim(app_id, org_id, key) for key in dict.fromkeys(row.email_key for row in rows)]
    team_keys = [keys.team(app_id, org_id, t) for t in dict.fromkeys(t for row in rows for t in row.team_ids)]
    view = open_org(caller, org_id, rate_limits.org_mail_window(app_id, org_id), *claim_keys, *team_keys)
    invitations._require_inviting(view)
    claims = view.extra[1: 1 + len(claim_keys)]
    if invitations.expire_due_holders(app_id, org_id, [c for c in claims if c and c.get("state") != "member"]):
        raise STALE
    return view


def _plan(view: OrgView, rows: list[_Row]) -> list[tuple[_Row, Item]]:
    """Judge each row as the single route would, in input order, with the seats and the org's mails
    the read left: the first rows that fit get them, the rest answer as a full org would."""
    addresses = list(dict.fromkeys(row.email_key for row in rows))
    claims = dict(zip(addresses, view.extra[1: 1 + len(addresses)], strict=True))
    team_ids = list(dict.fromkeys(t for row in rows for t in row.team_ids))
    teams = dict(zip(team_ids, view.extra[1 + len(addresses):], strict=True))
    limit = view.settings.max_members_per_org
    seats = None if limit is None else limit - int(view.org.get("seats_used", 0))
    mails = rate_limits.org_mail_left(view.extra[0], view.settings)
    plan: list[tuple[_Row, Item]] = []
    invited: set[str] = set()
    for row in rows:
        assert row.body is not None
        row.planned = None
        claim = {"state": "invited"} if row.email_key in invited else claims[row.email_key]
        try:
            item = invitations.new_invitation(view, row.body, row.email_key, claim,
                                              [teams[t] for t in row.team_ids], expire_due=False)
            if seats is not None and seats <= 0:
                raise invitations.NO_SEAT
            if mails is not None and mails <= 0:
                raise rate_limits.org_mail_refusal()
        except DomainError as error:
            row.planned = error
            continue
        assert item is not None
        seats = None if seats is None else seats - 1
        mails = None if mails is None else mails - 1
        invited.add(row.email_key)
        plan.append((row, item))
    return plan


def _chunks(view: OrgView, plan: list[tuple[_Row, Item]]) -> Iterator[list[tuple[_Row, Item]]]:
    """The plan in transactions as full as DynamoDB allows: each row writes its invitation, its
    address's claim and mail counter and its audit event; each transaction also updates the org's
    counters and its event counter once and checks the inviter and every team its rows name."""
    settings = view.settings
    per_row = 3 + (settings.invitation_sends_per_address_per_hour is not None)
    # the org's counters, the org's mail counter, the inviter's role guard, and the org's event counter
    shared = 2 + (settings.invitations_per_org_per_hour is not None) + (not view.caller.support)
    budget = operations_per_transaction()
    chunk: list[tuple[_Row, Item]] = []
    named: set[str] = set()

    def cost(rows: int, names: set[str]) -> int:
        return shared + per_row * rows + len(names)

    for row, item in plan:
        names = {f"team:{t}" for t in item["team_ids"]} | (
            {f"role:{item['role']}"} if role_usage.is_custom(str(item["role"])) else set())
        if chunk and cost(len(chunk) + 1, named | names) > budget:
            yield chunk
            chunk, named = [], set()
        chunk.append((row, item))
        named |= names
    if chunk:
        yield chunk


def _write(view: OrgView, rows: list[_Row], plan: list[tuple[_Row, Item]]) -> bool:
    """Write the plan; ``False`` when a transaction failed on a guard and the open rows need reading again."""
    for chunk in _chunks(view, plan):
        tx = Transaction()
        for row, item in chunk:
            invitations.write_invitation(tx, view, item, on_taken=_RowRefused(row.index))
        invitations.count_invitations(tx, view, [item for _, item in chunk])
        for row, item in chunk:
            invitations.record_invitation(tx, view, item, functools.partial(_RowRefused, row.index))
        try:
            tx.commit()
            events.committed(tx)
        except _RowRefused as refused:
            rows[refused.index].error = refused.error
            return False
        except Stale:
            return False
        except DomainError as error:
            if error.code in {"member_limit_reached", "rate_limited"}:
                return False  # a concurrent request took seats or mails this plan counted on: plan again
            for row, _ in chunk:  # anything else is these rows' answer (a custom role deleted meanwhile...)
                row.error = error
            return False
        for row, item in chunk:
            row.created = item
    return True


def _result(caller: Caller, row: _Row, now: int) -> BulkInvitationResult:
    if row.created is not None:
        return BulkInvitationResult(email=row.email, status=201, invitation=records.to_invitation(row.created, now))
    error = row.error or row.planned
    assert error is not None
    return BulkInvitationResult(email=row.email, status=error.status,
                                error=Problem.model_validate(problem_document(error, caller.request_id)))
