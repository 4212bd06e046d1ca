"""One Gradio hot spot, cached: every new session builds the config of each of the app's blocks
(`gradio.state_holder.SessionState`), and each block's `get_config` starts with
`inspect.signature(type(block).__init__)`, which Python recomputes every time. The signature of a
class's `__init__` never changes while the server runs, so `install()` gives `gradio.blocks` an
`inspect` whose `signature` remembers its answers (any other attribute is the real module's).
"""

from __future__ import annotations

import functools
import inspect
import types


class _CachedInspect(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("inspect")
        self._remembered = functools.lru_cache(maxsize=4096)(inspect.signature)

    def signature(self, obj, *args, **kwargs):
        if args or kwargs:
            return inspect.signature(obj, *args, **kwargs)
        try:
            return self._remembered(obj)
        except TypeError:  # an unhashable callable
            return inspect.signature(obj)

    def __getattr__(self, name: str):
        return getattr(inspect, name)


def install() -> None:
    """Idempotent; the config Gradio builds is the same, only faster (tests/ui/test_gradio_speed.py)."""
    import gradio.blocks

    if not isinstance(gradio.blocks.inspect, _CachedInspect):
        gradio.blocks.inspect = _CachedInspect()
