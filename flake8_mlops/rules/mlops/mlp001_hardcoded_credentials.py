"""MLP001 hardcoded-credentials."""

from __future__ import annotations

import ast
import functools
import re
import sys
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ... import lazy_re
from ...apis.secrets import (
    CALL_ENV_HINTS,
    CONNECTION_STRING_PASSWORD,
    CREDENTIAL_CALL_ARGS,
    CREDENTIAL_HEADS,
    ENV_READERS,
    HARMLESS_SUFFIXES,
    KEY_QUALIFIERS,
    KEY_SHAPES,
    LABEL_WORDS,
    NAME_VALUE_METHODS,
    NON_CREDENTIAL_LEADS,
    NON_CREDENTIAL_TOKEN_QUALIFIERS,
    PASS_QUALIFIERS,
    PLACEHOLDER_VALUES,
    PROSE_WORDS,
    SECRET_REFERENCE_PREFIXES,
    SHAPE_HINTS,
    SHAPE_HINTS_BY_KIND,
    URI_CREDENTIALS,
    URI_PLACEHOLDER_PASSWORDS,
    CredentialArg,
    KeyShape,
)
from ...registry import Rule, register

# node classes, for ``x.__class__ is _Name`` tests in the hot handlers
_Add = ast.Add
_Attribute = ast.Attribute
_BinOp = ast.BinOp
_Constant = ast.Constant
_Expr = ast.Expr
_List = ast.List
_Name = ast.Name
_Tuple = ast.Tuple

# ------------------------------------------------------------------ name analysis

_CAMEL_ACRONYM = lazy_re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = lazy_re.compile(r"([a-z0-9])([A-Z])")
_NON_ALNUM = lazy_re.compile(r"[^A-Za-z0-9]+")
_CREDENTIAL_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "secret", "token", "key", "apikey"})
_HASH_WORDS = frozenset({"hash", "hashed", "salt", "salted", "digest", "encrypted", "hint"})
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pass"})
#: heads whose values may contain spaces ("super secret key")
_SPACED_HEADS = frozenset({"password", "passwd", "passphrase", "secret", "secretkey"})
#: shortest value taken for a credential of each head word (real tokens are long)
_MIN_LENGTH = {"token": 8, "key": 6, "apikey": 6, "accesskey": 6, "apitoken": 8, "authtoken": 8}


_NAME_RE = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def name_words(name: str) -> List[str]:
    """``"AWS_SECRET_ACCESS_KEY"`` / ``"apiKey"`` / ``"hf-token"`` -> lower-case words."""
    s = _CAMEL_ACRONYM.sub(r"\1_\2", name)
    s = _CAMEL.sub(r"\1_\2", s)
    return [w.lower() for w in _NON_ALNUM.split(s) if w]


def _head_of(words: Sequence[str]) -> Optional[str]:
    """The credential head word of a word list ending at its head, or None."""
    words = list(words)
    while len(words) > 1 and (words[-1] in HARMLESS_SUFFIXES or words[-1].isdigit()):
        words.pop()
    if not words:
        return None
    if len(words) > 2 and words[-1] == "id" and words[-2] == "key" and words[-3] == "access":
        return "key"  # AWS_ACCESS_KEY_ID: the catalogue's access_key, as whole words
    last = words[-1]
    head = last.rstrip("0123456789") or last
    prev = words[-2] if len(words) > 1 else ""
    if head == "token":
        return None if prev in NON_CREDENTIAL_TOKEN_QUALIFIERS else "token"
    if head == "key":
        return "key" if prev in KEY_QUALIFIERS else None
    if head == "pass":
        return "password" if prev in PASS_QUALIFIERS else None
    if head == "pat":  # personal access token: GITHUB_PAT, not longopt_pat
        return "token" if prev in ("github", "gh", "gitlab", "ado", "devops", "azure", "personal") else None
    if head in CREDENTIAL_HEADS:
        return head
    return None


_NAME_HINTS = ("pass", "pwd", "secret", "token", "key", "pat")


@functools.lru_cache(maxsize=8192)
def credential_head(name: Optional[str]) -> Optional[str]:
    """The credential word a name ends with (``"token"``, ``"password"``, ``"key"``), if
    the name is credential-named; None for ``pad_token``, ``token_uri``, ``secret_name``…"""
    if not name:
        return None
    low = name.lower()
    if not any(map(low.__contains__, _NAME_HINTS)):
        return None
    return _credential_head(name)


@functools.lru_cache(maxsize=4096)
def _credential_head(name: str) -> Optional[str]:
    if not name or len(name) > 120 or not _NAME_RE.match(name):
        return None  # "AWS::IAM::AccessKey" (a type name), "API key" (a label)
    words = name_words(name)
    if not words:
        return None
    if words[0] in NON_CREDENTIAL_LEADS and len(words) > 1:
        return None
    if _HASH_WORDS.intersection(words):
        return None  # hashed_password, password_salt: not the credential itself
    head = _head_of(words)
    if head is None and "." in name:
        # dotted configuration keys whose credential part is followed by more components:
        # "fs.azure.account.key.<account>.dfs.core.windows.net"
        components = name.split(".")
        for i in range(len(components) - 1, 0, -1):
            prefix_words = name_words(".".join(components[:i]))
            head = _head_of(prefix_words)
            if head in ("key", "password", "secret"):
                break
            head = None
    return head


def env_name(name: str) -> str:
    words = name_words(name)
    return "_".join(w.upper() for w in words)[:40] or "SECRET"


# ----------------------------------------------------------------- value analysis

