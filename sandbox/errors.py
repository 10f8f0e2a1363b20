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
#   CopyError            `docker cp` cannot do what was asked, or an archive would escape
#   LocalFileError       a local file a command names cannot be read or made (-i, --cidfile, a context)
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


class PullAccessDenied(ImageUnknown):
    """``images/create`` for an image that is not stored (registry pulls come later);
    worded as dockerd words a failed pull."""

    def __init__(self, repository: str) -> None:
        super().__init__(repository)
        self.message = (f"pull access denied for {repository}, repository does not exist or may require "
                        "'docker login'")
        self.args = (self.message,)
        self.hint = "only images already in the store can be pulled for now: see `docker images`"


class UsageError(SandboxError):
    """A ``docker …`` command line that does not parse; ``command`` names the subcommand.
    ``exit_code`` follows docker: 125 for a bad flag, 1 for a wrong number of arguments."""

    def __init__(self, command: str, problem: str, exit_code: int = 125) -> None:
        self.command = command
        self.problem = problem
        self.exit_code = exit_code
        name = f"docker {command}".strip()
        super().__init__(problem, f"See '{name} --help'.")


class CopyError(SandboxError):
    """``docker cp`` cannot copy: a path is missing or of the wrong kind, or a tar member
    would land outside the destination."""


class LocalFileError(SandboxError):
    """A ``docker …`` command cannot use a local file or folder it was given: ``load -i``
    cannot read it, a build context is missing, ``--cidfile`` exists already (another
    container may own it) or cannot be created. docker prints these as they are, exit 1."""


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


# --- container networking (sandbox/network) -------------------------------------------------
#   NetworkError            base; ``status`` is the HTTP status the engine should answer with
#    ├── NetworkNotFound         no network with that name, id or id prefix            404
#    ├── NetworkAmbiguous        an id prefix matches more than one network            400
#    ├── NetworkExists           a network with that name already exists               409
#    ├── NetworkReserved         bridge, host and none are pre-defined                 403
#    ├── InvalidNetworkConfig    a bad name, label, CIDR, gateway or address           400
#    ├── SubnetOverlap           a subnet overlaps another network's or a host route   409
#    ├── AddressExhausted        no free subnet in the pool / no free address          409
#    ├── AddressInUse            a requested address is already taken                  409
#    ├── NetworkInUse            the network still has endpoints                       409
#    ├── EndpointExists          the container is already connected                    409
#    ├── EndpointNotFound        the container is not connected                        404
#    ├── NotConnectable          host/none networks take no endpoints                  400
#    ├── PortAllocated           the host port is taken (Docker's words)               409
#    └── NetlinkFailed           the kernel refused a netlink, netns or nft step       500


class NetworkError(SandboxError):
    """A network operation was refused or failed. ``status`` is the HTTP status hint."""

    status = 500


class NetworkNotFound(NetworkError):
    status = 404

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"network {name} not found", "list networks with `docker network ls`")


class NetworkAmbiguous(NetworkError):
    status = 400

    def __init__(self, prefix: str, matches: int) -> None:
        self.prefix = prefix
        self.matches = matches
        super().__init__(f"network {prefix} is ambiguous ({matches} matches found based on ID prefix)",
                         "give more characters of the id, or the network's name")


class NetworkExists(NetworkError):
    status = 409

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"network with name {name} already exists", "pick another name")


class NetworkReserved(NetworkError):
    status = 403

    def __init__(self, name: str, operation: str) -> None:
        self.name = name
        self.operation = operation
        super().__init__(f"{name} is a pre-defined network and cannot be {operation}",
                         "bridge, host and none always exist; create your own network instead")


class InvalidNetworkConfig(NetworkError):
    """Bad input before anything was touched: ``field`` names it, ``value`` is what was given."""

    status = 400

    def __init__(self, field: str, value: object, problem: str, hint: str | None = None) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"invalid {field} {value!r}: {problem}", hint)


class SubnetOverlap(NetworkError):
    status = 409

    def __init__(self, subnet: str, other_subnet: str, other: str, new_name: str | None = None) -> None:
        self.subnet = subnet
        self.other_subnet = other_subnet
        self.other = other
        who = f" of network {new_name}" if new_name else ""
        super().__init__(f"subnet {subnet}{who} overlaps with {other_subnet} of {other}",
                         "choose a subnet no other network or host route uses")


