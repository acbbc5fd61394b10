import marshmallow as ma


class GrowthSchema(ma.Schema):
    period = ma.fields.String(required=True, metadata={"enum": ["week", "month"]})
    start = ma.fields.Date(
        required=True, metadata={"description": "First day of the period (weeks start on Monday, UTC)"}
    )
    new_connections = ma.fields.Integer(required=True)
    total = ma.fields.Integer(
        required=True, metadata={"description": "Current connections made before the period ended"}
    )


class IndustryBreakdownSchema(ma.Schema):
    industry = ma.fields.String(allow_none=True, required=True, attribute="value")
    count = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True)


class LocationBreakdownSchema(ma.Schema):
    location = ma.fields.String(allow_none=True, required=True, attribute="value")
    count = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True)


class StrengthComponentsSchema(ma.Schema):
    size = ma.fields.Integer(required=True)
    diversity = ma.fields.Integer(required=True)
    mutual_density = ma.fields.Integer(required=True)
    recent_interaction = ma.fields.Integer(required=True)


class ReachSchema(ma.Schema):
    first_degree = ma.fields.Integer(required=True)
    second_degree = ma.fields.Integer(required=True)


class ViewsTrendSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    views = ma.fields.Integer(required=True)


class NetworkStrengthSchema(ma.Schema):
    score = ma.fields.Integer(required=True, metadata={"description": "0..100, see docs/connections.md"})
    components = ma.fields.Nested(StrengthComponentsSchema, required=True)


class NetworkAnalyticsSchema(ma.Schema):
    connection_count = ma.fields.Integer(required=True)
    growth = ma.fields.List(ma.fields.Nested(GrowthSchema), required=True)
    industry_breakdown = ma.fields.List(ma.fields.Nested(IndustryBreakdownSchema), required=True)
    location_breakdown = ma.fields.List(ma.fields.Nested(LocationBreakdownSchema), required=True)
    reach = ma.fields.Nested(
        ReachSchema, required=True, metadata={"description": "People at 1 and 2 degrees of separation"}
    )
    profile_views = ma.fields.Integer(required=True)
    profile_views_trend = ma.fields.List(
        ma.fields.Nested(ViewsTrendSchema),
        required=True,
        metadata={"description": "Recorded views per week (12 weeks, oldest first)"},
    )
    network_strength = ma.fields.Nested(NetworkStrengthSchema, required=True)
    recommendations = ma.fields.List(ma.fields.String(), required=True)
