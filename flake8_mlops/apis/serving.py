"""Serving APIs: web apps, routes, handlers, model loads, predictions and monitoring.

Shared by the serving rules MLP011 endpoint-without-health-check, MLP012
unmonitored-prediction, MLP013 debug-server, MLP014 model-loaded-per-request and MLP021
training-serving-entangled. Two parts:

* **tables** (framework APIs, health routes, monitoring calls, startup hooks, model loads
  and inference methods), keyed by canonical qualified names as ``Context.qualname``
  returns them;
* :class:`ServingFacts`, a per-file collector fed during the single walk by whichever
  serving rule sees a node first (:func:`serving_facts` creates it lazily on the context;
  every feed is idempotent, so each rule also works when selected alone), and read in the
  rules' ``finish()``.

What the collector knows after the walk:

* **apps and routers**: ``Flask(...)``, ``Quart(...)``, ``FastAPI(...)``,
  ``Starlette(...)`` (apps) and ``Blueprint``/``APIRouter``/``Router``/flask-restful
  ``Api`` (routers), with the names they are bound to (any scope, so app factories work);
* **handlers**: functions decorated with ``@<app>.route/get/post/put/delete/patch/
  api_route/websocket(...)``, functions/classes registered with ``add_url_rule``,
  ``add_api_route``, ``add_route``, ``add_resource``, Starlette ``Route(...)`` /
  ``WebSocketRoute(...)`` / FastAPI ``APIRoute(...)``, and the HTTP-verb methods of
  class-based views (``MethodView``/``View``, Starlette ``HTTPEndpoint``, flask-restful and
  flask-restx ``Resource``);
* **route paths** (health routes among them, non-literal paths as unknown), routers
  included from other modules, health-check extensions;
* per function: whether it predicts, monitors, loads a model (and whether the load is
  cached), and which functions of the same file it calls (for helpers, ``Depends(...)``
  dependencies and callbacks handed to ``add_task``/``run_in_executor``).

A receiver counts as an app or router when it is bound in this file to one of the
constructors, or — for decorators — when it is an unknown name (an app imported from the
package, ``app = create_app()``) decorated with a route method whose path is a string
starting with ``/`` in a module that imports a web framework.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from .. import lazy_re
from ..options import Option
from ..registry import Rule, shared
from .models import CONFIG_ROOTS, MODEL_LOADERS, is_model_name, model_constructor

if TYPE_CHECKING:  # pragma: no cover
    from ..context import Context
    from ..names import Scope

# ----------------------------------------------------------------------- options
DEFAULT_HEALTH_ROUTES = (
    "/health",
    "/healthz",
    "/healthy",
    "/healthcheck",
    "/health-check",
    "/health_check",
    "/heartbeat",
    "/ready",
    "/readyz",
    "/readiness",
    "/live",
    "/livez",
    "/liveness",
    "/ping",
    "/status",
)

HEALTH_ROUTES_OPTION = Option(
    "--mlp-health-routes",
    "route paths that count as health/readiness probes (matched as whole path segments, "
    "after any prefix such as /api/v1; extends the default list)",
    default=DEFAULT_HEALTH_ROUTES,
)

DEFAULT_MONITORING_CALLS = (
    "logging",
    "loguru",
    "structlog",
    "logfire",
    "mlflow",
    "wandb",
    "evidently",
    "whylogs",
    "arize",
    "nannyml",
    "fiddler",
    "langfuse",
    "prometheus_client",
    "aioprometheus",
    "opentelemetry",
    "datadog",
    "ddtrace",
    "sentry_sdk",
    "statsd",
    "newrelic",
    "flask.current_app.logger",
    "quart.current_app.logger",
)

MONITORING_CALLS_OPTION = Option(
    "--mlp-monitoring-calls",
    "qualified-name prefixes (or bare function names) of calls that log or monitor "
    "predictions, e.g. acme.monitoring,log_prediction (extends the default list)",
    default=DEFAULT_MONITORING_CALLS,
)

# -------------------------------------------------------------------- frameworks
#: app constructors -> framework
APP_CONSTRUCTORS: Dict[str, str] = {
    "flask.Flask": "flask",
    "flask.app.Flask": "flask",
    "quart.Quart": "quart",
    "fastapi.FastAPI": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
}
#: router / blueprint constructors -> framework
ROUTER_CONSTRUCTORS: Dict[str, str] = {
    "flask.Blueprint": "flask",
    "flask.blueprints.Blueprint": "flask",
    "quart.Blueprint": "quart",
    "flask_smorest.Blueprint": "flask",
    "fastapi.APIRouter": "fastapi",
    "fastapi.routing.APIRouter": "fastapi",
    "starlette.routing.Router": "starlette",
    "flask_restful.Api": "flask",
    "flask_restx.Api": "flask",
    "flask_restx.Namespace": "flask",
}
#: apps whose ``run(debug=True)`` starts the Werkzeug debugger (MLP013)
DEBUG_APPS: FrozenSet[str] = frozenset({"flask", "quart", "dash"})
DEBUG_APP_CONSTRUCTORS: Dict[str, str] = {"dash.Dash": "dash", "dash.dash.Dash": "dash"}
#: ``socketio.run(app, debug=True)``
SOCKETIO_CONSTRUCTORS: FrozenSet[str] = frozenset({"flask_socketio.SocketIO"})
#: servers whose reloader is a development setting (qualified name -> keyword)
RELOAD_SERVERS: Dict[str, str] = {
    "uvicorn.run": "reload",
    "uvicorn.main.run": "reload",
    "uvicorn.Config": "reload",
    "uvicorn.config.Config": "reload",
    "werkzeug.serving.run_simple": "use_debugger",
    "werkzeug.run_simple": "use_debugger",
}
#: packages of Flask-based servers judged by MLP013 only
_DEBUG_PACKAGES: FrozenSet[str] = frozenset({"dash", "flask_socketio"})
#: top-level packages whose import makes a module a web module (decorator heuristic)
WEB_PACKAGES: FrozenSet[str] = frozenset(
    {"flask", "fastapi", "starlette", "quart", "flask_restful", "flask_restx", "flask_smorest"}
)
#: decorator methods that register a route: ``@app.get("/p")``, ``@bp.route("/p")``
ROUTE_DECORATORS: FrozenSet[str] = frozenset(
    {
        "route", "get", "post", "put", "delete", "patch", "options", "head", "trace",
        "api_route", "websocket", "websocket_route",
    }
)


#: method calls that register a handler: name -> (path pos, path kw, handler pos, handler kw)
REGISTRATION_METHODS: Dict[str, Tuple[int, str, int, str]] = {
    "add_url_rule": (0, "rule", 2, "view_func"),
    "add_api_route": (0, "path", 1, "endpoint"),
    "add_api_websocket_route": (0, "path", 1, "endpoint"),
    "add_route": (0, "path", 1, "route"),
    "add_websocket_route": (0, "path", 1, "route"),
    "mount": (0, "path", 1, "app"),
}
#: route objects: qualified name -> (path pos, path kw, handler pos, handler kw)
ROUTE_CLASSES: Dict[str, Tuple[int, str, int, str]] = {
    "starlette.routing.Route": (0, "path", 1, "endpoint"),
    "starlette.routing.WebSocketRoute": (0, "path", 1, "endpoint"),
    "fastapi.routing.APIRoute": (0, "path", 1, "endpoint"),
    "fastapi.routing.APIWebSocketRoute": (0, "path", 1, "endpoint"),
}
#: calls that attach a router or blueprint (defined here or elsewhere) to an app
INCLUDE_METHODS: FrozenSet[str] = frozenset({"include_router", "register_blueprint"})
#: base classes of class-based views; their HTTP-verb methods are handlers
VIEW_BASES: FrozenSet[str] = frozenset(
    {
        "flask.views.MethodView",
        "flask.views.View",
        "quart.views.MethodView",
        "quart.views.View",
        "starlette.endpoints.HTTPEndpoint",
        "starlette.endpoints.WebSocketEndpoint",
        "flask_restful.Resource",
        "flask_restx.Resource",
        "flask_smorest.MethodView",
    }
)
VIEW_METHODS: FrozenSet[str] = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request", "on_receive"}
)
#: middleware base classes: a logging middleware monitors every route
MIDDLEWARE_BASES: FrozenSet[str] = frozenset(
    {"starlette.middleware.base.BaseHTTPMiddleware"}
)
#: decorator methods whose function runs around every request (monitoring there counts)
REQUEST_HOOKS: FrozenSet[str] = frozenset(
    {"middleware", "after_request", "before_request", "teardown_request", "after_app_request",
     "before_app_request", "after_serving"}
)
#: decorator methods / keywords that run once at start-up (loads there are fine)
STARTUP_HOOKS: FrozenSet[str] = frozenset(
    {"on_event", "before_first_request", "before_app_first_request", "before_serving", "on_startup",
     "lifespan"}
)
#: health-check extensions that add a probe route themselves (qualified-name heads)
HEALTH_PROVIDERS: FrozenSet[str] = frozenset(
    {"healthcheck", "flask_healthz", "fastapi_health", "fastapi_healthchecks", "health_check"}
)
#: FastAPI dependency markers: ``Depends(get_model)`` calls ``get_model`` per request
DEPENDS: FrozenSet[str] = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends"}
)
#: decorators that cache a function's result (a load there happens once)
CACHE_DECORATORS: FrozenSet[str] = frozenset(
    {
        "functools.lru_cache", "functools.cache", "functools.cached_property",
        "cachetools.cached", "cachetools.func.lru_cache", "cachetools.func.ttl_cache",
        "async_lru.alru_cache", "aiocache.cached", "streamlit.cache_resource",
    }
)

# ------------------------------------------------------------------- model loads
#: generic file loaders that read a whole model (``pickle.loads`` of cache bytes is not)
FILE_LOADERS: FrozenSet[str] = frozenset(
    {
        "pickle.load", "pickle._load", "dill.load", "cloudpickle.load", "joblib.load",
        "joblib.numpy_pickle.load", "torch.load", "torch.serialization.load",
        "keras.models.load_model", "keras.saving.load_model",
        "keras.saving.saving_api.load_model",
    }
)
#: other calls that load or fetch a ready-to-use model
EXTRA_LOADERS: FrozenSet[str] = frozenset(
    {
        "transformers.pipeline",
        "transformers.pipelines.pipeline",
        "sentence_transformers.SentenceTransformer",
        "sentence_transformers.CrossEncoder",
        "torch.hub.load",
        "spacy.load",
        "fasttext.load_model",
        "whisper.load_model",
        "ultralytics.YOLO",
        "tensorflow.saved_model.load",
        "gensim.models.KeyedVectors.load",
        "onnx.load",
    }
)
#: HF classes whose ``from_pretrained`` loads a helper, not a model (for predictions)
_HF_HELPER = lazy_re.compile(r"(Tokenizer|Config|Processor|FeatureExtractor|ImageProcessor)")
#: ``model.load_model(path)`` (xgboost, catboost, lightgbm), ``X.from_pretrained(...)``
LOAD_METHODS: FrozenSet[str] = frozenset({"from_pretrained", "load_model"})
#: libraries whose ``*.load_model`` functions load a model (``mlflow.pyfunc.load_model``…)
LOAD_MODEL_LIBRARIES: FrozenSet[str] = frozenset(
    {"mlflow", "keras", "tensorflow", "bentoml", "fasttext", "whisper", "xgboost", "lightgbm",
     "catboost", "sentence_transformers", "transformers", "gensim", "torch", "tensorflow_hub"}
)

# ------------------------------------------------------------------- inference
#: methods that predict on any receiver
PREDICT_METHODS: FrozenSet[str] = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "predict_on_batch"}
)
#: methods that run inference on a model object (a name bound to a model, or named like one)
MODEL_METHODS: FrozenSet[str] = frozenset(
    {
        "transform", "decision_function", "generate", "encode", "forward", "score_samples",
        "kneighbors", "infer", "run", "classify", "embed_query", "embed_documents",
        "predict_step", "detect", "segment", "transcribe",
    }
)
#: methods of a loaded model that are not inference (anything else on a loaded model is)
NON_INFERENCE_METHODS: FrozenSet[str] = frozenset(
    {
        "eval", "train", "to", "cpu", "cuda", "half", "float", "double", "load_state_dict",
        "state_dict", "parameters", "named_parameters", "modules", "children", "zero_grad",
        "save", "save_pretrained", "save_model", "load_model", "get_params", "set_params",
        "fit", "partial_fit", "fit_transform", "register_forward_hook", "requires_grad_",
        "share_memory", "get_booster", "get_config", "summary", "close", "get_inputs",
        "get_outputs", "get_modelmeta", "get_providers", "set_providers", "compile",
        "resize_token_embeddings", "tie_weights", "get_input_embeddings", "num_parameters",
        "items", "keys", "values", "get", "copy", "update", "setdefault", "pop", "clear",
    }
)

# ------------------------------------------------------------------ monitoring
LOG_METHODS: FrozenSet[str] = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg",
     "success", "trace", "bind", "opt"}
)
#: Prometheus-style metric methods, on a metric object of unknown origin
METRIC_METHODS: FrozenSet[str] = frozenset({"inc", "dec", "observe", "labels"})
#: words that make a function or method a monitoring hook (``log_prediction``,
#: ``record_metrics``, ``track_inference``, ``audit``)
MONITOR_WORDS: FrozenSet[str] = frozenset(
    {"log", "logger", "logging", "monitor", "monitoring", "track", "tracking", "metric",
     "metrics", "audit", "telemetry", "trace", "tracing", "observe", "record", "emit"}
)
#: word stems of monitoring (``monitored``, ``tracked``, ``audited``, ``instrumented``)
_MONITOR_STEMS = (
    "monitor", "track", "tracing", "traced", "audit", "telemetr", "metric", "instrument", "logged",
)
#: look-alikes of monitoring words
NOT_MONITOR_NAMES: FrozenSet[str] = frozenset(
    {"log_softmax", "log_prob", "log_probs", "log_proba", "log1p", "log2", "log10", "logsumexp",
     "log_loss", "logit", "logits", "log_sigmoid", "record_count", "records"}
)
#: receiver names that hold a logger or a monitoring client
_LOGGER_WORDS: FrozenSet[str] = frozenset(
    {"log", "logger", "logging", "monitor", "tracker", "metrics", "telemetry", "audit", "tracer"}
)
_CAMEL = lazy_re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _tokens(name: str) -> List[str]:
    return [t for t in _CAMEL.sub("_", name).lower().split("_") if t]


def is_monitor_name(name: str) -> bool:
    """``log_prediction``, ``record_metrics``, ``monitor``, ``audit_log`` -> True;
    ``log_softmax``, ``logits``, ``catalog`` -> False."""
    low = name.lower().strip("_")
    if not low or low in NOT_MONITOR_NAMES:
        return False
    return any(t in MONITOR_WORDS or t.startswith(_MONITOR_STEMS) for t in _tokens(name))


def is_logger_name(name: str) -> bool:
    """``logger``, ``log``, ``LOGGER``, ``app_logger``, ``request_log``, ``tracer``."""
    toks = _tokens(name)
    return bool(toks) and toks[-1] in _LOGGER_WORDS


# --------------------------------------------------------------- route paths
def route_is_health(path: str, health: Iterable[str]) -> bool:
    """``/healthz``, ``/api/v1/health``, ``/health/live`` -> True (for the default list);
    ``/predict``, ``/jobs/{id}/status``, ``/metrics`` -> False."""
    if "{" in path or "<" in path:
        return False
    segs = [s.lstrip("_-") for s in path.lower().split("/") if s]
    if not segs:
        return False
    for h in health:
        hsegs = [s.lstrip("_-") for s in h.lower().split("/") if s]
        n = len(hsegs)
        if not n:
            continue
        for i in range(len(segs) - n + 1):
            if segs[i:i + n] == hsegs:
                return True
    return False


def _app_like(name: str) -> bool:
    """``app``, ``api``, ``router``, ``bp``, ``v1_router``, ``predict_blueprint``."""
    toks = _tokens(name)
    return bool(toks) and toks[-1] in ("app", "application", "api", "router", "bp", "blueprint", "routes")


def _simple_name(expr: ast.AST) -> Optional[str]:
    """``x`` -> ``"x"``, ``a.b.c`` -> ``"c"``, anything else -> None."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _is_self(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _root_name(expr: ast.AST) -> Optional[ast.Name]:
    """``a.b(c).d[0].e`` -> ``a``."""
    for _ in range(12):
        if isinstance(expr, ast.Name):
            return expr
        if isinstance(expr, ast.Attribute):
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        else:
            return None
    return None


