from flask import current_app, g, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from networkapp.auth import bp, services
from networkapp.auth.schemas import CsrfSchema, LoginSchema, PasswordChangeSchema, RegisterSchema, SelfUserSchema
from networkapp.database import reads_first
from networkapp.extensions import limiter


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
@bp.arguments(LoginSchema)
@bp.response(200, SelfUserSchema)
@bp.problems(401, 415, 429)
def login(data):
    """Sign in with a username or e-mail address"""
    identity = data.get("username") or data["email"]
    user = services.login(identity=identity, password=data["password"], address=get_remote_address())
    return services.self_view(user), 200, _csrf_header()


@bp.route("/logout", methods=["POST"])
@login_required
@bp.response(204)
@bp.problems(401)
def logout():
    """Sign out; the session cookie stops working everywhere it was copied"""
    services.logout(current_user._get_current_object())
    return "", 204, _csrf_header()


@bp.route("/password", methods=["POST"])
@login_required
@reads_first
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.problems(401, 403, 415, 422, 429)
def change_password(data):
    """Change my password; every other session of mine is signed out"""
    services.change_password(current_user._get_current_object(), **data, address=get_remote_address())
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
