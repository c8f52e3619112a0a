"""Settings of `make mutation`: the test settings with an SQLite test database in a file.

mutmut runs a fresh pytest session for every mutant; with the default in-memory test database
each one would run every migration again. A file kept between sessions (``--reuse-db``, already
in pytest's addopts) is migrated once, in the first session. It lives under mutants/, the copy
mutmut works in, so it never touches anyone's database.
"""

from lishui_fire.settings import *  # noqa: F403
from lishui_fire.settings import BASE_DIR, DATABASES

DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "mutation-test.sqlite3")}
