"""The one error root of the project.

Every failure a user can see is a ``SandboxError``: a message saying what went wrong and,
where we know one, a hint saying what to do. Front ends render them all the same way.

    SandboxError(message, hint)
     ├── SyscallError          a system call failed: call, path, errno      (linux)
     ├── SpecError             an OCI runtime spec is invalid: field         (runtime)
     ├── StateError            a container state transition is not allowed   (runtime)
     ├── ContainerNotFound     no container with that id in the state root   (runtime)
     ├── ContainerExists       a container with that id already exists       (runtime)
     ├── CgroupError           a cgroup could not be set up or read          (runtime)
     │    ├── CgroupFileError  a cgroupfs read/write/mkdir/rmdir failed: errno
     │    └── ResourceError    an impossible resource limit: field, value
     ├── CapabilityUnknown     a capability name the kernel does not know    (linux)
     ├── StorageError          the image store refused or failed              (storage)
     │    ├── BlobUnknown, LayerUnknown, ImageUnknown
     │    ├── ImageUsedByContainer, LayerInUse
     │    ├── DigestMismatch
     │    ├── InvalidReference, AmbiguousImage
     │    ├── ContainerLayerUnknown, ContainerLayerExists
     │    └── UnsafeArchive    a tar member would escape the target or is not allowed
     └── BootstrapError        a base image could not be built               (images)
"""

from __future__ import annotations

import errno as _errno
import os


class SandboxError(Exception):
    """The root: ``message`` says what is wrong, ``hint`` what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def render(self) -> str:
        """The one-or-two-line form every front end prints."""
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


class SyscallError(SandboxError):
    """A system call failed. Carries the call, the path or object it acted on, and errno."""

    def __init__(self, call: str, err: int, path: str | None = None, hint: str | None = None) -> None:
        self.call = call
        self.errno = err
        self.path = path
        where = f" {path}" if path else ""
        name = _errno.errorcode.get(err, str(err))
        super().__init__(f"{call}{where}: {os.strerror(err)} ({name})", hint)


class SpecError(SandboxError):
    """An OCI runtime spec (config.json) is invalid. ``field`` is its JSON path."""

    def __init__(self, field: str, problem: str, hint: str | None = None) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"config.json: {field}: {problem}", hint)


class StateError(SandboxError):
    """A lifecycle operation is not allowed in the container's current state."""

    def __init__(self, container: str, operation: str, current: str, wanted: str | None = None) -> None:
        self.container = container
        self.operation = operation
        self.current = current
        self.wanted = wanted
        target = f" (needs {wanted})" if wanted else ""
        super().__init__(f"cannot {operation} container {container}: it is {current}{target}")


class ContainerNotFound(SandboxError):
    def __init__(self, container: str, root: str | None = None) -> None:
        self.container = container
        where = f" in {root}" if root else ""
        super().__init__(f"container {container} does not exist{where}")


class ContainerExists(SandboxError):
    def __init__(self, container: str) -> None:
        self.container = container
        super().__init__(f"container {container} already exists", "pick another id or delete the old one")


class CgroupError(SandboxError):
    """A cgroup operation failed: ``path`` is the cgroup directory or file."""

    def __init__(self, message: str, path: str | None = None, hint: str | None = None) -> None:
        self.path = path
        super().__init__(f"{message}: {path}" if path else message, hint)


class StorageError(SandboxError):
    """The image store refused an operation or found damage."""


class BlobUnknown(StorageError):
    def __init__(self, digest: str) -> None:
        self.digest = digest
        super().__init__(f"blob {digest} is not in the store")


class LayerUnknown(StorageError):
    def __init__(self, layer: str) -> None:
        self.layer = layer
        super().__init__(f"layer {layer} is not in the store")


class ImageUnknown(StorageError):
    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no such image: {reference}", "list images with `sandbox docker images`")


class ImageUsedByContainer(StorageError):
    def __init__(self, image: str, container: str) -> None:
        self.image = image
        self.container = container
        super().__init__(f"image {image} is used by container {container}", "remove the container first")


class LayerInUse(StorageError):
    def __init__(self, layer: str, user: str) -> None:
        self.layer = layer
        self.user = user
        super().__init__(f"layer {layer} is still used by {user}")


class DigestMismatch(StorageError):
    def __init__(self, expected: str, actual: str, what: str = "blob") -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"{what} digest mismatch: expected {expected}, got {actual}")


