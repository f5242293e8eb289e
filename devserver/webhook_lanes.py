"""Webhook deliveries in the local server: the lanes (:mod:`orgplane.webhooks.lanes`) instead of SQS FIFO.

The fan-out function (a stream consumer, as deployed) queues each delivery here; a pump thread makes
every due attempt over real HTTP, on the product clock, so ``POST /_local/clock`` fast-forwards the
retry schedule; ``POST /_local/streams/drain`` also runs what is due before it answers.
"""

from __future__ import annotations

import threading

from orgplane import clock
from orgplane.services import webhooks
from orgplane.webhooks.lanes import Lanes

Job = tuple[str, str, str]
INTERVAL_SECONDS = 0.2


class WebhookPump:
    def __init__(self) -> None:
        self.lanes: Lanes[Job] = Lanes(self._attempt, clock.timestamp)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-lanes", daemon=True)

    @staticmethod
    def _attempt(job: Job) -> float | None:
        try:
            return webhooks.attempt(*job)
        except Exception:  # a crash of the sender: the message stays (deployed: visibility timeout)
            import traceback

            traceback.print_exc()
            return 5.0

    def _enqueue(self, app_id: str, webhook_id: str, lane: str, delivery_id: str) -> None:
        self.lanes.enqueue(lane, (app_id, webhook_id, delivery_id))

    def start(self) -> None:
        webhooks.use_local_dispatcher(self._enqueue)
        self._thread.start()

    def run_due(self) -> int:
        return self.lanes.run_due()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_SECONDS):
            if self.lanes.pending():
                self.lanes.run_due()

    def stop(self) -> None:
        self._stop.set()
        webhooks.use_local_dispatcher(None)
