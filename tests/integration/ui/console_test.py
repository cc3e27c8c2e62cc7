#!/usr/bin/python3
"""The web console in a real browser (CTest admin_ui_browser).

    console_test.py <routecatd> <screenshot dir>

Starts routecatd (memory store, an admin token, 500 ms keyviz columns), saves a 1,000-route catalog
(one key holds an <img onerror> payload), feeds load on routes 300-309 with POST /v1/routes/access,
opens /ui/ in Debian's headless chromium (Selenium, /usr/bin/chromedriver) and checks what the
issue lists: the heatmap's 1,000 bands and where the heat is, hover and zoom, the payload shown as
text and never run, lookup, filters, paging, a split with a wrong then the right token (401 shown,
then version + 1 and both children without a reload), history, status, and no console errors.
Saves a screenshot of each view into the screenshot dir. Then, not as a gate, prints the time from
navigation to a drawn heatmap on a 100,000-route catalog.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

TOKEN = "ui-test-token"
EVIL = "key/0500<img src=x onerror=window.__pwned=1>"  # route 501's start: must show as text
HOT = range(300, 310)  # the routes (0-based) that get most load
WARM = range(600, 800)  # a little, unevenly
LOADED = set(HOT) | set(WARM) | {500}  # 500: the payload's route, accessed by its key
COLUMN_MS = 500


def key(i):
    return EVIL if i == 500 else f"key/{i:04d}"


def catalog(n, key=key, groups_of=100):
    """n routes covering the keyspace: route i (id i+1) is [key(i), key(i+1)), group 1 + i // 100,
    routes 900-909 write_fenced."""
    routes = []
    for i in range(n):
        route = {"route_id": i + 1, "start_text": "" if i == 0 else key(i), "group_id": 1 + i // groups_of,
                 "state": "write_fenced" if 900 <= i < 910 else "active"}
        if i + 1 < n:
            route["end_text"] = key(i + 1)
        routes.append(route)
    return routes


def large_key(i):
    return f"big/{i:06d}"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Daemon:
    def __init__(self, binary, work):
        config = {
            "store": {"kind": "memory"},
            "admin": {"token": TOKEN, "body_limit_bytes": 64 << 20, "inflight_body_limit_bytes": 128 << 20},
            "watcher": {"interval_ms": 50},
            "keyviz": {"column_ms": COLUMN_MS, "columns": 360, "max_rows_per_column": 1024},
        }
        path = os.path.join(work, "routecatd.json")
        with open(path, "w") as f:
            json.dump(config, f)
        self.log_path = os.path.join(work, "routecatd.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([binary, "--config", path, "--listen", "127.0.0.1:0"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 15
        while self.port is None and time.time() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"routecatd exited with {self.process.returncode}:\n{self.log_text()}")
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log_text())
            if found:
                self.port = int(found.group(1))
            time.sleep(0.02)
        check(self.port, f"routecatd did not say where it listens:\n{self.log_text()}")
        self.url = f"http://127.0.0.1:{self.port}"
        while time.time() < deadline:
            if self.request("GET", "/readyz", expect=None)[0] == 200:
                return
            time.sleep(0.02)
        raise Failure(f"routecatd not ready:\n{self.log_text()}")

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def request(self, method, path, body=None, expect=200):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
            req.add_header("Authorization", f"Bearer {TOKEN}")
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        except OSError as e:
            status, text = 0, str(e)
        if expect is not None:
            check(status == expect, f"{method} {path}: expected {expect}, got {status}: {text[:300]}")
        return status, (json.loads(text) if text.startswith("{") else text)

    def save(self, routes):
        version = self.request("GET", "/v1/stats?top=0")[1]["version"]
        return self.request("PUT", "/v1/catalog", {"expected_version": version, "routes": routes})[1]["version"]

    def access(self, keys):
        for at in range(0, len(keys), 5000):
            self.request("POST", "/v1/routes/access", {"keys_text": keys[at:at + 5000]})

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Page:
    """The browser, the console's model and what the browser logged."""

    def __init__(self, screenshots):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.screenshots = screenshots
        self.logged = []

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def model(self, path):
        return self.js(f"return window.routecatConsole && window.routecatConsole.{path};")

    def wait(self, what, condition, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise Failure(f"timed out after {seconds} s waiting for {what}; the page's error banner: "
                      f"{self.model('error')!r}")

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def tab(self, view):
        self.find(f"#tabs button[data-view={view}]").click()
        self.wait(f"the {view} view", lambda: self.model("view") == view)

    def type_into(self, css, text):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def screenshot(self, name):
        path = os.path.join(self.screenshots, f"{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot: {path}")

    def collect_log(self):
        self.logged += self.driver.get_log("browser")  # each call returns what came since the last

    def quit(self):
        self.driver.quit()


def heatmap_row_is_hot(page, band):
    """Whether the canvas's pixel row through band's middle has a cell that is not background."""
    return page.js("""
        const [band] = arguments;
        const hm = window.routecatConsole.heatmap, layout = hm.layout;
        const y = Math.floor((band + 0.5) * layout.height / layout.bands);
        const row = document.getElementById('heatmap').getContext('2d').getImageData(0, y, layout.gridWidth, 1).data;
        for (let p = 0; p < row.length; p += 4)
            if (row[p] !== 12 || row[p + 1] !== 16 || row[p + 2] !== 32) return true;
        return false;""", band)


def canvas_offset(page, band, x_fraction):
    """Selenium 4 offsets are from the element's centre: the offset of band's middle row at
    x_fraction of the grid."""
    return page.js("""
        const [band, fx] = arguments;
        const c = document.getElementById('heatmap'), r = c.getBoundingClientRect();
        const layout = window.routecatConsole.heatmap.layout;
        const y = (band + 0.5) * layout.height / layout.bands * r.height / c.height;
        const x = fx * layout.gridWidth * r.width / c.width;
        return [Math.round(x - r.width / 2), Math.round(y - r.height / 2)];""", band, x_fraction)


def check_heatmap(page):
    page.wait("1,000 bands", lambda: len(page.model("heatmap.bands") or []) == 1000)
    page.wait("heat in the heatmap", lambda: set(HOT) <= set(page.model("heatmap.hotBands") or []), 20)
    bands = page.model("heatmap.bands")
    check([b["route_id"] for b in bands] == list(range(1, 1001)), "band i is not route i + 1")
    check(all(b["routes"] == 1 for b in bands), "a band holds more than one route of 1,000")
    hot = page.model("heatmap.hotBands")
    check(set(hot) <= LOADED, f"heat where no load went: {sorted(set(hot) - LOADED)}")
    check(set(page.model("heatmap.loadedBands")) == LOADED,
          f"current load not exactly on the loaded routes: {page.model('heatmap.loadedBands')}")
    check(page.model("heatmap.groupBoundaries") == 9, f"{page.model('heatmap.groupBoundaries')} group lines, not 9")
    check(heatmap_row_is_hot(page, 305), "band 305 (loaded) is drawn without heat")
    check(not heatmap_row_is_hot(page, 150), "band 150 (no load) is drawn with heat")
    drawn = page.model("heatmap.drawnAt")
    print(f"1,000 routes: heatmap drawn {drawn:.0f} ms after navigation started")

    # Hover: the band under the mouse (bands are under a pixel tall here: one near 305), its route,
    # keys as text, group, state, load.
    hover(page, 305, 0.98)
    band = page.model("heatmap.hover.band")
    check(band in HOT, f"hovering band 305 found band {band}")
    tip = page.find("#heatmap-tip").text
    for part in (f"#{band + 1}", key(band), key(band + 1), "group", "active", "load"):
        check(part in tip, f"the hover tip over band {band} lacks {part!r}: {tip!r}")
    page.screenshot("heatmap")

    # Zoom: a drag over bands 300-309 fetches those keys in finer bands (one route each, tall).
    zoomed = drag(page, 300, 309)
    check(len(zoomed) <= 14 and {304, 305, 306, 307} <= set(zoomed) and zoomed == list(range(zoomed[0], zoomed[-1] + 1)),
          f"zoomed into bands 300-309, got routes {zoomed}")
    first = page.model("heatmap.bands")[0]
    check(page.model("heatmap.range")["start_text"] == first["start_text"], f"zoom range {page.model('heatmap.range')}")
    at = zoomed.index(306)
    hover(page, at, 0.98)
    tip = page.find("#heatmap-tip").text
    check(page.model("heatmap.hover.route_id") == 306 and "key/0305" in tip, f"zoomed hover: {tip!r}")
    page.screenshot("heatmap-zoomed")
    zoom_out(page)

    # The payload's band, zoomed into: its key is text in the tip, nothing ran.
    zoomed = drag(page, 497, 503)
    check(501 in zoomed, f"zoomed into bands 497-503, got routes {zoomed}")
    hover(page, zoomed.index(501), 0.5)
    page.wait("the payload in the tip", lambda: EVIL in page.find("#heatmap-tip").text)
    check(not page.driver.find_elements(By.CSS_SELECTOR, "#heatmap-tip img"), "the tip made an <img>")
    check(page.js("return window.__pwned;") is None, "the payload ran")
    zoom_out(page)


def hover(page, band, x_fraction):
    x, y = canvas_offset(page, band, x_fraction)
    ActionChains(page.driver).move_to_element_with_offset(page.find("#heatmap"), x, y).perform()
    page.wait("the hover tip", lambda: page.find("#heatmap-tip").is_displayed())


def drag(page, first, last):
    """Drags over bands first..last; returns the route ids of the zoomed heatmap's bands."""
    x, y0 = canvas_offset(page, first, 0.5)
    _, y1 = canvas_offset(page, last, 0.5)
    canvas = page.find("#heatmap")
    ActionChains(page.driver).move_to_element_with_offset(canvas, x, y0).click_and_hold() \
        .move_to_element_with_offset(canvas, x, y1).release().perform()
    page.wait("the zoomed heatmap", lambda: 0 < len(page.model("heatmap.bands") or []) < 100)
    return [b["route_id"] for b in page.model("heatmap.bands")]


def zoom_out(page):
    page.find("#heatmap-zoom-out").click()
    page.wait("the whole keyspace again", lambda: len(page.model("heatmap.bands") or []) >= 1000)


def check_routes(page):
    page.tab("routes")
    page.wait("the first page", lambda: len(page.model("routes.rows") or []) == 100)
    check(page.model("routes.count") == 1000, f"count {page.model('routes.count')}")
    page.find("#routes-next").click()
    page.wait("the second page", lambda: (page.model("routes.rows") or [{}])[0].get("route_id") == 101)
    # Filters: group 3 holds routes 201-300; 10 routes are write_fenced.
    page.type_into("#routes-group", "3")
    page.find("#routes-filter button[type=submit]").click()
    page.wait("group 3", lambda: page.model("routes.count") == 100 and page.model("routes.rows")[0]["route_id"] == 201)
    page.type_into("#routes-group", "")
    Select(page.find("#routes-state")).select_by_visible_text("write_fenced")
    page.find("#routes-filter button[type=submit]").click()
    page.wait("write_fenced", lambda: page.model("routes.count") == 10)
    page.find("#routes-clear").click()
    page.wait("the table unfiltered", lambda: page.model("routes.count") == 1000)

    # The payload: searched, shown as text, never run.
    page.type_into("#routes-key", EVIL)
    page.find("#routes-filter button[type=submit]").click()
    page.wait("the payload's route", lambda: [r["route_id"] for r in page.model("routes.rows") or []] == [501])
    cells = [td.text for td in page.driver.find_elements(By.CSS_SELECTOR, "#routes-table tbody td")]
    check(EVIL in cells, f"the payload key is not shown as text: {cells}")
    check(not page.driver.find_elements(By.CSS_SELECTOR, "#routes-table img, #heatmap-tip img"), "an <img> was created")
    check(page.js("return window.__pwned;") is None, "the payload ran")

    # Lookup: the route holding a key.
    page.type_into("#routes-key", "key/0123abc")
    page.find("#routes-filter button[type=submit]").click()
    page.wait("the route holding key/0123abc", lambda: [r["route_id"] for r in page.model("routes.rows") or []] == [124])
    page.screenshot("routes")


def open_split(page, route_id, split_key, token):
    page.find(f"#routes-table tr[data-route-id='{route_id}'] button").click()
    page.wait("the split form", lambda: page.find("#split-form").is_displayed())
    page.type_into("#split-key", split_key)
    page.type_into("#split-token", token)
    page.find("#split-form button[type=submit]").click()


def check_split(page):
    version = page.model("version")
    page.js("window.__sameDocument = true;")  # gone if anything reloads the page
    open_split(page, 124, "key/0123m", "wrong-token")
    page.wait("the 401 message", lambda: "401" in (page.model("split.message") or ""))
    shown = page.find("#split-message").text
    check("401 unauthorized" in shown, f"the 401 is not shown: {shown!r}")
    check(page.js("return sessionStorage.getItem('routecat.adminToken');") is None, "a refused token was kept")
    check(page.model("version") == version, "the version moved on a refused split")

    open_split(page, 124, "key/0123m", TOKEN)
    page.wait("version + 1", lambda: page.model("version") == version + 1)
    page.wait("both children", lambda: len(page.model("routes.rows") or []) == 2)
    left, right = page.model("routes.rows")
    check((left["start_text"], left["end_text"]) == ("key/0123", "key/0123m"), f"left child {left}")
    check((right["start_text"], right["end_text"]) == ("key/0123m", "key/0124"), f"right child {right}")
    check(page.find("#version").text == str(version + 1), f"header shows {page.find('#version').text}")
    texts = [td.text for td in page.driver.find_elements(By.CSS_SELECTOR, "#routes-table tbody td")]
    check("key/0123m" in texts, f"the children are not in the table: {texts}")
    check(page.js("return window.__sameDocument;") is True, "the page reloaded")
    check(page.js("return sessionStorage.getItem('routecat.adminToken');") == TOKEN, "the token is not in sessionStorage")
    page.screenshot("split")
    return version + 1


def check_history_and_status(page, version):
    page.tab("history")
    page.wait("the split in the history", lambda: (page.model("history.entries") or [{}])[0].get("version") == version)
    first = page.find("#history-list > li")
    check(first.get_attribute("data-version") == str(version), "the newest version is not first")
    check("delete #124" in first.text, f"the split's delta: {first.text!r}")
    page.screenshot("history")

    page.tab("status")
    page.wait("the status", lambda: "ready" in page.find("#status-list").text)
    text = page.find("#status-list").text
    for part in (f"ready at version {version}", "engine generation", "memory", "watcher", "running"):
        check(part in text, f"status lacks {part!r}: {text!r}")
    page.screenshot("status")


def check_console_log(page):
    page.collect_log()
    errors = []
    for entry in page.logged:
        if entry["level"] != "SEVERE":
            continue
        # The wrong-token split: Chrome logs every 4xx answer to a fetch. Expected, and only that one.
        if entry.get("source") == "network" and "/v1/catalog/split" in entry["message"] and "401" in entry["message"]:
            continue
        errors.append(entry["message"])
    check(not errors, "browser console errors:\n  " + "\n  ".join(errors))


def time_large_catalog(page, daemon):
    """Not a gate: navigation to a drawn heatmap on 100,000 routes, three loads."""
    daemon.save(catalog(100_000, key=large_key, groups_of=1000))
    daemon.access([large_key(i) for i in range(40_000, 40_100) for _ in range(20)])
    time.sleep(COLUMN_MS / 1000 * 3)
    times = []
    for _ in range(3):
        page.driver.get(daemon.url + "/ui/")
        page.wait("the 100,000-route heatmap", lambda: page.model("heatmap.drawnAt") is not None, 30)
        times.append(page.model("heatmap.drawnAt"))
    print(f"100,000 routes: heatmap drawn {statistics.median(times):.0f} ms after navigation started "
          f"(median of {', '.join(f'{t:.0f}' for t in times)} ms; goal <= 1000 ms headless)")


def feed_load(daemon, rounds=6):
    """Load over several columns: heavy on HOT, light and uneven on WARM, a little on the payload."""
    for r in range(rounds):
        keys = [key(i) + "x" for i in HOT for _ in range(40 + 10 * r)] + [EVIL] * 5
        keys += [key(i) + "x" for i in WARM for _ in range(1 + (i * 7 + r * 3) % 5 * (1 + (i // 40) % 3))]
        daemon.access(keys)
        time.sleep(COLUMN_MS / 1000)


def check_live_heat(page, daemon):
    """New load shows up in the open page: a later column, no reload."""
    before = page.model("heatmap.totalTraffic")
    daemon.access([key(305) + "y"] * 500)
    page.wait("the new load in the heatmap", lambda: page.model("heatmap.totalTraffic") >= before + 500, 15)


def main():
    binary, screenshots = sys.argv[1], sys.argv[2]
    os.makedirs(screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="routecat-ui-")
    daemon = page = None
    try:
        daemon = Daemon(binary, work)
        daemon.save(catalog(1000))
        feed_load(daemon)
        page = Page(screenshots)
        page.driver.get(daemon.url + "/")
        check(page.driver.current_url == daemon.url + "/ui/", f"/ redirected to {page.driver.current_url}")
        check_heatmap(page)
        check_live_heat(page, daemon)
        check_routes(page)
        version = check_split(page)
        check_history_and_status(page, version)
        check(page.js("return window.__pwned;") is None, "the payload ran")
        check_console_log(page)
        print("admin_ui_browser: every check passed")
        try:
            time_large_catalog(page, daemon)
        except Exception as e:  # a measurement, not a gate
            print(f"100,000 routes: not measured: {e}")
        return 0
    except Exception as e:  # a failed check, or Selenium's own error: both fail the test, with context
        print(f"FAIL: {e}" if isinstance(e, Failure) else f"FAIL: {traceback.format_exc()}")
        if page:
            try:
                page.screenshot("failure")
                page.collect_log()
                for entry in page.logged:
                    print(f"browser {entry['level']}: {entry['message']}")
            except Exception as inner:  # the browser may be what failed
                print(f"(no screenshot: {inner})")
        if daemon:
            print("routecatd log (tail):\n" + daemon.log_text()[-3000:])
        return 1
    finally:
        if page:
            page.quit()
        if daemon:
            daemon.stop()


if __name__ == "__main__":
    sys.exit(main())
