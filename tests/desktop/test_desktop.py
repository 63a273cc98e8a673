"""The desktop app end to end: one real app, driven through its window, its tray and the OS.

The tests are the steps of one story and run in file order: the window shows the signed-in
dashboard; a request sent with the openai SDK through the app's proxy port shows up in the
window's Requests page and in the tray's spend line; the tray menu opens, and its "Connect a
client…" brings the window up on the Connect page; closing the window
leaves the app in the tray (and its memory is measured there); a second launch brings it back;
pausing shows in the tray; a second app on a taken port shows the error state; and SIGTERM
quits with the history flushed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import openai
import pytest
from selenium.webdriver.common.by import By

from conftest import REPO_ROOT, App, http_get, wait_until

DOCS_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def run(*argv: str, check: bool = True) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}", pytrace=False)
    return done.stdout


def dashboard_windows(pid: int) -> list[str]:
    """The app's visible top-level windows titled Switchyard (not its tray icon)."""
    out = subprocess.run(
        ["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", "^Switchyard$"],
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def memory_kib(pid: int) -> tuple[str, int, int]:
    """Name, VmRSS and PSS (shared library pages divided among the processes using them)."""
    status = Path(f"/proc/{pid}/status").read_text()
    name = re.search(r"^Name:\s+(\S+)", status, re.M)
    rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    try:
        pss = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
    except OSError:
        pss = None
    return (
        name.group(1) if name else "?",
        int(rss.group(1)) if rss else 0,
        int(pss.group(1)) if pss else 0,
    )


def tray_host_geometry() -> dict[str, int]:
    # trayer's panel is the window named "panel" (its other windows are 10x10 helpers).
    ids = run("xdotool", "search", "--name", "^panel$", check=False).split()
    if not ids:
        pytest.fail("no tray host (trayer's panel window): session.sh starts one", pytrace=False)
    shell = run("xdotool", "getwindowgeometry", "--shell", ids[-1])
    fields = dict(line.split("=", 1) for line in shell.split() if "=" in line)
    return {k: int(fields[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")}


def screen(path: Path) -> Path:
    run("import", "-window", "root", str(path))
    return path


def changed_pixels(before: Path, after: Path, box: str) -> int:
    """How many pixels differ between two screenshots inside `box` (WxH+X+Y)."""
    done = subprocess.run(
        ["compare", "-metric", "AE", "-extract", box, str(before), str(after), "null:"],
        capture_output=True,
        text=True,
    )
    return int(float(done.stderr.split()[0]))


def test_the_window_shows_the_dashboard_signed_in_with_the_proxy_status(driver, app: App) -> None:
    proxy_url = wait_until(
        "the dashboard's proxy status in the window",
        lambda: driver.find_element(By.CSS_SELECTOR, '[data-testid="sidebar-proxy-url"]').text,
    )
    assert proxy_url == app.base_url, "the window shows this app's own proxy"
    wait_until(
        "the live feed to connect",
        lambda: "Live" in driver.find_element(By.CSS_SELECTOR, '[data-testid="live-state"]').text,
    )
    assert "token=" not in driver.current_url, "the admin token leaves the visible URL"
    assert driver.current_url.startswith(app.root_url + "/"), driver.current_url
    assert wait_until("the Overview", lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stat-today"]'))


def test_a_request_through_the_apps_proxy_appears_in_the_requests_page(driver, app: App, screenshots: Path) -> None:
    client = openai.OpenAI(base_url=app.base_url, api_key="sk-desktop-client-key-ignored", max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="mock/gpt-4.1",
        messages=[{"role": "user", "content": "Hello from the desktop suite"}],
    )
    request_id = raw.headers["x-request-id"]
    assert raw.parse().choices[0].message.content, "the mock answered through the app's proxy"

    overview = driver.get_screenshot_as_png()
    driver.find_element(By.CSS_SELECTOR, '[data-testid="nav-requests"]').click()
    row = wait_until(
        f"request {request_id} in the window's Requests page",
        lambda: driver.find_elements(By.CSS_SELECTOR, f'[data-testid="request-row"][data-id="{request_id}"]'),
    )[0]
    assert "gpt-4.1" in row.text, row.text
    # Two animation frames: the page has painted the new route (WebKit paints on its own
    # schedule, and a screenshot taken sooner can still show the previous page).
    driver.set_script_timeout(10)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
    )
    wait_until("the window to repaint with the Requests page", lambda: driver.get_screenshot_as_png() != overview, timeout=10)
    time.sleep(1.0)  # the new row's highlight fades out
    driver.save_screenshot(str(screenshots / "window.png"))
    screen(screenshots / "window-desktop.png")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshots / "window.png", DOCS_SCREENSHOTS / "desktop-window.png")

    line = wait_until(
        "the tray's spend line to count the request",
        lambda: re.search(r"\$0\.\d+ today · 1 request\b", app.log()),
    )
    assert line, "the tray shows today's spend and request count"


def test_a_budget_crossed_and_a_rejected_key_become_notifications(app: App) -> None:
    wait_until(
        "the budget notification (the first request crossed daily_usd)",
        lambda: "Daily budget reached" in app.notifications(),
    )
    client = openai.OpenAI(base_url=app.base_url, api_key="sk-ignored", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="wrongkey/gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    wait_until("the rejected-key notification", lambda: "wrongkey rejected its key" in app.notifications())
    client_again = openai.OpenAI(base_url=app.base_url, api_key="sk-ignored", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client_again.chat.completions.create(model="wrongkey/gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    time.sleep(1.0)
    assert app.notifications().count("wrongkey rejected its key") == 1, "a wrong key is announced once, not per request"


def test_the_tray_menu_opens_from_the_tray_icon(app: App, screenshots: Path) -> None:
    geometry = tray_host_geometry()
    before = screen(screenshots / "tray-before.png")
    icon_x = geometry["X"] + geometry["WIDTH"] - geometry["HEIGHT"] // 2
    icon_y = geometry["Y"] + geometry["HEIGHT"] // 2
    run("xdotool", "mousemove", str(icon_x), str(icon_y), "click", "3")
    time.sleep(1.0)
    after = screen(screenshots / "tray.png")
    below_tray = f"520x360+{max(0, icon_x - 500)}+{geometry['Y'] + geometry['HEIGHT']}"
    assert changed_pixels(before, after, below_tray) > 2000, "a menu opened under the tray icon"
    run(
        "convert", str(after), "-crop", f"560x{geometry['HEIGHT'] + 330}+{max(0, icon_x - 520)}+0",
        "+repage", str(DOCS_SCREENSHOTS / "desktop-tray.png"),
    )
    run("xdotool", "key", "Escape")
    time.sleep(0.5)


def open_tray_menu() -> None:
    geometry = tray_host_geometry()
    icon_x = geometry["X"] + geometry["WIDTH"] - geometry["HEIGHT"] // 2
    icon_y = geometry["Y"] + geometry["HEIGHT"] // 2
    run("xdotool", "mousemove", str(icon_x), str(icon_y), "click", "3")
    time.sleep(1.0)


def test_connect_a_client_in_the_tray_opens_the_connect_page(driver) -> None:
    driver.execute_script("window.location.hash = '#/requests'")
    wait_until("the Requests page", lambda: driver.current_url.endswith("#/requests"))
    open_tray_menu()
    # The status lines are disabled, so the keyboard skips them: the first item it reaches is
    # "Open dashboard", the second "Connect a client…".
    run("xdotool", "key", "Down", "Down", "Return")
    wait_until("the window on the Connect page", lambda: driver.current_url.endswith("#/connect"))
    wait_until(
        "the Connect page's Claude Code card",
        lambda: "Claude Code" in driver.find_element(By.CSS_SELECTOR, '[data-testid="connect-claude-code"]').text,
    )


def test_closing_the_window_leaves_the_app_in_the_tray_still_serving(app: App, screenshots: Path) -> None:
    pid = app.pid()
    windows = wait_until("the dashboard window on screen", lambda: dashboard_windows(pid))
    run("wmctrl", "-i", "-c", hex(int(windows[0])))
    wait_until("the window to hide", lambda: not dashboard_windows(pid))
    assert Path(f"/proc/{pid}").exists(), "closing the window does not quit the app"
    assert http_get(f"{app.root_url}/healthz")[0] == 200, "the proxy keeps serving from the tray"

    time.sleep(5)  # let the WebKit processes settle after hiding
    rows = [(p, *memory_kib(p)) for p in process_tree(pid) if Path(f"/proc/{p}").exists()]
    total = sum(rss for _, _, rss, _ in rows)
    total_pss = sum(pss for _, _, _, pss in rows)
    report = "\n".join(
        f"{p:>8} {name:<24} RSS {rss / 1024:7.1f} MiB  PSS {pss / 1024:7.1f} MiB" for p, name, rss, pss in rows
    )
    report += f"\n{'':>8} {'total (window closed)':<24} RSS {total / 1024:7.1f} MiB  PSS {total_pss / 1024:7.1f} MiB\n"
    (screenshots / "memory.txt").write_text(report)
    print("\nmemory with the window closed (VmRSS of the app and its WebKit processes):\n" + report)
    assert total > 0


def test_a_second_launch_brings_the_running_window_back(app: App) -> None:
    pid = app.pid()
    second = subprocess.run([str(app.binary)], env=app.env, capture_output=True, text=True, timeout=30)
    assert second.returncode == 0, f"the second launch hands over and exits: {second.stderr}"
    wait_until("the first app's window to come back", lambda: dashboard_windows(pid))
    assert app.pid() == pid, "still the first app serving"


def test_pausing_from_the_dashboard_shows_in_the_tray(app: App) -> None:
    def pause(paused: bool) -> None:
        request = urllib.request.Request(
            f"{app.root_url}/api/pause",
            method="PUT",
            data=json.dumps({"paused": paused}).encode(),
            headers={"Authorization": f"Bearer {app.token()}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200

    pause(True)
    wait_until("the tray to show paused", lambda: "Paused (requests get 503)" in app.log())
    client = openai.OpenAI(base_url=app.base_url, api_key="sk-ignored", max_retries=0)
    with pytest.raises(openai.APIStatusError) as refused:
        client.chat.completions.create(model="mock/gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    assert refused.value.status_code == 503, "a paused proxy refuses requests"
    pause(False)
    wait_until("the tray to show running again", lambda: app.log().rfind("Running · ") > app.log().rfind("Paused ("))


def test_a_second_app_on_a_taken_port_shows_the_error_state_and_explains(driver, app: App, screenshots: Path) -> None:
    with tempfile.TemporaryDirectory() as other:
        env = dict(app.env)
        env.pop("GNOME_KEYRING_CONTROL", None)
        env.update(
            SWITCHYARD_CONFIG=f"{other}/config.toml",
            SWITCHYARD_DATA_DIR=f"{other}/data",
            XDG_CONFIG_HOME=f"{other}/config-home",
            XDG_DATA_HOME=f"{other}/data-home",
            XDG_RUNTIME_DIR=f"{other}/runtime",
        )
        os.makedirs(f"{other}/runtime", mode=0o700)
        log = Path(other) / "data" / "logs" / "switchyard-desktop.log"
        # Its own session bus (the single-instance lock is per bus, so this one really starts),
        # its own unlocked keyring, and a monitor that records the notifications it sends.
        script = (
            'eval "$(printf switchyard-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null; '
            'dbus-monitor --session "interface=org.freedesktop.Notifications" > "$1" 2>&1 & '
            'sleep 0.5; exec "$2" --hidden'
        )
        monitor = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", script, "sh", f"{other}/notifications.log", str(app.binary)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(screenshots / "second-app.stderr.log", "wb"),
        )
        try:
            wait_until(
                "the error state in the second app's tray (see screenshots/second-app.stderr.log)",
                lambda: log.exists() and f"Not running: 127.0.0.1:{app.port} is already in use" in log.read_text(),
            )
            text = log.read_text()
            assert "server.listen" in text and "SWITCHYARD_LISTEN" in text, "the tray says how to pick another port"
            time.sleep(1.0)
            screen(screenshots / "tray-error.png")
            notified = Path(other) / "notifications.log"
            wait_until(
                "a desktop notification about the port",
                lambda: notified.exists() and f"{app.port} is in use" in notified.read_text(),
                timeout=10,
            )
        finally:
            monitor.send_signal(signal.SIGTERM)
            try:
                monitor.wait(timeout=15)
            except subprocess.TimeoutExpired:
                monitor.kill()


def test_sigterm_quits_with_the_history_flushed(app: App, driver) -> None:
    pid = app.pid()
    os.kill(pid, signal.SIGTERM)
    wait_until("the app to exit", lambda: not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid), timeout=20)
    assert not (app.data_dir / "runtime.json").exists(), "a clean shutdown removes runtime.json"
    assert "history flushed" in app.log()
    with sqlite3.connect(app.data_dir / "history.sqlite3") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM requests").fetchone()
    assert count >= 4, "the proxied request, the refused ones and the paused one are in the history"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "zombie"
