"""Package installers run from code: which commands install, and which requirements are pinned.

Used by MLP019 (runtime package install) for ``subprocess``/``os.system`` calls in Python
files and by :mod:`flake8_mlops.notebook` for ``%pip`` / ``!pip`` magics. Everything here
works on *tokens* (a command already split into words); a token the linter cannot read
(an f-string hole, ``{var}``/``$VAR`` expansion, a non-literal list element) is the
:data:`OPAQUE` marker and gets the benefit of the doubt.
"""

from __future__ import annotations

import re
import shlex
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from .. import lazy_re

#: a word of a command that is not a literal (never judged)
OPAQUE = "\x00"

#: qualified names of calls that run a shell command or a program -> how the command is
#: given: "shell" (one string, or a list when ``shell`` is not set) or "argv"
COMMAND_RUNNERS: Dict[str, str] = {
    "subprocess.run": "argv",
    "subprocess.call": "argv",
    "subprocess.check_call": "argv",
    "subprocess.check_output": "argv",
    "subprocess.Popen": "argv",
    "subprocess.getoutput": "shell",
    "subprocess.getstatusoutput": "shell",
    "os.system": "shell",
    "os.popen": "shell",
    "asyncio.create_subprocess_shell": "shell",
    "asyncio.create_subprocess_exec": "exec",
}

#: pip's own programmatic entry points: the argument list starts at the sub-command
PIP_MAIN_FUNCTIONS = frozenset(
    {"pip.main", "pip._internal.main", "pip._internal.cli.main.main", "pip._internal.main.main"}
)

#: IPython shell helpers (``get_ipython().system("pip install x")``, nbconvert's output)
IPYTHON_SHELL_METHODS = frozenset({"system", "getoutput"})
IPYTHON_LINE_MAGIC_METHOD = "run_line_magic"

#: no package is exempt: ``pip install -U pip`` changes the environment at run time as
#: much as any other unpinned install (the catalogue: "any requirement is unpinned")
TOOLING_PACKAGES: frozenset = frozenset()

_PIP_PROGRAM = lazy_re.compile(r"^pip(?:\d+(?:\.\d+)*)?(?:\.exe)?$")
_PYTHON_PROGRAM = lazy_re.compile(r"^(?:python|py)(?:\d+(?:\.\d+)*)?(?:\.exe)?$")
_CONDA_PROGRAM = lazy_re.compile(r"^(?:conda|mamba|micromamba)(?:\.exe)?$")
_ENV_ASSIGN = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

#: pip ``install`` options that take a value (``--opt value`` or ``--opt=value``)
PIP_VALUE_OPTIONS = frozenset(
    {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
        "--prefix", "--root", "--platform", "--python-version", "--implementation", "--abi",
        "--trusted-host", "--cache-dir", "--src", "--upgrade-strategy", "--progress-bar",
        "--log", "--log-file", "--proxy", "--timeout", "--retries", "--exists-action",
        "--cert", "--client-cert", "--global-option", "--install-option", "--config-settings",
        "-C", "--only-binary", "--no-binary", "--report", "--python", "--keyring-provider",
        "--root-user-action", "--use-feature", "--use-deprecated", "--hash",
    }
)
#: options whose value is a file of requirements or constraints (treated as pinned)
PIP_FILE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint"})
#: ``-e <path or url>``: an editable install of a project (see :func:`judge_requirement`)
PIP_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
#: conda ``install`` options that take a value
CONDA_VALUE_OPTIONS = frozenset(
    {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--override-channels-x",
     "--repodata-fn", "--solver", "--experimental-solver"}
)
CONDA_FILE_OPTIONS = frozenset({"--file"})

#: git branch names that move (``git+https://...@main``)
MOVING_REFS = frozenset({"main", "master", "dev", "develop", "development", "head", "latest", "trunk"})

_SPEC_SPLIT = lazy_re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")
_LOCAL_ARCHIVE = lazy_re.compile(r"\.(?:whl|tar\.gz|tgz|tar\.bz2|zip|egg)$", re.I)
_SHELL_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})


