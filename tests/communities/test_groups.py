"""Groups: visibility, join rules, admins, posts and recommendations."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.models import Group, GroupJoinRequest, GroupMember, GroupPost
from tests.communities.conftest import block, give_skills, notifications_of, scalar
from tests.conftest import DEGREE_QUERIES, connect


def make_group(actor, visibility="public", **fields):
    body = {"name": fields.pop("name", f"Group {uuid.uuid4().hex[:6]}"), "visibility": visibility, **fields}
    response = actor.post("/api/groups", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def member_row(app, group_id, user_id):
    return scalar(
        app,
        sa.select(GroupMember.role).where(
            GroupMember.group_id == uuid.UUID(group_id), GroupMember.user_id == uuid.UUID(user_id)
        ),
    )


def member_count(app, group_id):
    return scalar(app, sa.select(Group.member_count).where(Group.id == uuid.UUID(group_id)))


# -- create, read, update, delete ---------------------------------------------------------------


def test_creator_becomes_admin_member(app, alice):
    response = alice.post(
        "/api/groups",
        json={"name": "  Python Berlin ", "description": "Meetups", "industry": "Software", "visibility": "public"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Python Berlin"
    assert body["member_count"] == 1 and body["my_role"] == "admin" and body["creator_id"] == alice.id
    assert member_row(app, body["id"], alice.id) == "admin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visibility": "public"}, "name"),
        ({"name": "", "visibility": "public"}, "name"),
        ({"name": "x" * 121, "visibility": "public"}, "name"),
        ({"name": "G"}, "visibility"),
        ({"name": "G", "visibility": "secret"}, "visibility"),
        ({"name": "G", "visibility": "public", "member_count": 9}, "member_count"),
        ({"name": "G", "visibility": "public", "industry": "x" * 101}, "industry"),
        ({"name": "nul\x00byte", "visibility": "public"}, "name"),
    ],
)
def test_create_validation(app, alice, body, field):
    response = alice.post("/api/groups", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert scalar(app, sa.select(sa.func.count()).select_from(Group)) == 0


def test_anonymous_cannot_create(anon):
    assert anon.post("/api/groups", json={"name": "G", "visibility": "public"}).status_code == 401


def test_list_shows_public_and_my_private_groups(alice, bob):
    public = make_group(alice, name="Open Data")
    secret = make_group(alice, "private", name="Board")
    mine = make_group(bob, "private", name="Bob's circle")
    ids = [g["id"] for g in bob.get("/api/groups").get_json()["items"]]
    assert set(ids) == {public["id"], mine["id"]}
    assert secret["id"] not in ids
    assert ids[0] == mine["id"]  # newest first


def test_list_filters_by_text_and_industry(alice):
    make_group(alice, name="Rust Users", industry="Software")
    make_group(alice, name="Nurses United", description="for rust-free hospitals", industry="Healthcare")
    make_group(alice, name="100% Sales")
    names = lambda q: sorted(g["name"] for g in alice.get(f"/api/groups?{q}").get_json()["items"])  # noqa: E731
    assert names("q=rust") == ["Nurses United", "Rust Users"]
    assert names("industry=software") == ["Rust Users"]
    assert names("q=rust&industry=Healthcare") == ["Nurses United"]
    assert names("q=%25") == ["100% Sales"]
    assert alice.get("/api/groups?q=a%00b").status_code == 422


def test_list_pages_without_repeats_and_constant_queries(app, alice, query_counter):
    for n in range(5):
        make_group(alice, name=f"G{n}")
    seen, cursor = [], None
    with query_counter() as statements:
        while True:
            body = alice.get("/api/groups?limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
            seen += [g["name"] for g in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
    assert seen == ["G4", "G3", "G2", "G1", "G0"]
    # Three pages; per page: session user, the page, my roles, my requests.
    assert len(statements) <= 3 * 5


def test_private_group_shows_outsiders_only_a_card(alice, bob):
    group = make_group(alice, "private", name="Inner", description="Founders", industry="Finance")
    body = bob.get(f"/api/groups/{group['id']}").get_json()
    assert body == {
        "id": group["id"],
        "name": "Inner",
        "description": "Founders",
        "member_count": 1,
        "visibility": "private",
        "my_role": None,
        "my_request_status": None,
    }
    full = alice.get(f"/api/groups/{group['id']}").get_json()
    assert full["industry"] == "Finance" and full["my_role"] == "admin"


def test_unknown_group_is_404(alice):
    response = alice.get(f"/api/groups/{uuid.uuid4()}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_only_admins_update(app, alice, bob):
    group = make_group(alice, industry="Software")
    bob.post(f"/api/groups/{group['id']}/join")
    assert bob.put(f"/api/groups/{group['id']}", json={"name": "Mine"}).status_code == 403
    response = alice.put(f"/api/groups/{group['id']}", json={"name": "Renamed", "industry": None})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Renamed" and body["industry"] is None and body["visibility"] == "public"
    assert alice.put(f"/api/groups/{group['id']}", json={"visibility": "hidden"}).status_code == 422
    assert alice.put(f"/api/groups/{group['id']}", json={"member_count": 3}).status_code == 422
    assert scalar(app, sa.select(Group.name).where(Group.id == uuid.UUID(group["id"]))) == "Renamed"


def test_delete_by_admin_removes_everything(app, alice, bob):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    bob.post(f"/api/groups/{group['id']}/posts", json={"content": "hi"})
    assert bob.delete(f"/api/groups/{group['id']}").status_code == 403
    assert alice.delete(f"/api/groups/{group['id']}").status_code == 204
    assert scalar(app, sa.select(sa.func.count()).select_from(GroupMember)) == 0
    assert scalar(app, sa.select(sa.func.count()).select_from(GroupPost)) == 0
    assert alice.get(f"/api/groups/{group['id']}").status_code == 404


def test_creator_may_delete_after_losing_admin_role(alice, bob):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    assert alice.put(f"/api/groups/{group['id']}/members/{bob.id}", json={"role": "admin"}).status_code == 200
    assert bob.put(f"/api/groups/{group['id']}/members/{alice.id}", json={"role": "member"}).status_code == 200
    assert alice.delete(f"/api/groups/{group['id']}").status_code == 204


# -- joining -------------------------------------------------------------------------------------


def test_join_public_group_at_once(app, alice, bob):
    group = make_group(alice)
    response = bob.post(f"/api/groups/{group['id']}/join")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "member" and body["role"] == "member" and body["user"]["id"] == bob.id
    assert member_row(app, group["id"], bob.id) == "member"
    assert member_count(app, group["id"]) == 2
    again = bob.post(f"/api/groups/{group['id']}/join")
    assert again.status_code == 409
    assert member_count(app, group["id"]) == 2


def test_join_private_group_asks_admins(app, alice, bob, carol):
    group = make_group(alice, "private", name="Inner")
    assert alice.post(f"/api/groups/{group['id']}/join").status_code == 409  # already a member
    response = bob.post(f"/api/groups/{group['id']}/join")
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
    assert member_row(app, group["id"], bob.id) is None
    assert bob.post(f"/api/groups/{group['id']}/join").status_code == 409
    notes = notifications_of(alice, "group_join_request")
    assert len(notes) == 1 and notes[0]["actor"]["id"] == bob.id and notes[0]["data"]["group_id"] == group["id"]
    assert bob.get(f"/api/groups/{group['id']}").get_json()["my_request_status"] == "pending"

    assert carol.get(f"/api/groups/{group['id']}/requests").status_code == 403
    requests = alice.get(f"/api/groups/{group['id']}/requests").get_json()["items"]
    assert [r["user"]["id"] for r in requests] == [bob.id]

    assert carol.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve").status_code == 403
    approved = alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve")
    assert approved.status_code == 200
    assert approved.get_json()["role"] == "member" and approved.get_json()["user"]["id"] == bob.id
    assert member_row(app, group["id"], bob.id) == "member"
    assert member_count(app, group["id"]) == 2
    assert len(notifications_of(bob, "group_join_approved")) == 1
    assert alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve").status_code == 409
    assert alice.get(f"/api/groups/{group['id']}/requests").get_json()["items"] == []


def test_declined_request_can_be_made_again(app, alice, bob):
    group = make_group(alice, "private")
    bob.post(f"/api/groups/{group['id']}/join")
    declined = alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/decline")
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert member_row(app, group["id"], bob.id) is None
    assert alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve").status_code == 409
    assert bob.post(f"/api/groups/{group['id']}/join").get_json()["status"] == "pending"
    assert scalar(app, sa.select(GroupJoinRequest.status)) == "pending"


def test_approving_someone_who_never_asked_is_404(alice, bob):
    group = make_group(alice, "private")
    assert alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve").status_code == 404
    assert alice.post(f"/api/groups/{uuid.uuid4()}/requests/{bob.id}/approve").status_code == 404


# -- leaving and admins --------------------------------------------------------------------------


def test_last_admin_cannot_leave_while_others_remain(app, alice, bob):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    response = alice.post(f"/api/groups/{group['id']}/leave")
    assert response.status_code == 409
    assert member_row(app, group["id"], alice.id) == "admin"
    assert alice.put(f"/api/groups/{group['id']}/members/{bob.id}", json={"role": "admin"}).status_code == 200
    assert alice.post(f"/api/groups/{group['id']}/leave").status_code == 204
    assert member_row(app, group["id"], alice.id) is None
    assert member_count(app, group["id"]) == 1


def test_member_leaves_and_non_member_cannot(app, alice, bob):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    assert bob.post(f"/api/groups/{group['id']}/leave").status_code == 204
    assert member_count(app, group["id"]) == 1
    assert bob.post(f"/api/groups/{group['id']}/leave").status_code == 404


def test_last_member_leaving_deletes_the_group(app, alice):
    group = make_group(alice)
    assert alice.post(f"/api/groups/{group['id']}/leave").status_code == 204
    assert scalar(app, sa.select(sa.func.count()).select_from(Group)) == 0


def test_demoting_the_last_admin_is_409(app, alice, bob):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    assert alice.put(f"/api/groups/{group['id']}/members/{alice.id}", json={"role": "member"}).status_code == 409
    assert member_row(app, group["id"], alice.id) == "admin"


@pytest.mark.parametrize("body", [{}, {"role": "owner"}, {"role": "admin", "x": 1}])
def test_role_validation(alice, bob, body):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    response = alice.put(f"/api/groups/{group['id']}/members/{bob.id}", json=body)
    assert response.status_code == 422 and response.get_json()["errors"]


def test_only_admins_change_roles_and_remove(app, alice, bob, carol):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    carol.post(f"/api/groups/{group['id']}/join")
    assert bob.put(f"/api/groups/{group['id']}/members/{carol.id}", json={"role": "admin"}).status_code == 403
    assert bob.delete(f"/api/groups/{group['id']}/members/{carol.id}").status_code == 403
    assert alice.delete(f"/api/groups/{group['id']}/members/{carol.id}").status_code == 204
    assert member_row(app, group["id"], carol.id) is None
    assert member_count(app, group["id"]) == 2
    assert alice.delete(f"/api/groups/{group['id']}/members/{carol.id}").status_code == 404


def test_private_member_list_is_for_members_and_hides_blocked(app, alice, bob, carol):
    group = make_group(alice, "private")
    assert bob.get(f"/api/groups/{group['id']}/members").status_code == 403
    for person in (bob, carol):
        person.post(f"/api/groups/{group['id']}/join")
        alice.post(f"/api/groups/{group['id']}/requests/{person.id}/approve")
    block(app, carol, bob)
    seen_by_bob = [m["user"]["id"] for m in bob.get(f"/api/groups/{group['id']}/members").get_json()["items"]]
    assert seen_by_bob == [alice.id, bob.id]
    everyone = alice.get(f"/api/groups/{group['id']}/members").get_json()["items"]
    assert [m["user"]["id"] for m in everyone] == [alice.id, bob.id, carol.id]
    assert [m["role"] for m in everyone] == ["admin", "member", "member"]
    admins = alice.get(f"/api/groups/{group['id']}/members?role=admin").get_json()["items"]
    assert [m["user"]["id"] for m in admins] == [alice.id]


def test_member_list_query_count_is_constant(app, alice, make_user, query_counter):
    group = make_group(alice)
    for _ in range(6):
        make_user().post(f"/api/groups/{group['id']}/join")
    with query_counter() as statements:
        body = alice.get(f"/api/groups/{group['id']}/members?limit=50").get_json()
    assert len(body["items"]) == 7
    assert len(statements) <= 4 + DEGREE_QUERIES


# -- posts -----------------------------------------------------------------------------------------


def test_members_post_and_read(app, alice, bob, carol):
    group = make_group(alice, "private")
    assert bob.post(f"/api/groups/{group['id']}/posts", json={"content": "Hello"}).status_code == 403
    assert bob.get(f"/api/groups/{group['id']}/posts").status_code == 403
    bob.post(f"/api/groups/{group['id']}/join")
    alice.post(f"/api/groups/{group['id']}/requests/{bob.id}/approve")
    response = bob.post(f"/api/groups/{group['id']}/posts", json={"content": " Hello all "})
    assert response.status_code == 201
    post = response.get_json()
    assert post["content"] == "Hello all" and post["author"]["id"] == bob.id and post["group_id"] == group["id"]
    alice.post(f"/api/groups/{group['id']}/posts", json={"content": "Welcome"})
    items = bob.get(f"/api/groups/{group['id']}/posts").get_json()["items"]
    assert [p["content"] for p in items] == ["Welcome", "Hello all"]
    assert carol.get(f"/api/groups/{group['id']}/posts").status_code == 403


@pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "   "}, {"content": "x" * 5001}, {"text": "hi"}])
def test_post_validation(app, alice, body):
    group = make_group(alice)
    response = alice.post(f"/api/groups/{group['id']}/posts", json=body)
    assert response.status_code == 422
    assert scalar(app, sa.select(sa.func.count()).select_from(GroupPost)) == 0


def test_post_delete_by_author_or_admin(app, alice, bob, carol):
    group = make_group(alice)
    bob.post(f"/api/groups/{group['id']}/join")
    carol.post(f"/api/groups/{group['id']}/join")
    post = bob.post(f"/api/groups/{group['id']}/posts", json={"content": "x"}).get_json()
    assert carol.delete(f"/api/groups/{group['id']}/posts/{post['id']}").status_code == 403
    assert alice.delete(f"/api/groups/{group['id']}/posts/{post['id']}").status_code == 204
    assert scalar(app, sa.select(sa.func.count()).select_from(GroupPost)) == 0


def test_group_posts_for_feed(app, alice, bob, carol):
    from networkapp.groups.services import group_posts_for_feed

    mine = make_group(alice)
    other = make_group(carol)
    bob.post(f"/api/groups/{mine['id']}/join")
    bob.post(f"/api/groups/{mine['id']}/posts", json={"content": "from bob"})
    alice.post(f"/api/groups/{mine['id']}/posts", json={"content": "own post"})
    carol.post(f"/api/groups/{other['id']}/posts", json={"content": "elsewhere"})
    with app.app_context():
        posts = group_posts_for_feed(uuid.UUID(alice.id), None, 10)
        assert [p.content for p in posts] == ["from bob"]
        assert posts[0].author.first_name == "Bob"
        assert group_posts_for_feed(uuid.UUID(alice.id), utcnow() + timedelta(minutes=1), 10) == []
    block(app, alice, bob)
    with app.app_context():
        assert group_posts_for_feed(uuid.UUID(alice.id), None, 10) == []


# -- recommendations -------------------------------------------------------------------------------


def test_recommended_order_and_reasons(app, make_user, alice, bob, carol):
    me = make_user("mentee", industry="Software")
    give_skills(app, me, "Python", "SQL")
    connect(app, me, bob)
    connect(app, me, carol)
    give_skills(app, alice, "Python", "SQL")

    industry_only = make_group(alice, name="Software Guild", industry="software")
    friends_and_skills = make_group(bob, name="Data People", industry="Finance")
    carol.post(f"/api/groups/{friends_and_skills['id']}/join")
    alice.post(f"/api/groups/{friends_and_skills['id']}/join")
    one_friend = make_group(carol, name="Gardening")
    hidden_private = make_group(bob, "private", name="Bob only", industry="Software")
    unrelated = make_group(make_user(industry="Law"), name="Lawyers", industry="Law")
    already = make_group(alice, name="Joined", industry="Software")
    me.post(f"/api/groups/{already['id']}/join")

    body = me.get("/api/groups/recommended").get_json()
    assert body["next_cursor"] is None
    order = [(item["group"]["id"], item["score"]) for item in body["items"]]
    # Two friends (2x2) and two shared skills (2x1) beat the industry (3) and one friend (2).
    assert order == [(friends_and_skills["id"], 6.0), (industry_only["id"], 5.0), (one_friend["id"], 2.0)]
    reasons = {item["group"]["id"]: item["reasons"] for item in body["items"]}
    assert reasons[friends_and_skills["id"]] == ["2 of your connections are members", "Members share 2 of your skills"]
    assert reasons[industry_only["id"]] == ["In your industry: software", "Members share 2 of your skills"]
    assert reasons[one_friend["id"]] == ["1 of your connections is a member"]
    ids = {g for g, _ in order}
    assert not ids & {hidden_private["id"], unrelated["id"], already["id"]}
    assert len(me.get("/api/groups/recommended?limit=1").get_json()["items"]) == 1
    assert me.get("/api/groups/recommended?limit=0").status_code == 422
