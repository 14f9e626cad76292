"""Locust user for the fallback load driver of bench/http (used only when wrk is missing).

One endpoint per run, given by environment variables: BENCH_PATH, BENCH_HEADERS (JSON object) and
BENCH_EXPECT_STATUS. Users wait 0 s between requests, like wrk's connections.
"""

import json
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/hello/")
HEADERS = json.loads(os.environ.get("BENCH_HEADERS", "{}"))
EXPECT_STATUS = int(os.environ.get("BENCH_EXPECT_STATUS", "200"))


class EndpointUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self) -> None:
        with self.client.get(PATH, headers=HEADERS, name=PATH, catch_response=True) as response:
            if response.status_code != EXPECT_STATUS:
                response.failure(f"status {response.status_code}, expected {EXPECT_STATUS}")
