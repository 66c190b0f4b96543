"""The Asterisk queue_log fold, in SQL: staged events in, visits and contacts out.

Records are staged in DuckDB temporary tables, seen together as the view ``_ql_ev`` (one row
per record, in log order ``seq``), and folded with window functions, so millions of lines fold
in seconds. Asterisk reports its own durations in the data fields (``holdtime``, ``calltime``,
``waittime``); they are used when present, the differences of the event times otherwise.

A call's events are cut into visits at each ENTERQUEUE (visit 2, 3... of the same callid are
transferred in). Within a visit:

=====================  ==================================================================
event                  effect
=====================  ==================================================================
ENTERQUEUE             the visit enters ``queue``; data2 (the caller id) is the customer
RINGNOANSWER           one more offer; first offer time = time - ringtime (data1, ms)
RINGCANCELED           the same (the caller hung up while an agent's phone rang)
CONNECT                answered by ``agent``: wait = holdtime (data1), one more offer
                       (first offer = time - ringtime, data3 in seconds); the last CONNECT
                       of a visit counts
COMPLETECALLER/AGENT   ended: conversation = calltime (data2)
TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER
                       ended, transferred out: conversation = calltime (data4); a transfer before
                       any answer is a flow-out
ABANDON                abandoned: wait = waittime (data3)
EXITWITHTIMEOUT        flowed out (the queue's timeout sent the caller on): wait = data3
EXITEMPTY              flowed out (no agent could take calls): wait = data3
EXITWITHKEY            exited (the caller pressed key data1 to leave), or a callback request
                       when data1 is one of the callback keys (``--callback-key``): wait = data4
=====================  ==================================================================

An outbound call (a callid whose first event is OUTDIAL, with no ENTERQUEUE) is one visit of
an ``outbound`` contact, in the order of :class:`~carecenter.domain.events` an agent's dialled
call has: arrived, queued in ``queue`` (the campaign) and offered to ``agent`` at OUTDIAL
(data1, the number dialled, is the customer); answered at OUTANSWER (wait = the ring time);
ended at OUTCOMPLETE (conversation = its time - the answer's) or COMPLETEAGENT/COMPLETECALLER
(conversation = calltime, data2); not connected (outcome ``exited``, wait = the ring time) at
``OUT`` + Dial()'s DIALSTATUS: OUTBUSY, OUTNOANSWER, OUTCANCEL, OUTFAIL, OUTCONGESTION,
OUTCHANUNAVAIL. The agent is busy from OUTDIAL to the end.

Asterisk counts hold time inside ``calltime`` and logs no after-call work, so a visit has its
``conversation_s`` (talk + hold) and unknown (``NULL``) ``talk_s``, ``hold_s`` and ``acw_s``,
the meaning the fold (:mod:`carecenter.domain.projection`) gives those columns; property tests
check this SQL against the fold on generated event streams rendered as queue_log lines.

The first of these end events ends the visit; later events of the visit are counted and
ignored. A visit with no end event that is followed by another ENTERQUEUE flowed out then; one
followed by nothing is still open. A call whose first events come before any ENTERQUEUE (its
ENTERQUEUE is in an earlier file) gets a visit that entered the queue ``wait`` seconds before
its first event.
"""

from __future__ import annotations

from carecenter.ingest.queue_agents import CALL_END, CALL_START, SESSION_EVENTS

COMPLETE = ("COMPLETECALLER", "COMPLETEAGENT")
TRANSFER = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
EXIT = ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY")
RING = ("RINGNOANSWER", "RINGCANCELED")
OUT_FAILED = ("OUTCANCEL", "OUTBUSY", "OUTNOANSWER", "OUTFAIL", "OUTCONGESTION", "OUTCHANUNAVAIL")
"""An outbound attempt that did not connect: ``OUT`` + Dial()'s DIALSTATUS."""
OUT_ENDS = ("OUTCOMPLETE", *OUT_FAILED)
END_EVENTS = (*COMPLETE, *TRANSFER, *EXIT, *OUT_ENDS)
CALL_EVENTS = ("ENTERQUEUE", "CONNECT", *RING, "OUTDIAL", "OUTANSWER", *END_EVENTS)
IGNORED_EVENTS = ("QUEUESTART", "CONFIGRELOAD", "DID", "INFO", "SYSCOMPAT", "AGENTDUMP")
"""Known events that carry no fact; counted as ignored."""
KNOWN_EVENTS = frozenset((*CALL_EVENTS, *SESSION_EVENTS, *IGNORED_EVENTS))


