from flask import current_app
from flask_login import current_user, login_required

from networkapp.http import UPLOAD_ATTRIBUTE, accepts_uploads
from networkapp.pagination import PageArgsSchema
from networkapp.profiles import bp, career, media, search, services, views
from networkapp.profiles.schemas import (
    EducationInputSchema,
    EducationSchema,
    EducationUpdateSchema,
    ExperienceInputSchema,
    ExperienceSchema,
    ExperienceUpdateSchema,
    MediaPageSchema,
    MediaSchema,
    MediaUploadSchema,
    PhotoResultSchema,
    ProfileSchema,
    ProfileUpdateSchema,
    ProjectInputSchema,
    ProjectPageSchema,
    ProjectSchema,
    ProjectUpdateSchema,
    SearchArgsSchema,
    SearchPageSchema,
    ViewerPageSchema,
)


@bp.url_value_preprocessor
def upload_limits(endpoint, values):
    """Upload views take bodies above the JSON limit, up to the media limit.

    URL value preprocessors run before every ``before_request`` hook, and the
    CSRF check (one of those) already reads the form, so the limit must be
    set here rather than in the view.
    """
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is not None and getattr(view, UPLOAD_ATTRIBUTE, False):
        media.allow_upload_body()


@bp.route("/search")
@bp.arguments(SearchArgsSchema, location="query")
@bp.response(200, SearchPageSchema)
@bp.problems(400, 422)
def search_profiles(args):
    """Find people by name, headline, skills and bio, with filters"""
    items, next_cursor = search.search(current_user, **args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:user_id>")
@bp.response(200, ProfileSchema)
@bp.problems(404)
def get_profile(user_id):
    """A profile, as much of it as privacy lets the caller see (counts a view)"""
    return services.read(current_user, user_id)


@bp.route("/<uuid:user_id>", methods=["PUT"])
@login_required
@bp.arguments(ProfileUpdateSchema)
@bp.response(200, ProfileSchema)
@bp.problems(401, 403, 404, 415, 422)
def update_profile(data, user_id):
    """Change my profile: the fields given, lists given replace the whole section"""
    return services.update(current_user, user_id, data)


@bp.route("/<uuid:user_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_profile(user_id):
    """Delete my account and its personal data, and sign out"""
    services.delete_account(current_user, user_id)
    return ""


@bp.route("/<uuid:user_id>/viewers")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, ViewerPageSchema)
@bp.problems(400, 401, 403)
def profile_viewers(args, user_id):
    """Who viewed my profile in the last 90 days, newest first"""
    items, next_cursor = views.viewers(current_user, user_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor, "total_views": current_user.profile_views}


def _section_routes(section: str, noun: str, create_schema, update_schema, item_schema) -> None:
    @bp.route(f"/<uuid:user_id>/{section}", methods=["POST"], endpoint=f"create_{section}")
    @login_required
    @bp.arguments(create_schema)
    @bp.response(201, item_schema)
    @bp.problems(401, 403, 404, 415, 422)
    @bp.doc(summary=f"Add {noun} to my profile")
    def create(data, user_id):
        return career.create(current_user, section, user_id, data), 201

    @bp.route(f"/<uuid:user_id>/{section}/<uuid:item_id>", methods=["PUT"], endpoint=f"update_{section}")
    @login_required
    @bp.arguments(update_schema)
    @bp.response(200, item_schema)
    @bp.problems(401, 403, 404, 415, 422)
    @bp.doc(summary=f"Change {noun} on my profile")
    def update(data, user_id, item_id):
        return career.update(current_user, section, user_id, item_id, data)

    @bp.route(f"/<uuid:user_id>/{section}/<uuid:item_id>", methods=["DELETE"], endpoint=f"delete_{section}")
    @login_required
    @bp.response(204)
    @bp.problems(401, 403, 404)
    @bp.doc(summary=f"Remove {noun} from my profile")
    def delete(user_id, item_id):
        career.delete(current_user, section, user_id, item_id)
        return ""


_section_routes("experience", "a position", ExperienceInputSchema, ExperienceUpdateSchema, ExperienceSchema)
_section_routes("education", "an education entry", EducationInputSchema, EducationUpdateSchema, EducationSchema)
_section_routes("projects", "a portfolio project", ProjectInputSchema, ProjectUpdateSchema, ProjectSchema)


@bp.route("/<uuid:user_id>/projects")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, ProjectPageSchema)
@bp.problems(400, 404)
def list_projects(args, user_id):
    """A person's portfolio projects, newest first (their full profile must be visible)"""
    return career.project_page(current_user, user_id, limit=args["limit"], cursor=args["cursor"])


@bp.route("/<uuid:user_id>/media", methods=["POST"])
@accepts_uploads
@login_required
@bp.arguments(MediaUploadSchema, location="files")
@bp.response(201, MediaSchema)
@bp.problems(401, 403, 404, 413, 415, 422)
def upload_media(files, user_id):
    """Add an image (JPEG, PNG, WebP, GIF) or PDF to my gallery"""
    return media.dump(media.upload(current_user, user_id, files["file"], None)), 201


@bp.route("/<uuid:user_id>/media")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, MediaPageSchema)
@bp.problems(400, 404)
def list_media(args, user_id):
    """A person's media gallery, newest first (their full profile must be visible)"""
    items, next_cursor = media.gallery(current_user, user_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:user_id>/photo", methods=["POST"])
@accepts_uploads
@login_required
@bp.arguments(MediaUploadSchema, location="files")
@bp.response(200, PhotoResultSchema)
@bp.problems(401, 403, 404, 413, 415, 422)
def upload_photo(files, user_id):
    """Set my profile photo (JPEG, PNG, WebP or GIF)"""
    photo = media.set_photo(current_user, user_id, files["file"])
    return {"media": media.dump(photo), "profile_image_url": current_user.profile_image_url}
