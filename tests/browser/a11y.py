"""Accessibility checks run inside a real page: axe-core (vendored), target sizes, reflow.

``with_axe(context)`` adds the vendored axe-core to every document of a browser context as an
init script (the DevTools protocol, not a ``<script>`` tag), so the site's strict CSP stays as it
is and is exercised; ``axe_violations(page, url_name)`` runs it. Rules: the WCAG 2.0/2.1 A and AA
tags, and 2.2 AA (its one rule, target-size, 2.5.8).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Narrow, written-down exclusions: (URL name, axe rule id, CSS selector of the node, reason).
# Swagger UI (third-party, vendored through drf-spectacular-sidecar) draws /api/docs/.
EXCLUSIONS: list[tuple[str, str, str, str]] = []


@cache
def axe_source() -> str:
    data = (VENDOR / "axe.min.js").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != AXE_SHA256:  # pragma: no cover - a changed file must be a deliberate upgrade
        raise RuntimeError(f"vendored axe.min.js changed (sha256 {digest}); see its README")
    return data.decode()


def with_axe(context: Any) -> Any:
    context.add_init_script(script=axe_source())
    return context


def axe_violations(page: Any, url_name: str) -> list[str]:
    """axe's violations on the page as it is now, one line per rule and node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;true")  # a page opened without with_axe()
    results = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                       summary: (n.failureSummary || '').slice(0, 300)}))}));
        }""",
        AXE_TAGS,
    )
    found = []
    for violation in results:
        for node in violation["nodes"]:
            if any(
                name == url_name and rule == violation["id"] and selector in node["target"]
                for name, rule, selector, _ in EXCLUSIONS
            ):
                continue
            found.append(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']} — "
                f"{node['target']}: {node['summary']}"
            )
    return found


# Interactive elements smaller than 24×24 CSS px (WCAG 2.5.8, stricter than axe's target-size:
# no spacing exception). Exempt: links inside a sentence (display inline, with other text in
# the same block), the skip link (off-screen until focused), hidden elements and those of zero
# width or height (nothing to tap: Swagger UI's copy button until its row is hovered/focused).
SMALL_TARGETS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary,' +
              ' [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
  const inSentence = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    const own = (el.textContent || '').trim().length;
    return block && (block.textContent || '').trim().length > own;
  };
  return [...document.querySelectorAll(sel)]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter(el => !el.classList.contains('skip-link') && !inSentence(el))
    .filter(el => { const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24); })
    .map(el => { const r = el.getBoundingClientRect();
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
        ` "${(el.textContent || el.name || el.getAttribute('aria-label') || '').trim()
          .slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`; });
}"""

NO_SIDEWAYS_SCROLL = (
    "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)
