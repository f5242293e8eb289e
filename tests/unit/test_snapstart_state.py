"""SnapStart snapshots a function right after its import (docs/cold-start.md): every environment of the
version resumes from that memory. So importing a handler must make nothing that is per environment or goes
stale: no AWS client or session (credentials, connections), no secret, no key set, no signer, no cached app
settings, no filled cache. Checked in one fresh interpreter that imports every handler with Lambda's
environment; and the after-restore hook (orgplane.snapstart) is registered and reseeds ``random``."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from bench import imports

_CHILD = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
for name, path in json.loads(sys.argv[2]).items():
    spec = importlib.util.spec_from_file_location("handler_" + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)

def loaded(name, attr, default=None):
    module = sys.modules.get(name)
    return getattr(module, attr) if module is not None else default

import boto3, snapshot_restore_py
filled = sorted(f"{name}.{attr}" for name, module in list(sys.modules.items())
                if name.startswith(("orgplane", "handler_"))
                for attr, value in vars(module).items()
                if hasattr(value, "cache_info") and getattr(value, "__module__", None) == name
                and value.cache_info().currsize)
print(json.dumps({
    "handlers": sum(name.startswith("handler_") for name in sys.modules),
    "boto3_session": boto3.DEFAULT_SESSION is not None,
    "table_client": loaded("orgplane.store.table", "_client") is not None,
    "key_sets": len(loaded("orgplane.identity.tokens", "_KEY_SETS", {})),
    "signer": loaded("orgplane.identity.signing", "_signer") is not None,
    "settings_cache": len(loaded("orgplane.services.settings", "_cache", {})),
    "webhook_dispatcher": loaded("orgplane.services.webhooks", "_local_dispatcher") is not None,
    "filled_caches": filled,
    "after_restore_hooks": [f"{f.__module__}.{f.__name__}" for f, _, _ in snapshot_restore_py.get_after_restore()],
}))
"""


def test_importing_every_handler_makes_no_client_secret_key_set_or_cache() -> None:
    handlers = {name: str(imports.FUNCTIONS / name / "app.py") for name in imports.handler_names()}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(imports.LAYER), json.dumps(handlers)],
                          cwd=imports.ROOT, env=imports._env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    state = json.loads(done.stdout)
    assert state == {
        "handlers": len(handlers), "boto3_session": False, "table_client": False, "key_sets": 0, "signer": False,
        "settings_cache": 0, "webhook_dispatcher": False, "filled_caches": [],
        "after_restore_hooks": ["orgplane.snapstart.reseed"],
    }


def test_the_after_restore_hook_reseeds_random() -> None:
    from orgplane import snapstart

    state = random.getstate()
    try:
        random.seed(7)
        snapshotted = random.getstate()
        first = random.random()
        random.setstate(snapshotted)  # a second environment resumed from the same snapshot
        assert random.random() == first  # without the hook, the same draws
        random.setstate(snapshotted)
        snapstart.reseed()
        assert random.getstate() != snapshotted
    finally:
        random.setstate(state)
