"""The AWS bill of an operation, from what the bench measured, at list prices (us-east-1).

Prices were read from the vendors' pricing pages on 2026-11-30 (sources below); they change, so the date
and the pages go into docs/performance.md beside every figure computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2026-11-30"
REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    what: str
    usd: float
    unit: str
    source: str


API_GATEWAY_REST = Price("API Gateway REST API call (first 333 million a month)", 3.50 / 1e6, "request",
                         "https://aws.amazon.com/api-gateway/pricing/")
LAMBDA_REQUEST = Price("Lambda request", 0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/")
LAMBDA_GB_SECOND = Price("Lambda duration, x86 (first 6 billion GB-s a month)", 0.0000166667, "GB-second",
                         "https://aws.amazon.com/lambda/pricing/")
DYNAMODB_WRITE = Price("DynamoDB on-demand write request unit", 0.625 / 1e6, "WRU",
                       "https://aws.amazon.com/dynamodb/pricing/on-demand/")
DYNAMODB_READ = Price("DynamoDB on-demand read request unit", 0.125 / 1e6, "RRU",
                      "https://aws.amazon.com/dynamodb/pricing/on-demand/")
KMS_REQUEST = Price("KMS request (Sign with an RSA 2048 key)", 0.03 / 10_000, "request",
                    "https://aws.amazon.com/kms/pricing/")

PRICES = (API_GATEWAY_REST, LAMBDA_REQUEST, LAMBDA_GB_SECOND, DYNAMODB_WRITE, DYNAMODB_READ, KMS_REQUEST)


def memory_mb() -> int:
    """The functions' configured memory (template.yaml ``Globals.Function.MemorySize``)."""
    from devserver import template

    return int(template.load()["Globals"]["Function"]["MemorySize"])


@dataclass(frozen=True)
class Bill:
    """Dollars per million calls of one operation, by service."""

    api_gateway: float
    lambda_requests: float
    lambda_duration: float
    dynamodb_writes: float
    dynamodb_reads: float
    kms: float

    @property
    def total(self) -> float:
        return (self.api_gateway + self.lambda_requests + self.lambda_duration + self.dynamodb_writes
                + self.dynamodb_reads + self.kms)

    def cells(self) -> list[str]:
        return [f"{v:.2f}" for v in (self.api_gateway, self.lambda_requests + self.lambda_duration,
                                     self.dynamodb_writes, self.dynamodb_reads, self.kms, self.total)]


def bill(*, seconds: float, wru: float, rru: float, kms_requests: float, memory: int) -> Bill:
    """Per million calls: one API call and one function invocation each, ``seconds`` of handler duration at
    ``memory`` MB, ``wru``/``rru`` DynamoDB request units and ``kms_requests`` KMS requests per call."""
    million = 1e6
    return Bill(api_gateway=API_GATEWAY_REST.usd * million,
                lambda_requests=LAMBDA_REQUEST.usd * million,
                lambda_duration=LAMBDA_GB_SECOND.usd * (memory / 1024) * seconds * million,
                dynamodb_writes=DYNAMODB_WRITE.usd * wru * million,
                dynamodb_reads=DYNAMODB_READ.usd * rru * million,
                kms=KMS_REQUEST.usd * kms_requests * million)


def describe_price(price: Price) -> str:
    if price.unit == "GB-second":
        return f"${price.usd:.10f} per GB-second"
    per_million = f"{price.usd * 1e6:.3f}"
    return f"${per_million[:-1] if per_million.endswith('0') else per_million} per million {price.unit}s"
