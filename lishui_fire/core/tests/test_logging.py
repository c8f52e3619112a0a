"""The server log: one line per refused request, a traceback only for real errors."""

from __future__ import annotations

import logging
import logging.config

import pytest
from django.conf import settings


@pytest.fixture
def captured(tmp_path):
    """The project's LOGGING, with the console handler writing to a file we can read."""
    config = {**settings.LOGGING}
    config["handlers"] = {
        "console": {
            **settings.LOGGING["handlers"]["console"],
            "class": "logging.FileHandler",
            "filename": str(tmp_path / "log.txt"),
        }
    }
    logging.config.dictConfig(config)
    yield lambda: (tmp_path / "log.txt").read_text(encoding="utf-8")
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_refused_request_is_one_line_without_traceback(client, make_user, captured):
    inspector = make_user("inspector")
    client.force_login(inspector)
    assert client.get("/permits/apply/").status_code == 403  # applicants only
    text = captured()
    assert text.count("Forbidden") == 1
    assert "Traceback" not in text


def test_an_error_keeps_its_traceback(captured):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True)
    text = captured()
    assert "Traceback" in text
    assert "RuntimeError: boom" in text
