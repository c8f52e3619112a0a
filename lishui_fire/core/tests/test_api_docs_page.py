"""/api/docs/ under the site's CSP without a browser (the browser test draws it in Chromium):
no inline script for ``script-src 'self'`` to block, and the split view's script is served."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_has_no_inline_script_and_its_script_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page loads Swagger UI and its initialiser"
    for attributes, body in scripts:
        assert "src=" in attributes, f"inline script blocked by the CSP: {body[:80]!r}"
        assert not body.strip()
    sources = [re.search(r'src="([^"]+)"', a).group(1) for a, _ in scripts]
    local = [s for s in sources if s.startswith("/")]
    assert local == sources, "every script is served by the portal itself (no CDN)"
    initialiser = [s for s in sources if "script" in s and "/static/" not in s]
    assert initialiser, sources
    served = client.get(initialiser[0].replace("&amp;", "&"))
    assert served.status_code == 200
    assert "javascript" in served.headers["Content-Type"]
    assert b"SwaggerUIBundle" in served.content
