from networkapp.skills import bp, services
from networkapp.skills.schemas import CategoryPageSchema, SkillArgsSchema, SkillPageSchema


@bp.route("")
@bp.arguments(SkillArgsSchema, location="query")
@bp.response(200, SkillPageSchema)
@bp.problems(400, 422)
def list_skills(args):
    """The skills catalogue, by name; q matches part of the name"""
    items, next_cursor = services.catalogue(**args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/categories")
@bp.response(200, CategoryPageSchema)
def list_categories():
    """Skill categories with the number of skills in each"""
    return {"items": services.categories(), "next_cursor": None}