class AddressExhausted(NetworkError):
    status = 409

    def __init__(self, what: str, hint: str | None = None) -> None:
        self.what = what
        super().__init__(f"no available IPv4 addresses: {what}", hint)


class AddressInUse(NetworkError):
    status = 409

    def __init__(self, address: str, network: str, user: str) -> None:
        self.address = address
        self.network = network
        self.user = user
        super().__init__(f"Address already in use: {address} on network {network} is taken by {user}",
                         "leave out --ip to get a free address")


class NetworkInUse(NetworkError):
    status = 409

    def __init__(self, name: str, network_id: str, containers: list[str]) -> None:
        self.name = name
        self.network_id = network_id
        self.containers = containers
        super().__init__(f"error while removing network: network {name} id {network_id} has active endpoints",
                         f"disconnect or remove these containers first: {', '.join(containers)}")


class EndpointExists(NetworkError):
    status = 409

    def __init__(self, container: str, network: str) -> None:
        self.container = container
        self.network = network
        super().__init__(f"endpoint with name {container} already exists in network {network}")


class EndpointNotFound(NetworkError):
    status = 404

    def __init__(self, container: str, network: str) -> None:
        self.container = container
        self.network = network
        super().__init__(f"container {container} is not connected to network {network}")


class NotConnectable(NetworkError):
    status = 400

    def __init__(self, network: str, reason: str) -> None:
        self.network = network
        self.reason = reason
        super().__init__(f"cannot connect to network {network}: {reason}",
                         "host and none are modes set at `docker run --network`, not networks to join")


class PortAllocated(NetworkError):
    status = 409

    def __init__(self, host_ip: str, host_port: int, proto: str = "tcp", holder: str | None = None) -> None:
        self.host_ip = host_ip
        self.host_port = host_port
        self.proto = proto
        self.holder = holder
        hint = f"it is published by container {holder}" if holder else "another program listens there"
        super().__init__(f"Bind for {host_ip}:{host_port} failed: port is already allocated",
                         f"{hint}; pick another host port, or -P for a free one")


class NetlinkFailed(NetworkError):
    """A kernel step failed: ``op`` (``veth.create``, ``setns``, ``nft``…), the device, errno."""

    status = 500

    def __init__(self, op: str, device: str | None, err: int | None, detail: str = "",
                 hint: str | None = None) -> None:
        self.op = op
        self.device = device
        self.errno = err
        where = f" {device}" if device else ""
        why = os.strerror(err) if err else detail
        name = f" ({_errno.errorcode.get(err, err)})" if err else ""
        super().__init__(f"{op}{where}: {why}{name}", hint)


# --- registry client and image archives (sandbox/images/registry, sandbox/images/archive) ----
#   RegistryError             a registry refused or failed a request: registry, status, code
#    ├── RegistryUnavailable    nothing answers at the registry's address, or it went away
#    ├── RegistryUnauthorized   credentials are missing, wrong, or not enough for the repository
#    ├── RegistryNotFound       no such repository, tag, manifest or blob at the registry
#    ├── RegistryProtocolError  the answer does not follow the distribution API v2
#    └── PlatformNotFound       a multi-platform image has no manifest for this machine
#   CredentialsError          the docker config.json cannot be read or written
#   InvalidChange             a `--change` instruction of `import` is unknown or malformed
#   ArchiveError (StorageError)  a save/load/import tar is not one we can read
# Each class's ``status`` is the HTTP status the engine answers with.


class RegistryError(SandboxError):
    """A registry refused or failed a request. ``registry`` is its host, ``status`` the HTTP
    status it answered (0 when it did not answer), ``code`` the distribution error code."""

    status = 500

    def __init__(self, registry: str, message: str, http_status: int = 0, code: str | None = None,
                 hint: str | None = None, detail: str | None = None) -> None:
        self.registry = registry
        self.http_status = http_status
        self.code = code
        self.detail = detail if detail is not None else message
        """The registry's own words (``manifest unknown: manifest unknown``), without our context."""
        super().__init__(message, hint)


class RegistryUnavailable(RegistryError):
    def __init__(self, registry: str, reason: str, hint: str | None = None) -> None:
        self.reason = reason
        super().__init__(registry, f"cannot talk to the registry {registry}: {reason}", 0, None,
                         hint or "is the registry running, and is its address right?")


class RegistryUnauthorized(RegistryError):
    status = 401


class RegistryNotFound(RegistryError):
    status = 404


class RegistryProtocolError(RegistryError):
    """The registry answered something a distribution API v2 client cannot use."""


