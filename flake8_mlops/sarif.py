"""SARIF 2.1.0 output for code scanning: ``flake8 --format=mlp-sarif``.

:class:`SarifFormatter` is a flake8 formatter (entry point ``mlp-sarif`` in the
``flake8.report`` group). It writes one SARIF log with one run for the whole flake8
invocation: every flake8 result (pycodestyle, pyflakes, other plugins, E999 syntax
errors, flake8-mlops), with the full rule metadata of the MLP rules (name, short and full
description, help text and the URI of the rule page) and the bare code of the others.

Output is buffered and written when flake8 stops; with ``--output-file`` the file is
written atomically (a temporary file in the same directory, then ``os.replace``), so a
failed run never leaves half a SARIF document behind.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from flake8.formatting.base import BaseFormatter

from . import __version__

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: used when the installed metadata has no Repository URL (e.g. a source checkout)
DEFAULT_REPOSITORY = "https://github.com/flake8-mlops/flake8-mlops"
SRCROOT = "%SRCROOT%"


def repository_url() -> str:
    """The project's repository URL from the installed metadata (``[project.urls]``)."""
    try:
        from importlib.metadata import metadata

        for entry in metadata("flake8-mlops").get_all("Project-URL") or ():
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("repository", "source", "homepage"):
                return url.strip().rstrip("/")
    except Exception:  # pragma: no cover - not installed
        pass
    return DEFAULT_REPOSITORY


def help_uri(code: str) -> str:
    """The rule page ``docs/rules/MLPnnn.md`` on the project's repository."""
    return f"{repository_url()}/blob/main/docs/rules/{code}.md"


def _level(code: str, confidence: str = "") -> str:
    if code.startswith("E9") or code == "MLP000":
        return "error"  # syntax errors, unreadable files, engine failures
    if code.startswith("MLP") and confidence == "low":
        return "note"
    return "warning"


def mlp_rule_descriptors() -> List[Dict[str, Any]]:
    """reportingDescriptor objects for every registered MLP rule."""
    from .docs import render_page, sections, summary
    from .registry import all_rules

    out = []
    for rule in all_rules():
        sec = sections(rule)
        what = " ".join(sec.get("What it does", "").split())
        why = " ".join(sec.get("Why is this bad?", "").split())
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": summary(rule) or rule.name},
                "fullDescription": {"text": what or summary(rule) or rule.name},
                "help": {"text": " ".join(p for p in (what, why) if p) or rule.name,
                         "markdown": render_page(rule)},
                "helpUri": help_uri(rule.code),
                "defaultConfiguration": {"level": _level(rule.code, rule.confidence)},
                "properties": {
                    "family": rule.family,
                    "confidence": rule.confidence,
                    "tags": ["flake8-mlops", rule.family],
                },
            }
        )
    return out


class SarifFormatter(BaseFormatter):
    """flake8 formatter writing one SARIF 2.1.0 log."""

    def after_init(self) -> None:
        self._results: List[Dict[str, Any]] = []
        self._rules: List[Dict[str, Any]] = []
        self._rule_index: Dict[str, int] = {}
        self._root = Path.cwd().resolve()

    # flake8 opens the output file in append mode in start(); we write once, atomically
    def start(self) -> None:
        self.output_fd = None

    def _uri(self, filename: str) -> Dict[str, Any]:
        path = Path(filename)
        try:
            rel = path.resolve().relative_to(self._root)
            return {"uri": rel.as_posix(), "uriBaseId": SRCROOT}
        except (ValueError, OSError):
            absolute = path.is_absolute() or path.exists()
            return {"uri": path.resolve().as_uri() if absolute else path.as_posix()}

    def _index(self, code: str) -> int:
        if code not in self._rule_index:
            if not self._rules:
                for desc in mlp_rule_descriptors():
                    self._rule_index[desc["id"]] = len(self._rules)
                    self._rules.append(desc)
            if code not in self._rule_index:
                self._rule_index[code] = len(self._rules)
                self._rules.append({"id": code})
        return self._rule_index[code]

    def handle(self, error: Any) -> None:
        code = error.code
        index = self._index(code)
        confidence = self._rules[index].get("properties", {}).get("confidence", "")
        region: Dict[str, Any] = {"startLine": max(int(error.line_number or 1), 1)}
        if error.column_number:
            region["startColumn"] = max(int(error.column_number), 1)
        self._results.append(
            {
                "ruleId": code,
                "ruleIndex": index,
                "level": _level(code, confidence),
                "message": {"text": f"{code} {error.text}"},
                "locations": [
                    {"physicalLocation": {"artifactLocation": self._uri(error.filename), "region": region}}
                ],
            }
        )

    def format(self, error: Any) -> Optional[str]:  # pragma: no cover - handle() is used
        return None

    def show_statistics(self, statistics: Any) -> None:
        pass  # a SARIF document has no room for flake8's plain-text statistics

    def show_benchmarks(self, benchmarks: Any) -> None:
        pass

    def document(self) -> Dict[str, Any]:
        if not self._rules:
            self._index("MLP000")  # fills the MLP descriptors
            self._rules.pop()
            self._rule_index.pop("MLP000", None)
        try:
            import flake8

            flake8_version = flake8.__version__
        except Exception:  # pragma: no cover
            flake8_version = "unknown"
        return {
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "flake8",
                            "version": flake8_version,
                            "informationUri": "https://flake8.pycqa.org/",
                            "rules": self._rules,
                        },
                        "extensions": [
                            {"name": "flake8-mlops", "version": __version__,
                             "informationUri": repository_url()}
                        ],
                    },
                    "originalUriBaseIds": {SRCROOT: {"uri": self._root.as_uri() + "/"}},
                    "columnKind": "unicodeCodePoints",
                    "results": self._results,
                }
            ],
        }

    def stop(self) -> None:
        text = json.dumps(self.document(), indent=2) + "\n"
        if self.filename:
            write_atomic(self.filename, text)
            if not getattr(self.options, "tee", False):
                return
        sys.stdout.write(text)
        sys.stdout.flush()


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
