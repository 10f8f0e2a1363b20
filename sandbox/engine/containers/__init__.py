"""The engine's container service: the part of dockerd that owns containers.

``ContainerService`` has one method per Docker API call on containers and exec instances;
the HTTP routes are thin functions over it. Modules, one concern each:

    service      the facade                       context    what the parts share
    creation     create: checks, layer, record    translate  request -> Config/HostConfig/spec options
    validate     body field types                 names      names, ids
    lifecycle    start/stop/kill/pause/restart    exits      exit watcher, restart policy timing
    restart      policies and back-off            removal    rm, prune
    restore      re-adoption at engine start      registry   in-memory index, per-container lock
    record       the persisted record             files      the container's own files
    waiters      wait conditions as futures       attach     attach to the shim's socket
    logs         json-file log reading            execs      exec instances and sessions
    execrun      running exec instances           edit       rename, update, resize
    shapes       inspect and ps JSON              filters    ps / prune filters
    top, stats   processes and counters           archive    cp, export (with fspath, tarwalk)
"""

from sandbox.engine.containers.attach import Attachment
from sandbox.engine.containers.execs import ExecSession
from sandbox.engine.containers.service import ContainerService

__all__ = ["Attachment", "ContainerService", "ExecSession"]