class PlatformNotFound(RegistryError):
    status = 404

    def __init__(self, registry: str, reference: str, platform: str, available: list[str]) -> None:
        self.platform = platform
        self.available = available
        super().__init__(registry, f"no matching manifest for {platform} in the manifest list entries of "
                                   f"{reference}", 404, "MANIFEST_UNKNOWN",
                         f"this image is published for: {', '.join(available) or 'nothing usable'}")


class CredentialsError(SandboxError):
    """The docker-style config.json holding registry credentials is unreadable or unwritable."""

    status = 500

    def __init__(self, path: str, problem: str, hint: str | None = None) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}", hint)


class InvalidChange(SandboxError):
    """A Dockerfile-like instruction given to ``import --change`` is not allowed or does not parse."""

    status = 400

    def __init__(self, change: str, problem: str) -> None:
        self.change = change
        self.problem = problem
        super().__init__(f"invalid --change {change!r}: {problem}",
                         "allowed: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR")


class ArchiveError(StorageError):
    """An image archive (``docker save`` output, an OCI layout tar, an import tarball) cannot
    be read: ``problem`` says what is missing or wrong in it."""

    status = 400


# --- the Textual TUI (sandbox/tui) ----------------------------------------------------------
#   TuiError              the TUI cannot do what was asked
#    ├── FixtureError       the fake backend's fixtures are missing a file or hold bad JSON
#    ├── NoRecording        the fake backend has nothing recorded for this request
#    ├── LessonsUnavailable the lesson engine is not there (or has no such lesson)
#    ├── NotInteractive     an interactive command needs a real terminal
#    └── BadArguments       `sandbox learn …` was given arguments it does not take


class TuiError(SandboxError):
    """The TUI could not do what was asked; ``message`` and ``hint`` are shown as they are."""


class FixtureError(TuiError):
    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"fake backend fixture {path}: {problem}",
                         "SANDBOX_TUI_FAKE must name a directory of recorded JSON (see tests/tui/fixtures)")


class NoRecording(TuiError):
    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"the fake backend has no recording for {what}",
                         "record it from a real engine into the fixtures directory")


class LessonsUnavailable(TuiError):
    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        super().__init__(f"lessons are not available: {problem}", hint)


class NotInteractive(TuiError):
    def __init__(self, command: str) -> None:
        self.command = command
        super().__init__(f"{command!r} needs the terminal, and this one cannot be handed over",
                         "run it in `sandbox shell`, or drop -i/-t/-f")


class BadArguments(TuiError):
    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"learn: {problem}", "usage: sandbox learn [LESSON] [--lang en|zh]")


# --- lessons: format, checks, sessions, progress, importers (sandbox/lessons) ---------------
#   LessonError            base of everything the lesson engine refuses
#    ├── LessonInvalid     lesson files have problems (what `sandbox lessons lint` prints)
#    ├── LessonNotFound    no lesson with that id in the lessons directory
#    ├── CommandFailed     a setup or reference-solution command exited with the wrong code
#    ├── ResourceConflict  a name the lesson uses is taken by something it did not make
#    ├── HostRefused       an http check or read aimed at a host that is not loopback
#    ├── ProgressCorrupt   progress.json cannot be read; a copy was kept at ``backup``
#    └── ScenarioInvalid   a Killercoda scenario folder cannot be imported


class LessonError(SandboxError):
    """The lesson engine refused or failed; subclasses say how."""


class LessonInvalid(LessonError):
    """Lesson files have problems. ``problems`` holds each one as ``file:line: field: problem``."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        first = problems[0] if problems else "no details"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{where} is not a valid lesson: {first}{more}",
                         f"run `sandbox lessons lint {where}` to see every problem")


class LessonNotFound(LessonError):
    def __init__(self, lesson: str, directory: str, known: list[str]) -> None:
        self.lesson = lesson
        self.directory = directory
        self.known = known
        names = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        super().__init__(f"no lesson {lesson!r} in {directory}",
                         f"known lessons: {names}" if known else "the directory holds no lessons")


class CommandFailed(LessonError):
    """A lesson's own command (setup, reference solution) did not end as the lesson expects."""

    def __init__(self, what: str, command: str, code: int, output: str, expected: str = "0") -> None:
        self.what = what
        self.command = command
        self.code = code
        self.output = output
        tail = output.strip().splitlines()[-3:]
        said = ("; it said: " + " / ".join(tail)) if tail else ""
        super().__init__(f"{what} `{command}` exited {code}, expected {expected}{said}",
                         "is the engine running and does the lesson's image exist? (`sandbox docker images`)")


