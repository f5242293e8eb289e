"""Asynchronous cleanup of a deleted org, in bounded batches, for orgs of any size.

Deleting an org writes a CLEANUP job item (outside the org's partition) in the same transaction.
The job's stream record triggers :func:`run_batch`, which removes at most ``CLEANUP_BATCH_SIZE``
items of the org's partition and then bumps the job (its MODIFY record triggers the next batch)
or deletes it when the partition is empty. Each batch is one query plus bounded writes, so an org
of any size is cleaned without a long-running invocation and without a Scan.

The same stream drives the team cascades too big for one transaction (``kind`` on the job item,
:func:`run_job`): a deleted team's memberships, and the team memberships of a departed member.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from orgplane import clock, keys
from orgplane.config import settings
from orgplane.services import lifecycle, role_usage, teams
from orgplane.store import cleanup_jobs, memberships, records, table, users
from orgplane.store import orgs as orgs_store
from orgplane.store import teams as teams_store
from orgplane.store.transaction import Stale, Transaction

Item = dict[str, Any]


def run_job(job: Item) -> int:
    """One batch of the job a CLEANUP stream record names; returns how many items went (0: done)."""
    kind = job.get("kind", "org")
    if kind in {lifecycle.HIDE, lifecycle.UNHIDE}:
        return lifecycle.run_walk(job)
    if kind == teams.JOB_TEAM:
        return run_team_cleanup(job)
    if kind == teams.JOB_MEMBER_TEAMS:
        return run_member_teams_cleanup(job)
    return run_batch(job["app_id"], job["org_id"])


def run_batch(app_id: str, org_id: str) -> int:
    """Remove one batch of the org's items; returns how many were removed (0: the job is done)."""
    job_key = keys.cleanup(app_id, org_id)
    job = table.get(job_key)
    if job is None:
        return 0
    if table.get(keys.org(app_id, org_id)) is not None:
        table.delete_many([job_key])  # the org exists again (never expected): do not touch it
        return 0
    page = table.query(orgs_store.partition(app_id, org_id), settings().cleanup_batch_size)
    if not page.items:
        table.delete_many([job_key])
        return 0
    plain: list[dict[str, str]] = []
    counted: list[Item] = []
    for item in page.items:
        if item.get("entity") == "MEMBER" or (item.get("entity") == "INVITE" and item.get("status") == "pending"
                                              and role_usage.is_custom(item.get("role"))):
            counted.append(item)
        else:
            plain.append({"PK": item["PK"], "SK": item["SK"]})
    for chunk in _transaction_sized(counted, settings().max_transaction_items):
        _remove_counted(app_id, chunk)
    table.delete_many(plain)
    tx = Transaction()
    cleanup_jobs.progress(tx, job_key, len(page.items), clock.iso())
    try:
        tx.commit()
    except Stale:  # the job finished concurrently (a repeated stream record): nothing left to drive
        return len(page.items)
    return len(page.items)


def _transaction_sized(items: list[Item], limit: int) -> list[list[Item]]:
    """``items`` in consecutive chunks whose removal fits one transaction of at most ``limit`` operations:
    one delete each, one user counter per membership, one counter per distinct custom role."""
    chunks: list[list[Item]] = []
    chunk: list[Item] = []
    operations, roles = 0, set[Any]()
    for item in items:
        cost = 1 + (item.get("entity") == "MEMBER")
        role = item.get("role")
        new_role = role_usage.is_custom(role) and role not in roles
        if chunk and operations + cost + new_role > limit:
            chunks.append(chunk)
            chunk, operations, roles = [], 0, set[Any]()
            new_role = role_usage.is_custom(role)
        chunk.append(item)
        operations += cost + new_role
        if new_role:
            roles.add(role)
    return [*chunks, chunk] if chunk else chunks


