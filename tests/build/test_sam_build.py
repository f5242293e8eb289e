"""The template validates and builds, and every built function runs from the build output.

Each function is imported from the build output in a fresh Python 3.12 interpreter with the
built layer first on ``sys.path`` (as Lambda's ``/opt/python``), and invoked with its sample event
from ``events/`` against an in-process moto table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver import template

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = template.functions()


def _sam() -> str:
    found = shutil.which("sam") or str(ROOT / ".venv-sam" / "bin" / "sam")
    if not Path(found).exists():
        pytest.fail("the SAM CLI is missing: run `make sam-venv` (make test does)")
    return found


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("sam") / "build"
    result = _run(_sam(), "build", "--build-dir", str(target), "--cache-dir", str(ROOT / ".cache" / "sam"),
                  "--cached", "--parallel")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield target


def test_template_passes_sam_validate_lint() -> None:
    result = _run(_sam(), "validate", "--lint")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_template_passes_the_sam_transform() -> None:
    """``validate --lint`` is cfn-lint, whose transform let through what the SAM transform (``sam deploy``)
    refuses, e.g. a Schedule event's ``DeadLetterConfig`` with both ``Arn`` and ``Type``. Plain ``validate``
    runs the SAM transform; offline, with dummy credentials and a region."""
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    result = subprocess.run([_sam(), "validate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_build_output_holds_every_function_and_the_layer(build_dir: Path) -> None:
    for function in FUNCTIONS:
        assert (build_dir / function.logical_id / function.module_path.name).is_file(), function.logical_id
    assert (build_dir / "OrgplaneLayer" / "python" / "orgplane" / "__init__.py").is_file()
    assert (build_dir / "OrgplaneLayer" / "python" / "pydantic_core").is_dir()


_INVOKE = textwrap.dedent(
    """
    import json, os, sys
    function_dir, layer_dir, event_path, table_json = sys.argv[1:5]
    sys.path[:0] = [function_dir, layer_dir]
    from moto import mock_aws
    import boto3
    with mock_aws():
        boto3.client("dynamodb").create_table(**json.loads(table_json))
        import orgplane, app
        assert orgplane.__file__.startswith(layer_dir), orgplane.__file__
        event = json.load(open(event_path))
        class Context:
            function_name = "built"; function_version = "$LATEST"; memory_limit_in_mb = 512
            invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:built"
            aws_request_id = "build-test"
            def get_remaining_time_in_millis(self): return 10000
        try:
            result = app.lambda_handler(event, Context())
        except Exception as error:
            result = {"raised": str(error)}
        print(json.dumps(result))
    """
)


@pytest.mark.parametrize("function", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
def test_built_function_runs_with_its_sample_event(build_dir: Path, function: template.Function,
                                                   tmp_path: Path) -> None:
    table = template.table_definition(table_name="orgplane")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")},
        "TABLE_NAME": "orgplane", "ORGPLANE_SECRET": "build-test-secret", "APP_REGISTRY": "{}",
        "ORG_TOKEN_KEY_FILE": str(tmp_path / "org-token.pem"),
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", _INVOKE, str(build_dir / function.logical_id),
         str(build_dir / "OrgplaneLayer" / "python"), str(ROOT / "events" / f"{function.name}.json"),
         json.dumps(table)],
        env=env, capture_output=True, text=True, timeout=120, cwd="/",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    if function.routes:
        assert 200 <= outcome["statusCode"] < 500, outcome
        assert outcome["multiValueHeaders"]["Content-Type"][0] in ("application/json", "application/problem+json")
    elif function.name == "authorizer":
        # the sample token is no JWT: an explicit Deny naming the class, which API Gateway makes a 401
        assert outcome["policyDocument"]["Statement"][0]["Effect"] == "Deny", outcome
        assert outcome["context"]["reason"] == "malformed", outcome
    elif function.streams:
        assert outcome == {"batchItemFailures": []}
    else:
        assert "raised" not in outcome, outcome


# What the python3.12 Lambda runtime puts beside a function and its layers: the AWS SDK and its own
# dependencies, nothing else. (jmespath is also pinned in the layer; the layer comes first.)
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "dateutil", "urllib3", "six.py", "jmespath")

_IMPORT_ALONE = textwrap.dedent(
    """
    import importlib.util, json, sys
    layer_dir, runtime_dir, function_dirs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    assert not [p for p in sys.path if "site-packages" in p], sys.path
    sys.path[:0] = [layer_dir, runtime_dir]
    for function_dir in function_dirs:
        sys.path.insert(0, function_dir)
        spec = importlib.util.spec_from_file_location("app", function_dir + "/app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["app"] = module
        spec.loader.exec_module(module)
        assert callable(module.lambda_handler), function_dir
        del sys.modules["app"]
        sys.path.remove(function_dir)
    print(len(function_dirs))
    """
)


def test_built_functions_import_with_only_the_layer_and_the_runtimes_sdk(
        build_dir: Path, tmp_path: Path) -> None:
    """The build output is self-sufficient: in an isolated interpreter without the project's site-packages
    (``-I -S``), every function imports from its own directory, the built layer and the runtime's SDK, so
    a dependency missing from ``layers/orgplane/requirements.txt`` fails here, not in Lambda."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    for name in RUNTIME_SDK:
        (tmp_path / name).symlink_to(site / name)
    dirs = [str(build_dir / function.logical_id) for function in FUNCTIONS]
    env = {"PATH": os.environ.get("PATH", ""), "TABLE_NAME": "orgplane", "ORGPLANE_SECRET": "build-test-secret",
           "APP_REGISTRY": "{}", "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _IMPORT_ALONE, str(build_dir / "OrgplaneLayer" / "python"),
         str(tmp_path), json.dumps(dirs)],
        env=env, capture_output=True, text=True, timeout=300, cwd="/",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip() == str(len(FUNCTIONS))
