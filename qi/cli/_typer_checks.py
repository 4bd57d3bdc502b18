"""Typer's value checks only where there is a value to check: a start-up saving.

Typer (0.2x) checks each parameter's value with a pydantic TypeAdapter, built on first use,
which imports pydantic (about 0.1 s, see benchmarks/bench_everyday.py) even for an option
that was not given or a text Click already hands over as `str`. Here each parameter's check
is built only when a value needs it: None (an option not given) stays None exactly as
Typer's own check returns it, a `str` or `bool` value of a text or flag parameter, or a
choice's default given as its Enum member, or a number parameter's own default (`qi
chart`'s width, height and dpi) is already what it should be; anything else
(numbers, choices typed in, dates, paths, lists) goes to Typer's pydantic check as always.
Where Typer's internals differ (another version), nothing is changed; the
import-discipline test in tests/test_gateway.py notices the cost.
"""

from __future__ import annotations

from enum import Enum

_PLAIN = (str, bool)


class _Lazy:
    """A parameter's runtime check, built by Typer only when a value needs it."""

    def __init__(self, descriptor, build) -> None:
        self.descriptor, self._build, self._real = descriptor, build, None
        self.annotation = descriptor.annotation
        self.parameter_info = descriptor.parameter_info

    def real(self):
        if self._real is None:
            self._real = self._build(self.descriptor)
        return self._real

    def _plain(self, value, param=None) -> bool:
        if self.annotation in _PLAIN:
            return type(value) is self.annotation
        if self.annotation in (int, float):  # a number's default, as the code gives it
            return type(value) is self.annotation and param is not None \
                and type(param.default) is self.annotation and value == param.default
        # a choice's default, given as the Enum member itself
        return isinstance(self.annotation, type) and issubclass(self.annotation, Enum) \
            and isinstance(value, self.annotation)

    def coerce(self, value, param, ctx):
        multi = param.multiple or param.nargs == -1
        if value is None:  # as Typer's RuntimeParam.coerce
            return () if multi else None
        if not multi and self._plain(value, param):
            return value
        return self.real().coerce(value, param=param, ctx=ctx)

    def _coerce_value(self, value, param, ctx):
        if self._plain(value, param):
            return value
        return self.real()._coerce_value(value, param=param, ctx=ctx)


def install() -> None:
    try:
        from typer import core

        build = core.build_runtime_param
    except (ImportError, AttributeError):
        return
    if getattr(build, "qi_lazy", False):  # installed already
        return
    core.build_runtime_param = _LazyBuilder(build)


class _LazyBuilder:
    """Typer's `build_runtime_param`, building a parameter's check only when needed."""

    qi_lazy = True

    def __init__(self, build) -> None:
        self._build = build

    def __call__(self, descriptor):
        if descriptor.file_annotation is not None:
            return self._build(descriptor)
        return _Lazy(descriptor, self._build)
