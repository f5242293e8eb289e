"""One webhook delivery's attempts, retries, endpoint health and disabling, run against DynamoDB Local.

Sealing a secret with a KMS key needs moto's KMS: that test runs in the service tier only.
"""

from tests.service.test_webhook_delivery import *  # noqa: F403
from tests.service.test_webhook_delivery import (
    test_with_a_kms_key_the_secret_is_kms_ciphertext_bound_to_its_endpoint,
)

del test_with_a_kms_key_the_secret_is_kms_ciphertext_bound_to_its_endpoint  # KMS needs moto: the service tier runs it
