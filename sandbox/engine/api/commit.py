"""``POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=``: one commit call."""

from __future__ import annotations

from sandbox.engine.http import Request, Response, Router, json_response
from sandbox.engine.imaging.commits import CommitRequest, CommitService, changes_of
from sandbox.errors import InvalidParameter


def register(router: Router, commits: CommitService) -> None:
    @router.post("/commit")
    def commit(req: Request) -> Response:
        q = req.query
        container = q.get("container")
        if not container:
            raise InvalidParameter("a container is needed", "container", "POST /commit?container=NAME")
        body = req.json(default=None)
        if body is not None and not isinstance(body, dict):
            raise InvalidParameter("the request body must be a container Config object or null")
        image = commits.commit(CommitRequest(container=container, repo=q.get("repo") or None,
                                             tag=q.get("tag") or None, comment=q.get("comment") or "",
                                             author=q.get("author") or "", pause=q.bool("pause", True),
                                             changes=changes_of(q.get_all("changes")), config=body))
        return json_response({"Id": image.id}, 201)
