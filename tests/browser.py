"""A real headless Chromium for tests, driven over the Chrome DevTools Protocol (one websocket,
``websocket-client``, no driver binary): start it, open pages, evaluate JavaScript, take screenshots,
press keys, and collect the console's errors."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--force-color-profile=srgb", "--force-device-scale-factor=1", "--window-size=1000,800",
    "--remote-debugging-port=0", "about:blank",
)


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or ``None``."""
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def missing() -> str | None:
    """Why the browser tests cannot run here (``None`` when they can)."""
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client: pip install '.[test]'"
    if find_chromium() is None:
        return "chromium: apt-get install chromium"
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless browser process and its DevTools connection."""

    def __init__(self, timeout: float = 60.0) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="trajectories-chromium-")
        self.process = subprocess.Popen(
            [find_chromium(), *FLAGS[:-1], f"--user-data-dir={self.profile}", FLAGS[-1]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise BrowserError("chromium did not start")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.socket = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout,
                                                  suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events that arrive meanwhile are kept)."""
        message_id = next(self.ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv())
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session, target)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send("Emulation.setDeviceMetricsOverride", session, width=1000, height=800, deviceScaleFactor=1,
                  mobile=False)
        return page

    def close(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            try:
                self.send("Browser.close")
            except Exception:  # closing anyway
                pass
            socket.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab of :class:`Chromium`."""

    def __init__(self, browser: Chromium, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, self.session, **params)

    def open(self, path: str | Path) -> None:
        """Load a local file and wait for its load event."""
        self.browser.events.clear()
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        deadline = time.monotonic() + 60
        while not any(e["method"] == "Page.loadEventFired" and e.get("sessionId") == self.session
                      for e in self.browser.events):
            if time.monotonic() > deadline:
                raise BrowserError(f"{path} did not load")
            time.sleep(0.02)
            self.evaluate("1")  # reads the events that arrived meanwhile

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise), as JSON."""
        answer = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description", details.get("text")))
        return answer["result"].get("value")

    def errors(self) -> list[str]:
        """The console errors, uncaught exceptions and error log entries of this page so far."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("exception", {}).get("description", "exception"))
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"]))
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def screenshot(self, x: float, y: float, width: float, height: float) -> bytes:
        """A PNG of the page's rectangle, in CSS pixels (the device scale factor is 1)."""
        answer = self.send("Page.captureScreenshot", format="png", fromSurface=True,
                           clip={"x": x, "y": y, "width": width, "height": height, "scale": 1})
        return base64.b64decode(answer["data"])

    def press(self, key: str, code: str, key_code: int) -> None:
        """Press and release one key on the focused element."""
        text = " " if key == " " else ""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=key_code,
                      text=text if kind == "keyDown" else "")

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)


def unavailable(reason: str) -> None:
    """Skip the test for a missing tool (``reason``: what it is and how to install it, as :func:`missing`
    says); in CI's second stage, which installs every tool, fail instead (``tests/requirements.py``)."""
    from .requirements import missing

    what, _, install = reason.partition(": ")
    missing(what, install or "see .ci/run")
