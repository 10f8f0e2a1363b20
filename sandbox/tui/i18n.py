"""The UI's own words in English and Chinese. Lesson text comes from the lessons; these
are the labels, notices and key descriptions around it."""

from __future__ import annotations

_STRINGS: dict[str, tuple[str, str]] = {
    # key: (en, zh)
    "app.title": ("sandbox — containers from the inside", "sandbox — 从内部理解容器"),
    "lessons.title": ("Lessons", "课程"),
    "lessons.progress": ("{done} of {total} lessons done", "已完成 {done}/{total} 门课程"),
    "lessons.loading": ("Loading lessons…", "正在加载课程…"),
    "lessons.none": ("No lessons found.", "没有找到课程。"),
    "lessons.requires": ("after: {ids}", "先学：{ids}"),
    "lessons.needs_root": ("needs root", "需要 root"),
    "lesson.step": ("step {n}/{total}", "第 {n}/{total} 步"),
    "lesson.loading": ("Opening the lesson…", "正在打开课程…"),
    "lesson.complete": ("Lesson complete. Esc returns to the list.", "课程完成！按 Esc 返回列表。"),
    "step.passed": ("✓ Step {n} done.", "✓ 第 {n} 步完成。"),
    "step.failed": ("✗ Not yet: {message}", "✗ 还没有完成：{message}"),
    "step.checking": ("Checking…", "正在检查…"),
    "hint.tier": ("Hint {tier}/{total}: {text}", "提示 {tier}/{total}：{text}"),
    "hint.none": ("This step has no hints.", "这一步没有提示。"),
    "hint.last": ("(that was the last hint)", "（这是最后一条提示）"),
    "input.placeholder": ("type a docker command, Tab completes, ↑ history", "输入 docker 命令，Tab 补全，↑ 历史"),
    "output.running": ("running: {line}", "正在运行：{line}"),
    "output.exit": ("exit code {code}", "退出码 {code}"),
    "output.interactive": ("handing the terminal to: {line}", "把终端交给：{line}"),
    "output.back": ("back from `{line}` (exit code {code})", "已从 `{line}` 返回（退出码 {code}）"),
    "output.docker_only": ("Only `docker …` commands run here.", "这里只能运行 `docker …` 命令。"),
    "reset.confirm": (("Reset this lesson? Its containers, images, networks and volumes are removed and "
                       "its progress is forgotten."), "重置本课？将删除本课创建的容器、镜像、网络和卷，并清除进度。"),
    "reset.done": ("Lesson reset.", "课程已重置。"),
    "confirm.yes": ("y  Yes", "y  是"),
    "confirm.no": ("n  No", "n  否"),
    "picture.none": ("No picture for this step yet: run a command.", "这一步还没有图：先运行一条命令。"),
    "picture.loading": ("Reading from the engine…", "正在从引擎读取…"),
    "picture.unknown": ("Unknown picture {name!r}.", "未知的图 {name!r}。"),
    "picture.need_container": ("Run or name a container to see its {what}.", "运行或指定一个容器以查看它的{what}。"),
    "picture.need_image": ("Name an image (docker history IMAGE) to see its layers.",
                           "指定一个镜像（docker history 镜像）以查看其分层。"),
    "picture.waiting": ("Waiting for {name} to be created…", "等待 {name} 被创建…"),
    "picture.not_started": ("{name} is created but not started: it has no processes and no cgroup yet.",
                            "{name} 已创建但尚未启动：它还没有进程，也没有 cgroup。"),
    "picture.no_trace": ("The last command left no runtime records.", "上一条命令没有产生运行时记录。"),
    "path.prompt": ("Which path? (as seen inside the container)", "哪个路径？（容器内看到的路径）"),
    "help.title": ("Keys", "按键"),
    "help.close": ("Esc or F1 closes this help.", "按 Esc 或 F1 关闭帮助。"),
    "engine.lost": ("The engine stopped answering: {message}", "引擎没有响应：{message}"),
    "engine.back": ("The engine is back.", "引擎已恢复。"),
    "what.namespaces": ("namespaces", "命名空间"),
    "what.cgroups": ("cgroup meters", "cgroup 仪表"),
    "what.layers": ("layers", "分层"),
    "what.network": ("network", "网络"),
    "what.trace": ("runtime trace", "运行时记录"),
    # key descriptions (help screen and footer)
    "key.help": ("Help", "帮助"),
    "key.hint": ("Hint", "提示"),
    "key.lang": ("中文", "English"),
    "key.reset": ("Reset", "重置"),
    "key.check": ("Check", "检查"),
    "key.picture": ("Picture", "图"),
    "key.path": ("Path", "路径"),
    "key.prev_step": ("Prev step", "上一步"),
    "key.next_step": ("Next step", "下一步"),
    "key.back": ("Lessons", "课程列表"),
    "key.quit": ("Quit", "退出"),
    "key.open": ("Open", "打开"),
    "key.complete": ("Complete the command", "补全命令"),
    "key.history": ("Previous / next command", "上一条/下一条命令"),
    "key.scroll": ("Scroll the step text", "滚动步骤文字"),
    "key.theme": ("Light / dark", "浅色/深色"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when missing), formatted with ``values``."""
    en, zh = _STRINGS.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def keys() -> list[str]:
    return list(_STRINGS)


def other_lang(lang: str) -> str:
    return "en" if lang == "zh" else "zh"