_PLACEHOLDER_RE = lazy_re.compile(
    r"x{4,}|X{4,}|\*{3,}|\.\.\.|…|#{3,}|_{4,}|-{4,}|0{8,}|[<>]"
    r"|^\[.*\]$|^\{.*\}$|^\(.*\)$"
    r"|\$\{|\$\(|^\$[A-Za-z_]|%\(|%s|%d|\{\{|\{[A-Za-z_0-9.]*\}"
    r"|(?i:(?<![a-z])your(?![a-z])|your[a-z]*(?:key|token|secret|password|pass|pwd)"
    r"|[\s_\-]here$|^insert|^enter[\s_\-]|^replace|^paste|^put[\s_\-]|^add[\s_\-]your"
    r"|change[\s_\-]?me|change[\s_\-]?this|redacted|placeholder|example|dummy|^fake"
    r"|^mock|^test[\s_\-]?(?:key|token|secret|password)$|not[\s_\-]?a[\s_\-]?real"
    r"|^none$|^null$)"
)
_SHAPE_PLACEHOLDER_RE = lazy_re.compile(
    r"x{6,}|X{6,}|\*{3,}|\.\.\.|…|[<>{}]|EXAMPLE|(?i:your|example|dummy|placeholder|redacted)"
)
_FILE_EXT = lazy_re.compile(
    r"\.(?:json|ya?ml|txt|pem|key|crt|cer|p12|pfx|env|ini|cfg|conf|toml|pkl|bin|gpg|asc|jks"
    r"|keystore|db|sqlite|csv|pub|py|sh)$",
    re.I,
)
_LOWER_PATH_SEGMENT = lazy_re.compile(r"[a-z0-9_.\-]+")
_REGEX_RE = lazy_re.compile(r"\\[wdsWDSbB]|\(\?[:=!<P]|\[\^|\[[a-zA-Z0-9]-[a-zA-Z0-9]")
_NAMESPACED = lazy_re.compile(r"[A-Za-z][A-Za-z_\-.:]*")
#: values that are obviously made up: "test-secret-key", "FOOBARSECRET", "abc123"
_FAKE_WORDS = frozenset(
    {"test", "testing", "fake", "mock", "mocked", "dummy", "foo", "foobar", "asdf", "demo"}
)
#: words that may stand beside a fake word in a made-up value ("my-test-api-key")
_FAKE_FILLER = frozenset(
    {"my", "your", "secret", "key", "token", "password", "pass", "pwd", "api", "value",
     "user", "access", "auth", "client", "private", "string", "str", "dev", "local"}
)
_FAKE_SEQUENCE = lazy_re.compile(r"(?i)(?:abc|xyz|123|1234|12345|123456|0123456789|abcdef|abcd|qwerty|asdf)+")
_UPPER_SNAKE = lazy_re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_ALPHA_LABEL = lazy_re.compile(r"[A-Za-z][A-Za-z_\-. ]*")
_AUTH_SCHEME = lazy_re.compile(r"^(?:Bearer|Basic|Token|token|Bot|ApiKey|Api-Key|JWT|OAuth)\s+(\S+)$")
_JWT_IO_EXAMPLE = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


def is_placeholder(value: str) -> bool:
    s = value.strip()
    if len(s) < 4:
        return True
    low = s.lower()
    if low in PLACEHOLDER_VALUES:
        return True
    if _PLACEHOLDER_RE.search(s) is not None or _FAKE_SEQUENCE.fullmatch(s):
        return True
    if "asdf" in low or "foobar" in low:
        return True
    words = [w for w in name_words(s) if not w.isdigit()]
    fake = sum(1 for w in words if w in _FAKE_WORDS)
    if not fake:
        return False
    # "test-secret-key", "fake_token": made up; "hunter2-Unit-Test": a real value
    filler = sum(1 for w in words if w in _FAKE_WORDS or w in _FAKE_FILLER)
    return filler * 2 >= len(words)


