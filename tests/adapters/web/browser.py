"""Headless Chromium through Selenium (Debian's `chromium` and `chromium-driver`, installed by .ci/run), and
axe-core (fetched by .ci/run into .cache/axe-core) for the accessibility check. Each is skipped with a
reason where absent."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / ".cache" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def chromium() -> Any:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("headless browser tests need Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver; .ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1200,900", "--lang=en-US"):
        options.add_argument(flag)
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(service=Service(driver_path), options=options)


class Browser:
    """A headless Chromium driven from async tests: each blocking WebDriver call runs in a thread, so the
    test's own event loop keeps serving the pages it asks for."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    async def call(self, method: str, *args: Any) -> Any:
        return await asyncio.to_thread(getattr(self.driver, method), *args)

    async def open(self, url: str) -> None:
        await self.call("get", url)

    async def text(self) -> str:
        return str(await self.call("execute_script", "return document.body.innerText"))

    async def type_into(self, css: str, text: str) -> None:
        from selenium.webdriver.common.by import By

        element = await self.call("find_element", By.CSS_SELECTOR, css)
        await asyncio.to_thread(element.send_keys, text)

    async def click(self, css: str) -> None:
        from selenium.webdriver.common.by import By

        element = await self.call("find_element", By.CSS_SELECTOR, css)
        await asyncio.to_thread(element.click)

    async def until_text(self, wanted: str, *, seconds: float) -> float:
        """How long it took `wanted` to show on the page (without reloading it); fails after `seconds`."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while wanted not in await self.text():
            if loop.time() - started > seconds:
                raise AssertionError(f"{wanted!r} did not show within {seconds} s:\n{await self.text()}")
            await asyncio.sleep(0.1)
        return loop.time() - started

    async def until_away_from(self, path: str, *, seconds: float) -> None:
        """Waits for the navigation a click started (a form's POST and its redirect) to leave `path`, so the
        next page is not opened before the answer (its cookie) has arrived."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while path in str(await self.call("execute_script", "return location.pathname")):
            if loop.time() - started > seconds:
                raise AssertionError(f"still at {path} after {seconds} s:\n{await self.text()}")
            await asyncio.sleep(0.1)

    async def accessibility_violations(self) -> list[dict[str, Any]]:
        """axe-core's violations of impact serious or critical on the page shown."""
        if not AXE.exists():
            pytest.skip(f"the accessibility check needs axe-core at {AXE} (.ci/run fetches it with npm)")
        await self.call("execute_script", AXE.read_text(encoding="utf-8"))
        found = await self.call("execute_async_script",
                                "const done = arguments[arguments.length - 1];"
                                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));")
        return [v for v in found if v.get("impact") in SERIOUS]

    async def screenshot(self, name: str) -> None:
        """Saved only when SPOC_SCREENSHOTS names a directory (docs/screenshots for the README)."""
        directory = os.environ.get("SPOC_SCREENSHOTS")
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            height = await self.call("execute_script", "return document.documentElement.scrollHeight")
            await self.call("set_window_size", 1200, min(2400, max(900, int(height))))
            await self.call("save_screenshot", str(Path(directory) / f"{name}.png"))
            await self.call("set_window_size", 1200, 900)

    def quit(self) -> None:
        self.driver.quit()
