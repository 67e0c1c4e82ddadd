"""Headless Chromium driven over the DevTools protocol through a pipe: no extra package, no port.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages on file descriptor 3
and writes its answers and events on 4, each a JSON object followed by a NUL byte. One page is
one target attached in "flat" mode: its commands and events carry its session id.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
TIMEOUT = 30.0


class BrowserError(Exception):
    """The browser answered a command with an error, or did not answer in time."""


@dataclass
class Browser:
    """One Chromium process; :meth:`page` opens a tab."""

    process: subprocess.Popen[bytes]
    to_browser: int
    from_browser: int
    answers: dict[int, queue.Queue[dict[str, Any]]] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    next_id: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Run one protocol command and return its result."""
        with self.lock:
            self.next_id += 1
            number = self.next_id
            self.answers[number] = queue.Queue()
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        try:
            answer = self.answers[number].get(timeout=TIMEOUT)
        except queue.Empty:
            raise BrowserError(f"no answer to {method} in {TIMEOUT:.0f} s") from None
        finally:
            del self.answers[number]
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def read(self) -> None:
        """Sort what the browser says into answers and page events (runs in a thread)."""
        buffer = b""
        while chunk := os.read(self.from_browser, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message and message["id"] in self.answers:
                    self.answers[message["id"]].put(message)
                elif message.get("sessionId") in self.pages:
                    self.pages[message["sessionId"]].events.put(message)

    def page(self, width: int = 1200, height: int = 900, *, mobile: bool = False) -> Page:
        """A new tab with the given viewport, its console and errors recorded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session, target)
        self.pages[session] = page
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setFocusEmulationEnabled", {"enabled": True})  # focus events
        page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 0, "y": 0})  # hover none
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        return page


@dataclass
class Page:
    """One tab: navigate, evaluate JavaScript, click, press keys, take screenshots."""

    browser: Browser
    session: str
    target: str
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.send(method, params, self.session)

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
        del self.browser.pages[self.session]

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event; errors seen so far are dropped."""
        self._drain()
        self.errors.clear()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")
        time.sleep(0.05)  # scripts deferred to the load event have run; let late errors arrive
        self._drain()

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            self._note(event)
            if event["method"] == method:
                return event
        raise BrowserError(f"no {method} in {TIMEOUT:.0f} s")

    def _drain(self) -> None:
        while True:
            try:
                self._note(self.events.get_nowait())
            except queue.Empty:
                return

    def _note(self, event: dict[str, Any]) -> None:
        """Record console errors, uncaught exceptions, failed loads and policy violations."""
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
            self.errors.append(" ".join(str(a.get("value", a)) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            self.errors.append(str(params["exceptionDetails"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params["message"])
            self.send("Page.handleJavaScriptDialog", {"accept": True})

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first box of the element ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            "e.scrollIntoView({block: 'center'});"
            "const r = e.getClientRects()[0]; return [r.left + r.width / 2, r.top + r.height / 2];"
            "})()"
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
            )

    def press(self, key: str, code: int) -> None:
        """A real key press (``"Tab"``, 9)."""
        for kind in ("keyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code},
            )

    def screenshot(self, path: Path, *, whole: bool = False) -> None:
        """What the viewport shows (or the ``whole`` page) as PNG."""
        options = {"format": "png", "captureBeyondViewport": whole}
        data = self.send("Page.captureScreenshot", options)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, closed and removed afterwards."""
    if CHROMIUM is None:
        raise BrowserError("chromium is not installed")
    profile = tempfile.mkdtemp(prefix="nkdata-chromium-")
    to_browser_read, to_browser = os.pipe()
    from_browser, from_browser_write = os.pipe()

    def pipes_as_3_and_4() -> None:
        os.dup2(to_browser_read, 3)
        os.dup2(from_browser_write, 4)

    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=pipes_as_3_and_4,  # noqa: PLW1509 - before the reader thread starts
        pass_fds=(3, 4),
    )
    os.close(to_browser_read)
    os.close(from_browser_write)
    browser = Browser(process, to_browser, from_browser)
    reader = threading.Thread(target=browser.read, daemon=True)
    reader.start()
    try:
        yield browser
    finally:
        with suppress(BrowserError, OSError):
            browser.send("Browser.close")
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(to_browser)
        reader.join(timeout=5)
        os.close(from_browser)
        shutil.rmtree(profile, ignore_errors=True)
