"""Every message a check can give, in each language of the course.

A failed check is what a stuck learner reads, so it says what is wrong *and* what it saw,
in the learner's language. Parameters may themselves be ``Text`` (a translated noun); they
are picked in the same language as the message around them.
"""

from __future__ import annotations

from typing import Any

from ..text import LANGS, Text

CATALOG: dict[str, dict[str, str]] = {
    "ok": {"en": "ok", "zh": "通过"},
    "no_check": {
        "en": "this step has nothing to check: read it, then go on",
        "zh": "此步骤无需检查：读完即可继续",
    },
    # containers
    "container_missing": {"en": "there is no container named {name}", "zh": "没有名为 {name} 的容器"},
    "container_still_there": {
        "en": "container {name} still exists ({seen}); expected it to be removed",
        "zh": "容器 {name} 仍然存在（{seen}），应当已被删除",
    },
    "container_status": {
        "en": "container {name} is {seen}, expected {want}",
        "zh": "容器 {name} 的状态是 {seen}，应为 {want}",
    },
    "container_no_exit": {
        "en": "container {name} is {seen} and has not exited yet; expected exit code {want}",
        "zh": "容器 {name} 的状态是 {seen}，还没有退出；期望退出码 {want}",
    },
    "container_exit": {
        "en": "container {name} exited with code {seen}, expected {want}",
        "zh": "容器 {name} 的退出码是 {seen}，应为 {want}",
    },
    "container_image": {
        "en": "container {name} runs image {seen}, expected {want}",
        "zh": "容器 {name} 使用的镜像是 {seen}，应为 {want}",
    },
    "container_setting": {
        "en": "container {name} has {what} {seen}, expected {want}",
        "zh": "容器 {name} 的{what}是 {seen}，应为 {want}",
    },
    "container_mount_missing": {
        "en": "container {name} has nothing mounted at {dest}; its mounts: {seen}",
        "zh": "容器 {name} 在 {dest} 没有挂载；它现有的挂载：{seen}",
    },
    "container_mount_field": {
        "en": "the mount at {dest} in container {name} has {what} {seen}, expected {want}",
        "zh": "容器 {name} 在 {dest} 的挂载的{what}是 {seen}，应为 {want}",
    },
    "container_network": {
        "en": "container {name} is not on network {want}; it is on: {seen}",
        "zh": "容器 {name} 不在网络 {want} 上；它在：{seen}",
    },
    "container_port_missing": {
        "en": "container {name} does not publish port {port}; it publishes: {seen}",
        "zh": "容器 {name} 没有发布端口 {port}；已发布的端口：{seen}",
    },
    "container_port_host": {
        "en": "container {name} publishes port {port} on host port {seen}, expected {want}",
        "zh": "容器 {name} 把端口 {port} 发布到了主机端口 {seen}，应为 {want}",
    },
    "container_oom": {
        "en": "container {name} was killed by the out-of-memory killer, expected it not to be",
        "zh": "容器 {name} 被 OOM killer 杀死了，期望它没有被杀死",
    },
    "container_not_oom": {
        "en": "container {name} was not killed by the out-of-memory killer ({seen})",
        "zh": "容器 {name} 没有被 OOM killer 杀死（{seen}）",
    },
    "label": {
        "en": "{what} {name} has label {key}={seen}, expected {want}",
        "zh": "{what} {name} 的标签 {key}={seen}，应为 {want}",
    },
    "logs_missing": {
        "en": "the output of container {name} does not contain {want}; it printed: {seen}",
        "zh": "容器 {name} 的输出中没有 {want}；它输出的是：{seen}",
    },
    # images
    "image_missing": {"en": "there is no image {ref}", "zh": "没有镜像 {ref}"},
    "image_still_there": {
        "en": "image {ref} still exists ({seen}); expected it to be removed",
        "zh": "镜像 {ref} 仍然存在（{seen}），应当已被删除",
    },
    "image_layers": {
        "en": "image {ref} has {seen} layers, expected {want}",
        "zh": "镜像 {ref} 有 {seen} 层，应为 {want} 层",
    },
    "image_history": {
        "en": "no step in the history of image {ref} contains {want}; its steps: {seen}",
        "zh": "镜像 {ref} 的历史中没有包含 {want} 的步骤；它的步骤：{seen}",
    },
    "image_same": {
        "en": "image {ref} is {seen} but {other} is {want}: they are different images",
        "zh": "镜像 {ref} 是 {seen}，而 {other} 是 {want}：它们不是同一个镜像",
    },
    # volumes and networks
    "volume_missing": {"en": "there is no volume named {name}", "zh": "没有名为 {name} 的数据卷"},
    "volume_still_there": {
        "en": "volume {name} still exists; expected it to be removed",
        "zh": "数据卷 {name} 仍然存在，应当已被删除",
    },
    "volume_field": {
        "en": "volume {name} has {what} {seen}, expected {want}",
        "zh": "数据卷 {name} 的{what}是 {seen}，应为 {want}",
    },
    "volume_unused": {
        "en": "container {container} does not mount volume {name}; its mounts: {seen}",
        "zh": "容器 {container} 没有挂载数据卷 {name}；它的挂载：{seen}",
    },
    "network_missing": {"en": "there is no network named {name}", "zh": "没有名为 {name} 的网络"},
    "network_still_there": {
        "en": "network {name} still exists; expected it to be removed",
        "zh": "网络 {name} 仍然存在，应当已被删除",
    },
    "network_field": {
        "en": "network {name} has {what} {seen}, expected {want}",
        "zh": "网络 {name} 的{what}是 {seen}，应为 {want}",
    },
    "network_member": {
        "en": "container {container} is not connected to network {name}; connected: {seen}",
        "zh": "容器 {container} 没有连接到网络 {name}；已连接的：{seen}",
    },
    # files
    "file_missing": {"en": "{container}:{path} does not exist", "zh": "{container}:{path} 不存在"},
    "file_still_there": {
        "en": "{container}:{path} exists; expected it to be gone",
        "zh": "{container}:{path} 仍然存在，应当已不存在",
    },
    "file_kind": {
        "en": "{container}:{path} is a {seen}, expected a {want}",
        "zh": "{container}:{path} 是 {seen}，应为 {want}",
    },
    "file_content": {
        "en": "{container}:{path} holds {seen}, expected {want}",
        "zh": "{container}:{path} 的内容是 {seen}，应为 {want}",
    },
    "file_contains": {
        "en": "{container}:{path} does not contain {want}; it holds {seen}",
        "zh": "{container}:{path} 中没有 {want}；其内容是 {seen}",
    },
    "file_mode": {
        "en": "{container}:{path} has mode {seen}, expected {want}",
        "zh": "{container}:{path} 的权限是 {seen}，应为 {want}",
    },
    # commands
    "command_exit": {
        "en": "`{cmd}` exited with {seen}, expected {want}; it printed: {out}",
        "zh": "`{cmd}` 的退出码是 {seen}，应为 {want}；输出：{out}",
    },
    "command_output": {
        "en": "the output of `{cmd}` does not match {want}; it printed: {out}",
        "zh": "`{cmd}` 的输出不匹配 {want}；输出：{out}",
    },
    "exec_not_running": {
        "en": "cannot run `{cmd}` in container {name}: it is {seen}, not running",
        "zh": "无法在容器 {name} 中运行 `{cmd}`：它的状态是 {seen}，没有在运行",
    },
    # http
    "http_failed": {"en": "GET {url} failed: {seen}", "zh": "GET {url} 失败：{seen}"},
    "http_status": {
        "en": "GET {url} answered {seen}, expected {want}",
        "zh": "GET {url} 返回 {seen}，应为 {want}",
    },
    "http_contains": {
        "en": "the page at {url} does not contain {want}; it begins: {seen}",
        "zh": "{url} 的页面中没有 {want}；页面开头是：{seen}",
    },
    # kernel views
    "not_running": {
        "en": "container {name} is {seen}; its {what} can only be read while it runs",
        "zh": "容器 {name} 的状态是 {seen}；只有在运行时才能读取它的{what}",
    },
    "ns_shared": {
        "en": "container {name} shares the {ns} namespace with {other} (both {seen}); expected its own",
        "zh": "容器 {name} 与{other}共享 {ns} 命名空间（都是 {seen}），应当有自己的",
    },
    "ns_separate": {
        "en": "container {name} has its own {ns} namespace ({seen} vs {want}); "
        "expected it to share {other}'s",
        "zh": "容器 {name} 有自己的 {ns} 命名空间（{seen} 对 {want}），应当与{other}共享",
    },
    "cgroup_value": {
        "en": "the cgroup of container {name} has {what} {seen}, expected {want}",
        "zh": "容器 {name} 的 cgroup 中{what}是 {seen}，应为 {want}",
    },
    "cgroup_below": {
        "en": "the cgroup of container {name} has {what} {seen}, expected below {want}",
        "zh": "容器 {name} 的 cgroup 中{what}是 {seen}，应低于 {want}",
    },
    "cgroup_above": {
        "en": "the cgroup of container {name} has {what} {seen}, expected above {want}",
        "zh": "容器 {name} 的 cgroup 中{what}是 {seen}，应高于 {want}",
    },
    "cgroup_no_file": {
        "en": "the cgroup of container {name} has no file {file}; it has: {seen}",
        "zh": "容器 {name} 的 cgroup 中没有文件 {file}；现有：{seen}",
    },
    # events
    "event_missing": {
        "en": "no '{action}' event for {type} {name} since this step began; seen: {seen}",
        "zh": "本步骤开始以来没有 {type} {name} 的 '{action}' 事件；看到的事件：{seen}",
    },
    "event_missing_lesson": {
        "en": "no '{action}' event for {type} {name} since this lesson began; seen: {seen}",
        "zh": "本课程开始以来没有 {type} {name} 的 '{action}' 事件；看到的事件：{seen}",
    },
    # combinators
    "none_of": {"en": "none of these holds: {items}", "zh": "以下条件都不满足：{items}"},
    "all_of": {"en": "{items}", "zh": "{items}"},
    # words used inside messages
    "none": {"en": "none", "zh": "无"},
    "the_host": {"en": "the host", "zh": "主机"},
    "container_word": {"en": "container", "zh": "容器"},
    "image_word": {"en": "image", "zh": "镜像"},
    "volume_word": {"en": "volume", "zh": "数据卷"},
    "network_word": {"en": "network", "zh": "网络"},
    "namespaces_word": {"en": "namespaces", "zh": "命名空间"},
    "cgroup_word": {"en": "cgroup", "zh": "cgroup"},
    "exec_word": {"en": "processes", "zh": "进程"},
}

