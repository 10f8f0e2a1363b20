"""The words of the plain-text front end (``sandbox lessons …``), in each course language."""

from __future__ import annotations

from typing import Any

WORDS: dict[str, dict[str, str]] = {
    "requires": {"en": "requires", "zh": "先修"},
    "steps": {"en": "steps", "zh": "步骤"},
    "step": {"en": "step", "zh": "步骤"},
    "try": {"en": "try", "zh": "试试"},
    "not_started": {
        "en": "not started: `sandbox lessons start {id}` begins it",
        "zh": "尚未开始：运行 `sandbox lessons start {id}` 开始",
    },
    "passed": {"en": "passed", "zh": "通过"},
    "failed": {"en": "not yet", "zh": "还没有完成"},
    "complete": {"en": "lesson {id} complete", "zh": "课程 {id} 已完成"},
    "next_hint": {
        "en": "stuck? `sandbox lessons hint {id}` gives a hint",
        "zh": "卡住了？运行 `sandbox lessons hint {id}` 查看提示",
    },
    "hint": {"en": "hint {n}/{total} ({kind})", "zh": "提示 {n}/{total}（{kind}）"},
    "nudge": {"en": "where to look", "zh": "思路"},
    "command": {"en": "the command", "zh": "命令"},
    "solution": {"en": "the solution", "zh": "答案"},
    "no_more_hints": {
        "en": "no more hints: `sandbox lessons solve {id} --step` runs the reference solution",
        "zh": "没有更多提示了：运行 `sandbox lessons solve {id} --step` 执行参考答案",
    },
    "removed": {"en": "removed", "zh": "已删除"},
    "not_removed": {"en": "could not remove", "zh": "无法删除"},
    "nothing_to_reset": {
        "en": "nothing to reset: the lesson made nothing (or was not started)",
        "zh": "无需重置：本课程没有创建任何对象（或尚未开始）",
    },
    "reset_done": {
        "en": "lesson {id} reset: start again with `sandbox lessons start {id}`",
        "zh": "课程 {id} 已重置：运行 `sandbox lessons start {id}` 重新开始",
    },
    "step_reset": {"en": "step {step} starts over", "zh": "步骤 {step} 重新开始"},
    "watching": {
        "en": "watching the engine; the step is checked whenever something changes (Ctrl-C stops)",
        "zh": "正在监视引擎；状态一有变化就会检查此步骤（Ctrl-C 停止）",
    },
}


def ui(key: str, lang: str, **params: Any) -> str:
    entry = WORDS[key]
    return (entry.get(lang) or entry["en"]).format(**params)
