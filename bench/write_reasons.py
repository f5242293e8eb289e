"""Why each mutation that is not at one request reads before it writes (data for bench/report.py).

Optimistic writes (`services/optimistic.py`) make a mutation one TransactWriteItems when everything it
needs can be a condition: the caller's role among the role book's holders of the permission, the
target's state, counters and limits. The mutations below need a value that only a read gives (a
transaction returns nothing on success), so they keep `services/tenancy.py` `open_org`'s one
BatchGetItem before their one TransactWriteItems.
"""

from __future__ import annotations

_READ_WRITE = "1 BatchGetItem + 1 TransactWriteItems"

EXPLAINED: dict[str, tuple[str, str]] = {
    "create team": ("1 TransactWriteItems",
                    "Optimistic: no read. The name claim, the team limit (a condition on the org's "
                    "`team_count`), the caller's role among the holders of `team:create` (a ConditionCheck) "
                    "and the audit event, numbered from the container's last known event counter, in one "
                    "transaction; only a cancellation reads (`services/teams.py` `_create`)."),
    "put team member (add)": ("1 TransactWriteItems",
                              "Optimistic: no read when a member joins a team they are not on: the new team "
                              "membership, the team's count, the member's team map (condition: it lacks the "
                              "team) and the caller's role or maintainership as guards; a role change, an "
                              "orphan to take over or any refusal takes the read path."),
    "update org (rename)": (_READ_WRITE,
                            "The response is the whole org (slug, counts, dates), which a transaction cannot "
                            "return, and a slug change deletes the old slug's claim, whose key is the old slug."),
    "create invitation": ("1 TransactWriteItems",
                          "Optimistic: no read. The address's claim (neither a member nor invited), the seat "
                          "and mail limits, the teams, the caller's role among those that may invite and grant "
                          "the role, and the org's name (copied into the invitation; the container's last known "
                          "name, conditioned on) are guards of one transaction. A container that does not know "
                          "the org's name yet, or any refusal, takes the read path."),
    "resend invitation": (_READ_WRITE,
                          "The response is the whole invitation, and the mail limit's key and the grant check "
                          "need its address and role."),
    "decline invitation by token": (_READ_WRITE,
                                    "Releasing the invitation moves its role's usage counter: the role is a "
                                    "value, not a condition."),
    "revoke invitation": (_READ_WRITE,
                          "The email claim's key (the invitee's address) and the role's usage counter come "
                          "from the invitation."),
    "update member role": (_READ_WRITE,
                           "The old role moves the counters (owners, the role's usage) and decides who may "
                           "change it; the response is the whole membership."),
    "remove team member": ("1 TransactWriteItems",
                           "Optimistic: no read when the user is a plain `member` of the team: the audit event "
                           "records the team role removed, so the role is a guess the user's team map must "
                           "confirm; a maintainer (or any refusal) takes the read path."),
    "update team (rename)": (_READ_WRITE,
                             "The response is the whole team, and the old name's claim is keyed by the old "
                             "name."),
    "remove member": (_READ_WRITE,
                      "The member's role moves the counters (owners, seats, the role's usage) and their "
                      "team map names the team memberships that go with them."),
    "delete org": (_READ_WRITE,
                   "The slug's claim is keyed by the slug, and the audit event and the restore window keep "
                   "the org's name and slug."),
    "delete team": ("1 BatchGetItem + 1 Query + 1 TransactWriteItems",
                    "A dependent read: the team's name claim is keyed by its name, and its memberships "
                    "(the Query) go in the same transaction."),
    "decline invitation by id": ("1 Query + 1 TransactWriteItems",
                                 "As accept by id: the caller's email view lists the whole invitation, and the "
                                 "decline is written conditioned on what was listed (pending, the same link "
                                 "nonce); only a failed guard reads."),
    "remove member on 1 team": (_READ_WRITE,
                                "As a member on no team: the member's teams are assumed to exist (each count "
                                "update is conditioned on its team), so the teams are read only when one was "
                                "deleted and its cleanup is pending (`services/members.py` `remove_member`)."),
    "admin: change settings": ("1 TransactWriteItems",
                               "Plus the strongly consistent GetItem of the settings item the patch merges into "
                               "(counted with the settings reads in the notes). The app's event counter is not "
                               "read: its events are numbered from the container's last known counter, and a "
                               "moved counter comes back with the cancellation (`ALL_OLD`)."),
    "service: put member (add)": ("1 TransactWriteItems",
                                  "Optimistic: no read. The new membership (condition: none yet), the email "
                                  "claim, the seat limit on the org's counters (which also pins the org), the "
                                  "user's org limit, a custom role's usage counter (condition: still defined) and "
                                  "the audit event in one transaction; the app's backend and support hold no "
                                  "membership to guard. A user who is already a member fails the first guard and "
                                  "takes the read path, a role change (`services/provisioning.py` `_add_unread`)."),
    "service: create org with owner": ("1 TransactWriteItems",
                                       "As create org: no read. The org, its slug claim, the owner's membership "
                                       "and email claim, the owner's org counter and the audit events in one "
                                       "conditional transaction; the limits come from the cached app settings."),
    "bulk invitations (10 rows)": ("1 BatchGetItem + 5 TransactWriteItems",
                                   "A dependent read, and writes sized by the engine: one BatchGetItem of the org, the "
                                   "caller's membership, the org's mail window and every row's address claim and "
                                   "team (which rows are new, which are refused), then the rows in transactions "
                                   "as full as the engine allows (`services/bulk_invitations.py` `_chunks`: three "
                                   "or four operations a row, plus the org's counters, the inviter's guard and the "
                                   "event counter once). DynamoDB Local takes 10 operations a transaction, so 10 "
                                   "rows need 5; DynamoDB's 100 take them in 1: 2 requests in all."),
    "webhook: create": ("1 GetItem + 1 TransactWriteItems",
                        "The GetItem is the app's event counter: `webhook.created` is an app-level event, "
                        "numbered from it, and create reads nothing else to carry it. The endpoint, the app's "
                        "endpoint count (its limit as a condition) and the event go in one transaction. Guessing "
                        "the counter from the container's last write (as the settings change does) would trade "
                        "the read for a cancelled transaction whenever another container wrote an app-level "
                        "event since: here every time, since each create is followed by a delete."),
    "webhook: update": ("1 BatchGetItem + 1 TransactWriteItems",
                        "The endpoint and the app's event counter in one strongly consistent BatchGetItem "
                        "(`store/webhooks.py` `read_with_event_counter`; it was two GetItems): the response is "
                        "the whole endpoint and only changed fields are written and audited, so the endpoint is "
                        "read; the transaction is conditioned on its `updated_at`."),
    "webhook: rotate secret": ("1 BatchGetItem + 1 TransactWriteItems",
                               "As update: the new secret list keeps the current secret as the previous one, "
                               "so the endpoint is read, with the app's event counter in the same BatchGetItem "
                               "(it was two GetItems)."),
    "restore org": (_READ_WRITE,
                    "A dependent read: the org item is rebuilt from its `DELETED` copy (name, counters, the slug "
                    "to claim again), which only a read gives. The org's event counter comes in the same "
                    "BatchGetItem, so `org.restored` is numbered without a GetItem (`services/lifecycle.py` "
                    "`_restore`)."),
    "invite link: create": ("1 TransactWriteItems",
                            "Optimistic: no read. The link, the caller's role among those that hold `member:invite` "
                            "and may grant the link's role (a ConditionCheck), the org's existence and the audit "
                            "event in one transaction; an unknown role or any refusal takes the read path "
                            "(`services/invite_links.py` `_create_unread`)."),
    "invite link: accept": (_READ_WRITE,
                            "The membership takes the link's role, a value only the link gives, and the token "
                            "(which names the link, not the caller's rights) must be checked against its hash, "
                            "its allowed domains and the caller's membership and email claim. One BatchGetItem "
                            "reads the org, the link, the caller's membership, their email claim and the event "
                            "counter."),
    "domain: add": ("1 TransactWriteItems",
                    "Optimistic: no read. The domain item (new to the org), a ConditionCheck that no other org "
                    "claims the domain, the domain limit (a condition on the org's `domain_count`), the caller's "
                    "role among the holders of `domain:manage` and the audit event in one transaction; a claim "
                    "left by a deleted org, or any refusal, takes the read path (`services/domains.py` "
                    "`_add_unread`). The claim's ConditionCheck is one write item more than the read path's."),
    "domain: verify": (_READ_WRITE,
                       "A dependent read: the DNS lookup needs the domain's verification value, and the claim is "
                       "put or taken over depending on who holds it now."),
    "join request: create": (_READ_WRITE,
                             "The org's `domain_join` policy decides what is written (a membership with the "
                             "policy's role, or a request), and the domain claim, membership, email claim and "
                             "pending slot answer the exact refusal. One BatchGetItem reads them with the event "
                             "counter (`services/joining.py` `_join`)."),
    "join request: approve": (_READ_WRITE,
                              "The membership is the requester's: their user id and email are values only the "
                              "request gives, and the role granted defaults to the org's policy."),
    "ownership transfer: start": ("1 TransactWriteItems",
                                  "Optimistic: no read. The transfer and the org's claim on its one pending "
                                  "transfer (put if absent), a ConditionCheck that the target is a member, the "
                                  "caller's role `owner` and the audit event in one transaction; a pending "
                                  "transfer (which the read path closes if it is past due or dead) or any "
                                  "refusal takes the read path (`services/ownership.py` `_request_unread`)."),
    "ownership transfer: accept": (_READ_WRITE,
                                   "A dependent read: the transfer names the initiator, who becomes admin, and the "
                                   "response is the whole transfer. The initiator is assumed to be an owner still "
                                   "(their role is a condition of the write); only a refusal reads them to answer "
                                   "exactly (`services/ownership.py` `accept`)."),
}