def _looks_like_path(s: str) -> bool:
    if s.startswith(("/", "./", "../", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", s):
        return True
    if _FILE_EXT.search(s):
        return True
    if "/" in s:
        segs = [seg for seg in s.split("/") if seg]
        if segs and all(_LOWER_PATH_SEGMENT.fullmatch(seg) for seg in segs):
            return True  # "prod/db/password": a secret manager key name
    return False


def _is_prose(s: str) -> bool:
    words = s.split()
    if len(words) > 4:
        return True
    if s.rstrip()[-1:] in (".", ":", "?", "!", ","):
        return True
    return any(w.lower().strip(".,:;!?'\"()") in PROSE_WORDS for w in words)


def could_be_secret(value: str, name: str, head: str) -> bool:
    """False for placeholders, labels, references, paths, prose and URLs."""
    s = value.strip()
    if is_placeholder(s) or "\x00" in s:
        return False
    if len(s) < _MIN_LENGTH.get(head, 4):
        return False  # "USER:" under user_token, "abc" under api_key
    low = s.lower()
    if "://" in s or low.startswith(SECRET_REFERENCE_PREFIXES):
        return False
    if _looks_like_path(s):
        return False
    if any(c.isspace() for c in s):
        if head not in _SPACED_HEADS and not ("secret" in name_words(name)):
            return False
        if _is_prose(s):
            return False
    own = name_words(name)
    norm = _NON_ALNUM.sub("", low)
    if norm == "".join(own) or norm in own:
        return False  # PASSWORD = "password", refresh_token = "refresh_token"
    if _UPPER_SNAKE.fullmatch(s):
        return False  # the *name* of an environment variable
    if s.startswith(("$2a$", "$2b$", "$2y$", "$argon2", "pbkdf2_", "$pbkdf2", "$6$", "$5$", "scrypt:")):
        return False  # a password hash, not a password
    if _REGEX_RE.search(s):
        return False  # a pattern: longopt_pat = r"[a-z][a-z0-9-]*"
    if head not in _PASSWORD_WORDS and ":" in s and _NAMESPACED.fullmatch(s):
        return False  # "serverlessrepo:applicationId", "AWS::IAM::AccessKey"
    if _ALPHA_LABEL.fullmatch(s):
        vwords = name_words(s)
        if len(vwords) > 1 and all(w in LABEL_WORDS or w in own for w in vwords):
            return False  # "x-api-key", "access_token", "NextToken": a field name
        stem = own[:-1] if len(own) > 1 and own[-1] in ("key", "name", "id") else own
        if len(vwords) > 1 and stem and vwords[-1] == stem[-1] and vwords[-1] in _CREDENTIAL_WORDS:
            return False  # SP_CLIENT_SECRET_KEY = "databricks_client_secret": a key's name
        if head == "token" and s.isalpha():
            return False  # NLP vocabulary or a token *type* ("access", "hello")
    return True


#: each key shape with the hints its pattern cannot match without (SHAPE_HINTS_BY_KIND):
#: a string is searched only with the shapes whose hints it holds, so the many
#: ``"...weights..."`` strings (hint ``gh``) compile and try the GitHub pattern alone.
#: A shape missing from the table is tried whenever any hint occurs.
_HINTED_SHAPES: Tuple[Tuple[KeyShape, Tuple[str, ...]], ...] = tuple(
    (shape, SHAPE_HINTS_BY_KIND.get(shape.kind, SHAPE_HINTS)) for shape in KEY_SHAPES
)


def _group_hints() -> Tuple[Tuple[str, ...], Tuple[Tuple[str, Tuple[str, ...]], ...]]:
    """SHAPE_HINTS split into (hints searched always, (character, hints holding it)...):
    one search for ``_``, ``-``, ``=`` or ``A`` stands for the hints that contain it, so a
    string without a hint costs about 9 substring searches instead of 26."""
    groups: Dict[str, List[str]] = {}
    for hint in SHAPE_HINTS:
        key = next((c for c in ("_", "-", "=", "A") if c in hint), "")
        groups.setdefault(key, []).append(hint)
    rest = tuple(groups.pop("", ()))
    return rest, tuple((c, tuple(hints)) for c, hints in groups.items())


_UNGROUPED_HINTS, _GROUPED_HINTS = _group_hints()


def _has_shape_hint(s: str) -> bool:
    """``any(hint in s for hint in SHAPE_HINTS)``, with fewer searches."""
    for hint in _UNGROUPED_HINTS:
        if hint in s:
            return True
    for c, hints in _GROUPED_HINTS:
        if c in s:
            for hint in hints:
                if hint in s:
                    return True
    return False


def _shape_match(s: str) -> Optional[Tuple[KeyShape, "re.Match[str]"]]:
    if len(s) < 20 or not _has_shape_hint(s):
        return None
    for shape, hints in _HINTED_SHAPES:
        for hint in hints:
            if hint in s:
                break
        else:
            continue  # the pattern needs one of its hints
        m = shape.pattern.search(s)
        if m is None:
            continue
        text = m.group(0)
        if _SHAPE_PLACEHOLDER_RE.search(text) or _JWT_IO_EXAMPLE in text:
            continue
        return shape, m
    return None


def redact(value: str, prefix: str = "") -> str:
    return f"('{prefix[:4]}…', {len(value)} chars)"


# ------------------------------------------------------------------ AST helpers


def _dotted(expr: ast.AST) -> Optional[str]:
    parts: List[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
    elif isinstance(expr, ast.Call):
        parts.append("…()")
    elif parts:
        parts.append("…")
    else:
        return None
    return ".".join(reversed(parts))


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _call_label(ctx, node: ast.Call) -> str:  # type: ignore[no-untyped-def]
    """The callee as shown in messages. Spelled only on the rare paths that may report
    (most calls never do); resolving the callee here, still inside ``visit_Call``, gives
    the answer it would have had at the start of the handler."""
    return _short(ctx.call_name(node) or _dotted(node.func) or "call", 40)


def _concat_leaves(expr: ast.AST, out: List[ast.Constant]) -> bool:
    """Collect the str constants of a ``"a" + "b" + "c"`` chain; False if anything else."""
    # iterative (a generated ``"a" + "b" + ...`` chain can be thousands deep)
    stack: List[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            stack.append(node.right)
            stack.append(node.left)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node)
        else:
            return False
    return True


_CLI_OPTION_METHODS = frozenset({"add_argument", "option", "add_option"})
_SETTER_RE = lazy_re.compile(r"^(?:set|save|add|store|use|update)_(\w+)$")
_SETTER_PREFIXES = ("set_", "save_", "add_", "store_", "use_", "update_")

#: attribute calls whose callee must be resolved before anything is judged: the last
#: components of CREDENTIAL_CALL_ARGS and ENV_READERS (an attribute call's qualified name
#: always ends with its attribute), and ``login`` (judged only on unresolved receivers).
#: Any other attribute call resolves its callee only when a message or a vendor hint
#: needs it.
_RESOLVE_ATTRS = frozenset(
    {q.rsplit(".", 1)[-1] for q in (*CREDENTIAL_CALL_ARGS, *ENV_READERS)} | {"login"}
)
_UNRESOLVED = object()
#: callees with work of their own in visit_Call (one test for the two tables)
_TABLED_CALLEES = frozenset(CREDENTIAL_CALL_ARGS) | ENV_READERS
_VENDOR_KEYWORDS = frozenset({"api_key", "api_token", "token", "key"})

#: method name -> the credential-named setting a ``set_<x>(...)`` method sets, or ""
#: (keys are identifiers from code)
_SETTER_TARGETS: Dict[str, str] = {}


def _setter_target(method: str) -> str:
    what = _SETTER_TARGETS.get(method)
    if what is None:
        # the prefix test spares the pattern (and its compilation) for most methods
        m = _SETTER_RE.match(method) if method.startswith(_SETTER_PREFIXES) else None
        what = m.group(1) if m is not None and credential_head(m.group(1)) is not None else ""
        if len(_SETTER_TARGETS) > 50_000:  # bounded: a long-lived process sees many names
            _SETTER_TARGETS.clear()
        _SETTER_TARGETS[method] = what
    return what


#: keyword name -> 1 for ``auth=``-style keywords, 2 for credential-named ones, 0 else
#: (keys are identifiers from code)
_KEYWORD_KINDS: Dict[str, int] = {}


def _keyword_kind(arg: str) -> int:
    kind = _KEYWORD_KINDS.get(arg)
    if kind is None:
        if arg.endswith(("auth", "Auth")) and name_words(arg)[-1:] == ["auth"]:
            kind = 1
        else:
            kind = 2 if credential_head(arg) is not None else 0
        if len(_KEYWORD_KINDS) > 50_000:
            _KEYWORD_KINDS.clear()
        _KEYWORD_KINDS[arg] = kind
    return kind


#: what ``visit_Call`` does for an attribute call, by method name (bits below; 0 for
#: nearly every method: only the keywords are then looked at). Keys are identifiers from
#: code.
_M_RESOLVE, _M_NAME_VALUE, _M_SETTER, _M_CLI = 1, 2, 4, 8
_METHOD_WORK: Dict[str, int] = {}


def _method_work(method: str) -> int:
    work = _METHOD_WORK.get(method)
    if work is None:
        work = (
            (_M_RESOLVE if method in _RESOLVE_ATTRS else 0)
            | (_M_NAME_VALUE if method in NAME_VALUE_METHODS else 0)
            | (_M_SETTER if method == "login" or _setter_target(method) else 0)
            | (_M_CLI if method in _CLI_OPTION_METHODS else 0)
        )
        if len(_METHOD_WORK) > 50_000:
            _METHOD_WORK.clear()
        _METHOD_WORK[method] = work
    return work


def _is_auth_name(name: str) -> bool:
    """``BASIC_AUTH``, ``http_auth``: names whose last word is ``auth``."""
    # the last word can be "auth" only if the name holds those letters together
    return "auth" in name.lower() and name_words(name)[-1:] == ["auth"]


@functools.lru_cache(maxsize=4096)
def _dict_key_kind(key_text: str) -> int:
    """1 for an ``Authorization`` header key, 2 for a credential-named key, 0 else."""
    if _NON_ALNUM.sub("", key_text.lower()) in ("authorization", "proxyauthorization"):
        return 1
    return 2 if credential_head(key_text) is not None else 0


_URI_DOC_WORDS = lazy_re.compile(r"(?i)\be\.?g\.|\bexample\b|\bsuch as\b|\bformat\b|\busage\b")
_DEFAULT_CARRIERS = frozenset({"Field", "field", "SecretStr", "Option", "PrivateAttr"})


def literal_values(expr: Optional[ast.AST]) -> List[Tuple[str, ast.AST, List[int]]]:
    """String literals an expression evaluates to: ``(text, node to report, ids)``.

    Follows ``"a" + "b"``, f-strings without interpolation, ``x or "fallback"``,
    ``a if c else "b"``, and ``Field(default=...)``/``SecretStr("...")`` wrappers.
    """
    if expr is None:
        return []
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            return [(expr.value, expr, [id(expr)])]
        return []
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for v in expr.values:
            if not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                return []  # interpolated: not a literal
            parts.append(v)
        return [("".join(p.value for p in parts), expr, [id(expr)] + [id(p) for p in parts])]
    if isinstance(expr, ast.BinOp):
        leaves: List[ast.Constant] = []
        if _concat_leaves(expr, leaves):
            return [("".join(c.value for c in leaves), expr, [id(expr)] + [id(c) for c in leaves])]
        return []
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
        out: List[Tuple[str, ast.AST, List[int]]] = []
        for v in expr.values:
            out.extend(literal_values(v))
        return out
    if isinstance(expr, ast.IfExp):
        return literal_values(expr.body) + literal_values(expr.orelse)
    if isinstance(expr, ast.Call):
        func = expr.func
        fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if fname in _DEFAULT_CARRIERS:
            for kw in expr.keywords:
                if kw.arg == "default":
                    return literal_values(kw.value)
            if fname != "field" and expr.args and not isinstance(expr.args[0], ast.Starred):
                return literal_values(expr.args[0])
    return []


# --------------------------------------------------------------------- the rule


@register
class HardcodedCredentials(Rule):
    """## What it does
    Flags secrets written into the source: a string literal assigned to, passed as, or
    stored under a credential-named target (`password`, `passwd`, `pwd`, `secret`,
    `token`, `api_key`, `access_key`, `secret_key`, `client_secret`, `private_key`,
    `auth_token`, `hf_token`, `AWS_SECRET_ACCESS_KEY`, …) — in assignments, class
    attributes, keyword arguments, dict literals, `d["password"] = ...`,
    `os.environ["HF_TOKEN"] = ...`, `os.environ.setdefault`/`os.putenv`, function
    parameter defaults, argparse/click defaults, and non-empty fallbacks of
    `os.getenv("API_KEY", "...")`/`os.environ.get(...)`/`cfg.get("password", "...")`.
    It also flags credentials inside a URI (`postgresql://user:pass@host`,
    `redis://:pass@host`, also in the literal part of an f-string), `password=` in
    connection strings, well-known key formats anywhere in a string (AWS `AKIA…`,
    Hugging Face `hf_…`, OpenAI/Anthropic `sk-…`, GitHub `ghp_…`/`github_pat_…`, GitLab,
    Slack `xox…` tokens and webhooks, PEM private keys, Google `AIza…`, Stripe, Groq,
    Replicate, Databricks, JWTs, Azure storage keys), the literal given to
    `wandb.login(key=...)`, `huggingface_hub.login(...)`, `HTTPBasicAuth(user, "...")`,
    `auth=("user", "...")`, and an `Authorization: Bearer …` header.

    A name is credential-named when its last word is a credential word, so `token_uri`,
    `password_field`, `secret_name`, `api_key_header`, `max_tokens` and the tokenizer
    vocabulary (`pad_token`, `eos_token`, `mask_token`, …) are not.

    ## Why is this bad?
    A credential in code is copied to every clone, fork, notebook export, container
    image and CI log, and stays in the git history after it is removed. Virmani & Kuppam
    show exactly this (`Client("my_username", "my_password")`) as the bad practice of
    the security-and-governance antipattern, and recommend environment variables and a
    secret manager instead. ML code is especially exposed: notebooks are shared as files,
    and tracker, hub and cloud keys grant write access to models and data.

    ## Example
    ```python
    import wandb
    from huggingface_hub import login

    WANDB_API_KEY = "3f9a1c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
    wandb.login(key=WANDB_API_KEY)
    login(token="hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
    DB_URL = "postgresql://mlflow:Tr4ining!@db.internal:5432/mlflow"
    ```

    ## Use instead
    ```python
    import os

    import wandb
    from huggingface_hub import login

    wandb.login(key=os.environ["WANDB_API_KEY"])
    login(token=os.getenv("HF_TOKEN", ""))
    DB_URL = f"postgresql://mlflow:{os.environ['DB_PASSWORD']}@db.internal:5432/mlflow"
    tokenizer_kwargs = {"pad_token": "[PAD]", "eos_token": "</s>"}
    ```

    ## Options
    None.

    ## Known limitations
    - Placeholders are not reported: `""`, values under 4 characters (8 for `token`
      names, 6 for `key` names), `<your-key>`, `xxxx…`, `***`, `...`, `${VAR}`, `$VAR`,
      `{token}`/`%s` templates, `your_api_key_here`, `changeme`, `TODO`, values made of
      `test`/`fake`/`mock`/`dummy`/`example` words, `abc123`-style sequences, and AWS's
      documented `…EXAMPLE` keys.
    - Labels are not reported: a value equal to its own name (`PASSWORD = "password"`,
      enum members such as `refresh_token = "refresh_token"`), field, header and
      secret-store key names (`"x-api-key"`, `"access_token"`, `"NextToken"`,
      `SP_CLIENT_SECRET_KEY = "databricks_client_secret"`, and likewise
      `password = "my_password"`), environment-variable names (`"OPENAI_API_KEY"`),
      paths and secret-manager references (`"prod/db"`, `"token.json"`, `"arn:…"`,
      `"projects/…/secrets/…"`), password hashes (`"$2b$…"`), regular expressions, prose,
      and purely alphabetic values under a `token` name (NLP vocabulary, token types).
      A weak real password that looks like one of these is missed.
    - Names are judged by their last word: `hashed_password`, `password_salt`,
      `INVALID_PASSWORD` (a message), `use_token` (a flag), `page_token`/`next_token`
      (pagination), `csrf_token` and tokenizer vocabulary are not credentials.
    - Comparisons (`if password == "..."`) are not reported: the literal is checked
      against, not handed to a system, and in practice it is a test expectation or a
      sentinel. Key shapes are still found there.
    - Positional arguments of unknown callees (`Client("user", "pass")`) are not
      reported — the parameter's name is unknown. A table covers common APIs
      (`HTTPBasicAuth`, `cohere.Client`, `huggingface_hub.login`, `jwt.encode`,
      `boto3.Session`, `keyring.set_password`, …), plus `obj.login(user, "...")` on
      unresolved receivers (smtplib, ftplib, imaplib) and `set_<credential>("...")`.
    - A value built at run time (`"sk-" + suffix`, `f"{prefix}{key}"`) is not a literal.
    - URIs in docstrings and in strings that read as documentation (`e.g.`, `example`,
      `format`, `usage`) are skipped; `amqp://guest:guest@…` (RabbitMQ's public default)
      and `user:password@` are placeholders. Other defaults such as
      `postgres:postgres` are reported.
    - Bytes literals are ignored. Test files are judged like any other file; use
      `per-file-ignores = tests/*:MLP001` if your tests hold realistic fake credentials.
    - The message never shows the secret: at most a 3–4 character type prefix of a
      well-known key shape (`'hf_…'`), the length, and for URIs the scheme, user and host.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §4 Lack of Security and Governance (§4.2 bad practice, §4.3 solution).
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html).
    - Bandit B105/B106/B107 (hardcoded password string/funcarg/default); Ruff S105–S107;
      GitHub secret scanning patterns; Hugging Face docs,
      [User access tokens](https://huggingface.co/docs/hub/security-tokens).
    """

    code = "MLP001"
    name = "hardcoded-credentials"
    message = (
        "hardcoded credential in {target} {redacted}; read it from the environment or a "
        "secret manager ({hint})"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: ids of literal nodes already judged (one finding per literal)
        self._done: Set[int] = set()

    # ---------------------------------------------------------------- reporting
    def _emit(self, node: ast.AST, text: str) -> None:
        self.report(node, message="{text}", text=text)

    def _check_named(
        self,
        name: Optional[str],
        value: Optional[ast.AST],
        target: str,
        hint: Optional[str] = None,
        head: Optional[str] = None,
    ) -> None:
        """Judge the literal(s) of ``value`` stored under a credential-named ``name``."""
        if value is None or name is None:
            return
        if head is None:
            head = credential_head(name)
            if head is None:
                return
        for text, node, ids in literal_values(value):
            if id(node) in self._done:
                continue
            shaped = _shape_match(text)
            if shaped is None and not could_be_secret(text, name, head):
                continue
            self._done.update(ids)
            prefix = ""
            if shaped is not None:
                shape, m = shaped
                prefix = m.group(0)[: len(shape.prefix)] if text.startswith(m.group(0)) else ""
            env = hint or env_name(name)
            self._emit(
                node,
                f"hardcoded credential in {_short(target)} {redact(text, prefix)}; read it "
                f"from the environment or a secret manager ({_env_text(env)})",
            )

    # ------------------------------------------------------------- assignments
    def _target_name(self, target: ast.AST) -> Optional[str]:
        """The name judged for an assignment target (None: not a named target)."""
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute):
            return target.attr
        if isinstance(target, ast.Subscript):
            key = target.slice
            if sys.version_info < (3, 9) and isinstance(key, ast.Index):  # pragma: no cover
                key = key.value  # type: ignore[attr-defined]
            return self.ctx.literal_str(key)
        return None

    def _target_info(self, target: ast.AST, name: str) -> Tuple[str, Optional[str]]:
        """(text shown, env hint) for a named assignment target."""
        if isinstance(target, ast.Name):
            return target.id, None
        if isinstance(target, ast.Attribute):
            shown = _dotted(target) or target.attr
            return shown, _call_env_hint(self.ctx.qualname(target)) or None
        # a subscript, ``name`` its literal key
        owner = self.ctx.qualname(target.value)  # type: ignore[attr-defined]
        if owner == "os.environ":
            return f'os.environ["{name}"]', name
        base = _dotted(target.value) or "…"  # type: ignore[attr-defined]
        return f'{base}["{name}"]', None

    def _check_assign(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts):
                    self._check_assign(t, v)
            return
        name = self._target_name(target)
        if name is None:
            return
        # the name decides first: the shown text and env hint (a qualname) are built
        # only for targets that can report
        if isinstance(value, (ast.Tuple, ast.List)) and _is_auth_name(name):
            shown, _env = self._target_info(target, name)
            self._check_auth_tuple(value, shown)  # BASIC_AUTH = ("admin", "s3cret")
            return
        if value is None or credential_head(name) is None:
            return
        shown, env = self._target_info(target, name)
        self._check_named(name, value, shown, env)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        cls = value.__class__
        plain = cls is not _Tuple and cls is not _List
        for target in node.targets:
            tcls = target.__class__
            if tcls is _Name and plain:
                # the common ``x = ...``: judged by its name alone
                if credential_head(target.id) is not None:
                    self._check_named(target.id, value, target.id)
                continue
            if tcls is _Attribute and plain:
                # ``self.x = ...``: _check_assign's path for it, without its calls
                if credential_head(target.attr) is not None:
                    shown, env = self._target_info(target, target.attr)
                    self._check_named(target.attr, value, shown, env)
                continue
            self._check_assign(target, value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._check_assign(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._check_assign(node.target, node.value)

    # ---------------------------------------------------------------- defaults
    def _check_arguments(self, args: ast.arguments) -> None:
        defaults = args.defaults
        if defaults:
            positional = [*getattr(args, "posonlyargs", ()), *args.args]
            for arg, default in zip(positional[len(positional) - len(defaults):], defaults):
                if credential_head(arg.arg) is not None:
                    self._check_named(arg.arg, default, f"parameter {arg.arg}")
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None and credential_head(arg.arg) is not None:
                self._check_named(arg.arg, default, f"parameter {arg.arg}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        args = node.args
        if args.defaults or args.kw_defaults:  # most functions have no defaults
            self._check_arguments(args)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._check_arguments(node.args)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._check_arguments(node.args)

    # -------------------------------------------------------------------- dicts
    def visit_Dict(self, node: ast.Dict) -> None:
        literal_str = self.ctx.literal_str
        for key, value in zip(node.keys, node.values):
            if key is None:
                continue
            if type(key) is ast.Constant:
                key_text = key.value
                if type(key_text) is not str:
                    continue
            else:
                key_text = literal_str(key)  # a name bound once to a string
                if key_text is None:
                    continue
            kind = _dict_key_kind(key_text)
            if kind == 1:
                self._check_auth_header(value, key_text)
            elif kind == 2:
                self._check_named(key_text, value, f'dict key "{key_text}"')

    def _check_auth_header(self, value: ast.AST, header: str) -> None:
        for text, node, ids in literal_values(value):
            if id(node) in self._done:
                continue
            m = _AUTH_SCHEME.match(text.strip())
            if m is None:
                continue
            cred = m.group(1)
            shaped = _shape_match(cred)
            if shaped is None and not could_be_secret(cred, "token", "token"):
                continue
            self._done.update(ids)
            prefix = ""
            if shaped is not None and cred.startswith(shaped[1].group(0)):
                prefix = shaped[1].group(0)[: len(shaped[0].prefix)]
            self._emit(
                node,
                f'hardcoded credential in "{_short(header, 24)}" header {redact(cred, prefix)}; '
                "read it from the environment or a secret manager (os.environ[\"API_TOKEN\"])",
            )

    # -------------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        # Fast path: most calls are rejected by their attribute name (one dict lookup, see
        # _METHOD_WORK) and keyword names alone. The callee is resolved up front only where
        # a table is keyed by it (see _RESOLVE_ATTRS), and spelled for a message only on
        # the paths that may report.
        ctx = self.ctx
        f = node.func
        if f.__class__ is _Attribute:
            method: Optional[str] = f.attr
            work = _METHOD_WORK.get(method)  # type: ignore[arg-type]
            if work is None:
                work = _method_work(method)  # type: ignore[arg-type]
            if work:
                self._method_call(node, method, work)  # type: ignore[arg-type]
            func: object = _UNRESOLVED
        else:
            method = None
            func = ctx.call_name(node)
            if func in _TABLED_CALLEES:
                # callee-specific credential arguments (HTTPBasicAuth(u, p), login(token=...))
                specs = CREDENTIAL_CALL_ARGS.get(func)  # type: ignore[arg-type]
                if specs:
                    self._check_call_args(node, specs)
                # os.getenv("API_KEY", "...") imported by name
                if node.args and func in ENV_READERS:
                    self._check_env_reader(node, func)  # type: ignore[arg-type]

        for kw in node.keywords:
            arg = kw.arg
            kind = _KEYWORD_KINDS.get(arg)  # type: ignore[arg-type]
            if not kind:
                if kind is not None or arg is None:
                    continue
                kind = _keyword_kind(arg)
                if not kind:
                    continue
            if kind == 1:
                # auth=("user", "password"), basic_auth=..., http_auth=...
                self._check_auth_tuple(kw.value, f"{_call_label(ctx, node)}({arg}=)")
                continue
            vendor = ""
            if arg in _VENDOR_KEYWORDS:
                if func is _UNRESOLVED:
                    func = ctx.call_name(node)
                vendor = _call_env_hint(func)  # type: ignore[arg-type]
            self._check_named(arg, kw.value, f"{_call_label(ctx, node)}({arg}=)", vendor or None)

    def _method_call(self, node: ast.Call, method: str, work: int) -> None:
        """The checks of an attribute call keyed by its method name (``work``, from
        _METHOD_WORK); its keywords are judged by ``visit_Call``."""
        func = self.ctx.call_name(node) if work & _M_RESOLVE else _UNRESOLVED
        if func is not _UNRESOLVED:
            # callee-specific credential arguments (wandb.login(key=...))
            specs = CREDENTIAL_CALL_ARGS.get(func or "")  # type: ignore[arg-type]
            if specs:
                self._check_call_args(node, specs)

        # settings read or written by name: os.getenv("API_KEY", "..."), cfg.get("password", "...")
        if node.args:
            if func is not _UNRESOLVED and func in ENV_READERS:
                self._check_env_reader(node, func)  # type: ignore[arg-type]
            elif work & _M_NAME_VALUE and not node.keywords:
                self._check_name_value_call(node)

            # smtp/ftp/imap client.login("user", "password"); ngrok.set_auth_token("...")
            if work & _M_SETTER:
                self._check_setter_call(node, method, func, _setter_target(method))

        # argparse / click: add_argument("--api-key", default="...")
        if work & _M_CLI:
            self._check_cli_option(node)

    def _check_call_args(self, node: ast.Call, specs: Sequence[CredentialArg]) -> None:
        ctx = self.ctx
        for spec in specs:
            if spec.position >= 0:
                arg = ctx.arg(node, spec.position, spec.keyword)
            else:
                arg = ctx.kwarg(node, spec.keyword)
            if arg is not None:
                self._check_named(
                    spec.keyword, arg, f"{_call_label(ctx, node)}({spec.keyword}=)", spec.env,
                    head=credential_head(spec.keyword) or "token",
                )

    def _check_env_reader(self, node: ast.Call, func: str) -> None:
        ctx = self.ctx
        if any(isinstance(a, ast.Starred) for a in node.args):
            return
        name_node = ctx.arg(node, 0, "key")
        value = ctx.arg(node, 1, "default") or ctx.arg(node, 1, "value")
        name = ctx.literal_str(name_node)
        if name and value is not None and credential_head(name) is not None:
            verb = "default" if func in ("os.getenv", "os.environ.get", "os.environ.pop") else "value"
            self._check_named(name, value, f'{func}("{name}") {verb}', name)

    def _check_name_value_call(self, node: ast.Call) -> None:
        """``obj.<m>(name, value)`` (``m`` in NAME_VALUE_METHODS, no keywords)."""
        args = node.args
        method = node.func.attr  # type: ignore[attr-defined]
        if method in ("get", "pop", "setdefault", "putenv", "setenv"):
            if len(args) != 2:
                return
            name_node, value = args
        else:
            if len(args) not in (2, 3):
                return
            name_node, value = args[-2], args[-1]
        if any(isinstance(a, ast.Starred) for a in args):
            return
        ctx = self.ctx
        name = ctx.literal_str(name_node)
        if name and credential_head(name) is not None:
            self._check_named(name, value, f'{_short(_call_label(ctx, node), 32)}("{name}", …)')

    def _check_setter_call(self, node: ast.Call, method: str, func: object, what: str) -> None:
        """``obj.login(user, password)`` and ``set_<credential>(value)`` (``what``)."""
        args = node.args
        if isinstance(args[-1], ast.Starred):
            return
        if method == "login":
            # ``login`` is in _RESOLVE_ATTRS: ``func`` is resolved here
            if func is None and len(args) == 2:
                self._check_named(
                    "password", args[1], f"{_call_label(self.ctx, node)}(…, password)",
                    "LOGIN_PASSWORD", head="password",
                )
            return
        self._check_named(what, args[-1], f"{_call_label(self.ctx, node)}()")

    def _check_cli_option(self, node: ast.Call) -> None:
        ctx = self.ctx
        default = ctx.kwarg(node, "default")
        if default is None:
            return
        names = [ctx.literal_str(a) for a in node.args if not isinstance(a, ast.Starred)]
        dest = ctx.literal_str(ctx.kwarg(node, "dest"))
        options = [n for n in names if n]
        if dest:
            options.insert(0, dest)
        if not options:
            return
        best = max(options, key=lambda n: (n.startswith("--") or n == dest, len(n)))
        if credential_head(best.lstrip("-")) is not None:
            self._check_named(best.lstrip("-"), default, f"option {best} default")

    def _check_auth_tuple(self, value: ast.AST, shown: str) -> None:
        pairs: List[ast.AST] = []
        if isinstance(value, (ast.Tuple, ast.List)):
            if len(value.elts) == 2 and not isinstance(value.elts[0], (ast.Tuple, ast.List)):
                pairs.append(value)
            else:
                pairs.extend(
                    e for e in value.elts if isinstance(e, (ast.Tuple, ast.List)) and len(e.elts) == 2
                )
        for pair in pairs:
            secret = pair.elts[1]  # type: ignore[attr-defined]
            self._check_named("password", secret, f"{shown} password", "API_PASSWORD", head="password")

    # ------------------------------------------------------- strings anywhere
    def visit_BinOp(self, node: ast.BinOp) -> None:
        # the right operand of a chain of str constants is one ("a" + "b") or a chain
        # ("a" + ("b" + "c")): most BinOps stop at this test
        right = node.right
        cls = right.__class__
        if cls is _Constant:
            if right.value.__class__ is not str:  # type: ignore[attr-defined]
                return
        elif cls is not _BinOp:
            return
        if node.op.__class__ is not _Add or id(node) in self._done:
            return
        parent = self.ctx.parent
        if parent.__class__ is _BinOp and parent.op.__class__ is _Add:  # type: ignore[attr-defined]
            return  # judged as part of the enclosing chain
        leaves: List[ast.Constant] = []
        if not _concat_leaves(node, leaves) or len(leaves) < 2:
            return
        self._done.update(id(c) for c in leaves)
        self._check_string("".join(c.value for c in leaves), node, docstring=False)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        done = self._done
        pieces = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                done.add(id(v))
                value = v.value
                pieces.append(value if isinstance(value, str) else "\x00")
            else:
                pieces.append("\x00")  # an interpolation
        if id(node) in done:
            return
        self._check_string("".join(pieces), node, docstring=False)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if value.__class__ is not str or len(value) < 8 or id(node) in self._done:
            return
        if self.ctx.parent.__class__ is _Expr:
            return  # a docstring (see _check_string)
        # the tests that open each branch of _check_string: most strings pass none
        if (len(value) >= 20 and _has_shape_hint(value)) or "=" in value or "://" in value:
            self._check_string(value, node, docstring=False)

    def _check_string(self, s: str, node: ast.AST, docstring: bool) -> None:
        if docstring:
            return  # documentation, or code commented out as a bare string
        shaped = _shape_match(s)
        if shaped is not None:
            shape, m = shaped
            key = m.group(0)
            prefix = key[: len(shape.prefix)]
            env = shape.env
            self._emit(
                node,
                f"hardcoded {shape.kind} in a string literal {redact(key, prefix)}; read it "
                f"from the environment or a secret manager ({_env_text(env)})",
            )
            return
        if "://" in s and "@" in s and not _URI_DOC_WORDS.search(s):
            for m in URI_CREDENTIALS.finditer(s):
                if self._uri_password_is_real(m):
                    user = m.group("user")
                    shown_user = "…" if user else ""
                    if user and len(user) <= 32 and _shape_match(user) is None:
                        shown_user = user.replace("\x00", "{…}")
                    host = _short(m.group("host").replace("\x00", "{…}"), 40) or "host"
                    self._emit(
                        node,
                        f"credentials in URI ({m.group('scheme')}://{shown_user}:…@{host}); read "
                        "the password from the environment or a secret manager",
                    )
                    return
        if "=" in s:
            self._check_connection_string(s, node)

    @staticmethod
    def _uri_password_is_real(m: "re.Match[str]") -> bool:
        password = m.group("password")
        user = m.group("user")
        low = password.lower()
        if low in URI_PLACEHOLDER_PASSWORDS or _PLACEHOLDER_RE.search(password):
            return False
        if password[0] in "$%{<[":
            return False
        if password.isdigit() and ("." in user or user.lower() == "localhost" or not user):
            return False  # host:port, not user:password
        if len(password) < 3:
            return False
        return True

    def _check_connection_string(self, s: str, node: ast.AST) -> None:
        if s.isascii():
            # the pattern needs one of its names: for ASCII text a lower-case search is
            # the same test (its IGNORECASE also matches U+212A KELVIN SIGN as "k" and
            # U+017F as "s"), and spares most "x=y" strings the pattern and its compiling
            low = s.lower()
            if not (
                "passw" in low or "pwd" in low or "apikey" in low or "api_key" in low
                or "access_token" in low or "auth_token" in low
            ):
                return
        for m in CONNECTION_STRING_PASSWORD.finditer(s):
            value = m.group("value")
            start = m.start()
            in_query = start < len(s) and s[start] in "?&"
            if not in_query and len(re.findall(r"[A-Za-z_]\w*\s*=", s)) < 2:
                continue
            if is_placeholder(value) or value[0] in "$%{<[" or value.lower() in URI_PLACEHOLDER_PASSWORDS:
                continue
            self._emit(
                node,
                f"hardcoded credential in connection string ({m.group('name')}=…, "
                f"{len(value)} chars); read it from the environment or a secret manager",
            )
            return


def _env_text(env: str) -> str:
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", env):
        return f'os.environ["{env}"]'
    return env


def _call_env_hint(func: Optional[str]) -> str:
    if not func:
        return ""
    parts = func.split(".")
    for n in (2, 1):
        hint = CALL_ENV_HINTS.get(".".join(parts[:n]))
        if hint:
            return hint
    return ""
