"""Lambda SnapStart (docs/cold-start.md): what environments resumed from one snapshot must not share.

A snapshot is taken after the handler module is imported, and every environment of that version resumes
from it. So nothing that must differ between environments, or that goes stale, is made at import: the AWS
clients (their credentials and connections), the HMAC secret, the issuers' key sets, the KMS signer and the
cached app settings are all made on first use, inside an invocation (tests/unit/test_snapstart_state.py).
Ids and tokens come from :mod:`secrets` (the kernel's generator, which a restore does not repeat).

What import does fix is the state of :mod:`random`: seeded from the OS when first imported, it would draw the
same numbers in every restored environment. botocore draws its retry backoff jitter there, so environments
restored together would retry in lockstep; the after-restore hook reseeds it. The hook library is part of
Lambda's Python runtime; elsewhere (the local server) there is nothing to register.
"""

from __future__ import annotations

import random


def reseed() -> None:
    """After a restore: a fresh seed from the OS for :mod:`random`."""
    random.seed()


def register() -> bool:
    """Register the after-restore hook; False where the runtime hook library is absent."""
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(reseed)
    return True


REGISTERED = register()
