"""Verbatim quotes: a quote that is not an exact slice of its chunk and document text is counted."""

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.verbatim import QuotedCitation, non_verbatim_quotes, violation

pytestmark = pytest.mark.unit

DOC = "Article 2\nFees shall not exceed ten euros. Members report yearly.\n"
CHUNK_START = DOC.index("Fees")
CHUNK = DOC[CHUNK_START:].rstrip()


def cite(quote, start=None, **kw):
    start = DOC.find(quote) if start is None else start
    return QuotedCitation(quote, start, start + len(quote), **{"chunk_text": CHUNK, "chunk_start": CHUNK_START,
                                                               "passage": CHUNK, "document_text": DOC} | kw)


def test_an_exact_slice_of_chunk_and_document_is_verbatim():
    assert non_verbatim_quotes([cite("Fees shall not exceed ten euros."), cite("Members report yearly.")]) == 0


@pytest.mark.parametrize("c, why", [
    (cite("Fees shall not exceed 10 euros.", start=CHUNK_START), "not the chunk's text"),  # a changed figure
    (cite("Fees shall not exceed ten euros.", start=CHUNK_START + 1), "not the chunk's text"),  # offsets shifted
    (cite("fees shall not exceed", start=CHUNK_START), "not the chunk's text"),  # case changed
    (cite("", start=CHUNK_START), "empty quote"),
    (QuotedCitation("Fees shall not exceed ten", CHUNK_START, CHUNK_START + 99), "chars but the quote has"),
    (cite("Fees shall not exceed ten euros.", chunk_text=None, chunk_start=None, passage="Fees shall not"),
     "not in the cited passage"),
    (cite("Fees shall not exceed ten euros.", document_text="x" * 100), "not the document's text"),
])
def test_a_quote_that_is_not_an_exact_slice_is_a_violation(c, why):
    assert why in violation(c)
    assert non_verbatim_quotes([c, cite("Members report yearly.")]) == 1


def test_without_chunk_or_document_the_quote_must_lie_in_the_passage():
    assert not violation(QuotedCitation("ten euros", 0, 9, passage=CHUNK))


def test_a_missing_input_is_a_clear_error():
    with pytest.raises(MetricInputError, match="needs the citations"):
        non_verbatim_quotes(None)
    with pytest.raises(MetricInputError, match="QuotedCitation"):
        non_verbatim_quotes([("quote", 0, 5)])
