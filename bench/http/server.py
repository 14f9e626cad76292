"""The gunicorn server under test: started on a free 127.0.0.1 port, stopped by its own pid."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import PROJECT_DIR

PR_SET_PDEATHSIG = 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917
        return None  # a redirect is an answer to report (e.g. an SSL redirect left on), not to follow


# No proxies (a loopback request must never leave the machine) and no redirects.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_with_parent() -> None:  # runs in the child between fork and exec
    """Linux: if the bench dies without cleaning up, the kernel sends gunicorn SIGTERM."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class GunicornServer:
    def __init__(self, *, env: dict[str, str], workers: int, threads: int, log_path: Path) -> None:
        self.env = env
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_class(self) -> str:
        return "gthread" if self.threads > 1 else "sync"

    def start(self, *, ready_path: str = "/hello/", timeout: float = 60) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "novacron.wsgi:application",
            f"--bind=127.0.0.1:{self.port}", f"--workers={self.workers}", f"--threads={self.threads}",
            f"--worker-class={self.worker_class}", "--log-level=warning", "--error-logfile=-",
            "--timeout=30", "--graceful-timeout=10", "--backlog=2048",
        ]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_stop_with_parent,  # noqa: PLW1509 (no threads exist yet in the bench process)
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.get(ready_path)[0] == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer {ready_path} within {timeout:.0f} s:\n{self.log_tail()}")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """One request: (status, start of the body); status 0 when the server cannot be reached."""
        request = urllib.request.Request(self.base_url + path, headers=headers or {})
        try:
            with _opener.open(request, timeout=5) as response:
                return response.status, response.read(300).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(300).decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return 0, ""

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn master: graceful shutdown of its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
