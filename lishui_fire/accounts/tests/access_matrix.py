"""Access matrix rows of the accounts app (tests/harness/matrix.py explains the table).

Columns, in ``tests.personas.PERSONAS`` order:
owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD), chief
(detachment), administrator, legal_officer, discipline_officer, anonymous.
"""

from tests.harness.matrix import AdminGroup, Row

EVERYONE = "ok ok ok ok ok ok ok ok ok ok"
SIGNED_IN = "ok ok ok ok ok ok ok ok ok login"
API_SIGNED_IN = "ok ok ok ok ok ok ok ok ok 401"
# One's own token: its owner revokes it; anyone else's is 404 (never "it exists").
OWN_TOKEN_PAGE = "ok 404 404 404 404 404 404 404 404 login"
OWN_TOKEN_API = "ok 404 404 404 404 404 404 404 404 401"


def world(personas):
    from lishui_fire.accounts import tokens

    owner = personas["owner"]
    return {
        "owner_token_page": tokens.issue(owner),
        "owner_token_api": tokens.issue(owner),
    }


PASSWORD = "lishui-matrix-2026!"  # tests/harness/test_access_matrix.py gives it to every persona

ROWS = [
    # Signing in and out: open to everyone (the signed in are sent to their landing page).
    Row("accounts:login", "GET", EVERYONE),
    Row("accounts:login", "POST", EVERYONE, data={"username": "nobody", "password": "wrong"}),
    Row("accounts:logout", "POST", EVERYONE),
    Row("accounts:register", "GET", EVERYONE),
    Row("accounts:register", "POST", EVERYONE),
    Row("accounts:register_confirm", "GET", EVERYONE),
    Row("accounts:register_confirm", "POST", EVERYONE, data={"code": "000000"}),
    Row("accounts:home", "GET", SIGNED_IN),
    Row("accounts:home", "POST", SIGNED_IN),
    Row("accounts:password_change", "GET", SIGNED_IN),
    Row("accounts:password_change", "POST", SIGNED_IN),
    Row("accounts:password_change_done", "GET", SIGNED_IN),
    Row("accounts:password_reset", "GET", EVERYONE),
    Row("accounts:password_reset", "POST", EVERYONE, data={"email": "nobody@example.org"}),
    Row("accounts:password_reset_done", "GET", EVERYONE),
    # A wrong link shows "invalid link" to anyone: the token is the secret.
    Row("accounts:password_reset_confirm", "GET", EVERYONE, uidb64="MQ", token="set-password"),
    Row("accounts:password_reset_confirm", "POST", EVERYONE, uidb64="MQ", token="set-password"),
    Row("accounts:password_reset_complete", "GET", EVERYONE),
    Row("set_language", "GET", EVERYONE),
    Row("set_language", "POST", EVERYONE, data={"language": "en", "next": "/"}),
    # The API's own token: whoever knows the password (the owner's here) gets it.
    Row(
        "api-token",
        "POST",
        EVERYONE,
        data=lambda world: {"username": world["personas"]["owner"].username, "password": PASSWORD},
    ),
    # My API tokens (ADR 0023): everyone signed in sees and revokes their own.
    Row("accounts:tokens", "GET", SIGNED_IN),
    Row("accounts:token_revoke", "POST", OWN_TOKEN_PAGE, pk="@owner_token_page"),
    Row("api-my-tokens", "GET", API_SIGNED_IN),
    Row("api-my-token-revoke", "POST", OWN_TOKEN_API, pk="@owner_token_api"),
    Row("api-logout", "POST", API_SIGNED_IN),
    Row("api-schema", "GET", EVERYONE),
    Row("api-docs", "GET", EVERYONE),
]

# The Django admin: administrators only; everyone else is sent to the admin's own sign-in form.
ADMIN = [AdminGroup("login login login login login login ok login login login")]
