"""Table access: the client, typed transactions, cursors. Knows nothing of permissions."""
