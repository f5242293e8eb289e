"""The local API: serves template.yaml's routes with the real authorizer and handlers, no Docker."""