def split_shell(command: str) -> List[List[str]]:
    """A shell command line -> its simple commands, each a list of words.

    IPython expansions (``{var}``, ``$var``) become :data:`OPAQUE` words. Quotes are
    honoured (``"torch>=2"`` is one word); a line that shlex cannot split falls back to
    whitespace.
    """
    text = command.replace("\\\n", " ")
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError:
        words = text.split("#", 1)[0].split()
    out: List[List[str]] = [[]]
    for word in words:
        if word in _SHELL_SEPARATORS or word == "\n":
            out.append([])
            continue
        if "{" in word or "$" in word:
            word = OPAQUE
        out[-1].append(word)
    return [c for c in out if c]


def install_args(words: Sequence[str]) -> Optional[Tuple[str, List[str]]]:
    """``(tool, arguments after 'install')`` when ``words`` run a package install, else None.

    Recognises ``pip``/``pip3``/``pip3.11``, ``python -m pip``, ``python3 -m pip``, an
    opaque interpreter (``{sys.executable}``, ``sys.executable`` in a list) followed by
    ``-m pip``, ``uv pip install``, ``conda``/``mamba``/``micromamba install``, behind
    optional ``sudo``/``env``/``VAR=value`` prefixes and absolute program paths.
    """
    i = 0
    n = len(words)
    while i < n and (words[i] in ("sudo", "env", "command", "exec", "time", "nohup")
                     or _ENV_ASSIGN.match(words[i]) or (words[i].startswith("-") and i > 0
                                                        and words[i - 1] in ("sudo", "env"))):
        i += 1
    if i >= n:
        return None
    prog = words[i].replace("\\", "/").rsplit("/", 1)[-1]
    tool = ""
    rest: Sequence[str] = ()
    if _PIP_PROGRAM.match(prog):
        tool, rest = "pip", words[i + 1:]
    elif prog == "uv" and i + 1 < n and words[i + 1] == "pip":
        tool, rest = "pip", words[i + 2:]
    elif _CONDA_PROGRAM.match(prog):
        tool, rest = "conda", words[i + 1:]
    elif _PYTHON_PROGRAM.match(prog) or words[i] == OPAQUE:
        j = i + 1
        while j < n and words[j].startswith("-") and words[j] != "-m" and not words[j].startswith("-m"):
            j += 1
        if j < n and words[j] == "-m" and j + 1 < n and _PIP_PROGRAM.match(words[j + 1]):
            tool, rest = "pip", words[j + 2:]
        elif j < n and words[j].startswith("-m") and _PIP_PROGRAM.match(words[j][2:]):
            tool, rest = "pip", words[j + 1:]
        else:
            return None
    else:
        return None
    return _after_subcommand(tool, list(rest))


def pip_main_args(words: Sequence[str]) -> Optional[Tuple[str, List[str]]]:
    """``pip.main(["install", ...])``: the words start at pip's sub-command."""
    return _after_subcommand("pip", list(words))


def _after_subcommand(tool: str, rest: List[str]) -> Optional[Tuple[str, List[str]]]:
    # global options may come before the sub-command (``pip -q install x``)
    k = 0
    while k < len(rest) and rest[k].startswith("-"):
        k += 1
    if k < len(rest) and rest[k] == "install":
        return tool, rest[k + 1:]
    return None


