"""No secret value ever appears in a message, in-process or through flake8's formatters."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from .harness import FIXTURES, fixture_files, lint


def _strings_on_line(tree: ast.AST, line: int):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            start = node.lineno
            end = getattr(node, "end_lineno", start) or start
            if start <= line <= end:
                yield node.value


URI_PASSWORD = re.compile(r"://[^:/@\s]*:([^@/\s]+)@")


def _leaks(value: str, message: str) -> list:
    """Windows of 8 characters past the first 4 that show up in the message.

    Windows made only of letters are skipped: they are words ("password=", "account")
    that a message may legitimately contain.
    """
    body = value[4:]
    out = []
    for i in range(0, max(0, len(body) - 7)):
        window = body[i:i + 8]
        if window.rstrip("=:").isalpha() or " " in window:
            continue
        if window in message:
            out.append(window)
    return out


@pytest.mark.parametrize(
    "path", fixture_files("MLP001"), ids=lambda p: p.name
)
def test_messages_never_echo_the_literal(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for line, _, text in lint(source, filename=str(path), codes=["MLP001"]):
        for value in _strings_on_line(tree, line):
            uri = URI_PASSWORD.search(value)
            if uri:
                assert f":{uri.group(1)}@" not in text, f"{path.name}:{line} shows a URI password: {text}"
                continue
            if f'"{value}"' in text or f"'{value}'" in text or f" {value} " in text:
                continue  # a name or dict key the message quotes, not the secret
            assert not _leaks(value, text), f"{path.name}:{line} leaks part of the value: {text}"


@pytest.mark.parametrize("fmt", ["default", "pylint"])
def test_flake8_output_never_echoes_secret(tmp_path, fmt):
    secret = "hf_QmZkTrWvXyPlNsBcDfGhJkLmNpQrStVw93"
    aws = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK9q2mE8"
    target = tmp_path / "settings.py"
    target.write_text(
        f'HF_TOKEN = "{secret}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{aws}"\n'
        'DB_URL = "postgresql://svc:S3cr3tPassw0rd@db:5432/x"\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "MLP",
         f"--format={fmt}", "--show-source", str(target)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    out = proc.stdout + proc.stderr
    assert out.count("MLP001") == 3, out
    # --show-source prints the user's own line; check the message part only
    messages = [ln for ln in out.splitlines() if "MLP001" in ln]
    for ln in messages:
        for value in (secret, aws, "S3cr3tPassw0rd"):
            assert not _leaks("    " + value, ln), ln
            assert value not in ln


def test_fixture_folder_exists():
    assert (FIXTURES / "MLP001").is_dir()


def test_every_key_shape_has_its_hints():
    """MLP001 tries a key shape only on strings holding one of its hints: every shape
    must be in the table, and the pre-filter is exactly the table's hints."""
    from flake8_mlops.apis.secrets import KEY_SHAPES, SHAPE_HINTS, SHAPE_HINTS_BY_KIND

    assert {shape.kind for shape in KEY_SHAPES} == set(SHAPE_HINTS_BY_KIND)
    assert set(SHAPE_HINTS) == {h for hints in SHAPE_HINTS_BY_KIND.values() for h in hints}
