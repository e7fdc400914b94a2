#!/usr/bin/env python
"""Scaffold a new rule: rule file, fixtures folder, import line.

    python scripts/new_rule.py MLP022 feature-store-bypass
    python scripts/new_rule.py MLP121 groupby-apply-loop     # family B (smells)

Then fill in the docstring and handler, write real fixtures, run
``python scripts/gen_docs.py`` and add a CHANGELOG line. The tests fail until the rule has
docs, a positive and an ``ok_*`` fixture, and a CHANGELOG entry.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = {"0": "mlops", "1": "smells"}

TEMPLATE = '''"""{code} {name}."""

from __future__ import annotations

import ast

from ...registry import Rule, register


@register
class {cls}(Rule):
    """## What it does
    TODO: one paragraph; the exact heuristic.

    ## Why is this bad?
    TODO: the harm, citing the seed (e.g. seed 000, §N).

    ## Example
    ```python
    TODO_fires = 1
    ```

    ## Use instead
    ```python
    TODO_is_fine = 1
    ```

    ## Options
    None.

    ## Known limitations
    - TODO

    ## References
    - TODO (seed first)
    """

    code = "{code}"
    name = "{name}"
    message = "TODO what is wrong; why it matters; what to do"

    def visit_Call(self, node: ast.Call) -> None:
        return None
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("code", help="MLPnnn")
    parser.add_argument("name", help="kebab-case rule name")
    args = parser.parse_args()
    code, name = args.code.upper(), args.name
    if not re.fullmatch(r"MLP\d{3}", code) or code[3] not in FAMILIES:
        parser.error("code must be MLP0nn or MLP1nn (MLP9nn are user rules)")
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        parser.error("name must be kebab-case")
    family = FAMILIES[code[3]]
    module = f"{code.lower()}_{name.replace('-', '_')}"
    pkg = ROOT / "flake8_mlops" / "rules" / family
    path = pkg / f"{module}.py"
    if path.exists() or list(pkg.glob(f"{code.lower()}_*.py")):
        print(f"{code} already exists under {pkg}", file=sys.stderr)
        return 1
    pkg.mkdir(parents=True, exist_ok=True)
    if not (pkg / "__init__.py").exists():
        (pkg / "__init__.py").write_text(f'"""Rules of family {family}."""\n', encoding="utf-8")
    cls = "".join(part.capitalize() for part in name.split("-"))
    path.write_text(TEMPLATE.format(code=code, name=name, cls=cls), encoding="utf-8")
    fixtures = ROOT / "fixtures" / code
    fixtures.mkdir(parents=True, exist_ok=True)
    (fixtures / "bad_basic.py").write_text(f"TODO = 1  # expect: {code}\n", encoding="utf-8")
    (fixtures / "ok_basic.py").write_text("TODO = 1\n", encoding="utf-8")
    init = ROOT / "flake8_mlops" / "rules" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    text = text.rstrip() + f"\nfrom .{family} import {module}  # noqa: E402,F401\n"
    init.write_text(text, encoding="utf-8")
    print(f"created {path.relative_to(ROOT)} and fixtures/{code}/; imported in rules/__init__.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
