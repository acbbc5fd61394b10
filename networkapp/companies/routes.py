import uuid

from flask_login import current_user, login_required

from networkapp.companies import bp, services
from networkapp.companies.schemas import (
    AdminArgsSchema,
    AdminListSchema,
    AdminSchema,
    CompanyDetailSchema,
    CompanySchema,
    CompanyUpdateSchema,
    CompanyWriteSchema,
)


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(CompanyWriteSchema)
@bp.response(201, CompanySchema)
@bp.problems(401, 409, 415, 422)
def create_company(data):
    """Create a company page; you become its first admin"""
    return services.create(current_user, data), 201


@bp.route("/<uuid:company_id>")
@bp.response(200, CompanyDetailSchema)
@bp.problems(404)
def get_company(company_id: uuid.UUID):
    """A company page with its open jobs"""
    return services.detail(company_id, current_user)


@bp.route("/<uuid:company_id>", methods=["PUT"])
@login_required
@bp.arguments(CompanyUpdateSchema)
@bp.response(200, CompanySchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def update_company(data, company_id: uuid.UUID):
    """Change a company page (admins only)"""
    return services.update(current_user, company_id, data)


@bp.route("/<uuid:company_id>/admins")
@login_required
@bp.response(200, AdminListSchema)
@bp.problems(401, 403, 404)
def list_admins(company_id: uuid.UUID):
    """The company's admins (admins only)"""
    return {"items": services.admins(current_user, company_id), "next_cursor": None}


@bp.route("/<uuid:company_id>/admins", methods=["POST"])
@login_required
@bp.arguments(AdminArgsSchema)
@bp.response(201, AdminSchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def add_admin(data, company_id: uuid.UUID):
    """Make someone an admin of the company (admins only)"""
    return services.add_admin(current_user, company_id, data["user_id"]), 201


@bp.route("/<uuid:company_id>/admins", methods=["DELETE"])
@login_required
@bp.arguments(AdminArgsSchema)
@bp.response(204)
@bp.problems(401, 403, 404, 409, 415, 422)
def remove_admin(data, company_id: uuid.UUID):
    """Remove an admin (admins only; the last admin stays)"""
    services.remove_admin(current_user, company_id, data["user_id"])
    return "", 204


@bp.route("/<uuid:company_id>/admins/<uuid:user_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404, 409)
def remove_admin_by_path(company_id: uuid.UUID, user_id: uuid.UUID):
    """Remove an admin (admins only; the last admin stays)"""
    services.remove_admin(current_user, company_id, user_id)
    return "", 204
