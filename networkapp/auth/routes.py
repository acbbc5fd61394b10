from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from networkapp.auth import bp, services
from networkapp.auth.schemas import CsrfSchema, LoginSchema, PasswordChangeSchema, RegisterSchema, SelfUserSchema
from networkapp.database import reads_first
from networkapp.extensions import limiter


def _login_identity() -> str:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return "login:?"
    identity = body.get("username") or body.get("email") or ""
    return f"login-account:{str(identity).strip().lower()[:254]}"


def _failed(response) -> bool:
    return response.status_code == 401


def _csrf_header() -> dict:
    return {"X-CSRF-Token": generate_csrf()}


@bp.route("/register", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], key_func=get_remote_address)
@bp.arguments(RegisterSchema)
@bp.response(201, SelfUserSchema)
@bp.problems(409, 415)
def register(data):
    """Create an account and sign in"""
    user = services.register(**data)
    return services.self_view(user), 201, _csrf_header()


@bp.route("/login", methods=["POST"])
@reads_first
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_FAILURES"], key_func=get_remote_address, deduct_when=_failed)
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_FAILURES"], key_func=_login_identity, deduct_when=_failed)
@bp.arguments(LoginSchema)
@bp.response(200, SelfUserSchema)
@bp.problems(401, 415, 429)
def login(data):
    """Sign in with a username or e-mail address"""
    user = services.login(identity=data.get("username") or data["email"], password=data["password"])
    return services.self_view(user), 200, _csrf_header()


@bp.route("/logout", methods=["POST"])
@login_required
@bp.response(204)
@bp.problems(401)
def logout():
    """Sign out; the session cookie stops working everywhere it was copied"""
    services.logout(current_user._get_current_object())
    return "", 204, _csrf_header()


def _password_account() -> str:
    return f"password-account:{current_user.id}" if current_user.is_authenticated else "password-account:?"


def _wrong_password(response) -> bool:
    return bool(g.get("wrong_password"))


@bp.route("/password", methods=["POST"])
@login_required
@reads_first
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_FAILURES"], key_func=get_remote_address, deduct_when=_wrong_password
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_FAILURES"], key_func=_password_account, deduct_when=_wrong_password
)
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.problems(401, 403, 415, 422, 429)
def change_password(data):
    """Change my password; every other session of mine is signed out"""
    try:
        services.change_password(current_user._get_current_object(), **data)
    except services.WrongPassword:
        g.wrong_password = True
        raise
    # The token is bound to the session; a new one marks the change for the SPA like a login does.
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    return "", 204, _csrf_header()


@bp.route("/user")
@login_required
@bp.response(200, SelfUserSchema)
@bp.problems(401)
def me():
    """The signed-in user with profile completion and network statistics"""
    return services.self_view(current_user)


@bp.route("/csrf")
@bp.response(200, CsrfSchema)
def csrf_token():
    """A CSRF token to send as X-CSRF-Token on unsafe requests"""
    return {"csrf_token": generate_csrf()}, 200, {"Cache-Control": "no-store"}