class ResourceConflict(LessonError):
    """The lesson wants to make ``kind`` ``name`` but one exists that the lesson did not make."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        remove = {"container": "docker rm -f", "volume": "docker volume rm",
                  "network": "docker network rm", "image": "docker rmi"}.get(kind, "remove")
        super().__init__(f"a {kind} named {name} already exists and this lesson did not make it",
                         f"the lesson needs that name: remove or rename yours first (`{remove} {name}`)")


class HostRefused(LessonError):
    def __init__(self, url: str, host: str) -> None:
        self.url = url
        self.host = host
        super().__init__(f"refusing to fetch {url}: {host} is not a loopback address",
                         "lesson checks only talk to 127.0.0.1, ::1 or localhost")


class ProgressCorrupt(LessonError):
    """progress.json does not parse. ``backup`` is where a copy was kept before anything else
    wrote to the file, so nothing is lost silently."""

    def __init__(self, path: str, reason: str, backup: str | None) -> None:
        self.path = path
        self.reason = reason
        self.backup = backup
        kept = f"a copy is kept at {backup}" if backup else "no copy could be made"
        super().__init__(f"progress file {path} is unreadable ({reason}); {kept}",
                         "progress starts empty; `sandbox lessons progress import FILE` restores a good copy")


class ScenarioInvalid(LessonError):
    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"cannot import Killercoda scenario {path}: {problem}",
                         "a scenario folder holds index.json whose details.steps name each step's text file")


# --- volumes (engine/volumes) ------------------------------------------------------------


class VolumeError(SandboxError):
    """A volume operation was refused. ``status`` is the HTTP status dockerd gives."""

    status = 500


class VolumeNotFound(VolumeError):
    status = 404

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"get {name}: no such volume", "list volumes with `docker volume ls`")


class VolumeInUse(VolumeError):
    status = 409

    def __init__(self, name: str, containers: list[str]) -> None:
        self.name = name
        self.containers = containers
        super().__init__(f"remove {name}: volume is in use - [{', '.join(containers)}]",
                         "remove the containers first, or use --force")


class InvalidVolume(VolumeError):
    """A bad volume name or mount specification (HTTP 400)."""

    status = 400


# --- Dockerfile builds and commit (sandbox/images/build, sandbox/images/commit.py) ----------
#   BuildError               a build failed; ``code`` goes into the stream's errorDetail
#    ├── DockerfileParseError  the Dockerfile does not parse: line and problem
#    ├── BuildContextError     the context is unreadable, or a COPY/ADD source is outside
#    │                         the context, missing, or excluded by .dockerignore
#    └── RunFailed             a RUN command exited non-zero: command and exit code


class BuildError(SandboxError):
    """A build could not go on. ``code`` is what Docker puts in ``errorDetail.code`` (a RUN's
    exit code), None where Docker sends none."""

    status = 400

    def __init__(self, message: str, hint: str | None = None, code: int | None = None) -> None:
        self.code = code
        super().__init__(message, hint)


class DockerfileParseError(BuildError):
    """The Dockerfile does not parse; ``line`` is 1-based (0 when no line is to blame)."""

    def __init__(self, line: int, problem: str, hint: str | None = None) -> None:
        self.line = line
        self.problem = problem
        where = f" line {line}" if line else ""
        super().__init__(f"Dockerfile parse error{where}: {problem}", hint)


class BuildContextError(BuildError):
    """The build context cannot be read, or a COPY/ADD source is not usable."""


class RunFailed(BuildError):
    """A RUN step's command exited non-zero; worded as Docker's legacy builder words it."""

    status = 500

    def __init__(self, command: str, exit_code: int) -> None:
        self.command = command
        self.exit_code = exit_code
        super().__init__(f"The command '{command}' returned a non-zero code: {exit_code}",
                         "the step's output is printed above the error", exit_code)


# --- the REPL, `sandbox shell` (sandbox/repl) -----------------------------------------------
#   ReplError               base: the shell cannot do what was typed (the prompt stays)
#    ├── ReplUsageError       a shell line does not parse or a shell command's arguments are wrong
#    ├── UnknownCommand       the first word names no shell command
#    ├── NothingToShow        `show` has no target, or the engine has no picture data for it
#    ├── ResetUnavailable     `reset` cannot tell what this session created
#    └── TraceUnavailable     `explain` cannot read the engine's trace stream


class ReplError(SandboxError):
    """The shell could not do what was typed; printed under the line, and the prompt stays."""


class ReplUsageError(ReplError):
    def __init__(self, line: str, problem: str, hint: str | None = None) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"{line}: {problem}" if line else problem, hint)


class UnknownCommand(ReplError):
    def __init__(self, word: str) -> None:
        self.word = word
        super().__init__(f"unknown command: {word}",
                         "type `help` for the shell's commands; docker commands start with `docker`")


class NothingToShow(ReplError):
    def __init__(self, what: str, problem: str, hint: str | None = None) -> None:
        self.what = what
        self.problem = problem
        super().__init__(f"show {what}: {problem}", hint)


class ResetUnavailable(ReplError):
    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"reset: {problem}",
                         "reset removes only what this session created, so it needs the engine "
                         "to have answered once before your first command")


class TraceUnavailable(ReplError):
    def __init__(self, address: str, problem: str) -> None:
        self.address = address
        self.problem = problem
        super().__init__(f"explain: cannot read the trace stream of {address}: {problem}",
                         "explain needs the sandbox engine (`sudo sandbox up`); a plain dockerd has no trace")


# --- volumes and networks inside the container service (engine/containers/{volumes,networking}.py)
#   NetworkModeConflict     400  the container's network mode forbids the call (host, none,
#                                container:X cannot be connected to or disconnected from networks)
#   NetworkJoinFailed       409  --network container:X where X is not running
# Both subclass NetworkError, whose ``status`` the HTTP layer honours.


class NetworkModeConflict(NetworkError):
    status = 400

    def __init__(self, container: str, mode: str, message: str) -> None:
        self.container = container
        self.mode = mode
        super().__init__(message, f"container {container} uses --network {mode}, chosen at `docker run`; "
                                  "make a new container on a bridge network to connect it")


class NetworkJoinFailed(NetworkError):
    status = 409

    def __init__(self, container: str, other: str) -> None:
        self.container = container
        self.other = other
        super().__init__(f"cannot join network namespace of a non running container: {other}",
                         f"start {other} first: --network container:{other} shares its network namespace")


# --- images through the engine and our CLI (engine/imaging, engine/api image routes, commands)
#   ClientGone              a streaming client (build, pull, push, save) went away: the work stops
#   NoLocalTag (ImageUnknown) 404  push of a name no local image is tagged with
#   PullUnauthorized (RegistryUnauthorized) 403  a pull refused for want of credentials
#   StreamError             (client side) an error message inside a pull, push, build or import stream
#   ContainerNotCommittable 409  the container cannot be committed in its state (it is restarting,
#                                or it has no read-write layer in the store)


class ClientGone(SandboxError):
    """Raised inside a long job's report callback once its HTTP client has left; the job
    unwinds (removing what it made) and nobody is told, since nobody is listening."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"{what}: the client went away")


