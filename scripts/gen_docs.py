#!/usr/bin/env python
"""Regenerate docs/rules/MLPnnn.md and the README rule table from the rule docstrings.

    python scripts/gen_docs.py          # write
    python scripts/gen_docs.py --check  # exit 1 when anything is stale (CI uses the test)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flake8_mlops.docs import render_options_table, render_page, render_table, replace_table  # noqa: E402
from flake8_mlops.registry import all_rules  # noqa: E402


def expected_files() -> dict:
    rules = all_rules()
    files = {ROOT / "docs" / "rules" / f"{r.code}.md": render_page(r) for r in rules}
    readme = ROOT / "README.md"
    files[readme] = replace_table(
        readme.read_text(encoding="utf-8"), render_table(rules), render_options_table(rules)
    )
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    stale = []
    for path, text in expected_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
