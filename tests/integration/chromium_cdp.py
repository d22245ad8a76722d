"""A headless Chromium driven through the Chrome DevTools Protocol (websocket-client only):
open a page, collect console errors and network requests, read the DOM, take a screenshot.

Used by the report's browser test and by ``docs/make_screenshot.py``.

>>> with Chromium.start() as browser:                      # doctest: +SKIP
...     page = browser.open(Path("report.html"))
...     page.text("#answer"), page.requests, page.errors
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else the first of :data:`CANDIDATES` on PATH."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Page:
    """A page loaded by :meth:`Chromium.open`, with what happened while it loaded."""

    browser: Chromium
    url: str
    session: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def evaluate(self, expression: str) -> Any:
        reply = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                  session=self.session)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def text(self, selector: str) -> str | None:
        return self.evaluate(f"(e => e && e.textContent)(document.querySelector({json.dumps(selector)}))")

    def screenshot(self, path: Path, width: int = 1100, height: int | None = None) -> Path:
        """A PNG of the page ``width`` CSS pixels wide, the whole page (or its top ``height`` px)."""
        full = self.evaluate("document.documentElement.scrollHeight")
        height = int(full if height is None else min(height, full))
        self.browser.call("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                          session=self.session)
        shot = self.browser.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        }, session=self.session)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


class Chromium:
    """A headless Chromium process and one websocket to its DevTools endpoint."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="tonekit-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.timeout = timeout
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"{executable} did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.endpoint = f"http://127.0.0.1:{port}"
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout)
        self._id = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    def start(cls, executable: str | None = None) -> Chromium:
        found = executable or find_browser()
        if found is None:
            raise FileNotFoundError("no Chromium found (set CHROMIUM or install chromium)")
        return cls(found)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its reply; events that arrive meanwhile are kept."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, file: Path, settle: float = 0.5) -> Page:
        """Load ``file`` in a new tab and wait for its load event (and ``settle`` seconds more)."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        url = file.resolve().as_uri()
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + self.timeout
        loaded = False
        while time.monotonic() < deadline:
            if not loaded:
                loaded = any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session
                             for e in self.events)
                if loaded:
                    deadline = time.monotonic() + settle
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:  # the socket's timeout: nothing more arrived
                if loaded:
                    break
        self.ws.settimeout(self.timeout)
        if not loaded:
            raise RuntimeError(f"{url} did not load")
        page = Page(self, url, session)
        for e in self.events:
            if e.get("sessionId") != session:
                continue
            kind, params = e.get("method"), e.get("params", {})
            if kind == "Network.requestWillBeSent":
                page.requests.append(params["request"]["url"])
            elif kind == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                page.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif kind == "Runtime.exceptionThrown":
                page.errors.append(str(params["exceptionDetails"].get("text")))
            elif kind == "Log.entryAdded" and params["entry"].get("level") == "error":
                page.errors.append(params["entry"].get("text", ""))
        return page
