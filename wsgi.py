"""WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``; ``python wsgi.py`` for development."""

import os

from networkapp import create_app
from networkapp.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(
        app,
        host=os.environ.get("HOST", "0.0.0.0"),  # noqa: S104 - the development server listens on every interface
        port=int(os.environ.get("PORT", "5005")),
        debug=app.config["DEBUG"],
        use_reloader=False,
        allow_unsafe_werkzeug=True,
    )