def sql_list(values: tuple[str, ...]) -> str:
    """``values`` as an SQL list of strings: ``('a', 'b')``."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_FIRST_WAIT = f"""CASE
    WHEN event = 'CONNECT' THEN n1
    WHEN event IN {sql_list(COMPLETE)}
        THEN coalesce(n1, 0) + coalesce(n2, 0)
    WHEN event IN {sql_list(TRANSFER)}
        THEN coalesce(n3, 0) + coalesce(n4, 0)
    WHEN event IN ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY') THEN n3
    WHEN event = 'EXITWITHKEY' THEN n4
END"""

_OFFER_EVENTS = ("CONNECT", *RING)
_AGGREGATES = f"""
    arg_min({{'t': t, 'event': event, 'queue': queue, 'customer': d2,
              'wait': {{first_wait}}}}, seq) AS first,
    count(*) FILTER (keep AND event IN {sql_list((*_OFFER_EVENTS, "OUTDIAL"))}) AS offers,
    min(CASE WHEN event IN {sql_list(RING)} THEN t - coalesce(n1, 0) / 1000
             WHEN event = 'CONNECT' THEN t - coalesce(n3, 0)
             WHEN event = 'OUTDIAL' THEN t END)
        FILTER (keep) AS offered,
    arg_min({{'t': t, 'agent': agent, 'number': d1, 'seq': seq}}, seq)
        FILTER (keep AND event = 'OUTDIAL') AS dial,
    arg_min({{'t': t, 'agent': agent, 'seq': seq}}, seq)
        FILTER (keep AND event = 'OUTANSWER') AS oans,
    arg_max({{'t': t, 'agent': agent, 'hold': n1, 'seq': seq}}, seq)
        FILTER (keep AND event = 'CONNECT') AS conn,
    arg_min({{'t': t, 'event': event, 'agent': agent, 'seq': seq,
              'hold': CASE WHEN event IN {sql_list(COMPLETE)} THEN n1
                           WHEN event IN {sql_list(TRANSFER)} THEN n3 END,
              'talk': CASE WHEN event IN {sql_list(COMPLETE)} THEN n2
                           WHEN event IN {sql_list(TRANSFER)} THEN n4 END,
              'wait': CASE WHEN event IN ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY')
                                THEN n3
                           WHEN event = 'EXITWITHKEY' THEN n4 END,
              'key': CASE WHEN event = 'EXITWITHKEY' THEN d1 END}}, seq)
        FILTER (event IN {sql_list(END_EVENTS)}) AS fin"""

_SIMPLE = """(
    (enqueues = 1 AND first.event = 'ENTERQUEUE' AND coalesce(last_offer < fin.seq, true))
    OR (enqueues = 0 AND first.event = 'OUTDIAL' AND coalesce(oans.seq < fin.seq, true)))"""
"""A simple call (nearly all): one ENTERQUEUE, its first event, no offer after its end (the
first end event, ``fin``); or an outbound call: no ENTERQUEUE, OUTDIAL its first event, no
answer after its end."""

FOLD = [
    # Every call folded as one visit; the ones that are not simple are folded again below.
    f"""
CREATE OR REPLACE TEMP TABLE _ql_vis AS
SELECT * EXCLUDE (enqueues, last_offer), {_SIMPLE} AS simple
FROM (
    SELECT callid, 1 AS seg, {_AGGREGATES.replace("{first_wait}", "NULL::DOUBLE")},
        greatest(count(*) FILTER (event IN {sql_list(END_EVENTS)}) - 1, 0) AS late,
        NULL::DOUBLE AS next_t, 1 AS visit, NULL::VARCHAR AS call_customer,
        NULL::DOUBLE AS call_arrived,
        count(*) FILTER (event = 'ENTERQUEUE') AS enqueues,
        max(seq) FILTER (event IN {sql_list(_OFFER_EVENTS)}) AS last_offer
    FROM (SELECT *, true AS keep FROM _ql_ev WHERE bad IS NULL AND event IN {sql_list(CALL_EVENTS)})
    GROUP BY callid
)
""",
    "CREATE OR REPLACE TEMP TABLE _ql_complex AS SELECT callid FROM _ql_vis WHERE NOT simple",
    "DELETE FROM _ql_vis WHERE NOT simple",
    # The others: cut into visits at each ENTERQUEUE; events after a visit's end are late.
    f"""
