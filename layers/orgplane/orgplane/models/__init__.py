"""Request and response models per aggregate (pydantic v2)."""