def judge_requirement(word: str, tool: str = "pip") -> Optional[str]:
    """The requirement's display name when ``word`` is an *unpinned* requirement, else None.

    Pinned or not judged: ``pkg==1.2.3`` / ``pkg===1.2`` (conda: ``pkg=1.2``), local paths
    and archives (``.``, ``./lib``, ``dist/x.whl``), URLs and VCS links pinned to a commit
    or a tag, opaque words.
    Unpinned: a bare name, ranges (``>=``, ``~=``, ``<``, ``!=``), wildcards (``==1.*``),
    VCS links without a ref or at a moving branch (``@main``).
    """
    word = word.strip().strip("'\"")
    if not word or OPAQUE in word:
        return None
    low = word.lower()
    if "://" in word or low.startswith("git+"):
        return _judge_url(word)
    if word.startswith((".", "/", "~")) or "\\" in word or _LOCAL_ARCHIVE.search(word):
        return None  # a local project, folder or archive: a fixed artifact
    name_part, at, url = word.partition("@")
    if at and ("://" in url or url.strip().startswith("git+")):
        return _judge_url(url.strip(), name_part.strip() or None)
    if ";" in word:
        word = word.split(";", 1)[0].strip()
    m = _SPEC_SPLIT.match(word)
    if m is None:
        return None
    name, spec = m.group(1), m.group(3).strip()
    if name.lower() in TOOLING_PACKAGES:
        return None
    if tool == "conda":
        if "::" in name:
            name = name.split("::", 1)[1]
        if re.match(r"^==?\s*\d[\w.+!-]*(?:=[\w.*]+)?$", spec) and "*" not in spec.split("=")[-1]:
            return None
        return name
    if re.match(r"^===?\s*[\w.+!-]+$", spec) and "*" not in spec:
        return None
    if "==" in spec and "," in spec:
        # ``pkg>=1,==1.2.3``: an exact pin among other clauses
        if any(re.match(r"^===?\s*[\w.+!-]+$", c.strip()) and "*" not in c for c in spec.split(",")):
            return None
    return name


def _judge_url(url: str, name: Optional[str] = None) -> Optional[str]:
    low = url.lower()
    label = name or url.rsplit("/", 1)[-1].split("@", 1)[0].split("#", 1)[0] or url
    if low.startswith("file:"):
        return None
    if low.startswith("git+") or low.endswith(".git") or "@" in url.split("://", 1)[-1]:
        body = url.split("://", 1)[-1]
        if "@" not in body:
            return label.removesuffix(".git") if hasattr(label, "removesuffix") else label
        ref = body.rsplit("@", 1)[1].split("#", 1)[0].strip("/")
        if not ref or ref.lower() in MOVING_REFS:
            return label.replace(".git", "")
        return None  # a commit or a tag
    if _LOCAL_ARCHIVE.search(low.split("#", 1)[0].split("?", 1)[0]):
        return None  # a released archive (versioned file name)
    return label


def unpinned_requirements(tool: str, args: Sequence[str]) -> List[str]:
    """Names of the unpinned requirements among an install command's arguments."""
    value_opts = PIP_VALUE_OPTIONS if tool == "pip" else CONDA_VALUE_OPTIONS
    file_opts = PIP_FILE_OPTIONS if tool == "pip" else CONDA_FILE_OPTIONS
    out: List[str] = []
    constrained = False
    i = 0
    n = len(args)
    while i < n:
        word = args[i]
        i += 1
        if word == OPAQUE:
            continue
        if word.startswith("-"):
            opt, eq, _val = word.partition("=")
            if tool == "pip" and (opt in ("-c", "--constraint") or re.match(r"^-c\S", word)):
                constrained = True  # a constraints file pins whatever it names
            if opt in file_opts or (tool == "pip" and opt in PIP_EDITABLE_OPTIONS):
                if not eq:
                    i += 1  # skip its value
                continue
            if tool == "pip" and re.match(r"^-[re]\S", word):
                continue  # ``-rrequirements.txt`` / ``-e.``
            if opt in value_opts:
                if not eq:
                    i += 1
                continue
            continue  # a flag
        name = judge_requirement(word, tool)
        if name is not None and name not in out:
            out.append(name)
    return [] if constrained else out


def describe(names: Sequence[str], limit: int = 3) -> str:
    """``'torch', 'numpy'`` (at most ``limit`` names, then ``…``)."""
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return shown


def scan_command(command: str) -> List[Tuple[str, List[str]]]:
    """Every install in a shell command line: ``[(tool, unpinned names)]`` (names may be
    empty when everything is pinned)."""
    found: List[Tuple[str, List[str]]] = []
    for words in split_shell(command):
        got = install_args(words)
        if got is not None:
            tool, args = got
            found.append((tool, unpinned_requirements(tool, args)))
    return found


FrozenSet  # re-export for type hints