INSERT INTO _ql_vis
WITH s AS (
    SELECT *, sum(CASE WHEN event = 'ENTERQUEUE' THEN 1 ELSE 0 END)
                  OVER (PARTITION BY callid ORDER BY seq ROWS UNBOUNDED PRECEDING) AS seg
    FROM _ql_ev SEMI JOIN _ql_complex USING (callid)
    WHERE bad IS NULL AND event IN {sql_list(CALL_EVENTS)}
), e AS (
    SELECT *, coalesce(seq <= min(seq) FILTER (event IN {sql_list(END_EVENTS)})
                       OVER (PARTITION BY callid, seg), true) AS keep
    FROM s
), g AS (
    SELECT callid, seg, {_AGGREGATES.replace("{first_wait}", _FIRST_WAIT)},
        count(*) FILTER (NOT keep) AS late
    FROM e GROUP BY callid, seg
)
SELECT *,
    lead(first.t) OVER (PARTITION BY callid ORDER BY seg) AS next_t,
    seg + CASE WHEN min(seg) OVER (PARTITION BY callid) = 0 THEN 1 ELSE 0 END AS visit,
    first_value(CASE WHEN first.event = 'ENTERQUEUE' THEN first.customer END)
        OVER (PARTITION BY callid ORDER BY seg) AS call_customer,
    first_value(CASE WHEN first.event = 'ENTERQUEUE' THEN first.t
                     ELSE first.t - coalesce(first.wait, 0) END)
        OVER (PARTITION BY callid ORDER BY seg) AS call_arrived,
    false AS simple
FROM g
""",
    f"""