class UnsafeArchive(StorageError):
    """A tar member would escape the extraction root, or is of a refused kind."""

    def __init__(self, member: str, reason: str) -> None:
        self.member = member
        self.reason = reason
        super().__init__(f"refusing tar member {member!r}: {reason}")


class BootstrapError(SandboxError):
    """A base image could not be built offline."""


# -- process security: spec, capabilities, seccomp (runtime/spec, runtime/security, linux/caps)

class CapabilityUnknown(SandboxError):
    """A capability name that is not in the kernel's table (``CAP_CHOWN`` … ``CAP_CHECKPOINT_RESTORE``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown capability {name!r}",
                         "names look like CAP_NET_BIND_SERVICE; see capabilities(7)")


# -- cgroups: file I/O and resource validation (runtime/cgroups)

class CgroupFileError(CgroupError):
    """One cgroupfs operation (read, write, mkdir, rmdir) failed; ``errno`` says why."""

    def __init__(self, op: str, path: str, err: int, value: str | None = None,
                 hint: str | None = None) -> None:
        self.op = op
        self.errno = err
        self.value = value
        name = _errno.errorcode.get(err, str(err))
        what = f"{op} {value!r}" if value is not None else op
        super().__init__(f"cgroup {what} failed with {name} ({os.strerror(err)})", path, hint)


class ResourceError(CgroupError):
    """A resource limit is impossible; raised before any cgroup is touched. ``field`` names it."""

    def __init__(self, field: str, value: object, problem: str, hint: str | None = None) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"resources.{field} = {value}: {problem}", None, hint)


# --- storage (image store) additions -------------------------------------------------------


class InvalidReference(StorageError):
    """An image reference (``name[:tag][@digest]``) does not parse."""

    def __init__(self, reference: str, problem: str) -> None:
        self.reference = reference
        self.problem = problem
        super().__init__(f"invalid reference {reference!r}: {problem}",
                         "use NAME[:TAG][@sha256:DIGEST], lower-case, like busybox:latest")


class AmbiguousImage(StorageError):
    """An image id prefix matches more than one image."""

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        self.prefix = prefix
        self.candidates = candidates
        super().__init__(f"image id prefix {prefix} matches {len(candidates)} images",
                         "give more characters of the id")


class ContainerLayerUnknown(StorageError):
    def __init__(self, container: str) -> None:
        self.container = container
        super().__init__(f"container {container} has no read-write layer in the store")


class ContainerLayerExists(StorageError):
    def __init__(self, container: str) -> None:
        self.container = container
        super().__init__(f"container {container} already has a read-write layer",
                         "remove it first or pick another container id")


# --- engine client and command grammars (sandbox/client, sandbox/commands) ------------------
#   EngineError          the engine answered with an error status: status, server's message
#   EngineUnavailable    nothing usable listens at the engine's address
#   EngineProtocolError  the engine's answer does not follow the Docker Engine API
#   UsageError           a command line does not parse (unknown flag, missing argument)
#   TemplateError        a --format / -f Go template
#    ├── TemplateSyntaxError   does not parse: line, column
#    └── TemplateExecError     fails on the data: the action it failed at


class EngineError(SandboxError):
    """The engine refused a request. ``status`` is the HTTP status, ``message`` the server's
    ``{"message": …}``: front ends print it like docker does (``Error response from daemon: …``)."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint)


class EngineUnavailable(SandboxError):
    """The engine's socket is missing, refuses connections, or may not be opened by this user."""

    def __init__(self, address: str, reason: str,
                 hint: str | None = "start it with `sudo sandbox up`") -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"cannot connect to the engine at {address}: {reason}", hint)


class EngineProtocolError(SandboxError):
    """The engine answered something a Docker Engine API client cannot use (a stream that was
    not upgraded, a body that is not JSON). ``what`` names the request."""

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        self.problem = problem
        super().__init__(f"{what}: {problem}", "is the address really a Docker-compatible engine?")


# --- engine daemon: HTTP core, non-container API, daemon process (engine/http, engine/api,
# --- engine/daemon.py, engine/images_service.py) ---------------------------------------------


class ApiError(SandboxError):
    """A request to the engine's HTTP API is wrong; subclasses say how."""


class InvalidParameter(ApiError):
    """A query parameter, header or body field has a bad value (HTTP 400)."""

    def __init__(self, message: str, field: str | None = None, hint: str | None = None) -> None:
        self.field = field
        super().__init__(message, hint)


