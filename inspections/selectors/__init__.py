"""Read queries of measure 3, one module per part of the app (``selectors/<part>.py``)."""
