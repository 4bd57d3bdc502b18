"""Alembic migrations shipped inside the package.

Run programmatically (no alembic.ini needed): `run_upgrade(engine)` migrates to head on
the given engine; `alembic_config()` serves tests and `qi db` commands.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def alembic_config(engine=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def run_upgrade(engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("qi's migrations have no head revision")
    return head
