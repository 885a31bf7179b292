"""The keyboard focus in a real Chromium: the ring has at least 3:1 against whatever lies under it (WCAG
1.4.11), and on a phone the entry form never scrolls a focused field under its sticky save bar."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login_organiser

# The focused element, the element that shows its ring (a hidden choice's label), that ring's colour
# and the colours under the ring's middle on each side (what elementsFromPoint finds there first with a
# background; the page's canvas is white).
FOCUSED = """() => {
    const active = document.activeElement;
    const hidden = getComputedStyle(active).opacity === "0" && active.labels && active.labels.length;
    const ring = hidden ? active.labels[0] : active;
    const style = getComputedStyle(ring);
    const box = ring.getBoundingClientRect();
    const reach = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
    const x = (box.left + box.right) / 2, y = (box.top + box.bottom) / 2;
    const under = [];
    const sides = [[box.left - reach, y], [box.right + reach, y], [x, box.top - reach], [x, box.bottom + reach]];
    for (const [px, py] of sides) {
        if (px < 0 || py < 0 || px >= innerWidth || py >= innerHeight) continue;
        const behind = document.elementsFromPoint(px, py).filter(e => e !== ring && !ring.contains(e))
            .map(e => getComputedStyle(e).backgroundColor).find(c => !/^rgba\\(.*, 0\\)$/.test(c));
        under.push(behind || "rgb(255, 255, 255)");
    }
    const boxes = [active, ring].map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom]);
    const bar = document.querySelector(".actions");
    return {
        tag: active.tagName, name: (active.id || active.textContent || "").trim().slice(0, 40),
        in_form: active.closest("form.entry") !== null, in_bar: bar !== null && bar.contains(active),
        bar_top: bar && bar.getBoundingClientRect().top, boxes: boxes, reach: reach * 2,
        ring: style.outlineColor, ring_style: style.outlineStyle, ring_width: parseFloat(style.outlineWidth),
        under: under,
    };
}"""


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an opaque CSS ``rgb()`` colour."""
    channels = [int(c) for c in re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, 1)?\)", colour).groups()]
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab_through(page, limit: int = 200):
    """Press Tab from the top of the page until the focus leaves it; what each press focused."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY":
            return stops
        stops.append(focused)
    pytest.fail(f"the focus never left the page after {limit} presses of Tab")


def test_the_formula_is_wcags():
    assert contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)") == pytest.approx(21)
    assert contrast("rgb(240, 160, 0)", "rgb(255, 255, 255)") == pytest.approx(2.16, abs=0.01)  # the old ring
    assert contrast("rgb(118, 118, 118)", "rgba(255, 255, 255, 1)") == pytest.approx(4.54, abs=0.01)


def test_the_focus_ring_has_3_to_1_against_what_lies_under_it(server, browser):
    anonymous = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR").new_page()
    organiser = login_organiser(browser, server)
    stops = []
    for page, path in [(anonymous, "/"), (anonymous, "/login"), (organiser, "/saisie/handball-men")]:
        page.goto(f"{server}{path}")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        stops += [(path, stop) for stop in tab_through(page)]
    faint = [
        (path, s["tag"], s["name"], s["ring"], colour, round(contrast(s["ring"], colour), 2))
        for path, s in stops
        for colour in s["under"]
        if contrast(s["ring"], colour) < 3
    ]
    assert faint == []
    assert [(path, s["tag"], s["name"]) for path, s in stops if s["ring_style"] != "solid" or s["ring_width"] < 2] == []
    assert all(s["under"] for _, s in stops)  # every ring was measured against something
    # inputs, buttons and links, in the header (dark blue) and on the page (white) alike
    seen = {(s["tag"], colour) for _, s in stops for colour in s["under"]}
    for wanted in [("A", "rgb(11, 79, 138)"), ("A", "rgb(255, 255, 255)"), ("BUTTON", "rgb(11, 79, 138)")]:
        assert wanted in seen
    assert {"INPUT", "BUTTON", "SUMMARY"} <= {tag for tag, colour in seen if colour == "rgb(255, 255, 255)"}
    anonymous.context.close()
    organiser.context.close()


@pytest.mark.parametrize("width, height", [(390, 844), (360, 640)])
def test_tabbing_through_the_entry_form_never_hides_a_field_under_the_save_bar(server, browser, width, height):
    page = login_organiser(browser, server)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server}/saisie/handball-men")
    # every fold open ("More places", joint teams): all the form's fields can take the focus
    page.evaluate("document.querySelectorAll('form.entry details').forEach(d => { d.open = true; })")
    stops = [s for s in tab_through(page) if s["in_form"]]
    hidden = [
        (s["name"], [round(bottom + s["reach"]) for _, bottom in s["boxes"]], round(s["bar_top"]))
        for s in stops
        if not s["in_bar"] and any(top < 0 or bottom + s["reach"] > s["bar_top"] for top, bottom in s["boxes"])
    ]
    assert hidden == []
    # the walk went through every place (a radio group each), its joint-team choices and the save buttons
    names = [s["name"] for s in stops]
    assert [n for n in names if re.fullmatch(r"r\d+-none", n)] == [f"r{k}-none" for k in range(1, 6)]
    assert sum(1 for n in names if n.startswith("p5-")) == 5
    assert [s["tag"] for s in stops if s["in_bar"]] == ["BUTTON", "BUTTON"]
    page.context.close()
