"""Identity: the app registry, JWT verification and the API Gateway token authorizer."""
