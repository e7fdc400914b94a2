"""MLP004 trusted-remote-code."""

from __future__ import annotations

import ast
from typing import Optional, Set

from ...apis.hub import TRUST_REMOTE_CODE
from ...registry import Rule, register


def dotted(expr: ast.AST) -> Optional[str]:
    """``AutoModel.from_pretrained`` as written in the source (Name/Attribute chains)."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
    elif isinstance(expr, ast.Call):
        inner = dotted(expr.func)
        if inner is None:
            return None
        parts.append(inner + "(...)")
    else:
        return ".".join(reversed(parts)) if parts else None
    return ".".join(reversed(parts))


@register
class TrustedRemoteCode(Rule):
    """## What it does
    Flags `trust_remote_code=True` on any call — `from_pretrained`, `pipeline`,
    `load_dataset`, `SentenceTransformer`, vLLM's `LLM`, or a method of an object the
    linter cannot resolve: the keyword is specific enough that the callee does not
    matter. Also flags the same option written as a dict entry that reaches a call:
    `model_kwargs={"trust_remote_code": True}`, `**{"trust_remote_code": True}`,
    `dict(trust_remote_code=True)`, or a stand-alone options dict such as
    `LOAD_KWARGS = {"trust_remote_code": True}` that is later unpacked with `**`.

    The value must be literally `True`, or a name bound once to `True`
    (`TRUST = True`). The finding is reported on the first line of the call (for a
    dict handed to a call, the call that receives it), so `# noqa: MLP004` goes there.

    ## Why is this bad?
    With `trust_remote_code=True`, Hugging Face libraries import the Python files
    (`modeling_*.py`, dataset loading scripts) that live in the remote repository and run
    them with your credentials. Whoever can push to that repository — or to the branch
    you follow — can run code on your training machines and servers. Virmani & Kuppam
    list missing security and governance controls around models among the core MLOps
    antipatterns (seed 000, §4): executing unreviewed third-party code is exactly such a
    gap, and a supply-chain entry point for model poisoning.

    ## Example
    ```python
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        "someorg/custom-arch-7b",
        trust_remote_code=True,
    )
    ```

    ## Use instead
    ```python
    from transformers import AutoModelForCausalLM

    # an architecture supported natively by transformers, pinned to a reviewed commit
    model = AutoModelForCausalLM.from_pretrained(
        "someorg/llama-arch-7b",
        revision="6c1f3e9b5d2a4f8e0c7b1a3d5e9f2b4c6a8d0e1f",
    )
    ```

    ## Options
    None.

    ## Known limitations
    - A non-literal value (`trust_remote_code=args.trust_remote_code`,
      `trust_remote_code=cfg.trust`) gets the benefit of the doubt, as does a `**kwargs`
      whose content is not a visible literal.
    - The rule fires even when `revision=` pins a commit you have reviewed: remote code
      stays a decision worth a visible `# noqa: MLP004` with a comment.
    - Defaults are not calls: `def load(name, trust_remote_code=True)`, dataclass fields
      (`trust_remote_code: bool = True`) and attribute assignments
      (`args.trust_remote_code = True`) are not reported.
    - Mock assertions in tests (`m.assert_called_with(..., trust_remote_code=True)`,
      `unittest.mock.call(...)`) describe a call rather than make one and are skipped.
    - Dict entries are looked at one level deep inside a call's arguments; a
      stand-alone dict literal with the key is reported on its own first line.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §4 Lack of Security and Governance.
    - Hugging Face docs, [Customizing models](https://huggingface.co/docs/transformers/custom_models)
      ("using a model with custom code").
    - CWE-829 (inclusion of functionality from an untrusted control sphere);
      Bandit B615 covers revision pinning, not remote code.
    """

    code = "MLP004"
    triggers = ("trust_remote_code",)
    name = "trusted-remote-code"
    message = (
        "trust_remote_code=True lets {func} run Python code from the Hub repository; "
        "read that code and pin revision= to a commit SHA, or use a model that needs no remote code"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        # ids of Dict / dict(...) nodes already judged as part of an enclosing call
        self._consumed: Set[int] = set()

    # ------------------------------------------------------------ helpers
    def _is_dict_call(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
            and self.ctx.resolver.binding("dict") is None
        )

    def _kw_true(self, call: ast.Call) -> bool:
        for kw in call.keywords:
            if kw.arg == TRUST_REMOTE_CODE and self.ctx.is_true(kw.value):
                return True
        return False

    def _dict_true(self, node: ast.Dict) -> bool:
        for key, value in zip(node.keys, node.values):
            if (
                isinstance(key, ast.Constant)
                and key.value == TRUST_REMOTE_CODE
                and self.ctx.is_true(value)
            ):
                return True
        return False

    def _options_true(self, node: ast.AST) -> bool:
        """A dict literal / ``dict(...)`` argument holding the option (marked consumed)."""
        if isinstance(node, ast.Dict):
            self._consumed.add(id(node))
            return self._dict_true(node)
        if self._is_dict_call(node):
            self._consumed.add(id(node))
            return self._kw_true(node)  # type: ignore[arg-type]
        return False

    def _is_mock_check(self, call: ast.Call) -> bool:
        """``mock.assert_called_with(..., trust_remote_code=True)`` / ``mock.call(...)``
        in tests describe a call, they do not make one."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr.startswith("assert_"):
            return True
        qual = self.ctx.call_name(call)
        return qual in ("unittest.mock.call", "mock.call")

    def _func_label(self, call: ast.Call) -> str:
        func = call.func
        qual = self.ctx.call_name(call)
        if qual == "functools.partial" and call.args:
            inner = dotted(call.args[0])
            if inner:
                return inner + "()"
        name = dotted(func) or qual
        return (name + "()") if name else "this call"

    # ----------------------------------------------------------- handlers
    def visit_Call(self, node: ast.Call) -> None:
        if id(node) in self._consumed or self._is_mock_check(node):
            return
        hit = self._kw_true(node)
        for kw in node.keywords:
            if kw.arg != TRUST_REMOTE_CODE and self._options_true(kw.value):
                hit = True
        for arg in node.args:
            if self._options_true(arg):
                hit = True
        if not hit:
            return
        if self._is_dict_call(node):
            self.report(node, func="the loader these options are passed to")
        else:
            self.report(node, func=self._func_label(node))

    def visit_Dict(self, node: ast.Dict) -> None:
        if id(node) in self._consumed:
            return
        if self._dict_true(node):
            self.report(node, func="the loader these options are passed to")
