"""A fake ``docker`` for the ``run_command`` seam: the subset of the CLI lessons use,
acting on a FakeWorld. Its output imitates docker's closely enough for a learner-shaped
test; what matters is the state it leaves, which the checks then read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.lessons import shellwords

from . import programs
from .world import HOST_NS, FakeContainer, FakeImage, FakeWorld, fake_id


class DockerError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Parsed:
    flags: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def one(self, *names: str, default: str | None = None) -> str | None:
        for n in names:
            if n in self.flags:
                return self.flags[n][-1]
        return default

    def all(self, *names: str) -> list[str]:
        return [v for n in names for v in self.flags.get(n, [])]

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)


# Flags that take a value, per command; the rest are booleans.
_VALUED = {
    "--name",
    "-m",
    "--memory",
    "--cpus",
    "--cpu-quota",
    "--pids-limit",
    "-e",
    "--env",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--network",
    "--net",
    "--restart",
    "-l",
    "--label",
    "--pid",
    "-w",
    "--workdir",
    "-h",
    "--hostname",
    "-t",
    "--time",
    "-s",
    "--signal",
    "-f",
    "--filter",
    "--format",
    "--driver",
    "-d",
    "--subnet",
    "--tail",
    "--entrypoint",
    "-u",
    "--user",
}
_BOOL_SHORT = set("dirqaPftv")


def parse(argv: list[str], valued: set[str], stop_at_positional: bool = False) -> Parsed:
    out = Parsed()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if stop_at_positional and not arg.startswith("-"):
            out.args = argv[i:]
            return out
        if arg == "--":
            out.args.extend(argv[i + 1 :])
            return out
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in valued and not eq:
                i += 1
                if i >= len(argv):
                    raise DockerError(f"flag needs an argument: {name}", 125)
                value = argv[i]
            out.flags.setdefault(name, []).append(value if (eq or name in valued) else "true")
        elif arg.startswith("-") and len(arg) > 1:
            # -dit, -m64m, -p 80:80
            name = arg[:2]
            if name in valued:
                value = arg[2:]
                if not value:
                    i += 1
                    if i >= len(argv):
                        raise DockerError(f"flag needs an argument: {name}", 125)
                    value = argv[i]
                out.flags.setdefault(name, []).append(value)
            else:
                for ch in arg[1:]:
                    if ch not in _BOOL_SHORT:
                        raise DockerError(f"unknown shorthand flag: '{ch}' in {arg}", 125)
                    out.flags.setdefault("-" + ch, []).append("true")
        else:
            out.args.append(arg)
        i += 1
    return out


_SIZE = re.compile(r"^(\d+)([bkmg]?)$", re.IGNORECASE)


def _size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise DockerError(f"invalid size: '{text}'", 125)
    return int(m.group(1)) * {"": 1, "b": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


class FakeDocker:
    """``FakeDocker(world)("docker run -d --name web busybox httpd -f")`` -> (code, output).
    Shell lines are refused unless ``shell`` is given (the state's host runner)."""

    def __init__(self, world: FakeWorld, shell: Callable[[str], tuple[int, str]] | None = None) -> None:
        self.world = world
        self.shell = shell
        self.lines: list[str] = []

    def __call__(self, line: str) -> tuple[int, str]:
        self.lines.append(line)
        if not shellwords.is_docker_line(line) or shellwords.needs_shell(line):
            if self.shell is None:
                return 127, f"fake docker: no shell for {line!r}\n"
            return self.shell(line)
        return self.run_argv(shellwords.split(line)[1:])

    def run_argv(self, argv: list[str]) -> tuple[int, str]:
        if not argv:
            return 0, "Usage:  docker [OPTIONS] COMMAND\n"
        command, rest = argv[0], argv[1:]
        if command in ("container", "image", "volume", "network") and rest:
            command, rest = f"{command} {rest[0]}", rest[1:]
        handler = getattr(self, "_" + command.replace(" ", "_").replace("-", "_"), None)
        aliases = {
            "container_ls": self._ps,
            "container_rm": self._rm,
            "image_ls": self._images,
            "image_rm": self._rmi,
            "image_tag": self._tag,
            "image_inspect": self._inspect,
            "container_inspect": self._inspect,
            "container_run": self._run,
            "container_stop": self._stop,
        }
        handler = handler or aliases.get(command.replace(" ", "_"))
        if handler is None:
            return 1, f"docker: '{command}' is not a docker command (in the fake).\n"
        try:
            return 0, handler(rest) or ""
        except _Exit as done:
            return done.code, done.output
        except DockerError as err:
            return err.code, f"Error response from daemon: {err}\n" if err.code == 1 else f"docker: {err}\n"

    # -- containers -----------------------------------------------------------------------------

    def _container(self, ref: str) -> FakeContainer:
        c = self.world.find_container(ref)
        if c is None:
            raise DockerError(f"No such container: {ref}")
        return c

    def _create_from(self, p: Parsed) -> FakeContainer:
        if not p.args:
            raise DockerError('"docker run" requires at least 1 argument.', 125)
        image_ref, cmd = p.args[0], p.args[1:]
        image = self.world.find_image(image_ref)
        if image is None:
            raise DockerError(f"Unable to find image '{image_ref}' locally", 125)
        name = p.one("--name") or f"fake_{self.world.next_serial()}"
        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", name):
            raise DockerError(
                f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", 125
            )
        existing = next((c for c in self.world.containers.values() if c.name == name), None)
        if existing is not None:
            raise DockerError(
                f'Conflict. The container name "/{name}" is already in use by container '
                f'"{existing.id}". You have to remove (or rename) that container to be able '
                "to reuse that name.",
                125,
            )
        cid = fake_id("container", name, self.world.next_serial())
        c = FakeContainer(cid, name, image_ref, image.id, cmd or list(image.cmd), created=self.world.now())
        c.memory = _size(p.one("-m", "--memory") or "0")
        if p.one("-m", "--memory") and c.memory < 6 * (1 << 20):
            raise DockerError("Minimum memory limit allowed is 6MB", 125)
        c.nano_cpus = int(float(p.one("--cpus") or 0) * 1e9)
        c.cpu_quota = int(p.one("--cpu-quota") or 0)
        pids = p.one("--pids-limit")
        c.pids_limit = int(pids) if pids else None
        c.restart = p.one("--restart") or "no"
        c.auto_remove = p.has("--rm")
        c.labels = dict(item.partition("=")[::2] for item in p.all("-l", "--label"))
        c.env = p.all("-e", "--env")
        c.pid_mode = p.one("--pid") or ""
        c.ns = {k: int(fake_id("ns", cid, k)[:8], 16) for k in HOST_NS}
        if c.pid_mode == "host":
            c.ns["pid"] = HOST_NS["pid"]
        network = p.one("--network", "--net") or "bridge"
        self._attach_network(c, network)
        for spec in p.all("-p", "--publish"):
            host, _, inner = spec.rpartition(":")
            port, _, proto = inner.partition("/")
            c.ports.setdefault(f"{port}/{proto or 'tcp'}", []).append(
                int(host.rsplit(":", 1)[-1]) if host else 32768
            )
        for spec in p.all("-v", "--volume"):
            c.mounts.append(self._mount(spec))
        self.world.containers[cid] = c
        self.world.emit("container", "create", cid, name=name, image=image_ref)
        return c

    def _attach_network(self, c: FakeContainer, network: str) -> None:
        c.network_mode = network
        if network.startswith("container:"):
            other = self._container(network.split(":", 1)[1])
            c.networks = []
            c.ns["net"] = other.ns.get("net", 0)
            return
        net = self.world.find_network(network)
        if net is None:
            raise DockerError(f"network {network} not found", 125)
        c.networks = [net["Name"]]
        if network == "host":
            c.ns["net"] = HOST_NS["net"]

    def _mount(self, spec: str) -> dict[str, Any]:
        parts = spec.split(":")
        if len(parts) == 1:
            name = fake_id("anon", spec, self.world.next_serial())
            self._volume_create_named(name, anonymous=True)
            return {"Type": "volume", "Name": name, "Source": "", "Destination": parts[0], "RW": True}
        source, dest = parts[0], parts[1]
        rw = not (len(parts) > 2 and "ro" in parts[2].split(","))
        if source.startswith("/"):
            return {"Type": "bind", "Source": source, "Destination": dest, "RW": rw}
        if source not in self.world.volumes:
            self._volume_create_named(source)
        return {
            "Type": "volume",
            "Name": source,
            "Source": f"/var/lib/fake/volumes/{source}/_data",
            "Destination": dest,
            "RW": rw,
        }

    def _start_container(self, c: FakeContainer) -> str:
        if c.running:
            return ""
        c.started_at = self.world.now()
        c.status = "running"
        c.oom_killed = False
        c.exit_code = 0
        self.world.emit("container", "start", c.id, name=c.name, image=c.image)
        result = programs.run(c.cmd, c)
        c.logs += result.output
        if result.finished:
            self._exited(c, result.code, oom=result.oom)
        return result.output

    def _exited(self, c: FakeContainer, code: int, oom: bool = False) -> None:
        if oom:
            self.world.emit("container", "oom", c.id, name=c.name, image=c.image)
        c.status, c.exit_code, c.oom_killed, c.paused = "exited", code, oom, False
        self.world.emit("container", "die", c.id, name=c.name, image=c.image, exitCode=str(code))
        if c.auto_remove:
            self._remove(c, volumes=True)

    def _remove(self, c: FakeContainer, volumes: bool) -> None:
        del self.world.containers[c.id]
        self.world.emit("container", "destroy", c.id, name=c.name, image=c.image)
        if volumes:
            for m in c.mounts:
                if m.get("Type") == "volume" and self.world.volumes.get(m["Name"], {}).get("anonymous"):
                    del self.world.volumes[m["Name"]]

    def _run(self, argv: list[str]) -> str:
        p = parse(argv, _VALUED - {"-d", "-t", "-f"}, stop_at_positional=True)
        c = self._create_from(p)
        output = self._start_container(c)
        if p.has("-d", "--detach"):
            return c.id + "\n"
        if c.running:
            raise DockerError("the fake cannot attach to a container that keeps running; use -d", 125)
        if c.exit_code:
            raise _Exit(c.exit_code, output)
        return output

    def _create(self, argv: list[str]) -> str:
        p = parse(argv, _VALUED - {"-d", "-t", "-f"}, stop_at_positional=True)
        return self._create_from(p).id + "\n"

    def _start(self, argv: list[str]) -> str:
        out = ""
        for ref in parse(argv, set()).args:
            c = self._container(ref)
            self._start_container(c)
            out += ref + "\n"
        return out

    def _stop(self, argv: list[str]) -> str:
        p = parse(argv, {"-t", "--time", "-s", "--signal"})
        out = ""
        for ref in p.args:
            c = self._container(ref)
            if c.running:
                self.world.emit("container", "kill", c.id, name=c.name, signal="15")
                # PID 1 of a namespace ignores SIGTERM unless it handles it: killed after -t.
                self.world.emit("container", "kill", c.id, name=c.name, signal="9")
                self._exited(c, 137)
                self.world.emit("container", "stop", c.id, name=c.name)
            out += ref + "\n"
        return out

    def _kill(self, argv: list[str]) -> str:
        p = parse(argv, {"-s", "--signal"})
        signal = (p.one("-s", "--signal") or "KILL").upper().removeprefix("SIG")
        out = ""
        for ref in p.args:
            c = self._container(ref)
            if not c.running:
                raise DockerError(f"Cannot kill container: {ref}: container {c.id} is not running")
            self.world.emit("container", "kill", c.id, name=c.name, signal=signal)
            if signal in ("KILL", "9"):
                self._exited(c, 137)
            out += ref + "\n"
        return out

    def _restart(self, argv: list[str]) -> str:
        p = parse(argv, {"-t", "--time"})
        for ref in p.args:
            c = self._container(ref)
            if c.running:
                self._exited(c, 137)
            self._start_container(c)
        return "\n".join(p.args) + "\n"

    def _pause(self, argv: list[str]) -> str:
        for ref in argv:
            c = self._container(ref)
            if c.status != "running":
                raise DockerError(f"Container {c.id} is not running")
            c.status = "paused"
            self.world.emit("container", "pause", c.id, name=c.name)
        return "\n".join(argv) + "\n"

    def _unpause(self, argv: list[str]) -> str:
        for ref in argv:
            c = self._container(ref)
            if c.status != "paused":
                raise DockerError(f"Container {c.id} is not paused")
            c.status = "running"
            self.world.emit("container", "unpause", c.id, name=c.name)
        return "\n".join(argv) + "\n"

    def _rm(self, argv: list[str]) -> str:
        p = parse(argv, set())
        out = ""
        errors = []
        for ref in p.args:
            c = self.world.find_container(ref)
            if c is None:
                errors.append(f"No such container: {ref}")
                continue
            if c.running and not p.has("-f", "--force"):
                errors.append(
                    f"You cannot remove a running container {c.id}. Stop the container before "
                    "attempting removal or force remove"
                )
                continue
            if c.running:
                self.world.emit("container", "kill", c.id, name=c.name, signal="9")
                c.status, c.exit_code = "exited", 137
                self.world.emit("container", "die", c.id, name=c.name, exitCode="137")
            self._remove(c, volumes=p.has("-v", "--volumes"))
            out += ref + "\n"
        if errors:
            raise _Exit(1, out + "".join(f"Error response from daemon: {e}\n" for e in errors))
        return out

    def _exec(self, argv: list[str]) -> str:
        p = parse(argv, {"-e", "--env", "-w", "--workdir", "-u", "--user"}, stop_at_positional=True)
        if len(p.args) < 2:
            raise DockerError('"docker exec" requires at least 2 arguments.', 1)
        c = self._container(p.args[0])
        if c.status != "running":
            raise DockerError(
                f"container {c.id} is not running"
                if c.status != "paused"
                else f"Container {c.id} is paused, unpause the container before exec",
                1,
            )
        self.world.emit("container", "exec_start: " + " ".join(p.args[1:]), c.id, name=c.name)
        result = programs.run(p.args[1:], c)
        if result.code:
            raise _Exit(result.code, result.output)
        return result.output

    def _logs(self, argv: list[str]) -> str:
        p = parse(argv, {"--tail", "-n"})
        return self._container(p.args[0]).logs

    def _wait(self, argv: list[str]) -> str:
        return "".join(f"{self._container(ref).exit_code}\n" for ref in argv)

    def _rename(self, argv: list[str]) -> str:
        c = self._container(argv[0])
        c.name = argv[1]
        self.world.emit("container", "rename", c.id, name=c.name)
        return ""

    def _ps(self, argv: list[str]) -> str:
        p = parse(argv, {"-f", "--filter", "--format"})
        rows = [c for c in self.world.containers.values() if p.has("-a", "--all") or c.running]
        for f in p.all("-f", "--filter"):
            key, _, value = f.partition("=")
            if key == "name":
                rows = [c for c in rows if value in c.name]
            elif key == "status":
                rows = [c for c in rows if c.status == value]
        if p.has("-q", "--quiet"):
            return "".join(c.id[:12] + "\n" for c in rows)
        fmt = p.one("--format")
        if fmt:
            return "".join(
                _template(
                    fmt,
                    {
                        "Names": c.name,
                        "ID": c.id[:12],
                        "Image": c.image,
                        "Status": c.status,
                        "State": c.status,
                    },
                )
                + "\n"
                for c in rows
            )
        lines = ["CONTAINER ID   IMAGE     COMMAND   STATUS    NAMES"]
        lines += [f'{c.id[:12]}   {c.image}   "{" ".join(c.cmd)[:20]}"   {c.status}   {c.name}' for c in rows]
        return "\n".join(lines) + "\n"

    def _inspect(self, argv: list[str]) -> str:
        p = parse(argv, {"-f", "--format", "--type"})
        docs = []
        for ref in p.args:
            c = self.world.find_container(ref)
            if c is not None:
                docs.append(self.world.container_doc(c))
                continue
            image = self.world.find_image(ref)
            if image is not None:
                docs.append(self.world.image_doc(image))
                continue
            if ref in self.world.volumes:
                docs.append(self.world.volumes[ref])
                continue
            net = self.world.find_network(ref)
            if net is None:
                raise DockerError(f"No such object: {ref}")
            docs.append(net)
        fmt = p.one("-f", "--format")
        if fmt:
            return "".join(_template(fmt, d) + "\n" for d in docs)
        return json.dumps(docs, indent=4) + "\n"

    # -- images -----------------------------------------------------------------------------------

    def _images(self, argv: list[str]) -> str:
        p = parse(argv, {"-f", "--filter", "--format"})
        rows = list(self.world.images.values())
        if p.args:
            wanted = self.world.find_image(p.args[0])
            rows = [wanted] if wanted else []
        if p.has("-q", "--quiet"):
            return "".join(i.id[7:19] + "\n" for i in rows)
        return "REPOSITORY   TAG   IMAGE ID\n" + "".join(
            f"{t.split(':')[0]}   {t.split(':')[-1]}   {i.id[7:19]}\n" for i in rows for t in i.tags
        )

    def _tag(self, argv: list[str]) -> str:
        source, target = argv[0], argv[1]
        image = self.world.find_image(source)
        if image is None:
            raise DockerError(f"No such image: {source}")
        from sandbox.lessons.refs import normalize_ref

        for other in self.world.images.values():
            other.tags = [t for t in other.tags if normalize_ref(t) != normalize_ref(target)]
        image.tags.append(target if ":" in target.rsplit("/", 1)[-1] else target + ":latest")
        self.world.emit("image", "tag", image.id, name=target)
        return ""

    def _rmi(self, argv: list[str]) -> str:
        p = parse(argv, set())
        out = ""
        for ref in p.args:
            image = self.world.find_image(ref)
            if image is None:
                raise DockerError(f"No such image: {ref}")
            users = [c.name for c in self.world.containers.values() if c.image_id == image.id]
            if users and not p.has("-f", "--force"):
                raise DockerError(
                    f'conflict: unable to remove repository reference "{ref}" (must force) - '
                    f"container {users[0]} is using its referenced image {image.id[7:19]}"
                )
            from sandbox.lessons.refs import normalize_ref

            named = [t for t in image.tags if normalize_ref(t) == normalize_ref(ref)]
            if named and len(image.tags) > 1 and not p.has("-f", "--force"):
                image.tags.remove(named[0])
                self.world.emit("image", "untag", image.id, name=named[0])
                out += f"Untagged: {named[0]}\n"
                continue
            key = next(k for k, v in self.world.images.items() if v is image)
            del self.world.images[key]
            self.world.emit("image", "delete", image.id, name=ref)
            out += "".join(f"Untagged: {t}\n" for t in image.tags) + f"Deleted: {image.id}\n"
        return out

    def _pull(self, argv: list[str]) -> str:
        ref = argv[0]
        if self.world.find_image(ref) is None:
            raise DockerError(f"pull access denied for {ref} (the fake world has no registry)")
        return f"Status: Image is up to date for {ref}\n"

    def _build_fake(self, tag: str, parent: str, steps: list[str]) -> FakeImage:
        """For tests of image checks: an image ``tag`` on top of ``parent`` with more steps."""
        from sandbox.lessons.refs import normalize_ref

        base = self.world.find_image(parent)
        if base is None:
            raise DockerError(f"No such image: {parent}")
        for other in self.world.images.values():  # the tag moves to the new image, as with build -t
            other.tags = [t for t in other.tags if normalize_ref(t) != normalize_ref(tag)]
        image = FakeImage(
            "sha256:" + fake_id("image", tag, self.world.next_serial()),
            [tag],
            base.layers + ["sha256:" + fake_id("layer", s) for s in steps],
            base.history + steps,
            created=self.world.now(),
        )
        self.world.images[image.id] = image
        self.world.emit("image", "tag", image.id, name=tag)
        return image

    # -- volumes and networks ------------------------------------------------------------------------

    def _volume_create_named(
        self, name: str, anonymous: bool = False, labels: dict[str, str] | None = None
    ) -> None:
        self.world.volumes[name] = {
            "Name": name,
            "Driver": "local",
            "Labels": labels or {},
            "Mountpoint": f"/var/lib/fake/volumes/{name}/_data",
            "anonymous": anonymous,
        }
        self.world.emit("volume", "create", name, driver="local")

    def _volume_create(self, argv: list[str]) -> str:
        p = parse(argv, {"--label", "-l", "--driver", "-d"})
        name = p.args[0] if p.args else fake_id("vol", self.world.next_serial())
        if name not in self.world.volumes:
            self._volume_create_named(
                name, labels=dict(x.partition("=")[::2] for x in p.all("--label", "-l"))
            )
        return name + "\n"

    def _volume_ls(self, argv: list[str]) -> str:
        p = parse(argv, {"--format", "-f", "--filter"})
        if p.has("-q", "--quiet"):
            return "".join(f"{n}\n" for n in self.world.volumes)
        return "DRIVER    VOLUME NAME\n" + "".join(f"local     {n}\n" for n in self.world.volumes)

    def _volume_inspect(self, argv: list[str]) -> str:
        return self._inspect(argv)

    def _volume_rm(self, argv: list[str]) -> str:
        p = parse(argv, set())
        for name in p.args:
            if name not in self.world.volumes:
                raise DockerError(f"get {name}: no such volume")
            users = [
                c.name for c in self.world.containers.values() if any(m.get("Name") == name for m in c.mounts)
            ]
            if users:
                raise DockerError(f"remove {name}: volume is in use - [{users[0]}]", 1)
            del self.world.volumes[name]
            self.world.emit("volume", "destroy", name)
        return "\n".join(p.args) + "\n"

    def _network_create(self, argv: list[str]) -> str:
        p = parse(argv, {"--driver", "-d", "--subnet", "--label"})
        name = p.args[0]
        if self.world.find_network(name) is not None:
            raise DockerError(f"network with name {name} already exists")
        nid = fake_id("net", name, self.world.next_serial())
        subnet = p.one("--subnet")
        self.world.networks[name] = {
            "Name": name,
            "Id": nid,
            "Driver": p.one("--driver", "-d") or "bridge",
            "Internal": p.has("--internal"),
            "Labels": {},
            "Containers": {},
            "IPAM": {"Config": [{"Subnet": subnet}] if subnet else []},
        }
        self.world.emit("network", "create", nid, name=name)
        return nid + "\n"

    def _network_rm(self, argv: list[str]) -> str:
        for ref in argv:
            net = self.world.find_network(ref)
            if net is None:
                raise DockerError(f"network {ref} not found")
            users = [c.name for c in self.world.containers.values() if net["Name"] in c.networks]
            if users:
                raise DockerError(
                    f"error while removing network: network {ref} id {net['Id']} has active endpoints"
                )
            del self.world.networks[net["Name"]]
            self.world.emit("network", "destroy", net["Id"], name=net["Name"])
        return "\n".join(argv) + "\n"

    def _network_connect(self, argv: list[str]) -> str:
        net = self.world.find_network(argv[0])
        if net is None:
            raise DockerError(f"network {argv[0]} not found")
        c = self._container(argv[1])
        if net["Name"] not in c.networks:
            c.networks.append(net["Name"])
        self.world.emit("network", "connect", net["Id"], name=net["Name"], container=c.id)
        return ""

    def _network_ls(self, argv: list[str]) -> str:
        return "NETWORK ID     NAME      DRIVER\n" + "".join(
            f"{n['Id'][:12]}   {n['Name']}   {n['Driver']}\n" for n in self.world.networks.values()
        )

    def _network_inspect(self, argv: list[str]) -> str:
        return self._inspect(argv)


class _Exit(DockerError):
    """A command that printed ``output`` and ended with ``code`` (docker run's exit code)."""

    def __init__(self, code: int, output: str) -> None:
        super().__init__(output, code)
        self.output = output


def _template(fmt: str, doc: dict[str, Any]) -> str:
    """``{{.State.Status}}`` and ``{{json .Mounts}}`` only: enough for verify scripts."""

    def field_value(match: re.Match[str]) -> str:
        value: Any = doc
        for part in match.group(2).split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        if match.group(1):
            return json.dumps(value, separators=(",", ":"))
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return "<no value>" if value is None else str(value)

    return re.sub(r"\{\{\s*(json\s+)?((?:\.[A-Za-z0-9_]+)+|\.)\s*\}\}", field_value, fmt)
