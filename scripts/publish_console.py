"""Publish the web console to the stack's bucket: ``make console-publish STACK=<stack name>``.

Uploads every file of ``console/`` under the ``console/`` prefix of the bucket (CloudFront serves the
prefix at ``/console/``), and a ``config.json`` made from the app registry: for each app with a
``console`` client in the registry, its Cognito managed-login domain and client id. Then asks
CloudFront to drop its cached copies of ``/console/*``. Nothing here holds a secret: the console is
a public client (authorization code + PKCE).

    python scripts/publish_console.py --bucket B --distribution D --registry "$APP_REGISTRY"
    python scripts/publish_console.py --stack orgplane-dev   # bucket, distribution, registry from the stack
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "orgplane"), str(ROOT)]

from orgplane.identity.apps import load_registry  # noqa: E402

CONSOLE = ROOT / "console"
PREFIX = "console/"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".json": "application/json"}


def console_config(registry_json: str) -> dict[str, Any]:
    """``config.json`` of the deployed console: how each app with a console client signs in."""
    apps = load_registry(registry_json)
    return {"mode": "cognito", "apps": [
        {"id": app.app_id, "label": app.app_id, "client_id": app.console.client_id, "domain": app.console.domain}
        for app in apps.values() if app.console is not None
    ]}


def files() -> list[Path]:
    return sorted(p for p in CONSOLE.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(CONSOLE).parts))


def publish(s3: Any, bucket: str, registry_json: str, cloudfront: Any = None,
            distribution: str | None = None) -> list[str]:
    """Upload the console and its config; returns the keys written."""
    config = console_config(registry_json)
    if not config["apps"]:
        raise SystemExit("publish_console: no app in the registry has a console client "
                         '("console": {"client_id", "domain"}); nobody could sign in')
    keys = []
    for path in files():
        key = PREFIX + path.relative_to(CONSOLE).as_posix()
        content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type,
                      CacheControl="no-cache")
        keys.append(key)
    s3.put_object(Bucket=bucket, Key=PREFIX + "config.json", Body=json.dumps(config).encode(),
                  ContentType=TYPES[".json"], CacheControl="no-cache")
    keys.append(PREFIX + "config.json")
    if cloudfront is not None and distribution:
        cloudfront.create_invalidation(DistributionId=distribution, InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/console*"]}, "CallerReference": str(time.time_ns())})
    return keys


def _from_stack(stack: str) -> tuple[str, str, str]:
    import boto3

    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    params = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}
    if "ConsoleBucketName" not in outputs:
        raise SystemExit(f"publish_console: stack {stack} has no console (deploy with ConsoleEnabled=true)")
    return outputs["ConsoleBucketName"], outputs["ConsoleDistributionId"], params.get("AppRegistry", "{}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", help="read bucket, distribution and registry from this stack")
    parser.add_argument("--bucket")
    parser.add_argument("--distribution")
    parser.add_argument("--registry", help="the AppRegistry JSON")
    args = parser.parse_args(argv)
    if args.stack:
        bucket, distribution, registry = _from_stack(args.stack)
    elif args.bucket and args.registry:
        bucket, distribution, registry = args.bucket, args.distribution, args.registry
    else:
        parser.error("give --stack, or --bucket and --registry")
    import boto3

    keys = publish(boto3.client("s3"), bucket, registry, boto3.client("cloudfront"), distribution)
    print(f"published {len(keys)} files to s3://{bucket}/{PREFIX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