CREATE OR REPLACE TEMP TABLE _ql_vf AS
WITH a AS (
    SELECT *,
        CASE WHEN first.event = 'ENTERQUEUE' THEN first.t
             ELSE first.t - coalesce(first.wait, 0) END AS enq,
        coalesce(fin.event IN {sql_list(COMPLETE)}
                 OR (fin.event IN {sql_list(TRANSFER)} AND coalesce(fin.talk, 0) > 0)
                 OR (fin.event = 'OUTCOMPLETE'), false)
            AS talk_end
    FROM _ql_vis
), b AS (
    SELECT *,
        CASE WHEN conn IS NOT NULL THEN conn.t WHEN oans IS NOT NULL THEN oans.t
             WHEN talk_end THEN fin.t - coalesce(fin.talk, 0) END AS ans,
        CASE WHEN dial IS NOT NULL
                 THEN CASE WHEN oans IS NOT NULL OR talk_end THEN 'answered'
                           WHEN fin IS NOT NULL THEN 'exited' ELSE 'open' END
             WHEN fin.event IN {sql_list(COMPLETE)} THEN 'answered'
             WHEN fin.event IN {sql_list(TRANSFER)}
                 THEN CASE WHEN conn IS NOT NULL OR talk_end THEN 'answered'
                           ELSE 'flowed_out' END
             WHEN fin.event = 'ABANDON' THEN 'abandoned'
             WHEN fin.event IN ('EXITWITHTIMEOUT', 'EXITEMPTY') THEN 'flowed_out'
             WHEN fin.event = 'EXITWITHKEY' AND list_contains($callback_keys, fin.key)
                 THEN 'callback'
             WHEN fin.event = 'EXITWITHKEY' THEN 'exited'
             WHEN next_t IS NOT NULL THEN 'flowed_out'
             WHEN conn IS NOT NULL THEN 'answered'
             ELSE 'open' END AS outcome,
        CASE WHEN dial IS NOT NULL THEN dial.number
             WHEN seg = 1 AND next_t IS NULL AND call_arrived IS NULL
             THEN first.customer ELSE call_customer END AS customer,
        CASE WHEN conn IS NOT NULL THEN conn.agent WHEN dial IS NOT NULL
             THEN coalesce(oans.agent, dial.agent) WHEN talk_end THEN fin.agent END AS raw_agent
    FROM a
)
SELECT
    $prefix || callid AS contact_id,
    CAST(visit AS BIGINT) AS visit,
    first.queue AS queue_id,
    'voice' AS channel,
    CASE WHEN dial IS NOT NULL THEN 'outbound' ELSE 'inbound' END AS direction,
    CASE WHEN customer NOT IN ('', 'unknown') THEN $prefix || customer END AS customer_id,
    'standard' AS tier,
    CAST(NULL AS VARCHAR) AS topic,
    to_timestamp(coalesce(call_arrived, enq)) AS arrived_at,
    to_timestamp(enq) AS enqueued_at,
    coalesce(ids.id, raw_agent) AS agent_id,
    to_timestamp(offered) AS offered_at,
    to_timestamp(ans) AS answered_at,
    to_timestamp(CASE WHEN fin.event = 'ABANDON' THEN fin.t END) AS abandoned_at,
    to_timestamp(coalesce(fin.t, next_t)) AS ended_at,
    CASE WHEN dial IS NOT NULL THEN coalesce(ans, fin.t) - enq
         WHEN conn IS NOT NULL THEN coalesce(conn.hold, conn.t - enq)
         WHEN talk_end THEN coalesce(fin.hold, ans - enq)
         WHEN fin.event IN {sql_list(TRANSFER)} THEN coalesce(fin.hold, fin.t - enq)
         WHEN fin IS NOT NULL THEN coalesce(fin.wait, fin.t - enq)
         WHEN next_t IS NOT NULL THEN next_t - enq END AS wait_s,
    CAST(NULL AS DOUBLE) AS talk_s,
    CAST(NULL AS DOUBLE) AS hold_s,
    CAST(NULL AS DOUBLE) AS acw_s,
    offers,
    outcome,
    visit > 1 AS transferred_in,
    coalesce(fin.event IN {sql_list(TRANSFER)}, false) OR outcome = 'flowed_out' AS transferred_out,
    outcome = 'callback' AS callback_requested,
    CAST(NULL AS BOOLEAN) AS resolved,
    CASE WHEN fin.event IN {sql_list(TRANSFER)} THEN 'transferred'
         WHEN outcome = 'answered' AND fin IS NULL THEN 'answered'
         WHEN outcome = 'open' THEN 'queued'
         WHEN outcome = 'abandoned' THEN 'abandoned'
         WHEN outcome = 'callback' THEN 'callback_requested'
         WHEN outcome = 'flowed_out' THEN 'transferred'
         ELSE 'ended' END AS state,
    CAST(NULL AS TIMESTAMPTZ) AS hold_started_at,
    CAST(NULL AS TIMESTAMPTZ) AS talk_ended_at,
    CAST(0 AS BIGINT) AS last_seq,
    CASE WHEN ans IS NOT NULL AND fin.event IN {sql_list((*COMPLETE, *TRANSFER, "OUTCOMPLETE"))}
         THEN coalesce(fin.talk, fin.t - ans) END AS conversation_s,
    CAST(NULL AS BIGINT) AS relaxation_step,
    CAST(NULL AS DOUBLE) AS ewt_s,
    CAST(NULL AS VARCHAR) AS ewt_predictor,
    CAST(NULL AS VARCHAR) AS transfer_kind,
    CAST(NULL AS VARCHAR) AS transfer_reason,
    simple
FROM b LEFT JOIN _ql_agent_ids AS ids ON ids.name = raw_agent
""",
]

FOLD += [
    "CREATE OR REPLACE TEMP VIEW _ql_visits AS SELECT * EXCLUDE (simple) FROM _ql_vf",
    """
CREATE OR REPLACE TEMP TABLE _ql_contacts AS
SELECT contact_id, channel, direction, customer_id, tier, topic,
       CAST(NULL AS VARCHAR) AS parent_contact_id, arrived_at, ended_at, state,
       CAST(1 AS BIGINT) AS visits, CAST(NULL AS BOOLEAN) AS resolved,
       CAST(0 AS BIGINT) AS last_seq, false AS transferred_in,
       CAST(NULL AS VARCHAR) AS disposition, CAST(NULL AS VARCHAR) AS note
FROM _ql_vf WHERE simple
UNION ALL
SELECT contact_id, 'voice', arg_min(direction, visit), any_value(customer_id), 'standard',
       NULL, NULL,
       min(arrived_at), arg_max({'e': ended_at, 's': state}, visit).e,
       arg_max({'e': ended_at, 's': state}, visit).s, count(*), NULL, 0, false, NULL, NULL
