"""``python -m devserver serve | token | openapi`` (run from the repository root)."""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse


def _port(value: str | None) -> int:
    raw = value if value is not None else os.environ.get("PORT") or "3000"
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"devserver: the port must be a number, not {raw!r}") from None
    if not 0 <= port <= 65535:
        raise SystemExit(f"devserver: no such port {port}")
    return port


DEFAULT_SERVER = "http://127.0.0.1:3000"


def _server_clock(url: str) -> float | None:
    """The clock of the local server at ``url``; says so on stderr when none answers there."""
    from devserver import tokens

    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"devserver: --server must be the local server's http:// URL, not {url!r}")
    now = tokens.server_clock(url)
    if now is None:
        print(f"devserver: no local server answered at {url}; the token is issued on this machine's clock "
              f"(pass --server URL for a server on another port)", file=sys.stderr)
    return now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API locally (template.yaml's routes and functions)")
    serve.add_argument("--port", help="port on 127.0.0.1 (default: $PORT, else 3000; 0 picks a free one)")
    serve.add_argument("--quiet", action="store_true", help="no access log lines on stderr")

    token = commands.add_parser("token", help="print a token of a local issuer that the server accepts")
    token.add_argument("--app", default="demo", help="local app: demo or other (default demo)")
    token.add_argument("--sub", help="the user id (JWT sub); required unless --client")
    token.add_argument("--client", help="a service client (backend): a client-credentials access token, no user")
    token.add_argument("--scope", default="orgplane/read orgplane/write",
                       help="with --client: the space-separated scopes (default: orgplane/read orgplane/write)")
    token.add_argument("--email", help="email claim (marked verified); id tokens only")
    token.add_argument("--unverified", action="store_true",
                       help="mark the email claim email_verified: false (the API then treats it as no email)")
    token.add_argument("--group", action="append", default=[], dest="groups",
                       help="a cognito:groups entry, repeatable (support = the app's support staff)")
    token.add_argument("--ttl", type=int, default=3600,
                       help="seconds until expiry (default 3600); negative: expired that long ago "
                            "(the authorizer allows 60 s of skew)")
    token.add_argument("--token-use", choices=("id", "access"), default="id")
    token.add_argument("--server", default=DEFAULT_SERVER,
                       help=f"URL of the running local server whose clock the token is issued on "
                            f"(default {DEFAULT_SERVER}; POST /_local/clock may have moved it)")
    token.add_argument("--now", type=float,
                       help="epoch seconds to issue at instead of asking --server for its clock")

    commands.add_parser("openapi", help="print the OpenAPI 3.1 document built from the handlers")
    reference = commands.add_parser("api-reference", help="write docs/api.md from the OpenAPI document")
    reference.add_argument("--check", action="store_true", help="only fail if docs/api.md is stale")

    args = parser.parse_args(argv)
    if args.command == "serve":
        from devserver import server

        return server.serve(_port(args.port), access_log=not args.quiet)
    if args.command == "token":
        from devserver import tokens

        try:
            if (args.client is None) == (args.sub is None):
                print("devserver: give --sub (a user's token) or --client (a service's token)", file=sys.stderr)
                return 2
            now = args.now if args.now is not None else _server_clock(args.server)
            if args.client is not None:
                print(tokens.mint_service(args.app, args.client, args.scope, ttl=args.ttl, now=now))
            else:
                unverified = {"email_verified": False} if args.unverified and args.email else {}
                print(tokens.mint(args.app, args.sub, email=args.email, groups=args.groups, ttl=args.ttl,
                                  token_use=args.token_use, now=now, **unverified))
        except LookupError as error:
            print(f"devserver: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command in ("openapi", "api-reference"):
        for name, value in {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            os.environ.setdefault(name, value)
        from devserver import api_reference, openapi

        return openapi.main() if args.command == "openapi" else api_reference.main(["--check"] if args.check else [])
    return 2


if __name__ == "__main__":
    sys.exit(main())