WHAT: dict[str, dict[str, str]] = {
    "memory_limit": {"en": "memory limit", "zh": "内存限制"},
    "cpus": {"en": "CPU limit (--cpus)", "zh": "CPU 限制（--cpus）"},
    "cpu_quota": {"en": "CPU quota (--cpu-quota)", "zh": "CPU 配额（--cpu-quota）"},
    "pids_limit": {"en": "pids limit", "zh": "进程数限制"},
    "pids_max": {"en": "pids limit", "zh": "进程数限制"},
    "restart_policy": {"en": "restart policy", "zh": "重启策略"},
    "env": {"en": "environment variable", "zh": "环境变量"},
    "memory_usage": {"en": "memory usage", "zh": "内存用量"},
    "pids_current": {"en": "process count", "zh": "进程数"},
    "oom_kills": {"en": "OOM kill count", "zh": "OOM 杀进程次数"},
    "cpu_usage": {"en": "CPU time used (ns)", "zh": "已用 CPU 时间（纳秒）"},
    "driver": {"en": "driver", "zh": "驱动"},
    "subnet": {"en": "subnet", "zh": "子网"},
    "internal": {"en": "internal flag", "zh": "internal 标志"},
    "source": {"en": "source", "zh": "来源"},
    "type": {"en": "type", "zh": "类型"},
    "rw": {"en": "read-write flag", "zh": "读写标志"},
    "file": {"en": "file", "zh": "文件"},
    "dir": {"en": "directory", "zh": "目录"},
    "symlink": {"en": "symbolic link", "zh": "符号链接"},
}


def word(key: str) -> Text:
    entry = CATALOG.get(key) or WHAT.get(key)
    if entry is None:
        return Text.same(key)
    return Text(entry)


def say(key: str, /, **params: Any) -> Text:
    """The message ``key`` in every language, each with its parameters filled in."""
    entry = CATALOG[key]
    out = Text()
    for lang in LANGS:
        values = {k: (v.pick(lang) if isinstance(v, Text) else v) for k, v in params.items()}
        out[lang] = entry[lang].format(**values)
    return out


def join(texts: list[Text], sep: str = "; ") -> Text:
    """Several messages as one, language by language."""
    return Text({lang: sep.join(t.pick(lang) for t in texts) for lang in LANGS})


def quote(text: str, limit: int = 80) -> str:
    """A short, single-line rendering of something seen, for messages."""
    one = " ".join(text.split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    return repr(one)
