"""``docker login`` / ``docker logout``: the engine checks the credentials (``POST /auth``);
the client keeps them in the user's config.json, as the docker CLI does, and sends them
with every pull and push of that registry."""

from __future__ import annotations

import argparse
import getpass
import sys

from sandbox.dockerconfig import DOCKER_HUB_CONFIG_KEY, Credential, config_key
from sandbox.errors import UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_login() -> DockerArgumentParser:
    p = DockerArgumentParser("login", "docker login [OPTIONS] [SERVER]", "Authenticate to a registry")
    p.add_argument("-u", "--username", default="", help="Username")
    p.add_argument("-p", "--password", default="", help="Password or Personal Access Token (PAT)")
    p.add_argument("--password-stdin", action="store_true", help="Take the Password or Personal Access Token "
                                                                  "(PAT) from stdin")
    return p


def parser_logout() -> DockerArgumentParser:
    return DockerArgumentParser("logout", "docker logout [SERVER]", "Log out from a registry")


def _shown(key: str) -> str:
    return "Docker Hub" if key == DOCKER_HUB_CONFIG_KEY else key


def _password(ctx: Context, ns: argparse.Namespace) -> str:
    if ns.password_stdin:
        if ns.password:
            raise UsageError("login", "--password and --password-stdin are mutually exclusive", exit_code=1)
        if not ns.username:
            raise UsageError("login", "Must provide --username with --password-stdin", exit_code=1)
        stream = ctx.stdin if ctx.stdin is not None else sys.stdin
        return str(stream.read()).rstrip("\r\n")
    if ns.password:
        ctx.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
        return str(ns.password)
    if not ctx.stdin_is_tty():
        raise UsageError("login", "cannot perform an interactive login from a non TTY device", exit_code=1)
    return getpass.getpass("Password: ")


def run_login(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_login(), ns.args, 0, 1)
    server = ns.args[0] if ns.args else None
    key = config_key(server)
    username = ns.username
    if not username:
        if not ctx.stdin_is_tty():
            raise UsageError("login", "cannot perform an interactive login from a non TTY device", exit_code=1)
        username = input("Username: ").strip()
    password = _password(ctx, ns)
    if not username or not password:
        raise UsageError("login", "Username and password are both needed", exit_code=1)
    answer = imageapi.login(ctx, {"username": username, "password": password, "serveraddress": key})
    token = str(answer.get("IdentityToken") or "")
    stored = Credential(username=username, password="" if token else password, identity_token=token)
    imageapi.config(ctx).store(key, stored)
    ctx.err(f"WARNING! Your credentials are stored unencrypted in '{imageapi.config(ctx).path}'.")
    ctx.out(str(answer.get("Status") or "Login Succeeded"))
    return 0


def run_logout(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_logout(), ns.args, 0, 1)
    key = config_key(ns.args[0] if ns.args else None)
    if not imageapi.config(ctx).erase(key):
        ctx.out(f"Not logged in to {_shown(key)}")
        return 0
    ctx.out(f"Removing login credentials for {_shown(key)}")
    return 0
