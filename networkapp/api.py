"""flask-smorest wiring: one Api whose documented error shape is problem+json."""

import http

import marshmallow as ma
from flask_smorest import Api as _SmorestApi
from flask_smorest import Blueprint as _SmorestBlueprint
from flask_smorest.utils import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

PROBLEM_MIME = "application/problem+json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())


class Api(_SmorestApi):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # networkapp.errors owns every error response.
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_MIME)
            else:
                prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class ArgumentsParser(FlaskParser):
    """Reads JSON bodies through ``request.get_json()``, so schemas see what ``networkapp.http.parse_json`` parsed."""

    def _raw_load_json(self, req):
        if not is_json_request(req) or not req.get_data(cache=True):
            return core.missing
        try:
            return req.get_json()
        except BadRequest as error:
            self._handle_invalid_json_error(error, req)


class Blueprint(_SmorestBlueprint):
    """A blueprint whose views can document the problem responses they return."""

    ARGUMENTS_PARSER = ArgumentsParser()

    def problems(self, *statuses: int):
        """Document problem+json responses for ``statuses`` on a view."""

        def decorator(view):
            for status in statuses:
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
            return view

        return decorator
