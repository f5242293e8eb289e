"""``make load``: sustained mixed load and a hot org against the local server on DynamoDB Local."""
