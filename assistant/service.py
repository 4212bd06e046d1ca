"""The Assistant: question (+ history) -> standalone question -> passages -> cited draft -> verified Answer.

This is the one object the CLI, the UI, the quiz and the eval harness call:
    Assistant.from_settings(settings, embedder=None).ask(question, history=None, backend=None, k=None) -> Answer

Stages (each its own unit): condense (assistant/condense.py), screen + retrieve
(assistant/policy.py, assistant/retrieval.py), evidence gate on the best passage sentences
(assistant/extractive.py + policy.EvidenceGate), draft (extractive or an LLM backend),
verify every sentence against the passages it cites (assistant/verify), apply the flag|strict
policy, write the audit log (assistant/audit.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Iterator, Sequence

from assistant.audit import AuditLog
from assistant.backends import LLM_BACKENDS, Backend, Draft, DraftSentence, citation_for, passage_citation
from assistant.condense import HeuristicCondenser, LLMCondenser
from assistant.extractive import SentenceScorer
from assistant.instruments import InstrumentNames, ProvisionLookup, Resolution, asked_unit, is_unit, provision_refs
from assistant.policy import REFUSAL_TEXT, EvidenceGate, Scope, Verdict, apply_policy, screen, strip_instructions
from assistant.records import Answer, Citation, Passage, Sentence
from assistant.registry import BACKENDS, VERIFIERS
from assistant.lc_retriever import LexciteLangChainRetriever, document_passage
from assistant.llm import LLMBackend, best_quote, model_mismatch, served_models, server_of
from assistant.retrieval import Retriever, make_retriever
from assistant.stream import Checked, Done, Event, Stage, Token
from ingest.embedder import Embedder, embedder_for
from ingest.index import Index
from lexcite.text.markers import strip_document_markers
from lexcite.text.terms import content_stems
from lexcite.errors import ConfigError
from lexcite.settings import Settings

log = logging.getLogger(__name__)

CLOSEST_PASSAGES = 3  # listed as citations when the answer is insufficient_evidence
HELPFUL_REFUSALS = ("answer_type", "absent_terms", "focus")  # the documents hold something close, not the thing asked
PROVISION_WORDS = ("Article", "Section", "Recital", "Annex", "Schedule", "Rule", "Paragraph")
PROVISION_CHUNKS = 4  # chunks of a provision the question cites by number, put ahead of the search
UNIT_DEPTH = 3  # a which-article question searches this many times deeper, then keeps the articles
REMOTE_BACKENDS = ("openai", "ollama")  # served over HTTP: the served model list can be checked
EVIDENCE_POOL = 10
ATTRIBUTION_CANDIDATES = 2  # shown passages an uncited LLM sentence is checked against (most shared words first)
MIN_SCOPED_WORDS = 2  # content words a question keeps without the instrument's name, to be searched without it  # passages searched for answer sentences (an LLM is shown the top k of them)




class Assistant:
    def __init__(self, settings: Settings, index: Index, retriever: Retriever, verifier,
                 embedder: Embedder | None = None, chat_models: dict | None = None):
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.verifier = verifier
        self.embedder = embedder or index.embedder
        self.scorer = SentenceScorer(self.embedder, store=getattr(index, "sentences", None))
        if hasattr(retriever, "share_sentences"):  # the retriever's best-sentence step reads the same vectors
            retriever.share_sentences(self.scorer)
        self.extractive = BACKENDS.build("extractive", self.scorer)
        self.gate = EvidenceGate(self.scorer.vectors)
        self.instruments = InstrumentNames(index.catalog)
        self.provisions = ProvisionLookup(index.catalog)
        self.audit = AuditLog(settings.audit_path) if settings.audit_log else None
        self._chat_models: dict = dict(chat_models or {})
        self._injected: set[str] = set(self._chat_models)  # chat models handed in: no server to ask
        self._served: dict[str, list[str] | None] = {}  # server URL -> the models it lists
        self._warm = False

    def warm_up(self) -> None:
        """Load the embedding model once, outside the timings (timings_ms exclude model loading)."""
        if not self._warm:
            self.embedder.embed(["warm-up"])
            self._warm = True

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> "Assistant":
        embedder = embedder or embedder_for(settings)
        index = Index(settings, embedder)
        verifier = VERIFIERS.build(settings.verifier or "auto", settings, embedder)
        return cls(settings, index, make_retriever(index), verifier, embedder)

    # ---- backends --------------------------------------------------------------------------------
    def available_backends(self) -> list[str]:
        """Backends that can run with the current settings (extractive always can) or with a chat model
        handed in (`use_chat_model`), in the registry's order (lexcite/registry.py)."""
        can_run = set(BACKENDS.available(self.settings)) | set(self._chat_models)
        return [name for name in BACKENDS.names if name in can_run]

    def use_chat_model(self, name: str, chat_model) -> None:
        """Serve backend `name` with this LangChain chat model (tests, or a model built elsewhere)."""
        if name not in LLM_BACKENDS:
            raise ConfigError(f"{name!r} is not an LLM backend; choose one of {', '.join(LLM_BACKENDS)}")
        self._chat_models[name] = chat_model
        self._injected.add(name)

    def chat_model(self, name: str):
        if name not in self._chat_models:
            self._chat_models[name] = BACKENDS.build(name, self.settings)
        return self._chat_models[name]

    def backend(self, name: str) -> Backend:
        BACKENDS.check(name)
        if name == "extractive":
            return self.extractive
        engine = LLMBackend(self.chat_model(name), name, where=server_of(self.settings, name))
        if name in REMOTE_BACKENDS and name not in self._injected:
            engine = self._check_served(engine)
        return engine

    def _check_served(self, engine: LLMBackend) -> LLMBackend:
        """Once per server: does it serve the model asked for (GET /v1/models)? If it serves exactly one other,
        answers name that one (not the name asked for, which such servers echo back), and a warning says so."""
        if engine.where not in self._served:
            self._served[engine.where] = served_models(engine.where, self.settings.llm_api_key)
            warning = model_mismatch(engine.model, self._served[engine.where], engine.where)
            if warning:
                log.warning(warning)
        served = self._served[engine.where]
        if served and engine.model not in served and len(served) == 1:
            engine.model = served[0]
        return engine

    def policy_for(self, name: str) -> str:
        return self.settings.verify_policy or ("strict" if name in LLM_BACKENDS else "flag")

    # ---- the pipeline ----------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            backend: str | None = None, k: int | None = None, user: str | None = None) -> Answer:
        """The whole answer at once: the last event of `stream`."""
        event = None
        for event in self.stream(question, history, backend, k, user):
            pass
        assert isinstance(event, Done)
        return event.answer

    def stream(self, question: str, history: Sequence[tuple[str, str]] | None = None,
               backend: str | None = None, k: int | None = None, user: str | None = None) -> Iterator[Event]:
        """The answer as it is made (assistant/stream.py): stages, an LLM's tokens, each sentence once it is
        verified, and last `Done(answer)`. Bad input raises before the first event."""
        question = (question or "").strip()
        if not question:
            raise ConfigError("the question is empty; type a question about the indexed documents")
        name = backend or self.settings.backend
        self.warm_up()
        engine = self.backend(name)  # building a chat client is set-up, not answering time
        history = [tuple(t) for t in history or [] if t and len(t) == 2]
        condenser = LLMCondenser(self.chat_model(name)) if name in LLM_BACKENDS and history else HeuristicCondenser()
        self.index.require_nonempty()
        return self._run(question, history, name, engine, condenser, k or self.settings.k, user)

    def _run(self, question: str, history, name: str, engine: Backend, condenser, k: int,
             user: str | None) -> Iterator[Event]:
        t0 = time.perf_counter()
        yield Stage("retrieving")
        standalone = condenser.condense(question, history)
        t_condense = time.perf_counter()
        times = {"condense": (t_condense - t0) * 1e3}

        if screen(question):
            answer = self._refuse(question, standalone, name, engine.model, Verdict("instructions"), [], times, t0)
            self._audit(answer, [], user)
            yield Done(answer)
            return

        resolution = self.instruments.resolve(standalone)
        pool, exact = self._retrieve(standalone, max(k, EVIDENCE_POOL), resolution)
        passages = pool[:k]
        t1 = time.perf_counter()
        times["retrieve"] = (t1 - t_condense) * 1e3
        # the words the user typed weigh most, unless an LLM already rewrote them into a full question
        own = standalone if isinstance(condenser, LLMCondenser) else question
        asked = self._within(standalone, resolution)  # inside the named instrument its name says nothing
        evidence = self.extractive.draft(asked, pool, focus=own if standalone != own else "")
        scope = Scope(resolution.covered, resolution.unresolved, self._in_corpus, exact)
        verdict = self.gate.judge(standalone, own, [p.chunk.text for p in pool],
                                  [s.text for s in evidence.sentences], evidence.evidence, scope,
                                  [c.passage for c in evidence.citations], [c.section for c in evidence.citations])
        if verdict.refused:
            times["answer"] = (time.perf_counter() - t1) * 1e3
            answer = self._refuse(question, standalone, name, engine.model, verdict, pool, times, t0,
                                  closest=self._closest_quote(evidence, verdict))
            self._audit(answer, pool, user)
            yield Done(answer)
            return
        yield Stage("drafting")
        if engine is self.extractive:
            draft = evidence
        else:
            raw = None
            for piece in engine.stream_draft(standalone, passages):
                if isinstance(piece, str):
                    yield Token(piece)
                else:
                    raw = piece
            draft = self._attribute(raw, passages)
        t2 = time.perf_counter()
        times["answer"] = (t2 - t1) * 1e3
        yield Stage("verifying")
        policy, kept = self.policy_for(name), []
        for checked in self._verify(draft):
            shown = replace(checked, text=strip_document_markers(checked.text))
            keep = bool(apply_policy([shown], policy)) and bool(shown.text.strip())
            if keep:
                kept.append(shown)
            yield Checked(shown, keep)
        times["verify"] = (time.perf_counter() - t2) * 1e3
        if not kept:
            why = Verdict("unsupported", str(len(draft.sentences))) if draft.sentences else Verdict("no_passages")
            answer = self._refuse(question, standalone, name, draft.model, why, pool, times, t0)
        else:
            citations = self._keep_cited(draft.citations, kept)
            kept = self.instruments.lead(own, kept, citations) + kept
            text = " ".join(s.text + (" " + "".join(f"[{n}]" for n in s.citations) if s.citations else "")
                            for s in kept)
            answer = Answer(question, "answered", text, kept, citations, name, self._total(times, t0),
                            standalone, draft.model, passages=list(pool))
        self._audit(answer, pool, user)
        yield Done(answer)

    def _retrieve(self, question: str, n: int, resolution: Resolution) -> tuple[list[Passage], bool]:
        """The named instrument's passages first (when the question names one the corpus holds), and the
        provisions the question cites ("Article 21", "Recital 39") fetched by their labels, ahead of all.
        Also whether a cited provision was found."""
        units = asked_unit(question)  # "which article ...": the answer is an article, not a preamble or a note
        depth = n * UNIT_DEPTH if units else n
        pool = self._search(question, depth)
        sources = list(resolution.sources)
        if sources and len(sources) < len(self.instruments.sources()):
            scoped = self._search(self._within(question, resolution), depth, sources)
            ids = {p.chunk.id for p in scoped}
            pool = scoped + [p for p in pool if p.chunk.id not in ids]
        if units:
            pool = [p for p in pool if is_unit(p.chunk.section, units)] or pool
        exact: list[Passage] = []
        top = pool[0].score if pool else 1.0
        for ref in provision_refs(question):
            for chunk in self.provisions.find(ref, sources or None)[:PROVISION_CHUNKS]:
                if chunk.id not in {p.chunk.id for p in exact}:
                    exact.append(Passage(chunk, top + 1.0))
        if exact:
            ids = {p.chunk.id for p in exact}
            pool = exact + [p for p in pool if p.chunk.id not in ids]
        return pool[:max(n, len(exact))], bool(exact)

    @staticmethod
    def _within(question: str, resolution: Resolution) -> str:
        """The question as asked within the instrument it names: without that name, unless too little is left."""
        if not resolution.sources:
            return question
        within = resolution.without_names(question)
        return within if len(content_stems(within)) >= MIN_SCOPED_WORDS else question

    def _search(self, question: str, k: int, sources: Sequence[str] = ()) -> list[Passage]:
        """The retriever through its LangChain face (a BaseRetriever: callbacks and tracing see every search)."""
        searcher = LexciteLangChainRetriever(retriever=self.retriever, k=k, sources=list(sources))
        return [document_passage(d) for d in searcher.invoke(question)]

    def _attribute(self, draft: Draft, passages: Sequence[Passage]) -> Draft:
        """An LLM sentence that cites nothing is attributed after the fact: of the ATTRIBUTION_CANDIDATES shown
        passages sharing most content words with it, the one the verifier finds supports it best becomes its
        citation (all pairs scored in one batch); a sentence no shown passage supports stays uncited (and is
        dropped or flagged by the policy like any unsupported sentence)."""
        uncited = [i for i, s in enumerate(draft.sentences) if not s.citations]
        if not uncited or not passages:
            return draft
        texts = [strip_instructions(p.chunk.text) for p in passages]
        stems = [set(content_stems(t)) for t in texts]
        pairs: list[tuple[int, int]] = []  # (sentence index, passage index)
        for i in uncited:
            want = set(content_stems(draft.sentences[i].text))
            ranked = sorted(range(len(texts)), key=lambda j: -len(want & stems[j]))
            pairs += [(i, j) for j in ranked[:ATTRIBUTION_CANDIDATES]]
        scores = self.verifier.score_many([(draft.sentences[i].text, [texts[j]]) for i, j in pairs])
        best: dict[int, tuple[float, int]] = {}
        for (i, j), v in zip(pairs, scores):
            if v.supported and float(v.score) > best.get(i, (-1.0, -1))[0]:
                best[i] = (float(v.score), j)
        citations, sentences = list(draft.citations), []
        by_chunk = {c.chunk_id: c.n for c in citations}
        for i, s in enumerate(draft.sentences):
            if i not in best:
                sentences.append(s)
                continue
            chunk = passages[best[i][1]].chunk
            if chunk.id not in by_chunk:
                start, end = best_quote(chunk.text, [s.text])
                by_chunk[chunk.id] = len(citations) + 1
                citations.append(citation_for(len(citations) + 1, chunk, start, end))
            sentences.append(DraftSentence(s.text, (by_chunk[chunk.id],)))
        return replace(draft, sentences=sentences, citations=citations)

    def _in_corpus(self, term: str) -> bool:
        """The corpus' text holds `term`, or, for an acronym, a document's name spells it out."""
        return bool(self.index.catalog.sources_containing(term)) or self.instruments.spelled(term)

    def _verify(self, draft: Draft) -> Iterator[Sentence]:
        """Each draft sentence checked against the passages it cites, one at a time (so each can be shown)."""
        by_n = {c.n: c for c in draft.citations}
        for s in draft.sentences:
            cited = [strip_instructions(by_n[n].passage) for n in s.citations if n in by_n]
            if not cited:
                yield Sentence(s.text, s.citations, False, 0.0)
                continue
            v = self.verifier.score(s.text, cited)
            yield Sentence(s.text, s.citations, bool(v.supported), float(v.score))

    @staticmethod
    def _keep_cited(citations: list[Citation], kept: list[Sentence]) -> list[Citation]:
        used = {n for s in kept for n in s.citations}
        return [c for c in citations if c.n in used]

    @staticmethod
    def _total(times: dict[str, float], t0: float) -> dict[str, float]:
        out = {"retrieve": 0.0, "answer": 0.0, "verify": 0.0} | times
        out["total"] = (time.perf_counter() - t0) * 1e3
        return out

    @staticmethod
    def _closest_quote(evidence: Draft, verdict: Verdict) -> Citation | None:
        """The best sentence found, when the documents hold something close to what was asked but not it (a
        provision on sanctions, not the term in years asked for): quoted in the refusal as the closest."""
        if verdict.reason not in HELPFUL_REFUSALS or not evidence.sentences or not evidence.sentences[0].citations:
            return None
        n = evidence.sentences[0].citations[0]
        return next((c for c in evidence.citations if c.n == n), None)

    def _refuse(self, question: str, standalone: str, name: str, model: str, verdict: Verdict,
                passages: Sequence[Passage], times: dict[str, float], t0: float,
                closest: Citation | None = None) -> Answer:
        """A refusal that says what was not found; with `closest`, it quotes that sentence as citation [1]
        ("The closest provision found is Article 40 of …: “…” [1]"), then lists the closest passages."""
        first = [replace(closest, n=1)] if closest is not None else []
        others = [p for p in passages if not first or p.chunk.id != first[0].chunk_id]
        cites = first + [passage_citation(n, p.chunk)
                         for n, p in enumerate(others[:CLOSEST_PASSAGES - len(first)], len(first) + 1)]
        if verdict.reason in ("instructions", "unsupported"):  # the documents are not what fell short
            text = verdict.message()
        else:
            text = f"{REFUSAL_TEXT} {verdict.message()}".strip()
            if first:
                quote = " ".join(strip_document_markers(first[0].quote).split())
                text += f" The closest {self._where(first[0])}: “{quote}” [1]"
                if len(cites) > 1:
                    text += " Other passages close to the question are listed below."
            elif cites:
                text += " The closest passages are listed below."
        return Answer(question, "insufficient_evidence", text, [], cites, name, self._total(times, t0),
                      standalone, model, passages=list(passages), reason=verdict.reason or "")

    def _where(self, c: Citation) -> str:
        """"provision found is Article 40 of Regulation (EU) No 604/2013" for a provision of a legal text,
        "passage found (“Title”, Section) says" otherwise."""
        if is_unit(c.section, PROVISION_WORDS):
            return f"provision found is {self.instruments.provision_of(c.source, c.section)}"
        where = ", ".join(x for x in (f"“{c.title}”" if c.title else c.source, c.section) if x)
        return f"passage found ({where}) says"

    def _audit(self, answer: Answer, passages: Sequence[Passage], user: str | None) -> None:
        if self.audit is not None:
            try:
                self.audit.write(answer, passages, user)
            except OSError as exc:  # the answer still goes out; the operator sees why the log failed
                log.error("could not append to the audit log %s: %s; check the data directory's permissions",
                          self.settings.audit_path, exc)
