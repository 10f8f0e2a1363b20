"""Test doubles for the lesson engine: a fake Docker world, a fake ``docker`` for the
``run_command`` seam, and a FakeState that checks read. Front ends use them too, to run a
lesson in a test without an engine.

    state = FakeState()                      # busybox and debian, bridge/host/none
    run = state.docker                       # run("docker run -d --name web busybox sleep 60")
    session = LessonSession(lesson, state, run, store)
"""

from .docker import FakeDocker
from .state import FakeEvents, FakeState
from .world import FakeContainer, FakeImage, FakeWorld

__all__ = ["FakeContainer", "FakeDocker", "FakeEvents", "FakeImage", "FakeState", "FakeWorld"]