def _attr_names(expr: ast.AST) -> List[str]:
    """Attribute names along a receiver chain, innermost last: ``self.app.logger`` ->
    [``logger``, ``app``] plus the root name."""
    out: List[str] = []
    for _ in range(12):
        if isinstance(expr, ast.Attribute):
            out.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Name):
            out.append(expr.id)
            break
        else:
            break
    return out


def _unwrap(expr: Optional[ast.AST]) -> Optional[ast.AST]:
    """``AutoModel.from_pretrained(p).eval().to(dev)`` -> the ``from_pretrained`` call."""
    for _ in range(6):
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("eval", "to", "cpu", "cuda", "half", "float", "requires_grad_")
            and isinstance(expr.func.value, ast.Call)
        ):
            expr = expr.func.value
        elif isinstance(expr, ast.Await):
            expr = expr.value
        else:
            break
    return expr


# ------------------------------------------------------------------ the collector
class FuncInfo:
    """What one function (or method) of the file does."""

    __slots__ = (
        "node", "key", "cls", "handler", "cached", "request_hook", "monitor_decorated",
        "predicts", "monitors", "loads", "calls", "call_results", "globals", "dep_params",
    )

    def __init__(self, node: ast.AST, key: str, cls: Optional[str]) -> None:
        self.node = node
        self.key = key
        self.cls = cls
        self.handler = False
        self.cached = False
        self.request_hook = False
        self.monitor_decorated = False
        self.predicts = False
        self.monitors = False
        #: (load call, its display name, cached by its assignment target)
        self.loads: List[Tuple[ast.Call, str, bool]] = []
        #: keys of same-file functions it calls or hands over (``add_task(fn)``)
        self.calls: Set[str] = set()
        #: keys of same-file functions whose *result* it calls (``get_model()(x)``)
        self.call_results: Set[str] = set()
        self.globals: Set[str] = set()
        #: parameter -> the same-file dependency that provides it (``Depends(get_model)``)
        self.dep_params: Dict[str, str] = {}


