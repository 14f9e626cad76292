"""With REDIS_URL set, a task really travels through the broker to a worker built from the project's app."""

import queue
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.conf import settings

from novacron.celery import app as celery_app

pytestmark = pytest.mark.redis

# The task runs in the worker's thread of this process and reports what it saw here.
RECEIVED: queue.Queue = queue.Queue()


@celery_app.task(name="tests.core.echo", time_limit=30, soft_time_limit=20)
def echo(value: str) -> str:
    request = echo.request
    RECEIVED.put(
        {"value": value, "eager": request.is_eager, "queue": (request.delivery_info or {}).get("routing_key")}
    )
    return value


@pytest.fixture
def live_worker():
    """A solo-pool worker consuming a queue of its own (xdist workers and other runs share the Redis)."""
    queue_name = f"test-core-{uuid.uuid4().hex}"
    celery_app.conf.task_always_eager = False  # tests/conftest.py makes every task eager by default
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[queue_name], shutdown_timeout=10
        ):
            yield queue_name
    finally:
        celery_app.conf.task_always_eager = True
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue_name)


def test_a_task_round_trips_through_the_broker_to_a_real_worker(live_worker):
    assert celery_app.conf.broker_url == settings.REDIS_URL

    result = echo.apply_async(args=["hello"], queue=live_worker)

    assert not isinstance(result, EagerResult)
    seen = RECEIVED.get(timeout=20)
    assert seen == {"value": "hello", "eager": False, "queue": live_worker}
