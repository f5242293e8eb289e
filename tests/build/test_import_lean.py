"""Handler modules stay lean at import (cold start): no tracing SDK, parser envelopes, OpenAPI schema
machinery or local/test tooling is loaded when Lambda imports a function. Each handler is imported in a
fresh interpreter the way the runtime does it (``app`` from the function's directory, the layer on the
path, the template's environment: ``bench.imports``), which reports every module that got loaded."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from bench import imports

HEAVY = (
    "aws_xray_sdk",  # tracing is Lambda's (Tracing: Active); the SDK is never imported
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.validation",
    "aws_lambda_powertools.utilities.idempotency",  # orgplane's own lives in the mutation's transaction
    # the REST resolver runs without enable_validation: Powertools' small openapi constants, config,
    # merge and types modules load with it; schema generation, models and params must not
    *(f"aws_lambda_powertools.event_handler.openapi.{name}" for name in (
        "compat", "dependant", "encoders", "models", "params", "pydantic_loader", "schema_generator",
        "swagger_ui")),
    "aws_lambda_powertools.event_handler.middlewares.openapi_validation",
    "devserver", "moto", "schemathesis", "hypothesis", "pytest", "bench", "yaml",
)

_REPORT = """
assert callable(module.lambda_handler)
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(name: str) -> tuple[str, list[str]]:
    return name, json.loads(imports.report_after_import(name, _REPORT))


def test_no_handler_imports_heavy_or_local_only_modules() -> None:
    names = imports.handler_names()
    assert len(names) > 30  # every function, not a subset
    with ThreadPoolExecutor(4) as pool:
        loaded = dict(pool.map(_loaded, names))
    heavy = {name: [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
             for name, modules in loaded.items()}
    assert {name: found for name, found in heavy.items() if found} == {}
    assert all("orgplane" in modules for modules in loaded.values())  # the imports really ran
