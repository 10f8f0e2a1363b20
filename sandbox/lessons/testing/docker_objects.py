"""The fake docker's image, volume and network commands (a mixin of FakeDocker)."""

from __future__ import annotations

from sandbox.lessons.refs import normalize_ref

from .dockerargs import DockerError, parse
from .world import FakeContainer, FakeImage, FakeWorld, fake_id


class ObjectCommands:
    world: FakeWorld

    def _inspect(self, argv: list[str]) -> str:
        raise NotImplementedError  # FakeDocker's, which knows every kind of object

    def _container(self, ref: str) -> FakeContainer:
        raise NotImplementedError  # FakeDocker's

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

    def build_image(self, tag: str, parent: str, steps: list[str]) -> FakeImage:
        """What a build would leave (tests of image checks): ``tag`` on ``parent`` plus ``steps``."""
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
