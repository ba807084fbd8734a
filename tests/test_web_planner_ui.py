"""The planner in a real browser, by clicking only (issue 15's "Done when" tasks); screenshots
at desktop and phone width go to test-artifacts/."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS

pytest.importorskip("playwright.sync_api")
#: a real server and a real browser: slow (`make test-fast` skips them)
pytestmark = pytest.mark.slow


def plan_by_clicking(page, base: str, labels: list[str], operando: bool) -> None:
    page.goto(base + "/planner")
    for label in labels:
        page.get_by_label(label, exact=True).first.check()
    if operando:
        page.check("#p-operando")
    page.get_by_role("button", name="Plan").click()


def test_planner_run_for_structure_sei_and_lithium_operando(browser_page) -> None:
    """Crystal structure + SEI composition + lithium distribution, operando: SEI composition is
    measured only on model samples (the XPS / HAXPES / FTIR rows), so it is left with "drop
    operando only"; XRD-CT / PDF-CT (realistic) covers the rest, at ESRF (ID13, ID15A) and
    SOLEIL (PSICHé) — D5.1 lines 456-465."""
    base, page, errors = browser_page
    plan_by_clicking(page, base, ["crystal structure", "SEI / CEI composition",
                                  "lithium distribution"], operando=True)
    assert "Drop the constraint operando only" in page.inner_text("[role=status]")
    for name in ("crystal structure", "SEI / CEI composition", "lithium distribution"):
        assert page.get_by_label(name, exact=True).first.is_checked()
    alternative = page.locator("article.plan", has_text="pair distribution function").first
    assert "Alternative" in alternative.locator("h3").inner_text()
    for name in ("ESRF", "SOLEIL", "ID15A", "PSICHé"):
        assert name in alternative.inner_text()
    page.screenshot(path=str(ARTIFACTS / "planner.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "planner-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert errors == []


def test_techniques_for_lithium_distribution_during_cycling_and_who_offers_them(
        browser_page) -> None:
    """Lithium distribution, operando: among the single-row answers are neutron imaging (D50-NeXT
    at ILL), NDP and XRD-CT; each alternative names its partners, so "who offers them" is read
    off the page (neutron imaging: "D50-NeXT ILL" in the imaging table)."""
    base, page, errors = browser_page
    plan_by_clicking(page, base, ["lithium distribution"], operando=True)
    headings = page.locator("article.plan h3").all_inner_texts()
    answers = " / ".join(headings)
    for row in ("Neutron imaging (realistic)", "Neutron depth profiling (realistic)",
                "X-ray diffraction computed tomography (commercial)"):
        assert row in answers
    neutron = page.locator("article.plan", has_text="Neutron imaging").first
    assert "ILL" in neutron.inner_text() and "D50-NeXT" in neutron.inner_text()
    # what to combine it with: the technique page's complementary techniques, with the reason
    # (D5.1: NDP "Li concentration gradient" as a depth profile over 1 cm², ~40 µm deep;
    # neutron imaging 170x170 mm², through the full cell)
    neutron.locator("a[href='/matrix-entry/neutron-imaging-realistic']").first.click()
    page.locator("main a[href='/technique/neutron-imaging']").first.click()
    related = page.locator("section", has_text="Neutron depth profiling").filter(
        has_text="lithium concentration gradients").first
    assert "at different depths" in related.inner_text()
    assert errors == []
