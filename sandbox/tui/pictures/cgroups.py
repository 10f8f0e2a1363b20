"""The cgroups picture: live meters for memory (usage against the limit, with OOM kills
called out), CPU (the rate between two samples against the quota) and pids, then the
controller files they were read from."""

from __future__ import annotations

from textual.content import Content

from ..format import bar, binary_size, duration_ns, pad, percent, truncate
from .base import Picture, lines
from .models.cgroups import CgroupView


def _meter_style(fraction: float | None) -> str:
    if fraction is None:
        return "$primary"
    if fraction >= 0.9:
        return "$error"
    if fraction >= 0.7:
        return "$warning"
    return "$success"


def _meter(label: str, fraction: float | None, text: str, width: int) -> Content:
    bar_width = max(min(width - 8 - len(text) - 1, 30), 6)
    filled, empty = bar(fraction, bar_width)
    return Content.assemble((pad(label, 8), "bold"), (filled, _meter_style(fraction)), (empty, "$text-muted"), " ",
                            text)


class CgroupsPicture(Picture):
    kind = "cgroups"

    def draw(self, view: CgroupView, width: int) -> Content:
        s = view.sample
        mode = f" ({s.mode})" if s.mode else ""
        out = [Content.assemble(("cgroup of ", "$text-muted"), (view.container, "bold"), (mode, "$text-muted"))]
        if view.ended is not None:
            code = f"exited {view.ended.exit_code}" if view.ended.exit_code is not None else "exited"
            if view.ended.oom_killed:
                out.append(Content.styled(f"✗ OOM-killed, {code}: the kernel killed its main process at the "
                                          "memory limit", "$error bold"))
            else:
                out.append(Content.styled(f"■ {code}; its cgroup went with it. The last reading:", "$warning"))
        used = binary_size(s.memory_usage) if s.memory_usage is not None else "-"
        mem_text = f"{used} / {binary_size(s.memory_limit)}"
        out.append(_meter("memory", view.memory_fraction, mem_text, width))
        if s.oom_kills:
            fresh = f"  (+{view.oom_new} just now)" if view.oom_new else ""
            out.append(Content.assemble(("        ✗ OOM kills: ", "$error bold"), (str(s.oom_kills), "$error bold"),
                                        (fresh, "$error")))
            out.append(Content.styled("        the kernel killed a process at the limit", "$error"))
        else:
            out.append(Content.styled("        OOM kills: 0", "$text-muted"))
        if s.cpu_limit is not None:
            used = f"{view.cpu_rate:.2f}" if view.cpu_rate is not None else "…"
            cpu_text = f"{used} of {s.cpu_limit:g} CPU"
        else:
            cpu_text = f"{view.cpu_rate:.2f} CPU, no quota" if view.cpu_rate is not None else "no quota"
        out.append(_meter("cpu", view.cpu_fraction, cpu_text, width))
        out.append(Content.styled(f"        used {duration_ns(s.cpu_usage_ns)} in all", "$text-muted"))
        pids_text = f"{s.pids_current if s.pids_current is not None else '-'} / " \
                    f"{s.pids_limit if s.pids_limit is not None else '∞'}"
        out.append(_meter("pids", view.pids_fraction, pids_text, width))
        if view.memory_fraction is not None:
            out.append(Content.styled(f"        memory at {percent(view.memory_fraction)} of its limit", "$text-muted"))
        if s.files:
            out.append(Content(""))
            out.append(Content.styled("files", "$text-muted underline"))
            name_width = min(max(len(k) for k in s.files) + 1, width // 2)
            for name, value in s.files.items():
                shown = value.replace("\n", " · ")
                out.append(Content.assemble((pad(name, name_width - 1), "$primary"), " ",
                                            truncate(shown, width - name_width)))
        return lines(out)