_DATA_KEY = "serving"


class _ScopeData:
    __slots__ = ("models", "monitors", "apps", "defs", "model_containers")

    def __init__(self) -> None:
        self.models: Set[str] = set()
        self.monitors: Set[str] = set()
        #: name -> ("app" | "router", framework)
        self.apps: Dict[str, Tuple[str, str]] = {}
        self.defs: Set[str] = set()
        self.model_containers: Set[str] = set()


class ServingFacts:
    """Apps, routes, handlers and per-function serving facts of one file."""

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        cfg = ctx.config
        self.health_routes = cfg.get_set(HEALTH_ROUTES_OPTION)
        monitoring = cfg.get_set(MONITORING_CALLS_OPTION)
        self.monitor_prefixes = tuple(monitoring)
        self.monitor_bare = frozenset(
            m for m in monitoring if "." not in m and m not in DEFAULT_MONITORING_CALLS
        )
        self._last: Optional[ast.AST] = None
        #: a web framework (or Dash / Flask-SocketIO) was imported: collect facts from now on
        self.active = False
        self.web_module = False
        #: (constructor call, framework, kind "app"/"router", bound name or "")
        self.apps: List[Tuple[ast.Call, str, str, str]] = []
        self.debug_apps: Dict[int, str] = {}
        #: every route path seen: the literal path, or None when not literal
        self.route_paths: List[Optional[str]] = []
        self.external_includes = False
        self.health_provider = False
        self.funcs: Dict[int, FuncInfo] = {}
        self.by_key: Dict[str, List[FuncInfo]] = {}
        #: handler references to resolve in finish: (key, path)
        self.endpoint_refs: List[str] = []
        self.view_classes: Set[str] = set()
        self.middleware_classes: Set[str] = set()
        self.class_names: Set[str] = set()
        #: attribute names assigned a model (``self.session = InferenceSession(...)``)
        self.model_attrs: Set[str] = set()
        self.monitor_attrs: Set[str] = set()
        self._done = False

    # ============================================================ feeding
    def see(self, node: ast.AST) -> None:
        if node is self._last:
            return
        self._last = node
        t = type(node)
        if t is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                self._imported(alias.name)
            return
        if t is ast.ImportFrom:
            if not node.level and node.module:  # type: ignore[attr-defined]
                self._imported(node.module)  # type: ignore[attr-defined]
            return
        if not self.active:
            return  # nothing to serve before a web framework is imported: stay cheap
        if t is ast.Call:
            self._call(node)  # type: ignore[arg-type]
        elif t is ast.Assign or t is ast.AnnAssign:
            self._assign(node)
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
            self._def(node)
        elif t is ast.ClassDef:
            self._class(node)  # type: ignore[arg-type]
        elif t is ast.Global or t is ast.Nonlocal:
            f = self.current_function()
            if f is not None:
                f.globals.update(node.names)  # type: ignore[attr-defined]

    def _imported(self, module: str) -> None:
        head = module.split(".", 1)[0]
        if head in WEB_PACKAGES:
            self.web_module = True
            self.active = True
        elif head in _DEBUG_PACKAGES:
            self.active = True

    # ----------------------------------------------------------- scope data
    def _data(self, scope: Optional["Scope"] = None) -> _ScopeData:
        scope = scope or self.ctx.scope
        data = scope.data.get(_DATA_KEY)
        if data is None:
            data = _ScopeData()
            scope.data[_DATA_KEY] = data
        return data  # type: ignore[return-value]

    def _lookup(self, name: str) -> Optional[_ScopeData]:
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None:
            return None
        return scope.data.get(_DATA_KEY)  # type: ignore[return-value]

    def current_function(self) -> Optional[FuncInfo]:
        scope: Optional["Scope"] = self.ctx.scope
        while scope is not None:
            if scope.kind == "class":
                return None
            if scope.kind == "function" and not isinstance(scope.node, ast.Lambda):
                return self.funcs.get(id(scope.node))
            scope = scope.parent
        return None

    def _enclosing_class(self) -> Optional[str]:
        scope = self.ctx.scope
        if scope.kind == "class" and isinstance(scope.node, ast.ClassDef):
            return scope.node.name
        return None

    # ----------------------------------------------------------- app objects
    def app_kind(self, expr: ast.AST) -> Optional[Tuple[str, str]]:
        """("app" | "router", framework) when ``expr`` names an app/router bound here."""
        if isinstance(expr, ast.Name):
            data = self._lookup(expr.id)
            if data is not None:
                return data.apps.get(expr.id)
        return None

    def _constructor_kind(self, call: ast.AST) -> Optional[Tuple[str, str]]:
        if not isinstance(call, ast.Call):
            return None
        qn = self.ctx.call_name(call)
        if qn is None:
            return None
        if qn in APP_CONSTRUCTORS:
            return ("app", APP_CONSTRUCTORS[qn])
        if qn in ROUTER_CONSTRUCTORS:
            return ("router", ROUTER_CONSTRUCTORS[qn])
        if qn in DEBUG_APP_CONSTRUCTORS:
            return ("debug-app", DEBUG_APP_CONSTRUCTORS[qn])
        if qn in SOCKETIO_CONSTRUCTORS:
            return ("socketio", "flask")
        return None

    def is_route_receiver(self, expr: ast.AST, path: Optional[ast.AST]) -> bool:
        kind = self.app_kind(expr)
        if kind is not None:
            return kind[0] in ("app", "router")
        if not self.web_module:
            return False
        if isinstance(expr, ast.Name):
            qn = self.ctx.qualname(expr)
            if qn is not None and not _app_like(qn.rsplit(".", 1)[-1]):
                return False  # an imported library object that is not an app
        elif not isinstance(expr, ast.Attribute):
            return False
        text = self.ctx.literal_str(path) if path is not None else None
        return text is not None and text.startswith("/")

    def is_flask_app(self, expr: ast.AST) -> bool:
        """A Flask-family app (Flask, Quart, Dash), or an app-like name of unknown origin."""
        kind = self.app_kind(expr)
        if kind is not None:
            return kind[0] in ("app", "debug-app") and kind[1] in DEBUG_APPS
        name = _simple_name(expr)
        if name is None:
            return False
        if isinstance(expr, ast.Name):
            qn = self.ctx.qualname(expr)
            if qn is not None and qn.split(".", 1)[0] in ("fastapi", "starlette"):
                return False
            value = self.ctx.resolver.constant(expr.id)
            if isinstance(value, ast.Call) and self._constructor_kind(value) is not None:
                return False  # bound to a non-Flask app
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                if self.ctx.resolver.is_local(value.func.id):
                    return False  # ``app = App()`` with the module's own class
        low = name.lower()
        return low in ("app", "application", "webapp", "server_app") or low.endswith("_app")

    # ---------------------------------------------------------------- loads
    def load_name(self, call: ast.Call) -> Optional[str]:
        """Display name when ``call`` loads a model (or a model's helper) from storage."""
        qn = self.ctx.call_name(call)
        func = call.func
        if qn is not None:
            if qn in FILE_LOADERS or qn in EXTRA_LOADERS:
                return qn
            lib = MODEL_LOADERS.get(qn)
            if lib is not None:
                if qn.endswith("Booster") and not (call.args or call.keywords):
                    return None
                return qn
            if qn.endswith(".load_model") and qn.split(".", 1)[0] in LOAD_MODEL_LIBRARIES:
                return qn
            if qn == "timm.create_model" and self.ctx.is_true(self.ctx.kwarg(call, "pretrained")):
                return qn
            if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
                return qn
            return None
        if isinstance(func, ast.Attribute) and func.attr in LOAD_METHODS:
            if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                return None  # a method of this class: followed as a helper
            return _short(func.value) + "." + func.attr
        return None

    def _model_producing(self, value: Optional[ast.AST]) -> bool:
        """A call whose result is a model object (for "calls a loaded model")."""
        value = _unwrap(value)
        if not isinstance(value, ast.Call):
            return False
        qn = self.ctx.call_name(value)
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
            owner = qn.rsplit(".", 2)[-2] if qn and qn.count(".") >= 1 else _short(func.value)
            return not _HF_HELPER.search(owner)
        if self.load_name(value) is not None:
            return True
        if qn is not None and model_constructor(qn) is not None:
            return True
        return False

    # ----------------------------------------------------------- predictions
    def is_model_obj(self, expr: ast.AST, strong: bool = False) -> bool:
        """``expr`` holds a model: a name bound here to a load/model construction, or (when
        not ``strong``) spelled like a model (``model``, ``clf``, ``self.pipeline``)."""
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            if ctx.qualname(expr) is not None:
                return False
            data = self._lookup(expr.id)
            if data is not None:
                if expr.id in data.defs:
                    return False
                if expr.id in data.models:
                    return True
            return not strong and is_model_name(expr.id)
        if isinstance(expr, ast.Attribute):
            root = _root_name(expr)
            if root is not None:
                if root.id in CONFIG_ROOTS:
                    return False
                rq = ctx.qualname(root)
                if rq is not None and rq.split(".", 1)[0] not in WEB_PACKAGES:
                    return False
            if expr.attr in self.model_attrs:
                return True
            return not strong and is_model_name(expr.attr)
        if isinstance(expr, ast.Subscript):
            container = expr.value
            if isinstance(container, ast.Name):
                data = self._lookup(container.id)
                if data is not None and container.id in data.model_containers:
                    return True
            if not strong:
                key = ctx.literal_str(expr.slice)
                if key is not None and is_model_name(key):
                    return True
                if isinstance(container, (ast.Name, ast.Attribute)) and self.is_model_obj(container):
                    return True
        return False

    def is_prediction(self, call: ast.Call) -> bool:
        func = call.func
        if self.is_model_obj(func):
            return True
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method in PREDICT_METHODS:
                return True
            recv = func.value
            if method in MODEL_METHODS and self.is_model_obj(recv):
                return True
            if method not in NON_INFERENCE_METHODS and self.is_model_obj(recv, strong=True):
                return True
        return False

    # ------------------------------------------------------------ monitoring
    def _matches_monitor_prefix(self, qn: str) -> bool:
        for p in self.monitor_prefixes:
            if qn == p or qn.startswith(p + "."):
                return True
        return False

    def is_monitor_obj(self, expr: ast.AST) -> bool:
        root = _root_name(expr)
        if root is None:
            return False
        data = self._lookup(root.id)
        if data is not None and root.id in data.monitors:
            return True
        names = _attr_names(expr)
        return any(n in self.monitor_attrs for n in names)

    def is_monitoring(self, call: ast.Call) -> bool:
        ctx = self.ctx
        func = call.func
        qn = ctx.call_name(call)
        if qn is not None and self._matches_monitor_prefix(qn):
            return True
        bare = _simple_name(func)
        if bare is not None and bare in self.monitor_bare:
            return True
        if qn is not None:
            return False
        if isinstance(func, ast.Name):
            return is_monitor_name(func.id)
        if isinstance(func, ast.Attribute):
            recv = func.value
            if (
                func.attr in ("inc", "dec")
                and not (call.args or call.keywords)
                and not (isinstance(recv, ast.Call) and (recv.args or recv.keywords))
            ):
                # ``REQUESTS.inc()``: counts requests, sees neither input nor output
                return False
            if self.is_monitor_obj(recv):
                return True
            method = func.attr
            names = _attr_names(recv)
            if method in LOG_METHODS and names and is_logger_name(names[0]):
                return True
            if method in METRIC_METHODS:
                return True
            if is_monitor_name(method):
                # a bare ``x.log()``/``x.trace()`` is maths or a tensor op unless x is a logger
                if method not in ("log", "trace", "record", "emit"):
                    return True
                if names and is_logger_name(names[0]):
                    return True
        return False

    def _monitoring_decorator(self, dec: ast.AST) -> bool:
        target = dec.func if isinstance(dec, ast.Call) else dec
        qn = self.ctx.qualname(target)
        if qn is not None:
            return self._matches_monitor_prefix(qn) or qn.rsplit(".", 1)[-1] in self.monitor_bare
        if self.is_monitor_obj(target):
            return True
        name = _simple_name(target)
        return name is not None and (is_monitor_name(name) or name in self.monitor_bare)

    # ================================================================ handlers
    def _assign(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            targets, value = [node.target], node.value  # type: ignore[attr-defined]
        if value is None:
            return
        value = _unwrap(value)
        kind = self._constructor_kind(value)
        model = kind is None and self._model_producing(value)
        monitor = False
        if kind is None and not model and isinstance(value, ast.Call):
            qn = self.ctx.call_name(value)
            monitor = qn is not None and self._matches_monitor_prefix(qn)
        container = False
        if isinstance(value, ast.Dict) and not model:
            container = any(self._model_producing(v) for v in value.values if v is not None)
        if not (kind or model or monitor or container):
            return
        for target in targets:
            if isinstance(target, ast.Name):
                data = self._data()
                if kind is not None:
                    data.apps[target.id] = kind
                if model:
                    data.models.add(target.id)
                if monitor:
                    data.monitors.add(target.id)
                if container:
                    data.model_containers.add(target.id)
            elif isinstance(target, ast.Attribute):
                if model:
                    self.model_attrs.add(target.attr)
                if monitor:
                    self.monitor_attrs.add(target.attr)
            elif isinstance(target, ast.Subscript) and model and isinstance(target.value, ast.Name):
                scope = self.ctx.resolver.lookup_scope(target.value.id)
                if scope is not None:
                    self._data(scope).model_containers.add(target.value.id)

    def _def(self, node: ast.AST) -> None:
        fn: ast.FunctionDef = node  # type: ignore[assignment]
        cls = self._enclosing_class()
        key = f"{cls}.{fn.name}" if cls else fn.name
        info = FuncInfo(fn, key, cls)
        self.funcs[id(fn)] = info
        self.by_key.setdefault(key, []).append(info)
        self._data().defs.add(fn.name)
        if cls is not None:
            if cls in self.view_classes and fn.name in VIEW_METHODS:
                info.handler = True
            if cls in self.middleware_classes:
                info.request_hook = True
        ctx = self.ctx
        for dec in fn.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(target, ast.Attribute):
                recv = target.value
                if isinstance(dec, ast.Call) and target.attr in ROUTE_DECORATORS:
                    path = ctx.arg(dec, 0, "path") or ctx.kwarg(dec, "rule")
                    if self.is_route_receiver(recv, path):
                        info.handler = True
                        self._path(path)
                        continue
                if target.attr in REQUEST_HOOKS and (self.app_kind(recv) or self.web_module):
                    info.request_hook = True
                    continue
                if target.attr in STARTUP_HOOKS:
                    continue  # runs once at start-up: never a handler, loads there are fine
            qn = ctx.qualname(target)
            dname = (qn or _short(target, 60)).lower()
            if qn in CACHE_DECORATORS or "cache" in dname or "memo" in dname:
                info.cached = True
            elif self._monitoring_decorator(dec):
                info.monitor_decorated = True
        # FastAPI dependencies run per request: ``model = Depends(get_model)``
        args = fn.args
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            self._depends(info, arg.arg, default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            self._depends(info, arg.arg, default)
        for arg in (*positional, *args.kwonlyargs):
            ann = arg.annotation
            if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple):
                for elt in ann.slice.elts[1:]:
                    self._depends(info, arg.arg, elt)

    def _depends(self, info: FuncInfo, param: str, expr: Optional[ast.AST]) -> None:
        if not isinstance(expr, ast.Call):
            return
        qn = self.ctx.qualname(expr.func)
        if qn in DEPENDS or (qn is None and isinstance(expr.func, ast.Name) and expr.func.id == "Depends"):
            dep = self.ctx.arg(expr, 0, "dependency")
            if isinstance(dep, ast.Name):
                info.calls.add(dep.id)
                info.dep_params[param] = dep.id

    def _class(self, node: ast.ClassDef) -> None:
        self._data().defs.add(node.name)
        self.class_names.add(node.name)
        for base in node.bases:
            qn = self.ctx.qualname(base)
            if qn in VIEW_BASES or (isinstance(base, ast.Name) and base.id in self.view_classes):
                self.view_classes.add(node.name)
            if qn in MIDDLEWARE_BASES or (isinstance(base, ast.Name) and base.id in self.middleware_classes):
                self.middleware_classes.add(node.name)

    def _path(self, path: Optional[ast.AST]) -> None:
        if path is None:
            self.route_paths.append(None)
            return
        text = self.ctx.literal_str(path)
        if text is None and isinstance(path, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
                for v in path.values
            )
        self.route_paths.append(text)

    def _endpoint(self, expr: Optional[ast.AST]) -> None:
        if isinstance(expr, ast.Call) and _simple_name(expr.func) == "as_view":
            expr = expr.func.value
        if isinstance(expr, ast.Name):
            self.endpoint_refs.append(expr.id)

    def _call(self, node: ast.Call) -> None:
        ctx = self.ctx
        qn = ctx.call_name(node)
        func = node.func
        kind = self._constructor_kind(node)
        if kind is not None:
            name = ""
            stmt = ctx.stmt
            if (
                isinstance(stmt, ast.Assign)
                and _unwrap(stmt.value) is node
                and isinstance(stmt.targets[0], ast.Name)
            ):
                name = stmt.targets[0].id
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is node and isinstance(stmt.target, ast.Name):
                name = stmt.target.id
            self.apps.append((node, kind[1], kind[0], name))
        if qn is not None:
            head = qn.split(".", 1)[0]
            if head in HEALTH_PROVIDERS:
                self.health_provider = True
            spec = ROUTE_CLASSES.get(qn)
            if spec is not None:
                self._path(ctx.arg(node, spec[0], spec[1]))
                self._endpoint(ctx.arg(node, spec[2], spec[3]))
        if isinstance(func, ast.Attribute):
            method = func.attr
            recv = func.value
            spec = REGISTRATION_METHODS.get(method)
            if spec is not None and (self.app_kind(recv) or self.web_module):
                self._path(ctx.arg(node, spec[0], spec[1]))
                self._endpoint(ctx.arg(node, spec[2], spec[3]))
            elif method == "add_resource" and (self.app_kind(recv) or self.web_module):
                self._endpoint(ctx.arg(node, 0, "resource"))
                urls = [a for a in node.args[1:]]
                for u in urls or [None]:
                    self._path(u)
            elif method in INCLUDE_METHODS:
                arg = ctx.arg(node, 0, "router") or ctx.arg(node, 0, "blueprint")
                k = self.app_kind(arg) if arg is not None else None
                if k is None:
                    self.external_includes = True
        f = self.current_function()
        if f is None:
            return
        if self.is_prediction(node):
            f.predicts = True
        if self.is_monitoring(node):
            f.monitors = True
        load = self.load_name(node)
        if load is not None:
            f.loads.append((node, load, self._cached_target(f)))
        # same-file helpers it calls, and callbacks it hands over
        if f.dep_params:
            target = func.value if isinstance(func, ast.Attribute) and func.attr in MODEL_METHODS else func
            if isinstance(target, ast.Name) and target.id in f.dep_params:
                f.call_results.add(f.dep_params[target.id])
        if isinstance(func, ast.Name):
            if ctx.qualname(func) is None:
                f.calls.add(func.id)
        elif f.cls and isinstance(func, ast.Attribute) and _is_self(func.value):
            f.calls.add(f"{f.cls}.{func.attr}")
        elif isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and not ctx.qualname(func.func):
            f.call_results.add(func.func.id)
        for a in (*node.args, *(kw.value for kw in node.keywords)):
            if isinstance(a, ast.Name) and ctx.qualname(a) is None:
                f.calls.add(a.id)
                if is_monitor_name(a.id):
                    f.monitors = True  # a monitoring hook handed over as a callback
            elif isinstance(a, ast.Attribute) and a.attr in PREDICT_METHODS:
                f.predicts = True

    def _cached_target(self, f: FuncInfo) -> bool:
        stmt = self.ctx.stmt
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        else:
            return False
        for t in targets:
            if isinstance(t, (ast.Attribute, ast.Subscript)):
                return True
            if isinstance(t, ast.Name) and t.id in f.globals:
                return True
        return False

    # ================================================================ results
    def finalize(self) -> None:
        if self._done:
            return
        self._done = True
        for name in self.endpoint_refs:
            for info in self.by_key.get(name, ()):
                info.handler = True
            if name in self.class_names:
                for m in VIEW_METHODS:
                    for info in self.by_key.get(f"{name}.{m}", ()):
                        info.handler = True

    def handlers(self) -> List[FuncInfo]:
        self.finalize()
        out = [f for f in self.funcs.values() if f.handler]
        out.sort(key=lambda f: f.node.lineno)  # type: ignore[attr-defined]
        return out

    def _reach(self, start: FuncInfo, follow_cached: bool = True, limit: int = 5) -> List[FuncInfo]:
        """``start`` and the same-file functions it calls, transitively (breadth-first)."""
        seen = {id(start)}
        order = [start]
        frontier = [start]
        for _ in range(limit):
            nxt: List[FuncInfo] = []
            for f in frontier:
                for key in f.calls:
                    for g in self.by_key.get(key, ()):
                        if id(g) in seen or (g.cached and not follow_cached):
                            continue
                        seen.add(id(g))
                        order.append(g)
                        nxt.append(g)
            if not nxt:
                break
            frontier = nxt
        return order

    def predicts(self, f: FuncInfo) -> bool:
        for g in self._reach(f):
            if g.predicts:
                return True
            for key in g.call_results:
                if any(h.loads for h in self.by_key.get(key, ())):
                    return True
        return False

    def monitored(self, f: FuncInfo) -> bool:
        if f.monitor_decorated:
            return True
        if any(g.monitors for g in self._reach(f)):
            return True
        return any(g.request_hook and g.monitors for g in self.funcs.values())

    def prediction_handlers(self) -> List[FuncInfo]:
        return [f for f in self.handlers() if self.predicts(f)]

    def per_request_loads(self, f: FuncInfo) -> List[Tuple[ast.Call, str, FuncInfo]]:
        out = []
        for g in self._reach(f, follow_cached=False):
            if g.cached:
                continue
            for call, name, cached in g.loads:
                if not cached:
                    out.append((call, name, g))
        return out

    def has_health_route(self) -> bool:
        if self.health_provider or self.external_includes:
            return True
        for p in self.route_paths:
            if p is None or route_is_health(p, self.health_routes):
                return True
        return False

    def first_app(self) -> Optional[Tuple[ast.Call, str, str, str]]:
        for entry in self.apps:
            if entry[2] == "app":
                return entry
        return None


def _short(expr: ast.AST, limit: int = 30) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover
        return "model"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def serving_facts(ctx: "Context") -> ServingFacts:
    """The file's :class:`ServingFacts`, created on first use (shared by the serving rules)."""
    facts = ctx.__dict__.get("_mlp_serving")
    if facts is None:
        facts = ServingFacts(ctx)
        ctx.__dict__["_mlp_serving"] = facts
    return facts  # type: ignore[return-value]


class ServingRule(Rule):
    """Base of the serving rules: feeds the shared :class:`ServingFacts` (not registered)."""

    options = (HEALTH_ROUTES_OPTION, MONITORING_CALLS_OPTION)

    def __init__(self, ctx: "Context") -> None:
        super().__init__(ctx)
        self.serving = serving_facts(ctx)

    @shared("serving")
    def _feed(self, node: ast.AST) -> None:
        self.serving.see(node)

    visit_Call = _feed
    visit_Assign = _feed
    visit_AnnAssign = _feed
    visit_FunctionDef = _feed
    visit_AsyncFunctionDef = _feed
    visit_ClassDef = _feed
    visit_Global = _feed
    visit_Nonlocal = _feed
    visit_Import = _feed
    visit_ImportFrom = _feed


def describe_framework(framework: str) -> str:
    return {"flask": "Flask", "quart": "Quart", "fastapi": "FastAPI", "starlette": "Starlette"}.get(
        framework, framework
    )
