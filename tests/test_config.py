from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from qi.config import redact_url, resolve


def test_db_option_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QI_DB", str(tmp_path / "env.db"))
    loc = resolve(str(tmp_path / "opt.db"))
    assert loc.path == tmp_path / "opt.db"
    assert loc.reason == "given with --db"


def test_environment_beats_local_file(tmp_path, monkeypatch):
    (tmp_path / "qi.db").touch()
    monkeypatch.setenv("QI_DB", str(tmp_path / "env.db"))
    loc = resolve(cwd=tmp_path)
    assert loc.path == tmp_path / "env.db"
    assert "QI_DB" in loc.reason


def test_local_file_beats_user_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("QI_DB")
    (tmp_path / "qi.db").touch()
    loc = resolve(cwd=tmp_path)
    assert loc.path == tmp_path / "qi.db"
    assert "./qi.db" in loc.reason


def test_user_folder_last(tmp_path, monkeypatch):
    monkeypatch.delenv("QI_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    (tmp_path / "empty").mkdir()
    loc = resolve(cwd=tmp_path / "empty")
    assert loc.path == tmp_path / "xdg" / "qi" / "qi.db"
    assert "per-user" in loc.reason


def test_urls_and_relative_paths():
    loc = resolve("postgresql+psycopg://ann:s3cret@db.example/qi")
    assert not loc.is_sqlite
    assert loc.display == "postgresql+psycopg://ann:***@db.example/qi"
    rel = resolve("data/qi.db")
    assert rel.path == Path.cwd() / "data" / "qi.db"
    # SQLAlchemy's convention: three slashes then a relative path, four for an absolute one.
    assert resolve("sqlite:////tmp/x.db").path == Path("/tmp/x.db")
    assert resolve("sqlite:///x.db").path == Path.cwd() / "x.db"


def test_redact_url_hides_passwords_only():
    assert redact_url("postgresql://u:p%40ss@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redact_url("postgresql://u@h/d") == "postgresql://u@h/d"
    assert redact_url("host=h password=abc user=u") == "host=h password=*** user=u"


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=4,
               max_size=30).filter(lambda p: "#" not in p and "@" not in p[-1:]))
def test_redacted_urls_never_hold_the_password(password):
    from qi.config import _whole_url, redact_url

    url = f"postgresql+psycopg://qi:{password}@db.example.org:5432/programme"
    for shown in (redact_url(url), redact_url(f"failed for '{url}': refused"),
                  _whole_url(url)):
        assert password not in shown
        assert "db.example.org:5432/programme" in shown
