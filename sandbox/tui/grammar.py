"""The shape of the ``docker …`` command line: subcommands, their flags, and what their
positional arguments name. Data only; ``commandline.py`` parses with it and ``complete.py``
completes with it.

Kinds of values: ``container``, ``image``, ``network``, ``volume`` complete from live names;
anything in capitals (``SIZE``, ``NAME``) is free text. A flag spec is ``-m,--memory=SIZE``
(a value) or ``-d,--detach`` (a switch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

LIVE_KINDS = ("container", "image", "network", "volume")


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]
    value: str | None = None
    """None for a switch; the kind of value otherwise."""

    @property
    def long(self) -> str:
        return next((n for n in self.names if n.startswith("--")), self.names[0])


@dataclass(frozen=True, eq=False)
class Command:
    """Compared by identity: the tree is built once and its nodes are cache keys."""

    name: str
    summary: str = ""
    flags: tuple[Flag, ...] = ()
    args: tuple[str, ...] = ()
    """Kinds of the positional arguments in order; the last one repeats when ``repeat``."""
    repeat: bool = False
    subcommands: Mapping[str, Command] = field(default_factory=dict)

    def flag(self, name: str) -> Flag | None:
        return self.flag_index().get(name)

    def flag_index(self) -> dict[str, Flag]:
        return _flag_index(self)

    def arg_kind(self, position: int) -> str | None:
        if position < len(self.args):
            return self.args[position]
        return self.args[-1] if self.repeat and self.args else None


@cache
def _flag_index(command: Command) -> dict[str, Flag]:
    return {n: f for f in command.flags for n in f.names}


def _flags(spec: str) -> tuple[Flag, ...]:
    out = []
    for token in spec.split():
        names, _, value = token.partition("=")
        out.append(Flag(tuple(names.split(",")), value or None))
    return tuple(out)


def _cmd(name: str, summary: str, flags: str = "", args: str = "", **sub: Command) -> Command:
    kinds = args.split()
    repeat = bool(kinds) and kinds[-1].endswith("...")
    kinds = [k.rstrip(".") for k in kinds]
    return Command(name, summary, _flags(flags + " --help"), tuple(kinds), repeat,
                   {c.name: c for c in sub.values()})


_RUN = (
    "-d,--detach -i,--interactive -t,--tty --rm --init --privileged -P,--publish-all --read-only "
    "--name=NAME -m,--memory=SIZE --memory-swap=SIZE --memory-reservation=SIZE --cpus=CPUS "
    "--cpu-quota=USEC --cpu-period=USEC -c,--cpu-shares=SHARES --cpuset-cpus=CPUS --pids-limit=N "
    "-p,--publish=PORTS --expose=PORT -e,--env=ENV --env-file=FILE -v,--volume=volume --mount=MOUNT "
    "--tmpfs=PATH --volumes-from=container --network,--net=network --network-alias=ALIAS --ip=IP "
    "--dns=IP --add-host=HOST -h,--hostname=NAME -w,--workdir=DIR -u,--user=USER --entrypoint=CMD "
    "-l,--label=LABEL --restart=POLICY --stop-signal=SIGNAL --stop-timeout=SECONDS "
    "--cap-add=CAP --cap-drop=CAP --security-opt=OPT --ulimit=LIMIT --shm-size=SIZE "
    "--pid=MODE --ipc=MODE --uts=MODE --log-driver=DRIVER --log-opt=OPT --platform=PLATFORM "
    "--pull=POLICY --detach-keys=KEYS --cidfile=FILE --sysctl=SYSCTL -a,--attach=STREAM"
)
_PS = "-a,--all -q,--quiet -s,--size --no-trunc -l,--latest -n,--last=N -f,--filter=FILTER --format=FORMAT"
_IMAGES = "-a,--all -q,--quiet --digests --no-trunc -f,--filter=FILTER --format=FORMAT"
_RMI = "-f,--force --no-prune"
_HISTORY = "-H,--human --no-trunc -q,--quiet --format=FORMAT"
_NET_CREATE = ("-d,--driver=DRIVER --subnet=CIDR --gateway=IP --ip-range=CIDR --internal --attachable "
               "-l,--label=LABEL -o,--opt=OPT")


def _image_group() -> Command:
    return _cmd("image", "Manage images",
                ls=_cmd("ls", "List images", _IMAGES),
                inspect=_cmd("inspect", "Display detailed information on images", "-f,--format=FORMAT",
                             "image..."),
                history=_cmd("history", "Show the history of an image", _HISTORY, "image"),
                rm=_cmd("rm", "Remove images", _RMI, "image..."),
                tag=_cmd("tag", "Create a tag TARGET that refers to SOURCE", "", "image TARGET"),
                prune=_cmd("prune", "Remove unused images", "-a,--all -f,--force --filter=FILTER"),
                pull=_cmd("pull", "Download an image from a registry", "-q,--quiet --platform=PLATFORM", "IMAGE"),
                push=_cmd("push", "Upload an image to a registry", "-q,--quiet", "image"),
                save=_cmd("save", "Save images to a tar archive", "-o,--output=FILE", "image..."),
                load=_cmd("load", "Load an image from a tar archive", "-i,--input=FILE -q,--quiet"),
                build=_cmd("build", "Build an image from a Dockerfile",
                           "-t,--tag=NAME -f,--file=FILE --no-cache -q,--quiet --build-arg=ARG", "PATH"))


def _container_verbs() -> dict[str, Command]:
    c = "container"
    return {cmd.name: cmd for cmd in (
        _cmd("run", "Create and run a new container from an image", _RUN, "image COMMAND..."),
        _cmd("create", "Create a new container", _RUN, "image COMMAND..."),
        _cmd("start", "Start one or more stopped containers", "-a,--attach -i,--interactive", f"{c}..."),
        _cmd("stop", "Stop one or more running containers", "-t,--time=SECONDS -s,--signal=SIGNAL", f"{c}..."),
        _cmd("restart", "Restart one or more containers", "-t,--time=SECONDS -s,--signal=SIGNAL", f"{c}..."),
        _cmd("kill", "Kill one or more running containers", "-s,--signal=SIGNAL", f"{c}..."),
        _cmd("pause", "Pause all processes within one or more containers", "", f"{c}..."),
        _cmd("unpause", "Unpause all processes within one or more containers", "", f"{c}..."),
        _cmd("rm", "Remove one or more containers", "-f,--force -v,--volumes -l,--link", f"{c}..."),
        _cmd("exec", "Execute a command in a running container",
             "-d,--detach -i,--interactive -t,--tty -e,--env=ENV -u,--user=USER -w,--workdir=DIR "
             "--privileged --detach-keys=KEYS", f"{c} COMMAND..."),
        _cmd("attach", "Attach to a running container", "--no-stdin --sig-proxy --detach-keys=KEYS", c),
        _cmd("logs", "Fetch the logs of a container",
             "-f,--follow -t,--timestamps -n,--tail=N --since=TIME --until=TIME --details", c),
        _cmd("inspect", "Return low-level information on Docker objects", "-f,--format=FORMAT -s,--size "
             "--type=TYPE", f"{c}..."),
        _cmd("top", "Display the running processes of a container", "", f"{c} PS_ARGS..."),
        _cmd("stats", "Display a live stream of container resource usage", "-a,--all --no-stream --no-trunc "
             "--format=FORMAT", f"{c}..."),
        _cmd("update", "Update configuration of one or more containers",
             "-m,--memory=SIZE --memory-swap=SIZE --cpus=CPUS --cpu-quota=USEC --cpu-period=USEC "
             "-c,--cpu-shares=SHARES --pids-limit=N --restart=POLICY", f"{c}..."),
        _cmd("rename", "Rename a container", "", f"{c} NEW_NAME"),
        _cmd("port", "List port mappings or a specific mapping for the container", "", f"{c} PORT"),
        _cmd("wait", "Block until one or more containers stop, then print their exit codes", "", f"{c}..."),
        _cmd("diff", "Inspect changes to files or directories on a container's filesystem", "", c),
        _cmd("export", "Export a container's filesystem as a tar archive", "-o,--output=FILE", c),
        _cmd("cp", "Copy files/folders between a container and the local filesystem",
             "-a,--archive -L,--follow-link -q,--quiet", "container-path container-path"),
        _cmd("commit", "Create a new image from a container's changes",
             "-a,--author=AUTHOR -c,--change=CHANGE -m,--message=MESSAGE -p,--pause", f"{c} REPOSITORY"),
        _cmd("ps", "List containers", _PS),
    )}


@cache
def docker() -> Command:
    """The whole ``docker`` tree (built once, on first use)."""
    verbs = _container_verbs()
    image = _image_group()
    top = dict(verbs)
    top.update({cmd.name: cmd for cmd in (
        _cmd("images", "List images", _IMAGES, "IMAGE"),
        _cmd("rmi", "Remove one or more images", _RMI, "image..."),
        _cmd("history", "Show the history of an image", _HISTORY, "image"),
        _cmd("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", "", "image TARGET"),
        _cmd("pull", "Download an image from a registry", "-q,--quiet --platform=PLATFORM", "IMAGE"),
        _cmd("push", "Upload an image to a registry", "-q,--quiet", "image"),
        _cmd("build", "Build an image from a Dockerfile",
             "-t,--tag=NAME -f,--file=FILE --no-cache -q,--quiet --build-arg=ARG", "PATH"),
        _cmd("save", "Save one or more images to a tar archive", "-o,--output=FILE", "image..."),
        _cmd("load", "Load an image from a tar archive or STDIN", "-i,--input=FILE -q,--quiet"),
        _cmd("import", "Import the contents from a tarball to create a filesystem image",
             "-c,--change=CHANGE -m,--message=MESSAGE", "FILE REPOSITORY"),
        _cmd("events", "Get real time events from the server",
             "--since=TIME --until=TIME -f,--filter=FILTER --format=FORMAT"),
        _cmd("info", "Display system-wide information", "-f,--format=FORMAT"),
        _cmd("version", "Show the Docker version information", "-f,--format=FORMAT"),
        _cmd("login", "Log in to a registry", "-u,--username=USER -p,--password=PASSWORD --password-stdin",
             "SERVER"),
        _cmd("logout", "Log out from a registry", "", "SERVER"),
        _cmd("search", "Search for images", "--limit=N --no-trunc -f,--filter=FILTER", "TERM"),
        image,
        Command("container", "Manage containers", _flags("--help"), (), False,
                {**verbs, "ls": _cmd("ls", "List containers", _PS), "prune":
                 _cmd("prune", "Remove all stopped containers", "-f,--force --filter=FILTER")}),
        _cmd("network", "Manage networks",
             create=_cmd("create", "Create a network", _NET_CREATE, "NAME"),
             ls=_cmd("ls", "List networks", "-q,--quiet -f,--filter=FILTER --format=FORMAT --no-trunc"),
             inspect=_cmd("inspect", "Display detailed information on networks", "-f,--format=FORMAT",
                          "network..."),
             rm=_cmd("rm", "Remove one or more networks", "-f,--force", "network..."),
             connect=_cmd("connect", "Connect a container to a network", "--ip=IP --alias=ALIAS",
                          "network container"),
             disconnect=_cmd("disconnect", "Disconnect a container from a network", "-f,--force",
                             "network container"),
             prune=_cmd("prune", "Remove all unused networks", "-f,--force --filter=FILTER")),
        _cmd("volume", "Manage volumes",
             create=_cmd("create", "Create a volume", "-d,--driver=DRIVER -l,--label=LABEL -o,--opt=OPT", "NAME"),
             ls=_cmd("ls", "List volumes", "-q,--quiet -f,--filter=FILTER --format=FORMAT"),
             inspect=_cmd("inspect", "Display detailed information on volumes", "-f,--format=FORMAT",
                          "volume..."),
             rm=_cmd("rm", "Remove one or more volumes", "-f,--force", "volume..."),
             prune=_cmd("prune", "Remove unused local volumes", "-a,--all -f,--force --filter=FILTER")),
        _cmd("system", "Manage Docker",
             df=_cmd("df", "Show docker disk usage", "-v,--verbose --format=FORMAT"),
             info=_cmd("info", "Display system-wide information", "-f,--format=FORMAT"),
             prune=_cmd("prune", "Remove unused data", "-a,--all -f,--force --volumes")),
    )})
    return Command("docker", "A self-sufficient runtime for containers", _flags("--help -v,--version"), (),
                   False, top)
