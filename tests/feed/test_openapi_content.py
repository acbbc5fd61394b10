def test_content_endpoints_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path, methods in {
        "/api/posts": {"post"},
        "/api/posts/{post_id}": {"get", "put", "delete"},
        "/api/posts/{post_id}/like": {"post", "delete"},
        "/api/posts/{post_id}/comments": {"get", "post"},
        "/api/posts/{post_id}/comments/{comment_id}": {"delete"},
        "/api/achievements": {"get", "post"},
        "/api/achievements/{achievement_id}": {"put", "delete"},
        "/api/feed": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
