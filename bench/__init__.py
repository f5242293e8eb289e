"""The benchmark behind ``make bench``: DynamoDB requests, capacity and latency per operation on
DynamoDB Local, cold import times of the handlers, and cost at scale. Writes docs/performance.md.
"""
