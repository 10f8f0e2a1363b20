"""A fake ``docker`` for the ``run_command`` seam: the subset of the CLI lessons use,
acting on a FakeWorld. Its output imitates docker's closely enough for a learner-shaped
test; what matters is the state it leaves, which the checks then read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from sandbox.lessons import shellwords

from . import programs
from .docker_objects import ObjectCommands
from .dockerargs import VALUED, DockerError, Exit, Parsed, parse, size, template
from .world import HOST_NS, FakeContainer, FakeWorld, fake_id


class FakeDocker(ObjectCommands):
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
        except Exit as done:
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
        c.memory = size(p.one("-m", "--memory") or "0")
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
        p = parse(argv, VALUED - {"-d", "-t", "-f"}, stop_at_positional=True)
        c = self._create_from(p)
        output = self._start_container(c)
        if p.has("-d", "--detach"):
            return c.id + "\n"
        if c.running:
            raise DockerError("the fake cannot attach to a container that keeps running; use -d", 125)
        if c.exit_code:
            raise Exit(c.exit_code, output)
        return output

    def _create(self, argv: list[str]) -> str:
        p = parse(argv, VALUED - {"-d", "-t", "-f"}, stop_at_positional=True)
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
            raise Exit(1, out + "".join(f"Error response from daemon: {e}\n" for e in errors))
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
            raise Exit(result.code, result.output)
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
                template(
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
            return "".join(template(fmt, d) + "\n" for d in docs)
        return json.dumps(docs, indent=4) + "\n"
