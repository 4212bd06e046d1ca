"""Stop words, one list per use, all here (the text toolkit). They differ on purpose: each was tuned
with the figures of its stage (retrieval and refusals, the verifier's calibration, the lexical index,
the quiz), so merging them would change those figures.
"""

from __future__ import annotations

QUESTION = frozenset(
    """a an the of to in on for and or nor is are was were be been being by with as at that this these
    those it its it's from into onto than then there their they them he she his her we our you your i me
    my do does did doing done has have had having can could should would will shall may might must not
    no yes so such also too very more most much many any some all each every both either neither other
    about above after again against before below between during over under up down out off only own
    same just what which who whom whose when where why how whether if while because until though
    although tell me please say said says give list describe explain according document text""".split()
)
"""Words of a question that say nothing about its subject (matching a question to passages,
refusals): function words plus the asking words (tell, please, describe, document, ...)."""

VERIFIER = frozenset(
    """a an the of to in on for and or but is are was were be been being by with as at that this these
    those it its from into than then there their they them he she his her we our you your i me my
    which who whom whose what when where while how why also such can could may might must shall should
    will would do does did done has have had having so if about over under between among through
    during before after above below up down out off again further once here all any both each few most
    other some same own only very just more less not no nor too s t via per within upon across
    whether either neither one ones many much""".split()
)
"""Words the verifier's content-word signals skip (and that are not names when capitalised)."""

INDEX = frozenset(
    "a an and are as at be been but by can could did do does for from had has have how i if in into is it "
    "its may might must no not of on or our shall should so such than that the their them then there these "
    "they this those to under was we were what when where which who whom why will with would you your".split()
)
"""Very common English words: no lexical signal, and they make the catalog's FTS5 OR-queries slow."""

QUIZ = frozenset(
    """a an the of to in on for and or nor is are was were be been being by with as at that this these those it
    its from into than then which who whom whose what when where while if not no but also such any all each
    every other their there they them he she his her we our you your i me my may can shall must will would
    should could might has have had do does did under over between within without about per via""".split()
)
"""Words a quiz term or stem never starts with, and that a statement's key words leave out."""
