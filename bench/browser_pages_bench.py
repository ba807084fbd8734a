"""Page load times measured in the browser: Debian's chromium (Playwright) loads each page N
times from `bigmap-kg serve` over the full graph and reports the Navigation Timing marks
responseEnd, domContentLoadedEventEnd and loadEventEnd (ms from navigation start), p50 / p95.

    .venv/bin/python bench/browser_pages_bench.py [--loads 20] [--markdown]

The first load of each page is a warm-up (not counted); later loads reuse the browser's cache
for /static and /vendor files, as a scientist's repeat visit does. For /sparql-editor the marks
end before YASGUI fetches the named queries (that happens after the load event).
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics

from pages_bench import serving
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = ["/matrix", "/matrix?cluster=imaging&operando=yes", "/competence-map",
         "/competence-map?scale=area", "/cells", "/cells?technique=xas", "/tier1", "/planner",
         "/planner?observable=crystal-structure&observable=sei-composition&operando=yes",
         "/sparql-editor", "/technique/xas", "/technique/xrd", "/cell/uu-pouch-transmission",
         "/partner/uu", "/experiment/t1-08"]
MARKS = ["responseEnd", "domContentLoadedEventEnd", "loadEventEnd"]
TIMING = "JSON.parse(JSON.stringify(performance.getEntriesByType('navigation')[0]))"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(base: str, loads: int) -> dict[str, dict[str, list[float]]]:
    found: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        for path in PAGES:
            page.goto(base + path, wait_until="load")
            marks: dict[str, list[float]] = {m: [] for m in MARKS}
            for _ in range(loads):
                response = page.goto(base + path, wait_until="load")
                if response is None or response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response and response.status}")
                timing = page.evaluate(TIMING)
                for mark in MARKS:
                    marks[mark].append(timing[mark])
            found[path] = marks
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    with serving() as base:
        found = measure(base, args.loads)
    heads = [f"{m} {q}" for m in ("response", "DOMContentLoaded", "load") for q in ("p50", "p95")]
    if args.markdown:
        print("| page | " + " | ".join(f"{h} ms" for h in heads) + " |")
        print("|---|" + "---:|" * len(heads))
    else:
        print(f"{'page':<78}" + "".join(f"{h:>22}" for h in heads))
    for path, marks in found.items():
        cells = [f(marks[m]) for m in MARKS
                 for f in (statistics.median, lambda v: percentile(v, 0.95))]
        if args.markdown:
            print(f"| `{path}` | " + " | ".join(f"{c:.0f}" for c in cells) + " |")
        else:
            print(f"{path:<78}" + "".join(f"{c:>22.1f}" for c in cells))
    worst = max(percentile(m["loadEventEnd"], 0.95) for m in found.values())
    print(f"\nslowest page, loadEventEnd p95: {worst:.0f} ms (target: under 300 ms)")


if __name__ == "__main__":
    main()
