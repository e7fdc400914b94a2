"""MLP013 debug-server."""

from __future__ import annotations

import ast

from ...apis.serving import RELOAD_SERVERS, ServingRule
from ...registry import register

_DEBUG_FIX = "read it from configuration and keep it off in production"


@register
class DebugServer(ServingRule):
    """## What it does
    Flags a web server started or configured in debug mode:
    - `app.run(debug=True)` on a Flask-family app (Flask, Quart, Dash; also an app of
      unknown origin named `app`/`application`/`*_app`, e.g. from `create_app()`), and
      `socketio.run(app, debug=True)`;
    - `app.debug = True`, `app.config["DEBUG"] = True`,
      `app.config.update(DEBUG=True)` / `from_mapping(DEBUG=True)`;
    - `uvicorn.run(..., reload=True)`, `uvicorn.Config(..., reload=True)`, and werkzeug
      `run_simple(..., use_debugger=True)`.

    `True` means the literal or a module constant bound once to it (`DEBUG = True`);
    `debug=os.getenv("DEBUG") == "1"` or any other expression does not fire. The finding
    is on the `run` call or the assignment, also under `if __name__ == "__main__":` — the
    block that `python app.py` runs in a container.

    ## Why is this bad?
    Seed 000 (§5) describes services deployed ad hoc, straight from the developer's set-up.
    Flask's debug mode serves the Werkzeug debugger, an interactive Python console on any
    error page: whoever reaches the port can run code on the model server. The reloader
    (`reload=True`) watches the file system and restarts workers, a development feature
    that doubles processes and reloads models in production.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(host="0.0.0.0", port=8080, debug=True)
    ```

    ## Use instead
    ```python
    import os

    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(host="0.0.0.0", port=8080, debug=os.getenv("FLASK_DEBUG") == "1")
    ```

    ## Options
    None of its own (`--mlp-health-routes` and `--mlp-monitoring-calls` are shared with
    MLP011/MLP012 and do not change this rule).

    ## Known limitations
    - Debug mode switched on outside the code (`FLASK_DEBUG=1`, `flask run --debug`,
      `uvicorn --reload`, a config class or file with `DEBUG = True`) is not seen.
    - `FastAPI(debug=True)`/`Starlette(debug=True)` (tracebacks in responses) are not
      reported.
    - A `.run(debug=True)` on an object named `app` that is not a web app is reported.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §5 Ad-hoc Deployment and Monitoring.
    - Flask docs, [Debug mode](https://flask.palletsprojects.com/en/stable/debugging/)
      ("do not run the development server or debugger in a production environment").
    - Uvicorn docs, [Settings: reload](https://www.uvicorn.org/settings/#development).
    - Bandit [B201](https://bandit.readthedocs.io/en/latest/plugins/b201_flask_debug_true.html)
      flask_debug_true; Ruff S201.
    """

    code = "MLP013"
    added_in = "0.2.0"
    triggers = ("debug", "DEBUG", "Debug", "reload")
    name = "debug-server"
    message = "{what} {why}; {fix}"
    confidence = "high"

    def visit_Call(self, node: ast.Call) -> None:
        self._feed(node)
        ctx = self.ctx
        qn = ctx.call_name(node)
        if qn is not None and qn in RELOAD_SERVERS:
            kw = RELOAD_SERVERS[qn]
            if ctx.is_true(ctx.kwarg(node, kw)):
                short = qn.replace("uvicorn.main.", "uvicorn.").replace("uvicorn.config.", "uvicorn.")
                why = (
                    "runs the reloader, a development setting"
                    if kw == "reload"
                    else "serves the Werkzeug debugger, which runs any code sent to it"
                )
                self.report(node, what=f"{short}({kw}=True)", why=why, fix="turn it off in production")
            return
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        sf = self.serving
        recv = func.value
        if func.attr in ("run", "run_server"):
            kind = sf.app_kind(recv)
            is_app = (kind is not None and kind[0] == "socketio") or sf.is_flask_app(recv)
            if is_app and ctx.is_true(ctx.kwarg(node, "debug")):
                self.report(
                    node,
                    what=f"{_name(recv)}.{func.attr}(debug=True)",
                    why="serves the Werkzeug debugger, which runs any code sent to it",
                    fix=_DEBUG_FIX,
                )
        elif func.attr in ("update", "from_mapping") and self._is_app_config(recv):
            hit = ctx.is_true(ctx.kwarg(node, "DEBUG"))
            if not hit and node.args and isinstance(node.args[0], ast.Dict):
                for k, v in zip(node.args[0].keys, node.args[0].values):
                    if k is not None and ctx.literal_str(k) == "DEBUG" and ctx.is_true(v):
                        hit = True
            if hit:
                self.report(
                    node,
                    what=f"{_name(recv)}.{func.attr}(DEBUG=True)",
                    why="turns on Flask's debug mode and its Werkzeug debugger",
                    fix=_DEBUG_FIX,
                )

    def visit_Assign(self, node: ast.Assign) -> None:
        self._feed(node)
        if not self.ctx.is_true(node.value):
            return
        sf = self.serving
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "debug" and sf.is_flask_app(target.value):
                what = f"{_name(target.value)}.debug = True"
            elif (
                isinstance(target, ast.Subscript)
                and self.ctx.literal_str(target.slice) == "DEBUG"
                and self._is_app_config(target.value)
            ):
                what = f"{_name(target.value)}['DEBUG'] = True"
            else:
                continue
            self.report(
                node,
                what=what,
                why="turns on Flask's debug mode and its Werkzeug debugger",
                fix=_DEBUG_FIX,
            )
            return

    def _is_app_config(self, expr: ast.AST) -> bool:
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr == "config"
            and self.serving.is_flask_app(expr.value)
        )


def _name(expr: ast.AST) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover
        return "app"
    return text if len(text) <= 30 else "app"
