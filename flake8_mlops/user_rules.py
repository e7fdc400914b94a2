"""User rules MLP900–MLP999: house rules written in ast-grep's own YAML rule format.

``--mlp-rules=house_rules.yml`` (or ``mlp-rules = …`` in the flake8 configuration) names
one or more YAML files (comma-separated). Each YAML document (documents are separated by
``---``) is one ast-grep rule, so a rule can be tried with ``ast-grep scan --rule FILE``
first and then run unchanged inside flake8::

    id: no-legacy-feature-store
    language: python
    rule:
      pattern: legacy_fs.get_features($$$)
    message: the legacy feature store client is retired; use features.v2.get()
    severity: warning
    metadata:
      code: MLP901

``rule``, ``constraints``, ``utils`` and ``transform`` are handed to ast-grep-py as they
are (``SgNode.find_all(config)``); ``$VAR`` in ``message`` is replaced by the matched text
(one line, shortened), as the ast-grep CLI does. ``files``/``ignores`` globs are relative
to the directory of the rule file, as for the CLI. ``severity: off`` disables a rule;
``fix`` and ``labels`` are accepted and ignored (flake8 neither fixes nor labels). The
flake8 code comes from ``metadata.code`` and must be ``MLP900``–``MLP999``.

The files are read and every rule is validated once, when flake8 parses its options:
unreadable files, YAML errors (tabs), unknown keys, a missing or out-of-range code,
duplicate codes or ids, invalid patterns and a missing ``ast-grep-py`` all stop flake8
with one line on stderr and exit status 2. At check time each selected rule runs on the
source flake8 already read (nothing is re-read, imported or executed); findings are
normal flake8 results, so ``noqa``, ``--select``/``--ignore``, ``per-file-ignores`` and
baselines apply.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type

from . import lazy_re
from .options import Option, split_list
from .registry import Rule

RULES_OPTION = Option(
    "--mlp-rules",
    "YAML file(s) of user rules MLP900-MLP999 in ast-grep's rule format (needs flake8-mlops[rules])",
    default=(),
    is_list=True,
)

CODE_RE = lazy_re.compile(r"^MLP9\d\d$")
LANGUAGES = frozenset({"python", "py"})
SEVERITIES = frozenset({"hint", "info", "warning", "error", "off"})
#: every top-level key of an ast-grep rule file (ast-grep 0.30+ schema)
KNOWN_KEYS = frozenset({
    "id", "language", "rule", "constraints", "utils", "transform", "fix", "rewriters",
    "message", "note", "severity", "labels", "files", "ignores", "url", "metadata",
})
#: keys flake8-mlops cannot honour; rejected rather than silently dropped
UNSUPPORTED_KEYS = frozenset({"rewriters"})
#: keys handed to ast-grep-py's find_all
CONFIG_KEYS = ("rule", "constraints", "utils", "transform")
INSTALL_HINT = 'ast-grep-py is not installed; pip install "flake8-mlops[rules]"'
_META_VAR = lazy_re.compile(r"\$(?:\$\$)?([A-Z_][A-Z0-9_]*)")
_MAX_VAR_TEXT = 60
_VALIDATION_SOURCE = "import os\n\n\ndef f(x):\n    return os.path.join(x, 'y')\n"


class UserRulesError(Exception):
    """A rule file cannot be used (one line, shown to the user)."""


@dataclass(frozen=True)
class UserRuleSpec:
    """One validated rule document."""

    id: str
    code: str
    message: str
    config: Dict[str, Any]
    path: str
    severity: str = "hint"
    note: str = ""
    url: str = ""
    files: Tuple[str, ...] = ()
    ignores: Tuple[str, ...] = ()

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def applies_to(self, filename: str) -> bool:
        """The ``files``/``ignores`` globs (see :func:`_relative_paths`)."""
        if not self.files and not self.ignores:
            return True
        paths = _relative_paths(filename, self.base_dir)
        if self.files and not any(_glob_match(g, p) for g in self.files for p in paths):
            return False
        return not any(_glob_match(g, p) for g in self.ignores for p in paths)

    def render(self, node: Any) -> str:
        """``message`` with ``$VAR`` replaced by the matched text, on one line."""

        def sub(m: "re.Match[str]") -> str:
            name = m.group(1)
            text: Optional[str] = None
            try:
                found = node.get_match(name)
                if found is not None:
                    text = found.text()
                else:
                    many = node.get_multiple_matches(name)
                    if many:
                        text = ", ".join(n.text() for n in many if n.text() != ",")
                    else:
                        text = node.get_transformed(name)
            except Exception:  # pragma: no cover - defensive: keep the literal
                text = None
            if text is None:
                return m.group(0)
            text = " ".join(text.split())
            return text if len(text) <= _MAX_VAR_TEXT else text[: _MAX_VAR_TEXT - 1] + "…"

        return _META_VAR.sub(sub, self.message)


# ------------------------------------------------------------------------- helpers
def _relative_paths(filename: str, rule_dir: str) -> List[str]:
    """The paths a ``files``/``ignores`` glob is matched against.

    The ast-grep CLI matches a rule file's globs against the path relative to the rule
    file's directory (its project). A rule file kept in a subdirectory (``lint/``) of the
    project is common with flake8, so the path relative to each parent of the rule file's
    directory that contains the file counts too, and so does the path relative to the
    current directory. An nbqa temporary file counts as its notebook.
    """
    from .notebook import original_notebook

    path = os.path.abspath(original_notebook(filename) or filename)
    bases = [os.getcwd()]
    base = rule_dir
    while True:
        bases.append(base)
        parent = os.path.dirname(base)
        if parent == base:
            break
        base = parent
    out: List[str] = []
    for base in bases:
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # another drive on Windows
            continue
        if not rel.startswith(".."):
            rel = rel.replace(os.sep, "/")
            if rel not in out:
                out.append(rel)
    return out or [path.replace(os.sep, "/")]


_glob_cache: Dict[str, "re.Pattern[str]"] = {}


def _glob_match(glob: str, path: str) -> bool:
    """A glob as ast-grep's ``files`` uses it: ``**/`` any directories, ``*``/``?`` any
    characters (also ``/``, like the CLI's globs), ``[abc]``/``[!abc]`` classes."""
    rx = _glob_cache.get(glob)
    if rx is None:
        out: List[str] = []
        g = glob[2:] if glob.startswith("./") else glob
        i = 0
        while i < len(g):
            if g.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif g[i] == "*":
                out.append(".*")
                i += 2 if g.startswith("**", i) else 1
            elif g[i] == "?":
                out.append(".")
                i += 1
            elif g[i] == "[" and "]" in g[i + 2:]:
                end = g.index("]", i + 2)
                body = g[i + 1:end]
                body = "^" + body[1:] if body.startswith("!") else body
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
            else:
                out.append(re.escape(g[i]))
                i += 1
        rx = _glob_cache[glob] = re.compile("".join(out) + r"\Z")
    return rx.match(path) is not None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ast_grep_error(exc: BaseException) -> str:
    """ast-grep-py's multi-line error (cause chain plus Rust backtrace) as one line."""
    text = str(exc).split("Stack backtrace:", 1)[0]
    if "Caused by:" in text:
        causes = re.split(r"\n\s*\d+: ", text.split("Caused by:", 1)[1])
        parts = [_one_line(c).rstrip(".") for c in causes if c.strip()]
        # the first cause is the generic "`rule` is not configured correctly"
        return _one_line(": ".join(parts[1:] or parts))
    return _one_line(text)


def _import_ast_grep() -> Any:
    try:
        from ast_grep_py import SgRoot
    except ImportError:
        raise UserRulesError(INSTALL_HINT) from None
    return SgRoot


def _patterns(value: Any) -> Iterable[str]:
    """Every ``pattern`` string (or pattern object ``context``) in a rule tree."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if key == "pattern":
                    if isinstance(sub, str):
                        yield sub
                    elif isinstance(sub, dict) and isinstance(sub.get("context"), str):
                        yield sub["context"]
                else:
                    stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)


def _pattern_error(SgRoot: Any, pattern: str) -> Optional[str]:
    """Why ``pattern`` cannot match Python code, or None.

    ast-grep-py silently matches nothing with a pattern that does not parse, where the
    CLI rejects the rule file. The pattern is parsed as ast-grep does (meta-variables
    spelled with its Python expando character ``µ``; the pattern's node is found by
    descending through single children, so ``@$DECORATOR`` is a decorator); when that node
    is, or contains, a syntax error the pattern is rejected.
    """
    if not pattern.strip():
        return "the pattern is empty"
    node = SgRoot(pattern.replace("$", "µ"), "python").root()
    while True:
        children = node.children()
        if len(children) != 1:
            break
        node = children[0]
    bad = node if node.kind() == "ERROR" else node.find(kind="ERROR")
    if bad is None:
        return None
    pos = bad.range().start
    return (f"pattern {pattern!r} is not valid Python "
            f"(syntax error at line {pos.line + 1}, column {pos.column + 1})")


# ------------------------------------------------------------------------- loading
def _validate(doc: Any, path: str, index: int, SgRoot: Any) -> Optional[UserRuleSpec]:
    where = f"{path}: document {index}"
    if doc is None:
        return None  # an empty document (e.g. a trailing ---)
    if not isinstance(doc, dict):
        raise UserRulesError(f"{where}: a rule must be a mapping, not {type(doc).__name__}")
    rule_id = doc.get("id")
    if isinstance(rule_id, str) and rule_id.strip():
        where = f"{path}: rule {rule_id!r}"
    unknown = sorted(str(k) for k in doc if k not in KNOWN_KEYS)
    if unknown:
        raise UserRulesError(f"{where}: unknown key {unknown[0]!r} (an ast-grep rule has "
                             f"{', '.join(sorted(KNOWN_KEYS))})")
    unsupported = sorted(k for k in doc if k in UNSUPPORTED_KEYS)
    if unsupported:
        raise UserRulesError(f"{where}: {unsupported[0]!r} is not supported by flake8-mlops")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise UserRulesError(f"{where}: 'id' is missing (a non-empty string)")
    language = doc.get("language")
    if not isinstance(language, str) or language.strip().lower() not in LANGUAGES:
        raise UserRulesError(f"{where}: 'language' must be python, not {language!r}")
    rule = doc.get("rule")
    if not isinstance(rule, dict) or not rule:
        raise UserRulesError(f"{where}: 'rule' is missing (a mapping such as {{pattern: ...}})")
    metadata = doc.get("metadata")
    code = metadata.get("code") if isinstance(metadata, dict) else None
    if code is None:
        raise UserRulesError(f"{where}: 'metadata: {{code: MLP9nn}}' is missing (the flake8 code)")
    code = str(code).strip().upper()
    if not CODE_RE.match(code):
        raise UserRulesError(f"{where}: code {code!r} is outside MLP900-MLP999")
    severity = doc.get("severity", "hint")
    if severity is False:  # YAML 1.1 reads a bare `off` as false
        severity = "off"
    if not isinstance(severity, str) or severity.lower() not in SEVERITIES:
        raise UserRulesError(f"{where}: 'severity' must be one of {', '.join(sorted(SEVERITIES))}, "
                             f"not {severity!r}")
    message = doc.get("message", rule_id)
    if not isinstance(message, str) or not message.strip():
        raise UserRulesError(f"{where}: 'message' must be a non-empty string")
    globs: Dict[str, Tuple[str, ...]] = {}
    for key in ("files", "ignores"):
        value = doc.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UserRulesError(f"{where}: {key!r} must be a list of glob strings")
        globs[key] = tuple(value)
    for key in ("note", "url"):
        if key in doc and not isinstance(doc[key], str):
            raise UserRulesError(f"{where}: {key!r} must be a string")
    for key in ("constraints", "utils", "transform"):
        if key in doc and not isinstance(doc[key], dict):
            raise UserRulesError(f"{where}: {key!r} must be a mapping")
    config = {k: doc[k] for k in CONFIG_KEYS if k in doc}
    for pattern in _patterns([config.get("rule"), config.get("utils"), config.get("constraints")]):
        problem = _pattern_error(SgRoot, pattern)
        if problem:
            raise UserRulesError(f"{where}: {problem}")
    try:
        SgRoot(_VALIDATION_SOURCE, "python").root().find_all(config)
    except Exception as exc:  # ast-grep-py raises RuntimeError/ValueError/Exception
        raise UserRulesError(f"{where}: invalid rule: {_ast_grep_error(exc)}") from None
    return UserRuleSpec(
        id=rule_id.strip(), code=code, message=_one_line(message, 500), config=config, path=path,
        severity=severity.lower(), note=str(doc.get("note", "")), url=str(doc.get("url", "")),
        files=globs["files"], ignores=globs["ignores"],
    )


def load_file(path: str, SgRoot: Any = None) -> List[UserRuleSpec]:
    """Every rule of one YAML file (``severity: off`` rules included)."""
    import yaml

    SgRoot = SgRoot or _import_ast_grep()
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise UserRulesError(f"rule file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserRulesError(f"cannot read rule file {path}: {exc.__class__.__name__}: {exc}") from None
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise UserRulesError(f"{path}{at}: invalid YAML: {_one_line(exc.problem or exc)}") from None
    except yaml.YAMLError as exc:
        raise UserRulesError(f"{path}: invalid YAML: {_one_line(exc)}") from None
    specs = [_validate(doc, path, i, SgRoot) for i, doc in enumerate(docs, start=1)]
    out = [s for s in specs if s is not None]
    if not out:
        raise UserRulesError(f"rule file {path} has no rules")
    return out


def load(paths: Sequence[str]) -> List[UserRuleSpec]:
    """The rules of every file, checked for duplicate codes and ids across files."""
    SgRoot = _import_ast_grep()
    from .registry import REGISTRY, all_rules

    all_rules()
    specs: List[UserRuleSpec] = []
    codes: Dict[str, UserRuleSpec] = {}
    ids: Dict[str, UserRuleSpec] = {}
    for path in paths:
        for spec in load_file(path, SgRoot):
            if spec.code in REGISTRY:
                raise UserRulesError(f"{spec.path}: rule {spec.id!r}: code {spec.code} is a built-in rule")
            if spec.code in codes:
                other = codes[spec.code]
                raise UserRulesError(f"{spec.path}: rule {spec.id!r}: duplicate code {spec.code} "
                                     f"(also rule {other.id!r} in {other.path})")
            if spec.id in ids:
                raise UserRulesError(f"{spec.path}: duplicate rule id {spec.id!r} "
                                     f"(also in {ids[spec.id].path})")
            codes[spec.code] = ids[spec.id] = spec
            specs.append(spec)
    return specs


# ---------------------------------------------------------------------- the rules
class UserRule(Rule):
    """Base of the generated MLP9nn classes: runs one ast-grep rule in ``finish()``."""

    family = "user"
    confidence = "high"
    spec: UserRuleSpec

    def finish(self) -> None:
        spec = self.spec
        if not spec.applies_to(self.ctx.filename):
            return
        root = _sg_root(self.ctx)
        for node in root.find_all(spec.config):
            start = node.range().start
            # ctx.add, not self.report: the message is the user's text, not a format template
            self.ctx.add(start.line + 1, start.column, f"{spec.code} {spec.render(node)}")


def _sg_root(ctx: Any) -> Any:
    """One ast-grep parse of the file per flake8 run, shared by every user rule."""
    root = getattr(ctx, "_mlp_user_rules_root", None)
    if root is None:
        from ast_grep_py import SgRoot

        root = SgRoot("".join(ctx.lines), "python").root()
        ctx._mlp_user_rules_root = root
    return root


def rule_classes(specs: Iterable[UserRuleSpec]) -> List[Type[Rule]]:
    """One :class:`UserRule` subclass per enabled rule (not added to the registry)."""
    out: List[Type[Rule]] = []
    for spec in specs:
        if spec.severity == "off":
            continue
        doc = f"{spec.id}: {spec.message} (user rule from {spec.path})"
        cls = type(f"UserRule_{spec.code}", (UserRule,), {
            "code": spec.code, "name": spec.id, "message": spec.message, "spec": spec,
            "__doc__": doc, "__module__": __name__,
        })
        out.append(cls)
    return out


def paths_from_options(options: Any) -> List[str]:
    return list(split_list(getattr(options, RULES_OPTION.dest, None)))


def from_options(options: Any) -> List[Type[Rule]]:
    """The rule classes of ``--mlp-rules``; one line on stderr and exit 2 when unusable."""
    paths = paths_from_options(options)
    if not paths:
        return []
    try:
        return rule_classes(load(paths))
    except UserRulesError as exc:
        print(f"flake8-mlops: error: --mlp-rules: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def add_option(parser: Any) -> None:
    parser.add_option(
        RULES_OPTION.flag,
        default=None,
        parse_from_config=True,
        comma_separated_list=True,
        normalize_paths=True,
        help=f"{RULES_OPTION.help} (default: none)",
    )
