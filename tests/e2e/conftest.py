"""Browser end-to-end fixtures: the API under gunicorn, the SPA fixture on other origins, headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.reliability.procs import Gunicorn, free_port, migrate, wait_until

SPA_DIR = Path(__file__).resolve().parent / "spa"
SOCKET_IO_CLIENT = "socket.io-client@4.8.4"
ARTIFACTS = Path(os.environ.get("NETWORKAPP_E2E_ARTIFACTS", Path(tempfile.gettempdir()) / "networkapp-e2e"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1000,900",
)


def _require(path: str, what: str) -> str:
    found = shutil.which(path) or (path if os.path.exists(path) else None)
    if not found:
        # Not a skip: CI must install it (see .ci/run); a silent skip would hide a missing check.
        pytest.fail(
            f"{what} is required for the browser tests ({path} not found; apt-get install chromium chromium-driver)"
        )
    return found


@pytest.fixture(scope="session")
def spa_root(tmp_path_factory):
    """The SPA fixture plus the official Socket.IO browser client, installed from npm for this run."""
    root = tmp_path_factory.mktemp("spa")
    shutil.copytree(SPA_DIR, root, dirs_exist_ok=True)
    npm_dir = tmp_path_factory.mktemp("npm")
    npm = _require("npm", "npm")
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(npm_dir), SOCKET_IO_CLIENT],
        check=True,
        timeout=300,
    )
    shutil.copy(npm_dir / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js", root)
    return root


class StaticSite:
    def __init__(self, root: Path):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait(self):
        import requests

        def up():
            try:
                return requests.get(f"{self.origin}/index.html", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_until(up, timeout=10)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def sites(spa_root):
    """Two origins serving the same SPA: one the API lists in CORS_ORIGINS, one it does not."""
    listed, unlisted = StaticSite(spa_root), StaticSite(spa_root)
    for site in (listed, unlisted):
        site.wait()
    yield listed, unlisted
    for site in (listed, unlisted):
        site.stop()


@pytest.fixture
def api(sites, tmp_path):
    listed, _ = sites
    path = tmp_path / "e2e.db"
    url = f"sqlite:///{path}"
    migrate(url)
    server = Gunicorn(url, tmp_path, CORS_ORIGINS=listed.origin)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = _require("/usr/bin/chromium", "Chromium")
    driver_path = _require("/usr/bin/chromedriver", "chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
