"""The survey questions the metric catalog and the voice of the customer read: a ``csat``
answer on 1..5 (4 and 5 are satisfied), an ``nps`` answer on 0..10 (9 and 10 promote, 0 to
6 detract) and a ``ces`` answer on 1..7 (customer effort). One definition, so an importer, the
catalog, the survey sampling and the survey estimates agree."""

from __future__ import annotations

CSAT_QUESTION, CSAT_SCALE, CSAT_SATISFIED = "csat", 5, 4
NPS_QUESTION, NPS_SCALE, NPS_PROMOTER, NPS_DETRACTOR = "nps", 10, 9, 6
CES_QUESTION, CES_SCALE = "ces", 7
