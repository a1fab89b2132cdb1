#!/usr/bin/env python3
"""Loads HTML pages in headless Chromium and fails on anything the browser complains about.

For each page: opens it in a fresh tab, waits for the load event and a short settle, then
counts as problems every console message of level error or warning (console.error/warn/assert,
and the browser's own messages such as an SVG attribute it cannot parse or "Failed to load
resource"), every uncaught JavaScript exception, and every resource that failed to load (a
missing image, style sheet or script). Saves a screenshot of the page (1280 px wide, the
whole page or its top MAX_HEIGHT px) and prints one line per page. Exits 1 when any page has a problem, 2 when
the browser could not be driven.

    scripts/report_check.py --screenshots DIR PAGE.html...
    scripts/report_check.py --expect-problems PAGE.html...   # self-test: every page must fail

Talks to the browser over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages ending in a NUL byte, fd 3 in and fd 4 out): Python 3 standard library only. Plain
`--enable-logging=stderr` is not enough: it prints console messages without their level and
says nothing about a missing image. scripts/check-reports.sh (`make report-check`) runs it.
"""

import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

WIDTH = 1280
VIEWPORT_HEIGHT = 900
MAX_HEIGHT = 16000  # under the 16384 px Chromium can rasterise in one piece
SETTLE_SECONDS = 0.5
PAGE_TIMEOUT = 60.0
PROBLEM_LEVELS = {"error", "warning"}
PROBLEM_CONSOLE_TYPES = {"error", "warning", "assert"}


class BrowserError(Exception):
    pass


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="report-check-profile-")
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()
        arguments = [
            executable, "--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--hide-scrollbars", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
            f"--window-size={WIDTH},{VIEWPORT_HEIGHT}",
        ]
        if os.geteuid() == 0:
            arguments.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
        self.log = tempfile.TemporaryFile()

        def wire_pipes():  # the protocol's fixed descriptors: 3 the browser reads, 4 it writes
            read, write = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_read, from_browser_write))
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            arguments + ["about:blank"], stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=self.log, preexec_fn=wire_pipes, pass_fds=(3, 4, to_browser_read, from_browser_write))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=PAGE_TIMEOUT):
        """Sends a command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self.receive(deadline)
            if reply is None:
                raise BrowserError(f"no answer to {method} within {timeout:.0f} s")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def receive(self, deadline):
        """The next message, or None at the deadline."""
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("the browser closed its pipe:\n" + self.output_tail())
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method, session, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method and event.get("sessionId") == session:
                    return True
            message = self.receive(deadline)
            if message is None:
                return False
            if "method" in message:
                self.events.append(message)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while (message := self.receive(deadline)) is not None:
            if "method" in message:
                self.events.append(message)

    def output_tail(self):
        self.log.seek(0)
        return b"".join(self.log.readlines()[-15:]).decode(errors="replace")

    def close(self):
        try:
            if self.process.poll() is None:
                self.send("Browser.close", timeout=10)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


def problems_of(events, session):
    """Human-readable problems among a tab's events: (kind, text)."""
    problems = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in PROBLEM_CONSOLE_TYPES:
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            problems.append(("console", f"console.{params['type']}: {text}"))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text", "")
            problems.append(("exception", f"uncaught exception: {description}"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") in PROBLEM_LEVELS:
                where = f" ({entry['url']})" if entry.get("url") else ""
                problems.append(("console", f"{entry['level']} [{entry.get('source')}]: {entry.get('text')}{where}"))
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(("load", f"failed to load ({params.get('type')}): {params.get('errorText')}"))
        elif method == "Network.responseReceived":
            response = params.get("response", {})
            if response.get("status", 0) >= 400:
                problems.append(("load", f"HTTP {response['status']} for {response.get('url')}"))
    # The browser also logs "Failed to load resource" for a failed load: keep both, they name
    # different things (the error and the URL).
    return problems


def check_page(browser, page, screenshot):
    """(problems, screenshot path or None) for one page, in a fresh tab."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.events.clear()
        navigation = browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        if navigation.get("errorText"):
            return [("load", f"navigation failed: {navigation['errorText']}")], None
        if not browser.wait_for("Page.loadEventFired", session, PAGE_TIMEOUT):
            return [("load", f"no load event within {PAGE_TIMEOUT:.0f} s")], None
        browser.drain(SETTLE_SECONDS)
        problems = problems_of(browser.events, session)
        saved = None
        if screenshot is not None:
            metrics = browser.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            full = max(1, int(size["height"] + 0.5))
            height = min(MAX_HEIGHT, full)
            # The viewport made as tall as the page (or MAX_HEIGHT: Chromium refuses to capture
            # pages hundreds of thousands of pixels tall, as a report with big tables is).
            browser.send("Emulation.setDeviceMetricsOverride", {
                "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
            shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False},
                                session=session)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            saved = f"{screenshot}" + (f" (top {height} of {full} px)" if height < full else "")
            # Messages raised while laying the page out at full height count too.
            browser.drain(0.1)
            problems = problems_of(browser.events, session)
        return problems, saved
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
        browser.events.clear()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=pathlib.Path, help="HTML files")
    parser.add_argument("--browser", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--screenshots", type=pathlib.Path,
                        help="folder for NAME.png; NAME is --names' entry or the page's file stem")
    parser.add_argument("--names", help="comma-separated display names, one per page")
    parser.add_argument("--expect-problems", action="store_true",
                        help="self-test: exit 0 only when every page has at least one problem")
    options = parser.parse_args()
    names = options.names.split(",") if options.names else [p.stem for p in options.pages]
    if len(names) != len(options.pages):
        parser.error("--names needs one name per page")
    for page in options.pages:
        if not page.is_file():
            parser.error(f"no such page: {page}")

    browser = Browser(options.browser)
    failed = []
    try:
        browser.send("Browser.getVersion")
        for name, page in zip(names, options.pages):
            screenshot = options.screenshots / f"{name}.png" if options.screenshots else None
            try:
                problems, saved = check_page(browser, page, screenshot)
            except BrowserError as error:
                raise BrowserError(f"{name} ({page}): {error}") from None
            console = sum(1 for kind, _ in problems if kind in ("console", "exception"))
            loads = sum(1 for kind, _ in problems if kind == "load")
            print(f"{name}: console errors {console}, failed loads {loads}, "
                  f"screenshot {saved if saved else '-'}", flush=True)
            for _, text in problems:
                print("    " + text.replace("\n", "\n      "), flush=True)
            if problems:
                failed.append(name)
    except BrowserError as error:
        print(f"report-check: cannot drive {options.browser}: {error}", file=sys.stderr)
        return 2
    finally:
        browser.close()

    if options.expect_problems:
        clean = [n for n in names if n not in failed]
        if clean:
            print(f"report-check self-test: no problem found in {', '.join(clean)}: "
                  "the checker cannot see what it must", file=sys.stderr)
            return 1
        return 0
    if failed:
        print(f"report-check: problems in {len(failed)} of {len(names)} pages: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
