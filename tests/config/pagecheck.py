"""What a finished page must satisfy in a real browser, checked on one open page.

`PageWatch` listens to a Playwright page from before its first navigation and, for each
page visited, lists what is wrong: the page is wider than the window, links, buttons or
fields cover one another, a column's heading is centred over its cells, the console logged
an error, the Content Security Policy refused something, or axe-core found a serious or
critical accessibility violation. The policy stays enforced: axe and the CSP listener are
init scripts, which the browser runs outside the page's CSP (as DevTools would), never
an inline `<script>`; so the same visit that runs axe also proves the page needs no CSP
exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

# axe-core comes from npm, pinned in package-lock.json (a new version may add rules).
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ["serious", "critical"]

# Runs in every document before the page's own scripts, and records the policy's refusals.
_LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}` +
    (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : "")
  );
});
"""

_RUN_AXE = """
async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      more: Math.max(0, v.nodes.length - 5),
    }));
}
"""

_OVERFLOW = """
() => {
  const edge = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= edge) return null;
  // What to fix: the outermost visible boxes, or runs of text, past the right edge that
  // no scrolling box clips. An absolutely positioned box (an .sr-only label, say) escapes
  // a scrolling ancestor that is not positioned, so clipping follows containing blocks.
  const clipped = (el) => {
    let position = getComputedStyle(el).position;
    if (position === "fixed") return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (position === "absolute" && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      position = style.position;
    }
    return false;
  };
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].slice(0, 4).map((c) => "." + c).join("");
  const sticking = [...document.body.querySelectorAll("*")].filter(
    (el) => el.getBoundingClientRect().right > edge && el.checkVisibility() && !clipped(el)
  );
  const outermost = sticking.filter((el) => !sticking.some((o) => o !== el && o.contains(el)));
  const culprits = outermost.map(
    (el) => `${describe(el)} ends at ${Math.round(el.getBoundingClientRect().right)}px`
  );
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const box = node.parentElement;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > edge && box.getBoundingClientRect().right <= edge && box.checkVisibility() &&
        getComputedStyle(box).overflowX === "visible" && !clipped(box)) {
      const text = node.textContent.trim().slice(0, 40);
      culprits.push(`text "${text}" in ${describe(box)} ends at ${Math.round(right)}px`);
    }
  }
  return `${width}px wide in a ${edge}px window: ` + (culprits.slice(0, 3).join("; ") || "?");
}
"""

# Links, buttons and fields that cover one another (the product's name under "Sign in"
# when a translation is longer): the page is no wider, but a tap may hit the wrong one.
_CONTROL_OVERLAPS = r"""
() => {
  const selector = "a, button, summary, input:not([type=hidden]), select, textarea";
  const controls = [...document.querySelectorAll(selector)]
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().width > 1);
  const name = (el) =>
    `${el.tagName.toLowerCase()} "${el.innerText.replace(/\s+/g, " ").trim().slice(0, 30)}"`;
  const found = [];
  // A tab strip's arrow lies over its own fade on purpose: the tab under it has faded
  // out there (both are 2.5rem), and the arrow brings it in.
  const overFade = (a, b) => a.matches(".tabs-arrow") && a.parentElement.contains(b);
  controls.forEach((a, i) => controls.slice(i + 1).forEach((b) => {
    if (a.contains(b) || b.contains(a) || overFade(a, b) || overFade(b, a)) return;
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const across = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const down = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (across > 0.5 && down > 0.5) {
      found.push(`${name(a)} and ${name(b)} by ${Math.round(across)}px`);
    }
  }));
  return found;
}
"""

# A column's heading over its cells: a `th` keeps the browser's centring unless a class
# says otherwise (`.table th` does), and then sits off to the side of a start-aligned
# column.
_CENTRED_HEADINGS = r"""
() => [...document.querySelectorAll("thead th")]
  .filter((th) => th.checkVisibility() && th.innerText.trim()
    && getComputedStyle(th).textAlign.includes("center"))
  .map((th) => `"${th.innerText.replace(/\s+/g, " ").trim().slice(0, 30)}"`)
"""

# An ARIA or label reference to an id no element has: a screen reader reads nothing
# for it, and axe only lists it "to review". A walk found the invite form's teams
# pointing at help text that was never rendered.
_DANGLING_REFERENCES = r"""
() => {
  const found = [];
  const attrs = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"];
  for (const attr of attrs) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) found.push(`${el.tagName.toLowerCase()} ${attr}="${id}"`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) found.push(`label for="${label.htmlFor}"`);
  }
  return found;
}
"""

_OPEN_MENUS = "() => document.querySelectorAll('details').forEach((d) => (d.open = true))"


@dataclass
class PageWatch:
    """Attach to a page once (`PageWatch.attach(page)`), then `check(url)` each page."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)  # (message, its URL)

    @classmethod
    def attach(cls, page: Any) -> PageWatch:
        watch = cls(page)
        page.add_init_script(_LISTEN_FOR_CSP)
        page.add_init_script(path=AXE_PATH)
        page.on("console", watch._on_console)
        page.on("pageerror", lambda error: watch.console.append((f"uncaught: {error}", "")))
        return watch

    def _on_console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            self.console.append((f"console {message.type}: {text}", message.location["url"]))

    def check(self, url: str, *, status: int = 200) -> list[str]:
        """Open `url` (expected to answer `status`) and list every problem found, then
        again with every disclosure menu open (their contents count too)."""
        self.console.clear()
        response = self.page.goto(url)
        problems: list[str] = []
        if response is None or response.status != status:
            got = response.status if response else "no response"
            problems.append(f"answered {got}, expected {status} (now at {self.page.url})")
        return self._problems(response, status, problems)

    def check_here(self) -> list[str]:
        """The same checks on the page as it is, without opening it again: one reached by
        a click whose content a second visit would change (a notice shown once). Console
        errors count since the last check."""
        return self._problems(None, 200, [])

    def _problems(self, response: Any, status: int, problems: list[str]) -> list[str]:
        if overflow := self.page.evaluate(_OVERFLOW):
            problems.append(f"horizontal overflow: {overflow}")
        problems += [f"overlap: {pair}" for pair in self.page.evaluate(_CONTROL_OVERLAPS)]
        problems += [
            f"column heading centred over its cells: {th}"
            for th in self.page.evaluate(_CENTRED_HEADINGS)
        ]
        problems += [
            f"reference to a missing id: {ref}" for ref in self.page.evaluate(_DANGLING_REFERENCES)
        ]
        self.page.evaluate(_OPEN_MENUS)
        if not problems and (overflow := self.page.evaluate(_OVERFLOW)):
            problems.append(f"horizontal overflow with the menus open: {overflow}")
        problems += [f"CSP: {v}" for v in self.page.evaluate("window.__cspViolations")]
        problems += [
            line
            for line, source in self.console
            # Chromium logs any 4xx/5xx document as an error: an expected 403 is no fault.
            if not (response and source == response.url and f"status of {status}" in line)
        ]
        problems += [
            f"axe {v['impact']} {v['id']} ({v['help']}): {', '.join(v['targets'])}"
            + (f" and {v['more']} more" if v["more"] else "")
            for v in self.axe()
        ]
        return problems

    def axe(self) -> list[dict[str, Any]]:
        """Serious and critical axe-core violations of the page as it is now."""
        return self.page.evaluate(_RUN_AXE, BLOCKING_IMPACTS)
