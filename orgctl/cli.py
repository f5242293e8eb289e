"""orgctl commands: find orgs and users, change access, read the activity log.

Exit status: 0 done; 1 the API refused (its problem ``code`` and detail on stderr, e.g.
``member_not_found: Member not found.``); 2 usage or configuration error; 3 the API is unreachable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from orgctl.client import Api, ApiError, ConnectionFailed, Transport, path, urllib_transport

Row = Mapping[str, Any]
Command = Callable[[Api, argparse.Namespace], Any]


# --- output -------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(_cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return " ".join(str(value).split())


def table(rows: Sequence[Row], columns: Sequence[tuple[str, Callable[[Row], Any]]], out: TextIO) -> None:
    """Aligned columns with a header; ``(none)`` for no rows."""
    if not rows:
        print("(none)", file=out)
        return
    cells = [[name for name, _ in columns]] + [[_cell(get(row)) for _, get in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip(), file=out)


def fields(record: Row, out: TextIO, names: Sequence[str] | None = None) -> None:
    keys = list(names or record.keys())
    width = max((len(k) for k in keys), default=0)
    for key in keys:
        print(f"{key.ljust(width)}  {_cell(record.get(key))}", file=out)


def key(name: str) -> Callable[[Row], Any]:
    return lambda row: row.get(name)


ORG_COLUMNS = [("ID", key("id")), ("NAME", key("name")), ("SLUG", key("slug")), ("MEMBERS", key("member_count")),
               ("TEAMS", key("team_count")), ("CREATED", key("created_at"))]
DELETED_ORG_COLUMNS = [("ID", key("id")), ("NAME", key("name")), ("SLUG", key("slug")),
                       ("MEMBERS", key("member_count")), ("DELETED", key("deleted_at")), ("PURGE", key("purge_at"))]
MEMBER_COLUMNS = [("USER", key("user_id")), ("EMAIL", key("email")), ("ROLE", key("role")),
                  ("JOINED", key("joined_at"))]
INVITATION_COLUMNS = [("ID", key("id")), ("EMAIL", key("email")), ("ROLE", key("role")), ("STATUS", key("status")),
                      ("EXPIRES", key("expires_at")), ("DELIVERY", lambda r: (r.get("delivery") or {}).get("status"))]
AUDIT_COLUMNS = [
    ("AT", key("at")), ("ACTION", key("action")),
    ("ACTOR", lambda r: (r["actor"].get("user_id") or "") + (" (support)" if r["actor"].get("support") else "")),
    ("ORG", key("org_id")), ("TARGET", lambda r: f"{r['target'].get('type')}:{r['target'].get('id')}"),
    ("DETAILS", key("details")),
]


# --- commands -----------------------------------------------------------------------------------
# Each returns what --json prints and renders the table itself through ``args.out``.


def _limit(args: argparse.Namespace) -> int | None:
    return None if args.all else args.limit


def _listing(api: Api, args: argparse.Namespace, route: str, query: Mapping[str, str | int | None],
             columns: Sequence[tuple[str, Callable[[Row], Any]]]) -> Any:
    rows = list(api.pages(route, query, _limit(args)))
    if not args.json:
        table(rows, columns, args.out)
    return {"data": rows}


def orgs_search(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, "/admin/orgs", {"q": args.query}, ORG_COLUMNS)


def orgs_show(api: Api, args: argparse.Namespace) -> Any:
    org = api.request("GET", path("orgs", args.org))
    if not args.json:
        fields(org, args.out, ["id", "name", "slug", "member_count", "pending_invitation_count", "team_count",
                               "created_by", "created_at", "updated_at", "metadata"])
    return org


def orgs_deleted(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, "/admin/orgs", {"deleted": "true", "q": args.query or None}, DELETED_ORG_COLUMNS)


def orgs_restore(api: Api, args: argparse.Namespace) -> Any:
    org = api.request("POST", path("admin", "orgs", args.org, "restore"),
                      body={"slug": args.slug} if args.slug else {})
    if not args.json:
        table([org], ORG_COLUMNS, args.out)
    return org


def members_list(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, path("orgs", args.org, "members"), {"role": args.role}, MEMBER_COLUMNS)


def members_remove(api: Api, args: argparse.Namespace) -> Any:
    api.request("DELETE", path("orgs", args.org, "members", args.user))
    if not args.json:
        print(f"removed {args.user} from {args.org}", file=args.out)
    return {"removed": {"org_id": args.org, "user_id": args.user}}


def members_set_role(api: Api, args: argparse.Namespace) -> Any:
    member = api.request("PATCH", path("orgs", args.org, "members", args.user), body={"role": args.role})
    if not args.json:
        table([member], MEMBER_COLUMNS, args.out)
    return member


def invitations_list(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, path("orgs", args.org, "invitations"), {"status": args.status}, INVITATION_COLUMNS)


def invitations_revoke(api: Api, args: argparse.Namespace) -> Any:
    api.request("DELETE", path("orgs", args.org, "invitations", args.invitation))
    if not args.json:
        print(f"revoked {args.invitation} in {args.org}", file=args.out)
    return {"revoked": {"org_id": args.org, "invitation_id": args.invitation}}


def invitations_resend(api: Api, args: argparse.Namespace) -> Any:
    invitation = api.request("POST", path("orgs", args.org, "invitations", args.invitation, "resend"))
    if not args.json:
        table([invitation], INVITATION_COLUMNS, args.out)
    return invitation


DOMAIN_COLUMNS = [("DOMAIN", key("domain")), ("STATUS", key("status")), ("TXT NAME", lambda r: r["verification"]["name"]),
                  ("TXT VALUE", lambda r: r["verification"]["value"]), ("VERIFIED", key("verified_at"))]
JOIN_REQUEST_COLUMNS = [("ID", key("id")), ("USER", key("user_id")), ("EMAIL", key("email")),
                        ("STATUS", key("status")), ("CREATED", key("created_at")), ("DECIDED BY", key("decided_by"))]
LINK_COLUMNS = [("ID", key("id")), ("ROLE", key("role")), ("USES", key("uses")), ("MAX", key("max_uses")),
                ("STATUS", key("status")), ("EXPIRES", key("expires_at")), ("DOMAINS", key("allowed_domains"))]


def _done(args: argparse.Namespace, message: str, result: Any) -> Any:
    if not args.json:
        print(message, file=args.out)
    return result


def domains_list(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, path("orgs", args.org, "domains"), {}, DOMAIN_COLUMNS)


def domains_add(api: Api, args: argparse.Namespace) -> Any:
    domain = api.request("POST", path("orgs", args.org, "domains"), body={"domain": args.domain})
    if not args.json:
        table([domain], DOMAIN_COLUMNS, args.out)
    return domain


def domains_verify(api: Api, args: argparse.Namespace) -> Any:
    domain = api.request("POST", path("orgs", args.org, "domains", args.domain, "verify"))
    if not args.json:
        table([domain], DOMAIN_COLUMNS, args.out)
    return domain


def domains_remove(api: Api, args: argparse.Namespace) -> Any:
    api.request("DELETE", path("orgs", args.org, "domains", args.domain))
    return _done(args, f"removed {args.domain} from {args.org}", {"removed": {"org_id": args.org, "domain": args.domain}})


def join_requests_list(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, path("orgs", args.org, "join-requests"), {"status": args.status}, JOIN_REQUEST_COLUMNS)


def join_requests_approve(api: Api, args: argparse.Namespace) -> Any:
    member = api.request("POST", path("orgs", args.org, "join-requests", args.request, "approve"),
                         body={"role": args.role} if args.role else {})
    if not args.json:
        table([member], MEMBER_COLUMNS, args.out)
    return member


def join_requests_deny(api: Api, args: argparse.Namespace) -> Any:
    api.request("POST", path("orgs", args.org, "join-requests", args.request, "deny"))
    return _done(args, f"denied {args.request} in {args.org}", {"denied": {"org_id": args.org, "id": args.request}})


def links_list(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, path("orgs", args.org, "invite-links"), {}, LINK_COLUMNS)


def links_create(api: Api, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"role": args.role}
    if args.max_uses is not None:
        body["max_uses"] = args.max_uses
    if args.expires_in is not None:
        body["expires_in_seconds"] = args.expires_in
    if args.domain:
        body["allowed_domains"] = args.domain
    link = api.request("POST", path("orgs", args.org, "invite-links"), body=body)
    if not args.json:
        table([link], LINK_COLUMNS, args.out)
        print(f"\nurl (shown only now): {link['url']}", file=args.out)
    return link


def links_revoke(api: Api, args: argparse.Namespace) -> Any:
    api.request("DELETE", path("orgs", args.org, "invite-links", args.link))
    return _done(args, f"revoked {args.link} in {args.org}", {"revoked": {"org_id": args.org, "id": args.link}})


def users_show(api: Api, args: argparse.Namespace) -> Any:
    user = api.request("GET", path("admin", "users", args.user))
    if not args.json:
        out = args.out
        fields({"user_id": user["user_id"], "emails": user["emails"]}, out)
        print("\nmemberships", file=out)
        table(user["memberships"], [("ORG", key("org_id")), ("NAME", key("org_name")), ("SLUG", key("org_slug")),
                                    ("ROLE", key("role")), ("EMAIL", key("email")), ("JOINED", key("joined_at"))],
              out)
        print("\nteams", file=out)
        table(user["team_memberships"], [("ORG", key("org_id")), ("TEAM", key("team_id")), ("ROLE", key("role")),
                                         ("ADDED", key("added_at"))], out)
        print("\npending invitations", file=out)
        table(user["invitations"], [("ID", key("id")), ("ORG", key("org_id")), ("EMAIL", key("email")),
                                    ("ROLE", key("role")), ("EXPIRES", key("expires_at"))], out)
    return user


def users_find(api: Api, args: argparse.Namespace) -> Any:
    return _listing(api, args, "/admin/users", {"email": args.email},
                    [("USER", key("user_id")), ("EMAIL", key("email")), ("ORGS", key("org_ids"))])


def audit(api: Api, args: argparse.Namespace) -> Any:
    query = {"org_id": args.org, "actor": args.actor, "action": args.action}
    return _listing(api, args, "/admin/audit", query, AUDIT_COLUMNS)


def settings_show(api: Api, args: argparse.Namespace) -> Any:
    current = api.request("GET", "/admin/settings")
    if not args.json:
        fields(current, args.out)
    return current


# --- the parser ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS, help="API base URL (default: $ORGCTL_URL)")
    common.add_argument("--token", default=argparse.SUPPRESS, help="bearer token (default: $ORGCTL_TOKEN)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON, not tables")
    common.add_argument("--timeout", type=float, default=argparse.SUPPRESS, help="seconds per request (30)")

    listing = argparse.ArgumentParser(add_help=False)
    listing.add_argument("--limit", type=int, default=50, help="rows to fetch, following cursors (50)")
    listing.add_argument("--all", action="store_true", help="every row")

    root = argparse.ArgumentParser(prog="orgctl", parents=[common], description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = root.add_subparsers(dest="group", required=True, metavar="COMMAND")

    def command(group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, run: Command, help_: str,
                lists: bool = False) -> argparse.ArgumentParser:
        sub = group.add_parser(name, parents=[common, listing] if lists else [common], help=help_)
        sub.set_defaults(run=run)
        return sub

    def group(name: str, help_: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        return groups.add_parser(name, help=help_).add_subparsers(dest="command", required=True, metavar="ACTION")

    orgs = group("orgs", "find and inspect organizations")
    command(orgs, "search", orgs_search, "orgs whose name or slug starts with Q", True).add_argument(
        "query", metavar="Q", nargs="?", default="")
    command(orgs, "show", orgs_show, "one org").add_argument("org", metavar="ORG")
    command(orgs, "deleted", orgs_deleted, "deleted orgs still restorable, newest first (name or slug prefix Q)",
            True).add_argument("query", metavar="Q", nargs="?", default="")
    sub = command(orgs, "restore", orgs_restore, "restore a deleted org with its members, teams and invitations")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("--slug", help="claim this slug instead of the org's own (when that one is taken)")

    members = group("members", "list and change an org's members")
    sub = command(members, "list", members_list, "the org's members", True)
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("--role", help="only members with this role")
    sub = command(members, "remove", members_remove, "remove a member (and their team memberships)")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("user", metavar="USER")
    sub = command(members, "set-role", members_set_role, "change a member's role")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("user", metavar="USER")
    sub.add_argument("role", metavar="ROLE")

    invitations = group("invitations", "list, resend and revoke an org's invitations")
    sub = command(invitations, "list", invitations_list, "the org's invitations", True)
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("--status", help="pending, accepted, declined, revoked or expired")
    sub = command(invitations, "revoke", invitations_revoke, "revoke a pending invitation")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("invitation", metavar="INV")
    sub = command(invitations, "resend", invitations_resend, "a new link and a new mail for a pending invitation")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("invitation", metavar="INV")

    domains = group("domains", "an org's verified domains")
    command(domains, "list", domains_list, "the org's domains and their TXT records", True).add_argument(
        "org", metavar="ORG")
    for name, run, help_ in (("add", domains_add, "add a domain (prints the TXT record to publish)"),
                             ("verify", domains_verify, "look the TXT record up in DNS now"),
                             ("remove", domains_remove, "remove a domain")):
        sub = command(domains, name, run, help_)
        sub.add_argument("org", metavar="ORG")
        sub.add_argument("domain", metavar="DOMAIN")

    join_requests = group("join-requests", "requests to join an org by its verified domain")
    sub = command(join_requests, "list", join_requests_list, "the org's join requests", True)
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("--status", help="pending, approved, denied or cancelled")
    sub = command(join_requests, "approve", join_requests_approve, "let the requester in")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("request", metavar="REQUEST")
    sub.add_argument("--role", help="the new member's role (default: the org's join policy role)")
    sub = command(join_requests, "deny", join_requests_deny, "refuse a join request")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("request", metavar="REQUEST")

    links = group("links", "an org's invite links")
    command(links, "list", links_list, "the org's invite links with their uses", True).add_argument(
        "org", metavar="ORG")
    sub = command(links, "create", links_create, "a new invite link (its url is shown only once)")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("--role", default="member", help="the role it grants (member)")
    sub.add_argument("--max-uses", type=int, help="how many may join with it")
    sub.add_argument("--expires-in", type=int, help="seconds until it expires")
    sub.add_argument("--domain", action="append", help="an allowed email domain (repeatable)")
    sub = command(links, "revoke", links_revoke, "revoke an invite link")
    sub.add_argument("org", metavar="ORG")
    sub.add_argument("link", metavar="LINK")

    users = group("users", "look up users")
    command(users, "show", users_show, "a user's memberships, teams and pending invitations").add_argument(
        "user", metavar="USER")
    command(users, "find", users_find, "users whose email starts with EMAIL", True).add_argument(
        "email", metavar="EMAIL")

    sub = groups.add_parser("audit", parents=[common, listing], help="the app's activity log, newest first")
    sub.set_defaults(run=audit)
    sub.add_argument("--org", help="only this org's events")
    sub.add_argument("--actor", help="only events by this user id")
    sub.add_argument("--action", help="an action (member.removed) or a family (member.*)")

    settings = group("settings", "the app's settings")
    command(settings, "show", settings_show, "limits, custom roles, invitation email, audit retention")
    return root


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None,
         transport: Transport | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    environ = os.environ if env is None else env
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # argparse printed the usage problem
        return int(exit_.code or 0)
    url = getattr(args, "url", None) or environ.get("ORGCTL_URL")
    token = getattr(args, "token", None) or environ.get("ORGCTL_TOKEN")
    if not url or not token:
        print("orgctl: set --url and --token, or ORGCTL_URL and ORGCTL_TOKEN", file=err)
        return 2
    if not url.startswith(("https://", "http://")):
        print(f"orgctl: --url must be an http(s) URL, not {url!r}", file=err)
        return 2
    args.json = getattr(args, "json", False)
    args.out = out
    api = Api(url, token, transport or urllib_transport(getattr(args, "timeout", 30.0)))
    try:
        result = args.run(api, args)
    except ApiError as error:
        print(f"{error.code}: {error.detail}", file=err)
        for problem in error.errors:
            print(f"  {problem.get('field')}: {problem.get('message')}", file=err)
        return 1
    except ConnectionFailed as error:
        print(f"orgctl: {error}", file=err)
        return 3
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True), file=out)
    return 0
