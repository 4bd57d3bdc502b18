"""Typer's value checks only where there is a value to check: a start-up saving.

Typer (0.2x) checks each parameter's value with a pydantic TypeAdapter, built on first use,
which imports pydantic (about 0.1 s, see benchmarks/bench_everyday.py) even for an option
that was not given or a text Click already hands over as `str`. Here each parameter's check
is built only when a value needs it: None (an option not given) stays None exactly as
Typer's own check returns it, a `str` or `bool` value of a text or flag parameter, or a
choice's default given as its Enum member, or a number parameter's own default (`qi
chart`'s width, height and dpi) is already what it should be; a choice typed in (one of
its Enum's values) becomes that member and texts given to a `list[str]` parameter a list,
as Typer's check makes them; anything else (numbers typed in, dates, paths, choices not
among the values) goes to Typer's pydantic check as always.
Where Typer's internals differ (another version), nothing is changed; the
import-discipline test in tests/test_gateway.py notices the cost.
"""

from __future__ import annotations

from enum import Enum
from typing import get_args, get_origin

_PLAIN = (str, bool)
_NO = object()  # "not a plain value: Typer's own check decides"


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

    def _plain(self, value, param=None):
        """The value as Typer's check would return it, or _NO when it must decide."""
        annotation = self.annotation
        if annotation in _PLAIN:
            return value if type(value) is annotation else _NO
        if annotation in (int, float):  # a number's default, as the code gives it
            default = param is not None and type(value) is annotation \
                and type(param.default) is annotation and value == param.default
            return value if default else _NO
        if get_origin(annotation) is list and get_args(annotation) == (str,):
            ok = isinstance(value, list | tuple) and all(type(v) is str for v in value)
            return list(value) if ok else _NO
        if not (isinstance(annotation, type) and issubclass(annotation, Enum)):
            return _NO
        if isinstance(value, annotation):  # a choice's default, the Enum member itself
            return value
        if type(value) is str:  # a choice typed in: the member with that value
            return next((m for m in annotation if m.value == value), _NO)
        return _NO

    def coerce(self, value, param, ctx):
        multi = param.multiple or param.nargs == -1
        if value is None:  # as Typer's RuntimeParam.coerce
            return () if multi else None
        if multi and isinstance(value, str):  # Typer refuses it, with its own words
            return self.real().coerce(value, param=param, ctx=ctx)
        plain = self._plain(value, param)
        return self.real().coerce(value, param=param, ctx=ctx) if plain is _NO else plain

    def _coerce_value(self, value, param, ctx):
        plain = self._plain(value, param)
        return self.real()._coerce_value(value, param=param, ctx=ctx) if plain is _NO \
            else plain


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
