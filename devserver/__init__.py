"""The local API: serves template.yaml's routes with the real authorizer and handlers, no Docker."""

import sys
from pathlib import Path

# The layer's code, as Lambda's /opt/python: ``orgplane`` imports without PYTHONPATH.
_LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "orgplane")
if _LAYER not in sys.path:
    sys.path.append(_LAYER)