class RouteNotFound(ApiError):
    """No route has this path (HTTP 404 ``page not found``, as dockerd says)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__("page not found")


class MethodNotAllowed(ApiError):
    """The path is known but not with this method (HTTP 405)."""

    def __init__(self, method: str, path: str, allowed: list[str]) -> None:
        self.method = method
        self.path = path
        self.allowed = allowed
        super().__init__(f"method {method} is not allowed on {path}", f"use one of: {', '.join(allowed)}")


class HttpProtocolError(ApiError):
    """The bytes on the connection are not an acceptable HTTP/1.1 request. ``status`` is the
    reply's code: 400 garbage, 413 body too large, 431 headers too large, 501, 505."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint)


class NoSuchImage(ImageUnknown):
    """An image the API was asked about is not stored; worded as dockerd words it."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.message = f"No such image: {reference}"
        self.args = (self.message,)


class ImageDeleteConflict(ImageUsedByContainer):
    """``docker rmi`` refused: a container uses the image; dockerd's wording in ``message``."""

    def __init__(self, image: str, container: str, message: str) -> None:
        super().__init__(image, container)
        self.message = message
        self.args = (message,)


class DaemonError(SandboxError):
    """The engine daemon could not start, stop or be reached (socket, pid file, group)."""


class UsageError(SandboxError):
    """A ``docker …`` command line that does not parse; ``command`` names the subcommand."""

    def __init__(self, command: str, problem: str) -> None:
        self.command = command
        self.problem = problem
        name = f"docker {command}".strip()
        super().__init__(problem, f"See '{name} --help'.")


class TemplateError(SandboxError):
    """A Go template (``--format``, ``inspect -f``) could not be parsed or executed."""


class TemplateSyntaxError(TemplateError):
    def __init__(self, problem: str, line: int, col: int = 0) -> None:
        self.problem = problem
        self.line = line
        self.col = col
        super().__init__(f"template: :{line}: {problem}",
                         "Go template syntax: {{.Field}}, {{json .}}, {{range .List}}…{{end}}")


class TemplateExecError(TemplateError):
    def __init__(self, problem: str, line: int = 0, col: int = 0, at: str = "") -> None:
        self.problem = problem
        self.at = at
        where = f"{line}:{col}" if line else "1"
        super().__init__(f'template: :{where}: executing "" at <{at}>: {problem}')


# --- engine: the container service (sandbox/engine/containers) ------------------------------
#   NoSuchContainer       404  no container by that id, id prefix or name (dockerd's wording)
#   NoSuchExec            404  no exec instance by that id
#   ContainerConflict     409  the container's state or name forbids the call
#    └── ContainerNameConflict  the name is taken by another container
#   ContainerNotModified  304  start of a running / stop of a stopped container: not an error
#                              to the client, so the route answers 304 with no body
#   ContainerServiceError 500  the engine failed underneath (runtime, store, files)
# Each subclasses a class the HTTP layer already maps, so the status follows by itself.


class NoSuchContainer(ContainerNotFound):
    """A container reference (full id, unique id prefix, name with or without ``/``) that
    matches nothing."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.message = f"No such container: {reference}"
        self.hint = "list containers with `docker ps -a`"
        self.args = (self.message,)


class NoSuchExec(ContainerNotFound):
    """An exec instance id that the engine does not know (or no longer keeps)."""

    def __init__(self, exec_id: str) -> None:
        super().__init__(exec_id)
        self.exec_id = exec_id
        self.message = f"No such exec instance: {exec_id}"
        self.hint = "exec instances live while their container does; create a new one"
        self.args = (self.message,)


class ContainerConflict(StateError):
    """The call is not allowed now (not running, paused, being removed); dockerd's wording."""

    def __init__(self, container: str, message: str, hint: str | None = None) -> None:
        super().__init__(container, "change", "in a conflicting state")
        self.message = message
        self.hint = hint
        self.args = (message,)


class ContainerNameConflict(ContainerConflict):
    def __init__(self, name: str, holder: str) -> None:
        self.name = name
        self.holder = holder
        super().__init__(holder, f'Conflict. The container name "{name}" is already in use by container '
                                 f'"{holder}". You have to remove (or rename) that container to be able '
                                 "to reuse that name.")


class ContainerNotModified(SandboxError):
    """Nothing to do: the container already is in the wanted state. The route answers 304."""

    def __init__(self, container: str, state: str) -> None:
        self.container = container
        self.state = state
        super().__init__(f"container {container} is already {state}")


class ContainerServiceError(SandboxError):
    """The container service failed underneath (runtime, store, record files): HTTP 500."""