FROM _ql_vf WHERE NOT simple GROUP BY contact_id
""",
]
VISITS, CONTACTS = "_ql_visits", "_ql_contacts"
"""The staged tables holding the folded ``contact_facts`` and ``contacts`` rows."""
TEMP_TABLES = ("_ql_ev0", "_ql_vis", "_ql_complex", "_ql_vf", "_ql_contacts", "_ql_agent_ids")

AGENT_NAMES = f"""
SELECT DISTINCT agent FROM _ql_ev
WHERE bad IS NULL AND agent IS NOT NULL
  AND event IN {sql_list(("CONNECT", "OUTDIAL", "OUTANSWER", *END_EVENTS, *SESSION_EVENTS))}
ORDER BY agent
"""
"""The agent names the fold reads (of calls and sessions), each to be given its id
(:func:`carecenter.ingest.agent_ids.agent_id`) in ``_ql_agent_ids`` (name, id) before the
fold: the visits and the agent events carry the id."""
AGENT_IDS = "CREATE OR REPLACE TEMP TABLE _ql_agent_ids AS SELECT name, id FROM _ql_agent_ids_in"

NOTES = """
SELECT count(*) FILTER (first.event NOT IN ('ENTERQUEUE', 'OUTDIAL')), coalesce(sum(late), 0)
FROM _ql_vis
"""

AGENT_EVENTS = f"""
WITH sessions AS (
    SELECT seq, t, coalesce(ids.id, agent) AS agent, queue, event, d1 FROM _ql_ev
    LEFT JOIN _ql_agent_ids AS ids ON ids.name = agent
    WHERE bad IS NULL AND event IN {sql_list(SESSION_EVENTS)}
), tracked AS (
    SELECT agent, min(seq) AS since, row_number() OVER (ORDER BY agent) AS aid FROM sessions
    GROUP BY agent
), vis AS (
    SELECT CASE WHEN conn IS NOT NULL THEN {{'t': conn.t, 'seq': conn.seq}}
                ELSE {{'t': dial.t, 'seq': dial.seq}} END AS conn,
           fin, coalesce(ids.id, conn.agent, dial.agent) AS agent
    FROM _ql_vis LEFT JOIN _ql_agent_ids AS ids ON ids.name = coalesce(conn.agent, dial.agent)
    WHERE conn IS NOT NULL OR dial IS NOT NULL
), calls AS (
    SELECT conn.seq AS seq, conn.t AS t, aid, 1 AS d
    FROM vis JOIN tracked USING (agent) WHERE conn.seq > since
    UNION ALL
    SELECT fin.seq, fin.t, aid, -1
    FROM vis JOIN tracked USING (agent)
    WHERE conn.seq > since AND fin.event IN {sql_list((*COMPLETE, *TRANSFER, *OUT_ENDS))}
), before AS (
    SELECT aid, coalesce(sum(sum(d)) OVER (ORDER BY aid ROWS BETWEEN UNBOUNDED PRECEDING
                                                    AND 1 PRECEDING), 0) AS base
    FROM calls GROUP BY aid
), busy AS (
    SELECT seq, t, aid, d, sum(d) OVER (ORDER BY aid, seq ROWS UNBOUNDED PRECEDING) AS running
    FROM calls
)
SELECT t, agent, queue, event, d1 FROM (
    SELECT seq, t, agent, queue, event, d1 FROM sessions
    UNION ALL
    SELECT seq, t, agent, '', CASE WHEN d = 1 THEN '{CALL_START}' ELSE '{CALL_END}' END, NULL
    FROM busy JOIN before USING (aid) JOIN tracked USING (aid)
    WHERE (d = 1 AND running - base = 1) OR (d = -1 AND running - base = 0)
) ORDER BY seq
"""
"""Session events and the starts and ends of each agent's busy spells (overlapping calls of
one agent are one spell), in log order.

An agent's number of active calls is the running sum of ``d`` over its calls in log order.
It is computed as one running sum over all agents' calls ordered by (agent, seq), less the
sum of the agents before it (``base``): DuckDB runs a window without ``PARTITION BY`` about
twice as fast as one partitioned by the few agents."""

FILE_REPORT = """
SELECT line, event, raw, bad FROM _ql_ev WHERE file = ? AND raw IS NOT NULL ORDER BY seq
"""
"""The records of a file to quarantine or report as unknown: those that kept their text (a bad
record, or one of an unknown event; see :func:`_staged`)."""
FILE_COUNTS = "SELECT count(*) FROM _ql_ev WHERE file = ?"
FILE_IGNORED = f"""
SELECT event, count(*) FROM _ql_ev
WHERE file = ? AND bad IS NULL AND event IN {sql_list(IGNORED_EVENTS)}
GROUP BY event ORDER BY event
"""