def _remove_counted(app_id: str, items: list[Item]) -> None:
    """Memberships (each with its user's org count) and custom-role holders in one transaction, the role
    counters summed per role (one operation per item), so counters and limits stay exact. If any of them
    is already gone (a repeated stream record), each is retried alone; one that still fails alone (its
    item or its user's counter gone) is deleted without its counters, idempotently."""
    tx = Transaction()
    released: Counter[str] = Counter()
    for item in items:
        cleanup_jobs.remove(tx, {"PK": item["PK"], "SK": item["SK"]})
        if item.get("entity") == "MEMBER" and not item.get("soft_deleted"):  # its count went with the soft delete
            users.uncount_org(tx, app_id, item["user_id"])
        if role_usage.is_custom(item.get("role")):
            released[str(item["role"])] += 1
    for role, count in released.items():
        role_usage.hold(tx, app_id, role, -count)
    try:
        tx.commit()
    except Stale:
        if len(items) == 1:
            table.delete_many([{"PK": items[0]["PK"], "SK": items[0]["SK"]}])
        else:
            for item in items:
                _remove_counted(app_id, [item])


# --- team cascades too big for one transaction (services/teams.py and team_members.py start them) ------------------


def run_team_cleanup(job: Item) -> int:
    """One batch of a deleted team's memberships, each with its map entry; 0 when the job is done."""
    app_id, org_id, team_id = job["app_id"], job["org_id"], job["team_id"]
    job_key = keys.team_cleanup(app_id, org_id, team_id)
    page = table.query(teams_store.members_of(app_id, org_id, team_id), settings().cleanup_batch_size)
    if not page.items:
        table.delete_many([job_key])
        return 0
    found = table.batch_get([keys.member(app_id, org_id, i["user_id"]) for i in page.items])
    removed = 0
    for item, membership in zip(page.items, found, strict=True):
        tx = Transaction()
        teams_store.delete_member(tx, {"PK": item["PK"], "SK": item["SK"]})
        if team_id in records.member_teams(membership):
            memberships.remove_team(tx, app_id, org_id, item["user_id"], team_id)
        else:
            memberships.check_not_on_team(tx, app_id, org_id, item["user_id"], team_id)
        removed += tx.commit_unless_stale()  # stale: changed since read, the next batch reads it again
    _progress(job_key, removed, [])
    return removed


def run_member_teams_cleanup(job: Item) -> int:
    """One batch of a departed member's team memberships (the job's map); 0 when the job is done."""
    app_id, org_id, user_id = job["app_id"], job["org_id"], job["user_id"]
    job_key = {"PK": job["PK"], "SK": job["SK"]}
    current = table.get(job_key)
    pending = sorted(records.member_teams(current))
    if not pending:
        table.delete_many([job_key])
        return 0
    batch = pending[: settings().cleanup_batch_size]
    found = table.batch_get([keys.member(app_id, org_id, user_id),
                             *(keys.team(app_id, org_id, t) for t in batch),
                             *(keys.team_member(app_id, org_id, t, user_id) for t in batch)])
    membership, found_teams, team_members = found[0], found[1 : len(batch) + 1], found[len(batch) + 1 :]
    done: list[str] = []
    for team_id, team, team_member in zip(batch, found_teams, team_members, strict=True):
        if team_member is None or team_id in records.member_teams(membership):
            done.append(team_id)  # gone already, or the user is back on the team (the item is theirs again)
            continue
        tx = Transaction()
        teams_store.delete_member(tx, keys.team_member(app_id, org_id, team_id, user_id))
        memberships.check_not_on_team(tx, app_id, org_id, user_id, team_id)
        if team is not None:
            teams_store.count_members(tx, app_id, org_id, team_id, -1)
        if tx.commit_unless_stale():
            done.append(team_id)
    _progress(job_key, len(done), done)
    return len(done)


def _progress(job_key: dict[str, str], removed: int, done: list[str]) -> None:
    """Bump the job (its stream record drives the next batch); no progress at all fails the record."""
    if removed == 0:
        raise RuntimeError("cleanup batch made no progress; the stream retries it")
    tx = Transaction()
    cleanup_jobs.progress(tx, job_key, removed, clock.iso(), done)
    tx.commit_unless_stale()  # stale: the job finished concurrently (a repeated stream record)
