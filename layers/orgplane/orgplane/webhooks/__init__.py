"""Webhook delivery: Standard Webhooks signing, sealed secrets, the URL guard, the HTTP transport, the
retry schedule and ordered lanes per (endpoint, org). See docs/webhooks.md."""