class ContainerNotCommittable(SandboxError):
    status = 409

    def __init__(self, container: str, problem: str, hint: str | None = None) -> None:
        self.container = container
        self.problem = problem
        super().__init__(f"cannot commit container {container}: {problem}", hint)


class NoLocalTag(ImageUnknown):
    """``docker push`` of a name no local image is tagged with; dockerd's wording."""

    def __init__(self, repository: str) -> None:
        super().__init__(repository)
        self.message = f"An image does not exist locally with the tag: {repository}"
        self.args = (self.message,)
        self.hint = f"tag an image first: docker tag IMAGE {repository}"


class PullUnauthorized(RegistryUnauthorized):
    """A pull the registry refused for want of (the right) credentials. 403, not 401: the
    docker CLI answers a 401 from a pull by prompting for a password, which a script or a
    lesson check would wait on forever; dockerd does not send 401 here either."""

    status = 403


class StreamError(SandboxError):
    """An error that arrived inside a 200 progress stream (``{"error": …}``: a pull, push,
    build or import that failed halfway). Front ends print it as it is, as docker does
    (no "Error response from daemon"), and exit with ``code`` when the engine gave one
    (a failed RUN's exit code)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        self.code = code
        super().__init__(message)


class RegistryServiceError(DaemonError):
    """The loopback registry of ``sandbox up --registry`` could not be started or stopped
    (binary missing, port taken, no answer). ``address`` is the ``host:port`` it was for."""

    def __init__(self, address: str, message: str, hint: str | None = None) -> None:
        self.address = address
        super().__init__(message, hint)
