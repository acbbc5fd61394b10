import uuid

from flask_login import current_user, login_required

from networkapp.http import calendar_response
from networkapp.idempotency import idempotent
from networkapp.jobs import alerts, analytics, applications, bp, insights, recommendations, services, talent
from networkapp.jobs.schemas import (
    AlertListSchema,
    AlertSchema,
    AlertUpdateSchema,
    AlertWriteSchema,
    ApplicantApplicationPageSchema,
    ApplicationSchema,
    ApplySchema,
    CloseArgsSchema,
    InsightArgsSchema,
    InsightSchema,
    JobAnalyticsSchema,
    JobApplicationArgsSchema,
    JobArgsSchema,
    JobDetailSchema,
    JobPageSchema,
    JobSchema,
    JobUpdateSchema,
    JobWriteSchema,
    MyApplicationArgsSchema,
    MyApplicationPageSchema,
    RecommendedArgsSchema,
    RecommendedListSchema,
    SeekerAnalyticsSchema,
    StatusUpdateSchema,
    TalentArgsSchema,
    TalentPageSchema,
)

# --- postings -------------------------------------------------------------------------


@bp.route("/jobs")
@bp.arguments(JobArgsSchema, location="query")
@bp.response(200, JobPageSchema)
@bp.problems(400, 422)
def list_jobs(args):
    """Open job postings: full-text search and filters, newest or most relevant first"""
    items, next_cursor = services.listing(current_user, args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/jobs", methods=["POST"])
@login_required
@idempotent
@bp.arguments(JobWriteSchema)
@bp.response(201, JobSchema)
@bp.problems(401, 403, 415, 422)
def create_job(data):
    """Post a job"""
    return services.create(current_user, data), 201


@bp.route("/jobs/<uuid:job_id>")
@bp.response(200, JobDetailSchema)
@bp.problems(404)
def get_job(job_id: uuid.UUID):
    """A job posting with its company, my application status, and (for its poster) the applicant count"""
    return services.detail(job_id, current_user)


@bp.route("/jobs/<uuid:job_id>", methods=["PUT"])
@login_required
@bp.arguments(JobUpdateSchema)
@bp.response(200, JobSchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def update_job(data, job_id: uuid.UUID):
    """Change a job posting (poster only)"""
    return services.update(current_user, job_id, data)


@bp.route("/jobs/<uuid:job_id>", methods=["DELETE"])
@login_required
@bp.arguments(CloseArgsSchema, location="query", arg_name="query")
@bp.arguments(CloseArgsSchema, location="json", arg_name="body")
@bp.response(204)
@bp.problems(401, 403, 404, 409, 415, 422)
def close_job(job_id: uuid.UUID, query: dict, body: dict):
    """Close a job posting (poster only); applications and their history stay"""
    reason = body.get("reason") or query.get("reason")
    services.close(current_user, job_id, reason)
    return "", 204


# --- applications -------------------------------------------------------------------------


@bp.route("/jobs/<uuid:job_id>/apply", methods=["POST"])
@login_required
@idempotent
@bp.arguments(ApplySchema)
@bp.response(201, ApplicationSchema)
@bp.problems(401, 404, 409, 415, 422)
def apply(data, job_id: uuid.UUID):
    """Apply to a job (once per job)"""
    return applications.apply(current_user, job_id, data), 201


@bp.route("/jobs/<uuid:job_id>/applications")
@login_required
@bp.arguments(JobApplicationArgsSchema, location="query")
@bp.response(200, ApplicantApplicationPageSchema)
@bp.problems(400, 401, 403, 404, 422)
def job_applications(args, job_id: uuid.UUID):
    """Applications to one of my postings, with the full history and my notes"""
    items, next_cursor = applications.for_job(current_user, job_id, args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/applications")
@login_required
@bp.arguments(MyApplicationArgsSchema, location="query")
@bp.response(200, MyApplicationPageSchema)
@bp.problems(400, 401, 422)
def my_applications(args):
    """My applications, newest first, with job summaries and status history"""
    items, next_cursor = applications.mine(current_user, args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/applications/<uuid:application_id>", methods=["PUT"])
@login_required
@bp.arguments(StatusUpdateSchema)
@bp.response(200, ApplicationSchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def move_application(data, application_id: uuid.UUID):
    """Move an application along the pipeline (the job's poster only)"""
    return applications.move(current_user, application_id, data["status"], data.get("note"), interview=data)


@bp.route("/applications/<uuid:application_id>/interview.ics")
@login_required
@bp.response(200, content_type="text/calendar")
@bp.problems(401, 404)
def interview_calendar(application_id: uuid.UUID):
    """The scheduled interview as an iCalendar file (applicant and poster)"""
    return calendar_response(
        applications.interview_ics(current_user, application_id), f"interview-{application_id}.ics"
    )


@bp.route("/applications/<uuid:application_id>/withdraw", methods=["POST"])
@login_required
@bp.response(200, ApplicationSchema)
@bp.problems(401, 403, 404, 409)
def withdraw_application(application_id: uuid.UUID):
    """Withdraw my application"""
    return applications.withdraw(current_user, application_id)


@bp.route("/applications/analytics")
@login_required
@bp.response(200, SeekerAnalyticsSchema)
@bp.problems(401)
def seeker_analytics():
    """How my applications fare: counts by status, response rate, time to first response"""
    return analytics.seeker(current_user)


@bp.route("/jobs/<uuid:job_id>/analytics")
@login_required
@bp.response(200, JobAnalyticsSchema)
@bp.problems(401, 403, 404)
def job_analytics(job_id: uuid.UUID):
    """A posting's funnel by stage and time in stage (poster only)"""
    return analytics.job_funnel(current_user, job_id)


# --- alerts ----------------------------------------------------------------------------------


@bp.route("/jobs/alerts")
@login_required
@bp.response(200, AlertListSchema)
@bp.problems(401)
def list_alerts():
    """My job alerts"""
    return {"items": alerts.list_alerts(current_user), "next_cursor": None, "limit": alerts.MAX_ALERTS_PER_USER}


@bp.route("/jobs/alerts", methods=["POST"])
@login_required
@bp.arguments(AlertWriteSchema)
@bp.response(201, AlertSchema)
@bp.problems(401, 409, 415, 422)
def create_alert(data):
    """Save a search that notifies me of new matching jobs (at most 10)"""
    return alerts.create(current_user, data), 201


@bp.route("/jobs/alerts/<uuid:alert_id>", methods=["PUT"])
@login_required
@bp.arguments(AlertUpdateSchema)
@bp.response(200, AlertSchema)
@bp.problems(401, 404, 415, 422)
def update_alert(data, alert_id: uuid.UUID):
    """Change one of my job alerts"""
    return alerts.update(current_user, alert_id, data)


@bp.route("/jobs/alerts/<uuid:alert_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 404)
def delete_alert(alert_id: uuid.UUID):
    """Delete one of my job alerts"""
    alerts.delete(current_user, alert_id)
    return "", 204


# --- insights, recommendations, talent ------------------------------------------------------------


@bp.route("/jobs/salary-insights")
@bp.arguments(InsightArgsSchema, location="query")
@bp.response(200, InsightSchema)
@bp.problems(422)
def salary_insights(args):
    """Yearly salary median and quartiles of comparable postings (withheld for groups under 5)"""
    return insights.salary_insights(args)


@bp.route("/jobs/recommended")
@login_required
@bp.arguments(RecommendedArgsSchema, location="query")
@bp.response(200, RecommendedListSchema)
@bp.problems(401, 422)
def recommended_jobs(args):
    """Open jobs ranked by how well they match my profile, with reasons"""
    return {"items": recommendations.recommended(current_user, args["limit"]), "next_cursor": None}


@bp.route("/talent/search")
@login_required
@bp.arguments(TalentArgsSchema, location="query")
@bp.response(200, TalentPageSchema)
@bp.problems(400, 401, 422)
def talent_search(args):
    """People open to work, by skills, location, industry and years of experience (privacy respected)"""
    items, next_cursor = talent.search(current_user, args)
    return {"items": items, "next_cursor": next_cursor}
