"""HTTP against real servers (gunicorn, nginx) started by a test: a visitor with its own
cookies and CSRF tokens, answers, access logs, and starting gunicorn with gunicorn.conf.py."""
from __future__ import annotations

import gzip
import http.client
import io
import os
import re
import socket
import ssl
import subprocess  # nosec B404  # gunicorn with an argument list
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes

    @property
    def body(self) -> bytes:
        if self.headers.get("Content-Encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Server:
    """nginx (https) or one app instance (plain HTTP on loopback)."""
    name: str
    port: int
    https: bool = False
    access_log: Path | None = None
    process: subprocess.Popen | None = None

    def lines_for(self, path: str, count: int) -> list[str]:
        """The instance's access log lines for `path` (exactly that request target), once
        there are `count` of them or after two seconds: gunicorn logs a request after
        answering it."""
        deadline = time.monotonic() + 2
        while True:
            lines = [line for line in self.access_log.read_text().splitlines() if f" {path} HTTP/" in line]
            if len(lines) >= count > 0 or time.monotonic() > deadline:
                return lines


def send(server: Server, method: str, path: str, body: bytes | None = None, headers: dict | None = None, *,
         certificate: Path | None = None, host: str = "127.0.0.1", timeout: float = 30) -> Answer:
    if server.https:
        context = ssl.create_default_context(cafile=str(certificate))
        conn = http.client.HTTPSConnection(host, server.port, context=context, timeout=timeout)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


@dataclass
class Visitor:
    """One browser: its cookies go with it to whichever server it speaks to. `origin` is
    the address it believes it is on (Referer, Origin); `transport` sends a request."""
    origin: str
    transport: Callable[..., Answer]
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, server: Server, path: str, **headers) -> Answer:
        return self._send(server, "GET", path, None, headers)

    def post(self, server: Server, path: str, fields: dict, files: dict | None = None) -> Answer:
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(fields, doseq=True).encode(), "application/x-www-form-urlencoded"
        return self._send(server, "POST", path, body, {"Content-Type": content_type})

    def token(self, server: Server, path: str) -> str:
        """The CSRF token of the form on `path`."""
        page = self.get(server, path)
        assert page.status == 200, (path, page.status)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def log_in(self, server: Server, email: str, password: str = PASSWORD) -> Answer:
        return self.post(server, "/masuk", {"csrf_token": self.token(server, "/masuk"), "email": email,
                                            "password": password})

    def _send(self, server: Server, method: str, path: str, body, headers: dict) -> Answer:
        headers = {"Accept-Encoding": "identity", "Referer": f"{self.origin}{path}", "Origin": self.origin,
                   **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = self.transport(server, method, path, body, headers)
        for header in answer.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: {content_type}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def start_gunicorn(server: Server, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py, in a process group of its own (so a test can kill
    the master and its workers at once)."""
    env = {"PATH": os.environ.get("PATH", ""), **env, "PBJ_BIND": f"127.0.0.1:{server.port}"}
    if server.access_log is not None:
        env["PBJ_ACCESS_LOG"] = str(server.access_log)
    with log.open("a") as out:
        server.process = subprocess.Popen([str(BIN / "gunicorn"), "app:app"], cwd=ROOT, env=env,  # nosec B603
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return server.process


def wait_until_up(server: Server, probe: Callable[[], Answer], logs: list[Path], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            break
        try:
            if probe().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    output = "\n".join(log.read_text()[-3000:] for log in logs if log.exists())
    pytest.fail(f"{server.name} did not come up:\n{output}")
