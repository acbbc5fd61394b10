"""networkapp: the backend of a professional networking platform."""

from __future__ import annotations

import os

from flask import Flask

from config import CONFIGS


def create_app(config_name: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config_name)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_socketio(app)
    return app


def load_config(app: Flask, config_name: str | None) -> None:
    name = config_name or os.environ.get("APP_ENV") or "development"
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)} (got {name!r})")
    app.config.from_object(CONFIGS[name]())
    if name == "production":
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set when APP_ENV=production; refusing to start.")
        app.config["DEBUG"] = False
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.join(app.instance_path, 'networkapp.db')}"


def register_extensions(app: Flask) -> None:
    from networkapp import database
    from networkapp.extensions import api, cors, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            database.configure_sqlite(db.engine)
    database.install_session_hooks(db.session.session_factory)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, include_object=database.include_object)
    login_manager.init_app(app)
    csrf.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        supports_credentials=True,
        allow_headers=["Content-Type", "X-CSRF-Token", "Idempotency-Key"],
        expose_headers=["X-CSRF-Token", "Retry-After", "Idempotent-Replayed"],
        max_age=600,
        always_send=False,
    )
    limiter.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "cookieAuth", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]}
    )
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1)

    # Importing the auth package registers the Flask-Login user loader.
    from networkapp.auth import sessions  # noqa: F401


def register_request_hooks(app: Flask) -> None:
    from networkapp import http

    http.register(app)


def register_blueprints(app: Flask) -> None:
    from networkapp import health
    from networkapp.auth import bp as auth_bp
    from networkapp.events import bp as events_bp
    from networkapp.extensions import api
    from networkapp.groups import bp as groups_bp
    from networkapp.mentorship import bp as mentorship_bp
    from networkapp.mentorship import career_bp
    from networkapp.notifications import bp as notifications_bp

    for blueprint in (health.bp, auth_bp, notifications_bp, groups_bp, events_bp, mentorship_bp, career_bp):
        api.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from networkapp.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from networkapp import cli

    cli.register(app)


def register_socketio(app: Flask) -> None:
    from networkapp.extensions import socketio

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=app.config["CORS_ORIGINS"],
        cors_credentials=True,
        message_queue=app.config["REDIS_URL"],
        manage_session=False,
    )
