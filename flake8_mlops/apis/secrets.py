"""Secrets: which names hold credentials, which values are only placeholders, and which
string shapes are well-known API keys. Used by MLP001 (hardcoded credentials).

Names are judged word by word: ``HF_TOKEN``, ``hfToken``, ``hf-token`` and ``hf.token``
all split into ``["hf", "token"]``. A name is a credential when its *last* word (the head
noun, ignoring a few harmless suffixes such as ``_prod`` or ``_value``) is a credential
word, so ``token_uri``, ``password_field``, ``secret_name`` and ``api_key_header`` are not.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, NamedTuple, Pattern, Tuple

from .. import lazy_re

# --------------------------------------------------------------------------- names

#: head words that are credentials on their own (``password``, ``db_password``, ``TOKEN``)
CREDENTIAL_HEADS: FrozenSet[str] = frozenset(
    {
        "password", "passwd", "passphrase", "pwd", "secret", "token",
        # single-word compounds (``APIKEY``, ``secretkey``, ``authtoken``)
        "apikey", "apitoken", "authtoken", "accesstoken", "accesskey", "secretkey",
        "privatekey", "clientsecret", "bearertoken", "refreshtoken", "sessiontoken",
        "hftoken", "ghtoken",
    }
)

#: ``key`` is a credential only after one of these words (``api_key``, ``secret_key``,
#: ``AWS_SECRET_ACCESS_KEY``, ``openai_key``); ``key`` alone or ``cache_key`` is not.
KEY_QUALIFIERS: FrozenSet[str] = frozenset(
    {
        "api", "access", "secret", "private", "client", "auth", "signing", "sign",
        "encryption", "encrypt", "crypto", "master", "subscription", "account", "app",
        "consumer", "license", "licence", "storage", "shared", "hmac", "jwt", "fernet",
        "aes", "admin", "deploy", "write", "read", "service", "sas", "ingestion",
        "developer", "dev", "user", "bot", "webhook", "session",
        # vendors whose ``<vendor>_key`` is their API key
        "openai", "azure", "wandb", "hf", "huggingface", "comet", "neptune", "anthropic",
        "claude", "cohere", "pinecone", "stripe", "aws", "gcp", "google", "gemini",
        "mistral", "groq", "replicate", "serpapi", "serper", "langchain", "langsmith",
        "together", "elevenlabs", "deepl", "mapbox", "twilio", "sendgrid", "mailgun",
        "slack", "github", "gitlab", "kaggle", "clearml", "dagshub", "weaviate",
        "qdrant", "tavily", "perplexity", "deepseek", "voyage", "jina", "fireworks",
        "openrouter", "assemblyai", "deepgram", "roboflow", "ngrok", "minio", "s3",
        "firebase", "supabase", "algolia", "datadog", "sentry", "newrelic", "nvidia",
        "ngc", "xai", "grok", "bing", "youtube", "maps", "weather", "news", "finnhub",
        "alphavantage", "polygon", "binance", "coinbase", "telegram", "discord",
        "cosmos", "openweather", "openweathermap", "owm", "tmdb", "omdb",
        "rapidapi", "newsapi", "spotify", "twitter", "reddit", "alpaca", "nasa", "yelp",
        "serp", "brave", "exa", "firecrawl", "unstructured", "llamaparse", "llamacloud",
        "zilliz", "milvus", "upstash", "langfuse", "helicone", "portkey", "wolfram", "gpt",
        "llm", "chatgpt", "vertex", "bedrock", "sagemaker", "databricks", "snowflake",
        "labelbox", "encord", "runpod", "labelstudio",
    }
)

#: ``pass`` is a password only after these words (``DB_PASS``) or alone (``PASS``);
#: ``first_pass``/``forward_pass`` are not.
PASS_QUALIFIERS: FrozenSet[str] = frozenset(
    {
        "db", "database", "user", "admin", "root", "mysql", "pg", "postgres", "psql",
        "redis", "smtp", "mail", "email", "ftp", "sftp", "login", "sql", "mssql", "ldap",
        "proxy", "basic", "http", "wifi", "my", "mongo", "mongodb", "rabbit", "rabbitmq",
        "amqp", "es", "elastic", "neo4j", "ssh", "vnc", "sa", "app", "account",
    }
)

#: words after the head that keep it a credential (``DB_PASSWORD_PROD``, ``token_str``)
HARMLESS_SUFFIXES: FrozenSet[str] = frozenset(
    {
        "value", "val", "str", "string", "raw", "plain", "plaintext", "prod",
        "production", "dev", "development", "staging", "stage", "stg", "local", "b64",
        "base64", "hex", "encoded", "v1", "v2", "v3", "old", "new", "backup", "primary",
        "secondary", "main", "live",
    }
)

#: a ``token`` after one of these words is NLP vocabulary, pagination or CSRF, not a
#: credential (``pad_token``, ``eos_token``, ``next_token``, ``csrf_token``)
NON_CREDENTIAL_TOKEN_QUALIFIERS: FrozenSet[str] = frozenset(
    {
        "pad", "eos", "bos", "unk", "cls", "sep", "mask", "sos", "eot", "eom", "eod",
        "start", "end", "stop", "split", "special", "additional", "image", "img",
        "audio", "video", "vision", "placeholder", "im", "begin", "think", "tool",
        "system", "assistant", "human", "fim", "prefix", "suffix", "middle", "next",
        "prev", "previous", "first", "last", "input", "output", "decoder", "encoder",
        "target", "source", "label", "word", "sub", "subword", "num", "max", "min",
        "count", "total", "vocab", "unknown", "space", "blank", "null", "empty",
        "boundary", "delimiter", "delim", "separator", "control", "ctrl", "page",
        "pagination", "continuation", "cursor", "csrf", "xsrf", "cancel",
        "cancellation", "idempotency", "sentinel", "default", "padding", "eol", "newline",
        "chat", "turn", "answer", "question", "query", "context", "doc", "document",
        "speaker", "unused", "reserved", "extra", "new", "seq", "sequence",
        "update", "sync", "lock", "change", "request", "resume", "retry", "lexer",
    }
)

#: first words that make the name a message, a flag or a counter
#: (``INVALID_PASSWORD = "Invalid password"``, ``USE_TOKEN``, ``NUM_TOKEN``)
NON_CREDENTIAL_LEADS: FrozenSet[str] = frozenset(
    {
        "invalid", "wrong", "missing", "bad", "expired", "incorrect", "error", "err",
        "msg", "message", "no", "empty", "require", "requires", "required", "use",
        "is", "has", "enable", "enabled", "disable", "disabled", "show", "hide",
        "ask", "prompt", "help", "hint", "title", "placeholder", "fake",
        "dummy", "mock", "example", "sample", "stub", "reset", "forgot", "confirm",
        "check", "verify", "validate", "min", "max", "num", "len", "length",
    }
)

#: vendor/role words that may appear in a value which is only a *name* of a secret
#: (``"openai_api_key"``, ``"x-api-key"``, ``"access_token"``)
LABEL_WORDS: FrozenSet[str] = frozenset(
    {
        "x", "api", "access", "id", "auth", "authorization", "header", "client", "user",
        "refresh", "session", "bearer", "service", "account", "key", "keys", "secret",
        "secrets", "token", "tokens", "password", "passwd", "pwd", "pass", "private",
        "public", "aws", "hf", "huggingface", "openai", "wandb", "github", "azure",
        "gcp", "google", "db", "database", "type", "name", "env", "var", "next",
        "continuation", "security", "bot", "app", "admin", "root", "default",
    }
) | KEY_QUALIFIERS

#: values that are a label, an enum member, a mode or a placeholder, never a secret
PLACEHOLDER_VALUES: FrozenSet[str] = frozenset(
    {
        "none", "null", "nil", "undefined", "unset", "notset", "not-set", "not_set",
        "missing", "empty", "required", "optional", "changeme", "change-me",
        "change_me", "changethis", "replaceme", "replace-me", "replace_me", "todo",
        "tbd", "fixme", "dummy", "fake", "mock", "test", "testing", "example", "sample",
        "placeholder", "redacted", "hidden", "masked", "secret", "password", "passwd",
        "token", "key", "apikey", "api_key", "api-key", "default", "n/a", "na",
        "anonymous", "public", "true", "false", "yes", "no", "on", "off", "bearer",
        "basic", "digest", "jwt", "oauth", "oauth2", "access", "refresh", "iam", "env",
        "environment", "auto", "plain", "header", "query", "cookie", "body", "session",
        "id", "pass", "enabled", "disabled", "xxx", "***", "...",
    }
)

#: passwords inside a URI that are documentation placeholders (``user:password@host``)
URI_PLACEHOLDER_PASSWORDS: FrozenSet[str] = frozenset(
    {
        "password", "pass", "passwd", "pwd", "pw", "secret", "p", "x",
        "changeme", "yourpassword", "your_password", "your-password",
    }
)

#: prefixes of values that *refer* to a secret kept elsewhere
SECRET_REFERENCE_PREFIXES: Tuple[str, ...] = (
    "arn:", "vault:", "env:", "secret:", "secrets:", "ssm:", "sm:", "kv:", "keyvault:",
    "gcp-secret:", "azure-keyvault:", "projects/", "op:", "file:", "sops:",
)

#: words that mark a value with spaces as prose (a prompt or a message), not a secret
PROSE_WORDS: FrozenSet[str] = frozenset(
    {
        "enter", "your", "please", "the", "is", "must", "invalid", "missing",
        "required", "not", "here", "insert", "put", "provide", "set", "use", "a", "an",
        "for", "to", "of", "in", "from", "with", "be", "are", "was", "this", "that",
        "can", "will", "should", "input", "type", "paste",
    }
)

# --------------------------------------------------------------------------- calls


class CredentialArg(NamedTuple):
    """A call argument that is a credential whatever its keyword is called."""

    keyword: str
    position: int  # -1: keyword only
    env: str  # environment variable to suggest


#: callee -> credential arguments whose keyword is not itself credential-named
#: (or that are commonly passed positionally)
CREDENTIAL_CALL_ARGS: Dict[str, Tuple[CredentialArg, ...]] = {
    "wandb.login": (CredentialArg("key", 1, "WANDB_API_KEY"),),
    "wandb.sdk.wandb_login.login": (CredentialArg("key", 1, "WANDB_API_KEY"),),
    "huggingface_hub.login": (CredentialArg("token", 0, "HF_TOKEN"),),
    "huggingface_hub.interpreter_login": (CredentialArg("token", 0, "HF_TOKEN"),),
    "huggingface_hub.HfFolder.save_token": (CredentialArg("token", 0, "HF_TOKEN"),),
    "huggingface_hub.HfApi.set_access_token": (CredentialArg("access_token", 0, "HF_TOKEN"),),
    "cohere.Client": (CredentialArg("api_key", 0, "CO_API_KEY"),),
    "cohere.ClientV2": (CredentialArg("api_key", 0, "CO_API_KEY"),),
    "cohere.AsyncClient": (CredentialArg("api_key", 0, "CO_API_KEY"),),
    "github.Github": (CredentialArg("login_or_token", 0, "GITHUB_TOKEN"),),
    "github.Auth.Token": (CredentialArg("token", 0, "GITHUB_TOKEN"),),
    "weaviate.auth.AuthApiKey": (CredentialArg("api_key", 0, "WEAVIATE_API_KEY"),),
    "weaviate.AuthApiKey": (CredentialArg("api_key", 0, "WEAVIATE_API_KEY"),),
    "weaviate.classes.init.Auth.api_key": (CredentialArg("api_key", 0, "WEAVIATE_API_KEY"),),
    "telegram.Bot": (CredentialArg("token", 0, "TELEGRAM_BOT_TOKEN"),),
    "dagshub.auth.add_app_token": (CredentialArg("token", 0, "DAGSHUB_USER_TOKEN"),),
    "clearml.Task.set_credentials": (
        CredentialArg("key", 3, "CLEARML_API_ACCESS_KEY"),
        CredentialArg("secret", 4, "CLEARML_API_SECRET_KEY"),
    ),
    "requests.auth.HTTPBasicAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "requests.auth.HTTPDigestAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "requests.auth.HTTPProxyAuth": (CredentialArg("password", 1, "PROXY_PASSWORD"),),
    "requests.HTTPBasicAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "httpx.BasicAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "httpx.DigestAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "aiohttp.BasicAuth": (CredentialArg("password", 1, "API_PASSWORD"),),
    "boto3.Session": (
        CredentialArg("aws_secret_access_key", 1, "AWS_SECRET_ACCESS_KEY"),
        CredentialArg("aws_session_token", 2, "AWS_SESSION_TOKEN"),
    ),
    "boto3.session.Session": (
        CredentialArg("aws_secret_access_key", 1, "AWS_SECRET_ACCESS_KEY"),
        CredentialArg("aws_session_token", 2, "AWS_SESSION_TOKEN"),
    ),
    "keyring.set_password": (CredentialArg("password", 2, "the system keyring"),),
    "jwt.encode": (CredentialArg("key", 1, "JWT_SECRET"),),
    "jwt.decode": (CredentialArg("key", 1, "JWT_SECRET"),),
    "itsdangerous.URLSafeTimedSerializer": (CredentialArg("secret_key", 0, "SECRET_KEY"),),
    "itsdangerous.URLSafeSerializer": (CredentialArg("secret_key", 0, "SECRET_KEY"),),
    "pydantic.SecretStr": (CredentialArg("secret_value", 0, "SECRET"),),
    "pydantic.types.SecretStr": (CredentialArg("secret_value", 0, "SECRET"),),
}

#: env var to suggest for a keyword of a known callee (``openai.OpenAI(api_key=...)``)
CALL_ENV_HINTS: Dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "wandb": "WANDB_API_KEY",
    "huggingface_hub": "HF_TOKEN",
    "transformers": "HF_TOKEN",
    "datasets": "HF_TOKEN",
    "comet_ml": "COMET_API_KEY",
    "neptune": "NEPTUNE_API_TOKEN",
    "mlflow": "MLFLOW_TRACKING_TOKEN",
    "boto3": "AWS_SECRET_ACCESS_KEY",
    "google.generativeai": "GOOGLE_API_KEY",
    "pinecone": "PINECONE_API_KEY",
    "cohere": "CO_API_KEY",
    "replicate": "REPLICATE_API_TOKEN",
}

#: callees whose (name, default) arguments read a setting with a fallback value
ENV_READERS: FrozenSet[str] = frozenset(
    {"os.getenv", "os.environ.get", "os.environ.setdefault", "os.putenv", "os.environ.pop"}
)

#: method names called as ``obj.<m>(name, value)`` where ``name`` names the setting and
#: the last positional argument is its value (or default): dict/config/Spark/env setters
NAME_VALUE_METHODS: FrozenSet[str] = frozenset(
    {"get", "pop", "setdefault", "set", "config", "putenv", "setenv", "set_option"}
)

# --------------------------------------------------------------------------- shapes


class KeyShape(NamedTuple):
    kind: str  # what it is, for the message
    prefix: str  # at most 4 characters shown in the message
    env: str  # environment variable to suggest
    pattern: Pattern[str]


def _p(rx: str, flags: int = 0) -> Pattern[str]:
    return lazy_re.compile(rx, flags)


#: well-known key formats, matched anywhere in a string literal
KEY_SHAPES: Tuple[KeyShape, ...] = (
    KeyShape("AWS access key id", "AKIA", "AWS_ACCESS_KEY_ID",
             _p(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    KeyShape("Hugging Face token", "hf_", "HF_TOKEN", _p(r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}")),
    KeyShape("OpenAI/Anthropic API key", "sk-", "OPENAI_API_KEY",
             _p(r"(?<![A-Za-z0-9_\-])sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?"
                r"[A-Za-z0-9_\-]{20,}")),
    KeyShape("GitHub token", "ghp_", "GITHUB_TOKEN",
             _p(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})")),
    KeyShape("GitLab token", "glpa", "GITLAB_TOKEN", _p(r"(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_\-]{20,}")),
    KeyShape("Slack token", "xox", "SLACK_BOT_TOKEN",
             _p(r"(?<![A-Za-z0-9_])xox[bpears]-[A-Za-z0-9]+-[A-Za-z0-9\-]{8,}")),
    KeyShape("Slack webhook URL", "", "SLACK_WEBHOOK_URL",
             _p(r"hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}")),
    KeyShape("private key", "", "a key file kept outside the repository",
             _p(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\n|\\r)*"
                r"(?:[A-Za-z][A-Za-z\-]*:[^\n]*(?:\s|\\n)+)*[A-Za-z0-9+/=]{40,}")),
    KeyShape("Google API key", "AIza", "GOOGLE_API_KEY", _p(r"(?<![A-Za-z0-9_])AIza[0-9A-Za-z_\-]{35}")),
    KeyShape("Stripe secret key", "sk_", "STRIPE_API_KEY",
             _p(r"(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[0-9A-Za-z]{20,}")),
    KeyShape("Groq API key", "gsk_", "GROQ_API_KEY", _p(r"(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{40,}")),
    KeyShape("Replicate token", "r8_", "REPLICATE_API_TOKEN", _p(r"(?<![A-Za-z0-9_])r8_[A-Za-z0-9]{30,}")),
    KeyShape("Databricks token", "dapi", "DATABRICKS_TOKEN",
             _p(r"(?<![A-Za-z0-9_])dapi[a-f0-9]{32}(?:-\d)?")),
    KeyShape("LangSmith key", "lsv2", "LANGSMITH_API_KEY",
             _p(r"(?<![A-Za-z0-9_])lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{8,}")),
    KeyShape("PyPI token", "pypi", "PYPI_TOKEN", _p(r"(?<![A-Za-z0-9_])pypi-AgE[A-Za-z0-9_\-]{50,}")),
    KeyShape("npm token", "npm_", "NPM_TOKEN", _p(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}")),
    KeyShape("JSON web token", "eyJ", "the token's environment variable",
             _p(r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,}")),
    KeyShape("Azure storage account key", "", "AZURE_STORAGE_CONNECTION_STRING",
             _p(r"(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{30,}={0,2}")),
    KeyShape("Azure SAS signature", "", "AZURE_STORAGE_SAS_TOKEN",
             _p(r"[?&]sig=[A-Za-z0-9%+/]{30,}")),
    KeyShape("Telegram bot token", "", "TELEGRAM_BOT_TOKEN",
             _p(r"(?<![A-Za-z0-9:])\d{8,10}:AA[A-Za-z0-9_\-]{33}(?![A-Za-z0-9_\-])")),
)

#: for each key shape (by kind), the strings its pattern cannot match without
SHAPE_HINTS_BY_KIND: Dict[str, Tuple[str, ...]] = {
    "AWS access key id": ("AKIA", "ASIA", "ABIA", "ACCA"),
    "Hugging Face token": ("hf_",),
    "OpenAI/Anthropic API key": ("sk-",),
    "GitHub token": ("gh", "github_pat_"),
    "GitLab token": ("glpat-",),
    "Slack token": ("xox",),
    "Slack webhook URL": ("hooks.slack.com",),
    "private key": ("PRIVATE KEY",),
    "Google API key": ("AIza",),
    "Stripe secret key": ("k_live_", "k_test_"),
    "Groq API key": ("gsk_",),
    "Replicate token": ("r8_",),
    "Databricks token": ("dapi",),
    "LangSmith key": ("lsv2_",),
    "PyPI token": ("pypi-",),
    "npm token": ("npm_",),
    "JSON web token": ("eyJ",),
    "Azure storage account key": ("AccountKey=", "SharedAccessKey="),
    "Azure SAS signature": ("sig=",),
    "Telegram bot token": (":AA",),
}

#: cheap pre-filter: a string can hold a key shape only if it contains one of these
SHAPE_HINTS: Tuple[str, ...] = tuple(h for hints in SHAPE_HINTS_BY_KIND.values() for h in hints)

#: credentials inside a URI: ``scheme://user:password@host`` (user may be empty)
URI_CREDENTIALS: Pattern[str] = lazy_re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{1,30})://"
    r"(?P<user>[^\s:/@?#'\"]*):(?P<password>[^\s/@?#'\"\x00]+)@(?P<host>[^\s/?#'\"@]*)"
)

#: ``password=...`` inside a libpq / ODBC / JDBC connection string or a URL query
CONNECTION_STRING_PASSWORD: Pattern[str] = lazy_re.compile(
    r"(?:^|[;\s?&])(?P<name>password|pwd|passwd|api_key|apikey|access_token|auth_token)"
    r"\s*=\s*(?P<value>[^;\s&'\"\x00]+)",
    re.IGNORECASE,
)
